/* Writes COUNT application bodies for bench/portald.sh, one JSON object
 * per line, each with two fresh EC P-256 requests (made with the
 * engine, so that thousands take a second rather than thousands of
 * openssl runs).  The IINs given on the command line are used in turn. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <qoltanba/keygen.h>

static char *csr(void)
{
	struct qt_csr_params p = { .common_name = "BENCH", .purpose = QT_PURPOSE_AUTH,
	                           .storage = QT_STORAGE_PKCS12 };
	EVP_PKEY *k = NULL;
	X509_REQ *r = NULL;
	char *pem = NULL;

	if (qt_keygen(QT_KEY_EC_P256, &k) || qt_csr_create(k, &p, &r) || qt_csr_pem(r, &pem))
		exit(1);
	EVP_PKEY_free(k);
	X509_REQ_free(r);
	return pem;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[1], NULL, 10) : 0;

	if (n <= 0) {
		fprintf(stderr, "usage: pd-bodies COUNT IIN...\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		char *a = csr(), *s = csr(), *line;

		cJSON_AddStringToObject(o, "subject_type", "individual");
		cJSON_AddStringToObject(o, "iin", argv[2 + i % (argc - 2)]);
		cJSON_AddStringToObject(o, "region", "KZ-71");
		cJSON_AddStringToObject(o, "city", "Astana");
		cJSON_AddStringToObject(o, "storage", "pkcs12");
		cJSON_AddStringToObject(o, "auth_csr", a);
		cJSON_AddStringToObject(o, "sign_csr", s);
		line = cJSON_PrintUnformatted(o);
		puts(line);
		free(line);
		free(a);
		free(s);
		cJSON_Delete(o);
	}
	return 0;
}
