#!/bin/sh
# qoltanba over SSH (issue 8): a real sshd from Debian on a loopback port,
# with a throwaway host key, its own configuration in $T (UsePAM no) and a
# throwaway authorized key for the user running the test; the ssh client
# runs inside tmux.
#  - TERM=xterm-256color, vt100 and linux: Home, F1 (help), Esc, Ctrl-X.
#  - The kiosk through ssh: Ctrl-Z, Ctrl-\, Ctrl-C and escape sequences
#    sent by the terminal leave it in place.
#  - SIGHUP: the ssh client killed in the middle of a password change:
#    qoltanba ends (exit 129), the key file is as it was and opens with
#    the old password, no temporary file is left.  The same with a
#    wrapper that ignores SIGHUP (as nohup does): qoltanba sees the
#    hung-up terminal and ends instead of spinning.
#  - The link dropped in the middle of applying, after the keys are made
#    (the portal held down so that the submission waits): on reconnecting,
#    Home names the application, and "Check request status" sends it.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/portald-lib.sh"
. "$top_srcdir/tests/tmux-lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"
command -v python3 >/dev/null || skip "python3 not installed (free port)"
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || skip "sshd not installed (openssh-server)"
command -v ssh >/dev/null || skip "ssh not installed (openssh-client)"
command -v ssh-keygen >/dev/null || skip "ssh-keygen not installed"
export LC_ALL=C.UTF-8 TZ=UTC
unset LANGUAGE NO_COLOR ESCDELAY TMUX || true

SOCK="$T/tmux.0.sock"
tmux_n=0
SSHD_PID=
cleanup() {
	for s in "$T"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null || true; done
	[ -z "$SSHD_PID" ] || kill "$SSHD_PID" 2>/dev/null || true
	pd_cleanup
}
trap cleanup EXIT
cd "$T"
chmod 755 "$T"

# ---- sshd ------------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$T/id"
cp "$T/id.pub" "$T/authorized_keys"
USER_NAME=$(id -un)
# As root, sshd wants its privilege separation folder (Debian's unit
# makes it with RuntimeDirectory).
if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
	mkdir -p /run/sshd 2>/dev/null || skip "cannot make /run/sshd for sshd"
	chmod 755 /run/sshd
fi
SSH_PORT=$(pd_free_port)
cat > "$T/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $T/hostkey
PidFile $T/sshd.pid
UsePAM no
AuthorizedKeysFile $T/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
PermitUserEnvironment no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
PrintLastLog no
LogLevel VERBOSE
EOF
"$SSHD" -D -e -f "$T/sshd_config" 2>"$T/sshd.log" &
SSHD_PID=$!
SSH="ssh -F /dev/null -i $T/id -p $SSH_PORT -o UserKnownHostsFile=$T/known_hosts -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o ServerAliveInterval=0 -l $USER_NAME"
i=0
until $SSH 127.0.0.1 true 2>"$T/ssh-try.err"; do
	if ! kill -0 "$SSHD_PID" 2>/dev/null; then
		skip "sshd cannot start: $(tail -3 "$T/sshd.log" | tr '\n' ' ')"
	fi
	i=$((i + 1))
	[ $i -lt 100 ] || skip "cannot log in through sshd: $(tail -2 "$T/ssh-try.err" | tr '\n' ' ')"
	sleep 0.1
done

pd_init --no-captcha
pd_start
JOURNAL="$XDG_STATE_HOME/qoltanba/applications.json"

# The command sshd runs: the test's private HOME and XDG folders (sshd
# gives the real ones), and qoltanba's exit code in $T/exit.  Like a
# login shell, the wrapper passes SIGHUP on to the program; with
# IGNORE_HUP=1 it ignores it (as nohup does) and passes nothing on.
cat > "$T/remote.sh" <<EOF
#!/bin/sh
cd "$T"
export HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_STATE_HOME="$XDG_STATE_HOME" \\
	XDG_DATA_HOME="$XDG_DATA_HOME" LC_ALL=C.UTF-8 TZ=UTC
[ -z "\${KIOSK:-}" ] || export QOLTANBA_SYSCONF="$T/kiosk\$KIOSK.conf"
exec 3<&0
"$QOLTANBA" --portal="$PD_URL" "\$@" <&3 3<&- &
child=\$!
echo \$child > "$T/pid"
if [ "\${IGNORE_HUP:-}" = 1 ]; then trap '' HUP; else trap 'kill -HUP \$child 2>/dev/null' HUP; fi
while :; do
	wait \$child
	rc=\$?
	kill -0 \$child 2>/dev/null || break
done
echo \$rc > "$T/exit"
EOF
chmod +x "$T/remote.sh"

