#!/bin/sh
# The enrollment pages in Russian and Kazakh, headless at 80x24 against a
# real qoltanbad: each page shows its translated title, fits 80 columns
# (measured in cells), keeps Quit in the bar, and names regions and
# cities in the interface language (from the portal's catalog).  A
# language is checked once po/LL.po translates the home page; until
# then it is skipped (exit 77 when neither is), as tests/tui-kazakh.sh.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
command -v msgfmt >/dev/null || skip "msgfmt not installed"
command -v gettext >/dev/null || skip "gettext (gettext-base) not installed"

langs=
for l in ru kk; do
	mkdir -p "$T/locale/$l/LC_MESSAGES"
	msgfmt -o "$T/locale/$l/LC_MESSAGES/qoltanba.mo" "$top_srcdir/po/$l.po" 2>/dev/null || continue
	home=$(LANGUAGE=$l TEXTDOMAINDIR="$T/locale" gettext -d qoltanba Home)
	[ "$home" = Home ] || langs="$langs $l"
done
[ -n "$langs" ] || skip "po/ru.po and po/kk.po have no translation of the home page yet"
export QOLTANBA_LOCALEDIR="$T/locale"

. "$top_srcdir/tests/portald-lib.sh"
cd "$T"
pd_init --no-captcha
pd_start
pd_operator

for l in $langs; do
	tr_() { LANGUAGE=$l TEXTDOMAINDIR="$T/locale" gettext -d qoltanba "$1"; }
	export TUI_ARGS="--lang=$l --portal=$PD_URL"
	fits() {
		checks=$((checks + 1))
		widest=$(printf '%s\n' "$out" | wc -L)
		[ "$widest" -le 80 ] || fail "$l, $1: a line is $widest cells wide"
		expect_text "F10/^X $(tr_ Quit)"
		expect_text "$(tr_ "$1")"
	}
	if [ $l = kk ]; then almaty='Алматы облысы'; else almaty='Алматинская область'; fi
	CHAIR='12<Space><Enter>060340138014<Tab>850314372249<F2>'
	PLACE="$CHAIR<F2><F2>алм<Down><Enter><Enter>"
	KEYS="${PLACE}1<BTab><C-u>$T/nca-$l<Tab>Qwerty12<Tab>Qwerty12<F2>"
	tui 80x24 '1'; fits 'Obtainment of DS keys'
	tui 80x24 '12'; fits 'Information and user agreement'
	tui 80x24 '12<Space><Enter>060340138015'; fits 'Checking the applicant'
	tui 80x24 "$CHAIR"; fits 'Checking the applicant'
	expect_text 'ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ'
	tui 80x24 "$CHAIR<F2>bad@"; fits 'E-mail'
	tui 80x24 "$CHAIR<F2><F2>алм"; fits 'Region and city'
	expect_text "$almaty"
	tui 80x24 "${PLACE}1"; fits 'Keys storage'
	tui 80x24 "$KEYS"; fits 'Apply'
	tui 80x24 "$KEYS<F2>"; fits 'Application submitted'
	tui 80x24 '2'; fits 'Checking request status'
	tui 80x24 "6$T/op.p12<Tab>Operator1pw<F2>"; fits 'Registration Authority: applications'
	tui 80x24 "6$T/op.p12<Tab>Operator1pw<F2><Enter>"; fits 'Registration Authority: application'
	tui 80x24 "6$T/op.p12<Tab>Operator1pw<F2><Enter><Enter>"
	tui 80x24 '2<Enter><Enter>'; fits 'Install the certificates'
done
pd_stop
finish
