#!/bin/sh
# qoltanbad end to end: a real daemon on a loopback port with a fresh
# data folder, every endpoint driven with curl, certificates checked
# with openssl (chain, CRL, OCSP, NCA profile), bad input refused with
# stable codes and nothing half-done in the database.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/portald-lib.sh"

IND_IIN=850314372249      # ӘБІЛҚАЙЫР ЕРЛАН, demo registry
HEAD_IIN=850314372249     # head of ЖШС "Алтын Дала"
ALTYN_BIN=060340138014
OTHER_IIN=900722433036    # ҚҰРМАНҒАЛИ АЙГҮЛ
NOT_REG_IIN=800416100254  # valid checksum, not in the registry
NOT_REG_BIN=940140000385
BAD_IIN=850314372248      # checksum fails

pd_init --test-mode
check "init wrote the config" test -f "$PD_DIR/qoltanbad.conf"
check "init created the CA" test -f "$PD_DIR/ca/issuing.crt"
expect_exit 0 grep -q "Imported 20 individual(s) and 7" "$T/import.out"
# Registry import is all or nothing, with bad rows reported by line.
printf 'iin,surname,given_name,patronymic\n790923436345,ТЕСТОВА,ӘЙГЕРІМ,\n800416100254,"ОДИН, ДВА",ЕРЛАН,\n850314372248,БІРЕУ,ЕКІ,ҮШ\n790923436345,ҚАЙТА,ҚАЙТА,\n123,ҚЫСҚА,А,Б\n' >"$T/bad-ind.csv"
printf 'bin,name,head_iin\n940140000385,"ЖШС ""Жаңа""",871008401427\n' >"$T/bad-ent.csv"
expect_exit 1 "$QOLTANBAD" registry import --data "$PD_DIR" --individuals "$T/bad-ind.csv" \
	--entities "$T/bad-ent.csv"
expect_match 'bad-ind.csv:4: IIN 850314372248'
expect_match 'bad-ind.csv:5: IIN 790923436345 appears twice'
expect_match 'bad-ind.csv:6: IIN 123'
expect_match 'bad-ent.csv:2: head IIN 871008401427 is not in the individuals registry'
expect_match 'nothing was imported'
check "nothing half-imported" test "$(db "SELECT count(*) FROM person")" -eq 20
check "quoted comma kept out too" test "$(db "SELECT count(*) FROM person WHERE iin='800416100254'")" -eq 0
printf 'iin,surname,given_name,patronymic\n800416100254,"ОДИН, ДВА",ЕРЛАН,\n' >"$T/ok-ind.csv"
printf 'bin,name,head_iin\n940140000385,"ЖШС ""Жаңа""",800416100254\n' >"$T/ok-ent.csv"
expect_exit 0 "$QOLTANBAD" registry import --data "$PD_DIR" --individuals "$T/ok-ind.csv" \
	--entities "$T/ok-ent.csv"
check "CSV quoting read right" test "$(db "SELECT surname || '|' || name FROM person, entity WHERE iin='800416100254' AND bin='940140000385'")" = 'ОДИН, ДВА|ЖШС "Жаңа"'
# Put the registry back as the rest of the test expects it.
db "DELETE FROM entity WHERE bin='940140000385'; DELETE FROM person WHERE iin='800416100254'"

# A small captcha budget, so that the rate limit can be reached.
sed -i 's/^captcha_per_minute = .*/captcha_per_minute = 12/' "$PD_DIR/qoltanbad.conf"
pd_start

# solve_captcha: a new captcha; its answer is read from the database,
# as a person would read it from the art.
solve_captcha() {
	api POST /api/v1/captcha ""
	expect_api 201 "" "new captcha"
	CAP_ID=$(printf '%s' "$body" | jq -r .captcha_id)
	CAP_ANS=$(db "SELECT answer FROM captcha WHERE id='$CAP_ID'")
}
cap() { printf '{"captcha_id":"%s","captcha_answer":"%s"}' "$CAP_ID" "$CAP_ANS"; }

# ---- catalog ----
api GET /api/v1/catalog ""
expect_api 200 "" "catalog"
out=$(printf '%s' "$body" | jq -r '[.regions[].iso] | length, .[0], .[-1]')
expect_match '^20$'
expect_match '^KZ-10$'
expect_match '^KZ-79$'
out=$(printf '%s' "$body" | jq -r '.storages[] | "\(.id)=\(.default_pin)/\(.validity_days)"')
expect_match '^kaztoken=12345678/1095$'
expect_match '^jacarta=1234567890/1095$'
expect_match '^pkcs12=null/365$'
out=$(printf '%s' "$body" | jq -r '.password_policy.allowed_specials, .captcha_required, (.subject_types | length)')
expect_match '^#\$\^\+=!\*\(\)@%&_\?-\.$'
expect_match '^true$'
expect_match '^6$'
out=$(printf '%s' "$body" | jq -r '.regions[] | select(.iso=="KZ-63") | .cities[0].kk')
expect_match '^Өскемен$'

