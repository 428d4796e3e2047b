/* Salted PBKDF2-HMAC-SHA256 hashes of short secrets (passhash.h). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <qoltanba/passhash.h>
#include "i18n.h"

#define SALT_LEN 16
#define HASH_LEN 32
#define PREFIX "pbkdf2-sha256$"

static void to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 2*n hex digits up to end. */
static int from_hex(const char *s, const char *end, unsigned char *out, size_t n)
{
	size_t i;

	if ((size_t)(end - s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static qt_err derive(const char *secret, const unsigned char *salt, unsigned iter,
                     unsigned char *out)
{
	if (PKCS5_PBKDF2_HMAC(secret, (int)strlen(secret), salt, SALT_LEN, (int)iter,
	                      EVP_sha256(), HASH_LEN, out) != 1)
		return qt_error_ssl(QT_ERR_CRYPTO, "PBKDF2");
	return QT_OK;
}

qt_err qt_passhash_make(const char *secret, unsigned iter, char *out, size_t size)
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	char hs[2 * SALT_LEN + 1], hh[2 * HASH_LEN + 1];
	qt_err rc;
	int n;

	if (iter == 0)
		iter = QT_PASSHASH_ITER;
	if (iter < QT_PASSHASH_ITER_MIN || iter > 100000000u || size < QT_PASSHASH_MAX)
		return qt_error(QT_ERR_INVALID_ARG, "iterations %u", iter);
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return qt_error_ssl(QT_ERR_CRYPTO, "RAND_bytes");
	rc = derive(secret, salt, iter, hash);
	if (rc != QT_OK)
		return rc;
	to_hex(salt, SALT_LEN, hs);
	to_hex(hash, HASH_LEN, hh);
	OPENSSL_cleanse(hash, sizeof(hash));
	n = snprintf(out, size, PREFIX "%u$%s$%s", iter, hs, hh);
	return n > 0 && (size_t)n < size ? QT_OK : qt_error(QT_ERR_INTERNAL, "passhash");
}

qt_err qt_passhash_check(const char *secret, const char *stored)
{
	unsigned char salt[SALT_LEN], want[HASH_LEN], got[HASH_LEN];
	const char *p, *d1, *d2;
	unsigned long iter;
	char *end;
	qt_err rc;

	if (stored == NULL || strncmp(stored, PREFIX, strlen(PREFIX)) != 0)
		return qt_error(QT_ERR_CONFIG, _("not a pbkdf2-sha256$ITERATIONS$SALT$HASH line"));
	p = stored + strlen(PREFIX);
	errno = 0;
	iter = strtoul(p, &end, 10);
	if (errno || end == p || *end != '$' || iter < QT_PASSHASH_ITER_MIN || iter > 100000000ul)
		return qt_error(QT_ERR_CONFIG, _("bad iteration count in the operator code hash"));
	d1 = end + 1;
	d2 = strchr(d1, '$');
	if (d2 == NULL || from_hex(d1, d2, salt, SALT_LEN) < 0 ||
	    from_hex(d2 + 1, d2 + 1 + strlen(d2 + 1), want, HASH_LEN) < 0)
		return qt_error(QT_ERR_CONFIG, _("bad salt or hash in the operator code hash"));
	if (secret == NULL)
		return QT_OK;           /* well-formed: all that was asked */
	rc = derive(secret, salt, (unsigned)iter, got);
	if (rc != QT_OK)
		return rc;
	rc = CRYPTO_memcmp(got, want, HASH_LEN) == 0 ? QT_OK : QT_ERR_BAD_PASSWORD;
	OPENSSL_cleanse(got, sizeof(got));
	return rc;
}
