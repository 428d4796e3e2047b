#!/bin/sh
# The terminal UI's screens as text (STYLE.md rule 13): headless mode at
# 80x24 and 120x40, expected screens written here, the Cyrillic names of
# the real NCA fixtures, and bad input (wrong password, empty folder,
# files that cannot be read, 10,000 files, a 10 kB paste, a signal).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
command -v openssl >/dev/null || skip "openssl CLI not installed"

cd "$T"
cp -R "$QT_FIXTURES/nca-sdk-2020" fx
chmod -R u+w fx

# home at 80x24
tui 80x24 ''
expect_screen "home at 80x24" <<'SCREEN'
 qoltanba — Home

    NCA RK digital-signature keys
    Choose with the arrows and Enter, or press the number.


      1  Obtain DS keys
      2  Check request status
      3  Personal account
    ▸ 4  Open key store
      5  Settings
      6  Registration Authority
      7  Quit

      See the keys in a folder or on a token, look at one, change its
      password or PIN.







F1/^G Help  Enter Open  F10/^X Quit
SCREEN

# home at 120x40
tui 120x40 ''
expect_screen "home at 120x40" <<'SCREEN'
 qoltanba — Home

    NCA RK digital-signature keys
    Choose with the arrows and Enter, or press the number.


      1  Obtain DS keys
      2  Check request status
      3  Personal account
    ▸ 4  Open key store
      5  Settings
      6  Registration Authority
      7  Quit

      See the keys in a folder or on a token, look at one, change its
      password or PIN.























F1/^G Help  Enter Open  F10/^X Quit
SCREEN

# key list of a legal entity at 80x24
tui 80x24 '41<C-u>fx/organization/active<Enter>'
expect_screen "key list of a legal entity at 80x24" <<'SCREEN'
 qoltanba — Keys in a folder
  fx/organization/active
    Use   Owner                    IIN          Expires    State
  ▸ AUTH  ТЕСТОВ ТЕСТ, АО "ТЕСТ"   123456789011 2021-01-27 EXPIRED
    SIGN  ТЕСТОВ ТЕСТ, АО "ТЕСТ"   123456789011 2021-01-27 EXPIRED, GOST
















  Type to filter   (2)

F1/^G Help  Enter Open  F9/^K Unlock all  Esc Back  F8/^U Clear  F10/^X Quit
SCREEN

# key list of an individual at 120x40
tui 120x40 '41<C-u>fx/personal/active<Enter>'
expect_screen "key list of an individual at 120x40" <<'SCREEN'
 qoltanba — Keys in a folder
  fx/personal/active
    Use   Owner                     IIN          BIN          Expires    State              File
  ▸ AUTH  ТЕСТОВ ТЕСТ               123456789011 -            2021-01-27 EXPIRED            AUTH_RSA256_b2c70a9ff7a5…
    SIGN  ТЕСТОВ ТЕСТ               123456789011 -            2021-01-27 EXPIRED            RSA256_11c707bd54cbfcccb…
































  Type to filter   (2)

F1/^G Help  Enter Open  F9/^K Unlock all  F3/Esc Back  F8/^U Clear  F5/^R Reload  F10/^X Quit
SCREEN

# wrong password: message beside the field, and the reason
tui 80x24 '41<C-u>fx/organization/active<Enter><Down><Enter>qwerty12<Enter>'
expect_screen "wrong password: message beside the field, and the reason" <<'SCREEN'
 qoltanba — Open a key

  GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12
  Type the password of this key file.


  Password        ▸                            ✗ Wrong password

                    [ Open ]


  Wrong password for this key file. Check the keyboard layout and Caps Lock,
  and try again.










F1/^G Help  F2/^O OK  F4/^T Show  F3/Esc Back  F10/^X Quit
SCREEN

# retry after a wrong password; a GOST key, expired
tui 80x24 '41<C-u>fx/organization/active<Enter><Down><Enter>qwerty12<Enter>Qwerty12<Enter>'
expect_screen "retry after a wrong password; a GOST key, expired" <<'SCREEN'
 qoltanba — Key details
  State                 EXPIRED: this key can no longer be used
  Signing               GOST key: shown, but qoltanba cannot sign with it
  Purpose               signing (SIGN)
  Name                  ТЕСТОВ ТЕСТ
  Surname, patronymic   ТЕСТОВ, ТЕСТОВИЧ
  IIN                   123456789011
  BIN                   123456789021
  Organisation          АО "ТЕСТ"
  Roles                 legal entity, first head
  Key algorithm         GOST 34.310-2004
  Issuer                ҰКО 3.0 (GOST TEST)
  Serial number         10dcd6f16215ed03aa57856ac168adeaa534f3bf
  Valid from            2020-01-28 06:23:35 UTC
  Valid until           2021-01-27 06:23:35 UTC
  Days left             none: expired N days ago
  Key ID                13a3741b52d7bf860aab199b56fad1f4652e357b
  Storage               not stated in the certificate
  Format                key file, NCA's format (3DES, RC2-40, SHA-1 MAC)
  File                  GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12

  Validity used [█████████████████████████████████████████████████] 100%

