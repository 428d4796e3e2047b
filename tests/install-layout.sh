#!/bin/sh
# make install DESTDIR=$T/root from the build folder (issue 8): every file
# where a Debian user looks for it, with the right modes; both manual pages
# render without warnings (man --warnings); qoltanba(1) carries the key list
# of the action table; the systemd unit names the installed qoltanbad and
# its hardening; the installed qoltanba runs from DESTDIR.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v make >/dev/null || skip "make is not installed"
command -v man >/dev/null || skip "man is not installed (man-db)"
[ -f "$top_builddir/Makefile" ] || skip "no configured build folder"

# The installation folders of this configuration, as make sees them.
cat > "$T/dirs.mk" <<'EOF'
print-dirs:
	@echo "bindir='$(bindir)' sbindir='$(sbindir)' man1dir='$(man1dir)' man8dir='$(man8dir)'"
	@echo "sysconfdir='$(sysconfdir)' pkgdatadir='$(pkgdatadir)' docdir='$(docdir)'"
	@echo "localedir='$(localedir)' unitdir='$(systemdsystemunitdir)' pkgincludedir='$(pkgincludedir)'"
EOF
# MAKEFLAGS from the make running the tests (-j, jobserver) are not ours.
unset MAKEFLAGS MFLAGS MAKELEVEL || true
eval "$(make -s -C "$top_builddir" -f Makefile -f "$T/dirs.mk" print-dirs 2>/dev/null |
	grep -E "^(bindir|sysconfdir|localedir)=")"
R="$T/root"
checks=$((checks + 1))
if ! make -C "$top_builddir" install DESTDIR="$R" >"$T/install.log" 2>&1; then
	fail "make install failed:"
	tail -20 "$T/install.log" >&2
	finish
fi

# mode PATH WANT: the file exists with permission bits WANT.
mode() {
	checks=$((checks + 1))
	if [ ! -e "$R$1" ]; then
		fail "$1 is not installed"
		return 0
	fi
	got=$(stat -c %a "$R$1")
	[ "$got" = "$2" ] || fail "$1 has mode $got, expected $2"
}
mode "$bindir/qoltanba" 755
mode "$sbindir/qoltanbad" 755
mode "$man1dir/qoltanba.1" 644
mode "$man8dir/qoltanbad.8" 644
mode "$sysconfdir/qoltanba/qoltanba.conf.example" 644
mode "$sysconfdir/qoltanba/qoltanbad.conf.example" 644
mode "$pkgdatadir/atr.conf" 644
mode "$pkgdatadir/demo-individuals.csv" 644
mode "$pkgdatadir/demo-entities.csv" 644
for d in README COPYING tui.md cli.md api.md enroll.md kiosk.md; do
	mode "$docdir/$d" 644
done
for l in ru kk; do
	mode "$localedir/$l/LC_MESSAGES/qoltanba.mo" 644
done
mode "$unitdir/qoltanbad.service" 644
mode "$pkgincludedir/config.h" 644
# A live configuration is the administrator's: only examples are installed.
checks=$((checks + 1))
[ ! -e "$R$sysconfdir/qoltanba/qoltanba.conf" ] || fail "qoltanba.conf itself was installed"
# Nothing outside the prefix's folders (the unit included: see configure.ac).
checks=$((checks + 1))
stray=$(cd "$R" && find . -type f | sed 's|^\.||' | while read -r f; do
	case $f in
	"$bindir"/*|"$sbindir"/*|"$man1dir"/*|"$man8dir"/*|"$sysconfdir"/*|"$pkgdatadir"/*|\
	"$docdir"/*|"$localedir"/*|"$unitdir"/*|"$pkgincludedir"/*) ;;
	*) echo "$f" ;;
	esac
done)
[ -z "$stray" ] || fail "files installed elsewhere: $stray"

# ---- The manual pages ------------------------------------------------------------
for page in "$man1dir/qoltanba.1" "$man8dir/qoltanbad.8"; do
	checks=$((checks + 1))
	warn=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$R$page" 2>&1 >"$T/page.txt") || true
	[ -z "$warn" ] || fail "$page: man warns: $warn"
	checks=$((checks + 1))
	[ -s "$T/page.txt" ] || fail "$page renders empty"
done
out=$(MANWIDTH=80 man -l "$R$man1dir/qoltanba.1" 2>/dev/null)
for s in NAME SYNOPSIS COMMANDS OPTIONS KEYS 'KIOSK MODE' FILES ENVIRONMENT 'EXIT STATUS'; do
	expect_match "^$s\$"
done
# The key list is the action table's: every action, with its keys.
"$top_builddir/qoltanba" --list-keys | awk 'NR > 1 && $1 ~ /^[a-z-]+$/ { print $1 }' > "$T/actions"
checks=$((checks + 1))
[ -s "$T/actions" ] || fail "qoltanba --list-keys printed no actions"
while read -r a; do
	expect_match "\\($a\\) "
done < "$T/actions"
expect_match '^ +F10 \^X +\(quit\) Leave qoltanba$'
expect_match "$sysconfdir/qoltanba/qoltanba.conf"
expect_match 'kiosk-code'
out=$(MANWIDTH=80 man -l "$R$man8dir/qoltanbad.8" 2>/dev/null)
for s in NAME SYNOPSIS COMMANDS CONFIGURATION FILES SIGNALS 'EXIT STATUS'; do
	expect_match "^$s\$"
done
expect_match "$unitdir/qoltanbad.service"

# ---- The systemd unit ---------------------------------------------------------------
out=$(cat "$R$unitdir/qoltanbad.service")
expect_match "^ExecStart=$sbindir/qoltanbad serve --data /var/lib/qoltanbad\$"
for k in 'User=qoltanbad' 'StateDirectory=qoltanbad' 'NoNewPrivileges=yes' \
	'ProtectSystem=strict' 'PrivateTmp=yes' 'ProtectHome=yes' 'CapabilityBoundingSet=$'; do
	expect_match "^$k"
done
if command -v systemd-analyze >/dev/null; then
	# Only the missing binary (not installed on this system) may be reported.
	checks=$((checks + 1))
	bad=$(systemd-analyze verify "$R$unitdir/qoltanbad.service" 2>&1 |
		grep -v 'is not executable\|man qoltanbad\|Command .man' || true)
	[ -z "$bad" ] || fail "systemd-analyze verify: $bad"
fi

# ---- The examples document every key the programs read ----------------------------
out=$(cat "$R$sysconfdir/qoltanba/qoltanba.conf.example")
for k in language color theme portal portal.ca portal.timeout portal.connect_timeout \
	portal.retries portal.local.captcha module module.kaztoken p11-kit kiosk \
	kiosk.operator_code kiosk.roots kiosk.idle kiosk.log; do
	expect_match "^#$k = "
done
out=$(cat "$R$sysconfdir/qoltanba/qoltanbad.conf.example")
for k in name base_url listen tls_cert tls_key log_file captcha captcha_per_minute \
	session_minutes threads synchronous test_mode; do
	expect_match "^#$k ="
done

# ---- The installed programs run from DESTDIR -----------------------------------------
expect_exit 0 "$R$bindir/qoltanba" --version
expect_match "^qoltanba [0-9]"
expect_exit 0 "$R$sbindir/qoltanbad" --help
# A command that needs no terminal, from the installed program.
printf 'Kiosk-op1\n' > "$T/code"
expect_exit 0 "$R$bindir/qoltanba" kiosk-code --code-file "$T/code" --iterations 1000
expect_match '^kiosk\.operator_code = pbkdf2-sha256\$1000\$'

finish
