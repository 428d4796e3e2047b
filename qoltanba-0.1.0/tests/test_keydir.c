/* Key folders and pending keys. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <qoltanba/cert.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/keygen.h>
#include <qoltanba/keystore.h>
#include <qoltanba/secret.h>
#include "tap.h"
#include "testcert.h"

static char tmp[512];

static void put(const char *name, const void *data, size_t len)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", tmp, name);
	CHECK_EQ_INT(qt_atomic_write(path, data, len, 0600, QT_WRITE_REPLACE), QT_OK);
}

static void copy_fixture(const char *rel, const char *as)
{
	char path[1024];
	const char *fx = getenv("QT_FIXTURES");
	unsigned char *d = NULL;
	size_t n = 0;

	snprintf(path, sizeof path, "%s/nca-sdk-2020/%s", fx != NULL ? fx : "tests/fixtures", rel);
	CHECK_EQ_INT(qt_read_file(path, 1 << 20, &d, &n), QT_OK);
	put(as != NULL ? as : strrchr(rel, '/') + 1, d, n);
	qt_free_secret(d, n);
}

static const struct qt_keydir_entry *find(const struct qt_keydir *kd, const char *name)
{
	size_t i;

	for (i = 0; kd != NULL && i < kd->count; i++)
		if (strcmp(kd->entries[i].name, name) == 0)
			return &kd->entries[i];
	fprintf(stderr, "no entry %s\n", name);
	return NULL;
}

#define ORG_AUTH "AUTH_RSA256_d682726b55b3e62600ea8fe1c74e75fc96f47790"
#define ORG_GOST "GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b"
#define IND_SIGN "RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9"

static void folder(void)
{
	struct qt_keydir *kd = NULL;
	const struct qt_keydir_entry *e;
	char sub[1024];
	size_t i;

	copy_fixture("organization/active/" ORG_AUTH ".p12", NULL);
	copy_fixture("organization/active/" ORG_AUTH ".cer", NULL);
	copy_fixture("organization/active/" ORG_GOST ".p12", NULL);
	copy_fixture("organization/active/" ORG_GOST ".cer", NULL);
	/* Renamed by the user, no certificate beside it under that name. */
	copy_fixture("personal/active/" IND_SIGN ".p12", "мой ключ.p12");
	copy_fixture("personal/active/" IND_SIGN ".cer", "sign.CER");
	copy_fixture("personal/revoked/RSA256_346a7e57c2995259140b6fc375b6ff3bba7e852f.p12", NULL);
	put("garbage.p12", "not a key store", 15);
	put("empty.cer", "", 0);
	put("notes.txt", "hello", 5);
	snprintf(sub, sizeof sub, "%s/folder.p12", tmp);
	CHECK(mkdir(sub, 0700) == 0);

	CHECK_EQ_INT(qt_keydir_scan(tmp, NULL, time(NULL), &kd), QT_OK);
	CHECK(kd != NULL && kd->count == 9);
	for (i = 1; kd != NULL && i < kd->count; i++)
		CHECK(strcmp(kd->entries[i - 1].name, kd->entries[i].name) < 0);
	e = find(kd, ORG_AUTH ".p12");
	if (e != NULL) {
		CHECK_EQ_INT(e->kind, QT_KD_P12);
		CHECK_EQ_INT(e->status, QT_OK);
		CHECK(e->needs_password);
		CHECK(e->has_summary);
		CHECK_STR(e->summary.bin, "123456789021");
		CHECK_EQ_INT(e->purpose, QT_PURPOSE_AUTH);
		CHECK_STR(e->keyid, "d682726b55b3e62600ea8fe1c74e75fc96f47790");
	}
	e = find(kd, ORG_GOST ".cer");
	if (e != NULL) {
		CHECK_EQ_INT(e->kind, QT_KD_CERT);
		CHECK(e->has_summary && !e->summary.signing_supported);
	}
	e = find(kd, "мой ключ.p12");
	if (e != NULL) {
		/* The keyid comes from the file's localKeyID. */
		CHECK_STR(e->keyid, "11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9");
		CHECK(e->has_summary);
		CHECK_EQ_INT(e->purpose, QT_PURPOSE_SIGN);
	}
	e = find(kd, "RSA256_346a7e57c2995259140b6fc375b6ff3bba7e852f.p12");
	if (e != NULL) {
		CHECK(!e->has_summary);
		CHECK_EQ_INT(e->purpose, QT_PURPOSE_SIGN);
		CHECK_STR(e->keyid, "346a7e57c2995259140b6fc375b6ff3bba7e852f");
	}
	e = find(kd, "garbage.p12");
	CHECK(e != NULL && e->status == QT_ERR_NOT_KEYSTORE && e->status_detail[0] != '\0');
	e = find(kd, "empty.cer");
	CHECK(e != NULL && e->status == QT_ERR_NOT_KEYSTORE);
	qt_keydir_free(kd);

	CHECK_EQ_INT(qt_keydir_scan(tmp, "Qwerty12", time(NULL), &kd), QT_OK);
	e = find(kd, ORG_GOST ".p12");
	if (e != NULL) {
		CHECK_EQ_INT(e->status, QT_OK);
		CHECK(!e->needs_password);
		CHECK(e->has_summary && !e->summary.signing_supported);
		CHECK_STR(e->summary.key_algorithm, "GOST 34.310-2004");
	}
	e = find(kd, "RSA256_346a7e57c2995259140b6fc375b6ff3bba7e852f.p12");
	CHECK(e != NULL && e->status == QT_OK && e->has_summary && e->summary.expired);
	qt_keydir_free(kd);

	CHECK_EQ_INT(qt_keydir_scan(tmp, "Wrong123", time(NULL), &kd), QT_OK);
	e = find(kd, ORG_AUTH ".p12");
	CHECK(e != NULL && e->status == QT_ERR_BAD_PASSWORD);
	qt_keydir_free(kd);

	snprintf(sub, sizeof sub, "%s/no such folder", tmp);
	CHECK_EQ_INT(qt_keydir_scan(sub, NULL, time(NULL), &kd), QT_ERR_NOT_FOUND);
}

