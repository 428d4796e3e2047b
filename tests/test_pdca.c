/* qoltanbad's CA: creation, the NCA profile of what it issues, refusals,
 * CRLs and OCSP, checked in C.  With a folder argument it also leaves
 * there what tests/portald-ca.sh checks with the openssl CLI:
 *   data/ca/{root,issuing}.{crt,key}, chain.pem, chain.p7c,
 *   ind-auth.pem ind-sign.pem chm-auth.pem chm-sign.pem emp-sign.pem
 *   ec-auth.pem, der-sign.pem (from pd_ca_issue_der), crl.der (ind-auth revoked: keyCompromise),
 *   root-crl.der, ocsp-resp.der (ind-auth revoked, ind-sign good),
 *   and params (shell variables: base URL, serials, keyids). */
#include <config.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <qoltanba/keygen.h>
#include <qoltanba/oids.h>
#include "portald/ca.h"
#include "tap.h"

/* An hour ago: what is issued is valid now, and the CRL and OCSP times
 * below (NOW + 600, NOW + 1200) are in the past, so the openssl CLI can
 * check it all at the real time. */
static time_t NOW;
#define BASE "http://127.0.0.1:8642"

static char outdir[512];
static FILE *params;

static void save_cert(const char *name, X509 *x)
{
	char path[700];
	FILE *f;

	if (outdir[0] == '\0' || x == NULL)
		return;
	snprintf(path, sizeof path, "%s/%s", outdir, name);
	f = fopen(path, "w");
	if (f != NULL) {
		PEM_write_X509(f, x);
		fclose(f);
	}
}

static void save_blob(const char *name, const void *data, size_t len)
{
	char path[700];
	FILE *f;

	if (outdir[0] == '\0' || data == NULL)
		return;
	snprintf(path, sizeof path, "%s/%s", outdir, name);
	f = fopen(path, "w");
	if (f != NULL) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

/* A request whose subject and e-mail are someone else's: the CA must
 * take neither. */
static X509_REQ *request(EVP_PKEY *key, enum qt_purpose purpose, enum qt_storage storage)
{
	struct qt_csr_params p = {
		.common_name = "ЖАЛҒАН АДАМ",
		.surname = "ЖАЛҒАН",
		.given_name = "АДАМОВИЧ",
		.iin = "871008401427",
		.bin = "950341000052",
		.organization = "ЖАЛҒАН ТОО",
		.email = "evil@example.com",
		.purpose = purpose,
		.storage = storage,
	};
	X509_REQ *req = NULL;

	CHECK_EQ_INT(qt_csr_create(key, &p, &req), QT_OK);
	return req;
}

static const char *entry_text(X509_NAME *n, int i, int *type, int *nid)
{
	X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);

	if (e == NULL) {
		*type = -1;
		*nid = -1;
		return "";
	}
	*type = ASN1_STRING_type(X509_NAME_ENTRY_get_data(e));
	*nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
	return (const char *)ASN1_STRING_get0_data(X509_NAME_ENTRY_get_data(e));
}

#define CHECK_RDN(n, i, want_nid, want_type, want_text) do { \
	int t_, nid_; \
	const char *s_ = entry_text(n, i, &t_, &nid_); \
	CHECK_EQ_INT(nid_, want_nid); \
	CHECK_EQ_INT(t_, want_type); \
	CHECK_STR(s_, want_text); \
} while (0)

static void eku_text(X509 *x, char *out, size_t size)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	size_t o = 0;
	int i;

	out[0] = '\0';
	for (i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++) {
		char t[80];

		OBJ_obj2txt(t, sizeof t, sk_ASN1_OBJECT_value(eku, i), 1);
		o += (size_t)snprintf(out + o, size - o, "%s%s", i ? " " : "", t);
	}
	EXTENDED_KEY_USAGE_free(eku);
}

static void policy_text(X509 *x, char *oid, size_t size, char *cps, size_t cpssize)
{
	CERTIFICATEPOLICIES *pols = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
	POLICYINFO *pi = pols != NULL && sk_POLICYINFO_num(pols) == 1
	                 ? sk_POLICYINFO_value(pols, 0) : NULL;

	oid[0] = cps[0] = '\0';
	if (pi != NULL) {
		OBJ_obj2txt(oid, (int)size, pi->policyid, 1);
		if (sk_POLICYQUALINFO_num(pi->qualifiers) == 1) {
			POLICYQUALINFO *q = sk_POLICYQUALINFO_value(pi->qualifiers, 0);
			if (OBJ_obj2nid(q->pqualid) == NID_id_qt_cps)
				snprintf(cps, cpssize, "%.*s", ASN1_STRING_length(q->d.cpsuri),
				         (const char *)ASN1_STRING_get0_data(q->d.cpsuri));
		}
	}
	CERTIFICATEPOLICIES_free(pols);
}

static unsigned key_usage_bits(X509 *x, int *critical)
{
	ASN1_BIT_STRING *ku = X509_get_ext_d2i(x, NID_key_usage, critical, NULL);
	unsigned bits = 0;
	int i;

	for (i = 0; ku != NULL && i < 9; i++)
		if (ASN1_BIT_STRING_get_bit(ku, i))
			bits |= 1u << i;
	ASN1_BIT_STRING_free(ku);
	return bits;
}

static void san_email(X509 *x, char *out, size_t size)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int i;

	out[0] = '\0';
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_EMAIL)
			snprintf(out, size, "%.*s", ASN1_STRING_length(g->d.rfc822Name),
			         (const char *)ASN1_STRING_get0_data(g->d.rfc822Name));
	}
	GENERAL_NAMES_free(gens);
}

static long validity_days(X509 *x)
{
	int d = 0, s = 0;

	ASN1_TIME_diff(&d, &s, X509_get0_notBefore(x), X509_get0_notAfter(x));
	return s == 0 ? d : -1;
}

