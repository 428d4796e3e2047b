#!/bin/sh
# Approval issues from the stored requests without decoding their keys
# (pd_ca_issue_stored): the certificate's public key must be the
# request's, byte for byte, and its SKI the SHA-1 of that key as openssl
# computes it; a stored request whose key breaks the policy (the
# database changed behind the API's back) is still refused at approval.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/portald-lib.sh"

IND_IIN=850314372249      # ӘБІЛҚАЙЫР ЕРЛАН, demo registry, head of ALTYN_BIN
ALTYN_BIN=060340138014
OTHER_IIN=900722433036    # ҚҰРМАНҒАЛИ АЙГҮЛ

pd_init --no-captcha
pd_start
ROOT="$PD_DIR/ca/root.crt"
ISSUING="$PD_DIR/ca/issuing.crt"

# Keys of every shape the API accepts: RSA 2048 and 3072, EC P-256 with
# an uncompressed and with a compressed point.
new_csr rsa2048 rsa:2048
new_csr rsa3072 rsa:3072
new_ec() {  # NAME: an EC P-256 request, uncompressed point
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/$1.key" -subj "/CN=$1" -out "$T/$1.csr" 2>/dev/null
}
new_ec ecu
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ecc0.key"
openssl ec -in "$T/ecc0.key" -conv_form compressed -out "$T/ecc.key" 2>/dev/null
openssl req -new -key "$T/ecc.key" -subj /CN=ecc -out "$T/ecc.csr"
out=$(openssl req -in "$T/ecc.csr" -noout -text)
expect_match '^ +0[23]:'          # the request really holds a compressed point

submit() {  # FILE -> $N
	api POST /api/v1/applications "$1"
	expect_api 201 "" "submission $1"
	N=$(printf '%s' "$body" | jq -r .number)
}
app_json "$T/app1.json" individual "$OTHER_IIN" "" pkcs12 rsa2048 ecc
submit "$T/app1.json"; N1=$N
app_json "$T/app2.json" chairman "$IND_IIN" "$ALTYN_BIN" kaztoken ecu rsa3072
submit "$T/app2.json"; N2=$N
for n in $N1 $N2; do
	expect_exit 0 "$QOLTANBAD" ra approve "$n" --data "$PD_DIR"
	expect_match "approved"
done

# SHA-1 of the subjectPublicKey BIT STRING's contents, from a PEM public key.
key_sha1() {
	off=$(openssl asn1parse -in "$1" | awk '/BIT STRING/ { sub(/:.*/, "", $1); print $1; exit }')
	openssl asn1parse -in "$1" -out "$T/bits" -noout -strparse "$off"
	openssl dgst -sha1 -r "$T/bits" | cut -d' ' -f1
}
same_key() {  # NUMBER PURPOSE CSR
	db "SELECT pem FROM certificate WHERE number='$1' AND purpose='$2'" >"$T/c.pem"
	expect_exit 0 openssl verify -CAfile "$ROOT" -untrusted "$ISSUING" "$T/c.pem"
	openssl req -in "$T/$3.csr" -noout -pubkey >"$T/req.pub"
	openssl x509 -in "$T/c.pem" -noout -pubkey >"$T/cert.pub"
	ok
	cmp -s "$T/req.pub" "$T/cert.pub" || fail "$3: the certificate's key differs from the request's"
	ski=$(openssl x509 -in "$T/c.pem" -noout -ext subjectKeyIdentifier | sed -n 2p |
		tr -d ' :\n' | tr A-F a-f)
	h=$(key_sha1 "$T/req.pub")
	ok
	[ -n "$ski" ] && [ "$ski" = "$h" ] || fail "$3: SKI $ski, SHA-1 of the request's key $h"
}
same_key $N1 auth rsa2048
same_key $N1 sign ecc
same_key $N2 auth ecu
same_key $N2 sign rsa3072
# Key usage follows the key's algorithm read from the bytes.
db "SELECT pem FROM certificate WHERE number='$N2' AND purpose='auth'" >"$T/c.pem"
out=$(openssl x509 -in "$T/c.pem" -noout -ext keyUsage)
expect_match "Digital Signature, Key Agreement"
db "SELECT pem FROM certificate WHERE number='$N1' AND purpose='auth'" >"$T/c.pem"
out=$(openssl x509 -in "$T/c.pem" -noout -ext keyUsage)
expect_match "Digital Signature, Key Encipherment"

# The key policy is checked again at approval, from the stored bytes:
# requests the API would have refused, put in the database directly.
new_csr a3 rsa:2048
new_ec s3
app_json "$T/app3.json" individual "$OTHER_IIN" "" pkcs12 a3 s3
submit "$T/app3.json"; N3=$N
tamper() {  # COLUMN CSR
	db "UPDATE application SET $1='$(cat "$T/$2.csr")' WHERE number='$N3'"
}
openssl req -new -newkey rsa:1024 -nodes -keyout "$T/weak.key" -subj /CN=w -out "$T/weak.csr" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$T/p384.key" \
	-subj /CN=p -out "$T/p384.csr" 2>/dev/null
openssl req -new -newkey rsa:2048 -pkeyopt rsa_keygen_pubexp:3 -nodes -keyout "$T/e3.key" \
	-subj /CN=e -out "$T/e3.csr" 2>/dev/null
for bad in weak:shorter p384:P-256 e3:exponent; do
	tamper auth_csr "${bad%%:*}"
	expect_exit 1 "$QOLTANBAD" ra approve "$N3" --data "$PD_DIR"
	expect_match "${bad#*:}"
done
tamper auth_csr a3
db "UPDATE application SET sign_csr='not a request' WHERE number='$N3'"
expect_exit 1 "$QOLTANBAD" ra approve "$N3" --data "$PD_DIR"
expect_match "public key"
check "nothing issued for the tampered application" \
	test "$(db "SELECT count(*) FROM certificate WHERE number='$N3'")" -eq 0
check "it is still pending" test "$(db "SELECT status FROM application WHERE number='$N3'")" -eq 0
tamper sign_csr s3
expect_exit 0 "$QOLTANBAD" ra approve "$N3" --data "$PD_DIR"
same_key $N3 auth a3
same_key $N3 sign s3

pd_stop
finish
