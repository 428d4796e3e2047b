/* qt-bench: the engine's key-store work as one process per operation,
 * so that bench/keystore.sh can time it against the openssl CLI doing
 * the same work, start-up included on both sides.
 *
 *   qt-bench keygen                        RSA-2048, PKCS#8 PEM on stdout
 *   qt-bench p12-write KEY CERT OUT PWFILE [legacy] [mac-iter=N]
 *   qt-bench p12-read IN PWFILE           certificate + key PEM on stdout
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <qoltanba/cert.h>
#include <qoltanba/keygen.h>
#include <qoltanba/keystore.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/secret.h>
#include "engine/p12_internal.h"

static int fail(qt_err rc, const char *what)
{
	fprintf(stderr, "qt-bench: %s: %s (%s)\n", what, qt_strerror(rc), qt_error_detail());
	return 1;
}

static int keygen(void)
{
	EVP_PKEY *k = NULL;
	qt_err rc = qt_keygen(QT_KEY_RSA2048, &k);

	if (rc != QT_OK)
		return fail(rc, "keygen");
	if (!PEM_write_PrivateKey(stdout, k, NULL, NULL, 0, NULL, NULL))
		return 1;
	EVP_PKEY_free(k);
	return 0;
}

static int p12_write(int argc, char **argv)
{
	struct qt_p12_params p = { .format = QT_P12_MODERN };
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	char *pw = NULL;
	unsigned char *der = NULL;
	size_t len = 0;
	long mac_iter = 0;
	FILE *f;
	qt_err rc;
	int i;

	for (i = 4; i < argc; i++) {
		if (strcmp(argv[i], "legacy") == 0) {
			p.format = QT_P12_LEGACY;
		} else if (strncmp(argv[i], "mac-iter=", 9) == 0) {
			char *end;
			mac_iter = strtol(argv[i] + 9, &end, 10);
			if (*end != '\0' || mac_iter <= 0 || mac_iter > 100000000)
				return 64;
		} else {
			return 64;
		}
	}
	f = fopen(argv[0], "r");
	if (f == NULL || (k = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
		return 1;
	fclose(f);
	rc = qt_cert_load(argv[1], &x);
	if (rc != QT_OK)
		return fail(rc, argv[1]);
	rc = qt_secret_from_file(argv[3], &pw);
	if (rc != QT_OK)
		return fail(rc, argv[3]);
	rc = qt_p12_encode_ex(k, x, pw, &p, (int)mac_iter, &der, &len);
	if (rc == QT_OK)
		rc = qt_atomic_write(argv[2], der, len, 0600, QT_WRITE_REPLACE);
	qt_free_secret(der, len);
	qt_free_secret_str(pw);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc == QT_OK ? 0 : fail(rc, argv[2]);
}

static int p12_read(char **argv)
{
	qt_keyfile *kf = NULL;
	char *pw = NULL;
	qt_err rc = qt_secret_from_file(argv[1], &pw);

	if (rc != QT_OK)
		return fail(rc, argv[1]);
	rc = qt_keyfile_open(argv[0], pw, &kf);
	qt_free_secret_str(pw);
	if (rc != QT_OK)
		return fail(rc, argv[0]);
	PEM_write_X509(stdout, qt_keyfile_cert(kf));
	if (qt_keyfile_key(kf) != NULL)
		PEM_write_PrivateKey(stdout, qt_keyfile_key(kf), NULL, NULL, 0, NULL, NULL);
	qt_keyfile_free(kf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "keygen") == 0)
		return keygen();
	if (argc >= 6 && argc <= 8 && strcmp(argv[1], "p12-write") == 0)
		return p12_write(argc - 2, argv + 2);
	if (argc == 4 && strcmp(argv[1], "p12-read") == 0)
		return p12_read(argv + 2);
	fprintf(stderr, "usage: qt-bench keygen | p12-write KEY CERT OUT PWFILE [legacy] [mac-iter=N] | "
	        "p12-read IN PWFILE\n");
	return 64;
}
