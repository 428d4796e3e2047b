#!/bin/sh
# Key files we write, read back by the openssl CLI, with the algorithms
# each format promises (doc/keystores.md).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v openssl >/dev/null || skip "openssl CLI not installed"

"$top_builddir/tests/test_p12" "$T" >/dev/null
printf 'Secret12\n' >"$T/pw"

# Modern: no -legacy needed, AES-256-CBC + PBKDF2-HMAC-SHA256 for both
# bags, SHA-256 MAC with a 16-byte salt.
expect_exit 0 openssl pkcs12 -in "$T/modern.p12" -passin file:"$T/pw" -info -nodes
expect_match 'MAC: sha256, Iteration 200000'
expect_match 'salt length: 16'
expect_match 'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 100000, PRF hmacWithSHA256'
expect_match 'PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 100000, PRF hmacWithSHA256'
expect_match 'friendlyName: [0-9a-f]{40}'
expect_match 'BEGIN PRIVATE KEY'
expect_match 'BEGIN CERTIFICATE'
# friendlyName and localKeyID are the keyid, as NCA writes them.
fn=$(printf '%s\n' "$out" | sed -n 's/^ *friendlyName: //p' | head -1)
lk=$(printf '%s\n' "$out" | sed -n 's/^ *localKeyID: //p' | head -1 | tr -d ' \r' | tr 'A-F' 'a-f')
checks=$((checks + 1))
[ -n "$fn" ] && [ "$fn" = "$lk" ] || fail "friendlyName '$fn' differs from localKeyID '$lk'"
ski=$(openssl x509 -in "$T/cert.pem" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :' | tr 'A-F' 'a-f')
checks=$((checks + 1))
[ "$fn" = "$ski" ] || fail "friendlyName '$fn' is not the SKI '$ski'"
# The key inside is the key we wrote.
printf '%s\n' "$out" | openssl pkey -pubout >"$T/pub1.pem" 2>/dev/null
openssl pkey -in "$T/key.pem" -pubout >"$T/pub2.pem"
checks=$((checks + 1))
cmp -s "$T/pub1.pem" "$T/pub2.pem" || fail "the key read back by openssl differs"
# (The bags' 16-byte PBKDF2 salts are checked by tests/test_p12.)

# Legacy: NCA's algorithms; stock openssl needs -legacy to read them.
expect_exit 0 openssl pkcs12 -legacy -in "$T/legacy.p12" -passin file:"$T/pw" -info -nodes
expect_match 'MAC: sha1, Iteration 1024'
expect_match 'salt length: 20'
expect_match 'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 1024'
expect_match 'PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC, Iteration 1024'
expect_match 'BEGIN PRIVATE KEY'
set +e
openssl pkcs12 -in "$T/legacy.p12" -passin file:"$T/pw" -nodes >/dev/null 2>&1
rc=$?
set -e
checks=$((checks + 1))
[ "$rc" != 0 ] || fail "openssl read our legacy file without -legacy: is it really RC2-40?"

# Files whose password was changed stay readable, in their format.
printf 'New-pass9\n' >"$T/pw2"
expect_exit 0 openssl pkcs12 -legacy -in "$T/rsa copy.p12" -passin pass:Abc123 -info -nodes
expect_match 'pbeWithSHA1And40BitRC2-CBC'
expect_match 'BEGIN PRIVATE KEY'
expect_exit 0 openssl pkcs12 -in "$T/modern copy.p12" -passin pass:Secret98 -info -nodes
expect_match 'AES-256-CBC'
# The GOST file: openssl can read its certificate bag (not the key).
expect_exit 0 openssl pkcs12 -legacy -in "$T/gost copy.p12" -passin file:"$T/pw2" -nokeys
expect_match 'BEGIN CERTIFICATE'
expect_match 'friendlyName: 13a3741b52d7bf860aab199b56fad1f4652e357b'
finish
