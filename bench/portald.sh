#!/bin/sh
# qoltanbad throughput on loopback, against nginx serving the same
# bytes in the same run.  Run by hand from the build folder after make:
#     sh bench/portald.sh [SECONDS]
#     PD_SYNC=normal sh bench/portald.sh [SECONDS]
# Prints requests/s and p99 for: application status (qoltanbad) vs the
# same JSON as a static file (nginx); submissions; approvals (two
# certificates each) vs `openssl speed rsa2048` signing.
set -eu
D=${1:-4}
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
B=$(pwd)
QOLTANBAD=$B/qoltanbad
for c in wrk nginx curl jq openssl; do
	command -v $c >/dev/null || [ -x /usr/sbin/$c ] || { echo "bench: $c is missing"; exit 1; }
done
[ -x "$QOLTANBAD" ] && [ -x "$B/bench/pd-bodies" ] || { echo "bench: run make first"; exit 1; }
T=$(mktemp -d /tmp/pd-bench.XXXXXX)
PIDS=
trap 'for p in $PIDS; do kill $p 2>/dev/null || true; done; rm -rf "$T"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
THREADS=2; CONNS=32

P=$(port)
"$QOLTANBAD" init --data "$T/d" --no-captcha --listen 127.0.0.1:$P >/dev/null
"$QOLTANBAD" registry import --data "$T/d" --individuals "$top_srcdir/data/demo-individuals.csv" \
	--entities "$top_srcdir/data/demo-entities.csv" >/dev/null
printf 'Bench1pass\n' >"$T/pw"
"$QOLTANBAD" operator add --data "$T/d" --name BENCH --out "$T/op.p12" --password-file "$T/pw" >/dev/null
openssl pkcs12 -in "$T/op.p12" -passin file:"$T/pw" -nocerts -nodes -out "$T/op.key" 2>/dev/null
openssl pkcs12 -in "$T/op.p12" -passin file:"$T/pw" -clcerts -nokeys -out "$T/op.crt" 2>/dev/null
# Logs go to a file, as in production.
echo "log_file = $T/qoltanbad.log" >>"$T/d/qoltanbad.conf"
# PD_SYNC=normal measures the faster, crash-safe but not power-safe mode.
echo "synchronous = ${PD_SYNC:-full}" >>"$T/d/qoltanbad.conf"
"$QOLTANBAD" --data "$T/d" & QPID=$!; PIDS="$PIDS $QPID"
until curl -fs "http://127.0.0.1:$P/api/v1/health" >/dev/null 2>&1; do sleep 0.1; done

IINS=$(tail -n +2 "$top_srcdir/data/demo-individuals.csv" | cut -d, -f1 | tr '\n' ' ')
"$B/bench/pd-bodies" 6000 $IINS >"$T/bodies"
head -1 "$T/bodies" >"$T/one"
R=$(curl -s -H 'Content-Type: application/json' --data-binary @"$T/one" "http://127.0.0.1:$P/api/v1/applications")
N=$(echo "$R" | jq -r .number); TOK=$(echo "$R" | jq -r .access_token)
tail -n +2 "$T/bodies" >"$T/bodies2"
mkdir -p "$T/www"
curl -s -H "X-Access-Token: $TOK" "http://127.0.0.1:$P/api/v1/applications/$N" >"$T/www/status.json"

NP=$(port)
chmod a+rx "$T" "$T/www"; chmod a+r "$T/www/status.json"   # nginx workers may run as nobody
mkdir -p "$T/nginx"
cat >"$T/nginx.conf" <<NGINX
worker_processes $THREADS;
pid $T/nginx/pid;
error_log $T/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $T/nginx; proxy_temp_path $T/nginx; fastcgi_temp_path $T/nginx;
	uwsgi_temp_path $T/nginx; scgi_temp_path $T/nginx;
	server {
		listen 127.0.0.1:$NP;
		location / { root $T/www; default_type application/json; }
	}
}
NGINX
/usr/sbin/nginx -c "$T/nginx.conf" -g 'daemon off;' 2>/dev/null & NGINX_MASTER=$!; PIDS="$PIDS $NGINX_MASTER"
i=0
until curl -fs "http://127.0.0.1:$NP/status.json" >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "bench: nginx does not serve"; cat "$T/nginx/error.log"; exit 1; }
	sleep 0.1
done