# ---- captcha ----
solve_captcha
out=$(printf '%s' "$body" | jq -r .art)
expect_match '#'
check "captcha art is 7 lines" test "$(printf '%s' "$body" | jq '.art | split("\n") | length')" -eq 8
check "captcha answer is 5 digits" expr "$CAP_ANS" : '[0-9]\{5\}$'
# A wrong answer spends the captcha.
printf '{"iin":"%s","captcha_id":"%s","captcha_answer":"00000x"}' "$IND_IIN" "$CAP_ID" >"$T/b"
api POST /api/v1/checks/iin "$T/b"
expect_api 403 captcha_wrong "wrong captcha answer"
printf '{"iin":"%s","captcha_id":"%s","captcha_answer":"%s"}' "$IND_IIN" "$CAP_ID" "$CAP_ANS" >"$T/b"
api POST /api/v1/checks/iin "$T/b"
expect_api 403 captcha_used "captcha after a wrong answer"
printf '{"iin":"%s"}' "$IND_IIN" >"$T/b"
api POST /api/v1/checks/iin "$T/b"
expect_api 400 captcha_required "check without captcha"
printf '{"iin":"%s","captcha_id":"nope","captcha_answer":"12345"}' "$IND_IIN" >"$T/b"
api POST /api/v1/checks/iin "$T/b"
expect_api 403 captcha_unknown "unknown captcha"

# ---- IIN and BIN checks ----
solve_captcha
check_num() {  # KIND NUMBER
	printf '{"%s":"%s","captcha_id":"%s","captcha_answer":"%s"}' "$1" "$2" "$CAP_ID" "$CAP_ANS" >"$T/b"
	api POST "/api/v1/checks/$1" "$T/b"
}
check_num iin "$IND_IIN"
expect_api 200 "" "IIN in the registry"
out=$(printf '%s' "$body" | jq -r .full_name)
expect_match '^ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ$'
check_num iin "$BAD_IIN"
expect_api 422 iin_checksum "IIN with a bad check digit"
check_num iin "$NOT_REG_IIN"
expect_api 404 iin_not_found "valid IIN not in the registry"
check_num bin "$ALTYN_BIN"
expect_api 200 "" "BIN in the registry"
out=$(printf '%s' "$body" | jq -r '.name, .head.full_name')
expect_match '^ЖШС "Алтын Дала"$'
expect_match '^ӘБІЛҚАЙЫР ЕРЛАН'
check_num bin "$NOT_REG_BIN"
expect_api 404 bin_not_found "valid BIN not in the registry"
check_num bin "$ALTYN_BIN"
expect_api 403 captcha_used "fifth registry check on one captcha"
solve_captcha
check_num bin 060340138015
expect_api 422 bin_checksum "BIN with a bad check digit"

# ---- submissions ----
new_csr a1; new_csr s1
solve_captcha
app_json "$T/app1.json" individual "$IND_IIN" "" pkcs12 a1 s1 "$(cap)"
api POST /api/v1/applications "$T/app1.json"
expect_api 201 "" "individual application"
N1=$(printf '%s' "$body" | jq -r .number)
TOK1=$(printf '%s' "$body" | jq -r .access_token)
check "application number is 12 digits" expr "$N1" : '[1-9][0-9]\{11\}$'
out=$("$top_builddir/qoltanba" idcheck "$N1" 2>&1 || true)
# Reusing the spent captcha fails before anything is written.
new_csr a2; new_csr s2
app_json "$T/app2.json" individual "$OTHER_IIN" "" pkcs12 a2 s2 "$(cap)"
api POST /api/v1/applications "$T/app2.json"
expect_api 403 captcha_used "reused captcha"

