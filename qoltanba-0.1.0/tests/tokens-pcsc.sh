#!/bin/sh
# Readers and cards through a real pcscd with the vpcd virtual reader
# (vsmartcard) and tests/vcard.py, a card that presents a chosen ATR:
# detection of the medium by ATR, an unknown ATR, an empty reader, no
# reader, no pcscd, and insertion and removal while a wait is running.
#
# The test runs its own pcscd, isolated from any other: in a private
# mount namespace its /run is a folder of $T, so its socket is
# $T/run/pcscd/pcscd.comm, which PCSCLITE_CSOCK_NAME points the clients
# at.  Without namespaces (no root, no user namespaces) it skips.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
export QOLTANBA_DATADIR="$top_srcdir/data"
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

# qoltanba's own configuration: no PKCS#11 modules (this test is PC/SC).
mkdir -p "$XDG_CONFIG_HOME/qoltanba"
printf 'p11-kit = no\n' >"$XDG_CONFIG_HOME/qoltanba/config"

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

KAZTOKEN_ATR=3B88014B415A544F4B454E82FF01
UNKNOWN_ATR=3B8F800180318065B0850300EF120FFF82900073

# -- No pcscd at all.
expect_exit 0 env PCSCLITE_CSOCK_NAME="$T/nothing/pcscd.comm" "$QOLTANBA" tokens
expect_match 'pcscd\) is not running'

# -- pcscd without readers.
mkdir -p "$T/noreaders"
start_pcscd "$T/noreaders"
expect_exit 0 "$QOLTANBA" tokens
expect_match 'No smart-card reader or token is connected'
expect_exit 0 "$QOLTANBA" tokens --json
expect_match '"code":[[:space:]]*400'
stop_pcscd

# -- pcscd with the vpcd reader.
mkdir -p "$T/readers"
cat >"$T/readers/vpcd" <<EOF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$PORT
LIBPATH      $VPCD
CHANNELID    $PORT
EOF
start_pcscd "$T/readers"

# An empty reader, and waiting for a card that does not come.
until_match 'Virtual PCD 00 00: empty' "$QOLTANBA" tokens
expect_exit 1 "$QOLTANBA" tokens --wait 1
expect_match 'reader is empty'

# A wait in progress sees the Kaztoken arrive and leave.
"$WAIT" events 2 15000 >"$T/events" 2>&1 &
wpid=$!
i=0
until grep -q waiting "$T/events" 2>/dev/null || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
insert "$KAZTOKEN_ATR"
i=0
until grep -q '^inserted' "$T/events" || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
remove
wait "$wpid" || true
out=$(cat "$T/events")
expect_match "^inserted Virtual PCD 00 00\|kaztoken\|$KAZTOKEN_ATR$"
expect_match '^removed Virtual PCD 00 00$'
until_match 'Virtual PCD 00 00: empty' "$QOLTANBA" tokens

# Polling with a zero timeout (a screen's idle handler) sees it too.
"$WAIT" poll 15000 >"$T/poll" 2>&1 &
wpid=$!
i=0
until grep -q waiting "$T/poll" 2>/dev/null || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
insert "$KAZTOKEN_ATR"
wait "$wpid" || true
out=$(cat "$T/poll")
expect_match '^polled Virtual PCD 00 00\|kaztoken$'

# Detection: the medium by ATR, in text and JSON.
until_match "Virtual PCD 00 00: Kaztoken \(ATR $KAZTOKEN_ATR\)" "$QOLTANBA" tokens
expect_exit 0 "$QOLTANBA" tokens --json
expect_match '"medium":[[:space:]]*"kaztoken"'
expect_exit 0 "$WAIT" card 5000
expect_match '^card Virtual PCD 00 00\|kaztoken$'
expect_exit 0 "$QOLTANBA" tokens --wait 5
expect_match 'Kaztoken'
remove
# pcscd keeps a card's ATR until it has seen the card go: wait for that
# before the next card, as a person swapping tokens would.
until_match 'Virtual PCD 00 00: empty' "$QOLTANBA" tokens

# An unknown ATR: shown, with the sentence that says where to add it.
insert "$UNKNOWN_ATR"
until_match "unknown card, ATR $UNKNOWN_ATR" "$QOLTANBA" tokens
expect_match "MEDIUM $UNKNOWN_ATR\" to $XDG_CONFIG_HOME/qoltanba/atr.conf"
expect_match 'idcard, kaztoken, etoken72k'
# ... and once added there, it is recognised.
printf '# our new tokens\njacarta %s\n' "$(printf %s "$UNKNOWN_ATR" | cut -c1-16)" \
	>"$XDG_CONFIG_HOME/qoltanba/atr.conf"
expect_exit 0 "$QOLTANBA" tokens
expect_match "Virtual PCD 00 00: JaCarta \(ATR $UNKNOWN_ATR\)"
printf 'jacarta 3BZZ\n' >>"$XDG_CONFIG_HOME/qoltanba/atr.conf"
expect_exit 0 "$QOLTANBA" tokens
expect_match 'atr\.conf:3: the ATR prefix is not hex'
remove

# Cancelling a wait: from another thread (SCardCancel), and from the
# callback a screen gives (its Esc key).
expect_exit 0 "$WAIT" cancel-thread 300
expect_match '^cancelled$'
"$WAIT" cancel-file "$T/esc" >"$T/cancel.out" 2>&1 &
cpid=$!
sleep 0.5
touch "$T/esc"
wait "$cpid" || true
out=$(cat "$T/cancel.out")
expect_match '^cancelled$'
finish
