/* Test helper for the terminal UI tests: writes key files whose dates
 * the NCA fixtures cannot give (all of those expired in 2021): a valid
 * AUTH key (100 days left) and a SIGN key that is not valid yet (starts
 * in 10 days), both in the modern format, password Qwerty12.
 * Usage: tui_mkkeys DIR */
#include <config.h>

#include <stdio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/keygen.h>
#include <qoltanba/keystore.h>
#include "testcert.h"

static int write_one(const char *dir, enum qt_purpose purpose, long days, long start_in)
{
	struct qt_p12_params params = { QT_P12_MODERN, 0 };
	struct qt_cert_summary s;
	EVP_PKEY *key = NULL;
	X509 *x;
	char name[128], path[4096];

	if (qt_keygen(QT_KEY_RSA2048, &key) != QT_OK)
		return 1;
	x = testcert_make(key, purpose, 0, days);
	if (!x)
		return 1;
	if (start_in) {
		X509_gmtime_adj(X509_getm_notBefore(x), start_in * 86400);
		X509_gmtime_adj(X509_getm_notAfter(x), (start_in + days) * 86400);
		X509_sign(x, key, EVP_sha256());
	}
	if (qt_cert_summarize(x, time(NULL), &s) != QT_OK ||
	    qt_p12_filename(&s, name, sizeof(name)) != QT_OK)
		return 1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (qt_p12_write(path, key, x, "Qwerty12", &params, QT_WRITE_EXCL) != QT_OK) {
		fprintf(stderr, "%s: %s %s\n", path, qt_strerror(QT_ERR_IO), qt_error_detail());
		return 1;
	}
	printf("%s\n", name);
	X509_free(x);
	EVP_PKEY_free(key);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: tui_mkkeys DIR\n");
		return 64;
	}
	return write_one(argv[1], QT_PURPOSE_AUTH, 100, 0) ||
	       write_one(argv[1], QT_PURPOSE_SIGN, 365, 10);
}
