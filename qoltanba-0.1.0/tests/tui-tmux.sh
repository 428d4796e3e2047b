#!/bin/sh
# The terminal UI end to end in a real terminal (tmux): open the NCA
# fixtures, open a key with its password, change the password of a
# copy (checked with openssl), resize in the middle of a form, paste
# 10 kB, suspend and resume, and leave by F10, Ctrl-C, SIGTERM and
# SIGHUP with the terminal restored each time.  With TERM=vt100,
# TERM=linux and NO_COLOR too.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
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

# The program runs inside a small wrapper that records its pid, its exit
# code, and whether the terminal settings (stty -g) came back as they
# were before it started.
# Job control (set -m) puts qoltanba in its own process group, as an
# interactive shell would: Ctrl-Z then really stops it.  When it stops,
# the wrapper notes whether the terminal was restored, waits for the
# test to say "resume", and brings it back with fg.
command -v bash >/dev/null || skip "bash not installed (for job control in the wrapper)"
cat > run.sh <<RUN
#!/bin/bash
cd "$T"
trap : INT TERM HUP QUIT
set -m
before=\$(stty -g)
"$QOLTANBA" "\$@" &
echo \$! > "$T/pid"
fg %1 >/dev/null
rc=\$?
while kill -0 "\$(cat "$T/pid")" 2>/dev/null; do
	if [ "\$(stty -g)" = "\$before" ]; then echo same > "$T/stopped"; else echo changed > "$T/stopped"; fi
	while [ ! -f "$T/resume" ]; do sleep 0.1; done
	rm -f "$T/resume"
	fg %1 >/dev/null
	rc=\$?
done
echo \$rc > "$T/exit.tmp"
if [ "\$(stty -g)" = "\$before" ]; then echo same > "$T/stty"; else echo changed > "$T/stty"; fi
mv "$T/exit.tmp" "$T/exit"
sleep 600
RUN
chmod +x run.sh

start() { # TERM [ENV...]
	term=$1; shift
	rm -f exit stty pid stopped resume
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	n=$((n + 1))
	SOCK="$T/tmux.$n.sock"
	tmux -S "$SOCK" new-session -d -x 80 -y 24 \
		"env TERM=$term HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME $* ./run.sh"
	wait_for 'Open key store'
}

screen_now() { tmux -S "$SOCK" capture-pane -p; }

# Polls the pane until TEXT shows (at most ~10 s); not a timing check.
wait_for() {
	i=0
	checks=$((checks + 1))
	while [ $i -lt 100 ]; do
		if screen_now | grep -qF -- "$1"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "the terminal never showed \"$1\"; it shows:"
	screen_now >&2
	return 1
}

wait_exit() { # CODE
	i=0
	while [ ! -f exit ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	checks=$((checks + 1))
	[ -f exit ] || { fail "qoltanba did not exit"; screen_now >&2; return 1; }
	[ "$(cat exit)" = "$1" ] || fail "exit code $(cat exit), expected $1"
	checks=$((checks + 1))
	[ "$(cat stty)" = same ] || fail "the terminal settings were not restored"
}

keys() { tmux -S "$SOCK" send-keys "$@"; }
text() { tmux -S "$SOCK" send-keys -l "$1"; }

# colours: does the pane hold any SGR colour (30-37, 40-47, 38;5, 48;5)?
colours() { tmux -S "$SOCK" capture-pane -p -e | grep -Eq "$(printf '\033')\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5|48;5)[;m]"; }

# ---- The whole flow, with a resize in the middle of the form.
start screen-256color
checks=$((checks + 1))
colours || fail "no colours with TERM=screen-256color"
keys 4
wait_for 'Where are the keys?'
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
start vt100
keys 4
wait_for 'Where are the keys?'
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
start linux NO_COLOR=1
checks=$((checks + 1))
! colours || fail "colours although NO_COLOR is set"
keys 4
wait_for 'Where are the keys?'
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
start screen
keys 4
wait_for 'Where are the keys?'
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
i=0
while [ ! -f stopped ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
checks=$((checks + 1))
if [ -f stopped ]; then
	[ "$(cat stopped)" = same ] || fail "the terminal was not restored while suspended"
	[ "$(ps -o stat= -p "$pid" | cut -c1)" = T ] || fail "Ctrl-Z did not stop qoltanba"
else
	fail "Ctrl-Z did not suspend qoltanba"
fi
touch resume
wait_for 'Type the password'
wait_for 'Cut at 64 characters'
kill -TERM "$pid"
wait_exit 143

# ---- A terminal type terminfo does not know: a clear message.
rm -f exit stty pid stopped resume
n=$((n + 1))
SOCK="$T/tmux.$n.sock"
tmux -S "$SOCK" new-session -d -x 80 -y 24 "env TERM=no-such-terminal ./run.sh"
wait_for 'is not in the terminfo database.'
wait_for 'Try TERM=xterm-256color'
wait_exit 1

# ---- SIGHUP on the home page.
start screen
kill -HUP "$(cat pid)"
wait_exit 129

finish
