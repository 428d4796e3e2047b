#!/bin/sh
# The apply -> approve -> install round trip on loopback, key generation
# excluded, through qoltanba's engine (bench/enroll-bench) against the
# same HTTP exchanges made with curl in the same run (submit, approve,
# status, certificates, install confirmation), both against one real
# qoltanbad.  Usage: bench/enroll.sh [ROUNDS]   (from the build folder)
set -eu
ROUNDS=${1:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
QOLTANBAD=${QOLTANBAD:-$top/qoltanbad}
DEMO=${QT_DEMO_DIR:-$top/data}
T=$(mktemp -d)
trap 'kill $PID 2>/dev/null; rm -rf "$T"' EXIT
printf 'Qwerty12\n' >"$T/pw"
"$QOLTANBAD" init --data "$T/pd" --no-captcha >/dev/null
"$QOLTANBAD" registry import --data "$T/pd" --individuals "$DEMO/demo-individuals.csv" \
	--entities "$DEMO/demo-entities.csv" >/dev/null
"$QOLTANBAD" operator add --data "$T/pd" --name bench --out "$T/op.p12" --password-file "$T/pw" >/dev/null
"$QOLTANBAD" serve --data "$T/pd" --listen 127.0.0.1:0 --port-file "$T/port" 2>/dev/null &
PID=$!
while [ ! -s "$T/port" ]; do sleep 0.05; done
URL=http://127.0.0.1:$(cat "$T/port")

echo "qoltanba engine, whole steps ($ROUNDS rounds): round total_ms apply_ms approve_ms install_ms keystore_ms"
"$top/bench/enroll-bench" "$URL" "$T/op.p12" "$T/pw" "$ROUNDS" "$T" | tee "$T/engine.txt"
echo "qoltanba engine, portal exchanges only ($ROUNDS rounds): round total_ms"
"$top/bench/enroll-bench" "$URL" "$T/op.p12" "$T/pw" "$ROUNDS" "$T" protocol | tee "$T/proto.txt"

# Reference: the same exchanges with curl; keys, requests and the proof
# signatures are made with openssl outside the timed calls.
TOKEN=$(python3 - "$URL" "$T/op.p12" "$T/pw" <<'PY'
import json, subprocess, sys, base64, urllib.request
url, p12, pw = sys.argv[1:]
def post(path, body=b"{}", hdr={}):
    r = urllib.request.Request(url + path, data=body, headers={"Content-Type": "application/json", **hdr})
    return json.load(urllib.request.urlopen(r))
ch = post("/api/v1/ra/challenge")
key = subprocess.run(["openssl", "pkcs12", "-in", p12, "-passin", "file:" + pw, "-nocerts", "-nodes"], capture_output=True).stdout
cert = subprocess.run(["openssl", "pkcs12", "-in", p12, "-passin", "file:" + pw, "-nokeys", "-clcerts"], capture_output=True).stdout
open("/dev/shm/qt-bench-op.key", "wb").write(key)
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", "/dev/shm/qt-bench-op.key"], input=ch["sign_this"].encode(), capture_output=True).stdout
subprocess.run(["rm", "-f", "/dev/shm/qt-bench-op.key"])
s = post("/api/v1/ra/session", json.dumps({"challenge_id": ch["challenge_id"], "certificate": cert[cert.index(b"-----BEGIN"):].decode(), "signature": base64.b64encode(sig).decode()}).encode())
print(s["token"])
PY
)
ms() { date +%s%N; }
echo "curl reference ($ROUNDS rounds): round total_ms"
i=0
while [ $i -lt "$ROUNDS" ]; do
	for k in a s; do
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/$k.key" 2>/dev/null
		openssl req -new -key "$T/$k.key" -subj /CN=bench -out "$T/$k.csr" 2>/dev/null
	done
	python3 -c 'import json,sys; print(json.dumps({"subject_type":"individual","iin":"850314372249","region":"KZ-75","city":"Almaty","storage":"pkcs12","auth_csr":open(sys.argv[1]).read(),"sign_csr":open(sys.argv[2]).read()}))' \
		"$T/a.csr" "$T/s.csr" >"$T/body.json"
	t0=$(ms)
	curl -sf -H 'Content-Type: application/json' --data-binary @"$T/body.json" "$URL/api/v1/applications" >"$T/sub.json"
	t1=$(ms)
	N=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["number"])' "$T/sub.json")
	A=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$T/sub.json")
	t2=$(ms)
	curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$URL/api/v1/ra/applications/$N/approve" >/dev/null
	curl -sf -H "X-Access-Token: $A" "$URL/api/v1/applications/$N" >/dev/null
	curl -sf -H "X-Access-Token: $A" "$URL/api/v1/applications/$N/certificates" >"$T/certs.json"
	t3=$(ms)
	NONCE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["install_nonce"])' "$T/certs.json")
	for k in a s; do
		printf 'qoltanbad-install:%s:%s' "$N" "$NONCE" | openssl dgst -sha256 -sign "$T/$k.key" | base64 -w0 >"$T/$k.sig"
	done
	printf '{"auth_signature":"%s","sign_signature":"%s"}' "$(cat "$T/a.sig")" "$(cat "$T/s.sig")" >"$T/inst.json"
	t4=$(ms)
	curl -sf -H "X-Access-Token: $A" -H 'Content-Type: application/json' --data-binary @"$T/inst.json" \
		"$URL/api/v1/applications/$N/install" >/dev/null
	t5=$(ms)
	echo "$i $(( (t1 - t0 + t3 - t2 + t5 - t4) / 100000 ))" | awk '{printf "%d %.1f\n", $1, $2/10}'
	i=$((i + 1))
done | tee "$T/curl.txt"
med() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
E=$(awk '{print $2}' "$T/engine.txt" | med)
K=$(awk '{print $6 + 0}' "$T/engine.txt" | med)
C=$(awk '{print $2}' "$T/curl.txt" | med)
P=$(awk '{print $2}' "$T/proto.txt" | med)
echo "median round trip, key generation excluded: whole steps $E ms (key store $K ms of it)"
echo "median portal exchanges: engine $P ms, curl $C ms; ratio engine/curl $(echo "$P $C" | awk '{printf "%.2f", $1/$2}')"
