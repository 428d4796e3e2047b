#!/bin/sh
# With no portal configured, the pages use the local portal: qoltanba
# starts qoltanbad on loopback (data in $XDG_DATA_HOME/qoltanba/portal),
# the title line says "Local portal", the RA console signs in with the
# local operator key and password already filled in, and the daemon is
# gone when qoltanba exits.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
[ -x "$top_builddir/qoltanbad" ] || skip "qoltanbad was not built"

cd "$T"
tui 80x24 '6<F2>'
expect_text 'Registration Authority: applications                   Local portal'
expect_text 'Pending applications: 0.'
check_data="$XDG_DATA_HOME/qoltanba/portal"
checks=$((checks + 1))
[ -f "$check_data/operator.p12" ] || fail "no local operator key in $check_data"
# The daemon's pid file names the process it started; it must be gone.
checks=$((checks + 1))
if [ -f "$check_data/qoltanbad.pid" ]; then
	pid=$(cat "$check_data/qoltanbad.pid")
	if kill -0 "$pid" 2>/dev/null; then
		fail "qoltanbad ($pid) still runs after qoltanba exited"
		kill "$pid" || true
	fi
fi
# An application goes to it like to any portal.
tui 80x24 '1'
expect_text 'Legal Entities - Chairman'
expect_text 'Local portal'
finish
