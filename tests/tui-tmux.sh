#!/bin/sh
# The terminal UI end to end in a real terminal (tmux): open the NCA
# fixtures, open a key with its password, change the password of a
# copy (checked with openssl), resize in the middle of a form, paste
# 10 kB, suspend and resume, and leave by F10, Ctrl-C, SIGTERM and
# SIGHUP with the terminal restored each time.  With TERM=vt100,
# TERM=linux and NO_COLOR too.  Started in the background, it waits to
# be the foreground job before it touches the terminal.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/tmux-lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"
command -v openssl >/dev/null || skip "openssl CLI not installed"
export LC_ALL=C.UTF-8 TZ=UTC
unset LANGUAGE NO_COLOR ESCDELAY TMUX || true

# One tmux server per run, each on its own socket (a new server on the
# socket of one that is shutting down can fail).
n=0
SOCK="$T/tmux.0.sock"
trap 'for s in "$T"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null || true; done; rm -rf "$T"' EXIT
cd "$T"
cp -R "$QT_FIXTURES/nca-sdk-2020" fx
chmod -R u+w fx
mkdir keys
cp fx/personal/active/* keys/

# The program runs as the foreground job of the pane, in its own process
# group as an interactive shell would run it (Ctrl-Z then really stops
# it), under tests/tui-fg.py, which records its pid, its exit code and
# the terminal settings (stty -g, stty -a) before, while stopped and
# after.  The wrapper never sets the terminal itself (bash's fg would put
# back what it saw when it started the job), so what it measures is what
# qoltanba left.  When qoltanba stops, the wrapper waits for the test to
# say "resume" and continues it in the foreground.
command -v python3 >/dev/null || skip "python3 not installed (for the job-control wrapper)"
FG="$top_srcdir/tests/tui-fg.py"

# launch [--background] TERM [ENV...]: a new pane running qoltanba.
launch() {
	bg=
	if [ "$1" = --background ]; then bg=$1; shift; fi
	term=$1; shift
	rm -f exit stty pid stopped resume
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	n=$((n + 1))
	SOCK="$T/tmux.$n.sock"
	tmux -S "$SOCK" new-session -d -x 80 -y 24 \
		"env TERM=$term HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME $* python3 '$FG' $bg '$T' '$QOLTANBA'"
}

start() { # TERM [ENV...]
	launch "$@"
	wait_for 'Open key store'
}


# The waits below poll for a condition, at most 30 s (a loaded 2-core CI
# machine can take seconds; it costs nothing when things are fast); they
# are not timing checks.

# wait_file FILE: polls until the wrapper has written FILE.
wait_file() {
	i=0
	while [ ! -f "$1" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -f "$1" ]
}

# wait_for TEXT: polls the pane until TEXT shows.
wait_for() { tmux_wait "$1" 300; }

wait_exit() { # CODE
	checks=$((checks + 1))
	wait_file exit || { fail "qoltanba did not exit"; proc_state "$(cat pid)"; screen_now >&2; return 1; }
	[ "$(cat exit)" = "$1" ] || fail "exit code $(cat exit), expected $1"
	checks=$((checks + 1))
	[ "$(cat stty)" = same ] || { fail "the terminal settings were not restored"; stty_diff after; }
}

# stty_diff WHEN: the settings before the start and at WHEN (stty -g, and
# the lines of stty -a that differ).
stty_diff() {
	echo "  stty -g before: $(cat before.g)" >&2
	echo "  stty -g $1: $(cat "$1.g")" >&2
	diff before.a "$1.a" >&2 || true
}

# proc_state PID: what the process is doing (for failure reports).
proc_state() {
	ps -o pid=,stat=,wchan:32=,cmd= -p "$1" >&2 || true
	grep -E '^(State|SigPnd|ShdPnd|SigBlk|SigIgn|SigCgt)' "/proc/$1/status" >&2 || true
	for task in /proc/"$1"/task/*; do
		echo "  thread ${task##*/}: $(cat "$task/wchan" 2>/dev/null)" >&2
	done
	tty=$(tmux -S "$SOCK" display -p '#{pane_tty}' 2>/dev/null) || true
	stty -a < "$tty" >&2 || true
}

# Every failure names the scenario it happened in.
scenario=setup
fail() { echo "FAIL: $scenario: $*" >&2; failures=$((failures + 1)); }


# colours: does the pane hold any SGR colour (30-37, 40-47, 38;5, 48;5)?
colours() { tmux -S "$SOCK" capture-pane -p -e | grep -Eq "$(printf '\033')\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5|48;5)[;m]"; }