F1/^G Help  F6/^W Password  F3/Esc Back  F10/^X Quit
SCREEN

# details of an individual's AUTH key at 120x40
tui 120x40 '41<C-u>fx/personal/active<Enter><Enter>Qwerty12<Enter>'
expect_screen "details of an individual's AUTH key at 120x40" <<'SCREEN'
 qoltanba — Key details
  State                 EXPIRED: this key can no longer be used
  Purpose               authentication (AUTH)
  Name                  ТЕСТОВ ТЕСТ
  Surname, patronymic   ТЕСТОВ, ТЕСТОВИЧ
  IIN                   123456789011
  Roles                 individual
  Key algorithm         RSA 2048
  Issuer                ҰКО 3.0 (RSA TEST)
  Serial number         391759e5658dca490117417838e6c72cd8a853e7
  Valid from            2020-01-28 06:23:03 UTC
  Valid until           2021-01-27 06:23:03 UTC
  Days left             none: expired N days ago
  Key ID                b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d
  Storage               not stated in the certificate
  Format                key file, NCA's format (3DES, RC2-40, SHA-1 MAC)
  File                  AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.p12

  Validity used [█████████████████████████████████████████████████] 100%




















F1/^G Help  F6/^W Password  F3/Esc Back  F10/^X Quit
SCREEN

# below 80x24: the terminal-too-small page
tui 80x24 '41<C-u>fx/organization/active<Enter><Down><Enter>Qwe<Resize 70x20>'
expect_screen "below 80x24: the terminal-too-small page" <<'SCREEN'








 The terminal is 70x20; qoltanba needs at least 80x24.
 Make the window larger and this page goes away by itself. F10 or
 Ctrl-X quits.









SCREEN

# grown again: the form comes back with what was typed
tui 80x24 '41<C-u>fx/organization/active<Enter><Down><Enter>Qwe<Resize 70x20><Resize 80x24>'
expect_screen "grown again: the form comes back with what was typed" <<'SCREEN'
 qoltanba — Open a key

  GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12
  Type the password of this key file.


  Password        ▸ •••

                    [ Open ]














F1/^G Help  F2/^O OK  F4/^T Show  F3/Esc Back  F10/^X Quit
SCREEN

# Keys that are valid, and not valid yet (the fixtures expired in 2021):
# the states are words.  Once opened, the list shows what the file said.
mkdir fresh
"$top_builddir/tests/tui_mkkeys" fresh > /dev/null
tui 80x24 '41<C-u>fresh<Enter><Enter>Qwerty12<Enter>'
expect_text 'State                 valid'
expect_text 'Days left             100'
expect_text 'E-mail                test@example.kz'
expect_text 'Format                key file (AES-256, PBKDF2, SHA-256 MAC)'
tui 80x24 '41<C-u>fresh<Enter><Down><Enter>Qwerty12<Enter>'
expect_text 'NOT YET VALID: the certificate starts later'
tui 80x24 '41<C-u>fresh<Enter><Enter>Qwerty12<Enter><Esc><Down><Enter>Qwerty12<Enter><Esc>'
expect_text 'AUTH  ТЕСТОВ ТЕСТ              800416100254'
expect_text 'valid, 100 days'
expect_text 'not yet valid'

# open key store at 120x40
tui 120x40 '41<C-u>fx<Tab>'
expect_screen "open key store at 120x40" <<'SCREEN'
 qoltanba — Open key store

  Type the folder with the key files, or press F7/^F to choose it from a list.


  Folder            fx

                    [ Open ]































F1/^G Help  F2/^O OK  F7/^F Browse  F3/Esc Back  F10/^X Quit
SCREEN

# Unlock all: one password for the whole folder.  The revoked fixtures
# have no certificate beside them, so only the password shows who they
# belong to; a wrong one is said per file.
tui 80x24 '41<C-u>fx/organization/revoked<Enter><F9>Qwerty12<Enter>'
expect_text 'Opened with this password: 2 key files; another password: 0.'
expect_text 'SIGN  ТЕСТОВ ТЕСТ, АО "ТЕСТ"   123456789011 2021-01-27 EXPIRED, GOST'
tui 80x24 '41<C-u>fx/organization/revoked<Enter><C-k>wrong<Enter>'
expect_text 'Opened with this password: 0 key files; another password: 2.'
expect_text 'other password'

# Personal account: the sign-in page (tests/tui-account.sh signs in).
tui 80x24 '3'
expect_text 'Personal account: sign in'
expect_text 'Key storage         < Key file on this computer >'
tui 80x24 '3<Esc>'
expect_text 'Obtain DS keys'

