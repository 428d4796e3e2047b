#!/bin/sh
# qoltanbad's CA judged by the openssl CLI, not by our own code: chains,
# CRLs, OCSP, and the NCA profile (domain.md section 2) of what it issues.
# tests/test_pdca issues the certificates and leaves them in $T/out.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v openssl >/dev/null || skip "openssl CLI not installed"

O="$T/out"
mkdir -p "$O"
"$top_builddir/tests/test_pdca" "$O" >"$T/test_pdca.out" 2>&1 ||
	{ cat "$T/test_pdca.out" >&2; fail "test_pdca failed"; }
. "$O/params"
ROOT="$O/data/ca/root.crt"
ISSUING="$O/data/ca/issuing.crt"
openssl crl -inform DER -in "$O/crl.der" -out "$O/crl.pem"
openssl crl -inform DER -in "$O/root-crl.der" -out "$O/root-crl.pem"

# Chains: every certificate verifies under the root via the issuing CA.
for c in ind-auth ind-sign chm-auth chm-sign emp-sign ec-auth der-sign; do
	expect_exit 0 openssl verify -CAfile "$ROOT" -untrusted "$ISSUING" "$O/$c.pem"
	expect_match ": OK$"
done
# ...and with the CRL: the revoked one is refused, the others pass,
# also with the root's CRL checked for the issuing CA (-crl_check_all).
for c in ind-sign chm-auth chm-sign ec-auth; do
	expect_exit 0 openssl verify -crl_check -CAfile "$ROOT" -untrusted "$ISSUING" \
		-CRLfile "$O/crl.pem" "$O/$c.pem"
	expect_exit 0 openssl verify -crl_check_all -CAfile "$ROOT" -untrusted "$ISSUING" \
		-CRLfile "$O/crl.pem" -CRLfile "$O/root-crl.pem" "$O/$c.pem"
done
expect_exit 2 openssl verify -crl_check -CAfile "$ROOT" -untrusted "$ISSUING" \
	-CRLfile "$O/crl.pem" "$O/ind-auth.pem"
expect_match "certificate revoked"
out=$(openssl crl -in "$O/crl.pem" -noout -text)
expect_match "Version 2"
expect_match "CRL Number: *$"
expect_match "Key Compromise"
expect_match "Serial Number: $(echo "$IND_AUTH_SERIAL" | tr a-f A-F)"
expect_match "Authority Key Identifier"
expect_exit 0 openssl crl -in "$O/crl.pem" -noout -CAfile "$O/chain.pem" -verify
expect_match "verify OK"
lu=$(openssl crl -in "$O/crl.pem" -noout -lastupdate | cut -d= -f2)
nu=$(openssl crl -in "$O/crl.pem" -noout -nextupdate | cut -d= -f2)
ok
[ $(( $(date -d "$nu" +%s) - $(date -d "$lu" +%s) )) -eq 86400 ] ||
	fail "CRL nextUpdate - lastUpdate is not one day: $lu .. $nu"

# OCSP: the answer verifies under the root and says revoked / good.
expect_exit 0 openssl ocsp -respin "$O/ocsp-resp.der" -issuer "$ISSUING" \
	-CAfile "$ROOT" -cert "$O/ind-auth.pem" -cert "$O/ind-sign.pem" -no_nonce
expect_match "Response verify OK"
expect_match "ind-auth.pem: revoked"
expect_match "Reason: keyCompromise"
expect_match "ind-sign.pem: good"

# The chain served behind caIssuers: a certs-only CMS with both CAs.
out=$(openssl pkcs7 -inform DER -in "$O/chain.p7c" -print_certs -noout)
expect_match "subject=.*qoltanbad"
ok
[ "$(printf '%s\n' "$out" | grep -c '^subject=')" -eq 2 ] || fail "chain.p7c: $out"

# The CA certificates.
out=$(openssl x509 -in "$ROOT" -noout -text)
expect_match "Public-Key: \(4096 bit\)"
expect_match "CA:TRUE$"
out=$(openssl x509 -in "$ISSUING" -noout -text)
expect_match "Public-Key: \(2048 bit\)"
expect_match "CA:TRUE, pathlen:0"
expect_match "URI:$BASE/crl/qoltanbad-root.crl"

# Profile: text view.  $1 file, then patterns that must match.
profile() {
	f=$1; shift
	out=$(openssl x509 -in "$O/$f.pem" -noout -text -nameopt RFC2253,-esc_msb)
	for p in "$@"; do expect_match "$p"; done
}
profile ind-auth "Key Usage: critical" "^ +Digital Signature, Key Encipherment$" \
	"TLS Web Client Authentication, 1.2.398.3.3.4.1.1$" \
	"Policy: 1.2.398.3.3.2.4" "CPS: $BASE/cps" \
	"URI:$BASE/crl/qoltanbad.crl" "CA Issuers - URI:$BASE/ca/chain.p7c" \
	"OCSP - URI:$BASE/ocsp" "email:aigul@example.kz" "sha256WithRSAEncryption" \
	"Subject: GN=ҰЛАНҚЫЗЫ,C=KZ,serialNumber=IIN800416100254,SN=ТЕСТОВА,CN=ТЕСТОВА ӘЙГЕРІМ$"
profile ind-sign "Key Usage: critical" "^ +Digital Signature, Non Repudiation$" \
	"E-mail Protection, 1.2.398.3.3.4.1.1$" "Policy: 1.2.398.3.3.2.3"
profile chm-auth "^ +Digital Signature, Key Encipherment$" \
	"TLS Web Client Authentication, 1.2.398.3.3.4.1.2, 1.2.398.3.3.4.1.2.1$" \
	"Policy: 1.2.398.3.3.2.2" \
	"Subject: GN=ТЕСТОВИЧ,OU=BIN940140000385,O=АО \\\\\"Тест\\\\\",C=KZ,serialNumber=IIN061211600012,SN=ТЕСТОВ,CN=ТЕСТОВ ТЕСТ$"
