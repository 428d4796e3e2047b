#!/bin/sh
# qoltanba account against a real qoltanbad on loopback, with keys from
# real applications made by qoltanba apply / ra approve / install:
# keys (table, --json, --csv), revocation (the list, openssl verify
# -crl_check), an employee's re-issuance held until the first head
# approves it (approval by the employee refused), then installed with
# qoltanba install; nobody touches another's keys; a session that
# expires in the middle renewed by signing in again; an expired key
# refused with a pointer to a new application.
. "$(dirname "$0")/lib.sh"

QOLTANBAD=$top_builddir/qoltanbad
[ -x "$QOLTANBAD" ] || skip "qoltanbad not built"
command -v openssl >/dev/null || skip "openssl CLI not installed"
command -v jq >/dev/null || skip "jq is not installed"
[ -x "$top_builddir/tests/test_account" ] || skip "tests/test_account not built"

A_IIN=850314372249; ALTYN_BIN=060340138014; E_IIN=781105372291; B_IIN=900722433036
printf 'Qwerty12\n' >"$T/pw"
D=$T/portal
"$QOLTANBAD" init --data "$D" --test-mode --no-captcha >"$T/pd.log" 2>&1
"$QOLTANBAD" registry import --data "$D" --individuals "$top_srcdir/data/demo-individuals.csv" \
	--entities "$top_srcdir/data/demo-entities.csv" >>"$T/pd.log" 2>&1
PID=
serve() {  # serve [serve options]: keeps its port across restarts
	port=0
	[ -s "$T/port" ] && port=$(cat "$T/port")
	rm -f "$T/port"
	"$QOLTANBAD" serve --data "$D" --listen 127.0.0.1:$port --port-file "$T/port" "$@" \
		>>"$T/pd.log" 2>&1 &
	PID=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$T/port" ] || { cat "$T/pd.log"; fail "qoltanbad did not start"; exit 1; }
	P=http://127.0.0.1:$(cat "$T/port")
}
stop() { kill "$PID"; wait "$PID" || true; PID=; }
check() {  # check DESCRIPTION CMD...
	d=$1; shift
	checks=$((checks + 1))
	"$@" >/dev/null 2>&1 || fail "$d"
}
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null; rm -rf "$T"' EXIT
serve

# keys NAME SUBJECT IIN [BIN]: apply, RA approval, install into $T/NAME;
# $T/NAME.auth is the AUTH key file.
keys() {
	printf '{"subject":"%s","iin":"%s",%s"email":"%s@example.kz","region":"KZ-75","city":"Almaty","storage":"pc","folder":"%s"}\n' \
		"$2" "$3" "${4:+\"bin\":\"$4\",}" "$1" "$T/$1" >"$T/$1.json"
	"$QOLTANBA" apply --batch "$T/$1.json" --portal "$P" --password-file "$T/pw" --json \
		>"$T/$1.out" 2>&1 || { cat "$T/$1.out"; fail "apply $1"; return; }
	n=$(tail -1 "$T/$1.out" | jq -r .number)
	"$QOLTANBAD" ra approve "$n" --data "$D" >/dev/null 2>&1 || fail "approve $1"
	"$QOLTANBA" install "$n" --keys "$T/$1" --password-file "$T/pw" --portal "$P" \
		>>"$T/$1.out" 2>&1 || { cat "$T/$1.out"; fail "install $1"; }
	ls "$T/$1"/AUTH_RSA256_*.p12 >"$T/$1.auth"
}
acct() {  # acct NAME SUB [ARGS]: qoltanba account as NAME
	who=$1; shift
	"$QOLTANBA" account "$@" --key "$(cat "$T/$who.auth")" --password-file "$T/pw" --portal "$P"
}
keys a individual "$A_IIN"
keys ach chairman "$A_IIN" "$ALTYN_BIN"
keys e employee "$E_IIN" "$ALTYN_BIN"
keys b individual "$B_IIN"

