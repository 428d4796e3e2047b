/* PKCS#12 key files: NCA's own files (legacy algorithms, GOST keys),
 * files we write in both formats, bad input, password changes.  With a
 * folder argument it leaves its files there for tests/p12-openssl.sh. */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <qoltanba/cert.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/keygen.h>
#include <qoltanba/keystore.h>
#include <qoltanba/secret.h>
#include "engine/p12_internal.h"
#include "tap.h"
#include "testcert.h"

static const char *fixtures;
static char tmp[512];

struct fixture {
	const char *rel;
	enum qt_purpose purpose;
	bool legal, gost;
};

static const struct fixture nca[] = {
	{ "personal/active/AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.p12", QT_PURPOSE_AUTH, false, false },
	{ "personal/active/RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.p12", QT_PURPOSE_SIGN, false, false },
	{ "personal/revoked/AUTH_RSA256_60d5a0346dd52fb5f3b9148e6cfbcd6cf323d119.p12", QT_PURPOSE_AUTH, false, false },
	{ "personal/revoked/RSA256_346a7e57c2995259140b6fc375b6ff3bba7e852f.p12", QT_PURPOSE_SIGN, false, false },
	{ "organization/active/AUTH_RSA256_d682726b55b3e62600ea8fe1c74e75fc96f47790.p12", QT_PURPOSE_AUTH, true, false },
	{ "organization/active/GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12", QT_PURPOSE_SIGN, true, true },
	{ "organization/revoked/AUTH_RSA256_7d6d313ac5bf7367a2a69f28607a8deb80dd3ba9.p12", QT_PURPOSE_AUTH, true, false },
	{ "organization/revoked/GOSTKNCA_c372b7809440fcb681051bbc89ea2f089fd2fe16.p12", QT_PURPOSE_SIGN, true, true },
};

static void fixture_path(const char *rel, char *out, size_t size)
{
	snprintf(out, size, "%s/nca-sdk-2020/%s", fixtures, rel);
}

static void copy_file(const char *from, const char *to)
{
	unsigned char *d = NULL;
	size_t n = 0;

	CHECK_EQ_INT(qt_read_file(from, 1 << 20, &d, &n), QT_OK);
	CHECK_EQ_INT(qt_atomic_write(to, d, n, 0600, QT_WRITE_REPLACE), QT_OK);
	qt_free_secret(d, n);
}

/* Modern files never load the legacy provider; NCA's load it into a
 * library context of its own, never into the default one. */
