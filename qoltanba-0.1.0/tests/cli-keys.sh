#!/bin/sh
# qoltanba keys: NCA's folders, unreadable files, and a folder of
# thousands of files.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
command -v python3 >/dev/null || skip "python3 not installed"

NCA="$QT_FIXTURES/nca-sdk-2020"
printf 'Qwerty12\n' >"$T/pw"
D="$T/Ключи организации"
mkdir -p "$D"
cp "$NCA"/organization/active/* "$D/"
cp "$NCA"/personal/revoked/RSA256_*.p12 "$D/"
echo "not a key" >"$D/broken.p12"
: >"$D/empty.cer"
echo "notes" >"$D/notes.txt"

# Without a password: one line per file, described from the certificates.
expect_exit 3 "$QOLTANBA" keys "$D"
checks=$((checks + 1))
[ "$(printf '%s\n' "$out" | wc -l)" = 7 ] || fail "7 lines expected: $out"
expect_match '^AUTH +ТЕСТОВ ТЕСТ +123456789021 +2021-01-27 +expired [0-9]+ days ago +AUTH_RSA256_d682726b55b3e62600ea8fe1c74e75fc96f47790\.p12$'
expect_match 'key type not supported for signing +GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b\.p12$'
expect_match '^SIGN +\? .*locked: details need the password.* RSA256_346a7e57c2995259140b6fc375b6ff3bba7e852f\.p12$'
expect_match 'unreadable: This file is neither a key store.* broken\.p12$'
expect_match 'unreadable: .* empty\.cer$'
checks=$((checks + 1))
printf '%s\n' "$out" | grep -q notes.txt && fail "notes.txt listed"

# With the password every key file is opened.
expect_exit 3 "$QOLTANBA" keys --json --password-file "$T/pw" "$D"
checks=$((checks + 1))
got=$(printf '%s\n' "$out" | jq -r 'select(.kind == "pkcs12" and .status == "ok") | .keyid' | sort | tr '\n' ' ')
[ "$got" = "13a3741b52d7bf860aab199b56fad1f4652e357b 346a7e57c2995259140b6fc375b6ff3bba7e852f d682726b55b3e62600ea8fe1c74e75fc96f47790 " ] ||
	fail "opened key files: $got"
expect_match '"file":"[^"]*/broken\.p12","kind":"pkcs12","status":"not_keystore"'
printf 'Wrong123\n' >"$T/wrong"
expect_exit 3 "$QOLTANBA" keys --json --password-file "$T/wrong" "$D"
expect_match '"status":"bad_password"'

# A pending key (an application's key waiting for its certificate).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
	openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:Secret12 \
	>"$D/PENDING_SIGN_0123456789abcdef0123456789abcdef01234567.key"
expect_exit 3 "$QOLTANBA" keys "$D"
expect_match '^SIGN .*pending: waiting for its certificate +PENDING_SIGN_0123456789abcdef0123456789abcdef01234567\.key$'
expect_exit 3 "$QOLTANBA" keys --json "$D"
expect_match '"kind":"pending","status":"ok","needs_password":true,"purpose":"sign","keyid":"0123456789abcdef0123456789abcdef01234567"'

# A clean folder exits 0; a missing one says so.
rm "$D/broken.p12" "$D/empty.cer"
expect_exit 0 "$QOLTANBA" keys "$D"
expect_exit 1 "$QOLTANBA" keys "$T/no such folder"
expect_match 'No such file or folder'

# Thousands of files: 2500 key files and 2499 certificates under NCA's
# names, and one damaged file; every one is listed, in name order.
B="$T/big"
mkdir "$B"
python3 - "$B" "$NCA/personal/active/RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.p12" \
	"$NCA/personal/active/RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.cer" <<'PY'
import sys
d, p12, cer = sys.argv[1:4]
p = open(p12, 'rb').read()
c = open(cer, 'rb').read()
for i in range(2500):
    open('%s/RSA256_%040x.p12' % (d, i), 'wb').write(p)
for i in range(2499):
    open('%s/RSA256_%040x.cer' % (d, i), 'wb').write(c)
open('%s/zz-damaged.p12' % d, 'wb').write(p[:700])
PY
expect_exit 3 "$QOLTANBA" keys "$B"
checks=$((checks + 1))
[ "$(printf '%s\n' "$out" | wc -l)" = 5000 ] || fail "5000 lines expected, got $(printf '%s\n' "$out" | wc -l)"
checks=$((checks + 1))
printf '%s\n' "$out" | awk '{print $NF}' | sort -c 2>/dev/null || fail "not in name order"
checks=$((checks + 1))
[ "$(printf '%s\n' "$out" | tail -1 | grep -c 'unreadable.*zz-damaged\.p12')" = 1 ] || fail "damaged file not reported"
finish
