/* Key generation and PKCS#10 requests; the shell test checks the
 * written requests with `openssl req -verify`. */
#include <config.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <qoltanba/keygen.h>
#include <qoltanba/oids.h>
#include "tap.h"

static void write_req(const char *dir, const char *name, X509_REQ *req)
{
	char path[512];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f != NULL) {
		PEM_write_X509_REQ(f, req);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	const char *outdir = argc > 1 ? argv[1] : NULL;
	struct qt_csr_params p = {
		.common_name = "ТЕСТОВ ТЕСТ",
		.surname = "ТЕСТОВ",
		.given_name = "ТЕСТОВИЧ",
		.iin = "800416100254",
		.bin = "940140000385",
		.organization = "АО \"ТЕСТ\"",
		.email = "test@example.kz",
		.purpose = QT_PURPOSE_SIGN,
		.storage = QT_STORAGE_PKCS12,
	};
	EVP_PKEY *rsa = NULL, *ec = NULL;
	X509_REQ *req = NULL;
	enum qt_keytype t;
	char *pem = NULL;

	CHECK_EQ_INT(qt_keygen(QT_KEY_RSA2048, &rsa), QT_OK);
	CHECK(rsa != NULL && EVP_PKEY_get_bits(rsa) == 2048);
	CHECK(rsa != NULL && EVP_PKEY_is_a(rsa, "RSA"));
	CHECK_EQ_INT(qt_keygen(QT_KEY_EC_P256, &ec), QT_OK);
	CHECK(ec != NULL && EVP_PKEY_is_a(ec, "EC") && EVP_PKEY_get_bits(ec) == 256);

	CHECK_EQ_INT(qt_keytype_parse("ecdsa-p256", &t), QT_OK);
	CHECK_EQ_INT(t, QT_KEY_EC_P256);
	CHECK_EQ_INT(qt_keytype_parse("rsa2048", &t), QT_OK);
	CHECK_EQ_INT(t, QT_KEY_RSA2048);
	CHECK_EQ_INT(qt_keytype_parse("dsa", &t), QT_ERR_INVALID_ARG);

	CHECK_EQ_INT(qt_csr_create(rsa, &p, &req), QT_OK);
	if (req != NULL) {
		X509_NAME *n = X509_REQ_get_subject_name(req);
		STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
		int idx;
		CHECK(X509_REQ_verify(req, rsa) == 1);
		CHECK_EQ_INT(X509_NAME_entry_count(n), 7);
		/* NCA's RDN order and string types. */
		CHECK_EQ_INT(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(n, 0))), NID_commonName);
		CHECK_EQ_INT(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(n, 2))), NID_serialNumber);
		CHECK_EQ_INT(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, 2))), V_ASN1_PRINTABLESTRING);
		CHECK_EQ_INT(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, 0))), V_ASN1_UTF8STRING);
		CHECK_EQ_INT(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(n, 3))), NID_countryName);
		CHECK_EQ_INT(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(n, 5))), NID_organizationalUnitName);
		CHECK_EQ_INT(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(n, 6))), NID_givenName);
		CHECK_STR((const char *)ASN1_STRING_get0_data(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, 2))), "IIN800416100254");
		CHECK_STR((const char *)ASN1_STRING_get0_data(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, 5))), "BIN940140000385");
		idx = X509v3_get_ext_by_NID(exts, NID_subject_alt_name, -1);
		CHECK(idx >= 0);
		idx = X509v3_get_ext_by_NID(exts, NID_key_usage, -1);
		CHECK(idx >= 0);
		if (idx >= 0) {
			ASN1_BIT_STRING *ku = X509V3_EXT_d2i(X509v3_get_ext(exts, idx));
			CHECK(ku != NULL && ASN1_BIT_STRING_get_bit(ku, 1)); /* nonRepudiation */
			ASN1_BIT_STRING_free(ku);
		}
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
		CHECK_EQ_INT(qt_csr_storage(req), QT_STORAGE_PKCS12);
		CHECK_EQ_INT(qt_csr_pem(req, &pem), QT_OK);
		CHECK(pem != NULL && strstr(pem, "BEGIN CERTIFICATE REQUEST") != NULL);
		free(pem);
		write_req(outdir, "sign-rsa.csr", req);
		X509_REQ_free(req);
	}

	/* An individual's AUTH request on a Kaztoken, with an EC key. */
	p.bin = NULL;
	p.organization = NULL;
	p.email = NULL;
	p.purpose = QT_PURPOSE_AUTH;
	p.storage = QT_STORAGE_KAZTOKEN;
	req = NULL;
	CHECK_EQ_INT(qt_csr_create(ec, &p, &req), QT_OK);
	if (req != NULL) {
		CHECK(X509_REQ_verify(req, ec) == 1);
		CHECK_EQ_INT(X509_NAME_entry_count(X509_REQ_get_subject_name(req)), 5);
		CHECK_EQ_INT(qt_csr_storage(req), QT_STORAGE_KAZTOKEN);
		write_req(outdir, "auth-ec.csr", req);
		X509_REQ_free(req);
	}

	CHECK_STR(qt_storage_oid(QT_STORAGE_JACARTA), QT_OID_STORAGE_JACARTA);
	CHECK_EQ_INT(qt_storage_from_oid("1.2.398.3.3.5.2.6"), QT_STORAGE_AKEY);
	CHECK_EQ_INT(qt_storage_from_oid("1.2.3"), QT_STORAGE_UNKNOWN);

	/* A comma would smuggle a second SAN entry into the config string. */
	p.email = "a@b.kz,DNS:evil.example";
	req = NULL;
	CHECK_EQ_INT(qt_csr_create(rsa, &p, &req), QT_ERR_EMAIL);
	CHECK(req == NULL);

	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	return tap_done();
}