static void legacy_lazy(void)
{
	EVP_PKEY *k = NULL;
	X509 *x;
	unsigned char *der = NULL;
	size_t len = 0;
	qt_keyfile *kf = NULL;
	char path[1024];

	CHECK_EQ_INT(qt_keygen(QT_KEY_EC_P256, &k), QT_OK);
	x = testcert_make(k, QT_PURPOSE_AUTH, 0, 10);
	CHECK_EQ_INT(qt_p12_encode(k, x, "Secret12", NULL, &der, &len), QT_OK);
	CHECK_EQ_INT(qt_keyfile_open_mem(der, len, "Secret12", &kf), QT_OK);
	CHECK(!qt_p12_legacy_loaded());
	qt_keyfile_free(kf);
	kf = NULL;
	qt_free_secret(der, len);
	fixture_path(nca[0].rel, path, sizeof path);
	CHECK_EQ_INT(qt_keyfile_open(path, "Qwerty12", &kf), QT_OK);
	CHECK(qt_p12_legacy_loaded());
	CHECK(!OSSL_PROVIDER_available(NULL, "legacy"));
	qt_keyfile_free(kf);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void nca_files(void)
{
	size_t i;

	for (i = 0; i < sizeof nca / sizeof nca[0]; i++) {
		const struct fixture *f = &nca[i];
		const struct qt_cert_summary *s;
		const char *base = strrchr(f->rel, '/') + 1;
		const char *us = strrchr(base, '_') + 1;
		char path[1024], want_keyid[41], name[128];
		qt_keyfile *kf = NULL;

		memcpy(want_keyid, us, 40);
		want_keyid[40] = '\0';
		fixture_path(f->rel, path, sizeof path);
		CHECK_EQ_INT(qt_keyfile_open(path, "Qwerty12", &kf), QT_OK);
		if (kf == NULL) {
			fprintf(stderr, "  %s: %s\n", f->rel, qt_error_detail());
			continue;
		}
		s = qt_keyfile_summary(kf);
		CHECK_STR(s->keyid, want_keyid);
		CHECK_STR(s->iin, "123456789011");
		CHECK_STR(s->common_name, "ТЕСТОВ ТЕСТ");
		CHECK_EQ_INT(s->purpose, f->purpose);
		CHECK(s->expired);
		CHECK_EQ_INT(qt_keyfile_format(kf), QT_P12_LEGACY);
		CHECK(qt_keyfile_has_key(kf));
		if (f->legal) {
			CHECK_STR(s->bin, "123456789021");
			CHECK_EQ_INT(s->roles, QT_ROLE_LEGAL_ENTITY | QT_ROLE_FIRST_HEAD);
		} else {
			CHECK_STR(s->bin, "");
			CHECK_EQ_INT(s->roles, QT_ROLE_INDIVIDUAL);
		}
		if (f->gost) {
			CHECK(qt_keyfile_key(kf) == NULL);
			CHECK(!s->signing_supported);
			CHECK_STR(s->key_algorithm, "GOST 34.310-2004");
			CHECK_STR(qt_keyfile_key_oid(kf), "1.2.398.3.10.1.1.1.1");
		} else {
			CHECK(qt_keyfile_key(kf) != NULL);
			CHECK(s->signing_supported);
			CHECK_STR(s->key_algorithm, "RSA 2048");
		}
		/* Our name for it is NCA's. */
		CHECK_EQ_INT(qt_p12_filename(s, name, sizeof name), QT_OK);
		CHECK_STR(name, base);
		qt_keyfile_free(kf);

		CHECK_EQ_INT(qt_keyfile_open(path, "Qwerty13", &kf), QT_ERR_BAD_PASSWORD);
		CHECK(kf == NULL);
		CHECK_EQ_INT(qt_keyfile_open(path, "", &kf), QT_ERR_BAD_PASSWORD);
	}
}

static void bad_input(void)
{
	unsigned char *d = NULL, junk[3000];
	size_t n = 0, cut;
	qt_keyfile *kf = NULL;
	char path[1024];

	CHECK_EQ_INT(qt_keyfile_open_mem(NULL, 0, "Qwerty12", &kf), QT_ERR_NOT_KEYSTORE);
	RAND_bytes(junk, sizeof junk);
	CHECK_EQ_INT(qt_keyfile_open_mem(junk, sizeof junk, "Qwerty12", &kf), QT_ERR_NOT_KEYSTORE);
	junk[0] = 0x30;   /* looks like a SEQUENCE for a moment */
	CHECK_EQ_INT(qt_keyfile_open_mem(junk, sizeof junk, "Qwerty12", &kf), QT_ERR_NOT_KEYSTORE);
	fixture_path(nca[1].rel, path, sizeof path);
	CHECK_EQ_INT(qt_read_file(path, 1 << 20, &d, &n), QT_OK);
	for (cut = 1; cut < n; cut += n / 7) {
		qt_err rc = qt_keyfile_open_mem(d, cut, "Qwerty12", &kf);
		CHECK_EQ_INT(rc, QT_ERR_NOT_KEYSTORE);
		qt_keyfile_free(kf);
		kf = NULL;
	}
	qt_free_secret(d, n);
	snprintf(path, sizeof path, "%s/does-not-exist.p12", tmp);
	CHECK_EQ_INT(qt_keyfile_open(path, "Qwerty12", &kf), QT_ERR_NOT_FOUND);
}

static void write_pem(const char *name, X509 *x, EVP_PKEY *k)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmp, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	if (x != NULL)
		PEM_write_X509(f, x);
	if (k != NULL)
		PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
}

