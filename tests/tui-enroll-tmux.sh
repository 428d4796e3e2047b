#!/bin/sh
# Enrollment end to end in a real terminal (tmux) against a real
# qoltanbad with its captcha on (read off the screen, as a person does):
# apply as the chairman of a demo organisation with PC storage, the
# portal stopped just as the application goes out (a message, F5, the
# same application), approve it in the RA console, install; then
# `openssl pkcs12` reads both files and `openssl verify` accepts their
# certificates with the portal's chain.  Then qoltanba is killed while
# applying, and started again: the journal has the application and its
# keys, and it is sent from "Check request status".
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/portald-lib.sh"
. "$top_srcdir/tests/tmux-lib.sh"
command -v tmux >/dev/null || skip "tmux not installed"
command -v python3 >/dev/null || skip "python3 not installed (free port, captcha reader)"
export LC_ALL=C.UTF-8 TZ=UTC
unset LANGUAGE NO_COLOR ESCDELAY TMUX || true

SOCK="$T/tmux.0.sock"
tmux_n=0
JOURNAL="$XDG_STATE_HOME/qoltanba/applications.json"
trap 'for s in "$T"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null || true; done; pd_cleanup' EXIT
cd "$T"
pd_init
pd_start
pd_operator

cat > run.sh <<RUN
#!/bin/sh
cd "$T"
sh -c 'echo \$\$ > "$T/pid"; exec "$QOLTANBA" --portal="$PD_URL"'
echo \$? > "$T/exit"
sleep 600
RUN
chmod +x run.sh

start() {
	rm -f exit pid
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	# A fresh socket: a new client on the old one can reach the server
	# while it is still exiting ("server exited unexpectedly").
	tmux_n=$((tmux_n + 1))
	SOCK="$T/tmux.$tmux_n.sock"
	tmux -S "$SOCK" new-session -d -x 80 -y 24 \
		"env TERM=xterm-256color HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME XDG_DATA_HOME=$XDG_DATA_HOME ./run.sh"
	wait_for 'Open key store'
}
# Polls the pane until TEXT shows (at most ~20 s); not a timing check.
wait_for() { tmux_wait "$1" 200 || exit 1; }
# captcha COLUMN: the digits of the picture on the screen.
captcha() { screen_now | python3 "$top_srcdir/tests/captcha-solve.py" "$1"; }

# ---- Apply as the chairman of ЖШС "Алтын Дала" ---------------------------------
start
keys 1
wait_for 'Legal Entities - Chairman'
keys 2
wait_for 'I accept the agreement'
keys Space Enter
wait_for 'Code from the picture:'
text 060340138014
keys Tab
text 850314372249
keys Tab
text "$(captcha 4)"
keys F2
wait_for 'ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ'
wait_for 'Checked. Press Enter'
keys F2
wait_for 'you will receive no notifications'
text erlan@example.kz
keys F2
tmux_place_keys 'алм' 'Down Enter' "$T/nca" Qwerty12

# The portal stops just as the application goes out.
pd_stop
keys F2
wait_for 'Nothing is lost'
wait_for 'not sent yet'
check "keys kept while the portal is down" ls "$T"/nca/PENDING_AUTH_*.key
check "journal: keys generated" test "$(jq -r '.applications[-1].step' "$JOURNAL")" = keys_generated
pd_start
keys F5
wait_for 'Your application is accepted. Its number:'
NUMBER=$(jq -r '.applications[-1].number' "$JOURNAL")
wait_for "$NUMBER"
check "one application on the portal" test "$(db 'select count(*) from application')" = 1
keys Escape
wait_for 'Open key store'

# ---- The RA console: approve --------------------------------------------------
keys 6
wait_for 'Operator key file'
text "$T/op.p12"
keys Tab
text Operator1pw
keys F2
wait_for 'Pending applications: 1.'
keys Enter
wait_for "Application $NUMBER: Submitted"
keys Enter
wait_for 'Approved: the certificates'
keys Escape
wait_for 'Pending applications: 0.'
keys Escape
wait_for 'Open key store'

# ---- Status and installation ---------------------------------------------------------
keys 2
wait_for 'Applications on this computer'
keys Enter
wait_for 'Registration Certificates are Issued'
keys Enter
wait_for 'Upload certificates'
text Qwerty12
keys Enter
wait_for 'Certificates installed.'
AUTH=$(ls "$T"/nca/AUTH_RSA256_*.p12)
SIGN=$(ls "$T"/nca/RSA256_*.p12)
wait_for "$(basename "$AUTH")"
wait_for "$(basename "$SIGN")"
curl -s "$PD_URL/api/v1/ca/chain.pem" > chain.pem
for f in "$AUTH" "$SIGN"; do
	check "openssl pkcs12 reads $(basename "$f")" \
		openssl pkcs12 -in "$f" -passin pass:Qwerty12 -nokeys -clcerts -out "$f.pem"
	checks=$((checks + 1))
	openssl verify -CAfile chain.pem "$f.pem" >verify.out 2>&1 ||
		fail "openssl verify refuses $(basename "$f"): $(cat verify.out)"
done
checks=$((checks + 1))
openssl x509 -in "$AUTH.pem" -noout -subject -nameopt utf8 | grep -q 'ӘБІЛҚАЙЫР' ||
	fail "the AUTH certificate does not name the applicant"
keys Escape Escape
wait_for 'Open key store'

# ---- qoltanba killed while applying, started again ---------------------------------------
keys 1
wait_for 'Individuals'
keys 1
wait_for 'I accept the agreement'
keys Space Enter
wait_for 'Code from the picture:'
text 900722433036
keys Tab
text "$(captcha 4)"
keys F2
wait_for 'ҚҰРМАНҒАЛИ АЙГҮЛ'
keys F2
wait_for 'you will receive no notifications'
keys F2
tmux_place_keys 'аст' 'Enter' "$T/second" Second12
# The portal is down, so the submission waits in its retries; the
# moment the journal holds the keys, qoltanba is killed.
pd_stop
keys F2
i=0
until [ "$(jq -r '[.applications[] | select(.iin == "900722433036")][0].step // empty' "$JOURNAL" 2>/dev/null)" = keys_generated ]; do
	i=$((i + 1))
	[ $i -lt 400 ] || { fail "no keys in the journal"; break; }
	sleep 0.05
done
kill -KILL "$(cat pid)"
check "keys of the killed run on disk" ls "$T"/second/PENDING_SIGN_*.key
pd_start
start
wait_for 'IIN 900722433036: keys'
keys 2
wait_for 'keys made, not sent'
keys Enter
wait_for 'never reached the portal'
keys Enter
# The portal asks for a new code (the one typed before died with the
# process): read it and send.
wait_for 'wants the code from the picture'
keys Tab
text "$(captcha 40)"
keys Enter
wait_for 'Submitted: waiting for the Registration Authority'
check "sent once" test "$(db "select count(*) from application where iin='900722433036'")" = 1

# A portal that does not answer (stopped with SIGSTOP): the spinner says
# Esc stops the call, and stopping it loses nothing.
kill -STOP "$PD_PID"
# A signal is delivered asynchronously: wait until the daemon is stopped.
i=0
until [ "$(ps -o stat= -p "$PD_PID" | cut -c1)" = T ] || [ $i -ge 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
keys F5
wait_for 'Esc cancels'
keys Escape
wait_for 'Stopped. Nothing is lost'
kill -CONT "$PD_PID"
keys F5
wait_for 'Submitted: waiting for the Registration Authority'
keys F10
i=0
while [ ! -f exit ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "qoltanba exits 0" test "$(cat exit)" = 0
pd_stop
finish
