#!/bin/sh
# Tokens against a real PKCS#11 module: SoftHSM2 in a private
# SOFTHSM2_CONF.  Key generation with id = keyid (checked by OpenSSL's
# SKI and by pkcs11-tool), certificate storage, listing, signing, wrong
# PINs, PIN change, the factory-PIN warning, a generation cut short,
# and modules that are missing or are not PKCS#11 modules.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/softhsm-lib.sh"
export QOLTANBA_DATADIR="$top_srcdir/data"

command -v openssl >/dev/null || skip "openssl CLI not installed"
softhsm_init T 1234
CONF="$XDG_CONFIG_HOME/qoltanba/config"
printf '# test\nmodule = %s\np11-kit = no\n' "$SOFTHSM" >"$CONF"
echo 1234 >"$T/pin"
echo 9999 >"$T/bad"

# -- Listing
expect_exit 0 "$QOLTANBA" tokens
expect_match '"T": SoftHSM project SoftHSM v2, serial [0-9a-f]+'
expect_match 'PIN: PIN ready'
expect_exit 0 "$QOLTANBA" tokens --json
printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = [t for t in d["tokens"] if t["label"] == "T"]
assert len(t) == 1, d
t = t[0]
assert t["model"] == "SoftHSM v2" and t["serial"] and t["pin_state"] == "ok", t
assert d["modules"][0]["loaded"] is True, d
' || fail "tokens --json: $out"
ok

# -- No configuration at all: the module registered with p11-kit is used.
if [ -f /usr/share/p11-kit/modules/softhsm2.module ]; then
	mv "$CONF" "$CONF.off"
	expect_exit 0 "$QOLTANBA" tokens
	expect_match '"T": SoftHSM project'
	mv "$CONF.off" "$CONF"
fi