/* Salt length of a PBES2/PBKDF2 AlgorithmIdentifier, -1 if not one. */
static int pbkdf2_salt_len(const X509_ALGOR *alg)
{
	PBE2PARAM *p2;
	PBKDF2PARAM *kdf;
	int n = -1;

	if (OBJ_obj2nid(alg->algorithm) != NID_pbes2)
		return -1;
	p2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
	if (p2 == NULL)
		return -1;
	kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), p2->keyfunc->parameter);
	if (kdf != NULL && kdf->salt->type == V_ASN1_OCTET_STRING)
		n = ASN1_STRING_length(kdf->salt->value.octet_string);
	PBKDF2PARAM_free(kdf);
	PBE2PARAM_free(p2);
	return n;
}

/* Both bags of a modern file use PBKDF2 with 16-byte salts. */
static void check_salts(const char *path)
{
	unsigned char *d = NULL;
	const unsigned char *p;
	size_t n = 0;
	PKCS12 *p12;
	STACK_OF(PKCS7) *safes;
	int i, seen = 0;

	CHECK_EQ_INT(qt_read_file(path, 1 << 20, &d, &n), QT_OK);
	p = d;
	p12 = d2i_PKCS12(NULL, &p, (long)n);
	CHECK(p12 != NULL);
	safes = p12 != NULL ? PKCS12_unpack_authsafes(p12) : NULL;
	for (i = 0; i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);

		if (OBJ_obj2nid(p7->type) == NID_pkcs7_encrypted) {
			CHECK_EQ_INT(pbkdf2_salt_len(p7->d.encrypted->enc_data->algorithm), 16);
			seen++;
		} else {
			STACK_OF(PKCS12_SAFEBAG) *bags = PKCS12_unpack_p7data(p7);
			const X509_ALGOR *alg = NULL;

			CHECK_EQ_INT(sk_PKCS12_SAFEBAG_num(bags), 1);
			X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(sk_PKCS12_SAFEBAG_value(bags, 0)),
			              &alg, NULL);
			CHECK_EQ_INT(pbkdf2_salt_len(alg), 16);
			sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
			seen++;
		}
	}
	CHECK_EQ_INT(seen, 2);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	qt_free_secret(d, n);
}

