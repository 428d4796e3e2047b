# Helpers for the terminal UI tests (sourced after tests/lib.sh).
# Headless mode: qoltanba draws into a virtual screen with the same
# code as on a terminal, takes its keys from a script and writes the
# screen as UTF-8 text.  The environment is sealed: locale, TZ, HOME
# (tests/lib.sh), no colour setting from the user, no LANGUAGE.
export LC_ALL=C.UTF-8 TZ=UTC
unset LANGUAGE NO_COLOR ESCDELAY || true

# tui SIZE KEYS: runs qoltanba headless; the screen is in $out, the exit
# code in $rc.
tui() {
	printf '%s' "$2" > "$T/keys"
	set +e
	out=$("$QOLTANBA" --headless="$1" --keys="$T/keys" ${TUI_ARGS:-} 2>"$T/tui.err")
	rc=$?
	set -e
	# Time moves on; the days since expiry are not part of the check.
	out=$(printf '%s\n' "$out" | sed -E 's/expired [0-9]+ days ago/expired N days ago/')
}

# expect_screen NAME: compares $out with the screen on stdin.
expect_screen() {
	# Trailing blank lines do not count.
	awk '{ l[NR] = $0 } $0 != "" { last = NR } END { for (i = 1; i <= last; i++) print l[i] }' \
		> "$T/want"
	printf '%s\n' "$out" > "$T/got"
	checks=$((checks + 1))
	if ! diff -u "$T/want" "$T/got" > "$T/diff"; then
		fail "$1: the screen differs from the expected one:"
		cat "$T/diff" >&2
	fi
}

# expect_text TEXT: the screen shows TEXT somewhere.
expect_text() {
	checks=$((checks + 1))
	case $out in
	*"$1"*) ;;
	*) fail "the screen does not show \"$1\":"; printf '%s\n' "$out" >&2 ;;
	esac
}

expect_no_text() {
	checks=$((checks + 1))
	case $out in
	*"$1"*) fail "the screen shows \"$1\" but should not:"; printf '%s\n' "$out" >&2 ;;
	*) ;;
	esac
}
