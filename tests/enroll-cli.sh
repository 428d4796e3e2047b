#!/bin/sh
# Enrollment by the command line against a real qoltanbad on loopback:
# apply (chairman of a demo organisation, PC storage) -> ra approve ->
# install, the key files read by openssl pkcs12 and their certificates
# accepted by openssl verify with the portal's chain and CRL; the same
# on a SoftHSM2 token; bad input of every field; the portal down, slow,
# or answering garbage; a crash in the middle of applying; installing
# into the wrong folder, twice, and after the 30 days.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

QOLTANBAD=${QOLTANBAD:-$top_builddir/qoltanbad}
[ -x "$QOLTANBAD" ] || skip "qoltanbad not built"
command -v openssl >/dev/null || skip "openssl CLI not installed"
command -v python3 >/dev/null || skip "python3 not installed"
DEMO=${QT_DEMO_DIR:-$top_srcdir/data}
[ -f "$DEMO/demo-individuals.csv" ] || skip "no demo registry in $DEMO"

printf 'Qwerty12\n' >"$T/pw"
mkdir -p "$XDG_CONFIG_HOME/qoltanba"
# Short timeouts so that the slow portal costs seconds, one retry.
printf 'portal.timeout = 2\nportal.connect_timeout = 2\nportal.retries = 1\n' \
	>"$XDG_CONFIG_HOME/qoltanba/config"

# A portal: init, demo registry, one operator, serve on a free port.
# new_portal NAME [init options]
new_portal() {
	d=$T/$1; shift
	"$QOLTANBAD" init --data "$d" --test-mode "$@" >"$d.log" 2>&1 || { cat "$d.log"; exit 1; }
	"$QOLTANBAD" registry import --data "$d" --individuals "$DEMO/demo-individuals.csv" \
		--entities "$DEMO/demo-entities.csv" >>"$d.log" 2>&1
	"$QOLTANBAD" operator add --data "$d" --name "Operator $(basename "$d")" \
		--out "$d.op.p12" --password-file "$T/pw" >>"$d.log" 2>&1
}
# serve NAME [serve options]: sets URL_NAME and PID_NAME; a restart keeps
# the port (the journal knows a portal by its URL).
serve() {
	n=$1; d=$T/$1; shift
	port=0
	[ -s "$d.port" ] && port=$(cat "$d.port")
	rm -f "$d.port"
	"$QOLTANBAD" serve --data "$d" --listen 127.0.0.1:$port --port-file "$d.port" "$@" \
		>>"$d.log" 2>&1 &
	eval "PID_$n=$!"
	i=0
	while [ ! -s "$d.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$d.port" ] || { cat "$d.log"; echo "qoltanbad did not start"; exit 1; }
	eval "URL_$n=http://127.0.0.1:$(cat "$d.port")"
}
stop() { eval "kill \$PID_$1; wait \$PID_$1 || true"; }
trap 'kill $PID_pd $PID_pc $PID_slow 2>/dev/null || true; rm -rf "$T"' EXIT
PID_pd= PID_pc= PID_slow=

new_portal pd --no-captcha
serve pd
P=$URL_pd
RA="--operator-key $T/pd.op.p12 --password-file $T/pw"

batch() { # FILE subject iin bin folder [email]
	f=$1 s=$2 i=$3 b=$4 fo=$5 e=${6:-erlan@example.kz}
	printf '{"subject":"%s","iin":"%s",%s"email":"%s","region":"KZ-75","city":"Almaty","storage":"pc","folder":"%s"}\n' \
		"$s" "$i" "${b:+\"bin\":\"$b\",}" "$e" "$fo" >"$f"
}
num() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["number"])'; }