apps_before=$(db "SELECT count(*) FROM application")
keys_before=$(db "SELECT count(*) FROM app_key")
bad_submit() {  # STATUS CODE DESCRIPTION FILE
	api POST /api/v1/applications "$4"
	expect_api "$1" "$2" "$3"
}
solve_captcha
printf '{"subject_type": "individual", "iin": ' >"$T/bad"
bad_submit 400 malformed_json "truncated JSON" "$T/bad"
printf '{"a":1} x' >"$T/bad"
bad_submit 400 malformed_json "JSON with trailing garbage" "$T/bad"
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/big"
bad_submit 413 body_too_large "70 KB body" "$T/big"
printf '[1,2]' >"$T/bad"
bad_submit 400 wrong_type "array body" "$T/bad"
jq '.iin = 850314372249' "$T/app2.json" >"$T/bad"
bad_submit 400 wrong_type "IIN as a number" "$T/bad"
jq '.admin = true' "$T/app2.json" >"$T/bad"
bad_submit 400 unknown_field "unknown field" "$T/bad"
jq 'del(.sign_csr)' "$T/app2.json" >"$T/bad"
bad_submit 400 missing_field "missing sign_csr" "$T/bad"
jq ".iin = \"$BAD_IIN\"" "$T/app2.json" >"$T/bad"
bad_submit 422 iin_checksum "IIN checksum" "$T/bad"
jq '.region = "KZ-99"' "$T/app2.json" >"$T/bad"
bad_submit 400 unknown_region "unknown region" "$T/bad"
jq '.city = "Paris"' "$T/app2.json" >"$T/bad"
bad_submit 400 unknown_city "city of another region" "$T/bad"
jq '.email = "not an address"' "$T/app2.json" >"$T/bad"
bad_submit 400 invalid_email "bad e-mail" "$T/bad"
jq ".subject_type = \"chairman\" | .bin = \"060340138015\"" "$T/app2.json" >"$T/bad"
bad_submit 422 bin_checksum "BIN checksum" "$T/bad"
jq ".subject_type = \"employee\"" "$T/app2.json" >"$T/bad"
bad_submit 400 bin_required "legal entity without BIN" "$T/bad"
code=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: text/plain' \
	--data-binary @"$T/app2.json" "$PD_URL/api/v1/applications"); body=$(cat "$T/body")
expect_api 415 unsupported_media_type "text/plain body"
new_csr weak rsa:1024
app_json "$T/bad" individual "$OTHER_IIN" "" pkcs12 weak s2 "$(cap)"
bad_submit 422 weak_key "RSA-1024 request" "$T/bad"
# A request whose signature does not verify: flip a bit of the signature.
openssl req -in "$T/a2.csr" -outform DER -out "$T/t.der"
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[-5]^=1; open(sys.argv[1],"wb").write(d)' "$T/t.der"
openssl req -inform DER -in "$T/t.der" -out "$T/tampered.csr" 2>/dev/null ||
	{ printf -- '-----BEGIN CERTIFICATE REQUEST-----\n'; base64 "$T/t.der"; printf -- '-----END CERTIFICATE REQUEST-----\n'; } >"$T/tampered.csr"
app_json "$T/bad" individual "$OTHER_IIN" "" pkcs12 tampered s2 "$(cap)"
bad_submit 422 csr_bad_signature "request with a broken signature" "$T/bad"
app_json "$T/bad" individual "$OTHER_IIN" "" pkcs12 a1 s2 "$(cap)"
bad_submit 409 key_reused "key of another application" "$T/bad"
app_json "$T/bad" individual "$OTHER_IIN" "" pkcs12 a2 a2 "$(cap)"
bad_submit 422 same_key "same key for AUTH and SIGN" "$T/bad"
printf 'junk' >"$T/junk.csr"
app_json "$T/bad" individual "$OTHER_IIN" "" pkcs12 junk s2 "$(cap)"
bad_submit 400 bad_csr "request that is not PEM" "$T/bad"
check "bad input left no application behind" test "$(db 'SELECT count(*) FROM application')" = "$apps_before"
check "bad input left no key claim behind" test "$(db 'SELECT count(*) FROM app_key')" = "$keys_before"
# The captcha survived all that (nothing was consumed by failures
# before the registry step), so a good submission still works.
app_json "$T/app2.json" individual "$OTHER_IIN" "" pkcs12 a2 s2 "$(cap)"
api POST /api/v1/applications "$T/app2.json"
expect_api 201 "" "second individual application"
N2=$(printf '%s' "$body" | jq -r .number)

# Requests made by the engine (qt_keygen EC P-256 + qt_csr_create, with the
# key-storage extension and subjectAltName) are accepted as well.
if [ -x "$top_builddir/bench/pd-bodies" ]; then
	solve_captcha
	"$top_builddir/bench/pd-bodies" 1 "$OTHER_IIN" | jq -c ". + $(cap)" >"$T/engine.json"
	api POST /api/v1/applications "$T/engine.json"
	expect_api 201 "" "application with engine-made requests"
	solve_captcha
	"$top_builddir/bench/pd-bodies" 1 "$OTHER_IIN" | jq -c ". + $(cap) | .storage = \"kaztoken\"" >"$T/bad"
	api POST /api/v1/applications "$T/bad"
	expect_api 422 storage_mismatch "requests made for a file, application for a token"
fi