# CPU time (clock ticks) of a server's processes: a figure that other
# load on the machine does not distort the way requests/s is.
ticks() {  # PID...
	for p in "$@"; do cat /proc/$p/stat; done 2>/dev/null | awk '{t += $14 + $15} END {print t}'
}
run() {  # NAME PIDS wrk-args...
	name=$1; pids=$2; shift 2
	t0=$(ticks $pids)
	wrk -t$THREADS -c$CONNS -d${D}s --latency "$@" >"$T/wrk.out" 2>&1
	t1=$(ticks $pids)
	rps=$(awk '/Requests\/sec/ {print $2}' "$T/wrk.out")
	p99=$(awk '$1 == "99%" {print $2}' "$T/wrk.out")
	n=$(awk '/requests in/ {print $1}' "$T/wrk.out")
	cpu=$(echo "$t0 $t1 $n $(getconf CLK_TCK)" | awk '{printf "%.1f", ($2-$1)/$4*1e6/$3}')
	ans=$(grep '^answers' "$T/wrk.out" || true)
	printf '%-26s %9s req/s  p99 %-8s %6s us CPU/req  %s\n' "$name" "$rps" "$p99" "$cpu" "$ans"
	lastcpu=$cpu
}

echo "qoltanbad bench: synchronous=${PD_SYNC:-full}, $THREADS threads, $CONNS connections, ${D}s per run, $(nproc) CPUs"
NGINX_PIDS="$NGINX_MASTER $(pgrep -P "$NGINX_MASTER" | tr '\n' ' ')"

# The machine may be shared: alternate the two servers, take medians.
NGS=; QSS=
for round in 1 2 3; do
	run "nginx_static_status#$round" "$NGINX_PIDS" -H "X-Access-Token: $TOK" "http://127.0.0.1:$NP/status.json"
	NGS="$NGS $rps"; NGC="${NGC:-} $lastcpu"
	run "qoltanbad_status#$round" "$QPID" -H "X-Access-Token: $TOK" "http://127.0.0.1:$P/api/v1/applications/$N"
	QSS="$QSS $rps"; QSC="${QSC:-} $lastcpu"
done
median() { printf '%s\n' $* | sort -n | sed -n 2p; }
NG=$(median $NGS); QS=$(median $QSS); NC=$(median $NGC); QC=$(median $QSC)
echo "status lookups, medians: qoltanbad $QS req/s, nginx $NG req/s:" \
	"$(echo "$QS $NG" | awk '{printf "%.0f%%", 100*$1/$2}') of nginx's rate (target >= 50%)"
echo "status lookups, CPU per request (medians): qoltanbad $QC us, nginx $NC us:" \
	"$(echo "$NC $QC" | awk '{printf "%.0f%%", 100*$1/$2}') of nginx's efficiency"

export BODIES="$T/bodies2" NUMBERS="" TOKEN="" NTHREADS=$THREADS
run qoltanbad_submit "$QPID" -s "$top_srcdir/bench/portald-post.lua" "http://127.0.0.1:$P"

# Sign in and approve what was submitted.
CH=$(curl -s -X POST "http://127.0.0.1:$P/api/v1/ra/challenge")
printf '%s' "$CH" | jq -j .sign_this >"$T/chal"
SIG=$(openssl dgst -sha256 -sign "$T/op.key" "$T/chal" | base64 -w0)
jq -n --arg id "$(echo "$CH" | jq -r .challenge_id)" --rawfile c "$T/op.crt" --arg s "$SIG" \
	'{challenge_id:$id, certificate:$c, signature:$s}' >"$T/sess"
OPTOK=$(curl -s -H 'Content-Type: application/json' --data-binary @"$T/sess" \
	"http://127.0.0.1:$P/api/v1/ra/session" | jq -r .token)
sqlite3 "$T/d/qoltanbad.db" "SELECT number FROM application WHERE status=0" >"$T/numbers"
export BODIES="" NUMBERS="$T/numbers" TOKEN="$OPTOK"
run qoltanbad_approve "$QPID" -s "$top_srcdir/bench/portald-post.lua" "http://127.0.0.1:$P"
ISS=$(sqlite3 "$T/d/qoltanbad.db" "SELECT count(*) FROM application WHERE status=1")
SIGN=$(openssl speed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $6}')
echo "approvals answered 200 (issued AUTH+SIGN): $ISS in the database"
echo "openssl speed rsa2048 (1 core): $SIGN sign/s = $(echo "$SIGN" | awk '{printf "%.0f", $1/2}') applications/s;" \
	"approvals reached $(echo "$rps $SIGN" | awk '{printf "%.0f%%", 100*$1/($2/2)}') of it (target >= 50%)"
# openssl speed counts CPU (user) time: compare it with CPU per approval.
echo "by CPU time: two openssl signatures take $(echo "$SIGN" | awk '{printf "%.2f", 2000/$1}') ms," \
	"an approval $(echo "$lastcpu" | awk '{printf "%.2f", $1/1000}') ms of qoltanbad's CPU:" \
	"$(echo "$SIGN $lastcpu" | awk '{printf "%.0f%%", 100*(2e6/$1)/$2}') of the bound"
