#!/bin/sh
# Kiosk mode (issue 8), headless at 80x24 against a real qoltanbad: the
# kiosk's Home, keys pressed to escape it (Ctrl-Z, Ctrl-\, Ctrl-C, every
# F-key, Esc, the signals, a very long input), the operator code given
# wrong three times (lock-out, log), folder roots (one missing, a symlink
# and ".." out of a root), the idle timeout wiping the form, a terminal
# smaller than 80x24, a user's file that tries to turn the kiosk off,
# the high-contrast theme, and qoltanba kiosk-code.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
. "$top_srcdir/tests/portald-lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed (free port)"

cd "$T"
pd_init --no-captcha
pd_start
trap 'pd_cleanup' EXIT

# ---- qoltanba kiosk-code ---------------------------------------------------
printf 'Kiosk-op1\n' > code
expect_exit 0 "$QOLTANBA" kiosk-code --code-file code --iterations 1000
expect_match '^kiosk\.operator_code = pbkdf2-sha256\$1000\$[0-9a-f]{32}\$[0-9a-f]{64}$'
checks=$((checks + 1))
case $out in *Kiosk-op1*) fail "kiosk-code printed the code itself" ;; esac
LINE=$out
# The default strength, and a fresh salt every time.
expect_exit 0 "$QOLTANBA" kiosk-code --code-file code
expect_match '^kiosk\.operator_code = pbkdf2-sha256\$600000\$'
checks=$((checks + 1))
[ "$out" != "$LINE" ] || fail "two hashes of one code are equal (no salt?)"
printf 'abc\n' > short
expect_exit 1 "$QOLTANBA" kiosk-code --code-file short
expect_match 'at least 6 characters'
expect_exit 64 "$QOLTANBA" kiosk-code --iterations 5

# ---- The system configuration ----------------------------------------------
mkdir media outside
ln -s "$T/outside" media/link
{
	echo "$LINE"
	echo "kiosk = yes"
	echo "kiosk.roots = $T/media:$T/gone"
	echo "kiosk.idle = 120"
	echo "kiosk.log = $T/kiosk.log"
} > sys.conf
export QOLTANBA_SYSCONF="$T/sys.conf" TUI_ARGS="--portal=$PD_URL"
# A user's file that tries to leave the kiosk and bring its own code.
mkdir -p "$XDG_CONFIG_HOME/qoltanba"
printf 'kiosk = no\nkiosk.operator_code = %s\nkiosk.roots = /\nkiosk.idle = 0\n' \
	"$(printf 'Mine-123\n' > mine; "$QOLTANBA" kiosk-code --code-file mine --iterations 1000 |
	   sed 's/.* = //')" > "$XDG_CONFIG_HOME/qoltanba/config"

ktui() {
	tui 80x24 "$1"
	out=$(printf '%s\n' "$out" | sed -E -e 's/ +Portal 127\.0\.0\.1:[0-9]+$//' -e "s|$T|\$T|g")
}

ktui ''
expect_screen "kiosk home" <<'SCREEN'
 qoltanba — Kiosk

    NCA RK digital-signature keys
    Choose with the arrows and Enter, or press the number.


    ▸ 1  Obtain DS keys
      2  Check request status and install certificates
      3  Language: English / Русский / Қазақша
      4  Operator

      Apply for new keys: the keys are made on your removable media or
      token, and the request goes to the NCA.










F1/^G Help  Enter Open
SCREEN

