# Shared helpers for the shell tests.  Source it; it sets -eu, makes a
# temporary folder $T that is removed on exit, and counts checks.
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${QT_FIXTURES:=$top_srcdir/tests/fixtures}"
QOLTANBA="$top_builddir/qoltanba"
export LC_ALL=${LC_ALL:-C.UTF-8} TZ=UTC
T=$(mktemp -d "${TMPDIR:-/tmp}/qt-test.XXXXXX")
export HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" XDG_DATA_HOME="$T/home/.local/share" \
	XDG_STATE_HOME="$T/home/.local/state"
mkdir -p "$HOME"
trap 'rm -rf "$T"' EXIT
checks=0
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { checks=$((checks + 1)); }
skip() { echo "SKIP: $*"; exit 77; }

# expect_exit CODE CMD...: run CMD, check its exit code; output in $out.
expect_exit() {
	want=$1; shift
	set +e
	out=$("$@" 2>&1)
	got=$?
	set -e
	checks=$((checks + 1))
	if [ "$got" != "$want" ]; then
		fail "$* exited $got, expected $want; output: $out"
	fi
}

# expect_match PATTERN: $out matches the extended regex.
expect_match() {
	checks=$((checks + 1))
	if ! printf '%s\n' "$out" | grep -Eq -- "$1"; then
		fail "output does not match /$1/: $out"
	fi
}

finish() {
	echo "$checks checks, $failures failed"
	[ "$failures" -eq 0 ]
}