profile chm-sign "^ +Digital Signature, Non Repudiation$" \
	"E-mail Protection, 1.2.398.3.3.4.1.2, 1.2.398.3.3.4.1.2.1$" "Policy: 1.2.398.3.3.2.1"
profile emp-sign "E-mail Protection, 1.2.398.3.3.4.1.2, 1.2.398.3.3.4.1.2.5$"
profile ec-auth "^ +Digital Signature, Key Agreement$"
# The request's subject and e-mail (someone else's) are not taken.
for c in ind-auth ind-sign chm-auth chm-sign emp-sign ec-auth; do
	out=$(openssl x509 -in "$O/$c.pem" -noout -text -nameopt RFC2253,-esc_msb)
	ok
	case $out in
	*ЖАЛҒАН*|*evil@example.com*|*871008401427*|*950341000052*)
		fail "$c carries the request's subject or e-mail" ;;
	esac
done
out=$(openssl x509 -in "$O/chm-auth.pem" -noout -ext subjectAltName 2>&1)
ok
case $out in *email:*) fail "chm-auth has an e-mail the subject does not" ;; esac

# Profile: DER view.  The RDN order with string types, one per line.
rdns() {
	openssl asn1parse -in "$O/$1.pem" | awk '
		/OBJECT *:(commonName|surname|serialNumber|countryName|organizationName|organizationalUnitName|givenName)$/ {
			n = $NF; sub(/^:/, "", n); getline; t = $0; sub(/.*prim: */, "", t); sub(/ .*/, "", t)
			if (++k > 3) printf "%s/%s ", n, t }'   # skip the issuer'"'"'s C, O, CN
}
out=$(rdns ind-auth)
expect_match "^commonName/UTF8STRING surname/UTF8STRING serialNumber/PRINTABLESTRING countryName/PRINTABLESTRING givenName/UTF8STRING $"
out=$(rdns chm-sign)
expect_match "^commonName/UTF8STRING surname/UTF8STRING serialNumber/PRINTABLESTRING countryName/PRINTABLESTRING organizationName/UTF8STRING organizationalUnitName/UTF8STRING givenName/UTF8STRING $"

# Serials: 20 bytes, positive.
for c in ind-auth chm-sign ec-auth; do
	out=$(openssl asn1parse -in "$O/$c.pem" | sed -n 5p)
	expect_match "prim: INTEGER +:[0-7][0-9A-F]{39}$"
	expect_match "l= *20 prim"
done

# The key-storage extension: SEQUENCE { 1.2.398.3.3.5.1.1 } for PKCS#12,
# .2.2 (Kaztoken, from the request) and .2.3 (eToken 72K, application).
storage() {
	openssl asn1parse -in "$O/$1.pem" | grep -A1 ':1.2.398.3.3.5$' | tail -n1
}
out=$(storage ind-auth); expect_match "HEX DUMP\]:300A06082A830E0303050101$"
out=$(storage chm-auth); expect_match "HEX DUMP\]:300A06082A830E0303050202$"
out=$(storage chm-sign); expect_match "HEX DUMP\]:300A06082A830E0303050203$"
out=$(storage emp-sign); expect_match "HEX DUMP\]:300A06082A830E0303050205$"

# SKI = SHA-1 of the subjectPublicKey BIT STRING (RFC 5280 4.2.1.2 (1)),
# computed here by openssl alone, and equal to the request's keyid.
ski_of() {
	openssl x509 -in "$O/$1.pem" -noout -ext subjectKeyIdentifier |
		sed -n 2p | tr -d ' :\n' | tr A-F a-f
}
key_sha1() {
	openssl x509 -in "$O/$1.pem" -noout -pubkey >"$T/pub.pem"
	off=$(openssl asn1parse -in "$T/pub.pem" | awk '/BIT STRING/ { sub(/:.*/, "", $1); print $1; exit }')
	# -strparse -out writes the BIT STRING's bytes after the unused-bits
	# octet: the RSAPublicKey, or the EC point.
	openssl asn1parse -in "$T/pub.pem" -out "$T/bits" -noout -strparse "$off"
	openssl dgst -sha1 -r "$T/bits" | cut -d' ' -f1
}
for c in ind-auth chm-sign; do
	s=$(ski_of $c); h=$(key_sha1 $c)
	ok
	[ -n "$s" ] && [ "$s" = "$h" ] || fail "$c: SKI $s, SHA-1 of the key $h"
done
ok
[ "$(ski_of ind-auth)" = "$IND_AUTH_KEYID" ] || fail "ind-auth SKI is not the request's keyid"
s=$(ski_of ec-auth); h=$(key_sha1 ec-auth)
ok
[ "$s" = "$h" ] && [ "$s" = "$EC_AUTH_KEYID" ] || fail "ec-auth: SKI $s, key $h, keyid $EC_AUTH_KEYID"

# Validity: 365 days for PKCS#12, 1095 for tokens.
days() {
	nb=$(openssl x509 -in "$O/$1.pem" -noout -startdate | cut -d= -f2)
	na=$(openssl x509 -in "$O/$1.pem" -noout -enddate | cut -d= -f2)
	echo $(( ($(date -d "$na" +%s) - $(date -d "$nb" +%s)) / 86400 ))
}
for c in ind-auth ind-sign ec-auth; do
	ok; [ "$(days $c)" -eq 365 ] || fail "$c valid $(days $c) days, not 365"
done
for c in chm-auth chm-sign emp-sign; do
	ok; [ "$(days $c)" -eq 1095 ] || fail "$c valid $(days $c) days, not 1095"
done

finish
