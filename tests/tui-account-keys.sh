#!/bin/sh
# "List of DS keys" and "Revocation of DS keys" in a real terminal (tmux)
# against a real qoltanbad.  A holder with two sets of keys (an
# individual's and a first head's, one IIN) sees 4 valid keys; sorting
# reorders them and says how; the CSV export writes a header and 4 lines
# (and asks before replacing); the SIGN key of one set is revoked through
# the pages with the reason key_compromise, the list shows it revoked,
# the CLI agrees and `openssl verify -crl_check_all` with the portal's
# chain and CRLs says "certificate revoked" (and still accepts the other
# SIGN key); the key's details offer no Revoke and say why, and a second
# qoltanba that had the revocation open beforehand gets the portal's
# already-revoked refusal in words.  Another holder sees neither those
# keys in the list nor in `qoltanba account keys --json`, nor can choose
# them to revoke; and the portal restarted with its clock 20 minutes on
# (the session expired) gives the list again on F5 without a new sign-in.
# Revoking the AUTH key of the visit signs out, and near the end of their
# validity keys say "N days left".
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/account-tui-lib.sh"
cd "$T"
at_init
at_holder a individual "$A_IIN"
at_holder ach chairman "$A_IIN" "$ALTYN_BIN"
at_holder b individual "$B_IIN"

# The serials as the portal lists them.
at_cli a keys --json
[ "$rc" = 0 ] || { fail "qoltanba account keys: $out"; finish; exit 1; }
keyjson=$(printf '%s\n' "$out" | grep '^{')
serial() {  # serial PURPOSE SUBJECT_TYPE
	printf '%s' "$keyjson" | jq -r ".keys[] | select(.purpose==\"$1\" and .subject_type==\"$2\") | .serial"
}
A_SIGN=$(serial sign individual)
CH_SIGN=$(serial sign chairman)
[ -n "$A_SIGN" ] && [ -n "$CH_SIGN" ] || { fail "no SIGN serials in: $out"; finish; exit 1; }
# The table shows a serial's first 7 digits at 80 columns.
short() { printf '%.7s' "$1"; }
# rows: the key rows of the table, "PURPOSE SERIAL-START STATE".
rows() { screen_now | sed -n 's/^ *\(▸ \)\{0,1\}\(AUTH\|SIGN\) \([0-9a-f]*\)… *\([0-9a-z][0-9a-z ]*[a-z]\) .*/\2 \3 \4/p'; }
# wait_said TEXT: TEXT shows, perhaps wrapped over lines of a dialog.
said() { screen_now | sed 's/[│|]//g' | tr '\n' ' ' | tr -s ' '; }
wait_said() {
	i=0
	checks=$((checks + 1))
	while [ $i -lt 200 ]; do
		if said | grep -qF -- "$1"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "the terminal never said \"$1\"; it shows:"
	screen_now >&2
	exit 1
}

# ---- a second qoltanba, signed in as the same holder, stops at the
# confirmation of revoking the individual's SIGN key (used at the end) ----
at_start
at_signin a
SOCK2=$SOCK
keys 3
wait_for 'Which key do you want to revoke?'
text "$(short "$A_SIGN")"
wait_for 'Filter:'
keys Enter
wait_for 'Why? Choose the reason'
keys 1
wait_for 'This cannot be undone'

# ---- the list: 4 valid keys of both sets ---------------------------------------
# A new tmux server for the first qoltanba; the second keeps running.
cat >"$T/run1.sh" <<RUN
#!/bin/sh
cd "$T"
"$QOLTANBA" --portal="$PD_URL"
sleep 600
RUN
chmod +x "$T/run1.sh"
SOCK="$T/tmux.main.sock"
tmux -S "$SOCK" new-session -d -x 80 -y 24 \
	"env TERM=xterm-256color HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME XDG_DATA_HOME=$XDG_DATA_HOME $T/run1.sh"
wait_for 'Open key store'
at_signin a
keys 1
wait_for '4 keys. Sorted by expiry date, ascending ↑.'
wait_for 'Until↑'
checks=$((checks + 1))
[ "$(rows | grep -c ' valid$')" = 4 ] || { fail "4 valid keys expected:"; screen_now >&2; }
wait_for 'individual'
wait_for 'first head'
wait_for "$(short "$A_SIGN")"
wait_for "$(short "$CH_SIGN")"