# -- The whole flow, PC storage, chairman of a demo organisation.
batch "$T/chair.json" chairman 850314372249 060340138014 "$T/keys"
expect_exit 0 "$QOLTANBA" apply --batch "$T/chair.json" --portal "$P" --password-file "$T/pw" --json
N=$(printf '%s\n' "$out" | num)
expect_match '"status":"submitted"'
ls "$T/keys"/PENDING_AUTH_*.key "$T/keys"/PENDING_SIGN_*.key >/dev/null || fail "no pending keys"
expect_exit 0 "$QOLTANBA" status --json "$N"
expect_match '"status":"submitted"'
expect_exit 0 "$QOLTANBA" form "$N"
expect_match "Application number: +$N"
expect_match 'within 30 days'
# An operator key file without its certificate: told, not a crash.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/nc.key" 2>/dev/null
openssl pkcs12 -export -nocerts -inkey "$T/nc.key" -passout file:"$T/pw" -out "$T/nocert.p12" 2>/dev/null
expect_exit 1 "$QOLTANBA" ra list --portal "$P" --operator-key "$T/nocert.p12" --password-file "$T/pw"
expect_match 'no certificate'
expect_exit 0 "$QOLTANBA" ra list --portal "$P" $RA
expect_match "^$N +submitted +chairman +060340138014 +ӘБІЛҚАЙЫР ЕРЛАН"
expect_exit 0 "$QOLTANBA" ra approve "$N" --portal "$P" $RA
expect_match "Registration Certificates are Issued"
expect_exit 0 "$QOLTANBA" status "$N"
expect_match "Install it with: qoltanba install $N --keys $T/keys"
expect_exit 0 "$QOLTANBA" install "$N" --keys "$T/keys" --password-file "$T/pw"
expect_match 'Certificates installed'
set -- "$T/keys"/AUTH_RSA256_*.p12; AUTH=$1
set -- "$T/keys"/RSA256_*.p12; SIGN=$1
[ -f "$AUTH" ] && [ -f "$SIGN" ] || fail "key files missing: $(ls "$T/keys")"
ls "$T/keys"/PENDING_* >/dev/null 2>&1 && fail "pending keys left after install"
curl -sf "$P/api/v1/ca/chain.pem" >"$T/chain.pem"
curl -sf "$P/crl/qoltanbad.crl" | openssl crl -inform DER >"$T/crls.pem"
curl -sf "$P/crl/qoltanbad-root.crl" | openssl crl -inform DER >>"$T/crls.pem"
for f in "$AUTH" "$SIGN"; do
	openssl pkcs12 -in "$f" -passin file:"$T/pw" -nokeys -out "$T/c.pem" 2>"$T/err" ||
		fail "openssl pkcs12 cannot read $f: $(cat "$T/err")"
	openssl pkcs12 -in "$f" -passin file:"$T/pw" -nocerts -nodes 2>/dev/null | grep -q 'PRIVATE KEY' ||
		fail "no private key in $f"
	out=$(openssl verify -crl_check_all -CAfile "$T/chain.pem" -CRLfile "$T/crls.pem" "$T/c.pem" 2>&1) ||
		fail "openssl verify $f: $out"
	ok