# ---- Keys pressed to escape --------------------------------------------------
ESCAPES='<C-z><C-\><C-c><C-x><C-d><Esc><F3><F10><F12><F1><Esc>'
for f in 2 3 4 5 6 7 8 9 10 11 12; do ESCAPES="$ESCAPES<F$f>"; done
ESCAPES="$ESCAPES<Signal INT><Signal QUIT><Esc>"
ktui "$ESCAPES<Dump>"
checks=$((checks + 1))
[ "$rc" = 0 ] || fail "qoltanba ended (exit $rc) on the escape keys"
expect_text 'qoltanba — Kiosk'
expect_text 'This is a kiosk: the operator can unlock it (menu item 4).'
# Escape sequences and a shell escape typed as text: the digits pick menu
# items (an applicant's page), Esc comes back; nothing leaves the kiosk.
ktui '<Esc>[21~<Esc>OP<Esc>[[A<Esc>:!sh<Enter><Esc><Esc><Esc><Esc>!/bin/sh<Esc><Esc><Esc>'
checks=$((checks + 1))
[ "$rc" = 0 ] || fail "qoltanba ended (exit $rc) on escape sequences"
expect_text 'qoltanba — Kiosk'
# Every page on the way, with the same keys: still in the kiosk.
ktui "1$ESCAPES<Esc><Esc>2$ESCAPES<Esc><Esc><Esc>4$ESCAPES<Esc><Esc>"
checks=$((checks + 1))
[ "$rc" = 0 ] || fail "qoltanba ended (exit $rc) on the escape keys in the pages"
expect_text 'qoltanba — Kiosk'
# A very long input (a paste) into the code and a form: cut, no way out.
ktui '4<Rep 5000 a><Enter><Esc>12<Space><Enter><Rep 5000 9><Tab><Rep 5000 x><Esc><Esc><Esc><Esc><C-x>'
checks=$((checks + 1))
[ "$rc" = 0 ] || fail "qoltanba ended (exit $rc) after a very long input"
expect_text 'qoltanba — Kiosk'

