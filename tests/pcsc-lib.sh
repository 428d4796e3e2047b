# A private pcscd with the vpcd virtual reader and tests/vcard.py, for
# the tests that need PC/SC (sourced after tests/lib.sh; sets WAIT).
#
# The pcscd is isolated from any other: in a private mount namespace its
# /run is a folder of $T, so its socket is $T/run/pcscd/pcscd.comm, which
# PCSCLITE_CSOCK_NAME points the clients at.  Without pcscd, vpcd,
# python3 or namespaces (no root, no user namespaces) the test skips.
#
#   start_pcscd DIR     a pcscd with the readers described in DIR
#   vpcd_readers DIR    writes the vpcd reader (on $PORT) into DIR
#   stop_pcscd
#   insert ATR / remove the virtual card in the first vpcd reader
#   until_match PATTERN CMD...  runs CMD until its output matches (10 s)
WAIT="$top_builddir/tests/pcsc_wait"

PCSCD=$(command -v pcscd || true)
[ -n "$PCSCD" ] || PCSCD=/usr/sbin/pcscd
[ -x "$PCSCD" ] || skip "pcscd not installed (package pcscd)"
VPCD=
for f in /usr/lib/pcsc/drivers/serial/libifdvpcd.so /usr/lib64/pcsc/drivers/serial/libifdvpcd.so \
	/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so; do
	[ -f "$f" ] && { VPCD=$f; break; }
done
[ -n "$VPCD" ] || skip "the vpcd reader driver is not installed (package vsmartcard-vpcd)"
command -v python3 >/dev/null || skip "python3 not installed"
command -v unshare >/dev/null || skip "unshare (util-linux) not installed"
UNSHARE="unshare -m --propagation private"
[ "$(id -u)" -eq 0 ] || UNSHARE="unshare -r -m --propagation private"
$UNSHARE true 2>/dev/null || skip "cannot make a mount namespace for a private pcscd (needs root or user namespaces)"

# Two free TCP ports in a row: vpcd listens on PORT and PORT+1.
PORT=$(python3 -c '
import random, socket
for _ in range(200):
    p = random.randrange(20000, 60000, 2)
    try:
        s = [socket.socket(), socket.socket()]
        s[0].bind(("127.0.0.1", p)); s[1].bind(("127.0.0.1", p + 1))
        print(p); break
    except OSError:
        pass
')

PCSCD_PID=
CARD_PID=
cleanup() {
	[ -n "$CARD_PID" ] && kill "$CARD_PID" 2>/dev/null
	[ -n "$PCSCD_PID" ] && kill "$PCSCD_PID" 2>/dev/null && wait "$PCSCD_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# start_pcscd READERDIR: a private pcscd with the readers of READERDIR.
start_pcscd() {
	mkdir -p "$T/run/pcscd"
	rm -f "$T/run/pcscd/pcscd.comm" "$T/run/pcscd/pcscd.pid"
	# shellcheck disable=SC2086
	$UNSHARE sh -c 'mount --bind "$1" /run && exec "$2" -f -c "$3"' sh \
		"$T/run" "$PCSCD" "$1" >"$T/pcscd.log" 2>&1 &
	PCSCD_PID=$!
	i=0
	while [ ! -S "$T/run/pcscd/pcscd.comm" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$PCSCD_PID" 2>/dev/null; then
			cat "$T/pcscd.log" >&2
			skip "pcscd did not start (see its log above)"
		fi
		sleep 0.1
	done
}
stop_pcscd() {
	kill "$PCSCD_PID" 2>/dev/null || true
	wait "$PCSCD_PID" 2>/dev/null || true
	PCSCD_PID=
}
export PCSCLITE_CSOCK_NAME="$T/run/pcscd/pcscd.comm"

# insert ATR / remove: the virtual card in the first vpcd reader.
insert() {
	python3 "$top_srcdir/tests/vcard.py" --port "$PORT" --atr "$1" >"$T/vcard.log" 2>&1 &
	CARD_PID=$!
}
remove() {
	kill "$CARD_PID" 2>/dev/null || true
	wait "$CARD_PID" 2>/dev/null || true
	CARD_PID=
}
# until_match PATTERN CMD...: run CMD until its output matches (10 s).
until_match() {
	pat=$1; shift
	i=0
	while :; do
		out=$("$@" 2>&1) || true
		printf '%s\n' "$out" | grep -Eq -- "$pat" && break
		i=$((i + 1))
		[ $i -lt 50 ] || break
		sleep 0.2
	done
	expect_match "$pat"
}

# vpcd_readers DIR: the vpcd reader, as pcscd's reader.conf wants it.
vpcd_readers() {
	mkdir -p "$1"
	cat >"$1/vpcd" <<EOF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$PORT
LIBPATH      $VPCD
CHANNELID    $PORT
EOF
}
