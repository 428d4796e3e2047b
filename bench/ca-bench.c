/* Throughput of qoltanbad's CA, in one thread: applications issued per
 * second (an application is an AUTH and a SIGN certificate, so two
 * RSA-2048 signatures plus two request checks), OCSP answers per second,
 * and the time to build a CRL of many entries.  Run by bench/ca-issue.sh,
 * which compares it with `openssl speed rsa2048`.
 *
 *   bench/ca-bench [SECONDS] [CRL_ENTRIES]
 * prints "key value" lines.  Rates are per CPU second. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <qoltanba/keygen.h>
#include "portald/ca.h"

#define NREQ 8

static double now_s(void)
{
	struct timespec ts;

	/* CPU time of this process, as `openssl speed` counts (it uses user
	 * time unless -elapsed): other work on a shared machine then
	 * slows both sides alike instead of skewing the ratio. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int good(void *arg, const unsigned char *serial, size_t len,
                time_t *at, int *reason)
{
	return 0;
}

static void die(const char *what, qt_err rc)
{
	fprintf(stderr, "ca-bench: %s: %s (%s)\n", what, qt_strerror(rc), qt_error_detail());
	exit(1);
}

static void rm_ca(const char *dir)
{
	static const char *const files[] = {
		"root.key", "root.crt", "issuing.key", "issuing.crt"
	};
	char path[600];
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/ca/%s", dir, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/ca", dir);
	rmdir(path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 3.0;
	long ncrl = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
	char tmpl[] = "/tmp/qt-ca-bench.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct pd_subject subj = {
		.surname = "ТЕСТОВ", .given_name = "ТЕСТ", .patronymic = "ТЕСТОВИЧ",
		.iin = "061211600012", .bin = "940140000385",
		.organization = "АО \"ТЕСТ\"", .email = "test@example.kz",
	};
	struct qt_csr_params p = {
		.common_name = "ТЕСТОВ ТЕСТ", .surname = "ТЕСТОВ", .iin = "061211600012",
		.purpose = QT_PURPOSE_AUTH, .storage = QT_STORAGE_PKCS12,
	};
	X509_REQ *req[NREQ];
	char *pem[NREQ];
	EVP_PKEY *key;
	struct pd_ca *ca;
	struct pd_revocation *revs;
	unsigned char *der;
	size_t len;
	long apps = 0, answers = 0, i;
	double t0, t;
	qt_err rc;

	if (dir == NULL || secs <= 0 || ncrl < 0) {
		fprintf(stderr, "usage: ca-bench [SECONDS] [CRL_ENTRIES]\n");
		return 2;
	}
	if ((rc = pd_ca_create(dir, "bench", "http://127.0.0.1:8080", time(NULL))) != QT_OK)
		die("create", rc);
	if ((rc = pd_ca_open(dir, "http://127.0.0.1:8080", &ca)) != QT_OK)
		die("open", rc);
	for (i = 0; i < NREQ; i++) {
		p.purpose = i % 2 ? QT_PURPOSE_SIGN : QT_PURPOSE_AUTH;
		if ((rc = qt_keygen(QT_KEY_RSA2048, &key)) != QT_OK ||
		    (rc = qt_csr_create(key, &p, &req[i])) != QT_OK)
			die("request", rc);
		EVP_PKEY_free(key);
		{
			BIO *b = BIO_new(BIO_s_mem());
			char *data;
			long n;

			if (b == NULL || !PEM_write_bio_X509_REQ(b, req[i]) ||
			    (n = BIO_get_mem_data(b, &data)) <= 0 ||
			    (pem[i] = strndup(data, (size_t)n)) == NULL) {
				fprintf(stderr, "ca-bench: PEM\n");
				return 1;
			}
			BIO_free(b);
		}
	}

	/* Issuance: AUTH + SIGN per application, as an approval does, by
	 * the daemon's path (pd_ca_issue_der: DER, PEM, serial, keyid). */
	t0 = now_s();
	do {
		struct pd_issued a, s;
		X509_REQ *ra = req[(2 * apps) % NREQ], *rs = req[(2 * apps + 1) % NREQ];

		if ((rc = pd_ca_issue_der(ca, ra, &subj, PD_CHAIRMAN, QT_PURPOSE_AUTH,
		                          QT_STORAGE_UNKNOWN, time(NULL), &a)) != QT_OK ||
		    (rc = pd_ca_issue_der(ca, rs, &subj, PD_CHAIRMAN, QT_PURPOSE_SIGN,
		                          QT_STORAGE_UNKNOWN, time(NULL), &s)) != QT_OK)
			die("issue", rc);
		pd_issued_clear(&a);
		pd_issued_clear(&s);
		apps++;
		t = now_s() - t0;
	} while (t < secs);
	printf("applications_per_s %.1f\n", (double)apps / t);
	printf("certificates_per_s %.1f\n", 2.0 * (double)apps / t);

	/* What an approval in the daemon costs the CA: from the stored
	 * PEM requests, by pd_ca_issue_stored() (no key decoding). */
	apps = 0;
	t0 = now_s();
	do {
		struct pd_issued a, s;

		if ((rc = pd_ca_issue_stored(ca, pem[(2 * apps) % NREQ], &subj, PD_CHAIRMAN,
		                             QT_PURPOSE_AUTH, QT_STORAGE_PKCS12, time(NULL),
		                             &a)) != QT_OK ||
		    (rc = pd_ca_issue_stored(ca, pem[(2 * apps + 1) % NREQ], &subj, PD_CHAIRMAN,
		                             QT_PURPOSE_SIGN, QT_STORAGE_PKCS12, time(NULL),
		                             &s)) != QT_OK)
			die("issue", rc);
		pd_issued_clear(&a);
		pd_issued_clear(&s);
		apps++;
		t = now_s() - t0;
	} while (t < secs);
	printf("stored_applications_per_s %.1f\n", (double)apps / t);

	/* The same by parsing each stored request (PEM_read_bio_X509_REQ,
	 * which decodes its key) and pd_ca_issue_der(), as the daemon did
	 * before pd_ca_issue_stored(). */
	apps = 0;
	t0 = now_s();
	do {
		struct pd_issued is[2];

		for (int k = 0; k < 2; k++) {
			BIO *b = BIO_new_mem_buf(pem[(2 * apps + k) % NREQ], -1);
			X509_REQ *r = b ? PEM_read_bio_X509_REQ(b, NULL, NULL, NULL) : NULL;

			BIO_free(b);
			if (r == NULL)
				die("parse", QT_ERR_CRYPTO);
			rc = pd_ca_issue_der(ca, r, &subj, PD_CHAIRMAN,
			                     k ? QT_PURPOSE_SIGN : QT_PURPOSE_AUTH,
			                     QT_STORAGE_PKCS12, time(NULL), &is[k]);
			X509_REQ_free(r);
			if (rc != QT_OK)
				die("issue", rc);
			pd_issued_clear(&is[k]);
		}
		apps++;
		t = now_s() - t0;
	} while (t < secs / 2);
	printf("parsed_applications_per_s %.1f\n", (double)apps / t);

	/* The same through pd_ca_issue(), which returns a parsed X509. */
	apps = 0;
	t0 = now_s();
	do {
		X509 *a = NULL, *s = NULL;
		X509_REQ *ra = req[(2 * apps) % NREQ], *rs = req[(2 * apps + 1) % NREQ];

		if ((rc = pd_ca_issue(ca, ra, &subj, PD_CHAIRMAN, QT_PURPOSE_AUTH,
		                      QT_STORAGE_UNKNOWN, time(NULL), &a)) != QT_OK ||
		    (rc = pd_ca_issue(ca, rs, &subj, PD_CHAIRMAN, QT_PURPOSE_SIGN,
		                      QT_STORAGE_UNKNOWN, time(NULL), &s)) != QT_OK)
			die("issue", rc);
		X509_free(a);
		X509_free(s);
		apps++;
		t = now_s() - t0;
	} while (t < secs / 2);
	printf("x509_applications_per_s %.1f\n", (double)apps / t);

	/* OCSP: one certificate per request, as clients ask. */
	{
		X509 *c = NULL;
		OCSP_REQUEST *oreq = OCSP_REQUEST_new();
		unsigned char *rd = NULL;
		int rl;

		if ((rc = pd_ca_issue(ca, req[0], &subj, PD_CHAIRMAN, QT_PURPOSE_AUTH,
		                      QT_STORAGE_UNKNOWN, time(NULL), &c)) != QT_OK)
			die("issue", rc);
		OCSP_request_add0_id(oreq, OCSP_cert_to_id(NULL, c, pd_ca_issuing_cert(ca)));
		OCSP_request_add1_nonce(oreq, NULL, 16);
		rl = i2d_OCSP_REQUEST(oreq, &rd);
		t0 = now_s();
		do {
			if ((rc = pd_ca_ocsp(ca, rd, (size_t)rl, good, NULL, time(NULL),
			                     &der, &len)) != QT_OK)
				die("ocsp", rc);
			free(der);
			answers++;
			t = now_s() - t0;
		} while (t < secs / 2);
		printf("ocsp_answers_per_s %.1f\n", (double)answers / t);
		OPENSSL_free(rd);
		OCSP_REQUEST_free(oreq);
		X509_free(c);
	}

	/* A CRL of ncrl entries, as the daemon rebuilds it on each revocation. */
	revs = calloc((size_t)ncrl + 1, sizeof *revs);
	if (revs == NULL)
		die("calloc", QT_ERR_NOMEM);
	for (i = 0; i < ncrl; i++) {
		if (RAND_bytes(revs[i].serial, PD_CA_SERIAL_LEN) != 1)
			die("RAND_bytes", QT_ERR_CRYPTO);
		revs[i].serial[0] = (unsigned char)((revs[i].serial[0] & 0x7f) | 1);
		revs[i].when = time(NULL) - i;
		revs[i].reason = i % 3 == 0 ? PD_REASON_KEY_COMPROMISE : PD_REASON_UNSPECIFIED;
	}
	t0 = now_s();
	if ((rc = pd_ca_crl(ca, revs, (size_t)ncrl, time(NULL), 1, &der, &len)) != QT_OK)
		die("crl", rc);
	t = now_s() - t0;
	printf("crl_entries %ld\ncrl_bytes %zu\ncrl_ms %.1f\n", ncrl, len, t * 1000.0);
	free(der);
	free(revs);

	for (i = 0; i < NREQ; i++) {
		X509_REQ_free(req[i]);
		free(pem[i]);
	}
	pd_ca_free(ca);
	rm_ca(dir);
	return 0;
}
