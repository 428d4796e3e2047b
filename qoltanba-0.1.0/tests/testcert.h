/* Test helper: a certificate in NCA's profile (domain.md section 2),
 * self-signed by the key it certifies, so tests can make key files
 * without a CA. */
#ifndef QT_TESTS_TESTCERT_H
#define QT_TESTS_TESTCERT_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <qoltanba/cert.h>

static int testcert_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (e == NULL)
		return 0;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

static int testcert_storage_nid(void)
{
	int nid = OBJ_txt2nid("1.2.398.3.3.5");

	return nid != NID_undef ? nid : OBJ_create("1.2.398.3.3.5", "qtKeyStorage", "qtKeyStorage");
}

/* legal: a first head of a legal entity, else an individual.
 * days: validity from now (negative: already expired). */
static X509 *testcert_make(EVP_PKEY *key, enum qt_purpose purpose, int legal, long days)
{
	X509 *x = X509_new();
	X509_NAME *n;
	unsigned char serial[20];
	ASN1_INTEGER *sn = NULL;
	BIGNUM *bn = NULL;
	size_t i;

	if (x == NULL)
		return NULL;
	for (i = 0; i < sizeof serial; i++)
		serial[i] = (unsigned char)(0x11 * (i + 1));
	serial[0] = 0x1c;
	bn = BN_bin2bn(serial, sizeof serial, NULL);
	sn = BN_to_ASN1_INTEGER(bn, NULL);
	X509_set_version(x, X509_VERSION_3);
	X509_set_serialNumber(x, sn);
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	if (days >= 0) {
		X509_gmtime_adj(X509_getm_notBefore(x), -3600);
		X509_gmtime_adj(X509_getm_notAfter(x), days * 86400 + 60);
	} else {
		X509_gmtime_adj(X509_getm_notBefore(x), (days - 365) * 86400);
		X509_gmtime_adj(X509_getm_notAfter(x), days * 86400);
	}
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8,
	                           (const unsigned char *)"ТЕСТОВ ТЕСТ", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_surname, MBSTRING_UTF8,
	                           (const unsigned char *)"ТЕСТОВ", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_serialNumber, MBSTRING_ASC,
	                           (const unsigned char *)"IIN800416100254", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_countryName, MBSTRING_ASC,
	                           (const unsigned char *)"KZ", -1, -1, 0);
	if (legal) {
		X509_NAME_add_entry_by_NID(n, NID_organizationName, MBSTRING_UTF8,
		                           (const unsigned char *)"АО \"ТЕСТ\"", -1, -1, 0);
		X509_NAME_add_entry_by_NID(n, NID_organizationalUnitName, MBSTRING_ASC,
		                           (const unsigned char *)"BIN940140000385", -1, -1, 0);
	}
	X509_NAME_add_entry_by_NID(n, NID_givenName, MBSTRING_UTF8,
	                           (const unsigned char *)"ТЕСТОВИЧ", -1, -1, 0);
	n = X509_NAME_new();
	X509_NAME_add_entry_by_NID(n, NID_countryName, MBSTRING_ASC,
	                           (const unsigned char *)"KZ", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8,
	                           (const unsigned char *)"ҰКО 3.0 (RSA TEST)", -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_NAME_free(n);
	X509_set_pubkey(x, key);
	if (!testcert_ext(x, NID_key_usage, purpose == QT_PURPOSE_AUTH
	                  ? "critical,digitalSignature,keyEncipherment"
	                  : "critical,digitalSignature,nonRepudiation") ||
	    !testcert_ext(x, NID_ext_key_usage, purpose == QT_PURPOSE_AUTH
	                  ? (legal ? "clientAuth,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1"
	                           : "clientAuth,1.2.398.3.3.4.1.1")
	                  : (legal ? "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1"
	                           : "emailProtection,1.2.398.3.3.4.1.1")) ||
	    !testcert_ext(x, NID_subject_key_identifier, "hash") ||
	    !testcert_ext(x, NID_subject_alt_name, "email:test@example.kz") ||
	    /* 1.2.398.3.3.5 = SEQUENCE { 1.2.398.3.3.5.1.1 } (PKCS#12 file) */
	    !testcert_ext(x, testcert_storage_nid(), "DER:30:0a:06:08:2a:83:0e:03:03:05:01:01") ||
	    X509_sign(x, key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

#endif
