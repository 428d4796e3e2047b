#!/bin/sh
# The BIN/IIN page with the portal's captcha on, headless at 80x24: the
# picture is drawn in the terminal, an empty code is refused beside the
# field, and a wrong code has its own message and brings a fresh
# picture.  (The right code, read off the screen, is typed in
# tests/tui-enroll-tmux.sh: a headless run cannot read its own screen.)
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
. "$top_srcdir/tests/portald-lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed (free port)"

cd "$T"
pd_init
pd_start
export TUI_ARGS="--portal=$PD_URL"
all=
screen_n() {
	printf '%s\n' "$all" | awk -v n="$1" 'BEGIN { i = 1 } /^\f$/ { i++; next } i == n'
}
art() { printf '%s\n' "$1" | grep '#' || true; }

tui 80x24 '11<Space><Enter><Dump>850314372249<F2><Dump>00000<F2>'
all=$out
first=$(screen_n 1)
out=$first
expect_text 'Code from the picture:'
checks=$((checks + 1))
[ "$(art "$first" | wc -l)" -ge 4 ] || fail "no picture: $first"
out=$(screen_n 2)
expect_text '✗ Type the code'
expect_text 'Correct the fields marked with a cross first.'
out=$(screen_n 3)
expect_text '✗ Wrong code: see the new one'
expect_text 'The code did not match the picture (or the picture expired). Here is a'
expect_no_text '00000'
checks=$((checks + 1))
[ "$(art "$first")" != "$(art "$out")" ] || fail "the picture did not change after a wrong code"
checks=$((checks + 1))
[ "$(art "$out" | wc -l)" -ge 4 ] || fail "no new picture: $out"
# The wrong answer spent the captcha on the portal (its own rule).
check "the portal logged the wrong code" grep -q 'captcha_wrong' "$T/daemon.log"

pd_stop
finish