# Polls the pane until TEXT shows (at most ~20 s); not a timing check.
wait_for() { tmux_wait "$1" 200 || exit 1; }
# connect TERM [ENV...]: ssh -t in a fresh tmux; the client's pid in $T/sshpid.
connect() {
	term=$1; shift
	rm -f exit pid sshpid
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	# A fresh socket: a new client on the old one can reach the server
	# while it is still exiting ("server exited unexpectedly").
	tmux_n=$((tmux_n + 1))
	SOCK="$T/tmux.$tmux_n.sock"
	tmux -S "$SOCK" new-session -d -x 80 -y 24 \
		"echo \$\$ > $T/sshpid; exec env TERM=$term $SSH -t 127.0.0.1 env $* $T/remote.sh; sleep 600"
	wait_for 'qoltanba —'
}
# gone: waits until qoltanba has ended and written its exit code.
gone() {
	i=0
	while [ ! -f exit ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	checks=$((checks + 1))
	[ -f exit ] || { fail "qoltanba still runs after the link dropped"; return 0; }
}
drop() { kill -KILL "$(cat sshpid)"; }

# ---- Three terminal types -------------------------------------------------------------
for term in xterm-256color vt100 linux; do
	connect $term
	wait_for 'Open key store'
	keys F1
	wait_for 'Help: keys'
	keys Escape
	wait_for 'Open key store'
	keys C-g
	wait_for 'Help: keys'
	keys Escape C-x
	gone
	check "TERM=$term: exit 0" test "$(cat exit)" = 0
done

# ---- The kiosk through ssh --------------------------------------------------------------
printf 'Kiosk-op1\n' > code
"$QOLTANBA" kiosk-code --code-file code --iterations 1000 > kiosk.conf
printf 'kiosk = yes\nkiosk.roots = %s\n' "$T" >> kiosk.conf
cp kiosk.conf kiosk1.conf
connect xterm-256color KIOSK=1
wait_for 'qoltanba — Kiosk'
keys C-z C-\\ C-c F10 C-x Escape
tmux -S "$SOCK" send-keys -H 1b 5b 32 31 7e 1b 4f 50 1b 5b 5b 41   # ESC[21~ ESC O P ESC[[A
keys Escape
wait_for 'This is a kiosk'
check "the kiosk is still running" kill -0 "$(cat pid)"
checks=$((checks + 1))
[ ! -f exit ] || fail "the kiosk ended on Ctrl-Z/Ctrl-\\/Ctrl-C (exit $(cat exit))"
# The window made smaller than 80x24: the too-small page, still locked.
tmux -S "$SOCK" resize-window -x 60 -y 20
wait_for 'The kiosk stays locked.'
keys F10 C-x C-c
tmux -S "$SOCK" resize-window -x 80 -y 24
wait_for 'Check request status and install'
check "the kiosk survives the small window" kill -0 "$(cat pid)"
keys 4
wait_for 'Operator code'
text Kiosk-op1
keys Enter
wait_for 'The kiosk is unlocked.'
keys 3
gone
check "kiosk: quit by the operator, exit 0" test "$(cat exit)" = 0

# The idle timeout in a real terminal (3 s here): back to the kiosk's Home.
cp kiosk.conf kiosk2.conf
printf 'kiosk.idle = 3\n' >> kiosk2.conf
connect xterm-256color KIOSK=2
wait_for 'qoltanba — Kiosk'
keys 1
wait_for 'Choose a section'
wait_for 'Nothing was typed for a while'
wait_for 'qoltanba — Kiosk'
drop
gone

# ---- SIGHUP in the middle of a password change ---------------------------------------------
cp -R "$QT_FIXTURES/nca-sdk-2020" fx
chmod -R u+w fx
mkdir keys
cp fx/personal/active/* keys/
before=$(cd keys && ls -l --time-style=+%s . | sort; cat ./* | sha256sum)
for mode in forward ignore; do
	if [ $mode = forward ]; then connect xterm-256color; else connect xterm-256color IGNORE_HUP=1; fi
	wait_for 'Open key store'
	keys 4
	wait_for 'Where are the keys?'
	keys 1
	wait_for 'Type the folder'
	keys C-u
	text "$T/keys"
	keys Enter
	wait_for '123456789011'
	keys Enter
	wait_for 'Type the password of this key file.'
	text Qwerty12
	keys Enter
	wait_for 'Key details'
	keys F6
	wait_for 'Change the password'
	text Qwerty12
	keys Tab
	text Newpass77
	keys Tab
	text Newpass77
	wait_for 'Same'
	drop
	gone
	check "SIGHUP ($mode): qoltanba ends with SIGHUP's code" test "$(cat exit)" = 129
	after=$(cd keys && ls -l --time-style=+%s . | sort; cat ./* | sha256sum)
	checks=$((checks + 1))
	[ "$after" = "$before" ] || fail "SIGHUP ($mode): the key folder changed: $(ls -la keys)"
done
p12=$(ls keys/AUTH_RSA256_*.p12)
printf 'Qwerty12\n' > oldpw
expect_exit 0 openssl pkcs12 -legacy -in "$p12" -passin file:oldpw -nokeys -noout

# ---- The link dropped in the middle of applying --------------------------------------------
connect xterm-256color
wait_for 'Open key store'
keys 1
wait_for 'Individuals'
keys 2
wait_for 'I accept the agreement'
keys Space Enter
wait_for 'BIN of the organisation'
text 060340138014
keys Tab
text 850314372249
keys F2
wait_for 'ӘБІЛҚАЙЫР'
keys F2
wait_for 'E-mail'
keys F2
tmux_place_keys 'алм' 'Down Enter' "$T/nca" Qwerty12
# The portal is down, so the submission waits in its retries; the
# moment the journal holds the keys, the link drops.
pd_stop
keys F2
i=0
until [ "$(jq -r '[.applications[] | select(.iin == "850314372249")][0].step // empty' "$JOURNAL" 2>/dev/null)" = keys_generated ]; do
	i=$((i + 1))
	[ $i -lt 400 ] || { fail "no keys in the journal"; break; }
	sleep 0.05
done
drop
gone
check "applying: qoltanba ends after the drop" test -n "$(cat exit)"
check "the pending keys are on disk" ls "$T"/nca/PENDING_SIGN_*.key
pd_start
connect xterm-256color
wait_for 'IIN 850314372249: keys'
keys 2
wait_for 'keys made, not sent'
keys Enter
wait_for 'never reached the portal'
keys Enter
wait_for 'Submitted: waiting for the Registration Authority'
check "sent once" test "$(db "select count(*) from application where iin='850314372249'")" = 1
keys F10
gone
check "after the reconnection: exit 0" test "$(cat exit)" = 0
pd_stop
finish
