#!/bin/sh
# qoltanba inspect: NCA's own key files and certificates, files that are
# not what they seem, and the exit codes a script relies on.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
command -v openssl >/dev/null || skip "openssl CLI not installed"

NCA="$QT_FIXTURES/nca-sdk-2020"
printf 'Qwerty12\n' >"$T/pw"
printf 'Qwerty13\n' >"$T/wrong"

# Every NCA file inspects, as the issue lists it.
for f in "$NCA"/*/*/*; do
	base=$(basename "$f")
	keyid=${base##*_}; keyid=${keyid%.*}
	expect_exit 0 "$QOLTANBA" inspect --json --password-file "$T/pw" "$f"
	j=$out
	check() {
		checks=$((checks + 1))
		got=$(printf '%s\n' "$j" | jq -r "$1")
		[ "$got" = "$2" ] || fail "$base: $1 is '$got', expected '$2'"
	}
	check .file "$f"
	check .iin 123456789011
	check .keyid "$keyid"
	check .expired true
	check .common_name "ТЕСТОВ ТЕСТ"
	check .given_name "ТЕСТОВИЧ"
	check '.not_after | test("^2021-01-27T06:2[0-9]:[0-9][0-9]Z$")' true
	case $base in
	AUTH_*) check .purpose auth ;;
	*) check .purpose sign ;;
	esac
	case $f in
	*/organization/*)
		check .bin 123456789021
		check '.roles | join(",")' legal_entity,first_head
		check .organization 'АО "ТЕСТ"' ;;
	*)
		check .bin ""
		check '.roles | join(",")' individual ;;
	esac
	case $base in
	GOSTKNCA_*)
		check .signing_supported false
		check .key_algorithm "GOST 34.310-2004" ;;
	*)
		check .signing_supported true
		check .key_algorithm "RSA 2048" ;;
	esac
	case $base in
	*.p12) check .format pkcs12-legacy; check .has_private_key true ;;
	*) check .format certificate ;;
	esac
done

# Text output names the things a person looks for.
expect_exit 0 "$QOLTANBA" inspect --password-file "$T/pw" \
	"$NCA/organization/active/GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12"
expect_match 'GOST 34\.310-2004 \(not supported for signing'
expect_match 'BIN: +123456789021'
expect_match 'expired [0-9]+ days ago'

# Wrong password: exit 2 and says so; for JSON readers too.
p12="$NCA/personal/active/RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.p12"
expect_exit 2 "$QOLTANBA" inspect --password-file "$T/wrong" "$p12"
expect_match 'Wrong password'
expect_exit 2 "$QOLTANBA" inspect --json --password-file "$T/wrong" "$p12"
expect_match '"error":"bad_password"'

# Not key stores: empty, truncated, random, text; exit 3 and says so.
: >"$T/empty.p12"
head -c 1000 "$p12" >"$T/truncated.p12"
head -c 3000 /dev/urandom >"$T/random.p12"
head -c 3000 /dev/urandom >"$T/random.cer"
echo "hello" >"$T/hello.pem"
head -c 1200 "$NCA/personal/active/RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.cer" >"$T/truncated.cer"
for f in empty.p12 truncated.p12 random.p12 random.cer hello.pem truncated.cer; do
	expect_exit 3 "$QOLTANBA" inspect --password-file "$T/pw" "$T/$f"
	expect_match 'neither a key store'
done
expect_exit 1 "$QOLTANBA" inspect --password-file "$T/pw" "$T/no-such-file.p12"
expect_match 'No such file'

# Several files: each is reported, the exit code is the largest.
expect_exit 3 "$QOLTANBA" inspect --json --password-file "$T/pw" "$p12" "$T/random.p12" \
	"$NCA/personal/active/AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.cer"
checks=$((checks + 1))
[ "$(printf '%s\n' "$out" | grep -c '^{')" = 3 ] || fail "3 JSON lines expected: $out"

# Names with spaces and Cyrillic; a key file whose name does not say so.
mkdir -p "$T/Мои ключи"
cp "$p12" "$T/Мои ключи/ключ подписи.p12"
cp "$p12" "$T/Мои ключи/backup.bin"
expect_exit 0 "$QOLTANBA" inspect --json --password-file "$T/pw" "$T/Мои ключи/ключ подписи.p12"
expect_match '"file":"[^"]*/Мои ключи/ключ подписи\.p12"'
expect_exit 0 "$QOLTANBA" inspect --json --password-file "$T/pw" "$T/Мои ключи/backup.bin"
expect_match '"keyid":"11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9"'

# A key store with no key inspects (it cannot sign); one with no
# certificate is an error that says what is missing.
openssl pkcs12 -legacy -in "$p12" -passin file:"$T/pw" -nodes -out "$T/all.pem" 2>/dev/null
openssl pkcs12 -export -nokeys -in "$T/all.pem" -passout file:"$T/pw" -out "$T/certonly.p12"
openssl pkcs12 -export -nocerts -in "$T/all.pem" -passout file:"$T/pw" -out "$T/keyonly.p12"
expect_exit 0 "$QOLTANBA" inspect --json --password-file "$T/pw" "$T/certonly.p12"
expect_match '"signing_supported":false'
expect_match '"has_private_key":false'
expect_match '"format":"pkcs12"'
expect_exit 0 "$QOLTANBA" inspect --password-file "$T/pw" "$T/certonly.p12"
expect_match 'holds no private key'
expect_exit 1 "$QOLTANBA" inspect --password-file "$T/pw" "$T/keyonly.p12"
expect_match 'no certificate'

# No terminal and no --password-file: a clear refusal, never a hang.
expect_exit 1 sh -c "setsid \"$QOLTANBA\" inspect \"$p12\" </dev/null"
expect_match 'password-file'

# Without --password-file the password is asked on the terminal, once
# for all the key files named, without echo.
if command -v expect >/dev/null; then
	cat >"$T/inspect.exp" <<EXP
set timeout 20
spawn $QOLTANBA inspect {$p12} {$NCA/organization/active/GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12}
expect "Key file password: "
send "Qwerty12\r"
expect "IIN: *123456789011"
expect "GOST 34.310-2004"
expect eof
catch wait result
exit [lindex \$result 3]
EXP
	expect_exit 0 expect "$T/inspect.exp"
	checks=$((checks + 1))
	[ "$(printf '%s\n' "$out" | grep -c 'Key file password')" = 1 ] || fail "asked more than once: $out"
	checks=$((checks + 1))
	printf '%s\n' "$out" | grep -q Qwerty12 && fail "password echoed: $out"
fi

expect_exit 64 "$QOLTANBA" inspect
expect_match 'Usage'
finish
