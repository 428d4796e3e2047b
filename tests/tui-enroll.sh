#!/bin/sh
# The enrollment pages (issue 6) as text, headless at 80x24, against a
# real qoltanbad on a loopback port (captcha off here; the captcha's own
# test is tests/tui-enroll-captcha.sh): every page in the portal's order,
# the application through the RA console to the installed .p12 files,
# and bad input: a wrong BIN checksum, a BIN and an IIN not in the
# registers, a bad e-mail, passwords that break the policy or differ,
# a mistyped number, the portal stopped in the middle, and qoltanba
# killed while applying (the journal finds the application and its keys).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
. "$top_srcdir/tests/portald-lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed (free port)"

cd "$T"
pd_init --no-captcha
pd_start
pd_operator
export TUI_ARGS="--portal=$PD_URL"
JOURNAL="$XDG_STATE_HOME/qoltanba/applications.json"

# numbers: sed arguments that turn the journal's application numbers,
# oldest first, into NNNNNNNNNNNN, N2N2N2N2N2N2, N3N3N3N3N3N3, ...
numbers() {
	[ -f "$JOURNAL" ] || return 0
	jq -r '.applications[].number | select(. != "")' "$JOURNAL" | awk '
		NR == 1 { printf " -e s/%s/NNNNNNNNNNNN/g", $0; next }
		{ printf " -e s/%s/N%dN%dN%dN%dN%dN%d/g", $0, NR, NR, NR, NR, NR, NR }'
}

# etui KEYS: tui at 80x24 with what changes from run to run replaced:
# the port, $T, today's and later dates, the application number and key
# ids.
etui() {
	tui 80x24 "$1"
	out=$(printf '%s\n' "$out" | sed -E \
		-e 's/ +Portal 127\.0\.0\.1:[0-9]+$/ [portal]/' \
		-e "s|$T|\$T|g" -e 's|qt-test\.[A-Za-z0-9]{6}|qt-test.XXXXXX|g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}/YYYY-MM-DD/g' \
		-e 's|[A-Za-z0-9]{6}/home/NCA keys|XXXXXX/home/NCA keys|' \
		-e 's/(AUTH_RSA256|RSA256)_[0-9a-f]{40}/\1_KEYID/g' \
		-e 's/[0-9]{2}:[0-9]{2} UTC/HH:MM UTC/' \
		$(numbers))
}
# screen_n N: the Nth screen of $all (the <Dump>s, then the last one).
screen_n() {
	printf '%s\n' "$all" | awk -v n="$1" 'BEGIN { i = 1 } /^\f$/ { i++; next } i == n'
}

# RECORD=DIR writes each expected screen's actual text to DIR instead of
# comparing (to review a changed page before pasting it here).
if [ -n "${RECORD:-}" ]; then
	expect_screen() { cat >/dev/null; printf '%s\n' "$out" > "$RECORD/$(echo "$1" | tr ' /' '__').txt"; }
fi

CHAIR='12<Space><Enter>060340138014<Tab>850314372249<F2>'

# ---- Section, agreement -------------------------------------------------
etui '1'
expect_screen "section" <<'SCREEN'
 qoltanba — Obtainment of DS keys [portal]

    Choose a section, then press Enter to submit an application.

    ▸ 1  Individuals
      2  Legal Entities - Chairman
    Legal Entities - other templates:
      3    Legal entity: person with signing right
      4    Legal entity: signing right for financial documents
      5    Legal entity: HR officer
      6    Legal entity: employee

      Keys for yourself, as a citizen or resident: signing documents and
      signing in to e-government services.









F1/^G Help  Enter Open  F5/^R Retry  F3/Esc Back  F10/^X Quit
SCREEN
etui '12'
expect_screen "agreement" <<'SCREEN'
 qoltanba — Information and user agreement [portal]

  Section: Legal entity: first head

  Keys are generated on this computer or on your token; only the public keys
  go to the portal. After you apply, bring your identity document (and, for
  an organisation, the documents that give you its rights) to a Registration
  Authority within 30 days, or the application is cancelled.

  User agreement: you confirm that the data you give is yours and true; that
  you keep the private keys and their password secret and do not hand them to
  anyone; that a document signed with your key is signed by you; and that you
  ask for revocation at once if a key may be known to someone else. The
  password cannot be recovered.

  I accept the agreement  ▸ [ ]

                            [ Confirm ]


  Tick the box (Space) to confirm.


