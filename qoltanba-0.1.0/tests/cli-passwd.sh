#!/bin/sh
# qoltanba passwd: the password changes, refusals leave the file as it
# was, and a crash at any step of the atomic write leaves a file that
# opens with the old password or the new one, never neither.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

NCA="$QT_FIXTURES/nca-sdk-2020"
RSA="$NCA/personal/active/AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.p12"
GOST="$NCA/organization/active/GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12"
printf 'Qwerty12\n' >"$T/old"
printf 'N3w-password\n' >"$T/new"
printf 'short\n' >"$T/weak"

opens_with() { # FILE PWFILE: exit status of inspect
	set +e
	"$QOLTANBA" inspect --password-file "$2" "$1" >/dev/null 2>&1
	r=$?
	set -e
	return $r
}

# A plain change, of an RSA file and of a GOST file (whose key OpenSSL
# cannot decode), in a folder with spaces and Cyrillic in its name.
D="$T/мои ключи"
mkdir -p "$D"
for src in "$RSA" "$GOST"; do
	f="$D/$(basename "$src")"
	cp "$src" "$f"
	chmod 644 "$f"
	expect_exit 0 "$QOLTANBA" passwd --password-file "$T/old" --new-password-file "$T/new" "$f"
	expect_match 'has been changed'
	expect_exit 2 "$QOLTANBA" inspect --password-file "$T/old" "$f"
	expect_exit 0 "$QOLTANBA" inspect --json --password-file "$T/new" "$f"
	expect_match '"iin":"123456789011"'
	expect_match '"format":"pkcs12-legacy"'
	checks=$((checks + 1))
	[ "$(stat -c %a "$f")" = 600 ] || fail "mode of $f is $(stat -c %a "$f")"
done
checks=$((checks + 1))
[ -z "$(find "$D" -name '*.tmp-*')" ] || fail "temporary files left: $(ls "$D")"

# Refusals: wrong current password, a new one against the policy.
f="$T/key.p12"
cp "$RSA" "$f"
expect_exit 2 "$QOLTANBA" passwd --password-file "$T/new" --new-password-file "$T/new" "$f"
expect_match 'Wrong password'
expect_match 'left as it was'
expect_exit 1 "$QOLTANBA" passwd --password-file "$T/old" --new-password-file "$T/weak" "$f"
expect_match 'too short: use at least 6'
printf 'abcdefgh\n' >"$T/nodigit"
expect_exit 1 "$QOLTANBA" passwd --password-file "$T/old" --new-password-file "$T/nodigit" "$f"
expect_match 'at least one digit'
checks=$((checks + 1))
cmp -s "$f" "$RSA" || fail "a refused change modified the file"
expect_exit 1 "$QOLTANBA" passwd --password-file "$T/old" --new-password-file "$T/new" "$T/missing.p12"
expect_match 'No such file'

# A crash after each step of the atomic write.  Before the rename the
# old file is there; after it, the new one; always exactly one opens.
for step in open write fsync close rename dirsync; do
	f="$T/crash-$step.p12"
	cp "$RSA" "$f"
	set +e
	QT_TEST_CRASH_AT=$step "$QOLTANBA" passwd --password-file "$T/old" \
		--new-password-file "$T/new" "$f" >/dev/null 2>&1
	rc=$?
	set -e
	checks=$((checks + 1))
	[ "$rc" = 137 ] || fail "crash at $step: exit $rc, expected 137 (SIGKILL)"
	old=no new=no
	opens_with "$f" "$T/old" && old=yes
	opens_with "$f" "$T/new" && new=yes
	checks=$((checks + 1))
	case $step in
	open|write|fsync|close) [ "$old$new" = yesno ] || fail "crash at $step: old=$old new=$new" ;;
	*) [ "$old$new" = noyes ] || fail "crash at $step: old=$old new=$new" ;;
	esac
done

# A full disk (the file size limit gives EFBIG, as a full disk gives
# ENOSPC): nothing changes, no temporary file stays, the message says so.
f="$T/full.p12"
cp "$RSA" "$f"
expect_exit 1 sh -c "trap '' XFSZ; ulimit -f 2; exec \"$QOLTANBA\" passwd --password-file \"$T/old\" --new-password-file \"$T/new\" \"$f\""
expect_match 'disk is full'
expect_match 'left as it was'
checks=$((checks + 1))
cmp -s "$f" "$RSA" || fail "the file changed on a full disk"
checks=$((checks + 1))
[ -z "$(find "$T" -maxdepth 1 -name 'full.p12.tmp-*')" ] || fail "temporary file left on a full disk"

# Prompts: the current password, then the new one checked as typed
# (the rule it breaks named), asked twice.
if command -v expect >/dev/null; then
	f="$T/prompt.p12"
	cp "$RSA" "$f"
	cat >"$T/passwd.exp" <<EXP
set timeout 20
spawn $QOLTANBA passwd {$f}
expect "Current password: "
send "Qwerty12\r"
expect "New password: "
send "abc\r"
expect "too short"
expect "New password: "
send "abc12345\r"
expect "Repeat the new password: "
send "abc12346\r"
expect "differ"
expect "New password: "
send "abc12345\r"
expect "Repeat the new password: "
send "abc12345\r"
expect "has been changed"
expect eof
EXP
	expect_exit 0 expect "$T/passwd.exp"
	printf 'abc12345\n' >"$T/typed"
	expect_exit 0 "$QOLTANBA" inspect --password-file "$T/typed" "$f"
	checks=$((checks + 1))
	printf '%s\n' "$out" | grep -q 'abc1234' && fail "password echoed"
fi
finish