/* Everything the profile says about every certificate. */
static void check_common(X509 *x, X509_REQ *req, struct pd_ca *ca)
{
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(x);
	char keyid[41], skihex[41] = "";
	int i;

	CHECK_EQ_INT(X509_get_version(x), X509_VERSION_3);
	/* The certificate is complete as returned: its key can be used. */
	CHECK(X509_get0_pubkey(x) != NULL &&
	      EVP_PKEY_eq(X509_get0_pubkey(x), X509_REQ_get0_pubkey(req)) == 1);
	CHECK_EQ_INT(ASN1_STRING_length(serial), PD_CA_SERIAL_LEN);
	CHECK(ASN1_STRING_type(serial) == V_ASN1_INTEGER);   /* positive */
	CHECK_EQ_INT(X509_get_signature_nid(x), NID_sha256WithRSAEncryption);
	CHECK(X509_verify(x, X509_get0_pubkey(pd_ca_issuing_cert(ca))) == 1);
	CHECK_EQ_INT(X509_NAME_cmp(X509_get_issuer_name(x),
	                           X509_get_subject_name(pd_ca_issuing_cert(ca))), 0);
	CHECK_EQ_INT(pd_ca_request_keyid(req, keyid), QT_OK);
	CHECK(ski != NULL && ASN1_STRING_length(ski) == 20);
	for (i = 0; ski != NULL && i < 20; i++)
		snprintf(skihex + 2 * i, 3, "%02x", ASN1_STRING_get0_data(ski)[i]);
	CHECK_STR(skihex, keyid);
	CHECK(aki != NULL &&
	      ASN1_OCTET_STRING_cmp(aki, X509_get0_subject_key_id(pd_ca_issuing_cert(ca))) == 0);
	CHECK(X509_get_ext_by_NID(x, NID_crl_distribution_points, -1) >= 0);
	CHECK(X509_get_ext_by_NID(x, NID_info_access, -1) >= 0);
	CHECK(X509_get_ext_by_NID(x, NID_basic_constraints, -1) < 0);
	CHECK(X509_check_ca(x) == 0);
}

static void save_param(const char *name, const char *value)
{
	if (params != NULL)
		fprintf(params, "%s='%s'\n", name, value);
}

/* The daemon's side of OCSP: ind-auth is revoked, every other serial we
 * issued is good, anything else unknown. */
struct status_table {
	unsigned char revoked[PD_CA_SERIAL_LEN];
	unsigned char good[4][PD_CA_SERIAL_LEN];
	int ngood;
};

static int status_of(void *arg, const unsigned char *serial, size_t len,
                     time_t *revoked_at, int *reason)
{
	struct status_table *t = arg;
	int i;

	if (len != PD_CA_SERIAL_LEN)
		return -1;
	if (memcmp(serial, t->revoked, len) == 0) {
		*revoked_at = NOW + 600;
		*reason = PD_REASON_KEY_COMPROMISE;
		return 1;
	}
	for (i = 0; i < t->ngood; i++)
		if (memcmp(serial, t->good[i], len) == 0)
			return 0;
	return -1;
}

/* ca.h says a handle may be used by several threads at once. */
struct worker {
	struct pd_ca *ca;
	X509_REQ *req;
	const struct pd_subject *subj;
	X509 *out[8];
	int failures;
};

static void *issue_many(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < 8; i++)
		if (pd_ca_issue(w->ca, w->req, w->subj, PD_INDIVIDUAL,
		                i % 2 ? QT_PURPOSE_SIGN : QT_PURPOSE_AUTH,
		                QT_STORAGE_PKCS12, NOW, &w->out[i]) != QT_OK)
			w->failures++;
	return NULL;
}

