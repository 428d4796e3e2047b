#!/bin/sh
# The terminal UI in Russian (--lang=ru): the exact home screen and key
# list at 80x24, and at 80x24 and 120x40 the pages fit the width
# (measured in cells) and keep Quit in the status bar.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
command -v msgfmt >/dev/null || skip "msgfmt not installed"
command -v gettext >/dev/null || skip "gettext (gettext-base) not installed"

mkdir -p "$T/locale/ru/LC_MESSAGES"
if ! msgfmt -o "$T/locale/ru/LC_MESSAGES/qoltanba.mo" "$top_srcdir/po/ru.po"; then
	fail "po/ru.po does not compile"
	finish
fi
export QOLTANBA_LOCALEDIR="$T/locale"
ru() { LANGUAGE=ru TEXTDOMAINDIR="$T/locale" gettext -d qoltanba "$1"; }

cd "$T"
cp -R "$QT_FIXTURES/nca-sdk-2020" fx
export TUI_ARGS=--lang=ru

tui 80x24 ''
# The RA item is named as the catalogue names it (translated or not yet).
sed "s/@RA@/$(ru 'Registration Authority')/" <<'SCREEN' | expect_screen "Russian home at 80x24"
 qoltanba — Главная

    Ключи ЭЦП НУЦ РК
    Выберите стрелками и Enter или нажмите цифру.


      1  Получение ключей ЭЦП
      2  Проверка статуса запроса
      3  Личный кабинет
    ▸ 4  Открыть хранилище ключей
      5  Настройки
      6  @RA@
      7  Выход

      Ключи в папке или на токене: просмотр, смена пароля или PIN-кода.








F1/^G Справка  Enter Открыть  F10/^X Выход
SCREEN

tui 80x24 '41<C-u>fx/organization/active<Enter>'
expect_screen "Russian key list at 80x24" <<'SCREEN'
 qoltanba — Ключи в папке
  fx/organization/active
    Тип   Владелец                 ИИН          Истекает   Состояние
  ▸ AUTH  ТЕСТОВ ТЕСТ, АО "ТЕСТ"   123456789011 2021-01-27 ИСТЁК
    SIGN  ТЕСТОВ ТЕСТ, АО "ТЕСТ"   123456789011 2021-01-27 ИСТЁК, GOST
















  Введите текст для фильтра   (2)

F1/^G Справка  Enter Открыть  F9/^K Открыть все  Esc Назад  F10/^X Выход
SCREEN

# fits SIZE: no line wider than the screen, Quit still in the bar.
fits() {
	checks=$((checks + 1))
	widest=$(printf '%s\n' "$out" | wc -L)
	[ "$widest" -le "${1%x*}" ] || fail "a line is $widest cells wide at $1"
	expect_text "F10/^X $(ru Quit)"
}

for size in 80x24 120x40; do
	tui $size ''
	fits $size
	tui $size '41<C-u>fx/organization/active<Enter>'
	fits $size
	tui $size '41<C-u>fx/organization/active<Enter><Enter>Qwerty12<Enter>'
	expect_text "$(ru 'Key details')"
	expect_text 'ТЕСТОВ, ТЕСТОВИЧ'
	fits $size
	# The password form: its status bar is the longest one.
	tui $size '41<C-u>fx/organization/active<Enter><Enter>Qwerty12<Enter><F6>'
	expect_text "$(ru 'Change the password')"
	expect_text "F4/^T $(ru Show)"
	fits $size
	tui $size '<F1>'
	expect_text "$(ru 'Help: keys')"
	fits $size
	# The personal account's sign-in, with a token chosen.
	tui $size '3<BTab><Right>'
	expect_text "$(ru 'Personal account: sign in')"
	expect_text "$(ru 'Token or ID card')"
	expect_text "$(ru 'Token label')"
	fits $size
done

finish