# ---- keys ----
expect_exit 0 acct a keys --json
expect_match '"count":4'
A_SIGN=$(printf '%s' "$out" | grep '^{' | jq -r '.keys[] | select(.purpose=="sign" and .subject_type=="individual") | .serial')
A_AUTH=$(printf '%s' "$out" | grep '^{' | jq -r '.keys[] | select(.purpose=="auth" and .subject_type=="individual") | .serial')
check "serials listed" test -n "$A_SIGN"
expect_exit 0 acct a keys
expect_match "^$A_SIGN +sign +valid +[0-9]{12} +individual +pkcs12 "
expect_match " chairman +pkcs12 "
expect_exit 0 acct a keys --csv "$T/keys.csv"
check "CSV report with 4 keys" test "$(grep -c . "$T/keys.csv")" -eq 5
check "CSV header" grep -q '^serial,purpose,status,application' "$T/keys.csv"

# ---- revocation ----
expect_exit 64 acct a revoke "$A_SIGN" --reason bogus
expect_match 'must be one of'
expect_exit 1 acct b revoke "$A_SIGN" --reason key_compromise
expect_match 'no certificate|certificate_not_found'
expect_exit 0 acct a revoke "$A_SIGN" --reason key_compromise
expect_match 'revoked'
expect_exit 1 acct a revoke "$A_SIGN" --reason key_compromise
expect_match 'already_revoked'
expect_exit 0 acct a keys --json
check "revoked in the list" test "$(printf '%s' "$out" | grep '^{' | jq -r ".keys[] | select(.serial==\"$A_SIGN\") | .status")" = revoked
curl -s "$P/api/v1/ca/chain.pem" >"$T/chain.pem"
curl -s "$P/crl/qoltanbad.crl" | openssl crl -inform DER >"$T/crls.pem"
curl -s "$P/crl/qoltanbad-root.crl" | openssl crl -inform DER >>"$T/crls.pem"
openssl pkcs12 -in "$(ls "$T"/a/RSA256_*.p12 | head -1)" -passin file:"$T/pw" -nokeys -clcerts \
	-out "$T/a-sign.pem" 2>/dev/null || openssl pkcs12 -legacy -in "$(ls "$T"/a/RSA256_*.p12 | head -1)" \
	-passin file:"$T/pw" -nokeys -clcerts -out "$T/a-sign.pem"
expect_exit 2 openssl verify -crl_check_all -CAfile "$T/chain.pem" -CRLfile "$T/crls.pem" "$T/a-sign.pem"
expect_match 'certificate revoked'

# ---- profile ----
expect_exit 0 acct a profile --language ru --notify-email off --json
expect_match '"language":"ru"'
expect_match '"notify_email":false'
expect_exit 64 acct a profile --notify-sms maybe

# ---- an employee's re-issuance waits for the first head ----
expect_exit 0 acct e reissue --folder "$T/e2" --new-password-file "$T/pw" --json
EN=$(printf '%s' "$out" | grep '^{' | jq -r .number)
expect_match '"approval":"awaiting_head"'
expect_match '"status":"submitted"'
expect_exit 1 "$QOLTANBA" install "$EN" --keys "$T/e2" --password-file "$T/pw" --portal "$P"
expect_exit 1 acct e approvals approve "$EN"
expect_match 'not_head'
expect_exit 1 acct a approvals
expect_match 'not_head'
expect_exit 0 acct ach approvals --json
expect_match "\"number\":\"$EN\""
expect_match '"full_name":"НҰРЛАНОВ ДӘУРЕН'
expect_exit 0 acct ach approvals approve "$EN"
expect_match "$EN: issued"
expect_exit 0 "$QOLTANBA" install "$EN" --keys "$T/e2" --password-file "$T/pw" --portal "$P"
ls "$T/e2"/AUTH_RSA256_*.p12 >"$T/e2.auth" 2>/dev/null || fail "no re-issued key file"
expect_exit 0 acct e2 requests --json
expect_match "\"number\":\"$EN\",\"status\":\"installed\""
expect_match '"approval":"approved"'

# ---- a re-issuance cut short after its keys were made is sent by --resume ----
set +e
QT_TEST_CRASH_AT=enroll_generated "$QOLTANBA" account reissue --folder "$T/b2" \
	--new-password-file "$T/pw" --key "$(cat "$T/b.auth")" --password-file "$T/pw" \
	--portal "$P" >"$T/crash.out" 2>&1