# ---- sort: purpose ascending puts both AUTH keys first, descending both
# SIGN keys; expiry descending is the reverse of ascending ----
before=$(rows | cut -d' ' -f2 | tr '\n' ' ')
keys F11
wait_for 'Sorted by expiry date, descending ↓.'
wait_for 'Until↓'
after=$(rows | cut -d' ' -f2 | tr '\n' ' ')
checks=$((checks + 1))
[ "$before" != "$after" ] || fail "descending expiry kept the order: $before"
keys F11 F11 F11
wait_for 'Sorted by purpose, ascending ↑.'
wait_for 'Key↑'
checks=$((checks + 1))
[ "$(rows | cut -d' ' -f1 | tr '\n' ' ')" = "AUTH AUTH SIGN SIGN " ] ||
	{ fail "purpose ascending:"; screen_now >&2; }
keys C-d
wait_for 'Sorted by purpose, descending ↓.'
checks=$((checks + 1))
[ "$(rows | cut -d' ' -f1 | tr '\n' ' ')" = "SIGN SIGN AUTH AUTH " ] ||
	{ fail "purpose descending:"; screen_now >&2; }

# ---- export CSV ------------------------------------------------------------------
keys F2
wait_for 'Export 4 keys'
wait_for "Writes $HOME/qoltanba-keys-"
keys F2
wait_for 'Saved 4 keys to '
csv=$(ls "$HOME"/qoltanba-keys-*.csv 2>/dev/null | head -1)
check "the CSV file is written" test -f "$csv"
check "CSV header" grep -q '^serial,purpose,status,application,' "$csv"
check "CSV: a header and 4 lines" test "$(grep -c . "$csv")" -eq 5
check "CSV: 4 valid keys" test "$(grep -c ',valid,' "$csv")" -eq 4
check "CSV: the individual's SIGN key" grep -q "^$A_SIGN,sign,valid," "$csv"
check "CSV: readable as a report (0644)" test "$(stat -c %a "$csv")" = 644
# Again: the file is there, Save twice replaces it.
keys C-o
wait_for 'Export 4 keys'
keys F2
wait_said 'already exists. Press Save again to replace it'
keys Escape
wait_for 'Sorted by purpose'

# ---- revoke the individual's SIGN key through its details -----------------------
text "$(short "$A_SIGN")"
wait_for '(1 of 4)'
keys Enter
wait_for "$A_SIGN"
wait_for '[ Revoke ]'
wait_for '[ Re-issue ]'
keys Enter
wait_for 'Revocation of DS keys'
wait_for 'Why? Choose the reason'
keys 1
wait_for 'The key is compromised'
wait_said 'This cannot be undone'
wait_said 'signatures made with this key from now on will not verify'
keys Right Enter
wait_for 'Revoked: the SIGN key'
wait_for 'The CRL is updated'
keys Escape
wait_for '(1 of 4)'
checks=$((checks + 1))
[ "$(rows)" = "SIGN $(short "$A_SIGN") revoked" ] || { fail "not shown revoked:"; screen_now >&2; }
at_cli a keys --json
check "the portal lists it revoked" test "$(printf '%s\n' "$out" | grep '^{' |
	jq -r ".keys[] | select(.serial==\"$A_SIGN\") | .status + \" \" + .revocation_reason")" = \
	"revoked key_compromise"
curl -s "$PD_URL/api/v1/ca/chain.pem" >"$T/chain.pem"
curl -s "$PD_URL/crl/qoltanbad.crl" | openssl crl -inform DER >"$T/crls.pem"
curl -s "$PD_URL/crl/qoltanbad-root.crl" | openssl crl -inform DER >>"$T/crls.pem"
cert_of() {  # cert_of P12 OUT
	openssl pkcs12 -in "$1" -passin file:"$T/pw" -nokeys -clcerts -out "$2" 2>/dev/null ||
		openssl pkcs12 -legacy -in "$1" -passin file:"$T/pw" -nokeys -clcerts -out "$2"
}
cert_of "$(ls "$T"/a/RSA256_*.p12 | head -1)" "$T/a-sign.pem"
cert_of "$(ls "$T"/ach/RSA256_*.p12 | head -1)" "$T/ach-sign.pem"
check "the revoked file is the one revoked" \
	test "$(openssl x509 -in "$T/a-sign.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')" = "$A_SIGN"
expect_exit 2 openssl verify -crl_check_all -CAfile "$T/chain.pem" -CRLfile "$T/crls.pem" "$T/a-sign.pem"
expect_match 'certificate revoked'
expect_exit 0 openssl verify -crl_check_all -CAfile "$T/chain.pem" -CRLfile "$T/crls.pem" "$T/ach-sign.pem"