# ---- The operator code ----------------------------------------------------------
LOCK="$XDG_STATE_HOME/qoltanba/kiosk-lock"
rm -f "$LOCK"
: > kiosk.log
ktui '4Wrong-1<Enter><Dump>Wrong-2<Enter>Wrong-3<Enter><Dump>Kiosk-op1<Enter><Dump><Idle 31>Kiosk-op1<Enter>'
all=$out
out=$(printf '%s\n' "$all" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 1')
expect_text 'Wrong code.'
out=$(printf '%s\n' "$all" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 2')
expect_text 'Too many wrong codes: the next try is possible in 30 seconds.'
# The right code is refused during the lock-out ...
out=$(printf '%s\n' "$all" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 3')
expect_text 'qoltanba — Operator'
expect_no_text 'The kiosk is unlocked.'
# ... and accepted once it is over.
out=$(printf '%s\n' "$all" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 4')
expect_screen "operator" <<'SCREEN'
 qoltanba — Operator

    The kiosk is unlocked.

    ▸ 1  Full interface
      2  Lock the kiosk again
      3  Quit qoltanba

      Every page of qoltanba, as outside the kiosk. Leaving it, or the
      idle timeout, locks the kiosk again.













F1/^G Help  Enter Open  F3/Esc Back  F10/^X Quit
SCREEN
check "the wrong codes are logged" grep -c 'kiosk: wrong operator code (1 of 3)' kiosk.log
check "the lock-out is logged" grep -q 'kiosk: wrong operator code; locked out for 30 s' kiosk.log
check "the refusal while locked is logged" grep -q 'operator code refused: locked out' kiosk.log
check "the unlock is logged" grep -q 'operator code accepted: unlocked' kiosk.log
checks=$((checks + 1))
if grep -q 'Wrong-\|Kiosk-op1' kiosk.log; then fail "the log holds a typed code"; fi
# After a lock-out, the next wrong code locks again, twice as long.
ktui '4a<Enter>b<Enter>c<Enter><Idle 31>d<Enter>'
expect_text 'the next try is possible in 60 seconds.'
# Starting qoltanba again does not end the lock-out: the right code is
# still refused.
check "the lock-out is kept in the state folder (0600)" test "$(stat -c %a "$LOCK")" = 600
ktui '4Kiosk-op1<Enter>'
expect_text 'Too many wrong codes'
expect_no_text 'The kiosk is unlocked.'
rm -f "$LOCK"
# The user's own code does not open the kiosk.
ktui '4Mine-123<Enter>'
expect_text 'Wrong code.'
# Quit from the operator's page ends qoltanba; the full interface is there.
ktui '4Kiosk-op1<Enter>1<Dump><Esc><Dump>3'
checks=$((checks + 1))
[ "$rc" = 0 ] || fail "quit from the operator's page: exit $rc"
out=$(printf '%s\n' "$out" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 1')
expect_text 'Open key store'
# Lock again: back to the kiosk, locked.
ktui '4Kiosk-op1<Enter>2<F10><C-x>'
expect_text 'qoltanba — Kiosk'

# ---- Folder roots -----------------------------------------------------------------
CHAIR='12<Space><Enter>060340138014<Tab>850314372249<F2>'
PLACE="$CHAIR<F2>erlan@example.kz<F2>алм<Down><Enter><Enter>1"
ktui "$PLACE<Dump><F7>"
expect_text '$T/gone/  (not available)'
expect_text '$T/media/'
all=$out
out=$(printf '%s\n' "$all" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 1')
# The default folder is on the first root that is there.
expect_text '/media/NCA keys'
ktui "$PLACE<F7><Down><Enter>"
expect_text 'is not available: is the media inserted?'
ktui "$PLACE<F7><Enter><Down><Enter>"
expect_text 'Only folders on $T/media, $T/gone can'
ktui "$PLACE<F7><Enter><Enter><F2>"
expect_text 'Open one of the media first'
ktui "$PLACE<F7><Enter><Enter><Dump><F2>"
expect_text 'Removable media'
PW='<Tab>Qwerty12<Tab>Qwerty12<F2>'
for bad in "$T/outside" "$T/media/link/x" "$T/media/../outside/x" "$T/media/./../outside" /tmp; do
	ktui "$PLACE<BTab><C-u>$bad$PW"
	expect_text '✗ Not on the removable media'
	expect_no_text 'qoltanba — Apply'
done
ktui "$PLACE<BTab><C-u>$T/media/NCA keys/2026$PW"
expect_text 'qoltanba — Apply'

# ---- Idle timeout: the form is empty afterwards ---------------------------------
ktui "$CHAIR<F2>erlan@example.kz<F2>алм<Down><Enter><Enter>1Qwerty12<Tab>Qwe<Idle 119><Dump><Idle 1><Dump>12<Space><Enter><Dump><Esc><Esc><Esc>$CHAIR<F2>"
all=$out
out=$(printf '%s\n' "$all" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 1')
expect_text 'qoltanba — Keys storage'
expect_text '••••••••'
out=$(printf '%s\n' "$all" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 2')
expect_text 'qoltanba — Kiosk'
expect_text 'Nothing was typed for a while: what was entered has been wiped.'
out=$(printf '%s\n' "$all" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 3')
expect_screen "BIN page after the timeout" <<'SCREEN'
 qoltanba — Checking the applicant

  Section: Legal entity: first head
  Type the organisation's BIN and your IIN, the code, then Check.

  BIN of the organisation ▸
  Your IIN
  Code

                            [ Check ]

  This portal asks no captcha code.











F1/^G Help  F2/^O Check  Tab Next  F5/^R New code  F3/Esc Back
SCREEN
# Through the pages again: the e-mail typed before the timeout is gone.
out=$(printf '%s\n' "$all" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 4')
expect_text 'E-mail'
expect_no_text 'erlan@example.kz'
# The operator's unlock does not survive the timeout either.
ktui '4Kiosk-op1<Enter>1<Idle 200><F10><C-x>'
checks=$((checks + 1))
[ "$rc" = 0 ] || fail "quit after the timeout: exit $rc"
expect_text 'qoltanba — Kiosk'

# ---- A terminal smaller than 80x24 ---------------------------------------------------
ktui '1<Resize 60x20><Dump><F10><C-x><Esc><C-c><Resize 80x24>'
checks=$((checks + 1))
[ "$rc" = 0 ] || fail "quit on the too-small page: exit $rc"
all=$out
out=$(printf '%s\n' "$all" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 1')
expect_text 'The terminal is 60x20; qoltanba needs at least 80x24.'
expect_text 'The kiosk stays locked.'
expect_no_text 'quits'
out=$(printf '%s\n' "$all" | awk 'BEGIN { i = 1 } /^\f$/ { i++; next } i == 2')
expect_text 'Choose a section'

# ---- SIGHUP and SIGTERM still end it (the line dropped, the system stopping) -----
ktui '4Kiosk<Signal HUP>'
checks=$((checks + 1))
[ "$rc" = 129 ] || fail "SIGHUP: exit $rc, expected 129"
ktui '<Signal TERM>'
checks=$((checks + 1))
[ "$rc" = 143 ] || fail "SIGTERM: exit $rc, expected 143"

# ---- --kiosk without an operator code: refused, naming the command -------------
printf 'kiosk = yes\n' > nocode.conf
expect_exit 78 env QOLTANBA_SYSCONF="$T/nocode.conf" "$QOLTANBA" --headless=80x24 --keys=/dev/null
expect_match "run 'qoltanba kiosk-code'"
# The refusal comes in the interface language (--lang, or the settings).
mkdir -p locale/ru/LC_MESSAGES
if msgfmt -o locale/ru/LC_MESSAGES/qoltanba.mo "$top_srcdir/po/ru.po" 2>/dev/null; then
	expect_exit 78 env QOLTANBA_SYSCONF="$T/nocode.conf" QOLTANBA_LOCALEDIR="$T/locale" \
		"$QOLTANBA" --lang=ru --headless=80x24 --keys=/dev/null
	expect_match "qoltanba kiosk-code"
	checks=$((checks + 1))
	case $out in *"kiosk mode needs"*) fail "the refusal is in English with --lang=ru" ;; esac
fi
: > empty.conf
expect_exit 78 env QOLTANBA_SYSCONF="$T/empty.conf" "$QOLTANBA" --kiosk --headless=80x24 \
	--keys=/dev/null
# A system file that breaks off before a kiosk line: refused (fail closed);
# one with no kiosk line: the usual Home, with the settings' message.
printf 'bad line\nkiosk = yes\n' > broken.conf
expect_exit 78 env QOLTANBA_SYSCONF="$T/broken.conf" "$QOLTANBA" --headless=80x24 --keys=/dev/null
expect_match 'broken.conf:1'
printf 'bad line\nlanguage = kk\n' > broken2.conf
expect_exit 0 env QOLTANBA_SYSCONF="$T/broken2.conf" "$QOLTANBA" --headless=80x24 --keys=/dev/null
expect_match 'Open key store'
# The system file says no: the usual Home (the user's file has no say),
# and --kiosk turns the kiosk on with the system file's code.
printf 'kiosk = no\n%s\n' "$LINE" > off.conf
QOLTANBA_SYSCONF="$T/off.conf"
tui 80x24 '<C-x>'
expect_text 'Open key store'
TUI_ARGS="--kiosk --portal=$PD_URL"
tui 80x24 '<C-x>'
expect_text 'qoltanba — Kiosk'
TUI_ARGS="--portal=$PD_URL"
QOLTANBA_SYSCONF="$T/sys.conf"

# ---- High contrast: no colour, items spaced -------------------------------------------
printf 'theme = high-contrast\n' >> sys.conf
ktui ''
expect_screen "kiosk home, high contrast" <<'SCREEN'
 qoltanba — Kiosk

    NCA RK digital-signature keys
    Choose with the arrows and Enter, or press the number.


    ▸ 1  Obtain DS keys

      2  Check request status and install certificates

      3  Language: English / Русский / Қазақша

      4  Operator


      Apply for new keys: the keys are made on your removable media or
      token, and the request goes to the NCA.






F1/^G Help  Enter Open
SCREEN

# ---- A locked kiosk does not list this computer's applications ---------------
# One applicant must not see the numbers of those before them; the number
# they type is still looked up.  The journal is written as qoltanba writes it.
mkdir -p "$XDG_STATE_HOME/qoltanba"
cat > "$XDG_STATE_HOME/qoltanba/applications.json" <<'JSON'
{ "version": 1, "applications": [ { "id": "00112233445566778899aabbccddeeff",
  "number": "424242424242", "access": "", "portal": "local", "subject_type": "individual",
  "iin": "800416100254", "bin": "", "storage": "pc", "folder": "/nowhere",
  "auth_keyid": "", "sign_keyid": "", "step": "submitted", "created": 1, "updated": 1 } ] }
JSON
ktui '2'
expect_no_text '424242424242'
expect_no_text 'Applications on this computer'
# Outside the kiosk the same page lists it.
QOLTANBA_SYSCONF="$T/off.conf" tui 80x24 '2'
QOLTANBA_SYSCONF="$T/sys.conf"
expect_text 'Applications on this computer'
expect_text '424242424242'
rm "$XDG_STATE_HOME/qoltanba/applications.json"

# ---- Every action has a key that is not an F-key --------------------------------------
"$QOLTANBA" --list-keys > keys.txt
checks=$((checks + 1))
if awk 'NR > 1 && NF && $1 ~ /^[a-z-]+$/ { if ($2 ~ /^F[0-9]+$/ && ($3 == "" || $3 !~ /^(\^|Esc|Enter|Tab|Shift|Up|Down|PgUp|PgDn|Home|End)/)) print }' keys.txt | grep .; then
	fail "an action has only an F-key"
fi

finish
