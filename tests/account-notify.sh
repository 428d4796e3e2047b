#!/bin/sh
# Expiry notices of qoltanbad (issue 7): a real SMTP listener (aiosmtpd)
# and a small HTTP SMS gateway; the portal's test clock moves to 31, 30,
# 15, 14, 10 and 7 days before the keys expire.  Each notice arrives
# once (e-mail at 30, 14 and 7 days, SMS at 10), a restart of the daemon
# repeats none, an outage of the mail server skips none, and a holder who
# turned notices off gets none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/portald-lib.sh"
. "$(dirname "$0")/account-lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import aiosmtpd' 2>/dev/null ||
	skip "Debian's python3-aiosmtpd is not installed"

C_IIN=850314372249        # ӘБІЛҚАЙЫР ЕРЛАН, notices on
D_IIN=900722433036        # ҚҰРМАНҒАЛИ АЙГҮЛ, turns them off
C_PHONE=+77011234567
D_PHONE=+77017654321

mkdir -p "$T/mail" "$T/sms"
cat >"$T/smtp.py" <<'PYEOF'
import os, signal, sys, uuid
from aiosmtpd.controller import Controller
class Sink:
    async def handle_DATA(self, server, session, envelope):
        path = os.path.join(sys.argv[1], uuid.uuid4().hex)
        with open(path + ".tmp", "wb") as f:
            f.write(("X-Rcpt: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path + ".eml")
        return "250 OK"
c = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[2]))
c.start()
signal.signal(signal.SIGTERM, lambda *a: (c.stop(), sys.exit(0)))
signal.pause()
PYEOF
cat >"$T/sms.py" <<'PYEOF'
import os, sys, uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with open(os.path.join(sys.argv[1], uuid.uuid4().hex + ".json"), "wb") as f:
            f.write(body)
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a): pass
s = HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()
PYEOF

SMTP_PID=; SMS_PID=
cleanup_all() {
	[ -z "$SMTP_PID" ] || kill "$SMTP_PID" 2>/dev/null || true
	[ -z "$SMS_PID" ] || kill "$SMS_PID" 2>/dev/null || true
	pd_cleanup
}
trap cleanup_all EXIT