F1/^G Help  F2/^O Confirm  Tab Next  F3/Esc Back  F10/^X Quit
SCREEN
etui '12<Enter>'
expect_text 'Accept the user agreement first: tick the box with Space.'
expect_no_text 'Checking the applicant'

# ---- BIN and IIN --------------------------------------------------------
etui '12<Space><Enter>0603401380'
expect_text '10 of 12 digits'
etui '12<Space><Enter>060340138015'
expect_screen "BIN checksum" <<'SCREEN'
 qoltanba — Checking the applicant [portal]

  Section: Legal entity: first head
  Type the organisation's BIN and your IIN, the code, then Check.

  BIN of the organisation ▸ 060340138015       ✗ Wrong check digit: a typo?
  Your IIN
  Code

                            [ Check ]

  This portal asks no captcha code.











F1/^G Help  F2/^O Check  Tab Next  F5/^R New code  F3/Esc Back  F10/^X Quit
SCREEN
# A typo costs nothing: Check is refused before the portal is asked.
etui '12<Space><Enter>060340138015<Tab>850314372249<F2>'
expect_text 'Correct the fields marked with a cross first.'
etui '12<Space><Enter>940140000385<Tab>850314372249<F2>'
expect_text '940140000385       ✗ Not in the register'
expect_text 'has no organisation with this BIN'
etui '11<Space><Enter>800416100254<F2>'
expect_text '800416100254       ✗ Not in the register'
expect_text 'has no person with this IIN'
etui '11<Space><Enter>8504abc'
expect_text '✗ Digits only'
etui "$CHAIR"
expect_screen "checked" <<'SCREEN'
 qoltanba — Checking the applicant [portal]

  Section: Legal entity: first head
  Type the organisation's BIN and your IIN, the code, then Check.

  BIN of the organisation   060340138014       ✓ ЖШС "Алтын Дала"
  Your IIN                ▸ 850314372249       ✓ ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ
  Code

                            [ Next ]

  This portal asks no captcha code.

  Checked. Press Enter (or F2) to go on.









F1/^G Help  F2/^O Check  Tab Next  F5/^R New code  F3/Esc Back  F10/^X Quit
SCREEN
# The IIN of someone who is not the head, for the chairman's section.
etui '12<Space><Enter>060340138014<Tab>900722433036<F2>'
expect_text 'not ҚҰРМАНҒАЛИ АЙГҮЛ СЕРІКҚЫЗЫ'

# ---- E-mail, region and city ------------------------------------------------
etui "$CHAIR<F2>bad@mail<F2>"
expect_screen "bad e-mail" <<'SCREEN'
 qoltanba — E-mail [portal]

  Your e-mail address (optional). The application number, the form for the
  Registration Authority and notices about the application are sent there.

  E-mail    ▸ bad@mail                         ✗ Not an e-mail address
              An address looks like name@example.kz.
              [ Next ]

  Warning: if the address is wrong, you will receive no notifications. Leave
  it empty if you do not want any.












F1/^G Help  F2/^O Next  F8/^U Clear  F3/Esc Back  F10/^X Quit
SCREEN
etui "$CHAIR<F2>erlan@example.kz<F2>алм"
expect_screen "region filter" <<'SCREEN'
 qoltanba — Region and city [portal]

  Where will you take the application to a Registration Authority? Choose the
  region, then the city (type to filter, Enter to choose).

  Region
  ▸ Almaty Region
    Almaty (city)












  Filter: алм_   (2 of 20)


F1/^G Help  Enter Open  F8/^U Clear  F3/Esc Back  F10/^X Quit
SCREEN
etui "$CHAIR<F2>erlan@example.kz<F2>алм<Down><Enter>"
expect_text 'Region                                 City'
expect_text 'Type to filter   (1)'

# ---- Keys storage ---------------------------------------------------------
PLACE="$CHAIR<F2>erlan@example.kz<F2>алм<Down><Enter><Enter>"
etui "$PLACE"
expect_text 'Where should the keys be made?'
expect_text 'Kaztoken           factory PIN 12345678'
etui "${PLACE}4"
expect_text 'Its factory PIN is 12345678'
etui "${PLACE}1"
expect_screen "keys storage" <<'SCREEN'
 qoltanba — Keys storage [portal]

  Storage: PC folder   (F5 or Ctrl-R: choose another)

  Warning: a folder on a PC is not a secure key store. Anyone who copies the
  key files and learns their password can sign in your name.

  Folder for the keys   XXXXXX/home/NCA keys
  Key password        ▸
  Password again

                        [ Next ]

  6 to 32 characters: Latin letters and digits (at least one of each); the
  characters #$^+=!*()@%&_?-. are also allowed.
  The password protects the keys from now on and the certificates later. It
  cannot be recovered: if it is lost, the keys must be revoked.