done
b=$(basename "$AUTH" .p12); kid=${b#AUTH_RSA256_}
openssl x509 -in "$T/c.pem" -noout -subject -nameopt utf8,sep_comma_plus | grep -q 'ӘБІЛҚАЙЫР' ||
	fail "subject is not from the registry"
expect_exit 0 "$QOLTANBA" status --json "$N"
expect_match '"status":"installed"'
# Installing twice: said, nothing touched.
sum=$(cat "$AUTH" "$SIGN" | sha256sum)
expect_exit 1 "$QOLTANBA" install "$N" --keys "$T/keys" --password-file "$T/pw"
expect_match "installed already: its key files are in $T/keys"
[ "$(cat "$AUTH" "$SIGN" | sha256sum)" = "$sum" ] || fail "second install changed the files"
expect_exit 0 "$QOLTANBA" applications
expect_match "^$N +installed"

# -- Token storage on SoftHSM2 (medium Kaztoken by configuration).
SOFTHSM=
. "$top_srcdir/tests/softhsm-lib.sh"
if command -v pkcs11-tool >/dev/null && softhsm_try KT 40917; then
	printf 'module.kaztoken = %s\np11-kit = no\n' "$SOFTHSM" >>"$XDG_CONFIG_HOME/qoltanba/config"
	echo 40917 >"$T/pin"
	printf '{"subject":"individual","iin":"950201493046","region":"KZ-71","city":"Astana","storage":"KT"}' >"$T/t.json"
	expect_exit 0 "$QOLTANBA" apply --batch "$T/t.json" --portal "$P" --pin-file "$T/pin" --json
	NT=$(printf '%s\n' "$out" | num)
	APPLY=$out
	expect_match '"storage":"KT"'
	expect_exit 0 "$QOLTANBA" ra approve "$NT" --portal "$P" $RA
	expect_exit 0 "$QOLTANBA" install "$NT" --token KT --pin-file "$T/pin"
	expect_match 'Certificates installed'
	for kid in $(printf '%s\n' "$APPLY" | python3 -c 'import json,sys
d = json.loads(sys.stdin.read().strip().splitlines()[-1])
print(d["auth_keyid"], d["sign_keyid"])'); do
		pkcs11-tool --module "$SOFTHSM" --token-label KT --read-object --type cert --id "$kid" \
			-o "$T/tok.der" >/dev/null 2>&1 || fail "no certificate with id $kid on the token"
		openssl x509 -inform DER -in "$T/tok.der" -out "$T/tok.pem"
		out=$(openssl verify -crl_check_all -CAfile "$T/chain.pem" -CRLfile "$T/crls.pem" \
			"$T/tok.pem" 2>&1) || fail "openssl verify (token key $kid): $out"
		ok
	done
	expect_exit 0 "$QOLTANBA" status --json "$NT"
	expect_match '"status":"installed"'
else
	echo "# SoftHSM2 or pkcs11-tool missing: token storage not tested"
fi

# -- Bad input, each field with what is wrong and how to fix it.
batch "$T/b.json" chairman 850314372249 060340138015 "$T/k2"
expect_exit 1 "$QOLTANBA" apply --batch "$T/b.json" --portal "$P" --password-file "$T/pw"
expect_match 'field "bin": .*check digit'
batch "$T/b.json" chairman 850314372249 940140000385 "$T/k2"
expect_exit 1 "$QOLTANBA" apply --batch "$T/b.json" --portal "$P" --password-file "$T/pw"
expect_match 'field "bin": .*(not in|registry)'
batch "$T/b.json" individual 850314372249 "" "$T/k2" "erlan.example.kz"
expect_exit 1 "$QOLTANBA" apply --batch "$T/b.json" --portal "$P" --password-file "$T/pw"
expect_match 'field "email": .*e-mail'
batch "$T/b.json" individual 850314372249 "" "$T/k2"
printf 'short\n' >"$T/badpw"
expect_exit 1 "$QOLTANBA" apply --batch "$T/b.json" --portal "$P" --password-file "$T/badpw"
expect_match 'field "password"'
printf '{"subject":"individual","iin":"850314372249","region":"KZ-99","city":"Almaty","storage":"pc","folder":"%s"}' "$T/k2" >"$T/b.json"
expect_exit 1 "$QOLTANBA" apply --batch "$T/b.json" --portal "$P" --password-file "$T/pw"
expect_match 'field "region": .*KZ-75'
printf '{"subject":"individual","iin":"850314372249","colour":"red"}' >"$T/b.json"
expect_exit 64 "$QOLTANBA" apply --batch "$T/b.json" --portal "$P" --password-file "$T/pw"
expect_match 'unknown field "colour"'
[ -e "$T/k2" ] && [ -n "$(ls "$T/k2")" ] && fail "bad input left keys in $T/k2"
ok

# Confirmation typed twice that does not match; captcha answered wrong then
# right, on a portal that has it on (answers read from its database).
if command -v expect >/dev/null && command -v sqlite3 >/dev/null; then
	new_portal pc
	serve pc
	batch "$T/c.json" individual 850314372249 "" "$T/kc"
	cat >"$T/mismatch.exp" <<-EOF
	set timeout 20
	spawn $QOLTANBA apply --batch $T/c.json --portal $URL_pc
	expect "New password" { send "Qwerty12\r" }
	expect "again" { send "Qwerty13\r" }
	expect eof
	catch wait result
	exit [lindex \$result 3]
	EOF
	expect_exit 1 expect "$T/mismatch.exp"
	expect_match 'passwords differ|does not match'
	cat >"$T/captcha.exp" <<-EOF
	set timeout 30
	proc answer {} { return [exec sqlite3 $T/pc/qoltanbad.db "select answer from captcha order by rowid desc limit 1"] }
	spawn $QOLTANBA apply --batch $T/c.json --portal $URL_pc --password-file $T/pw
	expect "Code: " { send "00000\r" }
	expect -re "captcha|code" {}
	expect "Code: " { send "[answer]\r" }
	expect eof
	catch wait result
	exit [lindex \$result 3]
	EOF
	expect_exit 0 expect "$T/captcha.exp"
	expect_match 'Try the new picture'
	expect_match 'Application number: [0-9]{12}'
	stop pc
else
	echo "# expect or sqlite3 missing: captcha and confirmation checks not run"
fi

# -- A crash after the keys are written and journalled: found again.
batch "$T/i.json" individual 900722433036 "" "$T/ki" aigul@example.kz
QT_TEST_CRASH_AT=enroll_generated "$QOLTANBA" apply --batch "$T/i.json" --portal "$P" \
	--password-file "$T/pw" >/dev/null 2>&1 && fail "the crash hook did not fire"
expect_exit 0 "$QOLTANBA" applications --json
expect_match '"status":"not_sent".*"iin":"900722433036"'
ls "$T/ki"/PENDING_AUTH_*.key >/dev/null || fail "keys lost in the crash"
# The portal down: a message, and the record stays.
stop pd
expect_exit 1 "$QOLTANBA" apply --resume --portal "$P"
expect_match 'Cannot reach the portal'
expect_exit 0 "$QOLTANBA" applications --json
expect_match '"status":"not_sent".*"iin":"900722433036"'
expect_exit 1 "$QOLTANBA" status "$N" --portal "$P"
expect_match 'Cannot reach the portal'
serve pd
P=$URL_pd
expect_exit 0 "$QOLTANBA" apply --resume --portal "$P"
expect_match 'Application number: [0-9]{12}|submitted'
expect_exit 0 "$QOLTANBA" applications --json
expect_match '"status":"submitted".*"iin":"900722433036"'
NI=$(python3 -c 'import json,sys
for a in json.load(sys.stdin)["applications"]:
    if a["iin"]=="900722433036": print(a["number"])' <<EOF
$out
EOF
)

# A crash after the portal answered, before the journal knew the number:
# the resubmission carries the same idempotency key, so one application.
batch "$T/j.json" individual 781105372291 "" "$T/kj"
QT_TEST_CRASH_AT=enroll_sent "$QOLTANBA" apply --batch "$T/j.json" --portal "$P" \
	--password-file "$T/pw" >/dev/null 2>&1 && fail "the crash hook did not fire"
expect_exit 0 "$QOLTANBA" apply --resume --portal "$P"
expect_exit 0 "$QOLTANBA" ra list --status all --query 781105372291 --portal "$P" $RA
[ "$(printf '%s\n' "$out" | grep -c '^[0-9]')" = 1 ] || fail "resubmission made two applications: $out"

# The portal's side of it, with curl: the same key and body give the same
# number and access token; the same key with other requests is refused.
for k in a s b; do
	openssl req -new -newkey rsa:2048 -nodes -keyout "$T/$k.key" -subj /CN=x -out "$T/$k.csr" 2>/dev/null
done
body() { python3 -c 'import json,sys; print(json.dumps({"subject_type":"individual","iin":"820417442694","region":"KZ-75","city":"Almaty","storage":"pkcs12","auth_csr":open(sys.argv[1]).read(),"sign_csr":open(sys.argv[2]).read()}))' "$1" "$2"; }
body "$T/a.csr" "$T/s.csr" >"$T/b1.json"
body "$T/a.csr" "$T/b.csr" >"$T/b2.json"
post() { curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -H "Idempotency-Key: $1" --data-binary @"$2" "$P/api/v1/applications"; }
r1=$(post k3y-0123456789abcdef "$T/b1.json")
r2=$(post k3y-0123456789abcdef "$T/b1.json")
r3=$(post k3y-0123456789abcdef "$T/b2.json")
python3 - "$r1" "$r2" "$r3" <<'PY' || fail "idempotent submission: $r1 / $r2 / $r3"
import json, sys
(b1, c1), (b2, c2), (b3, c3) = (a.rsplit(" ", 1) for a in sys.argv[1:])
j1, j2, j3 = json.loads(b1), json.loads(b2), json.loads(b3)
assert c1 == "201" and c2 == "200" and j2["replayed"] is True, (c1, c2)
assert j1["number"] == j2["number"] and j1["access_token"] == j2["access_token"]
assert c3 == "422" and j3["error"]["code"] == "idempotency_key_reused", (c3, j3)
PY
ok

# -- Installing into a folder without the pending keys: where they are.
expect_exit 0 "$QOLTANBA" ra approve "$NI" --portal "$P" $RA
mkdir -p "$T/empty"
expect_exit 1 "$QOLTANBA" install "$NI" --keys "$T/empty" --password-file "$T/pw" --portal "$P"
expect_match "no pending key .*the journal says its keys are in $T/ki"
expect_exit 0 "$QOLTANBA" install "$NI" --keys "$T/ki" --password-file "$T/pw" --portal "$P"

# -- Rejected by the RA: the reason reaches the applicant; nothing to install.
batch "$T/r.json" individual 880308420413 "" "$T/kr" madina@example.kz
expect_exit 0 "$QOLTANBA" apply --batch "$T/r.json" --portal "$P" --password-file "$T/pw" --json
NR=$(printf '%s\n' "$out" | num)
expect_exit 64 "$QOLTANBA" ra reject "$NR" --portal "$P" $RA
expect_exit 0 "$QOLTANBA" ra reject "$NR" --reason "Документы не представлены" --portal "$P" $RA
expect_match 'Rejected'
expect_exit 0 "$QOLTANBA" status --json "$NR" --portal "$P"
expect_match '"status":"rejected".*"reason":"Документы не представлены"'
expect_exit 1 "$QOLTANBA" install "$NR" --keys "$T/kr" --password-file "$T/pw" --portal "$P"
expect_match 'was rejected: Документы не представлены'
expect_exit 1 "$QOLTANBA" ra approve "$NR" --portal "$P" $RA
expect_match 'already_decided'

# -- Slow and malformed portals (python3 on loopback).
cat >"$T/bad.py" <<'EOF'
import http.server, sys, time
mode = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if mode == "slow":
            time.sleep(10)
        body = {"garbage": b"<html>oops</html>", "types": b'{"subject_types": 5}'}.get(mode, b"")
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if mode == "garbage" else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_POST = do_GET
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()
EOF
for mode in slow garbage types; do
	rm -f "$T/$mode.port"
	python3 "$T/bad.py" $mode "$T/$mode.port" &
	PID_slow=$!
	i=0; while [ ! -s "$T/$mode.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	expect_exit 1 "$QOLTANBA" apply --batch "$T/chair.json" --portal "http://127.0.0.1:$(cat "$T/$mode.port")" \
		--password-file "$T/pw"
	case $mode in
	slow) expect_match 'did not answer|timed out|Timeout' ;;
	*) expect_match 'reply qoltanba does not understand' ;;
	esac
	kill $PID_slow; wait $PID_slow 2>/dev/null || true; PID_slow=
done

# -- 30 days later: cancelled (qoltanbad's test clock).
batch "$T/l.json" individual 900722433036 "" "$T/kl" aigul@example.kz
expect_exit 0 "$QOLTANBA" apply --batch "$T/l.json" --portal "$P" --password-file "$T/pw" --json
NL=$(printf '%s\n' "$out" | num)
stop pd
serve pd --test-clock-offset 2678400
P=$URL_pd
expect_exit 0 "$QOLTANBA" status --json "$NL" --portal "$P"
expect_match '"status":"cancelled"'
expect_exit 1 "$QOLTANBA" install "$NL" --keys "$T/kl" --password-file "$T/pw" --portal "$P"
expect_match 'cancelled'
stop pd

# -- TLS: verified against portal.ca, refused without it.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.pem" -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
printf 'tls_cert = %s\ntls_key = %s\n' "$T/tls.pem" "$T/tls.key" >>"$T/pd/qoltanbad.conf"
serve pd
H=https://127.0.0.1:$(cat "$T/pd.port")
if curl -sf --cacert "$T/tls.pem" "$H/api/v1/health" >/dev/null; then
	expect_exit 1 "$QOLTANBA" ra list --portal "$H" $RA
	expect_match 'certificate|TLS|SSL'
	printf 'portal.ca = %s\n' "$T/tls.pem" >>"$XDG_CONFIG_HOME/qoltanba/config"
	expect_exit 0 "$QOLTANBA" ra list --status all --portal "$H" $RA
	expect_match '^[0-9]{12} '
	expect_exit 1 "$QOLTANBA" ra list --portal "http://example.org" $RA
	expect_match 'use https://'
else
	echo "# qoltanbad does not serve TLS here: TLS checks not run"
fi
stop pd

finish
