#!/bin/sh
# The personal account's profile, approvals and password pages in a real
# terminal (tmux) against a real qoltanbad, with keys made by real
# applications (tests/account-tui-lib.sh).  Each effect is checked
# outside the pages: the profile and the requests with `qoltanba
# account ... --json`, the key files with `openssl pkcs12`, the token's
# PIN with a sign-in of the command line.
#
#   profile    the holder's name and organisation; e-mail notices off and
#              language ru, Save: the portal has them; leaving with a
#              change asks, "Save" in that dialog saves it
#   approvals  an employee's re-issuance (command line) in the chairman's
#              list, approved there: the employee's request is issued
#              and approved; one approved from the command line while
#              the page shows it: declining it on the page is refused
#              clearly; one declined with a reason: the employee reads
#              it; a head the registry no longer names is told who
#              approves; the employee's own account has no approvals
#   password   both key files of the set, one after the other: the new
#              password opens them, the old one no longer; still signed in
#   PIN        signed in with a SoftHSM2 token: its PIN changed from the
#              page (skipped, with the reason, without SoftHSM2)
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/account-tui-lib.sh"

# p12_opens FILE PWFILE: openssl reads the key file with that password
# (modern files; NCA's legacy ones need -legacy).
p12_opens() {
	openssl pkcs12 -in "$1" -passin file:"$2" -noout 2>/dev/null ||
		openssl pkcs12 -legacy -in "$1" -passin file:"$2" -noout 2>/dev/null
}
check() {  # check DESCRIPTION CMD...
	d=$1; shift
	checks=$((checks + 1))
	"$@" >/dev/null 2>&1 || fail "$d"
}
jq_is() {  # jq_is DESCRIPTION FILTER VALUE: on $out's JSON line
	checks=$((checks + 1))
	got=$(printf '%s\n' "$out" | grep '^{' | tail -1 | jq -r "$2")
	[ "$got" = "$3" ] || fail "$1: $2 is \"$got\", expected \"$3\""
}

at_init
at_holder ach chairman "$A_IIN" "$ALTYN_BIN"
at_holder e employee "$E_IIN" "$ALTYN_BIN"

# ---- profile --------------------------------------------------------------
at_start
at_signin ach
wait_for 'Requests awaiting my approval'
keys End Up Enter
wait_for 'Personal account: profile'
wait_for 'ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ'
wait_for 'Алтын Дала'
wait_for '< Қазақша >'
wait_for '30, 14 and 7 days before'
# Language: Right (Русский); e-mail notices: Down, Space (off); Save.
keys Right Down Space
wait_for 'Changed, not saved yet'
keys F2
wait_for 'Saved.'
at_cli ach profile --json
jq_is "profile saved from the page" .notify_email false
jq_is "profile saved from the page" .language ru
jq_is "SMS notices untouched" .notify_sms true
# SMS off, then Esc: the page asks; "Save" there saves and leaves.
keys Down Space Escape
wait_for 'Settings not saved'
wait_for '[ Save ] [ Discard ] [ Stay ]'
keys Enter
wait_for 'Signed in:'
at_cli ach profile --json
jq_is "saved on the way out" .notify_sms false
jq_is "the rest as before" .language ru
# Another change: "Stay" keeps the page and the change, "Discard" leaves
# without sending it.
keys End Up Enter
wait_for '< Русский >'
keys Right
wait_for '< English >'
keys Escape
wait_for 'Settings not saved'
keys Right Right Enter
wait_for 'Changed, not saved yet'
wait_for '< English >'
keys Escape
wait_for 'Settings not saved'
keys Right Enter
wait_for 'Signed in:'
at_cli ach profile --json
jq_is "discarded, not sent" .language ru

# ---- approvals ----------------------------------------------------------------
at_cli e reissue --folder "$T/e2" --new-password-file "$T/pw" --json
jq_is "the employee's re-issuance waits" .approval awaiting_head
EN=$(printf '%s\n' "$out" | grep '^{' | tail -1 | jq -r .number)
keys 6
wait_for 'Personal account: approvals'
wait_for "$EN"
wait_for 'НҰРЛАНОВ ДӘУРЕН'
wait_for "$E_IIN"
keys Enter
wait_for "Re-issuance $EN: awaiting your approval"
wait_for 'in place of the key set of certificate'
keys Enter
wait_for "Approve re-issuance $EN"
keys Enter
wait_for "Approved: application $EN is issued"
wait_for 'Nothing to approve'
at_cli e requests --json
checks=$((checks + 1))
printf '%s\n' "$out" | grep '^{' | jq -e --arg n "$EN" \
	'.requests[] | select(.number==$n and .status=="issued" and .approval=="approved")' \
	>/dev/null || fail "the employee's request is not issued and approved: $out"

