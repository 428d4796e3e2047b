/* bench/enroll-bench URL OPERATOR.p12 PASSWORD_FILE ROUNDS DIR [protocol]
 *
 * With "protocol": only the portal exchanges through portal.h (submit,
 * approve, status, certificates, install confirmation), keys, requests
 * and proof signatures made outside the timed calls, as the curl
 * reference does; one line per round: ROUND total_ms.
 *
 * Without it:
 * The apply -> approve -> install round trip through the engine
 * (enroll.h, portal.h) against a running qoltanbad, key generation
 * excluded: each round times qt_enroll_apply minus the two key
 * generations (found from the progress callback), qt_portal_ra_approve,
 * and qt_enroll_install_pc, and prints one line per round:
 *   ROUND total_ms apply_ms approve_ms install_ms keystore_ms
 * keystore_ms is the part of install spent in the key store (decrypting
 * the pending keys and writing the .p12 files: PBKDF2 by design), from
 * the STORE..CONFIRM progress events. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <qoltanba/enroll.h>
#include <qoltanba/keygen.h>
#include <qoltanba/portal.h>
#include <qoltanba/secret.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct marks {
	double kg_start[2], kg_end[2];
	double store, confirm;
};

static bool cb(void *data, enum qt_enroll_phase ph, int pct)
{
	struct marks *m = data;
	double t = now_ms();

	if (ph == QT_ENROLL_KEYGEN_AUTH || ph == QT_ENROLL_KEYGEN_SIGN) {
		int i = ph == QT_ENROLL_KEYGEN_SIGN;

		if (m->kg_start[i] == 0)
			m->kg_start[i] = t;
		if (pct == 100)
			m->kg_end[i] = t;
	} else if (ph == QT_ENROLL_STORE && m->store == 0) {
		m->store = t;
	} else if (ph == QT_ENROLL_CONFIRM) {
		m->confirm = t;
	}
	return true;
}

static char *csr_for(EVP_PKEY *k, enum qt_purpose pu)
{
	struct qt_csr_params cp = { "BENCH", NULL, NULL, NULL, NULL, NULL, NULL, pu,
	                            QT_STORAGE_PKCS12 };
	X509_REQ *req = NULL;
	char *pem = NULL;

	if (qt_csr_create(k, &cp, &req) == QT_OK)
		qt_csr_pem(req, &pem);
	X509_REQ_free(req);
	return pem;
}

static int sign(EVP_PKEY *k, const char *text, unsigned char **sig, size_t *len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	         EVP_DigestSign(md, NULL, len, (const unsigned char *)text, strlen(text)) == 1 &&
	         (*sig = OPENSSL_malloc(*len)) != NULL &&
	         EVP_DigestSign(md, *sig, len, (const unsigned char *)text, strlen(text)) == 1;

	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

static int protocol(qt_portal *p, int rounds)
{
	int i;

	for (i = 0; i < rounds; i++) {
		EVP_PKEY *ka = NULL, *ks = NULL;
		char *ca, *cs, text[256];
		struct qt_application a;
		struct qt_submission sub;
		struct qt_app_info info;
		struct qt_app_certs certs;
		unsigned char *sa = NULL, *ss = NULL;
		size_t la = 0, ls = 0;
		double t0, t1, t2, t3;
		qt_err rc;

		if (qt_keygen(QT_KEY_RSA2048, &ka) != QT_OK || qt_keygen(QT_KEY_RSA2048, &ks) != QT_OK)
			return 1;
		ca = csr_for(ka, QT_PURPOSE_AUTH);
		cs = csr_for(ks, QT_PURPOSE_SIGN);
		memset(&a, 0, sizeof a);
		a.subject_type = "individual";
		a.iin = "850314372249";
		a.region = "KZ-75";
		a.city = "Almaty";
		a.storage = "pkcs12";
		a.auth_csr_pem = ca;
		a.sign_csr_pem = cs;
		t0 = now_ms();
		rc = qt_portal_submit(p, &a, &sub);
		if (rc == QT_OK)
			rc = qt_portal_ra_approve(p, sub.number, &info);
		if (rc == QT_OK)
			rc = qt_portal_status(p, sub.number, sub.access_token, &info);
		if (rc == QT_OK)
			rc = qt_portal_certificates(p, sub.number, sub.access_token, &certs);
		t1 = now_ms();
		if (rc == QT_OK &&
		    (qt_install_proof_text(sub.number, certs.install_nonce, text, sizeof text) != QT_OK ||
		     sign(ka, text, &sa, &la) || sign(ks, text, &ss, &ls)))
			rc = QT_ERR_CRYPTO;
		t2 = now_ms();
		if (rc == QT_OK)
			rc = qt_portal_install(p, sub.number, sub.access_token, sa, la, ss, ls, &info);
		t3 = now_ms();
		if (rc != QT_OK) {
			fprintf(stderr, "round %d: %s (%s)\n", i, qt_strerror(rc), qt_error_detail());
			return 1;
		}
		printf("%d %.1f\n", i, (t1 - t0) + (t3 - t2));
		fflush(stdout);
		qt_app_certs_clear(&certs);
		OPENSSL_free(sa);
		OPENSSL_free(ss);
		free(ca);
		free(cs);
		EVP_PKEY_free(ka);
		EVP_PKEY_free(ks);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const iins[] = {
		"850314372249", "900722433036", "781105372291", "950201493046", "690930381084"
	};
	struct qt_portal_options o = { NULL, NULL, 0, 0, 0 };
	struct qt_app_info info;
	qt_portal *p;
	char *pw = NULL, journal[4096], folder[4096];
	int rounds, i;
	qt_err rc;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: %s URL OPERATOR.p12 PASSWORD_FILE ROUNDS DIR\n", argv[0]);
		return 64;
	}
	o.url = argv[1];
	rounds = (int)strtol(argv[4], NULL, 10);
	snprintf(journal, sizeof journal, "%s/applications.json", argv[5]);
	if ((rc = qt_portal_open(&o, &p)) != QT_OK ||
	    (rc = qt_secret_from_file(argv[3], &pw)) != QT_OK ||
	    (rc = qt_portal_ra_login_file(p, argv[2], pw, NULL, 0)) != QT_OK) {
		fprintf(stderr, "setup: %s (%s)\n", qt_strerror(rc), qt_error_detail());
		return 1;
	}
	if (argc == 7)
		return protocol(p, rounds);
	for (i = 0; i < rounds; i++) {
		struct qt_enroll_request r;
		struct qt_app_record rec;
		struct marks m;
		double t0, t1, t2, t3, kg;

		memset(&r, 0, sizeof r);
		memset(&m, 0, sizeof m);
		snprintf(folder, sizeof folder, "%s/keys%d", argv[5], i);
		r.subject_type = "individual";
		r.iin = iins[i % 5];
		r.region = "KZ-75";
		r.city = "Almaty";
		r.folder = folder;
		r.password = pw;
		t0 = now_ms();
		rc = qt_enroll_apply(p, journal, &r, NULL, cb, &m, &rec);
		t1 = now_ms();
		if (rc == QT_OK)
			rc = qt_portal_ra_approve(p, rec.number, &info);
		t2 = now_ms();
		if (rc == QT_OK)
			rc = qt_enroll_install_pc(p, journal, &rec, NULL, pw, cb, &m, NULL);
		t3 = now_ms();
		if (rc != QT_OK) {
			fprintf(stderr, "round %d: %s (%s)\n", i, qt_strerror(rc), qt_error_detail());
			return 1;
		}
		kg = (m.kg_end[0] - t0) + (m.kg_end[1] - m.kg_start[1]);
		printf("%d %.1f %.1f %.1f %.1f %.1f\n", i, (t1 - t0 - kg) + (t2 - t1) + (t3 - t2),
		       t1 - t0 - kg, t2 - t1, t3 - t2, m.confirm - m.store);
		fflush(stdout);
	}
	qt_free_secret_str(pw);
	qt_portal_close(p);
	return 0;
}
