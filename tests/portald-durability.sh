#!/bin/sh
# qoltanbad under kill -9: a burst of submissions and approvals, the
# daemon killed in the middle, then restarted.  Every application number
# that was answered must be in the database, every answered approval
# must have its two certificates (and no application more than two), no
# number is reused, and a key already answered for is refused again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/portald-lib.sh"

PAIRS=60
pd_init --no-captcha
printf 'Operator1pass\n' >"$T/oppw"
"$QOLTANBAD" operator add --data "$PD_DIR" --name "RA ONE" --out "$T/op.p12" \
	--password-file "$T/oppw" >/dev/null
openssl pkcs12 -in "$T/op.p12" -passin file:"$T/oppw" -nocerts -nodes -out "$T/op.key" 2>/dev/null
openssl pkcs12 -in "$T/op.p12" -passin file:"$T/oppw" -clcerts -nokeys -out "$T/op.crt" 2>/dev/null

# Applications ready to send: EC P-256 keys (fast to make), people of
# the demo registry in turn.
IINS=$(tail -n +2 "$top_srcdir/data/demo-individuals.csv" | cut -d, -f1)
i=0
for iin in $IINS $IINS $IINS; do
	i=$((i + 1))
	[ $i -le $PAIRS ] || break
	new_csr "a$i" "ec:$T/p256.pem" 2>/dev/null || {
		openssl ecparam -name prime256v1 -out "$T/p256.pem"; new_csr "a$i" "ec:$T/p256.pem"; }
	new_csr "s$i" "ec:$T/p256.pem"
	app_json "$T/app$i.json" individual "$iin" "" pkcs12 "a$i" "s$i"
done

pd_start
signin "$T/op.key" "$T/op.crt"
[ -n "$OPTOK" ] || { fail "operator sign-in"; finish; exit 1; }

: >"$T/answered"; : >"$T/approved"
submitter() {
	j=1
	while [ $j -le $PAIRS ]; do
		r=$(curl -s -m 5 -H 'Content-Type: application/json' --data-binary "@$T/app$j.json" \
			"$PD_URL/api/v1/applications") || break
		n=$(printf '%s' "$r" | jq -r '.number // empty' 2>/dev/null) || break
		[ -n "$n" ] && echo "$j $n" >>"$T/answered"
		j=$((j + 1))
	done
}
approver() {
	while :; do
		l=$(curl -s -m 5 -H "Authorization: Bearer $OPTOK" \
			"$PD_URL/api/v1/ra/applications?limit=20") || break
		for n in $(printf '%s' "$l" | jq -r '.applications[].number' 2>/dev/null); do
			c=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST \
				-H "Authorization: Bearer $OPTOK" "$PD_URL/api/v1/ra/applications/$n/approve") || break 2
			[ "$c" = 200 ] && echo "$n" >>"$T/approved"
		done
	done
}
submitter & SUB=$!
approver & APP=$!
# Kill once the burst is well under way (a count of answers, not a time).
i=0
until [ "$(wc -l <"$T/answered")" -ge 20 ] && [ "$(wc -l <"$T/approved")" -ge 5 ]; do
	i=$((i + 1)); [ $i -lt 600 ] || break; sleep 0.05
done
kill -KILL "$PD_PID"
wait "$PD_PID" 2>/dev/null || true
PD_PID=
wait $SUB 2>/dev/null || true
wait $APP 2>/dev/null || true
answered=$(wc -l <"$T/answered"); approved=$(wc -l <"$T/approved")
echo "killed after $answered answered submissions and $approved answered approvals"
check "the burst got answers before the kill" test "$answered" -ge 20 -a "$approved" -ge 5

pd_start
out=$(db "PRAGMA integrity_check")
expect_match '^ok$'
for n in $(cut -d' ' -f2 "$T/answered"); do
	check "answered application $n is in the database" \
		test "$(db "SELECT count(*) FROM application WHERE number='$n'")" -eq 1
done
check "no answered number was given twice" \
	test "$(cut -d' ' -f2 "$T/answered" | sort | uniq -d | wc -l)" -eq 0
for n in $(cat "$T/approved"); do
	check "answered approval $n has its two certificates" test \
		"$(db "SELECT count(*) FROM certificate c JOIN application a USING(number) WHERE number='$n' AND a.status=1")" -eq 2
done
check "no application has more than one certificate per purpose" \
	test "$(db "SELECT count(*) FROM (SELECT number FROM certificate GROUP BY number, purpose HAVING count(*) > 1)")" -eq 0
check "issued applications have exactly two certificates, others none" test "$(db \
	"SELECT count(*) FROM application a WHERE (SELECT count(*) FROM certificate c WHERE c.number=a.number) != CASE WHEN a.status IN (1,2) THEN 2 ELSE 0 END")" -eq 0
check "every issuance has its audit record" test "$(db \
	"SELECT count(*) FROM application a WHERE a.status=1 AND NOT EXISTS (SELECT 1 FROM audit u WHERE u.number=a.number AND u.action='approve')")" -eq 0

# After the restart: answered keys are refused, the rest go through
# with numbers never seen before.
j=1
while [ $j -le $PAIRS ]; do
	api POST /api/v1/applications "$T/app$j.json"
	if grep -q "^$j " "$T/answered"; then
		expect_api 409 key_reused "resubmitting answered application $j"
	elif [ "$code" = 201 ]; then
		n=$(printf '%s' "$body" | jq -r .number)
		check "new number $n was not used before" sh -c "! grep -q ' $n\$' '$T/answered'"
	else
		# The one in flight at the kill may have been committed unanswered.
		expect_api 409 key_reused "resubmitting application $j"
	fi
	j=$((j + 1))
done
total=$(db "SELECT count(*) FROM application")
check "one application per key pair ($total)" test "$total" -eq "$PAIRS"

# SIGTERM in the middle of a burst: requests in flight are finished and
# answered, the daemon exits 0, and what was answered is kept.
if [ -x "$top_builddir/bench/pd-bodies" ]; then
	"$top_builddir/bench/pd-bodies" 80 $IINS >"$T/more"
	: >"$T/answered2"
	( while read -r line; do
		r=$(printf '%s' "$line" | curl -s -m 5 -H 'Content-Type: application/json' \
			--data-binary @- "$PD_URL/api/v1/applications") || break
		n=$(printf '%s' "$r" | jq -r '.number // empty' 2>/dev/null) || break
		[ -n "$n" ] && echo "$n" >>"$T/answered2"
	done <"$T/more" ) & BURST=$!
	i=0
	until [ "$(wc -l <"$T/answered2")" -ge 10 ]; do
		i=$((i + 1)); [ $i -lt 600 ] || break; sleep 0.05
	done
	pd_stop
	wait $BURST 2>/dev/null || true
	check "SIGTERM under load: exit status 0 (got $PD_STATUS)" test "$PD_STATUS" -eq 0
	for n in $(cat "$T/answered2"); do
		check "answered before SIGTERM: $n is kept" \
			test "$(db "SELECT count(*) FROM application WHERE number='$n'")" -eq 1
	done
else
	pd_stop
	check "clean stop after the restart" test "$PD_STATUS" -eq 0
fi
finish