static void roundtrip(void)
{
	static const struct { enum qt_p12_format fmt; const char *file; } cases[] = {
		{ QT_P12_MODERN, "modern.p12" },
		{ QT_P12_LEGACY, "legacy.p12" },
	};
	EVP_PKEY *rsa = NULL, *ec = NULL, *other = NULL;
	X509 *x, *xec;
	size_t i;
	unsigned char *der = NULL;
	size_t len = 0;
	struct stat st;

	CHECK_EQ_INT(qt_keygen(QT_KEY_RSA2048, &rsa), QT_OK);
	CHECK_EQ_INT(qt_keygen(QT_KEY_EC_P256, &ec), QT_OK);
	CHECK_EQ_INT(qt_keygen(QT_KEY_EC_P256, &other), QT_OK);
	x = testcert_make(rsa, QT_PURPOSE_SIGN, 1, 365);
	xec = testcert_make(ec, QT_PURPOSE_AUTH, 0, 30);
	CHECK(x != NULL && xec != NULL);
	write_pem("cert.pem", x, NULL);
	write_pem("key.pem", NULL, rsa);

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct qt_p12_params p = { cases[i].fmt, 0 };
		char path[1024];
		qt_keyfile *kf = NULL;

		snprintf(path, sizeof path, "%s/%s", tmp, cases[i].file);
		CHECK_EQ_INT(qt_p12_write(path, rsa, x, "Secret12", &p, QT_WRITE_EXCL), QT_OK);
		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
		CHECK_EQ_INT(qt_p12_write(path, rsa, x, "Secret12", &p, QT_WRITE_EXCL), QT_ERR_EXISTS);
		CHECK_EQ_INT(qt_keyfile_open(path, "Secret12", &kf), QT_OK);
		if (kf != NULL) {
			CHECK_EQ_INT(qt_keyfile_format(kf), cases[i].fmt);
			CHECK(EVP_PKEY_eq(qt_keyfile_key(kf), rsa) == 1);
			CHECK(X509_cmp(qt_keyfile_cert(kf), x) == 0);
			CHECK(qt_keyfile_summary(kf)->signing_supported);
			CHECK_EQ_INT(qt_keyfile_summary(kf)->roles,
			             QT_ROLE_LEGAL_ENTITY | QT_ROLE_FIRST_HEAD);
		}
		qt_keyfile_free(kf);
		kf = NULL;
		CHECK_EQ_INT(qt_keyfile_open(path, "Secret13", &kf), QT_ERR_BAD_PASSWORD);
		if (cases[i].fmt == QT_P12_MODERN)
			check_salts(path);
	}

	/* EC keys too, and their NCA-style name. */
	{
		struct qt_p12_params p = { QT_P12_MODERN, 2048 };
		qt_keyfile *kf = NULL;
		char name[128];

		CHECK_EQ_INT(qt_p12_encode(ec, xec, "Secret12", &p, &der, &len), QT_OK);
		CHECK_EQ_INT(qt_keyfile_open_mem(der, len, "Secret12", &kf), QT_OK);
		qt_free_secret(der, len);
		if (kf != NULL) {
			CHECK(EVP_PKEY_eq(qt_keyfile_key(kf), ec) == 1);
			CHECK_STR(qt_keyfile_summary(kf)->key_algorithm, "EC P-256");
			CHECK_EQ_INT(qt_p12_filename(qt_keyfile_summary(kf), name, sizeof name), QT_OK);
			CHECK(strncmp(name, "AUTH_ECP256_", 12) == 0);
			CHECK(strcmp(name + 12, qt_keyfile_summary(kf)->keyid) > 0);
		}
		qt_keyfile_free(kf);
	}
	/* A file with only a certificate opens, and cannot sign; one with
	 * only a key says what is missing. */
	{
		PKCS12 *p12;
		unsigned char *buf = NULL;
		qt_keyfile *kf = NULL;
		int n;

		p12 = PKCS12_create("Secret12", NULL, NULL, xec, NULL, 0, 0, 0, 0, 0);
		CHECK(p12 != NULL);
		n = i2d_PKCS12(p12, &buf);
		PKCS12_free(p12);
		CHECK_EQ_INT(qt_keyfile_open_mem(buf, (size_t)n, "Secret12", &kf), QT_OK);
		if (kf != NULL) {
			CHECK(!qt_keyfile_has_key(kf));
			CHECK(qt_keyfile_key(kf) == NULL);
			CHECK(!qt_keyfile_summary(kf)->signing_supported);
			CHECK_STR(qt_keyfile_summary(kf)->key_algorithm, "EC P-256");
		}
		qt_keyfile_free(kf);
		kf = NULL;
		OPENSSL_free(buf);
		buf = NULL;
		p12 = PKCS12_create("Secret12", NULL, ec, NULL, NULL, 0, 0, 0, 0, 0);
		CHECK(p12 != NULL);
		n = i2d_PKCS12(p12, &buf);
		PKCS12_free(p12);
		CHECK_EQ_INT(qt_keyfile_open_mem(buf, (size_t)n, "Secret12", &kf), QT_ERR_NO_CERT);
		CHECK(kf == NULL);
		OPENSSL_free(buf);
	}
	/* A key and a certificate that do not belong together. */
	CHECK_EQ_INT(qt_p12_encode(other, xec, "Secret12", NULL, &der, &len), QT_ERR_KEY_MISMATCH);

	X509_free(x);
	X509_free(xec);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(other);
}

