# Helpers for the qoltanbad tests: a portal in $T/portal on a free
# loopback port, driven with curl.  Source after tests/lib.sh.
QOLTANBAD="$top_builddir/qoltanbad"
command -v curl >/dev/null || skip "curl is not installed"
command -v jq >/dev/null || skip "jq is not installed"
command -v sqlite3 >/dev/null || skip "the sqlite3 shell is not installed"
command -v openssl >/dev/null || skip "openssl is not installed"
[ -x "$QOLTANBAD" ] || skip "qoltanbad was not built"

PD_DIR="$T/portal"
PD_PID=

# A loopback port nobody listens on (bind it, then release it).
pd_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# pd_init [init options...]: creates the portal with the demo registry.
pd_init() {
	PD_PORT=$(pd_free_port)
	PD_URL="http://127.0.0.1:$PD_PORT"
	"$QOLTANBAD" init --data "$PD_DIR" --listen "127.0.0.1:$PD_PORT" --name test "$@" >"$T/init.out"
	"$QOLTANBAD" registry import --data "$PD_DIR" \
		--individuals "$top_srcdir/data/demo-individuals.csv" \
		--entities "$top_srcdir/data/demo-entities.csv" >"$T/import.out"
}

# pd_start [serve options...]: starts the daemon and waits until it answers.
pd_start() {
	"$QOLTANBAD" --data "$PD_DIR" "$@" >>"$T/daemon.log" 2>&1 &
	PD_PID=$!
	i=0
	until curl -fs "$PD_URL/api/v1/health" >/dev/null 2>&1; do
		if ! kill -0 "$PD_PID" 2>/dev/null; then
			cat "$T/daemon.log" >&2
			fail "qoltanbad exited at start"
			return 1
		fi
		i=$((i + 1))
		[ $i -lt 300 ] || { fail "qoltanbad did not answer within 30 s"; return 1; }
		sleep 0.1
	done
}

# pd_stop: SIGTERM and wait; the exit status is in $PD_STATUS.
pd_stop() {
	[ -n "$PD_PID" ] || return 0
	kill -TERM "$PD_PID" 2>/dev/null || true
	set +e
	wait "$PD_PID"
	PD_STATUS=$?
	set -e
	PD_PID=
}

pd_cleanup() {
	if [ -n "$PD_PID" ]; then
		kill -KILL "$PD_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}
trap pd_cleanup EXIT

# api METHOD PATH BODY-FILE [curl options...]: sets $code and $body.
# BODY-FILE "" sends no body.
api() {
	m=$1; p=$2; data=$3; shift 3
	if [ -n "$data" ]; then
		code=$(curl -s -o "$T/body" -w '%{http_code}' -X "$m" -H 'Content-Type: application/json' \
			--data-binary "@$data" "$@" "$PD_URL$p")
	else
		code=$(curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$PD_URL$p")
	fi
	body=$(cat "$T/body")
}

# expect_api STATUS [ERROR-CODE] DESCRIPTION
expect_api() {
	checks=$((checks + 1))
	if [ "$code" != "$1" ]; then
		fail "$3: HTTP $code, expected $1: $body"
		return 0
	fi
	if [ -n "$2" ]; then
		got=$(printf '%s' "$body" | jq -r '.error.code // empty' 2>/dev/null || true)
		[ "$got" = "$2" ] || fail "$3: error code \"$got\", expected \"$2\": $body"
	fi
}

# check DESCRIPTION CMD...: CMD must succeed.
check() {
	d=$1; shift
	checks=$((checks + 1))
	"$@" >/dev/null 2>&1 || fail "$d"
}

db() { sqlite3 "$PD_DIR/qoltanbad.db" "$@"; }

# new_csr NAME [openssl req -newkey arg]: NAME.key and NAME.csr in $T.
new_csr() {
	openssl req -new -newkey "${2:-rsa:2048}" -nodes -keyout "$T/$1.key" -subj "/CN=$1" \
		-out "$T/$1.csr" 2>/dev/null
}

# app_json FILE TYPE IIN BIN STORAGE AUTH SIGN [extra jq object]
app_json() {
	jq -n --arg t "$2" --arg iin "$3" --arg bin "$4" --arg st "$5" \
		--rawfile a "$T/$6.csr" --rawfile s "$T/$7.csr" \
		'{subject_type:$t, iin:$iin, email:"test@example.kz", region:"KZ-75", city:"Almaty",
		  storage:$st, auth_csr:$a, sign_csr:$s} + (if $bin == "" then {} else {bin:$bin} end)' \
		| jq ". + ${8:-{\}}" >"$1"
}

# signin KEY CERT: an operator session; the token in $OPTOK.
signin() {  # KEY CERT -> $OPTOK
	api POST /api/v1/ra/challenge ""
	expect_api 201 "" "challenge"
	chid=$(printf '%s' "$body" | jq -r .challenge_id)
	printf '%s' "$body" | jq -j .sign_this >"$T/chal"
	sig=$(openssl dgst -sha256 -sign "$1" "$T/chal" | base64 -w0)
	jq -n --arg id "$chid" --rawfile c "$2" --arg s "$sig" \
		'{challenge_id:$id, certificate:$c, signature:$s}' >"$T/sess"
	api POST /api/v1/ra/session "$T/sess"
	OPTOK=$(printf '%s' "$body" | jq -r '.token // empty')
}

# pd_operator: the RA operator the TUI tests sign in as, "ТЕСТОВ
# ОПЕРАТОР", with its key store in $T/op.p12 and its password
# (Operator1pw) in ./oppw.
pd_operator() {
	printf 'Operator1pw\n' > oppw
	"$QOLTANBAD" operator add --data "$PD_DIR" --name "ТЕСТОВ ОПЕРАТОР" --out "$T/op.p12" \
		--password-file oppw >/dev/null
}
