#!/bin/sh
# The token screens against a real PKCS#11 module: SoftHSM2 in a
# private SOFTHSM2_CONF, headless at 80x24.  Open key store -> Kaztoken
# -> connect the media (no pcscd here: said, and Enter goes on) -> the
# token picker -> a wrong PIN (the state before the next try is shown),
# then the right one -> the token's contents after a key was generated
# and a certificate stored with the command line -> a certificate's
# details -> change of PIN (a factory PIN refused as the new one), and
# the factory-PIN offer after logging in with 12345678.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
. "$top_srcdir/tests/softhsm-lib.sh"
export QOLTANBA_DATADIR="$top_srcdir/data"

command -v openssl >/dev/null || skip "openssl CLI not installed"
softhsm_init T 1234
# The module for Kaztokens; no pcscd (its socket is nowhere).
printf 'module.kaztoken = %s\np11-kit = no\n' "$SOFTHSM" >"$XDG_CONFIG_HOME/qoltanba/config"
export PCSCLITE_CSOCK_NAME="$T/nothing/pcscd.comm"
echo 1234 >"$T/pin"
serial=$("$QOLTANBA" tokens --json | python3 -c '
import json, sys
print([t for t in json.load(sys.stdin)["tokens"] if t["label"] == "T"][0]["serial"])')

# -- The storage choice: the portal's labels and factory PINs.
tui 80x24 '4'
expect_screen "storage choice" <<'SCREEN'
 qoltanba — Key storage

    Where are the keys?
    Choose with the arrows and Enter, or press the number.

    ▸ 1  PC folder          key files in a folder
      2  eToken PRO 72K     factory PIN 1234567890
      3  JaCarta            factory PIN 1234567890
      4  Kaztoken           factory PIN 12345678
      5  AKey               factory PIN 1234567890
      6  ID card            the PIN given with the card

    Warning: a folder on a PC is not a secure key store. Anyone who copies
    the key files and learns their password can sign in your name. On a
    token the private key is made inside it and cannot be copied.








F1/^G Help  Enter Open  F3/Esc Back  F10/^X Quit
SCREEN
tui 80x24 '4<Down><Down><Down>'
expect_text 'its factory PIN (12345678), change it'
expect_no_text 'not a secure key store'
# Esc comes back to Home.
tui 80x24 '4<Esc>'
expect_text 'NCA RK digital-signature keys'

# -- Connect the media without pcscd: said, and the tokens are still reachable.
tui 80x24 '44'
expect_screen "connect the media without pcscd" <<'SCREEN'
 qoltanba — Connect the media

  Connect the Kaztoken to this computer (a card goes into its reader).

  The smart-card service (pcscd) is not running or failed.
  Start it (systemctl start pcscd.socket, as root) and press F5/^R. A token
  whose module works without pcscd can still be used: press Enter.
















F1/^G Help  Enter Open  F5/^R Reload  F3/Esc Back  F10/^X Quit
SCREEN

# -- The token picker.
tui 80x24 '44<Enter>'
expect_screen "token picker" <<SCREEN
 qoltanba — Tokens

    Label         Model       Serial           Medium         PIN state
  ▸ T             SoftHSM v2  $serial Kaztoken       ready

















  Type to filter   (1)

F1/^G Help  Enter Open  F12/^Y PIN  F5/^R Reload  F3/Esc Back  F10/^X Quit
SCREEN

# -- A wrong PIN: said beside the field, and the state before the next
# try (SoftHSM sets "count low"; it never locks, see doc/tokens.md).
tui 80x24 '44<Enter><Enter>9999<Enter>'
expect_screen "wrong PIN" <<SCREEN
 qoltanba — Token PIN

  T: SoftHSM v2, serial $serial, Kaztoken
  PIN state: a wrong PIN was entered: few attempts are left

  Type the PIN of the token.

  PIN             ▸                            ✗ Wrong PIN

                    [ Log in ]


  Wrong PIN.










F1/^G Help  F2/^O OK  F4/^T Show  F12/^Y PIN  F3/Esc Back  F10/^X Quit
SCREEN
expect_no_text '9999'
# The picker says it too, and the PIN page shows it before the next try.
tui 80x24 '44<Enter><Enter>9999<Enter><Esc>'
expect_text 'wrong PIN tried'
tui 80x24 '44<Enter><Enter>'
expect_text 'PIN state: a wrong PIN was entered: few attempts are left'

# -- The right PIN: the token's contents (empty yet).
tui 80x24 '44<Enter><Enter>1234<Enter>'
expect_text 'Keys on a token'
expect_text "Token T (SoftHSM v2, serial $serial)"
expect_text 'There are no keys or certificates on this token.'
expect_no_text '1234<'

# -- Contents after a key generated and a certificate stored with the CLI.
expect_exit 0 "$QOLTANBA" token-keygen --key-label auth --pin-file "$T/pin" --pubout "$T/pub.pem" T
keyid=$(printf '%s\n' "$out" | tail -n1)
expect_exit 0 "$QOLTANBA" token-keygen --key-label sign --pin-file "$T/pin" T
keyid2=$(printf '%s\n' "$out" | tail -n1)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.pem" \
	-subj "/CN=Test CA" -days 2 2>/dev/null
printf 'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >"$T/ext.cnf"
# A Cyrillic subject (openssl x509 -new reads -subj as ASCII; a request
# made with req -utf8 carries it), for the token's public key.
openssl req -new -utf8 -newkey rsa:2048 -nodes -keyout "$T/tmp.key" -out "$T/req.pem" \
	-subj "/CN=ТЕСТОВ ТЕСТ/serialNumber=IIN123456789011/C=KZ" 2>/dev/null
openssl x509 -req -in "$T/req.pem" -force_pubkey "$T/pub.pem" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
	-days 1095 -extfile "$T/ext.cnf" -out "$T/cert.pem" 2>/dev/null ||
	fail "openssl could not issue the certificate"
expect_exit 0 "$QOLTANBA" token-store --pin-file "$T/pin" T "$T/cert.pem"
expires=$(openssl x509 -in "$T/cert.pem" -noout -enddate | cut -d= -f2 | xargs -I{} date -u -d {} +%Y-%m-%d)
tui 80x24 '44<Enter><Enter>1234<Enter>'
# Issued for 1095 days a moment ago: 1095 or 1094 whole days left,
# depending on the second.
out=$(printf '%s\n' "$out" | sed -E 's/valid, 109[45] days/valid, 1095 days/')
expect_screen "token contents" <<SCREEN
 qoltanba — Keys on a token
  Token T (SoftHSM v2, serial $serial)
    Use   Owner                    IIN          Expires    State
  ▸ AUTH  ТЕСТОВ ТЕСТ              123456789011 $expires valid, 1095 days
    ?     (key $(printf %s "$keyid2" | cut -c1-18)… -            -          no certificate
















  Type to filter   (2)

F1/^G Help  Enter Open  F12/^Y PIN  Esc Back  F8/^U Clear  F10/^X Quit
SCREEN
# Wider: the label column, as the file name column of a folder.
tui 120x40 '44<Enter><Enter>1234<Enter>'
expect_text 'Label'
expect_text 'no certificate     sign'
# The details of the token's certificate, as for a file.
tui 80x24 '44<Enter><Enter>1234<Enter><Enter>'
expect_text 'Key details'
expect_text 'Purpose               authentication (AUTH)'
expect_text 'Name                  ТЕСТОВ ТЕСТ'
expect_text "Key ID                $keyid"
expect_text "Token                 Token T (SoftHSM v2, serial $serial)"
expect_text 'Private key           on the token (it cannot be copied)'
expect_text 'Label                 auth'
# A key without a certificate says so.
tui 80x24 '44<Enter><Enter>1234<Enter><Down><Enter>'
expect_text 'There is no certificate for this key on the token yet.'
expect_text "Key ID: $keyid2"
# Typing filters the token's rows as it does a folder's.
tui 80x24 '44<Enter><Enter>1234<Enter>sign'
expect_text '(1 of 2)'
expect_no_text 'ТЕСТОВ'

# -- Change of PIN from the contents (F12): a factory PIN is refused,
# a wrong current PIN is said, then the change is made.
tui 80x24 '44<Enter><Enter>1234<Enter><F12>1234<Tab>12345678<Tab>12345678<Enter>'
expect_text 'Change the PIN'
expect_text 'Factory PINs are refused'
tui 80x24 '44<Enter><Enter>1234<Enter><F12>1111<Tab>pin7531<Tab>pin7531<Enter>'
expect_text 'Wrong PIN.'
expect_text 'PIN state: a wrong PIN was entered: few attempts are left'
tui 80x24 '44<Enter><Enter>1234<Enter><C-y>1234<Tab>pin7531<Tab>pin7530<Enter>'
expect_text 'Differs from the new PIN'
tui 80x24 '44<Enter><Enter>1234<Enter><C-y>1234<Tab>pin7531<Tab>pin7531<Enter>'
expect_text 'The PIN was changed. Use the new one from now on.'
expect_text 'Keys on a token'
expect_no_text 'pin7531'
# The token takes the new PIN and refuses the old one.
echo pin7531 >"$T/pin"
expect_exit 0 "$QOLTANBA" token-inspect --pin-file "$T/pin" T
echo 1234 >"$T/old"
expect_exit 2 "$QOLTANBA" token-inspect --pin-file "$T/old" T

# -- A token still on its factory PIN: the warning and the offer.
softhsm2-util --init-token --free --label K --pin 12345678 --so-pin 5678 >/dev/null
# Tokens are listed by label: K comes first.
tui 80x24 '44<Enter>'
expect_text '▸ K '
tui 80x24 '44<Enter><Enter>12345678<Enter>'
expect_text 'This token still has its factory PIN (12345678).'
expect_text '[ Change the PIN now ] [ Later ]'
# "Later": the contents.
tui 80x24 '44<Enter><Enter>12345678<Enter><Right><Enter>'
expect_text 'Keys on a token'
# "Change the PIN now": the change, then the contents.
tui 80x24 '44<Enter><Enter>12345678<Enter><Enter>12345678<Tab>24680<Tab>24680<Enter>'
expect_text 'The PIN was changed.'
expect_text 'Token K'
echo 24680 >"$T/kpin"
expect_exit 0 "$QOLTANBA" token-inspect --pin-file "$T/kpin" K

# -- A module that does not load is named with the line that named it;
# the others still work.
printf 'module.kaztoken = %s\np11-kit = no\nmodule.jacarta = %s/missing.so\n' "$SOFTHSM" "$T" \
	>"$XDG_CONFIG_HOME/qoltanba/config"
tui 120x40 '44<Enter>'
expect_text "Module $T/missing.so could not be loaded"
expect_text "(from $XDG_CONFIG_HOME/qoltanba/config:3)"
expect_text '▸ K '

# -- The help screen lists the new action from the action table.
tui 120x40 '<F1>'
expect_text 'F12 ^Y'
expect_text 'Change the PIN of this token'
finish
