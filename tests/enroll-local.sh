#!/bin/sh
# The local portal: with no portal configured, qoltanba runs qoltanbad
# itself (data folder made on first use, demo registry, one operator with
# a generated password, captcha on), the whole flow works against it,
# the daemon stops when qoltanba exits, and also when qoltanba is killed
# with SIGKILL in the middle of applying; the application is then found
# again and sent by `apply --resume`.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

[ -x "$top_builddir/qoltanbad" ] || skip "qoltanbad not built"
[ -f "$top_srcdir/data/demo-individuals.csv" ] || skip "no demo registry"
command -v sqlite3 >/dev/null || skip "sqlite3 CLI not installed (reads the captcha answer)"
command -v setsid >/dev/null || skip "setsid not installed"

DATA=$XDG_DATA_HOME/qoltanba/portal
printf 'Qwerty12\n' >"$T/pw"
daemons() { pgrep -f "qoltanbad serve --data $DATA" || true; }

# -- First use: the folder is made; the daemon is gone afterwards.
expect_exit 0 "$QOLTANBA" ra list
expect_match 'using the local portal at http://127\.0\.0\.1:[0-9]+'
expect_match 'No applications'
for f in operator.p12 operator.password; do
	[ "$(stat -c %a "$DATA/$f")" = 600 ] || fail "$DATA/$f is not 0600"
done
[ "$(stat -c %a "$DATA")" = 700 ] || fail "$DATA is not 0700"
grep -q '^captcha *= *yes' "$DATA/qoltanbad.conf" || fail "the local portal's captcha is off"
[ -z "$(daemons)" ] || fail "qoltanbad still runs after qoltanba exited: $(daemons)"
[ -e "$DATA/qoltanbad.pid" ] && fail "pidfile left behind"
ok

# apply with the captcha answered from the portal's own database, as a
# person reading the picture would (no terminal: the code is read from stdin).
captchas() { sqlite3 "$DATA/qoltanbad.db" 'select count(*) from captcha' 2>/dev/null || echo 0; }
# The fifo is held open on fd 3 so that qoltanba's stdin opens at once.
answer_when_asked() { # FIFO COUNT_BEFORE: answers the first captcha made after
	i=0
	while [ $i -lt 400 ]; do
		if [ "$(captchas)" -gt "$2" ]; then
			sqlite3 "$DATA/qoltanbad.db" 'select answer from captcha order by rowid desc limit 1' >&3
			return 0
		fi
		sleep 0.05; i=$((i + 1))
	done
	echo "never asked" >&3
}
printf '{"subject":"chairman","iin":"850314372249","bin":"060340138014","region":"KZ-75","city":"Алматы","storage":"pc","folder":"%s"}' \
	"$T/keys" >"$T/b.json"
mkfifo "$T/in"
exec 3<>"$T/in"
n0=$(captchas)
setsid -w "$QOLTANBA" apply --batch "$T/b.json" --password-file "$T/pw" --json <"$T/in" >"$T/out" 2>"$T/err" &
answer_when_asked "$T/in" "$n0"
wait $! || fail "apply against the local portal: $(cat "$T/err")"
N=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["number"])' "$T/out")
grep -q 'Code: ' "$T/err" || fail "no captcha was asked"
expect_exit 0 "$QOLTANBA" ra approve "$N"
expect_exit 0 "$QOLTANBA" install "$N" --keys "$T/keys" --password-file "$T/pw"
expect_match 'Certificates installed'
ls "$T/keys"/AUTH_RSA256_*.p12 "$T/keys"/RSA256_*.p12 >/dev/null || fail "no key files"
expect_exit 0 "$QOLTANBA" applications --json
expect_match '"portal":"local"'

# -- qoltanba killed with SIGKILL after the keys are written: the daemon
# goes too (PR_SET_PDEATHSIG), the application is found again.
printf '{"subject":"individual","iin":"900722433036","region":"KZ-71","city":"Astana","storage":"pc","folder":"%s"}' \
	"$T/k2" >"$T/c.json"
exec 3>&-; rm -f "$T/in"; mkfifo "$T/in"
exec 3<>"$T/in"
n0=$(captchas)
QT_TEST_CRASH_AT=enroll_generated setsid -w "$QOLTANBA" apply --batch "$T/c.json" --password-file "$T/pw" \
	<"$T/in" >"$T/out" 2>"$T/err" &
answer_when_asked "$T/in" "$n0"
wait $! && fail "the crash hook did not fire"
i=0; while [ -n "$(daemons)" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -z "$(daemons)" ] || fail "qoltanbad outlived a qoltanba killed with SIGKILL"
ls "$T/k2"/PENDING_AUTH_*.key >/dev/null || fail "keys lost"
# The next start finds the stale pidfile's daemon gone and starts another;
# the captcha the crashed run solved is spent, so resume asks for one.
exec 3>&-; rm -f "$T/in"; mkfifo "$T/in"
exec 3<>"$T/in"
n0=$(captchas)
setsid -w "$QOLTANBA" apply --resume <"$T/in" >"$T/out" 2>"$T/err" &
answer_when_asked "$T/in" "$n0"
wait $! || fail "apply --resume: $(cat "$T/err")"
grep -Eq 'Application number: [0-9]{12}|submitted' "$T/out" "$T/err" || fail "resume sent nothing: $(cat "$T/out" "$T/err")"
expect_exit 0 "$QOLTANBA" applications --json
expect_match '"status":"submitted","step":"submitted","subject_type":"individual","iin":"900722433036"'
[ -z "$(daemons)" ] || fail "qoltanbad still runs"
exec 3>&-

finish
