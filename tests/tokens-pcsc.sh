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

. "$top_srcdir/tests/pcsc-lib.sh"

# qoltanba's own configuration: no PKCS#11 modules (this test is PC/SC).
mkdir -p "$XDG_CONFIG_HOME/qoltanba"
printf 'p11-kit = no\n' >"$XDG_CONFIG_HOME/qoltanba/config"

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
