#!/bin/sh
# The terminal UI in Kazakh: forced with --lang, and switched at run time
# from Settings; screens at 80x24 and 120x40 keep the Cyrillic names of
# the NCA fixtures, fit the width (measured in cells, not bytes), and
# keep Quit in the status bar.  Home and the key list at 80x24 are
# compared with the exact screens below (update them with po/kk.po).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
command -v msgfmt >/dev/null || skip "msgfmt not installed"
command -v gettext >/dev/null || skip "gettext (gettext-base) not installed"

mkdir -p "$T/locale/kk/LC_MESSAGES"
if ! msgfmt -o "$T/locale/kk/LC_MESSAGES/qoltanba.mo" "$top_srcdir/po/kk.po"; then
	fail "po/kk.po does not compile"
	finish
fi
export QOLTANBA_LOCALEDIR="$T/locale"
kk() { LANGUAGE=kk TEXTDOMAINDIR="$T/locale" gettext -d qoltanba "$1"; }
home_kk=$(kk Home)
checks=$((checks + 1))
[ "$home_kk" != Home ] || fail "po/kk.po does not translate the home page"

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

# The exact screens at 80x24: home, and the key list of a folder with an
# expired RSA key and a GOST one (the longest state, "МЕРЗІМІ ӨТТІ, GOST",
# must fit its column).
TUI_ARGS=--lang=kk tui 80x24 ''
# The RA item is named as the catalogue names it (translated or not yet).
sed "s/@RA@/$(kk 'Registration Authority')/" <<'SCREEN' | expect_screen "Kazakh home at 80x24"
 qoltanba — Басты бет

    ҚР ҰКО ЭЦҚ кілттері
    Көрсеткілер мен Enter арқылы таңдаңыз немесе нөмірді басыңыз.


      1  ЭЦҚ кілттерін алу
      2  Сұраныс мәртебесін тексеру
      3  Жеке кабинет
    ▸ 4  Кілттер қоймасын ашу
      5  Баптаулар
      6  @RA@
      7  Шығу

      Қалтадағы не токендегі кілттерді қарау, құпиясөзін не PIN-кодын
      өзгерту.







F1/^G Анықтама  Enter Ашу  F10/^X Шығу
SCREEN
TUI_ARGS=--lang=kk tui 80x24 '41<C-u>fx/organization/active<Enter>'
expect_screen "Kazakh key list at 80x24" <<'SCREEN'
 qoltanba — Қалтадағы кілттер
  fx/organization/active
    Түрі  Иесі                     ЖСН          Аяқталады  Күйі
  ▸ AUTH  ТЕСТОВ ТЕСТ, АО "ТЕСТ"   123456789011 2021-01-27 МЕРЗІМІ ӨТТІ
    SIGN  ТЕСТОВ ТЕСТ, АО "ТЕСТ"   123456789011 2021-01-27 МЕРЗІМІ ӨТТІ, GOST
















  Сүзу үшін теріңіз   (2)

F1/^G Анықтама  Enter Ашу  F9/^K Бәрін ашу  Esc Артқа  F10/^X Шығу
SCREEN

for size in 80x24 120x40; do
	TUI_ARGS=--lang=kk tui $size ''
	expect_text "$home_kk"
	expect_text "$(kk 'Open key store')"
	fits $size
	TUI_ARGS=--lang=kk tui $size '41<C-u>fx/organization/active<Enter>'
	expect_text 'ТЕСТОВ ТЕСТ, АО "ТЕСТ"'
	expect_text "$(kk 'Keys in a folder')"
	fits $size
	TUI_ARGS=--lang=kk tui $size '41<C-u>fx/organization/active<Enter><Enter>Qwerty12<Enter>'
	expect_text "$(kk 'Key details')"
	expect_text 'ТЕСТОВ, ТЕСТОВИЧ'
	fits $size
	# The password form has the longest status bar.
	TUI_ARGS=--lang=kk tui $size '41<C-u>fx/organization/active<Enter><Enter>Qwerty12<Enter><F6>'
	expect_text "$(kk 'Change the password')"
	expect_text "F4/^T $(kk Show)"
	fits $size
	TUI_ARGS=--lang=kk tui $size '<F1>'
	expect_text "$(kk 'Help: keys')"
	fits $size
	# The personal account's sign-in, with a token chosen.
	TUI_ARGS=--lang=kk tui $size '3<BTab><Right>'
	expect_text "$(kk 'Personal account: sign in')"
	expect_text "$(kk 'Token or ID card')"
	expect_text "$(kk 'Token label')"
	fits $size
done

# Switched at run time from Settings (English before, Kazakh after),
# and remembered for the next run.
tui 80x24 '5<Right><Right><Right><F2>'
expect_text "$(kk Settings)"
tui 80x24 ''
expect_text "$home_kk"

finish