# Decided on the command line while the page shows it: the page's
# decision is refused, said so, and the list read again.
at_cli e reissue --folder "$T/e3" --new-password-file "$T/pw" --json
EN3=$(printf '%s\n' "$out" | grep '^{' | tail -1 | jq -r .number)
keys F5
wait_for "$EN3"
at_cli ach approvals approve "$EN3"
check "approved from the command line" test "$rc" = 0
keys Enter
wait_for "Re-issuance $EN3: awaiting your approval"
keys Tab Enter
wait_for 'Reason to decline'
wait_for 'It may stay empty'
text 'Ignored'
keys Enter
wait_for "Decline re-issuance $EN3"
keys Enter
wait_for "Re-issuance $EN3 was already decided"
wait_for 'Nothing to approve'
at_cli e requests --json
checks=$((checks + 1))
printf '%s\n' "$out" | grep '^{' | jq -e --arg n "$EN3" \
	'.requests[] | select(.number==$n and .approval=="approved")' >/dev/null ||
	fail "the first decision did not stand: $out"
# And the command line's second decision is refused as well.
at_cli ach approvals decline "$EN3" --reason late
check "a second decision refused" test "$rc" != 0
checks=$((checks + 1))
printf '%s' "$out" | grep -q 'already_decided\|already' || fail "no 'already decided': $out"

# Declined with a reason: the employee reads it.
at_cli e reissue --folder "$T/e4" --new-password-file "$T/pw" --json
EN4=$(printf '%s\n' "$out" | grep '^{' | tail -1 | jq -r .number)
keys F5
wait_for "$EN4"
keys Enter Tab Enter
wait_for 'Reason to decline'
text 'Use the new token from the office'
keys Enter
wait_for 'They will read: "Use the new token'
keys Enter
wait_for "Declined: application $EN4"
at_cli e requests --json
checks=$((checks + 1))
printf '%s\n' "$out" | grep '^{' | jq -e --arg n "$EN4" \
	'.requests[] | select(.number==$n and .approval=="declined" and (.reason | test("Use the new token")))' \
	>/dev/null || fail "the employee does not read the decline: $out"

# The registry names a new first head of the BIN: the page says who
# approves (and nothing else), and the menu no longer offers approvals.
printf 'bin,name,head_iin\n%s,"ЖШС ""Алтын Дала""",%s\n' "$ALTYN_BIN" "$E_IIN" >"$T/newhead.csv"
"$QOLTANBAD" registry import --data "$PD_DIR" --entities "$T/newhead.csv" >/dev/null 2>&1 ||
	fail "registry import of the new head"
keys F5
wait_for "Only the first head of BIN $ALTYN_BIN approves re-issuances"
wait_for 'no longer names you'
checks=$((checks + 1))
if screen_now | grep -q 'Number *Employee'; then fail "a list beside the not-head sentence"; fi
keys Escape
wait_for 'Signed in:'
checks=$((checks + 1))
if screen_now | grep -q 'Requests awaiting my approval'; then
	fail "the menu still offers approvals to a head the registry no longer names"
fi

# ---- password of both key files -----------------------------------------------
printf 'Newpass77\n' >"$T/newpw"
AUTHF=$(cat "$T/ach.auth")
SIGNF=$(ls "$T"/ach/RSA256_*.p12)
keys 5
wait_for 'Personal account: change of DS key password'
wait_for "AUTH key: $(basename "$AUTHF")"
wait_for "SIGN key: $(basename "$SIGNF")"
wait_for 'does not sign you out'
keys 3
for f in "$AUTHF" "$SIGNF"; do
	wait_for "$(basename "$f")"
	wait_for 'Current password'
	text Qwerty12
	keys Tab
	text Newpass77
	keys Tab
	text Newpass77
	keys F2
done
wait_for "New password on $(basename "$SIGNF")."
wait_for "New password on $(basename "$AUTHF")."
for f in "$AUTHF" "$SIGNF"; do
	check "$(basename "$f") opens with the new password" p12_opens "$f" "$T/newpw"
	checks=$((checks + 1))
	if p12_opens "$f" "$T/pw"; then fail "$(basename "$f") still opens with the old password"; fi
done
# Still signed in: the profile reads from the portal.
keys Escape
wait_for 'Signed in:'
keys End Up Enter
wait_for 'Personal account: profile'
wait_for '< Русский >'
keys Escape
wait_for 'Signed in:'

# ---- the employee: no approvals --------------------------------------------------
at_start
at_signin e
wait_for 'Profile'
checks=$((checks + 1))
if screen_now | grep -q 'Requests awaiting my approval'; then
	fail "the employee is offered the approvals"
fi

# ---- the PIN of a token (SoftHSM2) -------------------------------------------------
if ! at_token_holder; then
	echo "# SKIP part: $SOFTHSM_MISSING: the PIN change of a token sign-in is not tested"
	finish
	exit $?
fi
echo 73519 >"$T/newpin"
AT_ENV="SOFTHSM2_CONF=$SOFTHSM2_CONF" at_start
at_signin_token
wait_for "Change of the token's PIN"
keys 5
wait_for 'PIN of the token "KT"'
wait_for 'changing the PIN does not sign you'
keys Enter
wait_for 'Current PIN'
text 40917
keys Tab
text 73519
keys Tab
text 73519
keys F2
wait_for "The token's PIN was changed; still signed in."
# Still signed in, and the token takes only the new PIN.
keys Escape
wait_for 'Signed in:'
expect_exit 0 "$QOLTANBA" account keys --token KT --pin-file "$T/newpin" --portal "$PD_URL" --json
expect_exit 2 "$QOLTANBA" account keys --token KT --pin-file "$T/pin" --portal "$PD_URL"
finish