# ---- revoking it again: the details say why not; the other qoltanba, with
# the revocation confirmed only now, gets the portal's refusal in words ----
keys Enter
wait_for 'This key is revoked: it cannot be revoked again'
wait_for 'Reason          The key is compromised'
screen_now | grep -qF '[ Revoke ]' && fail "Revoke is offered for a revoked key"
keys Escape
wait_for '(1 of 4)'
SOCK1=$SOCK
SOCK=$SOCK2
keys Right Enter
wait_said "Already revoked: the SIGN key $A_SIGN"
wait_said 'Nothing more to do'
screen_now | grep -q 'Revoked: the SIGN key' && fail "a second revocation looked like a success"
keys Escape
SOCK=$SOCK1

# ---- another holder sees none of these keys --------------------------------------
keys F8 Escape
wait_for 'Re-issuance of DS keys'
keys Escape
wait_for 'Signed out'
at_signin b
keys 1
wait_for '2 keys. Sorted by expiry date'
for s in "$A_SIGN" "$CH_SIGN"; do
	screen_now | grep -q "$(short "$s")" && fail "b sees $s in the list"
done
checks=$((checks + 1))
[ "$(rows | wc -l)" = 2 ] || { fail "b's list:"; screen_now >&2; }
at_cli b keys --json
check "b's keys from the CLI" test "$(printf '%s\n' "$out" | grep '^{' | jq -r .count)" = 2
for s in "$A_SIGN" "$CH_SIGN"; do
	printf '%s' "$out" | grep -q "$s" && fail "qoltanba account keys shows b the key $s"
done
keys Escape
wait_for 'Re-issuance of DS keys'
keys 3
wait_for 'Which key do you want to revoke?'
wait_for 'Type to filter   (2)'
for s in "$A_SIGN" "$CH_SIGN"; do
	screen_now | grep -q "$(short "$s")" && fail "b could choose $s to revoke"
done
keys Escape
wait_for 'Re-issuance of DS keys'

# ---- the portal down in the middle of the list: F5 says so, nothing is lost;
# back with its clock 20 minutes on (the session expired), F5 renews the
# session by itself and shows the list ----
keys 1
wait_for '2 keys. Sorted by expiry date'
last=$(db "SELECT max(expires) FROM holder_session WHERE iin='$B_IIN'")
pd_stop
keys F5
wait_said 'Nothing is lost: press F5 (or Ctrl-R) to try again when the portal answers.'
wait_for '2 keys. Sorted by expiry date'
pd_start --test-clock-offset 1200
keys F5
i=0
while [ "$(db "SELECT max(expires) FROM holder_session WHERE iin='$B_IIN'")" = "$last" ] &&
	[ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "F5 signed in again by itself" \
	test "$(db "SELECT max(expires) FROM holder_session WHERE iin='$B_IIN'")" -gt "$last"
# The list comes back: the error line goes.
i=0
while said | grep -q 'Nothing is lost' && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
checks=$((checks + 1))
[ "$(rows | grep -c ' valid$')" = 2 ] || { fail "the list after the session expired:"; screen_now >&2; }
screen_now | grep -qi 'session\|sign in\|refused\|nothing is lost' &&
	{ fail "F5 after the session expired:"; screen_now >&2; }
wait_for '2 keys. Sorted by expiry date'
keys Escape
wait_for 'Re-issuance of DS keys'
keys Escape
wait_for 'Signed out'

# ---- revoking the AUTH key one signed in with signs out ---------------------------
CH_AUTH=$(serial auth chairman)
at_signin ach
keys 3
wait_for 'Which key do you want to revoke?'
text "$(short "$CH_AUTH")"
wait_for 'Filter:'
keys Enter
wait_for 'You signed in with this key: once it is revoked'
keys 4
wait_said 'You signed in with this AUTH key: you will be signed out after it.'
keys Right Enter
wait_for 'It was the AUTH key you signed in with, so you are signed out.'
wait_for 'Open key store'
at_cli a keys --json
check "the chairman's AUTH key is revoked" test "$(printf '%s\n' "$out" | grep '^{' |
	jq -r ".keys[] | select(.serial==\"$CH_AUTH\") | .status + \" \" + .revocation_reason")" = \
	"revoked cessation_of_operation"

# ---- 340 days on (the portal's clock): "N days left", in words ------------------
at_restart --test-clock-offset $((340 * 86400))
at_signin b
keys 1
wait_for '2 keys. Sorted by expiry date'
checks=$((checks + 1))
[ "$(rows | grep -Ec ' 2[45] days left$')" = 2 ] || { fail "days left:"; screen_now >&2; }
finish