# A modal dialog follows a resize, and survives a too-small moment.
mkdir broken
echo junk > broken/AUTH_RSA256_bad.p12
tui 80x24 '41<C-u>broken<Enter><Enter><Resize 120x40>'
expect_text '                            │ This file is neither a key store (.p12) nor a certificate.   │'
tui 80x24 '41<C-u>broken<Enter><Enter><Resize 60x20><Resize 80x24><Enter>'
expect_no_text 'Cannot read this file'
expect_text 'not a key file'

# The help screen comes from the action table, as does --list-keys.
tui 80x24 '<F1>'
expect_text 'F7 ^F             Choose a folder from a list'
expect_exit 0 "$QOLTANBA" --list-keys
expect_match '^change-password +F6 \^W +Change the password of this key file'

# The folder picker: from the current folder (the field is empty),
# into fx/organization/active by typing to filter, F2 chooses, then the
# key list.  The folder is remembered, as an absolute path.
tui 80x24 '41<C-u><F7>fx<Enter>org<Enter>act<Enter><Dump><F2><Enter>'
expect_text '2 key files here.'
expect_text 'ТЕСТОВ ТЕСТ, АО "ТЕСТ"'
expect_text 'Keys in a folder'
checks=$((checks + 1))
grep -qx "last_folder = $T/fx/organization/active" "$XDG_CONFIG_HOME/qoltanba/config" ||
	fail "last folder not remembered: $(cat "$XDG_CONFIG_HOME/qoltanba/config")"

# Without a UTF-8 locale: ASCII lines and a note saying why.
LC_ALL=C tui 80x24 '41<C-u>broken<Enter><Enter>'
expect_text 'ASCII mode: the locale is not UTF-8'
expect_text '+- Cannot read this file ---'

# A folder without key files.
mkdir empty
tui 80x24 '41<C-u>empty<Enter>'
expect_text 'There are no key files in this folder'

# A folder that does not exist: the message is beside the field.
tui 80x24 '41<C-u>no-such<Enter>'
expect_text 'No such folder'
expect_text 'Open key store'

# Files that cannot be read: garbage, a dangling link, and (when not
# root) a file without read permission.
mkdir bad
echo garbage > bad/AUTH_RSA256_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.p12
echo junk > bad/broken.cer
ln -s nowhere.p12 bad/RSA256_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.p12
tui 80x24 '41<C-u>bad<Enter><End><Enter>'
expect_text 'Cannot read this file'
expect_text 'neither a key store (.p12) nor a certificate'
[ "$rc" = 0 ] || fail "exit code $rc with unreadable files"
if [ "$(id -u)" != 0 ]; then
	cp fx/personal/active/RSA256_*.p12 bad/
	chmod 000 bad/RSA256_11c*.p12
	tui 80x24 '41<C-u>bad<Enter><C-u>11c707<Enter>Qwerty12<Enter>'
	expect_text 'Permission denied'
fi

# 10,000 files: the list opens, filters as you type, and keeps the
# selection inside what is shown.
mkdir big
src=$(ls fx/personal/revoked/AUTH_RSA256_*.p12)
perl -e 'for my $i (1 .. 10000) {
	link($ARGV[0], sprintf("big/AUTH_RSA256_%040x.p12", $i)) or die "link: $!\n" }' "$src"
[ "$(ls big | wc -l)" -eq 10000 ] || fail "could not make 10,000 files"
tui 80x24 '41<C-u>big<Enter>'
expect_text 'Type to filter   (10000)'
tui 80x24 '41<C-u>big<Enter>2710'
expect_text 'Filter: 2710_   (1 of 10000)'
tui 80x24 '41<C-u>big<Enter>0000027<Backspace><Backspace>'
expect_text 'Filter: 00000_   (10000 of 10000)'
tui 80x24 '41<C-u>big<Enter>zzz'
expect_text 'Nothing matches the filter'

# A 10 kB paste into the password field: cut at the field's size, said
# beside the field, nothing breaks; into the folder field likewise.
tui 80x24 '41<C-u>fx/personal/active<Enter><Enter><Rep 10240 a>'
expect_text 'Cut at 64 characters'
[ "$rc" = 0 ] || fail "exit code $rc after a long paste"
tui 80x24 '41<C-u><Rep 10240 x>'
expect_text 'Cut at 256 characters'

# Masked password, and the show toggle.
tui 80x24 '41<C-u>fx/personal/active<Enter><Enter>Secret1'
expect_no_text 'Secret1'
tui 80x24 '41<C-u>fx/personal/active<Enter><Enter>Secret1<F4>'
expect_text 'Secret1'

