# SoftHSM2 for the token tests; sourced after tests/lib.sh.
#
# softhsm_init LABEL PIN: skips the test (77) without softhsm2-util or
# its module, sets $SOFTHSM to the module, gives SoftHSM2 a private
# SOFTHSM2_CONF with its tokens under $T, creates
# $XDG_CONFIG_HOME/qoltanba and initialises one token LABEL with user
# PIN PIN (SO PIN 5678).
softhsm_init() {
	softhsm_try "$1" "$2" || skip "$SOFTHSM_MISSING"
}

# softhsm_try LABEL PIN: the same, for a test whose token part is one of
# several: returns 1 with the reason in $SOFTHSM_MISSING instead.
softhsm_try() {
	SOFTHSM=
	SOFTHSM_MISSING="softhsm2-util not installed (package softhsm2)"
	command -v softhsm2-util >/dev/null || return 1
	for f in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so \
		/usr/lib64/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so; do
		[ -f "$f" ] && { SOFTHSM=$f; break; }
	done
	SOFTHSM_MISSING="libsofthsm2.so not found (package libsofthsm2)"
	[ -n "$SOFTHSM" ] || return 1

	mkdir -p "$T/tokens" "$XDG_CONFIG_HOME/qoltanba"
	export SOFTHSM2_CONF="$T/softhsm2.conf"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$T" >"$SOFTHSM2_CONF"
	softhsm2-util --init-token --free --label "$1" --pin "$2" --so-pin 5678 >/dev/null
}