# Idempotent submission: the same key and body give the same answer
# again (without a captcha), the same key with other requests does not.
new_csr a6; new_csr s6
solve_captcha
app_json "$T/app6.json" individual "$OTHER_IIN" "" pkcs12 a6 s6 "$(cap)"
IK=qt-test-idempotency-key-0001
api POST /api/v1/applications "$T/app6.json" -H "Idempotency-Key: $IK"
expect_api 201 "" "submission with an Idempotency-Key"
N6=$(printf '%s' "$body" | jq -r .number); TOK6=$(printf '%s' "$body" | jq -r .access_token)
jq 'del(.captcha_id, .captcha_answer)' "$T/app6.json" >"$T/app6b.json"
api POST /api/v1/applications "$T/app6b.json" -H "Idempotency-Key: $IK"
expect_api 200 "" "the same submission again"
out=$(printf '%s' "$body" | jq -r '"\(.number) \(.access_token) \(.replayed)"')
expect_match "^$N6 $TOK6 true\$"
check "one application for the two submissions" \
	test "$(db "SELECT count(*) FROM application WHERE iin='$OTHER_IIN' AND auth_csr=(SELECT auth_csr FROM application WHERE number='$N6')")" -eq 1
check "the token is not in the database" sh -c "! sqlite3 '$PD_DIR/qoltanbad.db' .dump | grep -qF -- '$TOK6'"
app_json "$T/bad" individual "$OTHER_IIN" "" pkcs12 a2 s2
api POST /api/v1/applications "$T/bad" -H "Idempotency-Key: $IK"
expect_api 422 idempotency_key_reused "the key with other requests"
api POST /api/v1/applications "$T/app6b.json" -H "Idempotency-Key: short"
expect_api 400 invalid_value "a malformed Idempotency-Key"

# Legal entity, first head, on a Kaztoken; and a would-be head who is not.
new_csr a3; new_csr s3
solve_captcha
app_json "$T/app3.json" chairman "$HEAD_IIN" "$ALTYN_BIN" kaztoken a3 s3 "$(cap)"
api POST /api/v1/applications "$T/app3.json"
expect_api 201 "" "chairman application"
N3=$(printf '%s' "$body" | jq -r .number); TOK3=$(printf '%s' "$body" | jq -r .access_token)
new_csr a4; new_csr s4
solve_captcha
app_json "$T/app4.json" chairman "$OTHER_IIN" "$ALTYN_BIN" pkcs12 a4 s4 "$(cap)"
api POST /api/v1/applications "$T/app4.json"
expect_api 422 not_head "chairman who is not the head"
app_json "$T/app4.json" signing_right "$NOT_REG_IIN" "$ALTYN_BIN" pkcs12 a4 s4 "$(cap)"
api POST /api/v1/applications "$T/app4.json"
expect_api 404 iin_not_found "application for an IIN outside the registry"
app_json "$T/app4.json" signing_right "$OTHER_IIN" "$NOT_REG_BIN" pkcs12 a4 s4 "$(cap)"
api POST /api/v1/applications "$T/app4.json"
expect_api 404 bin_not_found "application for a BIN outside the registry"

# A captcha kept for later, to be used after its 5 minutes.
solve_captcha
OLD_CAP_ID=$CAP_ID; OLD_CAP_ANS=$CAP_ANS

# ---- rate limit on captchas (12 per minute in this portal) ----
i=0; limited=no
while [ $i -lt 14 ]; do
	api POST /api/v1/captcha ""
	[ "$code" = 429 ] && { limited=yes; break; }
	i=$((i + 1))
done
check "captcha requests are rate-limited" test "$limited" = yes
expect_api 429 rate_limited "captcha over the limit"

# ---- one daemon per data folder ----
expect_exit 1 "$QOLTANBAD" --data "$PD_DIR" --listen "127.0.0.1:$(pd_free_port)"
expect_match 'another qoltanbad is serving'

# ---- status: number plus proof ----
api GET "/api/v1/applications/$N1" "" -H "X-Access-Token: $TOK1"
expect_api 200 "" "status with the token"
out=$(printf '%s' "$body" | jq -r .status)
expect_match '^pending$'
api GET "/api/v1/applications/$N1" ""
expect_api 401 token_required "status without a token"
api GET "/api/v1/applications/$N1" "" -H "X-Access-Token: $TOK3"
expect_api 404 application_not_found "status with another application's token"
api GET "/api/v1/applications/123456789012" "" -H "X-Access-Token: $TOK1"
expect_api 404 application_not_found "unknown number"
api GET "/api/v1/applications/$N1/certificates" "" -H "X-Access-Token: $TOK1"
expect_api 409 not_issued "certificates before approval"
api DELETE "/api/v1/applications/$N1" ""
expect_api 405 method_not_allowed "DELETE"
api GET /api/v1/nothing ""
expect_api 404 not_found "unknown path"

# ---- RA operator: sign-in by signature ----
printf 'Operator1pass\n' >"$T/oppw"
expect_exit 0 "$QOLTANBAD" operator add --data "$PD_DIR" --name "ТЕСТОВ ОПЕРАТОР" \
	--iin "$OTHER_IIN" --out "$T/op.p12" --password-file "$T/oppw"
