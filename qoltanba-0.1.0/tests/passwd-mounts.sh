#!/bin/sh
# qoltanba passwd on a really full file system and in a read-only
# folder, each in a private mount namespace (needs root and unshare).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v unshare >/dev/null || skip "unshare not installed"
unshare -m sh -c "mount -t tmpfs -o size=16k tmpfs '$T' && umount '$T'" 2>/dev/null ||
	skip "mount namespaces are not permitted here (unshare -m + mount tmpfs failed)"

RSA="$QT_FIXTURES/nca-sdk-2020/personal/active/AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.p12"
printf 'Qwerty12\n' >"$T/old"
printf 'N3w-password\n' >"$T/new"
cp "$RSA" "$T/orig.p12"

# A tiny tmpfs filled up after the key file was put there.
mkdir "$T/full"
cat >"$T/full.sh" <<SH
set -e
mount -t tmpfs -o size=16k tmpfs "$T/full"
cp "$T/orig.p12" "$T/full/key.p12"
dd if=/dev/zero of="$T/full/filler" bs=1k 2>/dev/null || true
set +e
"$QOLTANBA" passwd --password-file "$T/old" --new-password-file "$T/new" "$T/full/key.p12"
echo "exit=\$?"
cmp "$T/full/key.p12" "$T/orig.p12" && echo intact
ls "$T/full"
SH
expect_exit 0 unshare -m sh "$T/full.sh"
expect_match 'disk is full'
expect_match 'exit=1'
expect_match '^intact$'
checks=$((checks + 1))
printf '%s\n' "$out" | grep -q 'key.p12.tmp-' && fail "temporary file left: $out"

# A read-only folder (root ignores chmod, so a read-only bind mount).
mkdir "$T/ro"
cp "$RSA" "$T/ro/key.p12"
cat >"$T/ro.sh" <<SH
set -e
mount --bind "$T/ro" "$T/ro"
mount -o remount,bind,ro "$T/ro"
set +e
"$QOLTANBA" passwd --password-file "$T/old" --new-password-file "$T/new" "$T/ro/key.p12"
echo "exit=\$?"
SH
expect_exit 0 unshare -m sh "$T/ro.sh"
expect_match 'read-only'
expect_match 'exit=1'
checks=$((checks + 1))
cmp -s "$T/ro/key.p12" "$RSA" || fail "the file in the read-only folder changed"
finish
