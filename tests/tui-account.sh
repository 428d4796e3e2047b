#!/bin/sh
# The personal account's sign-in and menu in a real terminal (tmux)
# against a real qoltanbad: a wrong password, the AUTH key shown before
# signing, the account's menu (a first head sees the approvals, an
# individual does not), signing out on leaving, the portal down when
# signing (nothing is lost, F5 carries on), a SIGN file refused, a
# revoked AUTH key refused with a pointer to a new application, the
# notice of keys that expire within 30 days (at start, from this
# computer's journal, and at sign-in, from the portal) with the days
# left, an expired key refused; and signing in with a token (SoftHSM2 as
# a Kaztoken) and its PIN, a wrong PIN told apart.
#
# Time is moved, not waited for: the portal with --test-clock-offset and
# qoltanba under faketime(1), by the same number of days.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/account-tui-lib.sh"
cd "$T"
at_init
at_holder ach chairman "$A_IIN" "$ALTYN_BIN"
at_holder b individual "$B_IIN"

# ---- sign-in: wrong password, the key shown, the menu -----------------------
at_start
keys 3
wait_for 'Personal account: sign in'
wait_for 'Key file on this computer'
keys F8
text "$(cat "$T/ach.auth")"
keys Tab
text Qwerty1
keys F2
wait_for 'Wrong password for this key file'
text Qwerty12
keys F2
wait_for 'The AUTH key that will sign in:'
wait_for 'ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ'
wait_for 'IIN 850314372249, BIN 060340138014'
wait_for '[ Sign in ]'
screen_now | grep -q 'Qwerty' && fail "the password shows on the screen"
keys F2
wait_for 'Signed in: ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ, IIN 850314372249'
wait_for 'Requests awaiting my approval'    # the chairman is the first head
wait_for 'List of DS keys'
keys Escape
wait_for 'Signed out of the personal account.'
# Coming back asks for the key again.
keys 3
wait_for 'Open the key'

# ---- an individual: no approvals --------------------------------------------
keys Escape
wait_for 'Open key store'
at_signin b
sleep 0.3
screen_now | grep -q 'awaiting my approval' && fail "an individual is offered the approvals"
keys 7      # Sign out (no approvals item)
wait_for 'Signed out of the personal account.'

# ---- the portal down: nothing typed is lost, F5 carries on -------------------
keys F10
pd_stop
at_start
at_open "$(cat "$T/ach.auth")"
wait_for 'The AUTH key that will sign in:'    # opening the key needs no portal
keys F2
wait_for 'Nothing is lost'
pd_start
keys F5
wait_for 'Signed in: ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ'
wait_for 'Requests awaiting my approval'
keys Escape
wait_for 'Signed out'

# ---- the SIGN file instead of the AUTH file ---------------------------------
at_open "$(ls "$T"/b/RSA256_*.p12 | head -1)"
wait_for 'This is not an AUTH key'
keys F2
wait_for 'The portal refused: sign in with the AUTH key'
screen_now | grep -q 'Signed in:' && fail "a SIGN key signed in"
keys Escape
wait_for 'Open key store'

# ---- a revoked AUTH key -------------------------------------------------------
B_AUTH=$(openssl pkcs12 -in "$(cat "$T/b.auth")" -passin file:"$T/pw" -nokeys -clcerts 2>/dev/null |
	openssl x509 -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
[ -n "$B_AUTH" ] || fail "could not read b's AUTH certificate with openssl"
at_cli b revoke "$B_AUTH" --reason key_compromise
[ "$rc" = 0 ] || fail "revoking b's AUTH key with the CLI: $out"
at_open "$(cat "$T/b.auth")"
wait_for 'will sign in:'
keys F2
wait_for 'This key has been revoked'
wait_for 'Obtain DS'
keys Escape
wait_for 'Open key store'
keys F10
i=0; while [ ! -s "$T/exit" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done

# ---- 340 days later: the expiry notice at start and at sign-in -----------------
if command -v faketime >/dev/null; then
	jq -e '.applications[] | select(.step=="installed") | .not_after' \
		"$XDG_STATE_HOME/qoltanba/applications.json" >/dev/null ||
		fail "the journal does not keep when installed keys expire"
	NACH=$(jq -r '.applications[] | select(.iin=="'"$A_IIN"'") | .number' \
		"$XDG_STATE_HOME/qoltanba/applications.json" | head -1)
	at_restart --test-clock-offset $((340 * 86400))
	AT_ENV="FAKETIME=+340d LD_PRELOAD=$(ls /usr/lib/*/faketime/libfaketime.so.1 | head -1)"
	at_start
	wait_for "The keys of application $NACH expire in 2"
	wait_for 're-issue them in the Personal account'
	at_signin ach
	wait_for 'key'
	wait_for 'expires in 2'
	wait_for 're-issue it while it is valid'
	wait_for 'Requests awaiting my approval'
	keys Escape
	wait_for 'Signed out'
	keys F10

	# ---- 366 days later: expired ----------------------------------------------
	at_restart --test-clock-offset $((366 * 86400))
	AT_ENV="FAKETIME=+366d LD_PRELOAD=$(ls /usr/lib/*/faketime/libfaketime.so.1 | head -1)"
	at_start
	screen_now | grep -q 'expire in' && fail "expired keys are announced as expiring"
	at_open "$(cat "$T/ach.auth")"
	wait_for 'This key expired on'
	keys F2
	wait_for 'This key has expired'
	wait_for 'Apply for new keys'
	keys F10
	AT_ENV=
	at_restart
else
	echo "# faketime(1) is not installed: the expiry notice is not tested here"
fi

# ---- a token: SoftHSM2 as a Kaztoken ---------------------------------------------
if at_token_holder; then
	at_start
	keys 3
	wait_for 'Personal account: sign in'
	keys Up Right
	wait_for 'Token or ID card'
	wait_for 'Token label'
	keys Tab
	text KT
	keys Tab
	text 11111
	keys F2
	wait_for 'Wrong PIN'
	text 40917
	keys F2
	wait_for 'The AUTH key that will sign in:'
	wait_for 'IIN 950201493046'
	keys F2
	wait_for 'Signed in:'
	wait_for 'With the AUTH key on token "KT"'
	wait_for "Change of the token's PIN"
	keys Escape
	wait_for 'Signed out'
else
	echo "# $SOFTHSM_MISSING: sign-in with a token not tested"
fi
finish
