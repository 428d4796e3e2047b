#!/bin/sh
# Re-issuance and request tracking in the personal account, in a real
# terminal (tmux) against a real qoltanbad:
#  (a) an employee re-issues to a PC folder through the pages: without
#      the confirmation ticked nothing is sent; ticked, the request goes
#      out and waits for the first head; tracking says so; the CLI cannot
#      install it before the approval; the chairman approves it (CLI);
#      tracking (F5) shows it issued, Enter installs it with the new
#      password, `openssl pkcs12` opens the new AUTH and SIGN files with
#      it, and tracking then says installed;
#  (b) re-issuance with a key that is revoked (during the session) or
#      expired (the portal's clock a year on) is refused with the pointer
#      to a new application, and nothing else is offered.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/account-tui-lib.sh"
command -v jq >/dev/null || skip "jq is not installed"
command -v openssl >/dev/null || skip "openssl CLI not installed"
cd "$T"
JOURNAL="$XDG_STATE_HOME/qoltanba/applications.json"
printf 'Newpass34\n' >"$T/newpw"
at_init
at_holder ach chairman "$A_IIN" "$ALTYN_BIN"
at_holder e employee "$E_IIN" "$ALTYN_BIN"
# quit: F10, and wait until qoltanba has ended (its run.sh writes $T/exit
# afterwards, which must not land in the next session).
quit() {
	keys F10
	i=0; while [ ! -s "$T/exit" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
}
requests_on_portal() {  # requests_on_portal NAME: how many the portal has
	at_cli "$1" requests --json
	printf '%s\n' "$out" | grep '^{' | jq -r .count
}

# ---- (a) the employee's re-issuance, through the pages -------------------------
at_start
at_signin e
keys 2
wait_for 'New AUTH and SIGN keys in place of certificate'
wait_for "$E_IIN"
wait_for "$ALTYN_BIN"
wait_for 'e@example.kz'
wait_for "$(basename "$T")/e"   # beside the key signed in with (the field shows its end)
wait_for 'I confirm the data and ask for new keys'
text Newpass34
keys Tab
text Newpass3
wait_for 'Differs from the password'
text 4
wait_for 'Same'
keys F2
wait_for 'Tick "I confirm the data and ask for new keys" first'
[ "$(requests_on_portal e)" = 1 ] || fail "a request went out without the confirmation"
ls "$T"/e/PENDING_* >/dev/null 2>&1 && fail "keys were made without the confirmation"
screen_now | grep -q 'Newpass' && fail "the new password shows on the screen"
keys Space
wait_for '[x]'
keys F2
wait_for 'is sent.'
wait_for 'Waiting for the first head of BIN 060340138014 to approve it'
EN=$(jq -r '.applications[-1].number' "$JOURNAL")
AK=$(jq -r '.applications[-1].auth_keyid' "$JOURNAL")
SK=$(jq -r '.applications[-1].sign_keyid' "$JOURNAL")
wait_for "Request $EN is sent."
wait_for 'approval: awaiting the first head'
check "the request is on the portal" test "$(requests_on_portal e)" = 2
check "journal: submitted" test "$(jq -r '.applications[-1].step' "$JOURNAL")" = submitted
check "new pending AUTH key in the folder" test -f "$T/e/PENDING_AUTH_$AK.key"
at_cli e requests --json
printf '%s\n' "$out" | grep '^{' | jq -e ".requests[] | select(.number==\"$EN\") |
	select(.online and .approval==\"awaiting_head\" and .status==\"submitted\")" >/dev/null ||
	fail "the portal does not hold $EN as an online re-issuance awaiting the head: $out"

keys Escape
wait_for 'Tracking the request status'
keys 4
wait_for 'Approval'
wait_for "$EN"
wait_for "Request $EN: awaiting."
wait_for 'Approval: awaiting the first head.'
wait_for 'approves it in their account'
# Not issued: the CLI refuses to install it, and Enter has nothing to do.
expect_exit 1 "$QOLTANBA" install "$EN" --keys "$T/e" --password-file "$T/newpw" --portal "$PD_URL"
check "no new key file before the approval" test ! -e "$T/e/AUTH_RSA256_$AK.p12"
keys Enter
wait_for 'is not issued: there is nothing to install'

at_cli ach approvals approve "$EN"
[ "$rc" = 0 ] || fail "the chairman's approval: $out"
keys F5
wait_for "Request $EN: issued: install it."
wait_for 'Approval: approved by the first head.'
wait_for "Enter installs the certificates (the keys are in $T/e)"
keys Enter
wait_for 'Install the certificates'
text Newpass34
keys F2
wait_for 'Certificates installed'
wait_for "AUTH_RSA256_$AK.p12"
for f in "AUTH_RSA256_$AK.p12" "RSA256_$SK.p12"; do
	check "$f opens with the new password" \
		openssl pkcs12 -in "$T/e/$f" -passin file:"$T/newpw" -noout
	expect_exit 1 openssl pkcs12 -in "$T/e/$f" -passin file:"$T/pw" -noout
done
keys Escape
wait_for "Request $EN: installed."
wait_for 'Its certificates are installed.'
at_cli e requests --json
printf '%s\n' "$out" | grep '^{' | jq -e ".requests[] | select(.number==\"$EN\") |
	select(.status==\"installed\" and .approval==\"approved\")" >/dev/null ||
	fail "the portal does not say $EN is installed: $out"

# ---- (b) a revoked key: refused, a new application instead ---------------------
# The old SIGN key, chosen in the List of DS keys while it was valid, is
# revoked (CLI) before "Re-issue" is chosen in its details: the page for
# that serial refuses it.
at_cli e keys --json
E_SIGN=$(printf '%s\n' "$out" | grep '^{' |
	jq -r ".keys[] | select(.purpose==\"sign\" and .number!=\"$EN\") | .serial")
[ -n "$E_SIGN" ] || fail "no old SIGN serial in: $out"
keys Escape
wait_for 'List of DS keys'
keys 1
wait_for 'valid'
text "$(printf '%.7s' "$E_SIGN")"
wait_for "$(printf '%.7s' "$E_SIGN")"
keys Enter
wait_for '[ Re-issue ]'
at_cli e revoke "$E_SIGN" --reason key_compromise
[ "$rc" = 0 ] || fail "revoking the old SIGN key with the CLI: $out"
keys Right Enter
wait_for 'This key has been revoked'
wait_for '(Home, "Obtain DS keys")'
wait_for "$E_SIGN is revoked"
screen_now | grep -qE 'I confirm|Re-issue \]|New key password' &&
	fail "a revoked SIGN key is offered a re-issuance"
keys Escape
wait_for 'List of DS keys'
keys Escape

# The AUTH key signed in with is revoked (with the new key, from the CLI)
# while the account is open: the menu's Re-issuance (of that key) refuses.
E_AUTH=$(openssl pkcs12 -in "$(cat "$T/e.auth")" -passin file:"$T/pw" -nokeys -clcerts |
	openssl x509 -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
expect_exit 0 "$QOLTANBA" account revoke "$E_AUTH" --reason superseded \
	--key "$T/e/AUTH_RSA256_$AK.p12" --password-file "$T/newpw" --portal "$PD_URL"
wait_for 'Re-issuance of DS keys'
keys 2
wait_for 'This key has been revoked'
wait_for 'Apply'
wait_for '(Home, "Obtain DS keys")'
screen_now | grep -qE 'I confirm|Re-issue \]|New key password' &&
	fail "a revoked key is offered a re-issuance"
[ "$(requests_on_portal ach)" = 1 ] || fail "the chairman has requests he did not make"
quit

# ---- onto the token signed in with (SoftHSM2 as a Kaztoken) ---------------------
# An individual's re-issuance is issued at once: "Install now", with the PIN.
if at_token_holder; then
	at_start
	at_signin_token
	keys 2
	wait_for 'New AUTH and SIGN keys in place of certificate'
	wait_for 'signed in with this token: no PIN needed'
	keys Space F2
	wait_for 'is sent.'
	wait_for 'Status: issued: install it; approval: no approval needed.'
	wait_for 'The new keys wait on the token "KT"'
	wait_for '[ Install now ]'
	NR=$(jq -r '.applications[-1].number' "$JOURNAL")
	check "journal: the re-issuance is on the token" \
		test "$(jq -r '.applications[-1].storage' "$JOURNAL")" = KT
	keys Enter
	wait_for 'Install the certificates'
	text 40917
	keys F2
	wait_for 'Certificates installed'
	keys Escape
	wait_for 'The certificates are installed beside the new keys on the token "KT"'
	expect_exit 0 "$QOLTANBA" account requests --token KT --pin-file "$T/pin" --portal "$PD_URL" --json
	printf '%s\n' "$out" | grep '^{' | jq -e ".requests[] | select(.number==\"$NR\") |
		select(.status==\"installed\" and .online)" >/dev/null ||
		fail "the portal does not say $NR is installed: $out"
	expect_exit 0 "$QOLTANBA" account keys --token KT --pin-file "$T/pin" --portal "$PD_URL" --json
	expect_match '"count":4'
	quit
else
	echo "# $SOFTHSM_MISSING: re-issuance onto a token not tested"
fi

# ---- qoltanba killed between the keys and the sending ----------------------------
# The journal keeps the re-issuance; `qoltanba apply --resume` does not
# send it as an application; Tracking sends it, without new keys.
AT_ENV="QT_TEST_CRASH_AT=enroll_generated"
at_start
AT_ENV=
at_signin ach
keys 2
wait_for 'I confirm the data and ask for new keys'
text Newpass34
keys Tab
text Newpass34
keys Tab Space F2
i=0; while [ ! -s "$T/exit" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat "$T/exit" 2>/dev/null)" = 137 ] ||
	{ fail "qoltanba was not killed after making the keys: exit $(cat "$T/exit" 2>/dev/null)"; screen_now >&2; }
ACH_AUTH=$(openssl pkcs12 -in "$(cat "$T/ach.auth")" -passin file:"$T/pw" -nokeys -clcerts |
	openssl x509 -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
check "journal: the re-issuance's keys, not sent" \
	test "$(jq -r '.applications[-1] | .step + " " + .reissue_of' "$JOURNAL")" = "keys_generated $ACH_AUTH"
CK=$(jq -r '.applications[-1].auth_keyid' "$JOURNAL")
check "its pending key is kept" test -f "$T/ach/PENDING_AUTH_$CK.key"
expect_exit 1 "$QOLTANBA" apply --resume --portal "$PD_URL"
expect_match 'personal account'
check "not sent as an application" test "$(requests_on_portal ach)" = 1
check "journal unchanged by --resume" \
	test "$(jq -r '.applications[-1].step' "$JOURNAL")" = keys_generated
at_start
# "Check request status" lists it, and points to the personal account
# instead of offering to send it as an application.
keys 2
wait_for 'keys made, not sent'
keys Enter
wait_for 'never reached the portal. Send'
wait_for 'Personal account: Tracking the request status.'
screen_now | grep -q 'Send the application' && fail "a re-issuance is offered as an application"
keys Escape
wait_for 'Open key store'
at_signin ach
keys 4
wait_for 'keys made, not sent'
wait_for "Re-issuance of certificate $ACH_AUTH:"
wait_for 'never reached the portal.'
wait_for 'Enter sends it now'
keys Enter
wait_for 'is sent: issued at once, Enter installs it.'
CN=$(jq -r '.applications[-1].number' "$JOURNAL")
check "the kept keys went out" test "$(jq -r '.applications[-1].auth_keyid' "$JOURNAL")" = "$CK"
check "one re-issuance on the portal" test "$(requests_on_portal ach)" = 2
at_cli ach requests --json
printf '%s\n' "$out" | grep '^{' | jq -e ".requests[] | select(.number==\"$CN\") |
	select(.online and .previous_serial==\"$ACH_AUTH\")" >/dev/null ||
	fail "the portal does not hold $CN as the re-issuance of $ACH_AUTH: $out"
screen_now | grep -q 'keys made, not sent' && fail "the sent re-issuance is still listed as unsent"
quit

# ---- (b) an expired current key ------------------------------------------------
# Signed in while valid; then the portal's clock moves a year on: the key
# has expired by the time Re-issuance asks for the current certificate.
at_start
at_signin ach
at_restart --test-clock-offset $((366 * 86400))
keys 2
wait_for 'This key has expired'
wait_for 'Apply'
wait_for '(Home, "Obtain DS keys")'
screen_now | grep -qE 'I confirm|Re-issue \]|New key password' &&
	fail "an expired key is offered a re-issuance"
quit
at_restart
[ "$(requests_on_portal ach)" = 2 ] || fail "an expired key sent a re-issuance"
finish
