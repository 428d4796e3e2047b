/* Certificate summaries: NCA's own test certificates (RSA and GOST)
 * and certificates made here in NCA's profile. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <qoltanba/cert.h>
#include <qoltanba/keygen.h>
#include "tap.h"
#include "testcert.h"

static const char *fixtures;

static X509 *load(const char *rel)
{
	char path[1024];
	X509 *x = NULL;

	snprintf(path, sizeof path, "%s/nca-sdk-2020/%s", fixtures, rel);
	CHECK_EQ_INT(qt_cert_load(path, &x), QT_OK);
	return x;
}

static void nca_fixtures(void)
{
	struct qt_cert_summary s;
	X509 *x;
	time_t now = 1700000000;   /* 2023-11-14: long after expiry */

	x = load("personal/active/RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.cer");
	CHECK_EQ_INT(qt_cert_summarize(x, now, &s), QT_OK);
	CHECK_STR(s.common_name, "ТЕСТОВ ТЕСТ");
	CHECK_STR(s.surname, "ТЕСТОВ");
	CHECK_STR(s.given_name, "ТЕСТОВИЧ");
	CHECK_STR(s.iin, "123456789011");
	CHECK_STR(s.bin, "");
	CHECK_STR(s.organization, "");
	CHECK_STR(s.issuer, "ҰКО 3.0 (RSA TEST)");
	CHECK_STR(s.keyid, "11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9");
	CHECK_STR(s.serial, "1c1c4adb45086b3529e004c96302ae974d4f09a4");
	CHECK_STR(s.key_algorithm, "RSA 2048");
	CHECK_EQ_INT(s.key_alg, QT_KEYALG_RSA);
	CHECK_EQ_INT(s.purpose, QT_PURPOSE_SIGN);
	CHECK_EQ_INT(s.roles, QT_ROLE_INDIVIDUAL);
	CHECK(s.expired);
	CHECK(!s.not_yet_valid);
	CHECK(s.days_left < -1000);
	CHECK(s.signing_supported);
	{
		char iso[32];
		qt_time_iso8601(s.not_after, iso);
		CHECK_STR(iso, "2021-01-27T06:23:04Z");
		qt_time_iso8601(s.not_before, iso);
		CHECK_STR(iso, "2020-01-28T06:23:04Z");
	}
	/* Days left around the end: the last day is 0, the day after -1. */
	CHECK_EQ_INT(qt_cert_summarize(x, s.not_after - 86400 - 1, &s), QT_OK);
	CHECK_EQ_INT(s.days_left, 1);
	CHECK(!s.expired);
	CHECK_EQ_INT(qt_cert_summarize(x, s.not_after - 10, &s), QT_OK);
	CHECK_EQ_INT(s.days_left, 0);
	CHECK_EQ_INT(qt_cert_summarize(x, s.not_after + 10, &s), QT_OK);
	CHECK_EQ_INT(s.days_left, -1);
	CHECK(s.expired);
	CHECK_EQ_INT(qt_cert_summarize(x, s.not_before - 10, &s), QT_OK);
	CHECK(s.not_yet_valid);
	X509_free(x);

	x = load("personal/active/AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.cer");
	CHECK_EQ_INT(qt_cert_summarize(x, now, &s), QT_OK);
	CHECK_EQ_INT(s.purpose, QT_PURPOSE_AUTH);
	CHECK_STR(s.keyid, "b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d");
	X509_free(x);

	x = load("organization/active/AUTH_RSA256_d682726b55b3e62600ea8fe1c74e75fc96f47790.cer");
	CHECK_EQ_INT(qt_cert_summarize(x, now, &s), QT_OK);
	CHECK_EQ_INT(s.purpose, QT_PURPOSE_AUTH);
	CHECK_STR(s.bin, "123456789021");
	CHECK_STR(s.organization, "АО \"ТЕСТ\"");
	CHECK_EQ_INT(s.roles, QT_ROLE_LEGAL_ENTITY | QT_ROLE_FIRST_HEAD);
	X509_free(x);

	/* GOST: the key is not decodable, the certificate still is. */
	x = load("organization/active/GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.cer");
	CHECK_EQ_INT(qt_cert_summarize(x, now, &s), QT_OK);
	CHECK_STR(s.key_algorithm, "GOST 34.310-2004");
	CHECK_EQ_INT(s.key_alg, QT_KEYALG_GOST2004);
	CHECK(!s.signing_supported);
	CHECK_EQ_INT(s.purpose, QT_PURPOSE_SIGN);
	CHECK_STR(s.keyid, "13a3741b52d7bf860aab199b56fad1f4652e357b");
	CHECK_STR(s.issuer, "ҰКО 3.0 (GOST TEST)");
	CHECK_STR(s.iin, "123456789011");
	CHECK_STR(s.bin, "123456789021");
	CHECK_EQ_INT(s.roles, QT_ROLE_LEGAL_ENTITY | QT_ROLE_FIRST_HEAD);
	X509_free(x);
}

