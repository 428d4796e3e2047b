# Helpers for the personal-account screen tests: a real qoltanbad (test
# mode, no captcha) with the demo registry, holders with real keys (made
# by `qoltanba apply`, approved with `qoltanbad ra approve`, installed by
# `qoltanba install`), and qoltanba in a real terminal (tmux) signed in to
# the account through its pages.  Source after tests/lib.sh.
#
#   at_init                      the portal, started; $PD_URL
#   at_holder NAME SUBJECT IIN [BIN]
#                                keys in $T/NAME (password Qwerty12 in $T/pw);
#                                the AUTH file's path in $T/NAME.auth
#   at_start                     qoltanba in a fresh tmux session (80x24 unless
#                                AT_COLS/AT_ROWS; AT_ARGS: more options), on Home
#   at_open FILE                 Home -> Personal account -> FILE, its password,
#                                "Open the key"
#   at_signin NAME               Home -> Personal account -> key file, password,
#                                "Open the key", "Sign in": the account's menu
#   at_cli NAME SUB [ARGS]       qoltanba account SUB as NAME (output in $out,
#                                exit status in $rc; not a check)
#   at_restart [serve options]   restarts qoltanbad on the same port
#   wait_for TEXT                polls the pane (~20 s at most); a failed check
#                                prints the screen and ends the test
. "$top_srcdir/tests/portald-lib.sh"
. "$top_srcdir/tests/tmux-lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"
command -v python3 >/dev/null || skip "python3 not installed (free port)"
export LC_ALL=C.UTF-8 TZ=UTC
unset LANGUAGE NO_COLOR ESCDELAY TMUX || true

A_IIN=850314372249      # ӘБІЛҚАЙЫР ЕРЛАН, chairman of ALTYN_BIN
ALTYN_BIN=060340138014  # ЖШС "Алтын Дала"
E_IIN=781105372291      # НҰРЛАНОВ ДӘУРЕН, employee of ALTYN_BIN
B_IIN=900722433036      # another individual

SOCK="$T/tmux.0.sock"
at_tmux_n=0
trap 'for s in "$T"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null || true; done; pd_cleanup' EXIT

at_init() {
	printf 'Qwerty12\n' >"$T/pw"
	pd_init --test-mode --no-captcha
	pd_start
}

at_restart() {
	pd_stop
	pd_start "$@"
}

at_holder() {
	printf '{"subject":"%s","iin":"%s",%s"email":"%s@example.kz","region":"KZ-75","city":"Almaty","storage":"pc","folder":"%s"}\n' \
		"$2" "$3" "${4:+\"bin\":\"$4\",}" "$1" "$T/$1" >"$T/$1.json"
	"$QOLTANBA" apply --batch "$T/$1.json" --portal "$PD_URL" --password-file "$T/pw" --json \
		>"$T/$1.out" 2>&1 || { cat "$T/$1.out" >&2; fail "apply for $1"; exit 1; }
	n=$(tail -1 "$T/$1.out" | jq -r .number)
	"$QOLTANBAD" ra approve "$n" --data "$PD_DIR" >/dev/null 2>&1 || { fail "approve $1"; exit 1; }
	"$QOLTANBA" install "$n" --keys "$T/$1" --password-file "$T/pw" --portal "$PD_URL" \
		>>"$T/$1.out" 2>&1 || { cat "$T/$1.out" >&2; fail "install for $1"; exit 1; }
	ls "$T/$1"/AUTH_RSA256_*.p12 >"$T/$1.auth" || { fail "no AUTH file for $1"; exit 1; }
}

at_cli() {
	who=$1; shift
	set +e
	out=$("$QOLTANBA" account "$@" --key "$(cat "$T/$who.auth")" --password-file "$T/pw" \
		--portal "$PD_URL" 2>&1)
	rc=$?
	set -e
}

# Polls the pane until TEXT shows; a check that ends the test when not.
wait_for() { tmux_wait "$1" 200 || exit 1; }

at_start() {
	cat >"$T/run.sh" <<RUN
#!/bin/sh
cd "$T"
"$QOLTANBA" --portal="$PD_URL" ${AT_ARGS:-}
echo \$? > "$T/exit"
sleep 600
RUN
	chmod +x "$T/run.sh"
	rm -f "$T/exit"
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	at_tmux_n=$((at_tmux_n + 1))
	SOCK="$T/tmux.$at_tmux_n.sock"
	tmux -S "$SOCK" new-session -d -x "${AT_COLS:-80}" -y "${AT_ROWS:-24}" \
		"env TERM=xterm-256color HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME XDG_DATA_HOME=$XDG_DATA_HOME ${AT_ENV:-} $T/run.sh"
	wait_for 'Open key store'
}

# at_open FILE: Home -> Personal account -> FILE typed over whatever was
# suggested, the password, "Open the key" (what follows is the caller's).
at_open() {
	keys 3
	wait_for 'Personal account: sign in'
	keys F8
	text "$1"
	keys Tab
	text Qwerty12
	keys F2
}

at_signin() {
	at_open "$(cat "$T/$1.auth")"
	wait_for 'will sign in:'
	keys F2
	wait_for 'Signed in:'
}

# at_token_holder: SoftHSM2 as a Kaztoken labelled KT (PIN 40917, also in
# $T/pin) with an individual's keys (IIN 950201493046) applied for,
# approved and installed on it ($T/t.out); returns 1, the reason in
# $SOFTHSM_MISSING, when SoftHSM2 is not there.
T_IIN=950201493046
at_token_holder() {
	. "$top_srcdir/tests/softhsm-lib.sh"
	softhsm_try KT 40917 || return 1
	printf 'module.kaztoken = %s\np11-kit = no\n' "$SOFTHSM" >>"$XDG_CONFIG_HOME/qoltanba/config"
	echo 40917 >"$T/pin"
	printf '{"subject":"individual","iin":"%s","email":"t@example.kz","region":"KZ-71","city":"Astana","storage":"KT"}' \
		"$T_IIN" >"$T/t.json"
	"$QOLTANBA" apply --batch "$T/t.json" --portal "$PD_URL" --pin-file "$T/pin" --json \
		>"$T/t.out" 2>&1 || { cat "$T/t.out" >&2; fail "apply onto the token"; exit 1; }
	NT=$(grep '^{' "$T/t.out" | tail -1 | jq -r .number)
	"$QOLTANBAD" ra approve "$NT" --data "$PD_DIR" >/dev/null 2>&1 ||
		{ fail "approve the token's keys"; exit 1; }
	"$QOLTANBA" install "$NT" --token KT --pin-file "$T/pin" --portal "$PD_URL" >>"$T/t.out" 2>&1 ||
		{ cat "$T/t.out" >&2; fail "install onto the token"; exit 1; }
}

# at_signin_token: Home -> Personal account -> token KT, its PIN, "Open
# the key", "Sign in": the account's menu (after at_token_holder).
at_signin_token() {
	keys 3
	wait_for 'Personal account: sign in'
	keys BTab Right
	wait_for 'Token label'
	keys Tab F8
	text KT
	keys Tab
	text 40917
	keys F2
	wait_for 'will sign in:'
	keys F2
	wait_for 'Signed in:'
}