# The new password is checked as it is typed, naming the failing rule.
cp fx/personal/active/AUTH_RSA256_*.p12 work.p12 2>/dev/null || true
mkdir pw
cp fx/personal/active/AUTH_RSA256_* pw/
tui 80x24 '41<C-u>pw<Enter><Enter>Qwerty12<Enter><F6>Qwerty12<Tab>abc'
expect_text 'Too short: 3 of at least 6'
# change of password: the broken rule named as it is typed
tui 80x24 '41<C-u>pw<Enter><Enter>Qwerty12<Enter><F6>Qwerty12<Tab>abcd1234й'
expect_screen "change of password: the broken rule named as it is typed" <<'SCREEN'
 qoltanba — Change the password

  AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.p12
  6 to 32 characters: Latin letters and digits (at least one of each); the
  characters #$^+=!*()@%&_?-. are also allowed.

  Current password        ••••••••
  New password          ▸ •••••••••            ✗ Character 9 is not Latin
  New password again

                          [ Change the password ]








  The password cannot be recovered: if it is lost, the keys must be revoked.



F1/^G Help  F2/^O OK  Tab Next  F4/^T Show  F3/Esc Back  F10/^X Quit
SCREEN
tui 80x24 '41<C-u>pw<Enter><Enter>Qwerty12<Enter><F6>Qwerty12<Tab>abcdefgh'
expect_text 'Needs a digit'
tui 80x24 '41<C-u>pw<Enter><Enter>Qwerty12<Enter><F6>Qwerty12<Tab>abcd1234й'
expect_text 'Character 9 is not Latin'
tui 80x24 '41<C-u>pw<Enter><Enter>Qwerty12<Enter><F6>Qwerty12<Tab>Newpass77<Tab>Newpass7'
expect_text 'Meets the policy'
expect_text 'Differs from the new password'

# Change the password of a copy, then check it with openssl.
tui 80x24 '41<C-u>pw<Enter><Enter>Qwerty12<Enter><F6>Qwerty12<Tab>Newpass77<Tab>Newpass77<Enter>'
expect_text 'The password was changed'
p12=$(ls pw/*.p12)
printf 'Newpass77\n' > newpw
expect_exit 0 openssl pkcs12 -legacy -in "$p12" -passin file:newpw -nokeys -noout
printf 'Qwerty12\n' > oldpw
expect_exit 1 openssl pkcs12 -legacy -in "$p12" -passin file:oldpw -nokeys -noout
# Wrong current password: said beside the field; the file is untouched.
before=$(cksum < "$p12")
tui 80x24 '41<C-u>pw<Enter><Enter>Newpass77<Enter><F6>Wrong111<Tab>Other222<Tab>Other222<Enter>'
expect_text 'Wrong password'
[ "$(cksum < "$p12")" = "$before" ] || fail "a failed change altered the file"

# Settings: colours off and a language, remembered in the XDG config.
tui 80x24 '5<Right><Tab><Space><F2>'
expect_text 'Settings saved.'
cfg="$XDG_CONFIG_HOME/qoltanba/config"
checks=$((checks + 1))
grep -qx 'language = en' "$cfg" && grep -qx 'color = no' "$cfg" || fail "config: $(cat "$cfg")"
mode=$(stat -c %a "$cfg")
[ "$mode" = 600 ] || fail "config mode $mode"
tui 80x24 '5'
expect_text '< English >'
expect_text '[ ]'
# The same file holds other parts' settings (token modules): a change
# from the screen keeps them and their comments.
printf '# mine\nmodule.kaztoken = /opt/kt.so\nlanguage = en\n' >"$cfg"
tui 80x24 '5<Right><F2>'
checks=$((checks + 1))
[ "$(cat "$cfg")" = "$(printf '# mine\nmodule.kaztoken = /opt/kt.so\nlanguage = ru\ncolor = yes')" ] ||
	fail "other settings not kept: $(cat "$cfg")"
# A file that cannot be read is named, with its line, on the first screen.
printf 'language = en\nthis is not a setting\n' >"$cfg"
tui 80x24 ''
expect_text 'Settings not read: ~/.config/qoltanba/config:2: expected "key = value"' 
rm -f "$cfg"

# A signal on a form: the run ends with 128+signal, nothing is written.
tui 80x24 '41<C-u>pw<Enter><Enter>Newpass77<Enter><F6>Newpass77<Tab>Another99<Signal TERM>'
[ "$rc" = 143 ] || fail "SIGTERM: exit code $rc, expected 143"
expect_exit 0 openssl pkcs12 -legacy -in "$p12" -passin file:newpw -nokeys -noout
[ -z "$(ls pw | grep -v -e '\.p12$' -e '\.cer$' || true)" ] || fail "left-overs in pw/: $(ls pw)"
tui 80x24 '<Signal HUP>'
[ "$rc" = 129 ] || fail "SIGHUP: exit code $rc, expected 129"

finish