static void made_here(const char *tmp)
{
	struct qt_cert_summary s;
	EVP_PKEY *rsa = NULL, *ec = NULL;
	X509 *x, *y = NULL;
	char keyid[41], path[1024];
	FILE *f;

	CHECK_EQ_INT(qt_keygen(QT_KEY_RSA2048, &rsa), QT_OK);
	CHECK_EQ_INT(qt_keygen(QT_KEY_EC_P256, &ec), QT_OK);

	x = testcert_make(ec, QT_PURPOSE_AUTH, 1, 365);
	CHECK(x != NULL);
	CHECK_EQ_INT(qt_cert_summarize(x, time(NULL), &s), QT_OK);
	CHECK_STR(s.key_algorithm, "EC P-256");
	CHECK_EQ_INT(s.key_alg, QT_KEYALG_EC);
	CHECK_EQ_INT(s.purpose, QT_PURPOSE_AUTH);
	CHECK_EQ_INT(s.storage, QT_STORAGE_PKCS12);
	CHECK_STR(s.email, "test@example.kz");
	CHECK_STR(s.bin, "940140000385");
	CHECK_EQ_INT(s.days_left, 365);
	CHECK(!s.expired && s.signing_supported);
	/* The SKI ("hash") is RFC 5280 method 1, as qt_keyid_of_key. */
	CHECK_EQ_INT(qt_keyid_of_key(ec, keyid), QT_OK);
	CHECK_STR(s.keyid, keyid);

	/* DER and PEM both load. */
	snprintf(path, sizeof path, "%s/c.der", tmp);
	f = fopen(path, "wb");
	CHECK(f != NULL && i2d_X509_fp(f, x) == 1);
	fclose(f);
	CHECK_EQ_INT(qt_cert_load(path, &y), QT_OK);
	CHECK(y != NULL && X509_cmp(x, y) == 0);
	X509_free(y);
	X509_free(x);

	x = testcert_make(rsa, QT_PURPOSE_SIGN, 0, -3);
	CHECK_EQ_INT(qt_cert_summarize(x, time(NULL), &s), QT_OK);
	CHECK_STR(s.key_algorithm, "RSA 2048");
	CHECK_EQ_INT(s.roles, QT_ROLE_INDIVIDUAL);
	CHECK_EQ_INT(s.purpose, QT_PURPOSE_SIGN);
	CHECK(s.expired);
	CHECK_EQ_INT(s.days_left, -3);
	snprintf(path, sizeof path, "%s/c.pem", tmp);
	f = fopen(path, "w");
	CHECK(f != NULL && PEM_write_X509(f, x) == 1);
	fclose(f);
	CHECK_EQ_INT(qt_cert_load(path, &y), QT_OK);
	X509_free(y);
	X509_free(x);

	/* Not certificates. */
	snprintf(path, sizeof path, "%s/empty.cer", tmp);
	f = fopen(path, "w");
	fclose(f);
	CHECK_EQ_INT(qt_cert_load(path, &y), QT_ERR_NOT_KEYSTORE);
	snprintf(path, sizeof path, "%s/junk.cer", tmp);
	f = fopen(path, "w");
	fputs("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", f);
	fclose(f);
	CHECK_EQ_INT(qt_cert_load(path, &y), QT_ERR_NOT_KEYSTORE);
	snprintf(path, sizeof path, "%s/missing.cer", tmp);
	CHECK_EQ_INT(qt_cert_load(path, &y), QT_ERR_NOT_FOUND);

	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
}

static void names(void)
{
	CHECK_STR(qt_purpose_name(QT_PURPOSE_AUTH), "auth");
	CHECK_STR(qt_purpose_name(QT_PURPOSE_SIGN), "sign");
	CHECK_STR(qt_role_name(QT_ROLE_FIRST_HEAD), "first_head");
	CHECK_STR(qt_role_name(QT_ROLE_FINANCIAL), "financial_signing_right");
	CHECK_STR(qt_role_name(QT_ROLE_HR), "hr");
	CHECK_STR(qt_storage_name(QT_STORAGE_KAZTOKEN), "kaztoken");
	CHECK(qt_purpose_label(QT_PURPOSE_SIGN)[0] != '\0');
	CHECK(qt_role_label(QT_ROLE_EMPLOYEE)[0] != '\0');
	CHECK(qt_storage_label(QT_STORAGE_IDCARD)[0] != '\0');
}

int main(void)
{
	char tmpl[] = "/tmp/qt-test-cert.XXXXXX";
	char *tmp = mkdtemp(tmpl);
	char cmd[1100];

	fixtures = getenv("QT_FIXTURES");
	if (fixtures == NULL)
		fixtures = "tests/fixtures";
	if (tmp == NULL)
		SKIP("no temporary folder");
	nca_fixtures();
	made_here(tmp);
	names();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return tap_done();
}