static void change_password(void)
{
	char path[1024], src[1024];
	qt_keyfile *kf = NULL;
	unsigned char *before = NULL, *after = NULL;
	size_t nb = 0, na = 0;
	struct stat st;

	/* NCA's GOST file: the key cannot be decoded, and still changes. */
	fixture_path(nca[5].rel, src, sizeof src);
	snprintf(path, sizeof path, "%s/gost copy.p12", tmp);
	copy_file(src, path);
	CHECK_EQ_INT(qt_keyfile_change_password(path, "Qwerty12", "New-pass9"), QT_OK);
	CHECK_EQ_INT(qt_keyfile_open(path, "Qwerty12", &kf), QT_ERR_BAD_PASSWORD);
	CHECK_EQ_INT(qt_keyfile_open(path, "New-pass9", &kf), QT_OK);
	if (kf != NULL) {
		CHECK_EQ_INT(qt_keyfile_format(kf), QT_P12_LEGACY);
		CHECK(qt_keyfile_has_key(kf));
		CHECK_STR(qt_keyfile_key_oid(kf), "1.2.398.3.10.1.1.1.1");
		CHECK_STR(qt_keyfile_summary(kf)->keyid, "13a3741b52d7bf860aab199b56fad1f4652e357b");
	}
	qt_keyfile_free(kf);
	kf = NULL;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);

	/* Refusals leave the file as it was, byte for byte. */
	CHECK_EQ_INT(qt_read_file(path, 1 << 20, &before, &nb), QT_OK);
	CHECK_EQ_INT(qt_keyfile_change_password(path, "wrong1", "Other-pass9"), QT_ERR_BAD_PASSWORD);
	CHECK_EQ_INT(qt_keyfile_change_password(path, "New-pass9", "short"), QT_ERR_PASSWORD_SHORT);
	CHECK_EQ_INT(qt_keyfile_change_password(path, "New-pass9", "no digits"), QT_ERR_PASSWORD_CHAR);
	CHECK_EQ_INT(qt_keyfile_change_password(path, "New-pass9", "nodigits"), QT_ERR_PASSWORD_NO_DIGIT);
	CHECK_EQ_INT(qt_read_file(path, 1 << 20, &after, &na), QT_OK);
	CHECK(nb == na && memcmp(before, after, nb) == 0);
	qt_free_secret(before, nb);
	qt_free_secret(after, na);

	/* An RSA file of NCA's, and one of ours in the modern format. */
	fixture_path(nca[0].rel, src, sizeof src);
	snprintf(path, sizeof path, "%s/rsa copy.p12", tmp);
	copy_file(src, path);
	CHECK_EQ_INT(qt_keyfile_change_password(path, "Qwerty12", "Abc123"), QT_OK);
	CHECK_EQ_INT(qt_keyfile_open(path, "Abc123", &kf), QT_OK);
	CHECK(kf != NULL && qt_keyfile_key(kf) != NULL);
	qt_keyfile_free(kf);
	kf = NULL;
	snprintf(src, sizeof src, "%s/modern.p12", tmp);
	snprintf(path, sizeof path, "%s/modern copy.p12", tmp);
	copy_file(src, path);
	CHECK_EQ_INT(qt_keyfile_change_password(path, "Secret12", "Secret99"), QT_OK);
	CHECK_EQ_INT(qt_keyfile_open(path, "Secret99", &kf), QT_OK);
	CHECK(kf != NULL && qt_keyfile_format(kf) == QT_P12_MODERN);
	qt_keyfile_free(kf);
	kf = NULL;

	/* Through a symbolic link: the link stays, its target changes. */
	{
		char link[1100];
		struct stat lst;

		snprintf(link, sizeof link, "%s/link.p12", tmp);
		CHECK(symlink("modern copy.p12", link) == 0);
		CHECK_EQ_INT(qt_keyfile_change_password(link, "Secret99", "Secret98"), QT_OK);
		CHECK(lstat(link, &lst) == 0 && S_ISLNK(lst.st_mode));
		CHECK_EQ_INT(qt_keyfile_open(path, "Secret98", &kf), QT_OK);
		qt_keyfile_free(kf);
	}
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/qt-test-p12.XXXXXX";

	fixtures = getenv("QT_FIXTURES");
	if (fixtures == NULL)
		fixtures = "tests/fixtures";
	if (argc > 1) {
		snprintf(tmp, sizeof tmp, "%s", argv[1]);
	} else {
		if (mkdtemp(tmpl) == NULL)
			SKIP("no temporary folder");
		snprintf(tmp, sizeof tmp, "%s", tmpl);
	}
	legacy_lazy();
	nca_files();
	bad_input();
	roundtrip();
	change_password();
	if (argc <= 1) {
		char cmd[1100];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	}
	return tap_done();
}
