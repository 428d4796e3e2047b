#!/bin/sh
# Enrollment with the keys on a token (SoftHSM2 as a Kaztoken),
# headless at 80x24 against a real qoltanbad: the storage page shows the
# factory PIN, the token is chosen by label with its PIN (a wrong one
# said), the keys are generated on the token, the RA approves, and the
# certificates are installed beside the keys on the token.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tui-lib.sh"
. "$top_srcdir/tests/portald-lib.sh"
. "$top_srcdir/tests/softhsm-lib.sh"
export QOLTANBA_DATADIR="$top_srcdir/data"
softhsm_init KZT 87654321
printf 'module.kaztoken = %s\np11-kit = no\n' "$SOFTHSM" >"$XDG_CONFIG_HOME/qoltanba/config"
export PCSCLITE_CSOCK_NAME="$T/nothing/pcscd.comm"

cd "$T"
pd_init --no-captcha
pd_start
pd_operator
export TUI_ARGS="--portal=$PD_URL"
JOURNAL="$XDG_STATE_HOME/qoltanba/applications.json"

TOKEN='11<Space><Enter>850314372249<F2><F2><F2>аст<Enter><Enter>4'
tui 80x24 "$TOKEN"
expect_text 'Storage: Kaztoken'
expect_text 'Its factory PIN is 12345678'
expect_text 'Token label'
tui 80x24 "${TOKEN}KZT<Tab>11111111<Enter>"
expect_text 'Wrong PIN.'
tui 80x24 "${TOKEN}KZT<Tab>87654321<Enter>"
expect_text 'Token                 KZT'
tui 80x24 "${TOKEN}KZT<Tab>87654321<Enter><F2>"
expect_text 'Your application is accepted. Its number:'
NUMBER=$(jq -r '.applications[-1].number' "$JOURNAL")
check "journal: storage is the token" test "$(jq -r '.applications[-1].storage' "$JOURNAL")" = KZT
tui 80x24 "6$T/op.p12<Tab>Operator1pw<F2>$NUMBER<Enter><Enter>"
expect_text 'Approved: the certificates'
tui 80x24 "2<Tab>$NUMBER<Enter><Enter>"
expect_text 'Token label'
expect_text 'KZT'
tui 80x24 "2<Tab>$NUMBER<Enter><Enter>87654321<Enter>"
expect_text 'Certificates installed.'
expect_text 'The token "KZT" holds your keys with their'
if command -v pkcs11-tool >/dev/null; then
	out=$(pkcs11-tool --module "$SOFTHSM" --token-label KZT --login --pin 87654321 \
		--list-objects --type cert 2>/dev/null)
	checks=$((checks + 1))
	[ "$(printf '%s\n' "$out" | grep -c 'Certificate Object')" -eq 2 ] ||
		fail "not two certificates on the token: $out"
fi
pd_stop
finish