static void check_threads(struct pd_ca *ca, X509_REQ *req, const struct pd_subject *subj)
{
	struct worker w[3];
	pthread_t t[3];
	char seen[24][41];
	int i, j, n = 0;

	memset(w, 0, sizeof w);
	for (i = 0; i < 3; i++) {
		w[i].ca = ca;
		w[i].req = req;
		w[i].subj = subj;
		CHECK_EQ_INT(pthread_create(&t[i], NULL, issue_many, &w[i]), 0);
	}
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ_INT(w[i].failures, 0);
		for (j = 0; j < 8; j++) {
			X509 *x = w[i].out[j];
			int k;

			CHECK(x != NULL &&
			      X509_verify(x, X509_get0_pubkey(pd_ca_issuing_cert(ca))) == 1);
			if (x == NULL)
				continue;
			pd_ca_serial_hex(x, seen[n]);
			for (k = 0; k < n; k++)
				CHECK(strcmp(seen[k], seen[n]) != 0);
			n++;
			X509_free(x);
		}
	}
	CHECK_EQ_INT(n, 24);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/qt-pdca.XXXXXX";
	char dir[600], path[700], err[64], buf[512], oid[80], cps[200];
	const char *base;
	struct pd_subject ind = {
		.surname = "тестова", .given_name = "Әйгерім", .patronymic = "ұланқызы",
		.iin = "800416100254", .email = "aigul@example.kz",
	};
	struct pd_subject chm = {
		.surname = "ТЕСТОВ", .given_name = "ТЕСТ", .patronymic = "ТЕСТОВИЧ",
		.iin = "061211600012", .bin = "940140000385",
		.organization = "АО \"Тест\"", .email = "",
	};
	struct pd_ca *ca = NULL;
	EVP_PKEY *k[6] = { NULL }, *weak = NULL, *p384 = NULL;
	X509_REQ *r[6] = { NULL }, *req = NULL;
	X509 *ind_auth = NULL, *ind_sign = NULL, *chm_auth = NULL, *chm_sign = NULL;
	X509 *emp_sign = NULL, *ec_auth = NULL, *x = NULL;
	struct pd_revocation rev;
	struct status_table table;
	unsigned char *der = NULL;
	size_t len = 0;
	char *pem = NULL;
	int crit = 0, i;
	X509_NAME *n;

	NOW = time(NULL) - 3600;
	if (argc > 1) {
		snprintf(outdir, sizeof outdir, "%s", argv[1]);
		base = outdir;
	} else {
		base = mkdtemp(tmpl);
		if (base == NULL)
			SKIP("cannot make a temporary folder");
	}
	snprintf(dir, sizeof dir, "%s/data", base);
	if (outdir[0] != '\0') {
		snprintf(path, sizeof path, "%s/params", outdir);
		params = fopen(path, "w");
	}

	/* Creation: once only, names marked as this portal's own. */
	CHECK_EQ_INT(pd_ca_create(dir, "тест-портал", "ftp://x", NOW), QT_ERR_CONFIG);
	CHECK_EQ_INT(pd_ca_create(dir, "a name far longer than twenty characters", BASE, NOW),
	             QT_ERR_CONFIG);
	CHECK_EQ_INT(pd_ca_create(dir, "тест-портал", BASE "/", NOW), QT_OK);
	CHECK_EQ_INT(pd_ca_create(dir, "тест-портал", BASE, NOW), QT_ERR_EXISTS);
	snprintf(path, sizeof path, "%s/ca/issuing.key", dir);
	{
		struct stat st;
		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
		snprintf(path, sizeof path, "%s/ca/root.key", dir);
		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
		snprintf(path, sizeof path, "%s/ca", dir);
		CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0700);
	}
	/* A crash in the middle of creation leaves a partial folder that
	 * open refuses, naming what is missing, and that create will not
	 * overwrite. */
	{
		char dir2[620];
		struct pd_ca *partial = NULL;
		pid_t pid;
		int status = 0;

		snprintf(dir2, sizeof dir2, "%s/crashed", base);
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			setenv("QT_TEST_CRASH_AT", "rename", 1);   /* after root.key */
			pd_ca_create(dir2, "x", BASE, NOW);
			_exit(0);
		}
		CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		CHECK(pd_ca_open(dir2, BASE, &partial) != QT_OK && partial == NULL);
		CHECK(strstr(qt_error_detail(), "root.crt") != NULL);
		CHECK_EQ_INT(pd_ca_create(dir2, "x", BASE, NOW), QT_ERR_EXISTS);
		snprintf(path, sizeof path, "%s/ca/root.key", dir2);
		unlink(path);
		snprintf(path, sizeof path, "%s/ca", dir2);
		rmdir(path);
		rmdir(dir2);
	}
	/* A key others can read is refused, as ssh refuses one. */
	snprintf(path, sizeof path, "%s/ca/root.key", dir);
	chmod(path, 0644);
	CHECK_EQ_INT(pd_ca_open(dir, BASE, &ca), QT_ERR_PERMISSION);
	chmod(path, 0600);
	CHECK_EQ_INT(pd_ca_open(dir, "not a url", &ca), QT_ERR_CONFIG);
	CHECK_EQ_INT(pd_ca_open(dir, BASE "/", &ca), QT_OK);
	if (ca == NULL)
		return tap_done();

	n = X509_get_subject_name(pd_ca_root_cert(ca));
	CHECK_RDN(n, 0, NID_countryName, V_ASN1_PRINTABLESTRING, "KZ");
	CHECK_RDN(n, 1, NID_organizationName, V_ASN1_UTF8STRING, "qoltanbad");
	CHECK_RDN(n, 2, NID_commonName, V_ASN1_UTF8STRING,
	          "НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) qoltanbad тест-портал");
	n = X509_get_subject_name(pd_ca_issuing_cert(ca));
	CHECK_RDN(n, 2, NID_commonName, V_ASN1_UTF8STRING,
	          "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) qoltanbad тест-портал");
	CHECK_EQ_INT(EVP_PKEY_get_bits(X509_get0_pubkey(pd_ca_root_cert(ca))), 4096);
	CHECK_EQ_INT(EVP_PKEY_get_bits(X509_get0_pubkey(pd_ca_issuing_cert(ca))), 2048);
	CHECK(X509_check_ca(pd_ca_issuing_cert(ca)) != 0);
	pd_ca_root_fingerprint(ca, buf);
	CHECK(strncmp(buf, "SHA256:", 7) == 0 && strlen(buf) == 6 + 32 * 3);

	for (i = 0; i < 5; i++)
		CHECK_EQ_INT(qt_keygen(QT_KEY_RSA2048, &k[i]), QT_OK);
	CHECK_EQ_INT(qt_keygen(QT_KEY_EC_P256, &k[5]), QT_OK);
	r[0] = request(k[0], QT_PURPOSE_AUTH, QT_STORAGE_PKCS12);
	r[1] = request(k[1], QT_PURPOSE_SIGN, QT_STORAGE_PKCS12);
	r[2] = request(k[2], QT_PURPOSE_AUTH, QT_STORAGE_KAZTOKEN);
	r[3] = request(k[3], QT_PURPOSE_SIGN, QT_STORAGE_KAZTOKEN);
	r[4] = request(k[4], QT_PURPOSE_SIGN, QT_STORAGE_UNKNOWN);
	r[5] = request(k[5], QT_PURPOSE_AUTH, QT_STORAGE_PKCS12);
	for (i = 0; i < 6; i++)
		CHECK_EQ_INT(pd_ca_check_request(r[i], err, sizeof err), QT_OK);

	/* An individual, PKCS#12: AUTH and SIGN. */
	CHECK_EQ_INT(pd_ca_issue(ca, r[0], &ind, PD_INDIVIDUAL, QT_PURPOSE_AUTH,
	                         QT_STORAGE_PKCS12, NOW, &ind_auth), QT_OK);
	CHECK_EQ_INT(pd_ca_issue(ca, r[1], &ind, PD_INDIVIDUAL, QT_PURPOSE_SIGN,
	                         QT_STORAGE_PKCS12, NOW, &ind_sign), QT_OK);
	/* A chairman on a Kaztoken: storage from the request for AUTH, from
	 * the application (eToken 72K, which wins) for SIGN. */
	CHECK_EQ_INT(pd_ca_issue(ca, r[2], &chm, PD_CHAIRMAN, QT_PURPOSE_AUTH,
	                         QT_STORAGE_UNKNOWN, NOW, &chm_auth), QT_OK);
	CHECK_EQ_INT(pd_ca_issue(ca, r[3], &chm, PD_CHAIRMAN, QT_PURPOSE_SIGN,
	                         QT_STORAGE_ETOKEN72K, NOW, &chm_sign), QT_OK);
	CHECK_EQ_INT(pd_ca_issue(ca, r[4], &chm, PD_EMPLOYEE, QT_PURPOSE_SIGN,
	                         QT_STORAGE_JACARTA, NOW, &emp_sign), QT_OK);
	CHECK_EQ_INT(pd_ca_issue(ca, r[5], &ind, PD_INDIVIDUAL, QT_PURPOSE_AUTH,
	                         QT_STORAGE_UNKNOWN, NOW, &ec_auth), QT_OK);
	if (ind_auth == NULL || ind_sign == NULL || chm_auth == NULL || chm_sign == NULL ||
	    emp_sign == NULL || ec_auth == NULL)
		return tap_done();

	check_common(ind_auth, r[0], ca);
	check_common(ind_sign, r[1], ca);
	check_common(chm_auth, r[2], ca);
	check_common(chm_sign, r[3], ca);
	check_common(emp_sign, r[4], ca);
	check_common(ec_auth, r[5], ca);

	/* The subject: NCA's order and string types, from pd_subject only,
	 * names upper-cased (Kazakh letters too). */
	n = X509_get_subject_name(ind_auth);
	CHECK_EQ_INT(X509_NAME_entry_count(n), 5);
	CHECK_RDN(n, 0, NID_commonName, V_ASN1_UTF8STRING, "ТЕСТОВА ӘЙГЕРІМ");
	CHECK_RDN(n, 1, NID_surname, V_ASN1_UTF8STRING, "ТЕСТОВА");
	CHECK_RDN(n, 2, NID_serialNumber, V_ASN1_PRINTABLESTRING, "IIN800416100254");
	CHECK_RDN(n, 3, NID_countryName, V_ASN1_PRINTABLESTRING, "KZ");
	CHECK_RDN(n, 4, NID_givenName, V_ASN1_UTF8STRING, "ҰЛАНҚЫЗЫ");
	n = X509_get_subject_name(chm_sign);
	CHECK_EQ_INT(X509_NAME_entry_count(n), 7);
	CHECK_RDN(n, 0, NID_commonName, V_ASN1_UTF8STRING, "ТЕСТОВ ТЕСТ");
	CHECK_RDN(n, 1, NID_surname, V_ASN1_UTF8STRING, "ТЕСТОВ");
	CHECK_RDN(n, 2, NID_serialNumber, V_ASN1_PRINTABLESTRING, "IIN061211600012");
	CHECK_RDN(n, 3, NID_countryName, V_ASN1_PRINTABLESTRING, "KZ");
	CHECK_RDN(n, 4, NID_organizationName, V_ASN1_UTF8STRING, "АО \"Тест\"");
	CHECK_RDN(n, 5, NID_organizationalUnitName, V_ASN1_UTF8STRING, "BIN940140000385");
	CHECK_RDN(n, 6, NID_givenName, V_ASN1_UTF8STRING, "ТЕСТОВИЧ");

	/* Key usage, critical, by purpose (and key type). */
	CHECK_EQ_INT(key_usage_bits(ind_auth, &crit), (1u << 0) | (1u << 2));
	CHECK_EQ_INT(crit, 1);
	CHECK_EQ_INT(key_usage_bits(ind_sign, &crit), (1u << 0) | (1u << 1));
	CHECK_EQ_INT(crit, 1);
	CHECK_EQ_INT(key_usage_bits(chm_auth, &crit), (1u << 0) | (1u << 2));
	CHECK_EQ_INT(key_usage_bits(ec_auth, &crit), (1u << 0) | (1u << 4));

	/* EKU: usage then roles. */
	eku_text(ind_auth, buf, sizeof buf);
	CHECK_STR(buf, QT_OID_EKU_CLIENT_AUTH " " QT_OID_ROLE_INDIVIDUAL);
	eku_text(ind_sign, buf, sizeof buf);
	CHECK_STR(buf, QT_OID_EKU_EMAIL_PROTECTION " " QT_OID_ROLE_INDIVIDUAL);
	eku_text(chm_auth, buf, sizeof buf);
	CHECK_STR(buf, QT_OID_EKU_CLIENT_AUTH " " QT_OID_ROLE_LEGAL_ENTITY " "
	          QT_OID_ROLE_FIRST_HEAD);
	eku_text(chm_sign, buf, sizeof buf);
	CHECK_STR(buf, QT_OID_EKU_EMAIL_PROTECTION " " QT_OID_ROLE_LEGAL_ENTITY " "
	          QT_OID_ROLE_FIRST_HEAD);
	eku_text(emp_sign, buf, sizeof buf);
	CHECK_STR(buf, QT_OID_EKU_EMAIL_PROTECTION " " QT_OID_ROLE_LEGAL_ENTITY " "
	          QT_OID_ROLE_EMPLOYEE);

	/* Policies with the CPS. */
	policy_text(ind_auth, oid, sizeof oid, cps, sizeof cps);
	CHECK_STR(oid, QT_OID_POLICY_IND_AUTH);
	CHECK_STR(cps, BASE PD_CA_PATH_CPS);
	policy_text(ind_sign, oid, sizeof oid, cps, sizeof cps);
	CHECK_STR(oid, QT_OID_POLICY_IND_SIGN);
	policy_text(chm_auth, oid, sizeof oid, cps, sizeof cps);
	CHECK_STR(oid, QT_OID_POLICY_LE_AUTH);
	policy_text(chm_sign, oid, sizeof oid, cps, sizeof cps);
	CHECK_STR(oid, QT_OID_POLICY_LE_SIGN);

	/* SAN from pd_subject only; none when the subject has no e-mail. */
	san_email(ind_auth, buf, sizeof buf);
	CHECK_STR(buf, "aigul@example.kz");
	san_email(chm_auth, buf, sizeof buf);
	CHECK_STR(buf, "");
	CHECK(X509_get_ext_by_NID(chm_auth, NID_subject_alt_name, -1) < 0);

	/* Validity: 1 year for files, 3 for tokens. */
	CHECK_EQ_INT(validity_days(ind_auth), 365);
	CHECK_EQ_INT(validity_days(ec_auth), 365);
	CHECK_EQ_INT(validity_days(chm_auth), 1095);
	CHECK_EQ_INT(validity_days(chm_sign), 1095);
	CHECK_EQ_INT(validity_days(emp_sign), 1095);
	CHECK_EQ_INT(ASN1_TIME_cmp_time_t(X509_get0_notBefore(ind_auth), NOW), 0);

	/* Storage extension: the application's, else the request's. */
	{
		X509_REQ *tmp = X509_REQ_new();
		X509_REQ_set_version(tmp, X509_REQ_VERSION_1);
		/* qt_csr_storage reads request extensions: copy the cert's. */
		X509_REQ_add_extensions(tmp, X509_get0_extensions(chm_auth));
		CHECK_EQ_INT(qt_csr_storage(tmp), QT_STORAGE_KAZTOKEN);
		X509_REQ_free(tmp);
		tmp = X509_REQ_new();
		X509_REQ_add_extensions(tmp, X509_get0_extensions(chm_sign));
		CHECK_EQ_INT(qt_csr_storage(tmp), QT_STORAGE_ETOKEN72K);
		X509_REQ_free(tmp);
		tmp = X509_REQ_new();
		X509_REQ_add_extensions(tmp, X509_get0_extensions(ind_sign));
		CHECK_EQ_INT(qt_csr_storage(tmp), QT_STORAGE_PKCS12);
		X509_REQ_free(tmp);
	}

	/* Serials: unique, and the hex/bytes helpers agree. */
	{
		unsigned char a[PD_CA_SERIAL_LEN], b[PD_CA_SERIAL_LEN];
		char hex[41];

		CHECK_EQ_INT(pd_ca_serial(ind_auth, a), PD_CA_SERIAL_LEN);
		CHECK_EQ_INT(pd_ca_serial(ind_sign, b), PD_CA_SERIAL_LEN);
		CHECK(memcmp(a, b, sizeof a) != 0);
		CHECK(a[0] >= 1 && a[0] <= 0x7f);
		pd_ca_serial_hex(ind_auth, hex);
		CHECK_EQ_INT(strlen(hex), 40);
		CHECK_EQ_INT(pd_ca_serial_from_hex(hex, b), QT_OK);
		CHECK(memcmp(a, b, sizeof a) == 0);
		CHECK_EQ_INT(pd_ca_serial_from_hex("12zz", b), QT_ERR_INVALID_ARG);
		save_param("IND_AUTH_SERIAL", hex);
		pd_ca_serial_hex(ind_sign, hex);
		save_param("IND_SIGN_SERIAL", hex);
		CHECK_EQ_INT(pd_ca_request_keyid(r[0], hex), QT_OK);
		save_param("IND_AUTH_KEYID", hex);
		CHECK_EQ_INT(pd_ca_request_keyid(r[5], hex), QT_OK);
		save_param("EC_AUTH_KEYID", hex);
		save_param("BASE", BASE);
	}

	check_threads(ca, r[0], &ind);

	/* The daemon's path: DER and PEM with what it stores, the same
	 * profile as pd_ca_issue(). */
	{
		struct pd_issued is;
		const unsigned char *q;
		char keyid[41];
		BIO *b;

		CHECK_EQ_INT(pd_ca_issue_der(ca, r[3], &chm, PD_CHAIRMAN, QT_PURPOSE_SIGN,
		                             QT_STORAGE_KAZTOKEN, NOW, &is), QT_OK);
		q = is.der;
		x = is.der != NULL ? d2i_X509(NULL, &q, (long)is.der_len) : NULL;
		CHECK(x != NULL && q == is.der + is.der_len);
		if (x != NULL) {
			X509 *fromPem;
			char hex[41];

			check_common(x, r[3], ca);
			pd_ca_serial_hex(x, hex);
			CHECK_STR(is.serial, hex);
			CHECK_EQ_INT(pd_ca_request_keyid(r[3], keyid), QT_OK);
			CHECK_STR(is.keyid, keyid);
			CHECK_EQ_INT(validity_days(x), 1095);
			CHECK_EQ_INT(ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), is.not_before), 0);
			CHECK_EQ_INT(ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), is.not_after), 0);
			eku_text(x, buf, sizeof buf);
			CHECK_STR(buf, QT_OID_EKU_EMAIL_PROTECTION " " QT_OID_ROLE_LEGAL_ENTITY " "
			          QT_OID_ROLE_FIRST_HEAD);
			b = BIO_new_mem_buf(is.pem, -1);
			fromPem = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
			CHECK(fromPem != NULL && X509_cmp(fromPem, x) == 0);
			X509_free(fromPem);
			BIO_free(b);
			save_cert("der-sign.pem", x);
			X509_free(x);
		}
		pd_issued_clear(&is);
		CHECK(is.der == NULL && is.pem == NULL);
		/* Refusals leave nothing to free. */
		CHECK_EQ_INT(pd_ca_issue_der(ca, r[3], &chm, PD_CHAIRMAN, QT_PURPOSE_SIGN,
		                             QT_STORAGE_UNKNOWN, NOW - 86400, &is), QT_ERR_CONFIG);
		CHECK(is.der == NULL && is.pem == NULL && is.serial[0] == '\0');
	}

	/* The approval path: from the stored PEM request, its key not
	 * decoded, the same certificate as from the parsed request. */
	for (int ri = 3; ri <= 5; ri += 2) {
		struct pd_issued is, ref;
		const unsigned char *q;
		char *spem = NULL, keyid[41];
		unsigned char *a = NULL, *c = NULL;
		int al, cl;
		long plen;
		BIO *b = BIO_new(BIO_s_mem());

		CHECK(b != NULL && PEM_write_bio_X509_REQ(b, r[ri]) == 1);
		plen = BIO_get_mem_data(b, &spem);
		spem = plen > 0 ? strndup(spem, (size_t)plen) : NULL;
		BIO_free(b);
		CHECK_EQ_INT(pd_ca_issue_stored(ca, spem, &chm, PD_CHAIRMAN, QT_PURPOSE_AUTH,
		                                QT_STORAGE_KAZTOKEN, NOW, &is), QT_OK);
		CHECK_EQ_INT(pd_ca_issue_der(ca, r[ri], &chm, PD_CHAIRMAN, QT_PURPOSE_AUTH,
		                             QT_STORAGE_KAZTOKEN, NOW, &ref), QT_OK);
		q = is.der;
		x = is.der != NULL ? d2i_X509(NULL, &q, (long)is.der_len) : NULL;
		CHECK(x != NULL && q == is.der + is.der_len);
		if (x != NULL) {
			X509 *y;

			check_common(x, r[ri], ca);
			CHECK_EQ_INT(pd_ca_request_keyid(r[ri], keyid), QT_OK);
			CHECK_STR(is.keyid, keyid);
			/* The key's bytes are the request's, whole. */
			al = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &a);
			cl = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(r[ri]), &c);
			CHECK(al > 0 && al == cl && memcmp(a, c, (size_t)al) == 0);
			OPENSSL_free(a);
			OPENSSL_free(c);
			/* Everything but serial and signature as pd_ca_issue_der's,
			 * key usage included (EC: keyAgreement). */
			q = ref.der;
			y = ref.der != NULL ? d2i_X509(NULL, &q, (long)ref.der_len) : NULL;
			CHECK(y != NULL && X509_get_ext_count(x) == X509_get_ext_count(y) &&
			      X509_get_key_usage(x) == X509_get_key_usage(y) &&
			      X509_NAME_cmp(X509_get_subject_name(x), X509_get_subject_name(y)) == 0 &&
			      X509_NAME_cmp(X509_get_issuer_name(x), X509_get_issuer_name(y)) == 0 &&
			      strcmp(ref.pem + 60, is.pem + 60) != 0);
			X509_free(y);
			X509_free(x);
		}
		pd_issued_clear(&is);
		pd_issued_clear(&ref);
		/* The storage must be known; not a request; trailing bytes. */
		CHECK_EQ_INT(pd_ca_issue_stored(ca, spem, &chm, PD_CHAIRMAN, QT_PURPOSE_AUTH,
		                                QT_STORAGE_UNKNOWN, NOW, &is), QT_ERR_INVALID_ARG);
		CHECK_EQ_INT(pd_ca_issue_stored(ca, "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n"
		                                "-----END CERTIFICATE REQUEST-----\n", &chm,
		                                PD_CHAIRMAN, QT_PURPOSE_AUTH, QT_STORAGE_KAZTOKEN,
		                                NOW, &is), QT_ERR_INVALID_ARG);
		CHECK(is.der == NULL && is.pem == NULL);
		free(spem);
	}

	/* Refusals.  A weak key: */
	weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	req = weak != NULL ? request(weak, QT_PURPOSE_AUTH, QT_STORAGE_PKCS12) : NULL;
	CHECK_EQ_INT(pd_ca_check_request(req, err, sizeof err), QT_ERR_WEAK_KEY);
	CHECK_STR(err, "weak_key");
	x = NULL;
	CHECK_EQ_INT(pd_ca_issue(ca, req, &ind, PD_INDIVIDUAL, QT_PURPOSE_AUTH,
	                         QT_STORAGE_PKCS12, NOW, &x), QT_ERR_WEAK_KEY);
	CHECK(x == NULL);
	X509_REQ_free(req);
	/* A curve other than P-256: */
	p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	req = p384 != NULL ? request(p384, QT_PURPOSE_AUTH, QT_STORAGE_PKCS12) : NULL;
	CHECK_EQ_INT(pd_ca_check_request(req, err, sizeof err), QT_ERR_UNSUPPORTED_ALG);
	CHECK_STR(err, "unsupported_key");
	X509_REQ_free(req);
	/* A tampered signature, and a tampered body under a good signature: */
	{
		unsigned char *d = NULL;
		const unsigned char *q;
		int dl = i2d_X509_REQ(r[0], &d), at;

		for (at = 0; at < 2 && dl > 0; at++) {
			unsigned char *copy = malloc((size_t)dl);
			/* the last byte is the signature's; the IIN is in the body */
			const unsigned char *iin = memmem(d, (size_t)dl, "IIN871008401427", 15);
			size_t off = at == 0 ? (size_t)dl - 1 : (size_t)(iin - d) + 5;

			memcpy(copy, d, (size_t)dl);
			copy[off] ^= 0x01;
			q = copy;
			req = d2i_X509_REQ(NULL, &q, dl);
			CHECK(req != NULL);
			CHECK_EQ_INT(pd_ca_check_request(req, err, sizeof err), QT_ERR_BAD_SIGNATURE);
			CHECK_STR(err, "bad_signature");
			x = NULL;
			CHECK_EQ_INT(pd_ca_issue(ca, req, &ind, PD_INDIVIDUAL, QT_PURPOSE_AUTH,
			                         QT_STORAGE_PKCS12, NOW, &x), QT_ERR_BAD_SIGNATURE);
			CHECK(x == NULL);
			X509_REQ_free(req);
			free(copy);
		}
		OPENSSL_free(d);
	}
	/* A request signed with SHA-1: */
	req = request(k[0], QT_PURPOSE_AUTH, QT_STORAGE_PKCS12);
	CHECK(req != NULL && X509_REQ_sign(req, k[0], EVP_sha1()) > 0);
	CHECK_EQ_INT(pd_ca_check_request(req, err, sizeof err), QT_ERR_BAD_SIGNATURE);
	CHECK_STR(err, "weak_signature");
	X509_REQ_free(req);
	/* A clock before the issuing CA's validity: */
	x = NULL;
	CHECK_EQ_INT(pd_ca_issue(ca, r[0], &ind, PD_INDIVIDUAL, QT_PURPOSE_AUTH,
	                         QT_STORAGE_PKCS12, NOW - 86400, &x), QT_ERR_CONFIG);
	CHECK(x == NULL);
	/* Subjects the profile cannot hold: */
	{
		struct pd_subject s = ind;

		x = NULL;
		s.bin = "940140000385";
		CHECK_EQ_INT(pd_ca_issue(ca, r[0], &s, PD_INDIVIDUAL, QT_PURPOSE_AUTH,
		                         QT_STORAGE_PKCS12, NOW, &x), QT_ERR_INVALID_ARG);
		s = chm;
		s.organization = NULL;
		CHECK_EQ_INT(pd_ca_issue(ca, r[2], &s, PD_CHAIRMAN, QT_PURPOSE_AUTH,
		                         QT_STORAGE_PKCS12, NOW, &x), QT_ERR_INVALID_ARG);
		s = ind;
		s.iin = "800416100255";
		CHECK_EQ_INT(pd_ca_issue(ca, r[0], &s, PD_INDIVIDUAL, QT_PURPOSE_AUTH,
		                         QT_STORAGE_PKCS12, NOW, &x), QT_ERR_IDNUM_CHECKSUM);
		s = ind;
		s.surname = "bad\001name";
		CHECK_EQ_INT(pd_ca_issue(ca, r[0], &s, PD_INDIVIDUAL, QT_PURPOSE_AUTH,
		                         QT_STORAGE_PKCS12, NOW, &x), QT_ERR_INVALID_ARG);
		s.surname = "\xc3\x28";   /* not UTF-8 */
		CHECK_EQ_INT(pd_ca_issue(ca, r[0], &s, PD_INDIVIDUAL, QT_PURPOSE_AUTH,
		                         QT_STORAGE_PKCS12, NOW, &x), QT_ERR_INVALID_ARG);
		s = ind;
		s.email = "no-at-sign";
		CHECK_EQ_INT(pd_ca_issue(ca, r[0], &s, PD_INDIVIDUAL, QT_PURPOSE_AUTH,
		                         QT_STORAGE_PKCS12, NOW, &x), QT_ERR_EMAIL);
		/* Neither the application nor the request says the storage. */
		CHECK_EQ_INT(pd_ca_issue(ca, r[4], &chm, PD_EMPLOYEE, QT_PURPOSE_SIGN,
		                         QT_STORAGE_UNKNOWN, NOW, &x), QT_ERR_INVALID_ARG);
		CHECK_EQ_INT(pd_ca_issue(ca, r[0], &ind, PD_INDIVIDUAL, QT_PURPOSE_UNKNOWN,
		                         QT_STORAGE_PKCS12, NOW, &x), QT_ERR_INVALID_ARG);
		/* A token certificate that would outlive the issuing CA. */
		CHECK_EQ_INT(pd_ca_issue(ca, r[2], &chm, PD_CHAIRMAN, QT_PURPOSE_AUTH,
		                         QT_STORAGE_KAZTOKEN, NOW + 8L * 365 * 86400, &x),
		             QT_ERR_CONFIG);
		CHECK(x == NULL);
	}

	/* Names for JSON round-trip. */
	{
		enum pd_subject_type t;
		int reason;

		for (i = 0; i < PD_SUBJECT_TYPE_COUNT; i++)
			CHECK(pd_subject_type_parse(pd_subject_type_name((enum pd_subject_type)i), &t) &&
			      (int)t == i);
		CHECK(!pd_subject_type_parse("president", &t));
		CHECK(pd_crl_reason_parse("key_compromise", &reason) &&
		      reason == PD_REASON_KEY_COMPROMISE);
		CHECK(!pd_crl_reason_parse("bored", &reason));
		CHECK(pd_crl_reason_name(7) == NULL);   /* 7 is not used by RFC 5280 */
	}

	/* CRL: ind-auth revoked for key compromise. */
	CHECK_EQ_INT(pd_ca_serial(ind_auth, rev.serial), PD_CA_SERIAL_LEN);
	rev.when = NOW + 600;
	rev.reason = PD_REASON_KEY_COMPROMISE;
	CHECK_EQ_INT(pd_ca_crl(ca, &rev, 1, NOW + 1200, 2, &der, &len), QT_OK);
	{
		const unsigned char *q = der;
		X509_CRL *crl = d2i_X509_CRL(NULL, &q, (long)len);
		ASN1_INTEGER *num = crl ? X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL) : NULL;
		X509_REVOKED *rv = NULL;
		ASN1_ENUMERATED *why = NULL;
		int d = 0, s = 0;

		CHECK(crl != NULL);
		CHECK(crl != NULL && X509_CRL_get_version(crl) == X509_CRL_VERSION_2);
		CHECK(num != NULL && ASN1_INTEGER_get(num) == 2);
		CHECK(crl != NULL && X509_CRL_verify(crl, X509_get0_pubkey(pd_ca_issuing_cert(ca))) == 1);
		if (crl != NULL) {
			ASN1_TIME_diff(&d, &s, X509_CRL_get0_lastUpdate(crl),
			               X509_CRL_get0_nextUpdate(crl));
			CHECK(d == 1 && s == 0);
			CHECK(X509_CRL_get_ext_by_NID(crl, NID_authority_key_identifier, -1) >= 0);
			CHECK_EQ_INT(X509_CRL_get0_by_cert(crl, &rv, ind_auth), 1);
			CHECK_EQ_INT(X509_CRL_get0_by_cert(crl, &rv, ind_sign), 0);
			CHECK_EQ_INT(X509_CRL_get0_by_cert(crl, &rv, ind_auth), 1);
			why = rv != NULL ? X509_REVOKED_get_ext_d2i(rv, NID_crl_reason, NULL, NULL) : NULL;
			CHECK(why != NULL && ASN1_ENUMERATED_get(why) == PD_REASON_KEY_COMPROMISE);
		}
		ASN1_ENUMERATED_free(why);
		ASN1_INTEGER_free(num);
		X509_CRL_free(crl);
	}
	save_blob("crl.der", der, len);
	free(der);
	CHECK_EQ_INT(pd_ca_crl(ca, NULL, 0, NOW, -1, &der, &len), QT_ERR_INVALID_ARG);
	rev.reason = 7;
	CHECK_EQ_INT(pd_ca_crl(ca, &rev, 1, NOW, 3, &der, &len), QT_ERR_INVALID_ARG);
	CHECK_EQ_INT(pd_ca_root_crl(ca, NOW, 1, &der, &len), QT_OK);
	save_blob("root-crl.der", der, len);
	free(der);

	/* The chain, PEM and certs-only CMS. */
	CHECK_EQ_INT(pd_ca_chain_pem(ca, &pem), QT_OK);
	CHECK(pem != NULL && strstr(pem, "BEGIN CERTIFICATE") != NULL &&
	      strstr(strstr(pem, "END CERTIFICATE") + 1, "BEGIN CERTIFICATE") != NULL);
	save_blob("chain.pem", pem, pem != NULL ? strlen(pem) : 0);
	free(pem);
	CHECK_EQ_INT(pd_ca_chain_p7c(ca, &der, &len), QT_OK);
	save_blob("chain.p7c", der, len);
	free(der);

	/* OCSP: ind-auth revoked, ind-sign good, a stranger unknown, with
	 * the nonce echoed and the issuing CA's signature. */
	memset(&table, 0, sizeof table);
	pd_ca_serial(ind_auth, table.revoked);
	pd_ca_serial(ind_sign, table.good[0]);
	table.ngood = 1;
	{
		OCSP_REQUEST *oreq = OCSP_REQUEST_new();
		OCSP_CERTID *id1 = OCSP_cert_to_id(NULL, ind_auth, pd_ca_issuing_cert(ca));
		OCSP_CERTID *id2 = OCSP_cert_to_id(NULL, ind_sign, pd_ca_issuing_cert(ca));
		OCSP_CERTID *id3 = OCSP_cert_to_id(NULL, chm_auth, pd_ca_issuing_cert(ca));
		OCSP_CERTID *id4 = OCSP_cert_to_id(NULL, ind_sign, pd_ca_root_cert(ca));
		unsigned char *rd = NULL;
		const unsigned char *q;
		int rl, st, reason = -2;
		OCSP_RESPONSE *resp;
		OCSP_BASICRESP *bs = NULL;
		ASN1_GENERALIZEDTIME *rt = NULL, *tu = NULL, *nu = NULL;
		X509_STORE *store = X509_STORE_new();
		STACK_OF(X509) *untrusted = sk_X509_new_null();

		OCSP_request_add0_id(oreq, OCSP_CERTID_dup(id1));
		OCSP_request_add0_id(oreq, OCSP_CERTID_dup(id2));
		OCSP_request_add0_id(oreq, OCSP_CERTID_dup(id3));
		OCSP_request_add1_nonce(oreq, NULL, 16);
		rl = i2d_OCSP_REQUEST(oreq, &rd);
		CHECK_EQ_INT(pd_ca_ocsp(ca, rd, (size_t)rl, status_of, &table, NOW + 1200,
		                        &der, &len), QT_OK);
		q = der;
		resp = d2i_OCSP_RESPONSE(NULL, &q, (long)len);
		CHECK(resp != NULL &&
		      OCSP_response_status(resp) == OCSP_RESPONSE_STATUS_SUCCESSFUL);
		bs = resp != NULL ? OCSP_response_get1_basic(resp) : NULL;
		CHECK(bs != NULL);
		X509_STORE_add_cert(store, pd_ca_root_cert(ca));
		sk_X509_push(untrusted, pd_ca_issuing_cert(ca));
		if (bs != NULL) {
			X509_VERIFY_PARAM *vp = X509_STORE_get0_param(store);
			X509_VERIFY_PARAM_set_time(vp, NOW + 1200);
			CHECK_EQ_INT(OCSP_basic_verify(bs, untrusted, store, 0), 1);
			CHECK_EQ_INT(OCSP_check_nonce(oreq, bs), 1);
			CHECK(OCSP_resp_find_status(bs, id1, &st, &reason, &rt, &tu, &nu) == 1 &&
			      st == V_OCSP_CERTSTATUS_REVOKED && reason == OCSP_REVOKED_STATUS_KEYCOMPROMISE &&
			      ASN1_TIME_cmp_time_t(rt, NOW + 600) == 0);
			CHECK(OCSP_resp_find_status(bs, id2, &st, &reason, &rt, &tu, &nu) == 1 &&
			      st == V_OCSP_CERTSTATUS_GOOD);
			CHECK(OCSP_resp_find_status(bs, id3, &st, &reason, &rt, &tu, &nu) == 1 &&
			      st == V_OCSP_CERTSTATUS_UNKNOWN);
		}
		save_blob("ocsp-resp.der", der, len);
		free(der);
		/* A certificate of another issuer (here: the root) is unknown. */
		OCSP_REQUEST_free(oreq);
		OPENSSL_free(rd);
		rd = NULL;
		oreq = OCSP_REQUEST_new();
		OCSP_request_add0_id(oreq, OCSP_CERTID_dup(id4));
		rl = i2d_OCSP_REQUEST(oreq, &rd);
		CHECK_EQ_INT(pd_ca_ocsp(ca, rd, (size_t)rl, status_of, &table, NOW,
		                        &der, &len), QT_OK);
		OCSP_RESPONSE_free(resp);
		OCSP_BASICRESP_free(bs);
		q = der;
		resp = d2i_OCSP_RESPONSE(NULL, &q, (long)len);
		bs = resp != NULL ? OCSP_response_get1_basic(resp) : NULL;
		CHECK(bs != NULL &&
		      OCSP_resp_find_status(bs, id4, &st, &reason, &rt, &tu, &nu) == 1 &&
		      st == V_OCSP_CERTSTATUS_UNKNOWN);
		free(der);
		/* Garbage gets malformedRequest, not a failure. */
		CHECK_EQ_INT(pd_ca_ocsp(ca, (const unsigned char *)"garbage", 7, status_of, &table,
		                        NOW, &der, &len), QT_OK);
		OCSP_RESPONSE_free(resp);
		q = der;
		resp = d2i_OCSP_RESPONSE(NULL, &q, (long)len);
		CHECK(resp != NULL &&
		      OCSP_response_status(resp) == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
		free(der);
		OCSP_RESPONSE_free(resp);
		OCSP_BASICRESP_free(bs);
		OPENSSL_free(rd);
		OCSP_REQUEST_free(oreq);
		OCSP_CERTID_free(id1);
		OCSP_CERTID_free(id2);
		OCSP_CERTID_free(id3);
		OCSP_CERTID_free(id4);
		sk_X509_free(untrusted);
		X509_STORE_free(store);
	}

	save_cert("ind-auth.pem", ind_auth);
	save_cert("ind-sign.pem", ind_sign);
	save_cert("chm-auth.pem", chm_auth);
	save_cert("chm-sign.pem", chm_sign);
	save_cert("emp-sign.pem", emp_sign);
	save_cert("ec-auth.pem", ec_auth);

	X509_free(ind_auth);
	X509_free(ind_sign);
	X509_free(chm_auth);
	X509_free(chm_sign);
	X509_free(emp_sign);
	X509_free(ec_auth);
	for (i = 0; i < 6; i++) {
		X509_REQ_free(r[i]);
		EVP_PKEY_free(k[i]);
	}
	EVP_PKEY_free(weak);
	EVP_PKEY_free(p384);
	pd_ca_free(ca);
	if (params != NULL)
		fclose(params);
	if (outdir[0] == '\0') {
		static const char *const files[] = {
			"root.key", "root.crt", "issuing.key", "issuing.crt"
		};
		for (i = 0; i < 4; i++) {
			snprintf(path, sizeof path, "%s/ca/%s", dir, files[i]);
			unlink(path);
		}
		snprintf(path, sizeof path, "%s/ca", dir);
		rmdir(path);
		rmdir(dir);
		rmdir(base);
	}
	return tap_done();
}
