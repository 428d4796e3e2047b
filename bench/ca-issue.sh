#!/bin/sh
# qoltanbad's CA: issuance throughput against what `openssl speed
# rsa2048` allows.  An application costs two signatures (AUTH + SIGN), so
# the ceiling is openssl's sign/s / 2 applications per second; the
# target is at least half of it.  One thread each; openssl speed runs
# before and after ours and the mean is used, so that a busy machine
# shows as a spread rather than as a false ratio.
#
#   bench/ca-issue.sh [SECONDS]          (default 3; run from the build tree)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-3}
make -C "$top" -s bench/ca-bench >/dev/null

speed() {
	openssl speed -seconds "$secs" rsa2048 2>/dev/null |
		awk '$1 == "rsa" && $2 == "2048" && $3 == "bits" { print $6 }'
}
s1=$(speed)
out=$("$top/bench/ca-bench" "$secs" 10000)
s2=$(speed)
get() { printf '%s\n' "$out" | awk -v k="$1" '$1 == k { print $2 }'; }

apps=$(get applications_per_s)
echo "openssl speed rsa2048 sign/s:   $s1 (before), $s2 (after)"
x509=$(get x509_applications_per_s)
stored=$(get stored_applications_per_s)
parsed=$(get parsed_applications_per_s)
echo "CA applications/s (AUTH+SIGN):  $stored from stored PEM requests, pd_ca_issue_stored (the daemon's approval)"
echo "                                $parsed from the same, parsed then pd_ca_issue_der (the daemon before)"
echo "                                $apps ($(get certificates_per_s) certificates/s), pd_ca_issue_der on parsed requests"
echo "                                $x509 with pd_ca_issue (X509 parsed back)"
awk -v a="$apps" -v x="$x509" -v st="$stored" -v pa="$parsed" -v s1="$s1" -v s2="$s2" 'BEGIN {
	ceil = (s1 + s2) / 2 / 2
	printf "ceiling (sign/s / 2):          %.1f applications/s\n", ceil
	printf "ratio:                         %.0f%% of the ceiling for pd_ca_issue_stored (target >= 50%%)\n", 100 * st / ceil
	printf "                               %.0f%% parse + pd_ca_issue_der; %.0f%% pd_ca_issue_der alone; %.0f%% pd_ca_issue\n", 100 * pa / ceil, 100 * a / ceil, 100 * x / ceil
}'
echo "OCSP answers/s (one id, nonce): $(get ocsp_answers_per_s)"
echo "CRL of $(get crl_entries) entries:          $(get crl_ms) ms, $(get crl_bytes) bytes"
