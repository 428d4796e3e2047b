#!/bin/sh
# "Connect the media" against a real pcscd with the vpcd reader and
# tests/vcard.py (tests/pcsc-lib.sh): the screen waits, a Kaztoken is
# inserted, and the screen shows it; an unknown ATR is shown in hex with
# the file to add it to; no reader is said as such.  In tmux (when
# there): Esc cancels the wait, F5 waits again.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
export QOLTANBA_DATADIR="$top_srcdir/data"
. "$top_srcdir/tests/pcsc-lib.sh"
. "$top_srcdir/tests/tmux-lib.sh"

mkdir -p "$XDG_CONFIG_HOME/qoltanba"
# No PKCS#11 modules (this test is PC/SC); a short wait for the cases
# where nothing comes.
printf 'p11-kit = no\nmedia_wait = 2\n' >"$XDG_CONFIG_HOME/qoltanba/config"
KAZTOKEN_ATR=3B88014B415A544F4B454E82FF01
UNKNOWN_ATR=3B8F800180318065B0850300EF120FFF82900073

# -- pcscd without readers: said as such after the wait.
mkdir -p "$T/noreaders"
start_pcscd "$T/noreaders"
tui 80x24 '44'
expect_text 'No smart-card reader or token is connected.'
expect_text 'Plug in the reader, or the token (a USB token is its own reader)'
stop_pcscd

# -- The vpcd reader, empty: nothing comes in the time allowed.
vpcd_readers "$T/readers"
start_pcscd "$T/readers"
until_match 'Virtual PCD 00 00: empty' "$QOLTANBA" tokens
tui 80x24 '44'
expect_text 'Nothing was connected in 2 seconds.'
expect_text 'Virtual PCD 00 00: empty'

# -- In a real terminal (tmux): the wait runs in the worker thread while
# the spinner turns; Esc cancels it; F5 waits again and sees the card.
if command -v tmux >/dev/null; then
	SOCK="$T/tmux.sock"
	trap 'tmux -S "$SOCK" kill-server 2>/dev/null || true; cleanup' EXIT
	printf 'p11-kit = no\nmedia_wait = 30\n' >"$XDG_CONFIG_HOME/qoltanba/config"
	wait_for() { tmux_wait "$1" 100; }
	tmux -S "$SOCK" new-session -d -x 80 -y 24 "env TERM=xterm-256color HOME=$HOME \
		XDG_CONFIG_HOME=$XDG_CONFIG_HOME PCSCLITE_CSOCK_NAME=$PCSCLITE_CSOCK_NAME \
		QOLTANBA_DATADIR=$QOLTANBA_DATADIR LC_ALL=C.UTF-8 $QOLTANBA; sleep 600"
	wait_for 'Open key store'
	tmux -S "$SOCK" send-keys 4
	wait_for 'Where are the keys?'
	tmux -S "$SOCK" send-keys 4
	wait_for 'Waiting for the Kaztoken'
	wait_for 'Esc cancels'
	tmux -S "$SOCK" send-keys Escape
	wait_for 'Waiting was cancelled.'
	tmux -S "$SOCK" send-keys F5
	wait_for 'Esc cancels'
	# A resize while waiting: the box is drawn again, the page after.
	tmux -S "$SOCK" resize-window -x 100 -y 30
	wait_for 'Esc cancels'
	insert "$KAZTOKEN_ATR"
	wait_for "Virtual PCD 00 00: Kaztoken (ATR $KAZTOKEN_ATR)"
	checks=$((checks + 1))
	[ "$(screen_now | tail -n1 | cut -c1-11)" = 'F1/^G Help ' ] && [ "$(screen_now | wc -l)" -eq 30 ] ||
		fail "not drawn at 100x30 after the resize: $(screen_now)"
	tmux -S "$SOCK" send-keys F10
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	remove
	until_match 'Virtual PCD 00 00: empty' "$QOLTANBA" tokens
fi

# -- The screen waits; the Kaztoken is inserted; the screen shows it.
printf 'p11-kit = no\nmedia_wait = 30\n' >"$XDG_CONFIG_HOME/qoltanba/config"
printf '44' >"$T/keys"
"$QOLTANBA" --headless=80x24 --keys="$T/keys" >"$T/screen" 2>"$T/tui.err" &
qpid=$!
sleep 1.5
checks=$((checks + 1))
kill -0 "$qpid" 2>/dev/null || fail "the screen did not wait for the media: $(cat "$T/screen")"
insert "$KAZTOKEN_ATR"
wait "$qpid" || fail "qoltanba exited $?: $(cat "$T/tui.err")"
out=$(cat "$T/screen")
expect_screen "the Kaztoken arrives" <<SCREEN
 qoltanba — Connect the media

  Connect the Kaztoken to this computer (a card goes into its reader).

  Readers
    Virtual PCD 00 00: Kaztoken (ATR $KAZTOKEN_ATR)
    Virtual PCD 00 01: empty

  Press Enter to choose the token and type its PIN.














F1/^G Help  Enter Open  F5/^R Reload  F3/Esc Back  F10/^X Quit
SCREEN
# Chosen as a JaCarta, it is said to be a Kaztoken.
tui 80x24 '43'
expect_text 'This is a Kaztoken, not the JaCarta you chose.'
# Enter goes on to the tokens (none: no PKCS#11 module here).
tui 80x24 '44<Enter>'
expect_text 'No PKCS#11 token was found.'
remove
until_match 'Virtual PCD 00 00: empty' "$QOLTANBA" tokens

# -- An unknown ATR: in hex, with the file to add it to.
insert "$UNKNOWN_ATR"
until_match "unknown card, ATR $UNKNOWN_ATR" "$QOLTANBA" tokens
tui 120x40 '44'
expect_text "Virtual PCD 00 00: unknown card, ATR $UNKNOWN_ATR"
expect_text "This ATR is not in qoltanba's table. If the card is a key medium, add the line \"MEDIUM"
expect_text "$XDG_CONFIG_HOME/qoltanba/atr.conf (for you)"
remove
finish
