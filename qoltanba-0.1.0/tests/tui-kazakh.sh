#!/bin/sh
# The terminal UI in Kazakh: forced with --lang, and switched at run time
# from Settings; screens at 80x24 and 120x40 keep the Cyrillic names of
# the NCA fixtures, fit the width (measured in cells, not bytes), and
# keep Quit in the status bar.  Skipped until po/kk.po translates the
# interface (the translation pass comes later).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
command -v msgfmt >/dev/null || skip "msgfmt not installed"
command -v gettext >/dev/null || skip "gettext (gettext-base) not installed"

mkdir -p "$T/locale/kk/LC_MESSAGES"
msgfmt -o "$T/locale/kk/LC_MESSAGES/qoltanba.mo" "$top_srcdir/po/kk.po" ||
	skip "po/kk.po does not compile"
export QOLTANBA_LOCALEDIR="$T/locale"
kk() { LANGUAGE=kk TEXTDOMAINDIR="$T/locale" gettext -d qoltanba "$1"; }
home_kk=$(kk Home)
[ "$home_kk" != Home ] || skip "po/kk.po has no translation of the home page yet"

cd "$T"
cp -R "$QT_FIXTURES/nca-sdk-2020" fx

# fits SIZE: no line wider than the screen, Quit still in the bar.
fits() {
	cols=${1%x*}
	checks=$((checks + 1))
	widest=$(printf '%s\n' "$out" | wc -L)
	[ "$widest" -le "$cols" ] || fail "a line is $widest cells wide at $1"
	expect_text "F10/^X $(kk Quit)"
}

for size in 80x24 120x40; do
	TUI_ARGS=--lang=kk tui $size ''
	expect_text "$home_kk"
	expect_text "$(kk 'Open key store')"
	fits $size
	TUI_ARGS=--lang=kk tui $size '4<C-u>fx/organization/active<Enter>'
	expect_text 'ТЕСТОВ ТЕСТ, АО "ТЕСТ"'
	expect_text "$(kk 'Keys in a folder')"
	fits $size
	TUI_ARGS=--lang=kk tui $size '4<C-u>fx/organization/active<Enter><Enter>Qwerty12<Enter>'
	expect_text "$(kk 'Key details')"
	expect_text 'ТЕСТОВ, ТЕСТОВИЧ'
	fits $size
done

# Switched at run time from Settings (English before, Kazakh after),
# and remembered for the next run.
tui 80x24 '5<Right><Right><Right><F2>'
expect_text "$(kk Settings)"
tui 80x24 ''
expect_text "$home_kk"

finish