check "operator key store is private" test "$(stat -c %a "$T/op.p12")" = 600
openssl pkcs12 -in "$T/op.p12" -passin file:"$T/oppw" -nocerts -nodes -out "$T/op.key" 2>/dev/null
openssl pkcs12 -in "$T/op.p12" -passin file:"$T/oppw" -clcerts -nokeys -out "$T/op.crt" 2>/dev/null
check "operator key store opens with its password" test -s "$T/op.key"
# The engine reads the operator's key store too.
out=$("$top_builddir/qoltanba" inspect --password-file "$T/oppw" "$T/op.p12" 2>&1 || true)
expect_match 'Owner: +ҚҰРМАНҒАЛИ АЙГҮЛ'
expect_match 'RSA 2048 \(can sign\)'

api GET /api/v1/ra/applications ""
expect_api 401 unauthorized "operator list without a session"
api GET /api/v1/ra/applications "" -H "Authorization: Bearer forged"
expect_api 401 unauthorized "operator list with a forged token"
api POST "/api/v1/ra/applications/$N1/approve" ""
expect_api 401 unauthorized "approval without a session"

# A stranger's key and certificate are refused.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/x.key" -subj /CN=x -days 2 -out "$T/x.crt" 2>/dev/null
signin "$T/x.key" "$T/x.crt"
expect_api 401 operator_unknown "sign-in with an unregistered certificate"
# The operator's certificate with another key.
signin "$T/x.key" "$T/op.crt"
expect_api 401 signature_invalid "sign-in with the wrong key"
signin "$T/op.key" "$T/op.crt"
expect_api 201 "" "operator sign-in"
api POST /api/v1/ra/session "$T/sess"
expect_api 401 challenge_invalid "replayed challenge"
AUTH="Authorization: Bearer $OPTOK"

api GET /api/v1/ra/applications "" -H "$AUTH"
expect_api 200 "" "pending list"
out=$(printf '%s' "$body" | jq -r '.applications[].number')
expect_match "^$N1\$"
expect_match "^$N3\$"
api GET "/api/v1/ra/applications?q=$ALTYN_BIN&status=all" "" -H "$AUTH"
out=$(printf '%s' "$body" | jq -r '.applications[].number')
expect_match "^$N3\$"
api GET "/api/v1/ra/applications/$N3" "" -H "$AUTH"
expect_api 200 "" "operator view"
out=$(printf '%s' "$body" | jq -r '.registry.entity.name, .audit[0].action')
expect_match '^ЖШС "Алтын Дала"$'
expect_match '^submit$'

api POST "/api/v1/ra/applications/$N1/approve" "" -H "$AUTH"
expect_api 200 "" "approval"
out=$(printf '%s' "$body" | jq -r .status)
expect_match '^issued$'
api POST "/api/v1/ra/applications/$N1/approve" "" -H "$AUTH"
expect_api 409 already_decided "second approval"
check "one AUTH and one SIGN certificate" test "$(db "SELECT count(*) FROM certificate WHERE number='$N1'")" = 2
api POST "/api/v1/ra/applications/999999999999/approve" "" -H "$AUTH"
expect_api 404 application_not_found "approval of an unknown number"
printf '{}' >"$T/b"
api POST "/api/v1/ra/applications/$N2/reject" "$T/b" -H "$AUTH"
expect_api 400 missing_field "rejection without a reason"
printf '{"reason":"Документы не представлены"}' >"$T/b"
api POST "/api/v1/ra/applications/$N2/reject" "$T/b" -H "$AUTH"
expect_api 200 "" "rejection"
api POST "/api/v1/ra/applications/$N2/approve" "" -H "$AUTH"
expect_api 409 already_decided "approval after rejection"
expect_exit 0 "$QOLTANBAD" ra approve "$N3" --data "$PD_DIR"
expect_match "approved"

# ---- issued certificates: chain, CRL, profile ----
api GET "/api/v1/applications/$N1/certificates" "" -H "X-Access-Token: $TOK1"
expect_api 200 "" "certificates of the holder"
printf '%s' "$body" | jq -r '.certificates[] | select(.purpose=="auth") | .pem' >"$T/auth1.pem"
printf '%s' "$body" | jq -r '.certificates[] | select(.purpose=="sign") | .pem' >"$T/sign1.pem"
NONCE1=$(printf '%s' "$body" | jq -r .install_nonce)
curl -fs "$PD_URL/api/v1/ca/chain.pem" >"$T/chain.pem"
curl -fs "$PD_URL/crl/qoltanbad.crl" | openssl crl -inform DER -out "$T/crl.pem"
curl -fs "$PD_URL/crl/qoltanbad-root.crl" | openssl crl -inform DER -out "$T/rootcrl.pem"
cat "$T/crl.pem" "$T/rootcrl.pem" >"$T/crls.pem"
expect_exit 0 openssl verify -crl_check_all -CAfile "$T/chain.pem" -CRLfile "$T/crls.pem" \
	"$T/auth1.pem" "$T/sign1.pem"
