#!/bin/sh
# The engine never includes or links curses; only src/tui/ and screens/
# talk to ncurses (STYLE.md rules 1 and 2).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

bad=$(grep -lE '#[[:space:]]*include[[:space:]]*[<"]n?cursesw?(/|\.h)' \
	"$top_srcdir"/src/engine/*.c "$top_srcdir"/include/qoltanba/*.h \
	"$top_srcdir"/src/cli/*.c "$top_srcdir"/src/portald/*.c 2>/dev/null || true)
ok
[ -z "$bad" ] || fail "curses included outside src/tui and screens: $bad"

lib="$top_builddir/src/engine/libqtengine.a"
[ -f "$lib" ] || skip "engine library not built at $lib"
undef=$(nm -u "$lib" 2>/dev/null | grep -E ' (initscr|newterm|wgetch|endwin|mvw?addn?w?str|wrefresh)$' || true)
ok
[ -z "$undef" ] || fail "the engine library calls curses: $undef"

# Curses calls outside the terminal module.
calls=$(grep -lE '\b(initscr|newterm|endwin|wrefresh|doupdate|mvwaddstr|wgetch)\(' \
	"$top_srcdir"/src/engine/*.c "$top_srcdir"/src/cli/*.c "$top_srcdir"/src/portald/*.c 2>/dev/null || true)
ok
[ -z "$calls" ] || fail "curses calls outside src/tui and screens: $calls"
finish