F1/^G Help  F2/^O Next  F7/^F Browse  F4/^T Show  Esc Back  F10/^X Quit
SCREEN
etui "${PLACE}1qwerty<Tab>qwerty"
expect_text '✗ Needs a digit'
etui "${PLACE}1Qwerty 12<Tab>"
expect_text '✗ Character 7 is a space'
etui "${PLACE}1Qwerty12<Tab>Qwerty13<F2>"
expect_text '✗ Differs from the password'
expect_text 'Correct the fields marked with a cross first.'
etui "${PLACE}1Пароль12<Tab>"
expect_text '✗ Character 1 is not Latin'

# ---- Apply ------------------------------------------------------------------
KEYS="${PLACE}1<BTab><C-u>$T/nca<Tab>Qwerty12<Tab>Qwerty12<F2>"
etui "$KEYS"
expect_screen "apply" <<'SCREEN'
 qoltanba — Apply [portal]

  Check the application, then Apply.

  Section               Legal entity: first head
  Organisation          060340138014  ЖШС "Алтын Дала"
  Applicant             850314372249  ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ
  E-mail                erlan@example.kz
  Place                 Almaty, Almaty (city)
  Storage               PC folder
  Folder                $T/nca


                        [ Apply ]









F1/^G Help  F2/^O Apply  F5/^R Retry  F3/Esc Back  F10/^X Quit
SCREEN
etui "$KEYS<F2>"
checks=$((checks + 1))
NUMBER=$(jq -r '.applications[-1].number' "$JOURNAL")
printf '%s' "$NUMBER" | grep -Eq '^[0-9]{12}$' || fail "no application number in the journal"
out=$(printf '%s\n' "$out" | sed $(numbers))
expect_screen "number" <<'SCREEN'
 qoltanba — Application submitted [portal]

  Your application is accepted. Its number:

      NNNNNNNNNNNN

  Remember it (or save the form): you need it to check the status and to
  install the certificates. Take the form and your identity document to a
  Registration Authority within 30 days, or the application is cancelled.

  The keys wait in $T/nca.

  Save the form in    tmp/qt-test.XXXXXX/nca

                      [ Save the form ]

                      [ Print ]

                      [ Done ]




F1/^G Help  Enter Open  Tab Next  F7/^F Browse  F3/Esc Back  F10/^X Quit
SCREEN
check "pending AUTH key in the folder" ls "$T"/nca/PENDING_AUTH_*.key
check "pending SIGN key in the folder" ls "$T"/nca/PENDING_SIGN_*.key
check "step submitted" test "$(jq -r '.applications[-1].step' "$JOURNAL")" = submitted
check "one application on the portal" test "$(db 'select count(*) from application')" = 1

# ---- Save and Print -----------------------------------------------------
# The number page is the page after Apply; from here on each run starts
# at Home, so the number page is reached through its own application:
# the save and print buttons are tried on the first one's page by
# applying again would make a second application, so they are driven
# from the page Apply left (Enter on "Save the form").
etui "$KEYS<F2><Enter>"
checks=$((checks + 1))
N2=$(jq -r '.applications[-1].number' "$JOURNAL")
[ -f "$T/nca/application-$N2.txt" ] && [ -f "$T/nca/application-$N2.html" ] ||
	fail "the form was not saved: $(ls "$T/nca")"
checks=$((checks + 1))
grep -q "$N2" "$T/nca/application-$N2.txt" || fail "the saved form lacks the number"
expect_text 'Saved $T/nca/application-N2N2N2N2N2N2.txt and'
# Print without lpr says so; with an lpr, the form goes to it.
# qoltanba runs with PATH=$T/bin (through a wrapper), the test with its own.
mkdir bin
printf '#!/bin/sh\nPATH="%s/bin" exec "%s" "$@"\n' "$T" "$QOLTANBA" > qwrap
chmod +x qwrap
QOLTANBA_SAVED=$QOLTANBA
QOLTANBA="$T/qwrap"
etui "$KEYS<F2><Tab><Enter>"
expect_text 'This computer has no printer command (lpr).'
printf '#!/bin/sh\nexec %s > "%s/printed"\n' "$(command -v cat)" "$T" > bin/lpr
chmod +x bin/lpr
etui "$KEYS<F2><Tab><Enter>"
QOLTANBA=$QOLTANBA_SAVED
expect_text 'The form went to the printer.'
N3=$(jq -r '.applications[-1].number' "$JOURNAL")
check "lpr got the form with the number" grep -q "$N3" printed

