/* Pending keys: a key pair generated for an application waits, encrypted,
 * in the folder the user chose, until its certificate arrives.
 *
 * The file is PKCS#8 (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC, a 16-byte
 * salt, the modern key files' iteration count) in PEM, mode 0600,
 * written atomically and never over another file.  Installing writes the
 * .p12 first and removes the pending file only then, so a crash in
 * between leaves both, and running the install again finishes it. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <qoltanba/cert.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/keystore.h>
#include <qoltanba/password.h>
#include <qoltanba/secret.h>
#include "i18n.h"

static qt_err join(const char *dir, const char *name, char **out)
{
	size_t n = strlen(dir) + strlen(name) + 2;

	*out = malloc(n);
	if (*out == NULL)
		return QT_ERR_NOMEM;
	snprintf(*out, n, "%s/%s", dir, name);
	return QT_OK;
}

static bool valid_keyid(const char *k)
{
	size_t i;

	if (k == NULL || strlen(k) != 40)
		return false;
	for (i = 0; i < 40; i++)
		if (!((k[i] >= '0' && k[i] <= '9') || (k[i] >= 'a' && k[i] <= 'f')))
			return false;
	return true;
}

qt_err qt_pending_save(const char *dir, EVP_PKEY *key, enum qt_purpose purpose,
                       const char *password, char **path_out)
{
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	X509_SIG *sig = NULL;
	BIO *b = NULL;
	char keyid[41], name[80], *path = NULL, *pem;
	long n;
	qt_err rc;

	if (path_out != NULL)
		*path_out = NULL;
	if (dir == NULL || key == NULL || password == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "missing argument");
	if (purpose != QT_PURPOSE_AUTH && purpose != QT_PURPOSE_SIGN)
		return qt_error(QT_ERR_INVALID_ARG, "a pending key is for AUTH or SIGN");
	/* This password becomes the key file's: hold it to the policy now. */
	rc = qt_password_check(password);
	if (rc != QT_OK)
		return rc;
	rc = qt_keyid_of_key(key, keyid);
	if (rc != QT_OK)
		return rc;
	snprintf(name, sizeof name, "PENDING_%s_%s.key",
	         purpose == QT_PURPOSE_AUTH ? "AUTH" : "SIGN", keyid);
	rc = join(dir, name, &path);
	if (rc != QT_OK)
		return rc;

	rc = QT_ERR_CRYPTO;
	p8 = EVP_PKEY2PKCS8(key);
	if (p8 == NULL)
		goto done;
	/* A cipher and pbe_nid -1: PBES2 with PBKDF2 (hmacWithSHA256). */
	sig = PKCS8_encrypt_ex(-1, EVP_aes_256_cbc(), password, (int)strlen(password), NULL, 16,
	                       QT_P12_DEFAULT_ITER, p8, NULL, NULL);
	if (sig == NULL)
		goto done;
	b = BIO_new(BIO_s_secmem());
	if (b == NULL || !PEM_write_bio_PKCS8(b, sig))
		goto done;
	n = BIO_get_mem_data(b, &pem);
	if (n <= 0)
		goto done;
	rc = qt_atomic_write(path, pem, (size_t)n, 0600, QT_WRITE_EXCL);
	if (rc == QT_OK && path_out != NULL) {
		*path_out = path;
		path = NULL;
	}
done:
	if (rc == QT_ERR_CRYPTO)
		rc = qt_error_ssl(QT_ERR_CRYPTO, _("cannot encrypt the pending key"));
	BIO_free(b);
	X509_SIG_free(sig);
	PKCS8_PRIV_KEY_INFO_free(p8);
	free(path);
	return rc;
}

qt_err qt_pending_find(const char *dir, const char *keyid, char **path_out)
{
	static const char *const kinds[] = { "AUTH", "SIGN" };
	char name[80], lower[41];
	struct stat st;
	size_t i;
	qt_err rc;

	*path_out = NULL;
	if (dir == NULL || keyid == NULL || strlen(keyid) != 40)
		return qt_error(QT_ERR_INVALID_ARG, "keyid");
	for (i = 0; i < 40; i++)
		lower[i] = (char)(keyid[i] >= 'A' && keyid[i] <= 'F' ? keyid[i] - 'A' + 'a' : keyid[i]);
	lower[40] = '\0';
	if (!valid_keyid(lower))
		return qt_error(QT_ERR_INVALID_ARG, "keyid %s", keyid);
	for (i = 0; i < 2; i++) {
		char *path;

		snprintf(name, sizeof name, "PENDING_%s_%s.key", kinds[i], lower);
		rc = join(dir, name, &path);
		if (rc != QT_OK)
			return rc;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			*path_out = path;
			return QT_OK;
		}
		free(path);
	}
	return qt_error(QT_ERR_PENDING_NOT_FOUND, "%s: PENDING_*_%s.key", dir, lower);
}