static void pending(void)
{
	EVP_PKEY *a = NULL, *b = NULL, *loaded = NULL;
	X509 *ca = NULL, *cb = NULL;
	char dir[600], keyid[41], *path = NULL, *found = NULL, *p12 = NULL, want[1024];
	struct stat st;
	qt_keyfile *kf = NULL;

	snprintf(dir, sizeof dir, "%s/pending dir", tmp);
	CHECK(mkdir(dir, 0700) == 0);
	CHECK_EQ_INT(qt_keygen(QT_KEY_RSA2048, &a), QT_OK);
	CHECK_EQ_INT(qt_keygen(QT_KEY_EC_P256, &b), QT_OK);
	CHECK_EQ_INT(qt_keyid_of_key(a, keyid), QT_OK);

	CHECK_EQ_INT(qt_pending_save(dir, a, QT_PURPOSE_SIGN, "weak", &path), QT_ERR_PASSWORD_SHORT);
	CHECK_EQ_INT(qt_pending_save(dir, a, QT_PURPOSE_SIGN, "Secret12", &path), QT_OK);
	snprintf(want, sizeof want, "%s/PENDING_SIGN_%s.key", dir, keyid);
	CHECK_STR(path, want);
	CHECK(stat(want, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* Never over an existing one. */
	CHECK_EQ_INT(qt_pending_save(dir, a, QT_PURPOSE_SIGN, "Secret12", NULL), QT_ERR_EXISTS);

	CHECK_EQ_INT(qt_pending_find(dir, keyid, &found), QT_OK);
	CHECK_STR(found, want);
	CHECK_EQ_INT(qt_pending_load(found, "Secret13", &loaded), QT_ERR_BAD_PASSWORD);
	CHECK_EQ_INT(qt_pending_load(found, "Secret12", &loaded), QT_OK);
	CHECK(loaded != NULL && EVP_PKEY_eq(loaded, a) == 1);
	EVP_PKEY_free(loaded);
	free(found);

	ca = testcert_make(a, QT_PURPOSE_SIGN, 0, 365);
	cb = testcert_make(b, QT_PURPOSE_AUTH, 0, 365);
	CHECK_EQ_INT(qt_pending_install(dir, cb, "Secret12", NULL, &p12), QT_ERR_PENDING_NOT_FOUND);
	CHECK_EQ_INT(qt_pending_install(dir, ca, "Wrong123", NULL, &p12), QT_ERR_BAD_PASSWORD);
	CHECK_EQ_INT(qt_pending_install(dir, ca, "Secret12", NULL, &p12), QT_OK);
	snprintf(want, sizeof want, "%s/RSA256_%s.p12", dir, keyid);
	CHECK_STR(p12, want);
	CHECK(access(path, F_OK) != 0);     /* the pending file is gone */
	CHECK_EQ_INT(qt_keyfile_open(want, "Secret12", &kf), QT_OK);
	CHECK(kf != NULL && EVP_PKEY_eq(qt_keyfile_key(kf), a) == 1);
	qt_keyfile_free(kf);
	free(p12);
	/* Again: already done. */
	CHECK_EQ_INT(qt_pending_install(dir, ca, "Secret12", NULL, &p12), QT_OK);
	free(p12);

	/* A crash between writing the .p12 and removing the pending file. */
	free(path);
	CHECK_EQ_INT(qt_pending_save(dir, b, QT_PURPOSE_AUTH, "Secret12", &path), QT_OK);
	{
		struct qt_cert_summary s;
		char name[128];

		qt_cert_summarize(cb, time(NULL), &s);
		CHECK_EQ_INT(qt_p12_filename(&s, name, sizeof name), QT_OK);
		snprintf(want, sizeof want, "%s/%s", dir, name);
		CHECK_EQ_INT(qt_p12_write(want, b, cb, "Secret12", NULL, QT_WRITE_EXCL), QT_OK);
	}
	CHECK_EQ_INT(qt_pending_install(dir, cb, "Secret12", NULL, &p12), QT_OK);
	CHECK(access(path, F_OK) != 0);
	free(p12);

	/* A pending file whose key is not the certificate's. */
	{
		char keyid_b[41], wrong[1024];

		free(path);
		path = NULL;
		CHECK_EQ_INT(qt_pending_save(dir, a, QT_PURPOSE_SIGN, "Secret12", &path), QT_OK);
		CHECK_EQ_INT(qt_keyid_of_key(b, keyid_b), QT_OK);
		snprintf(wrong, sizeof wrong, "%s/PENDING_AUTH_%s.key", dir, keyid_b);
		CHECK(path != NULL && rename(path, wrong) == 0);
		snprintf(want, sizeof want, "%s/AUTH_ECP256_%s.p12", dir, keyid_b);
		CHECK(unlink(want) == 0);
		CHECK_EQ_INT(qt_pending_install(dir, cb, "Secret12", NULL, &p12), QT_ERR_KEY_MISMATCH);
		CHECK(access(wrong, F_OK) == 0);   /* kept: nothing installed */
	}
	free(path);
	X509_free(ca);
	X509_free(cb);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

int main(void)
{
	char tmpl[] = "/tmp/qt-test-keydir.XXXXXX", cmd[600];

	if (mkdtemp(tmpl) == NULL)
		SKIP("no temporary folder");
	snprintf(tmp, sizeof tmp, "%s", tmpl);
	folder();
	pending();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return tap_done();
}