crash=$?
set -e
check "the re-issuance was cut short" test "$crash" -ne 0
check "its new keys were kept" sh -c "ls '$T'/b2/PENDING_AUTH_*.key"
expect_exit 0 acct b requests --json
BEFORE=$(printf '%s' "$out" | grep '^{' | jq .count)
expect_exit 0 acct b reissue --resume
expect_match '^Application [0-9]{12}: issued online. Install it: qoltanba install [0-9]{12} --keys '
BN=$(printf '%s' "$out" | sed -n 's/^Application \([0-9]*\):.*/\1/p')
expect_exit 0 acct b requests --json
check "one request more" test "$(printf '%s' "$out" | grep '^{' | jq .count)" -eq $((BEFORE + 1))
expect_exit 0 "$QOLTANBA" install "$BN" --keys "$T/b2" --password-file "$T/pw" --portal "$P"
check "the kept keys installed" sh -c "ls '$T'/b2/AUTH_RSA256_*.p12"
expect_exit 0 acct b reissue --resume
expect_match 'No re-issuance made on this computer waits to be sent'
expect_exit 64 acct b reissue --resume --folder "$T/b3"

# ---- sign-in with a key on a token (SoftHSM2 as a Kaztoken) ----
. "$top_srcdir/tests/softhsm-lib.sh"
if softhsm_try KT 40917; then
	printf 'module.kaztoken = %s\np11-kit = no\n' "$SOFTHSM" >>"$XDG_CONFIG_HOME/qoltanba/config"
	echo 40917 >"$T/pin"
	printf '{"subject":"individual","iin":"950201493046","email":"t@example.kz","region":"KZ-71","city":"Astana","storage":"KT"}' >"$T/t.json"
	expect_exit 0 "$QOLTANBA" apply --batch "$T/t.json" --portal "$P" --pin-file "$T/pin" --json
	NT=$(printf '%s\n' "$out" | grep '^{' | tail -1 | jq -r .number)
	"$QOLTANBAD" ra approve "$NT" --data "$D" >/dev/null 2>&1 || fail "approve the token's keys"
	expect_exit 0 "$QOLTANBA" install "$NT" --token KT --pin-file "$T/pin" --portal "$P"
	expect_exit 0 "$QOLTANBA" account keys --token KT --pin-file "$T/pin" --portal "$P" --json
	expect_match '"count":2'
	expect_match '"storage":"kaztoken"'
	# Re-issuance onto the same token: an individual's is issued at once.
	expect_exit 0 "$QOLTANBA" account reissue --token KT --pin-file "$T/pin" --to-token KT \
		--portal "$P" --json
	expect_match '"status":"issued"'
	expect_match '"storage":"kaztoken"'
	NR=$(printf '%s\n' "$out" | grep '^{' | tail -1 | jq -r .number)
	expect_exit 0 "$QOLTANBA" install "$NR" --token KT --pin-file "$T/pin" --portal "$P"
	expect_match 'Certificates installed'
	expect_exit 0 "$QOLTANBA" account keys --token KT --pin-file "$T/pin" --portal "$P" --json
	expect_match '"count":4'
	echo 11111 >"$T/badpin"
	expect_exit 2 "$QOLTANBA" account keys --token KT --pin-file "$T/badpin" --portal "$P"
else
	echo "# $SOFTHSM_MISSING: sign-in with a token not tested"
fi

# ---- a session expiring in the middle is renewed ----
mkfifo "$T/go"
"$top_builddir/tests/test_account" "$P" "$(cat "$T/b.auth")" "$T/pw" <"$T/go" >"$T/ta.out" 2>&1 &
TA=$!
exec 9>"$T/go"
i=0
until grep -q 'signed in' "$T/ta.out" || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
stop
serve --test-clock-offset 1200
echo go >&9
exec 9>&-
wait "$TA" || true
out=$(cat "$T/ta.out")
expect_match '^4 keys; signed in again$'   # 2 of its own, 2 re-issued (--resume)

# ---- an expired key ----
stop
serve --test-clock-offset $((366 * 86400))
expect_exit 1 acct a keys
expect_match 'expired'
expect_match 'qoltanba apply'
stop
finish
