#!/bin/sh
# The command line's basics, and the requests the engine writes checked
# by the openssl CLI.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v openssl >/dev/null || skip "openssl CLI not installed"

expect_exit 0 "$QOLTANBA" --version
expect_match '^qoltanba [0-9]'
expect_exit 0 "$QOLTANBA" help
expect_match 'idcheck'
expect_exit 64 "$QOLTANBA" no-such-command
expect_match 'unknown command'

expect_exit 0 "$QOLTANBA" idcheck 800416100254 940140000385
expect_match 'valid IIN; born 1880-04-16, male'
expect_match 'valid BIN; registered 1994-01, resident legal entity, head office'
expect_exit 1 "$QOLTANBA" idcheck 800416100255
expect_match 'check digit'
expect_exit 1 "$QOLTANBA" idcheck --bin 12345
expect_match '12 digits'

# Requests written by the engine pass `openssl req -verify` and carry
# the SAN e-mail and the key-storage extension.
"$top_builddir/tests/test_keygen" "$T" >/dev/null
for f in sign-rsa.csr auth-ec.csr; do
	expect_exit 0 openssl req -in "$T/$f" -noout -verify
	expect_match 'verify OK|Certificate request self-signature verify OK'
done
out=$(openssl req -in "$T/sign-rsa.csr" -noout -text)
expect_match 'email:test@example.kz'
expect_match '1\.2\.398\.3\.3\.5'
expect_match 'Non Repudiation'
out=$(openssl req -in "$T/sign-rsa.csr" -noout -subject -nameopt RFC2253,-esc_msb)
expect_match 'IIN800416100254'
finish