# ---- The whole flow, with a resize in the middle of the form.
scenario="F10 quit (screen-256color, password change, resize)"
start screen-256color
checks=$((checks + 1))
colours || fail "no colours with TERM=screen-256color"
keys 4
wait_for 'Where are the keys?'
keys 1
wait_for 'Type the folder'
keys C-u
text keys
keys Enter
wait_for 'ТЕСТОВ ТЕСТ'
wait_for '123456789011'
keys Enter
wait_for 'Type the password of this key file.'
text Qwerty1
keys Enter
wait_for 'Wrong password'
text Qwerty12
keys Enter
wait_for 'Key details'
wait_for 'EXPIRED'
keys F6
wait_for 'Change the password'
text Qwerty12
keys Tab
text Newpa
tmux -S "$SOCK" resize-window -x 100 -y 30
wait_for 'Too short: 5 of at least 6'
tmux -S "$SOCK" resize-window -x 70 -y 20
wait_for 'The terminal is 70x20'
tmux -S "$SOCK" resize-window -x 80 -y 24
wait_for 'New password again'
text ss77
wait_for 'Meets the policy'
keys Tab
text Newpass77
wait_for 'Same'
keys Enter
wait_for 'The password was changed'
keys F10
wait_exit 0
p12=$(ls keys/AUTH_RSA256_*.p12)
printf 'Newpass77\n' > newpw
expect_exit 0 openssl pkcs12 -legacy -in "$p12" -passin file:newpw -nokeys -noout
expect_exit 0 "$QOLTANBA" inspect --password-file newpw "$p12"
expect_match 'ТЕСТОВ ТЕСТ'
printf 'Qwerty12\n' > oldpw
expect_exit 2 "$QOLTANBA" inspect --password-file oldpw "$p12"
[ "$(ls keys | wc -l)" -eq 4 ] || fail "files left over in the key folder: $(ls keys)"

# ---- TERM=vt100: F-keys via the extra sequences, or Ctrl keys.
scenario="Ctrl-X quit (vt100)"
start vt100
keys 4
wait_for 'Where are the keys?'
keys 1
wait_for 'Type the folder'
keys C-u
text fx/organization/active
keys Enter
wait_for 'АО "ТЕСТ"'
keys F1
wait_for 'Help: keys'
keys Escape
wait_for 'Keys in a folder'
# PuTTY's and rxvt's F1 (ESC [ 11 ~), unknown to vt100's terminfo.
text "$(printf '\033[11~')"
wait_for 'Help: keys'
keys Escape
wait_for 'Keys in a folder'
keys C-x
wait_exit 0

# ---- TERM=linux without colour; quit with Ctrl-C on a password form.
scenario="Ctrl-C (linux, NO_COLOR)"
start linux NO_COLOR=1
checks=$((checks + 1))
! colours || fail "colours although NO_COLOR is set"
keys 4
wait_for 'Where are the keys?'
keys 1
wait_for 'Type the folder'
keys C-u
text keys
keys Enter
wait_for 'ТЕСТОВ ТЕСТ'
keys Enter
wait_for 'Type the password'
text Secret9
keys C-c
wait_exit 130

# ---- A 10 kB paste into a field, Ctrl-Z and back, then SIGTERM.
scenario="paste, Ctrl-Z/resume, SIGTERM (screen)"
start screen
keys 4
wait_for 'Where are the keys?'
keys 1
wait_for 'Type the folder'
keys C-u
text keys
keys Enter
wait_for 'ТЕСТОВ ТЕСТ'
keys Enter
wait_for 'Type the password'
head -c 10240 /dev/zero | tr '\0' 'a' > paste
tmux -S "$SOCK" load-buffer paste
tmux -S "$SOCK" paste-buffer
wait_for 'Cut at 64 characters'
pid=$(cat pid)
keys C-z
checks=$((checks + 1))
if wait_file stopped; then
	[ "$(cat stopped)" = same ] || { fail "the terminal was not restored while suspended"; stty_diff stopped; }
	[ "$(ps -o stat= -p "$pid" | cut -c1)" = T ] || fail "Ctrl-Z did not stop qoltanba"
else
	fail "Ctrl-Z did not suspend qoltanba; its state, and the screen:"
	proc_state "$pid"
	screen_now >&2
fi
touch resume
wait_for 'Type the password'
wait_for 'Cut at 64 characters'
kill -TERM "$pid"
wait_exit 143

# ---- A terminal type terminfo does not know: a clear message.
scenario="unknown TERM"
rm -f exit stty pid stopped resume
n=$((n + 1))
SOCK="$T/tmux.$n.sock"
tmux -S "$SOCK" new-session -d -x 80 -y 24 "env TERM=no-such-terminal python3 '$FG' '$T' '$QOLTANBA'"
wait_for 'is not in the terminfo database.'
wait_for 'Try TERM=xterm-256color'
wait_exit 1

# ---- SIGHUP on the home page.
scenario="SIGHUP (screen)"
start screen
kill -HUP "$(cat pid)"
wait_exit 129

scenario="started in the background, then fg (screen)"
# As "qoltanba &" from a script: it must leave the terminal alone (and
# stop) until it is the foreground job, even with SIGTTOU ignored.
launch --background screen
checks=$((checks + 1))
if wait_file stopped; then
	[ "$(cat stopped)" = same ] || { fail "the terminal settings changed while in the background"; stty_diff stopped; }
	[ "$(ps -o stat= -p "$(cat pid)" | cut -c1)" = T ] || fail "qoltanba did not stop in the background"
	! screen_now | grep -qF 'Open key store' || fail "qoltanba drew its page from the background"
else
	fail "qoltanba did not wait to be the foreground job"
fi
touch resume
wait_for 'Open key store'
keys F10
wait_exit 0

finish