check "AUTH carries the applicant's key" sh -c "openssl x509 -in '$T/auth1.pem' -noout -pubkey | cmp -s - '$T/a1.pub' || \
	{ openssl pkey -in '$T/a1.key' -pubout >'$T/a1.pub'; openssl x509 -in '$T/auth1.pem' -noout -pubkey | cmp -s - '$T/a1.pub'; }"
out=$(openssl x509 -in "$T/auth1.pem" -noout -subject -nameopt RFC2253,utf8 -nameopt -esc_msb)
# RFC 2253 lists the RDNs last first: G, C, SERIALNUMBER, SURNAME, CN.
expect_match 'GN=ҚАЙРАТҰЛЫ,C=KZ,serialNumber=IIN850314372249,SN=ӘБІЛҚАЙЫР,CN=ӘБІЛҚАЙЫР ЕРЛАН'
out=$(openssl asn1parse -in "$T/auth1.pem" 2>/dev/null | grep -A1 -E 'serialNumber|countryName|commonName' | head -12)
expect_match 'PRINTABLESTRING +:IIN850314372249'
expect_match 'PRINTABLESTRING +:KZ'
expect_match 'UTF8STRING'
out=$(openssl x509 -in "$T/auth1.pem" -noout -text)
expect_match 'Key Usage: critical'
expect_match 'Digital Signature, Key Encipherment'
expect_match 'TLS Web Client Authentication, 1\.2\.398\.3\.3\.4\.1\.1'
expect_match 'Policy: 1\.2\.398\.3\.3\.2\.4'
expect_match 'CPS: http://127\.0\.0\.1:'
expect_match 'Subject Key Identifier'
expect_match 'Authority Key Identifier'
expect_match "CA Issuers - URI:$PD_URL/ca/chain.p7c"
expect_match "OCSP - URI:$PD_URL/ocsp"
expect_match "URI:$PD_URL/crl/qoltanbad.crl"
expect_match 'email:test@example.kz'
serial=$(openssl x509 -in "$T/auth1.pem" -noout -serial | cut -d= -f2)
check "serial is 20 bytes" test ${#serial} -eq 40
days=$(( ($(date -d "$(openssl x509 -in "$T/auth1.pem" -noout -enddate | cut -d= -f2)" +%s) - \
	$(date -d "$(openssl x509 -in "$T/auth1.pem" -noout -startdate | cut -d= -f2)" +%s)) / 86400 ))
check "file storage: 1 year ($days days)" test "$days" -eq 365
out=$(openssl x509 -in "$T/sign1.pem" -noout -text)
expect_match 'Digital Signature, Non Repudiation'
expect_match 'E-mail Protection, 1\.2\.398\.3\.3\.4\.1\.1'
expect_match 'Policy: 1\.2\.398\.3\.3\.2\.3'
# The chairman's certificates: organisation from the registry, token term.
api GET "/api/v1/applications/$N3/certificates" "" -H "X-Access-Token: $TOK3"
printf '%s' "$body" | jq -r '.certificates[] | select(.purpose=="sign") | .pem' >"$T/sign3.pem"
out=$(openssl x509 -in "$T/sign3.pem" -noout -subject -nameopt RFC2253,utf8 -nameopt -esc_msb)
expect_match 'GN=ҚАЙРАТҰЛЫ,OU=BIN060340138014,O=ЖШС \\"Алтын Дала\\",C=KZ,serialNumber=IIN850314372249'
out=$(openssl x509 -in "$T/sign3.pem" -noout -text)
expect_match 'E-mail Protection, 1\.2\.398\.3\.3\.4\.1\.2, 1\.2\.398\.3\.3\.4\.1\.2\.1'
expect_match 'Policy: 1\.2\.398\.3\.3\.2\.1'
days=$(( ($(date -d "$(openssl x509 -in "$T/sign3.pem" -noout -enddate | cut -d= -f2)" +%s) - \
	$(date -d "$(openssl x509 -in "$T/sign3.pem" -noout -startdate | cut -d= -f2)" +%s)) / 86400 ))
check "token storage: 3 years ($days days)" test "$days" -eq 1095

# The engine reads what the portal issued as NCA's profile says.
out=$("$top_builddir/qoltanba" inspect "$T/sign3.pem" 2>&1 || true)
expect_match 'Purpose: +signing \(SIGN\)|Purpose: +sign'
expect_match 'BIN: +060340138014'
expect_match 'first head|chairman'
expect_match 'Key storage: +Kaztoken'

# ---- installation with proof of possession ----
printf 'qoltanbad-install:%s:%s' "$N1" "$NONCE1" >"$T/msg"
asig=$(openssl dgst -sha256 -sign "$T/a1.key" "$T/msg" | base64 -w0)
ssig=$(openssl dgst -sha256 -sign "$T/s1.key" "$T/msg" | base64 -w0)
printf '{"auth_signature":"%s","sign_signature":"%s"}' "$ssig" "$asig" >"$T/b"
api POST "/api/v1/applications/$N1/install" "$T/b" -H "X-Access-Token: $TOK1"
expect_api 422 proof_invalid "install with the keys swapped"
printf '{"auth_signature":"%s","sign_signature":"%s"}' "$asig" "$ssig" >"$T/b"
api POST "/api/v1/applications/$N1/install" "$T/b"
expect_api 401 token_required "install without the token"
api POST "/api/v1/applications/$N1/install" "$T/b" -H "X-Access-Token: $TOK1"
expect_api 200 "" "install with proof of possession"
api POST "/api/v1/applications/$N1/install" "$T/b" -H "X-Access-Token: $TOK1"
expect_api 409 already_installed "second install"
api GET "/api/v1/applications/$N1" "" -H "X-Access-Token: $TOK1"
out=$(printf '%s' "$body" | jq -r .status_text)
expect_match '^Certificates installed$'

# ---- revocation: CRL and OCSP follow ----
printf '{"reason":"bogus"}' >"$T/b"
api POST "/api/v1/ra/certificates/$(echo "$serial" | tr A-F a-f)/revoke" "$T/b" -H "$AUTH"
expect_api 400 invalid_reason "unknown revocation reason"
printf '{"reason":"key_compromise"}' >"$T/b"
api POST "/api/v1/ra/certificates/$(echo "$serial" | tr A-F a-f)/revoke" "$T/b"
expect_api 401 unauthorized "revocation without a session"
api POST "/api/v1/ra/certificates/$(echo "$serial" | tr A-F a-f)/revoke" "$T/b" -H "$AUTH"
expect_api 200 "" "revocation"
api POST "/api/v1/ra/certificates/$(echo "$serial" | tr A-F a-f)/revoke" "$T/b" -H "$AUTH"
expect_api 409 already_revoked "second revocation"
api POST "/api/v1/ra/certificates/00/revoke" "$T/b" -H "$AUTH"
expect_api 404 certificate_not_found "revocation of an unknown serial"
curl -fs "$PD_URL/crl/qoltanbad.crl" | openssl crl -inform DER -out "$T/crl.pem"
out=$(openssl crl -in "$T/crl.pem" -noout -text)
expect_match "Serial Number: $serial"
expect_match 'Key Compromise'
cat "$T/crl.pem" "$T/rootcrl.pem" >"$T/crls.pem"
expect_exit 2 openssl verify -crl_check -CAfile "$T/chain.pem" -CRLfile "$T/crls.pem" "$T/auth1.pem"
expect_match 'certificate revoked'
expect_exit 0 openssl verify -crl_check -CAfile "$T/chain.pem" -CRLfile "$T/crls.pem" "$T/sign1.pem"
openssl x509 -in "$T/chain.pem" -out "$T/issuing.pem"
out=$(openssl ocsp -issuer "$T/issuing.pem" -cert "$T/auth1.pem" -cert "$T/sign1.pem" \
	-url "$PD_URL/ocsp" -CAfile "$T/chain.pem" 2>&1 || true)
expect_match 'auth1.pem: revoked'
expect_match 'sign1.pem: good'

# ---- the holder revokes their own certificates, proving the AUTH key ----
printf 'qoltanbad-revoke:%s' "$N3" >"$T/msg"
rsig=$(openssl dgst -sha256 -sign "$T/a3.key" "$T/msg" | base64 -w0)
wsig=$(openssl dgst -sha256 -sign "$T/s3.key" "$T/msg" | base64 -w0)
printf '{"reason":"superseded","auth_signature":"%s"}' "$wsig" >"$T/b"
api POST "/api/v1/applications/$N3/revoke" "$T/b" -H "X-Access-Token: $TOK3"
expect_api 422 proof_invalid "holder revocation signed with the SIGN key"
printf '{"reason":"superseded","auth_signature":"%s"}' "$rsig" >"$T/b"
api POST "/api/v1/applications/$N3/revoke" "$T/b"
expect_api 401 token_required "holder revocation without the token"
api POST "/api/v1/applications/$N3/revoke" "$T/b" -H "X-Access-Token: $TOK3"
expect_api 200 "" "holder revocation"
out=$(printf '%s' "$body" | jq -r .revoked)
expect_match '^2$'
api POST "/api/v1/applications/$N3/revoke" "$T/b" -H "X-Access-Token: $TOK3"
expect_api 409 already_revoked "second holder revocation"
serial3=$(openssl x509 -in "$T/sign3.pem" -noout -serial | cut -d= -f2)
curl -fs "$PD_URL/crl/qoltanbad.crl" | openssl crl -inform DER -noout -text >"$T/crl.txt"
check "the CRL lists the holder's SIGN certificate" grep -q "Serial Number: $serial3" "$T/crl.txt"
check "with reason Superseded" grep -q "Superseded" "$T/crl.txt"

# ---- the audit log is append-only ----
api GET "/api/v1/ra/audit?limit=50" "" -H "$AUTH"
out=$(printf '%s' "$body" | jq -r '.entries[].action' | sort -u | tr '\n' ' ')
expect_match 'approve .*install .*login .*reject .*revoke .*submit'
out=$(printf '%s' "$body" | jq -r '.entries[] | select(.action=="revoke") | .actor' | sort -u | tr '\n' ' ')
expect_match 'holder'
expect_match 'operator:ТЕСТОВ ОПЕРАТОР'
naudit=$(db "SELECT count(*) FROM audit")
out=$(db "UPDATE audit SET actor='x'" 2>&1 || true)
expect_match 'append-only'
out=$(db "DELETE FROM audit" 2>&1 || true)
expect_match 'append-only'
check "audit log unchanged" test "$(db "SELECT count(*) FROM audit WHERE actor='x'")" -eq 0 -a \
	"$(db "SELECT count(*) FROM audit")" -eq "$naudit"

# ---- clean shutdown, then 31 days later ----
pd_stop
check "SIGTERM: exit status 0 (got $PD_STATUS)" test "$PD_STATUS" -eq 0
check "stop is logged" grep -q 'event=stop msg=stopped' "$T/daemon.log"
check "log lines never hold tokens" sh -c "! grep -F -e '$TOK1' -e '$OPTOK' '$T/daemon.log'"
new_csr a5; new_csr s5
pd_start --test-clock-offset 600
printf '{"iin":"%s","captcha_id":"%s","captcha_answer":"%s"}' "$IND_IIN" "$OLD_CAP_ID" "$OLD_CAP_ANS" >"$T/b"
api POST /api/v1/checks/iin "$T/b"
expect_api 403 captcha_expired "captcha used after its 5 minutes"
pd_stop
pd_start --test-clock-offset $((31 * 86400))
api GET "/api/v1/applications/$N1" "" -H "X-Access-Token: $TOK1"
out=$(printf '%s' "$body" | jq -r .status)
expect_match '^installed$'
pd_stop

# A pending application cancelled by the deadline cannot be approved.
pd_start
solve_captcha
app_json "$T/app5.json" individual "$IND_IIN" "" pkcs12 a5 s5 "$(cap)"
api POST /api/v1/applications "$T/app5.json"
expect_api 201 "" "application to let expire"
N5=$(printf '%s' "$body" | jq -r .number); TOK5=$(printf '%s' "$body" | jq -r .access_token)
pd_stop
pd_start --test-clock-offset $((31 * 86400))
api GET "/api/v1/applications/$N5" "" -H "X-Access-Token: $TOK5"
out=$(printf '%s' "$body" | jq -r .status)
expect_match '^cancelled$'
check "stale applications are cancelled at start" grep -q 'event=cancel' "$T/daemon.log"
check "cancelled in the database" test "$(db "SELECT status FROM application WHERE number='$N5'")" -eq 4
expect_exit 1 "$QOLTANBAD" ra approve "$N5" --data "$PD_DIR"
expect_match 'application_cancelled'
expect_exit 1 "$QOLTANBAD" ra reject "$N5" --reason "late" --data "$PD_DIR"
expect_match 'application_cancelled'
expect_exit 2 "$QOLTANBAD" ra reject "$N5" --data "$PD_DIR"
expect_exit 0 "$QOLTANBAD" ra list --status all --data "$PD_DIR"
expect_match "^$N3 +issued +chairman +$HEAD_IIN +$ALTYN_BIN"
expect_match "^$N5 +cancelled +individual"
expect_match "^$N2 +rejected"
pd_stop
expect_exit 2 "$QOLTANBAD" --data "$PD_DIR" --test-clock-offset abc

# ---- plain HTTP only on loopback; HTTPS with a configured certificate ----
expect_exit 1 "$QOLTANBAD" --data "$PD_DIR" --listen "0.0.0.0:$PD_PORT"
expect_match 'plain HTTP'
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
printf 'tls_cert = %s\ntls_key = %s\n' "$T/tls.crt" "$T/tls.key" >>"$PD_DIR/qoltanbad.conf"
"$QOLTANBAD" --data "$PD_DIR" >>"$T/daemon.log" 2>&1 &
PD_PID=$!
i=0
until curl -fs --cacert "$T/tls.crt" "https://127.0.0.1:$PD_PORT/api/v1/health" >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] && kill -0 "$PD_PID" 2>/dev/null || break; sleep 0.1
done
out=$(curl -s --cacert "$T/tls.crt" "https://127.0.0.1:$PD_PORT/api/v1/catalog" | jq -r '.regions | length')
expect_match '^20$'
out=$(curl -s "http://127.0.0.1:$PD_PORT/api/v1/health" 2>&1 || true)
check "plain HTTP is not answered on the HTTPS port" sh -c "! printf '%s' '$out' | grep -q ok"
pd_stop

finish