# -- Key generation: the id is the keyid (SHA-1 of the public key bits).
expect_exit 0 "$QOLTANBA" token-keygen --key-label auth --pin-file "$T/pin" --pubout "$T/pub.pem" T
keyid=$(printf '%s\n' "$out" | tail -n1)
case $keyid in
*[!0-9a-f]* | "") fail "token-keygen printed no keyid: $out" ;;
*) [ ${#keyid} -eq 40 ] || fail "keyid is not 40 hex: $keyid" ;;
esac
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.pem" \
	-subj "/CN=Test CA" -days 2 2>/dev/null
printf 'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >"$T/ext.cnf"
openssl x509 -new -subj "/CN=TESTOV TEST/serialNumber=IIN123456789011/C=KZ" \
	-force_pubkey "$T/pub.pem" -CA "$T/ca.pem" -CAkey "$T/ca.key" -days 1095 \
	-extfile "$T/ext.cnf" -out "$T/cert.pem" 2>/dev/null || fail "openssl could not issue the certificate"
ski=$(openssl x509 -in "$T/cert.pem" -noout -ext subjectKeyIdentifier | tail -n1 | tr -d ' :' | tr 'A-F' 'a-f')
ok
[ "$ski" = "$keyid" ] || fail "keyid $keyid differs from OpenSSL's SKI $ski"
if command -v pkcs11-tool >/dev/null; then
	out=$(pkcs11-tool --module "$SOFTHSM" --token-label T --login --pin 1234 --list-objects 2>&1)
	expect_match "ID: *$keyid"
	expect_match 'label: *auth'
fi

# -- Certificate storage and listing.
expect_exit 0 "$QOLTANBA" token-inspect T
expect_match 'no certificates on this token'
expect_exit 0 "$QOLTANBA" token-store --pin-file "$T/pin" T "$T/cert.pem"
expect_match 'stored'
expect_exit 0 "$QOLTANBA" token-inspect T
expect_match "$keyid  auth"
expect_match 'Owner: +TESTOV TEST'
expect_match 'Issuer: +Test CA'
expect_match "Key ID: +$keyid"
# inspect --token: the same, through the command that inspects files.
expect_exit 0 "$QOLTANBA" inspect --token T
expect_match "$keyid  auth"
expect_match 'Owner: +TESTOV TEST'
expect_match 'IIN: +123456789011'
expect_exit 1 "$QOLTANBA" token-store --pin-file "$T/pin" T "$T/cert.pem"
expect_match 'already'
# A certificate whose key is not on the token.
expect_exit 1 "$QOLTANBA" token-store --pin-file "$T/pin" T "$T/ca.pem"
expect_match 'does not belong to this private key'
expect_exit 0 "$QOLTANBA" inspect --json --pin-file "$T/pin" --token T
printf '%s\n' "$out" | python3 -c '
import json, sys
d = [json.loads(l) for l in sys.stdin if l.strip()]
o = [o for o in d if o["id"] == sys.argv[1]]
assert len(o) == 1, d
o = o[0]
assert o["has_private_key"] and o["has_certificate"] and o["key_type"] == "RSA 2048", o
assert o["keyid"] == sys.argv[1] and o["iin"] == "123456789011" and o["token"] == "T", o
' "$keyid" || fail "inspect --json --token: $out"
ok

# -- Signing with the token key, verified by OpenSSL.
printf 'Қолтаңба test data\n' >"$T/data"
expect_exit 0 "$QOLTANBA" token-sign --pin-file "$T/pin" --in "$T/data" --out "$T/sig" T "$keyid"
expect_exit 0 openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/sig" "$T/data"
expect_match 'Verified OK'

# -- EC P-256 where the token supports it (SoftHSM does).
expect_exit 0 "$QOLTANBA" token-keygen --key-type ecdsa-p256 --key-label ec --pin-file "$T/pin" \
	--pubout "$T/ecpub.pem" T
eckeyid=$(printf '%s\n' "$out" | tail -n1)
expect_exit 0 "$QOLTANBA" token-sign --pin-file "$T/pin" --in "$T/data" --out "$T/ecsig" T "$eckeyid"
expect_exit 0 openssl dgst -sha256 -verify "$T/ecpub.pem" -signature "$T/ecsig" "$T/data"
expect_match 'Verified OK'

# -- A generation cut short (the process killed between generation and
# setting the id) is never shown as a key, and the next one cleans up.
set +e
QT_TEST_CRASH_AT=token-keygen-generated "$QOLTANBA" token-keygen --pin-file "$T/pin" T >"$T/cut" 2>&1
got=$?
set -e
ok
[ "$got" -ne 0 ] || fail "a killed generation exited 0"
ok
! grep -Eq '^[0-9a-f]{40}$' "$T/cut" || fail "a killed generation printed a keyid"
expect_exit 0 "$QOLTANBA" token-inspect --pin-file "$T/pin" T
expect_match 'incomplete key pair'
expect_exit 0 "$QOLTANBA" token-keygen --key-label third --pin-file "$T/pin" T
expect_exit 0 "$QOLTANBA" token-inspect --pin-file "$T/pin" T
ok
! printf '%s\n' "$out" | grep -q 'incomplete' || fail "the incomplete pair was not removed: $out"

# -- Wrong PIN: exit 2, and the PIN state is shown before the next try.
expect_exit 2 "$QOLTANBA" token-keygen --pin-file "$T/bad" T
expect_match 'Wrong PIN'
expect_exit 0 "$QOLTANBA" tokens --json
expect_match '"pin_state":[[:space:]]*"count_low"'
expect_exit 2 "$QOLTANBA" token-inspect --pin-file "$T/bad" T
expect_match 'a wrong PIN was entered'
# Lock-out: SoftHSM 2.6 has no retry counter; after ten more wrong PINs
# the token is still not locked, and we must not claim it is.
i=0
while [ $i -lt 10 ]; do
	"$QOLTANBA" token-inspect --pin-file "$T/bad" T >/dev/null 2>&1 || true
	i=$((i + 1))
done
expect_exit 0 "$QOLTANBA" tokens --json
if printf '%s\n' "$out" | grep -q '"pin_state":[[:space:]]*"locked"'; then
	expect_exit 2 "$QOLTANBA" token-inspect --pin-file "$T/pin" T
	expect_match 'locked'
else
	echo "note: SoftHSM does not lock the PIN after 11 wrong attempts (no lock-out to test)"
fi

# -- PIN change.
echo 24680 >"$T/new"
expect_exit 2 "$QOLTANBA" pin --pin-file "$T/bad" --new-pin-file "$T/new" T
expect_match 'Wrong PIN'
expect_exit 0 "$QOLTANBA" pin --pin-file "$T/pin" --new-pin-file "$T/new" T
expect_match 'was changed'
expect_exit 2 "$QOLTANBA" token-inspect --pin-file "$T/pin" T
expect_exit 0 "$QOLTANBA" token-inspect --pin-file "$T/new" T
echo 1234567890 >"$T/factory"
expect_exit 1 "$QOLTANBA" pin --pin-file "$T/new" --new-pin-file "$T/factory" T
expect_match 'factory PIN'
# From the terminal: old PIN, then the new one twice, never echoed.
if command -v expect >/dev/null; then
	cat >"$T/pin.exp" <<'EOF'
set timeout 20
lassign $argv qoltanba old new again
spawn $qoltanba pin T
expect "Current PIN of token \"T\": " { send "$old\r" }
expect "New PIN: " { send "$new\r" }
expect "New PIN again: " { send "$again\r" }
expect eof
catch wait result
puts "EXIT [lindex $result 3]"
EOF
	expect_exit 0 expect "$T/pin.exp" "$QOLTANBA" 24680 1357 1358
	expect_match 'differ'
	expect_match 'EXIT 1'
	ok
	! printf '%s\n' "$out" | grep -q 1357 || fail "a PIN was echoed: $out"
	expect_exit 0 expect "$T/pin.exp" "$QOLTANBA" 24680 1357 1357
	expect_match 'was changed'
	expect_match 'EXIT 0'
	echo 1357 >"$T/new"
fi
# Without a terminal and without --pin-file: a clear refusal, and
# OpenSSL never reads the terminal behind our back.
if command -v setsid >/dev/null; then
	expect_exit 1 setsid "$QOLTANBA" token-keygen T </dev/null
	expect_match 'no terminal'
fi

# -- The factory PIN of the medium: a Kaztoken still on 12345678.
softhsm2-util --init-token --free --label K --pin 12345678 --so-pin 5678 >/dev/null
printf 'module.kaztoken = %s\np11-kit = no\n' "$SOFTHSM" >"$CONF"
echo 12345678 >"$T/kpin"
expect_exit 0 "$QOLTANBA" tokens
expect_match '"K": .*\[Kaztoken\]'
expect_exit 0 "$QOLTANBA" token-keygen --pin-file "$T/kpin" K
expect_match 'still has its factory PIN.*qoltanba pin K'

# -- The engine API as the screens use it (tests/token_api.c).
softhsm2-util --init-token --free --label A --pin 12345678 --so-pin 5678 >/dev/null
expect_exit 0 "$top_builddir/tests/token_api" "$SOFTHSM"
expect_match ' 0 failed'

# -- Modules that are missing, or are not PKCS#11 modules.
printf 'not a library\n' >"$T/fake.so"
libcrypto=$(ldd "$QOLTANBA" | awk '/libcrypto/ { print $3; exit }')
{
	printf 'module = %s\np11-kit = no\n' "$SOFTHSM"
	printf 'module.jacarta = %s/missing.so\n' "$T"
	printf 'module.akey = %s/fake.so\n' "$T"
	[ -n "$libcrypto" ] && printf 'module.etoken72k = %s\n' "$libcrypto"
	printf 'module.nosuch = /x.so\n'
} >"$CONF"
expect_exit 1 "$QOLTANBA" tokens
expect_match 'could not be loaded.*missing\.so.*No such file'
expect_match "from $CONF:3"
expect_match 'fake\.so.*(invalid ELF|too short|file too short)'
[ -n "$libcrypto" ] && expect_match 'not a PKCS#11 module'
expect_match "$CONF:6: unknown medium"
expect_match '"T": SoftHSM project'   # the good module still works
# A configuration file that cannot be read: named with its line; the
# modules registered with p11-kit still load.
printf 'module = %s\nnot a setting\n' "$SOFTHSM" >"$CONF"
expect_exit 0 "$QOLTANBA" tokens
expect_match "$CONF:2: expected"
expect_exit 1 "$QOLTANBA" tokens --module "$T/missing.so"
expect_match 'could not be loaded'
expect_exit 1 "$QOLTANBA" token-inspect NOSUCH
expect_match 'token was not found'
finish
