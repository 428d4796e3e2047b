# Helpers for the personal-account tests (source after portald-lib.sh):
# keys obtained by a real application (submitted, approved by the RA
# with "qoltanbad ra approve", certificates fetched), then signed in to
# the account with the AUTH key over the portal's challenge.

# EC P-256 keys (which the portal accepts beside RSA): the tests make
# a dozen key pairs, and RSA-2048 generation would take most of their time.
new_csr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-subj "/CN=$1" -out "$T/$1.csr" 2>/dev/null
}

# get_keys NAME TYPE IIN BIN STORAGE [EMAIL]: $T/NAME-{auth,sign}.{key,pem},
# the application number in $T/NAME.number.
get_keys() {
	new_csr "$1-auth"
	new_csr "$1-sign"
	app_json "$T/$1.app" "$2" "$3" "$4" "$5" "$1-auth" "$1-sign" \
		"{\"email\":\"${6:-$1@example.kz}\"}"
	api POST /api/v1/applications "$T/$1.app"
	expect_api 201 "" "application of $1"
	n=$(printf '%s' "$body" | jq -r .number)
	tok=$(printf '%s' "$body" | jq -r .access_token)
	echo "$n" >"$T/$1.number"
	"$QOLTANBAD" ra approve "$n" --data "$PD_DIR" >/dev/null 2>&1 || fail "RA approval of $1"
	api GET "/api/v1/applications/$n/certificates" "" -H "X-Access-Token: $tok"
	expect_api 200 "" "certificates of $1"
	printf '%s' "$body" | jq -r '.certificates[] | select(.purpose=="auth") | .pem' >"$T/$1-auth.pem"
	printf '%s' "$body" | jq -r '.certificates[] | select(.purpose=="sign") | .pem' >"$T/$1-sign.pem"
}

serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f'; }

# acct_challenge: a fresh account challenge in $CHID and $T/chal.
acct_challenge() {
	api POST /api/v1/account/challenge ""
	expect_api 201 "" "account challenge"
	CHID=$(printf '%s' "$body" | jq -r .challenge_id)
	printf '%s' "$body" | jq -j .sign_this >"$T/chal"
}

# acct_session KEY CERT: signs $T/chal with KEY; the request in $T/sess.
acct_session() {
	sig=$(openssl dgst -sha256 -sign "$1" "$T/chal" | base64 -w0)
	jq -n --arg id "$CHID" --rawfile c "$2" --arg s "$sig" \
		'{challenge_id:$id, certificate:$c, signature:$s}' >"$T/sess"
	api POST /api/v1/account/session "$T/sess"
	TOK=$(printf '%s' "$body" | jq -r '.token // empty')
}

# acct_signin NAME: signs in with NAME's AUTH key; the token in $TOK.
acct_signin() {
	acct_challenge
	acct_session "$T/$1-auth.key" "$T/$1-auth.pem"
}

# acct METHOD PATH [BODY-FILE]: an account call with the session $TOK.
acct() {
	api "$1" "$2" "${3:-}" -H "Authorization: Bearer $TOK"
}

# reissue_body FILE NAME SERIAL STORAGE EMAIL: new CSRs NAME-r{auth,sign},
# signed with NAME's AUTH key as doc/api.md says.
reissue_body() {
	new_csr "$2-rauth"
	new_csr "$2-rsign"
	ha=$(sha256sum <"$T/$2-rauth.csr" | cut -d' ' -f1)
	hs=$(sha256sum <"$T/$2-rsign.csr" | cut -d' ' -f1)
	printf 'qoltanbad-reissue:%s:%s:%s:%s:%s' "$3" "$4" "$5" "$ha" "$hs" >"$T/ri.txt"
	sig=$(openssl dgst -sha256 -sign "$T/$2-auth.key" "$T/ri.txt" | base64 -w0)
	jq -n --arg se "$3" --arg st "$4" --arg em "$5" --rawfile a "$T/$2-rauth.csr" \
		--rawfile s "$T/$2-rsign.csr" --arg sig "$sig" \
		'{serial:$se, storage:$st, email:$em, auth_csr:$a, sign_csr:$s, signature:$sig}' >"$1"
}