# ---- Status, from the journal and by number --------------------------------
etui '2'
expect_screen "status list" <<'SCREEN'
 qoltanba — Checking request status

  Application number  ▸

                        [ Check ]

  Applications on this computer (Tab moves between the number and this list):
  ▸ N4N4N4N4N4N4  YYYY-MM-DD  chairman      awaiting the RA
    N3N3N3N3N3N3  YYYY-MM-DD  chairman      awaiting the RA
    N2N2N2N2N2N2  YYYY-MM-DD  chairman      awaiting the RA
    NNNNNNNNNNNN  YYYY-MM-DD  chairman      awaiting the RA










  Type to filter   (4)

F1/^G Help  F2/^O Check  Tab Next  F5/^R Retry  F3/Esc Back  F10/^X Quit
SCREEN
# The number with its check digit changed: a typo.
last=${NUMBER#???????????}
etui "2<Tab>${NUMBER%?}$(( (last + 1) % 10 ))<Enter>"
expect_text '✗ Wrong check digit: a typo?'
etui '2<Down><Down><Enter>'
expect_screen "status submitted" <<'SCREEN'
 qoltanba — Checking request status [portal]

  Application number    N2N2N2N2N2N2

                        [ Check ]

  Application N2N2N2N2N2N2: Submitted: waiting for the Registration Authority
  Take it to a Registration Authority by YYYY-MM-DD.

  Applications on this computer (Tab moves between the number and this list):
    N4N4N4N4N4N4  YYYY-MM-DD  chairman      awaiting the RA
    N3N3N3N3N3N3  YYYY-MM-DD  chairman      awaiting the RA
  ▸ N2N2N2N2N2N2  YYYY-MM-DD  chairman      awaiting the RA
    NNNNNNNNNNNN  YYYY-MM-DD  chairman      awaiting the RA







  Type to filter   (4)

F1/^G Help  F2/^O Check  Tab Next  F5/^R Retry  F3/Esc Back  F10/^X Quit
SCREEN

# ---- RA console --------------------------------------------------------------
etui "6$T/op.p12<Tab>Wrong1pw<F2>"
expect_text 'Wrong password for this key file. Type it again.'
# One sign-in (the operator key file costs 600,000 PBKDF2 rounds) for
# the queue, one application, a rejection without and with a reason,
# and an approval.
etui "6$T/op.p12<Tab>Operator1pw<F2><Dump>$NUMBER<Enter><Dump><Esc>$N2<Enter><Tab><Enter><Dump>Документы не представлены<Enter><Dump><Esc><C-u>$NUMBER<Enter><Enter><Dump><Esc><C-u>$N2<Enter>"
all=$out
out=$(screen_n 1)
expect_screen "RA queue" <<'SCREEN'
 qoltanba — Registration Authority: applications [portal]

  Pending applications: 4. Enter opens one; type to search.

  ▸ NNNNNNNNNNNN  YYYY-MM-DD  chairman      ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ
    N2N2N2N2N2N2  YYYY-MM-DD  chairman      ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ
    N3N3N3N3N3N3  YYYY-MM-DD  chairman      ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ
    N4N4N4N4N4N4  YYYY-MM-DD  chairman      ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ













  Type to filter   (4)

F1/^G Help  Enter Open  F5/^R Refresh  F8/^U Clear  F3/Esc Back  F10/^X Quit
SCREEN
out=$(screen_n 2)
expect_screen "RA view" <<'SCREEN'
 qoltanba — Registration Authority: application [portal]

  Application NNNNNNNNNNNN: Submitted: waiting for the Registration Authority

  Section           Legal entity: first head
  Applicant         850314372249  ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ
  Organisation      060340138014  ЖШС "Алтын Дала"
  E-mail            erlan@example.kz
  Place             Almaty, Almaty (city)
  Storage           PC (PKCS#12 file)
  Submitted         YYYY-MM-DD HH:MM UTC


                      [ Approve ]
  Reason to reject

                      [ Reject ]






F1/^G Help  Enter Open  Tab Next  F5/^R Refresh  F3/Esc Back  F10/^X Quit
SCREEN
out=$(screen_n 3)
expect_text '✗ Required to reject'
expect_text 'Write why the application is rejected: the applicant reads it.'
out=$(screen_n 4)
expect_text 'Rejected: N2N2N2N2N2N2.'
out=$(screen_n 5)
expect_text 'Approved: the certificates of NNNNNNNNNNNN are issued.'
# Decided applications leave the queue; a whole number still finds one.
out=$(screen_n 6)
expect_text 'Application N2N2N2N2N2N2: Rejected'
expect_text 'Reason            Документы не представлены'
ACCESS=$(jq -r ".applications[] | select(.number == \"$NUMBER\") | .access" "$JOURNAL")
checks=$((checks + 1))
st=$(curl -s -H "X-Access-Token: $ACCESS" "$PD_URL/api/v1/applications/$NUMBER" | jq -r .status)
[ "$st" = issued ] || fail "the portal says $st, not issued"

# ---- Status once issued, then installation ---------------------------------------
etui "2<Tab>$N2<Enter>"
expect_text 'Application N2N2N2N2N2N2: Rejected'
expect_text 'Reason: Документы не представлены'
etui "2<Tab>$NUMBER<Enter>"
expect_text 'Registration Certificates are Issued'
expect_text '[ Install the certificates ]'
etui "2<Tab>$NUMBER<Enter><Enter>"
expect_screen "install" <<'SCREEN'
 qoltanba — Install the certificates [portal]

  Application NNNNNNNNNNNN: Registration Certificates are Issued.

  Point at the folder with the keys made when you applied, type the key
  password you created then, and upload the certificates.

  Folder with the keys    qt-test.XXXXXX/nca
  Key password          ▸

                          [ Upload certificates ]












F1/^G Help  F2/^O Upload  F7/^F Browse  F4/^T Show  F3/Esc Back  F10/^X Quit
SCREEN
mkdir elsewhere
etui "2<Tab>$NUMBER<Enter><Enter><BTab><C-u>$T/elsewhere<Tab>Qwerty12<Enter>"
expect_text '$T/elsewhere has no keys waiting for this application. The'
expect_text 'journal says they are in $T/nca.'
etui "2<Tab>$NUMBER<Enter><Enter>Qwerty21<Enter>"
expect_text 'Wrong password: it is the key password you created when you applied.'
etui "2<Tab>$NUMBER<Enter><Enter>Qwerty12<Enter>"
expect_screen "installed" <<'SCREEN'
 qoltanba — Certificates installed [portal]

  Application NNNNNNNNNNNN: Certificates installed.

  The folder
    $T/nca
  holds your keys with their certificates:
    AUTH_RSA256_KEYID.p12
    RSA256_KEYID.p12

  AUTH_RSA256 signs you in; RSA256 signs documents. Both open with the
  password you made.

  Esc goes back; the key store opens from Home.









F1/^G Help  F2/^O Upload  F7/^F Browse  F4/^T Show  F3/Esc Back  F10/^X Quit
SCREEN
check "two .p12 files" test "$(ls "$T"/nca/*.p12 | wc -l)" = 2
for f in "$T"/nca/*.p12; do
	check "openssl reads $(basename "$f")" openssl pkcs12 -in "$f" -passin pass:Qwerty12 -noout
done
check "journal says installed" test "$(jq -r ".applications[] | select(.number == \"$NUMBER\") | .step" "$JOURNAL")" = installed
etui "2<Tab>$NUMBER<Enter>"
expect_text 'Certificates installed in $T/nca.'

# ---- The portal down ------------------------------------------------------------
# (Stopped in the middle of an application, and qoltanba killed while
# applying: tests/tui-enroll-tmux.sh, where the test can wait for the
# right moment.)
pd_stop
etui "2<Tab>$N2<Enter>"
expect_text 'Cannot reach the portal.'
expect_text 'Nothing is lost: press F5 (or'
pd_start
etui "2<Tab>$N2<Enter><F5>"
expect_text 'Application N2N2N2N2N2N2: Rejected'

# ---- Resize in the middle of a form ------------------------------------------------
etui "${PLACE}1Qwerty12<Resize 60x20>"
expect_text 'qoltanba needs at least 80x24'
etui "${PLACE}1Qwerty12<Resize 60x20><Resize 100x30>"
expect_text 'Key password        ▸ ••••••••'

pd_stop
finish
