#!/bin/sh
# Token speed against pkcs11-tool (OpenSC), same SoftHSM2 token, same
# run: RSA-2048 key-pair generation on the token, and one SHA-256 RSA
# signature (each a whole process: load the module, log in, work).
# Run by hand from the build folder:  sh bench/tokens.sh [RUNS]
# Needs: softhsm2, opensc (pkcs11-tool), hyperfine.
set -eu
RUNS=${1:-10}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
QOLTANBA=${QOLTANBA:-./qoltanba}
for c in softhsm2-util pkcs11-tool hyperfine; do
	command -v $c >/dev/null || { echo "bench/tokens.sh: $c is not installed" >&2; exit 1; }
done
SOFTHSM=
for f in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
	[ -f "$f" ] && { SOFTHSM=$f; break; }
done
[ -n "$SOFTHSM" ] || { echo "bench/tokens.sh: libsofthsm2.so not found" >&2; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HOME="$T" XDG_CONFIG_HOME="$T/.config" SOFTHSM2_CONF="$T/softhsm2.conf"
export QOLTANBA_DATADIR="$top_srcdir/data"
mkdir -p "$T/tokens" "$XDG_CONFIG_HOME/qoltanba"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$T" >"$SOFTHSM2_CONF"
printf 'module = %s\np11-kit = no\n' "$SOFTHSM" >"$XDG_CONFIG_HOME/qoltanba/config"
softhsm2-util --init-token --free --label B --pin 1234 --so-pin 5678 >/dev/null
echo 1234 >"$T/pin"
head -c 4096 /dev/urandom >"$T/data"

echo "== RSA-2048 key generation on the token ($RUNS runs each)"
hyperfine -N -w 1 -r "$RUNS" --export-json "$T/gen.json" \
	-n qoltanba "$QOLTANBA token-keygen --pin-file $T/pin --key-label b B" \
	-n pkcs11-tool "pkcs11-tool --module $SOFTHSM --token-label B --login --pin 1234 --keypairgen --key-type rsa:2048 --label p --id 01" \
	2>&1 | grep -Ev '^\s*$'

keyid=$("$QOLTANBA" token-keygen --pin-file "$T/pin" --key-label s B)
pkcs11-tool --module "$SOFTHSM" --token-label B --login --pin 1234 --keypairgen \
	--key-type rsa:2048 --label ps --id 02 >/dev/null 2>&1
echo "== SHA-256 RSA signature of 4 KiB ($((RUNS * 3)) runs each)"
hyperfine -N -w 2 -r $((RUNS * 3)) --export-json "$T/sign.json" \
	-n qoltanba "$QOLTANBA token-sign --pin-file $T/pin --in $T/data --out $T/sig1 B $keyid" \
	-n pkcs11-tool "pkcs11-tool --module $SOFTHSM --token-label B --login --pin 1234 --sign --mechanism SHA256-RSA-PKCS --id 02 -i $T/data -o $T/sig2" \
	2>&1 | grep -Ev '^\s*$'

python3 - "$T/gen.json" "$T/sign.json" <<'PY'
import json, sys
for name, f in (("keygen", sys.argv[1]), ("sign", sys.argv[2])):
    r = {x["command"]: x["mean"] for x in json.load(open(f))["results"]}
    q, p = r["qoltanba"], r["pkcs11-tool"]
    print("%-7s qoltanba %.1f ms, pkcs11-tool %.1f ms, ratio qoltanba/pkcs11-tool %.2f"
          % (name, q * 1000, p * 1000, q / p))
PY