qt_err qt_pending_load(const char *path, const char *password, EVP_PKEY **out)
{
	unsigned char *data = NULL;
	size_t len = 0;
	X509_SIG *sig = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	BIO *b = NULL;
	qt_err rc;

	*out = NULL;
	if (password == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "no password");
	rc = qt_read_file(path, 64 * 1024, &data, &len);
	if (rc == QT_ERR_INVALID_ARG)
		return qt_error(QT_ERR_NOT_KEYSTORE, _("%s: too large for a pending key"), path);
	if (rc != QT_OK)
		return rc;
	b = BIO_new_mem_buf(data, (int)len);
	if (b != NULL)
		sig = PEM_read_bio_PKCS8(b, NULL, NULL, NULL);
	if (sig == NULL) {
		rc = qt_error_ssl(QT_ERR_NOT_KEYSTORE, _("%s: not an encrypted private key"), path);
		goto done;
	}
	p8 = PKCS8_decrypt(sig, password, (int)strlen(password));
	if (p8 == NULL) {
		ERR_clear_error();
		rc = qt_error(QT_ERR_BAD_PASSWORD, "%s", path);
		goto done;
	}
	*out = EVP_PKCS82PKEY(p8);
	if (*out == NULL)
		rc = qt_error_ssl(QT_ERR_UNSUPPORTED_ALG, "%s", path);
done:
	PKCS8_PRIV_KEY_INFO_free(p8);
	X509_SIG_free(sig);
	BIO_free(b);
	qt_free_secret(data, len + 1);
	return rc;
}

/* Whether the .p12 at path, opened with password, holds cert and a
 * key equal to key: an install that already happened. */
static bool already_installed(const char *path, const char *password, X509 *cert,
                              EVP_PKEY *key)
{
	qt_keyfile *kf = NULL;
	bool same;

	if (qt_keyfile_open(path, password, &kf) != QT_OK)
		return false;
	same = X509_cmp(qt_keyfile_cert(kf), cert) == 0 &&
	       (key == NULL || (qt_keyfile_key(kf) != NULL &&
	                        EVP_PKEY_eq(qt_keyfile_key(kf), key) == 1));
	qt_keyfile_free(kf);
	return same;
}

qt_err qt_pending_install(const char *dir, X509 *cert, const char *password,
                          const struct qt_p12_params *params, char **p12_path_out)
{
	struct qt_cert_summary s;
	char name[128], *target = NULL, *pending = NULL;
	EVP_PKEY *key = NULL;
	qt_err rc;
	bool match;

	if (p12_path_out != NULL)
		*p12_path_out = NULL;
	if (dir == NULL || cert == NULL || password == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "missing argument");
	rc = qt_cert_summarize(cert, time(NULL), &s);
	if (rc != QT_OK)
		return rc;
	rc = qt_p12_filename(&s, name, sizeof name);
	if (rc != QT_OK)
		return rc;
	rc = join(dir, name, &target);
	if (rc != QT_OK)
		return rc;

	rc = qt_pending_find(dir, s.keyid, &pending);
	if (rc == QT_ERR_PENDING_NOT_FOUND) {
		/* Run again after it finished: nothing left to do. */
		if (already_installed(target, password, cert, NULL))
			rc = QT_OK;
		else
			rc = qt_error(QT_ERR_PENDING_NOT_FOUND, "%s: PENDING_*_%s.key", dir, s.keyid);
		goto done;
	}
	if (rc != QT_OK)
		goto done;
	rc = qt_pending_load(pending, password, &key);
	if (rc != QT_OK)
		goto done;
	ERR_set_mark();
	match = X509_check_private_key(cert, key) == 1;
	ERR_pop_to_mark();
	if (!match) {
		rc = qt_error(QT_ERR_KEY_MISMATCH, "%s", pending);
		goto done;
	}
	rc = qt_p12_write(target, key, cert, password, params, QT_WRITE_EXCL);
	if (rc == QT_ERR_EXISTS && already_installed(target, password, cert, key))
		rc = QT_OK;   /* a crash after writing it, before the unlink */
	if (rc != QT_OK)
		goto done;
	/* The key now lives in the .p12: only then does the pending file go. */
	if (unlink(pending) != 0 && errno != ENOENT) {
		rc = qt_error(qt_err_from_errno(errno), "%s: %s", pending, strerror(errno));
		goto done;
	}
	rc = qt_fsync_dir(dir);
done:
	if (rc == QT_OK && p12_path_out != NULL) {
		*p12_path_out = target;
		target = NULL;
	}
	EVP_PKEY_free(key);
	free(target);
	free(pending);
	return rc;
}