SMTP_PORT=$(pd_free_port)
smtp_start() {
	"$PY" "$T/smtp.py" "$T/mail" "$SMTP_PORT" 2>>"$T/smtp.log" &
	SMTP_PID=$!
	i=0
	until "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1',$SMTP_PORT),1)" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { fail "the SMTP listener did not start"; break; }
		sleep 0.1
	done
}
smtp_start
"$PY" "$T/sms.py" "$T/sms" "$T/sms.port" &
SMS_PID=$!
i=0
until [ -s "$T/sms.port" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || skip "the SMS gateway did not start"; sleep 0.1
done

pd_init --test-mode --no-captcha
# The registry with phones (the optional fifth column).
awk -F, -v c="$C_IIN" -v d="$D_IIN" -v cp="$C_PHONE" -v dp="$D_PHONE" \
	'NR==1 {print $0 ",phone"; next} $1==c {print $0 "," cp; next} $1==d {print $0 "," dp; next} {print $0 ","}' \
	"$top_srcdir/data/demo-individuals.csv" >"$T/people.csv"
expect_exit 0 "$QOLTANBAD" registry import --data "$PD_DIR" --individuals "$T/people.csv" \
	--entities "$top_srcdir/data/demo-entities.csv"
check "phones imported" test "$(db "SELECT phone FROM person WHERE iin='$C_IIN'")" = "$C_PHONE"
printf 'iin,surname,given_name,patronymic,phone\n%s,ТЕСТ,ТЕСТ,,7701\n' "$C_IIN" >"$T/badphone.csv"
expect_exit 1 "$QOLTANBAD" registry import --data "$PD_DIR" --individuals "$T/badphone.csv" \
	--entities "$top_srcdir/data/demo-entities.csv"
expect_match 'badphone.csv:2: phone'
cat >>"$PD_DIR/qoltanbad.conf" <<CONF
smtp_url = smtp://127.0.0.1:$SMTP_PORT
mail_from = notices@qoltanbad.test
sms_gateway = http://127.0.0.1:$(cat "$T/sms.port")/sms
notify_minutes = 0
CONF

pd_start
get_keys c individual "$C_IIN" "" pkcs12 c@example.kz
get_keys d individual "$D_IIN" "" pkcs12 d@example.kz
acct_signin d
printf '{"notify_email":false,"notify_sms":false}' >"$T/pf"
acct POST /api/v1/account/profile "$T/pf"
expect_api 200 "" "D turns notices off"
pd_stop
C_AUTH=$(serial_of "$T/c-auth.pem")
NA=$(db "SELECT not_after FROM certificate WHERE serial='$C_AUTH'")

# offset DAYS: the clock offset that puts now just inside DAYS before expiry.
offset() { echo $((NA - $1 * 86400 + 60 - $(date +%s))); }
notify_at() { "$QOLTANBAD" notify --data "$PD_DIR" --test-clock-offset "$(offset "$1")" 2>>"$T/notify.log"; }
# mails KIND TO: how many such messages arrived.
mails() { grep -l "^X-Qoltanbad-Notice: $1" "$T"/mail/*.eml 2>/dev/null | xargs -r grep -l "^X-Rcpt: $2" | wc -l; }
allmail() { ls "$T"/mail/*.eml 2>/dev/null | wc -l; }
allsms() { ls "$T"/sms/*.json 2>/dev/null | wc -l; }
# expect_counts WHEN MAILS SMS
expect_counts() {
	checks=$((checks + 1))
	m=$(allmail); s=$(allsms)
	[ "$m" -eq "$2" ] && [ "$s" -eq "$3" ] || fail "$1: $m mail(s) and $s SMS, expected $2 and $3"
}

expect_exit 0 notify_at 31
expect_counts "31 days before" 0 0
expect_exit 0 notify_at 30
expect_match '^1 notice'
expect_counts "30 days before" 1 0
check "the 30-day mail to C" test "$(mails email30 c@example.kz)" -eq 1
f=$(grep -l "email30" "$T"/mail/*.eml)
out=$(cat "$f")
expect_match "^X-Qoltanbad-Serial: $C_AUTH"
expect_match '^Subject: =\?UTF-8\?B\?'
expect_match 'қолданылу|аяқталады'
expect_match '30 күн қалды'
expect_exit 0 notify_at 30
expect_counts "30 days before, again" 1 0
expect_exit 0 notify_at 15
expect_counts "15 days before" 1 0

# 14 days: the daemon's pass at start sends it; restarts repeat nothing.
sed -i 's/^notify_minutes = 0/notify_minutes = 60/' "$PD_DIR/qoltanbad.conf"
passes() { grep -c 'notice pass done' "$T/daemon.log" || true; }
wait_pass() {  # wait_pass N: until the daemon log shows N passes
	i=0
	until [ "$(passes)" -ge "$1" ]; do
		i=$((i + 1)); [ $i -lt 200 ] || { fail "no notice pass in the daemon log"; break; }
		sleep 0.1
	done
}
pd_start --test-clock-offset "$(offset 14)"
wait_pass 1
pd_stop
expect_counts "14 days before, the daemon's pass" 2 0
check "the 14-day mail to C" test "$(mails email14 c@example.kz)" -eq 1
pd_start --test-clock-offset "$(offset 14)"
wait_pass 2
pd_stop
expect_exit 0 notify_at 14
expect_counts "14 days before, after restarts" 2 0

expect_exit 0 notify_at 10
expect_counts "10 days before" 2 1
out=$(cat "$T"/sms/*.json)
expect_match "\"phone\": ?\"\\$C_PHONE\""
expect_match "$(cat "$T/c.number")"

# 7 days, with the mail server down: not sent, not forgotten.
kill "$SMTP_PID"; wait "$SMTP_PID" 2>/dev/null || true; SMTP_PID=
expect_exit 0 notify_at 7
expect_match '^0 notice'
check "the 7-day notice pending" test "$(db "SELECT state FROM notice WHERE serial='$C_AUTH' AND kind='email7'")" = 0
smtp_start
expect_exit 0 notify_at 7
expect_counts "7 days before" 3 1
check "the 7-day mail to C" test "$(mails email7 c@example.kz)" -eq 1
expect_exit 0 notify_at 3
expect_counts "3 days before" 3 1

check "nothing for the holder who opted out" test "$(mails email d@example.kz)" -eq 0
check "no SMS to the holder who opted out" sh -c "! grep -q '$D_PHONE' '$T'/sms/*.json"
check "one row per notice" test "$(db "SELECT count(*) FROM notice WHERE state=1")" -eq 4
finish
