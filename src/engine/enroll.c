/* Enrollment steps (include/qoltanba/enroll.h): keys, requests, the
 * journal before and after each step, installation with a proof of
 * possession, resumption on start, and the application form. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <qoltanba/config.h>
#include <qoltanba/enroll.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/idnum.h>
#include <qoltanba/password.h>
#include <qoltanba/secret.h>
#include "i18n.h"
#include "portal_internal.h"

#define REQ_MAX (256 * 1024)

const char *qt_enroll_phase_label(enum qt_enroll_phase ph)
{
	switch (ph) {
	case QT_ENROLL_KEYGEN_AUTH: return _("Generating the authentication key (AUTH)");
	case QT_ENROLL_KEYGEN_SIGN: return _("Generating the signing key (SIGN)");
	case QT_ENROLL_REQUESTS: return _("Building the certificate requests");
	case QT_ENROLL_SUBMIT: return _("Sending the application");
	case QT_ENROLL_FETCH: return _("Fetching the certificates");
	case QT_ENROLL_STORE: return _("Storing keys and certificates");
	case QT_ENROLL_CONFIRM: return _("Confirming the installation");
	default: return _("Done");
	}
}

static bool tell(qt_enroll_progress_fn fn, void *data, enum qt_enroll_phase ph, int pct)
{
	return fn == NULL || fn(data, ph, pct);
}

/* ---- Validation --------------------------------------------------------- */

qt_err qt_email_check(const char *e)
{
	const char *at, *dot, *p;
	size_t n = e ? strlen(e) : 0;

	if (n < 3 || n > 254 || (at = strchr(e, '@')) == NULL || at == e || strchr(at + 1, '@'))
		return qt_error(QT_ERR_EMAIL, "\"%s\"", e ? e : "");
	for (p = e; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("\"<>,;\\()[]:", *p) || (unsigned char)*p >= 0x7f)
			return qt_error(QT_ERR_EMAIL, _("\"%s\": character '%c' is not allowed"), e, *p);
	dot = strrchr(at, '.');
	if (dot == NULL || dot <= at + 1 || dot[1] == '\0')
		return qt_error(QT_ERR_EMAIL, _("\"%s\": the part after @ needs a domain like example.kz"), e);
	return QT_OK;
}

static bool empty(const char *s) { return s == NULL || *s == '\0'; }

static const char *const builtin_types[] = {
	"individual", "chairman", "signing_right", "financial", "hr", "employee"
};

qt_err qt_enroll_validate(const struct qt_enroll_request *r, const struct qt_catalog *cat,
                          const char **field)
{
	const char *f = "subject_type";
	bool legal = false, known = false;
	qt_err rc = QT_OK;
	size_t i;

	if (cat != NULL) {
		const struct qt_subject_type *t = qt_catalog_subject_type(cat, r->subject_type);

		known = t != NULL;
		legal = t != NULL && t->legal_entity;
	} else {
		for (i = 0; i < sizeof builtin_types / sizeof builtin_types[0]; i++)
			if (r->subject_type && strcmp(r->subject_type, builtin_types[i]) == 0)
				known = true;
		legal = known && strcmp(r->subject_type, "individual") != 0;
	}
	if (!known) {
		rc = qt_error(QT_ERR_INVALID_ARG,
		              _("subject \"%s\" is not known: use individual, chairman, signing_right, "
		                "financial, hr or employee"), r->subject_type ? r->subject_type : "");
		goto out;
	}
	f = "iin";
	if ((rc = qt_iin_parse(r->iin ? r->iin : "", NULL)) != QT_OK)
		goto out;
	f = "bin";
	if (legal && empty(r->bin)) {
		rc = qt_error(QT_ERR_INVALID_ARG, _("a legal entity's application needs its BIN"));
		goto out;
	}
	if (!legal && !empty(r->bin)) {
		rc = qt_error(QT_ERR_INVALID_ARG, _("an individual's application has no BIN: remove it"));
		goto out;
	}
	if (legal && (rc = qt_bin_parse(r->bin, NULL)) != QT_OK)
		goto out;
	f = "email";
	if (!empty(r->email) && (rc = qt_email_check(r->email)) != QT_OK)
		goto out;
	f = "region";
	if (empty(r->region) || (cat != NULL && qt_catalog_region(cat, r->region) == NULL)) {
		rc = qt_error(QT_ERR_INVALID_ARG,
		              _("region \"%s\" is not known: use an ISO 3166-2 code such as KZ-75 (Almaty)"),
		              r->region ? r->region : "");
		goto out;
	}
	f = "city";
	if (empty(r->city) ||
	    (cat != NULL && qt_catalog_city(qt_catalog_region(cat, r->region), r->city) == NULL)) {
		rc = qt_error(QT_ERR_INVALID_ARG, _("city \"%s\" is not a city of %s in the portal's list"),
		              r->city ? r->city : "", r->region);
		goto out;
	}
	f = "storage";
	if (r->token == NULL && empty(r->token_label)) {
		if (r->storage != NULL && strcmp(r->storage, "pkcs12") != 0) {
			rc = qt_error(QT_ERR_INVALID_ARG, _("storage \"%s\" needs a token"), r->storage);
			goto out;
		}
		f = "folder";
		if (empty(r->folder)) {
			rc = qt_error(QT_ERR_INVALID_ARG, _("PC storage needs a folder for the keys"));
			goto out;
		}
		f = "password";
		if ((rc = qt_password_check(r->password ? r->password : "")) != QT_OK)
			goto out;
	} else if (cat != NULL && r->storage != NULL) {
		const struct qt_storage_type *s = qt_catalog_storage(cat, r->storage);

		if (s == NULL || s->file) {
			rc = qt_error(QT_ERR_INVALID_ARG, _("storage \"%s\" is not a token the portal knows"),
			              r->storage);
			goto out;
		}
		if (s->individuals_only && legal) {
			rc = qt_error(QT_ERR_INVALID_ARG, _("%s is for individuals only"), s->label);
			goto out;
		}
	}
	f = NULL;
out:
	if (field != NULL)
		*field = f;
	return rc;
}

/* ---- Paths beside the journal ------------------------------------------ */

static char *journal_dir(const char *journal)
{
	const char *slash;

	if (journal == NULL)
		return qt_state_dir();
	slash = strrchr(journal, '/');
	if (slash == NULL)
		return strdup(".");
	return strndup(journal, (size_t)(slash - journal) > 0 ? (size_t)(slash - journal) : 1);
}

static qt_err request_path(const char *journal, const char *id, char **out)
{
	char *dir = journal_dir(journal);
	size_t n;

	*out = NULL;
	if (dir == NULL)
		return QT_ERR_NOMEM;
	n = strlen(dir) + strlen(id) + 32;
	*out = malloc(n);
	if (*out != NULL)
		snprintf(*out, n, "%s/requests/%s.json", dir, id);
	free(dir);
	return *out ? QT_OK : QT_ERR_NOMEM;
}

static qt_err save_request(const char *journal, const char *id, const cJSON *o)
{
	char *path = NULL, *text = NULL, *slash;
	qt_err rc = request_path(journal, id, &path);

	if (rc != QT_OK)
		return rc;
	slash = strrchr(path, '/');
	*slash = '\0';
	rc = qt_mkdir_p(path, 0700);
	*slash = '/';
	if (rc == QT_OK) {
		text = cJSON_Print(o);
		rc = text ? qt_atomic_write(path, text, strlen(text), 0600, QT_WRITE_REPLACE)
		          : QT_ERR_NOMEM;
	}
	free(text);
	free(path);
	return rc;
}

static qt_err load_request(const char *journal, const char *id, cJSON **out)
{
	char *path = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	qt_err rc = request_path(journal, id, &path);

	*out = NULL;
	if (rc != QT_OK)
		return rc;
	rc = qt_read_file(path, REQ_MAX, &data, &len);
	if (rc == QT_OK) {
		*out = cJSON_ParseWithLength((const char *)data, len);
		if (!cJSON_IsObject(*out)) {
			cJSON_Delete(*out);
			*out = NULL;
			rc = qt_error(QT_ERR_CONFIG, _("%s is damaged"), path);
		}
		qt_free_secret(data, len);
	} else {
		rc = qt_error(rc, _("the saved application %s is missing"), path);
	}
	free(path);
	return rc;
}

static const char *rs(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

/* ---- Keys ---------------------------------------------------------------- */

struct kg_state {
	qt_enroll_progress_fn fn;
	void *data;
	enum qt_enroll_phase phase;
	int primes, ticks;
	bool stop;
};

static int kg_cb(EVP_PKEY_CTX *ctx)
{
	struct kg_state *st = EVP_PKEY_CTX_get_app_data(ctx);
	int what = EVP_PKEY_CTX_get_keygen_info(ctx, 0);
	int pct;

	if (what == 3)
		st->primes++;
	st->ticks++;
	pct = st->primes * 50 + (st->ticks / 8 > 45 ? 45 : st->ticks / 8);
	if (pct > 99)
		pct = 99;
	if ((st->ticks & 7) == 0 || what == 3) {
		if (!tell(st->fn, st->data, st->phase, pct)) {
			st->stop = true;
			return 0;
		}
	}
	return 1;
}

static qt_err keygen_progress(enum qt_keytype type, enum qt_enroll_phase phase,
                              qt_enroll_progress_fn fn, void *data, EVP_PKEY **out)
{
	struct kg_state st = { fn, data, phase, 0, 0, false };
	EVP_PKEY_CTX *ctx;
	qt_err rc = QT_OK;

	*out = NULL;
	if (type != QT_KEY_RSA2048) {
		rc = qt_keygen(type, out);
		goto done;
	}
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return qt_error_ssl(QT_ERR_KEYGEN, "RSA 2048");
	}
	EVP_PKEY_CTX_set_app_data(ctx, &st);
	EVP_PKEY_CTX_set_cb(ctx, kg_cb);
	if (EVP_PKEY_generate(ctx, out) != 1) {
		*out = NULL;
		rc = st.stop ? qt_error(QT_ERR_CANCELLED, "%s", qt_enroll_phase_label(phase))
		             : qt_error_ssl(QT_ERR_KEYGEN, "RSA 2048");
	}
	EVP_PKEY_CTX_free(ctx);
done:
	if (rc == QT_OK && !tell(fn, data, phase, 100))
		rc = qt_error(QT_ERR_CANCELLED, "%s", qt_enroll_phase_label(phase));
	return rc;
}

/* A request for a key that lives on a token: built and checked with a
 * throwaway key of the same type, then given the token's public key and
 * signed again by the token. */
static qt_err token_csr(qt_token *t, const char *keyid, EVP_PKEY *pub, enum qt_keytype type,
                        struct qt_csr_params *cp, X509_REQ **out)
{
	EVP_PKEY *tmp = NULL;
	X509_REQ *req = NULL;
	unsigned char *tbs = NULL, *sig = NULL;
	const ASN1_BIT_STRING *psig;
	const X509_ALGOR *palg;
	size_t siglen = 0;
	int tbslen;
	qt_err rc;

	*out = NULL;
	if ((rc = qt_keygen(type == QT_KEY_EC_P256 ? QT_KEY_EC_P256 : QT_KEY_RSA2048, &tmp)) != QT_OK ||
	    (rc = qt_csr_create(tmp, cp, &req)) != QT_OK)
		goto out;
	if (X509_REQ_set_pubkey(req, pub) != 1) {
		rc = qt_error_ssl(QT_ERR_CRYPTO, "request");
		goto out;
	}
	tbslen = i2d_re_X509_REQ_tbs(req, &tbs);
	if (tbslen <= 0) {
		rc = qt_error_ssl(QT_ERR_CRYPTO, "request");
		goto out;
	}
	if ((rc = qt_token_sign(t, keyid, tbs, (size_t)tbslen, &sig, &siglen)) != QT_OK)
		goto out;
	X509_REQ_get0_signature(req, &psig, &palg);
	if (ASN1_BIT_STRING_set((ASN1_BIT_STRING *)psig, sig, (int)siglen) != 1) {
		rc = qt_error_ssl(QT_ERR_CRYPTO, "request");
		goto out;
	}
	((ASN1_BIT_STRING *)psig)->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
	((ASN1_BIT_STRING *)psig)->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	if (X509_REQ_verify(req, pub) != 1) {
		rc = qt_error_ssl(QT_ERR_BAD_SIGNATURE, _("the token's signature on the request"));
		goto out;
	}
	*out = req;
	req = NULL;
out:
	OPENSSL_free(tbs);
	OPENSSL_free(sig);
	X509_REQ_free(req);
	EVP_PKEY_free(tmp);
	return rc;
}

static void split_name(const char *full, char *surname, size_t ss, char *given, size_t gs)
{
	const char *sp = strchr(full, ' ');

	if (sp == NULL) {
		if ((size_t)snprintf(surname, ss, "%s", full) >= ss)
			surname[ss - 1] = '\0';
		given[0] = '\0';
		return;
	}
	snprintf(surname, ss, "%.*s", (int)(sp - full), full);
	snprintf(given, gs, "%s", sp + 1);
}

static void random_id(char id[33])
{
	unsigned char r[16];
	int i;

	if (RAND_bytes(r, sizeof r) != 1) {
		/* never: OpenSSL's DRBG does not fail on Linux after seeding */
		for (i = 0; i < 16; i++)
			r[i] = (unsigned char)rand();
	}
	for (i = 0; i < 16; i++)
		snprintf(id + 2 * i, 3, "%02x", r[i]);
}

qt_err qt_enroll_generate(const char *journal, const struct qt_enroll_request *r,
                          const char *portal_id, qt_enroll_progress_fn fn, void *data,
                          struct qt_app_record *rec)
{
	EVP_PKEY *keys[2] = { NULL, NULL };
	X509_REQ *reqs[2] = { NULL, NULL };
	char *pems[2] = { NULL, NULL }, *paths[2] = { NULL, NULL };
	char kids[2][41], cn[400] = "", sur[128] = "", giv[128] = "", storage[32];
	const char *field;
	enum qt_storage medium = QT_STORAGE_PKCS12;
	cJSON *o = NULL;
	qt_err rc;
	int i;

	memset(rec, 0, sizeof *rec);
	if ((rc = qt_enroll_validate(r, NULL, &field)) != QT_OK)
		return rc;
	if (r->token != NULL) {
		struct qt_token_info ti;

		if ((rc = qt_token_info(r->token, &ti)) != QT_OK)
			return rc;
		medium = ti.medium;
		if (r->storage != NULL) {
			snprintf(storage, sizeof storage, "%s", r->storage);
		} else if (medium == QT_STORAGE_UNKNOWN || medium == QT_STORAGE_PKCS12) {
			return qt_error(QT_ERR_INVALID_ARG,
			                _("token \"%s\": its kind (Kaztoken, eToken, ...) is not known; "
			                  "name it (\"medium\" in the batch file, or module.MEDIUM in the "
			                  "configuration)"), ti.label);
		} else {
			snprintf(storage, sizeof storage, "%s", qt_storage_name(medium));
		}
		for (i = 1; i <= 7; i++)
			if (strcmp(qt_storage_name((enum qt_storage)i), storage) == 0)
				medium = (enum qt_storage)i;
	} else {
		snprintf(storage, sizeof storage, "pkcs12");
		if ((rc = qt_mkdir_p(r->folder, 0700)) != QT_OK)
			return rc;
	}
	if (r->person != NULL && r->person->full_name[0]) {
		snprintf(cn, sizeof cn, "%s %s", r->person->surname, r->person->given_name);
		snprintf(sur, sizeof sur, "%s", r->person->surname);
		snprintf(giv, sizeof giv, "%s", r->person->patronymic);
	} else if (r->entity != NULL && strcmp(r->subject_type, "chairman") == 0 &&
	           r->entity->head_full_name[0]) {
		split_name(r->entity->head_full_name, sur, sizeof sur, giv, sizeof giv);
		snprintf(cn, sizeof cn, "%s", r->entity->head_full_name);
		giv[0] = '\0';
	}

	for (i = 0; i < 2; i++) {
		enum qt_enroll_phase ph = i == 0 ? QT_ENROLL_KEYGEN_AUTH : QT_ENROLL_KEYGEN_SIGN;
		enum qt_purpose pu = i == 0 ? QT_PURPOSE_AUTH : QT_PURPOSE_SIGN;
		struct qt_csr_params cp = {
			cn, sur, giv, r->iin, r->bin,
			r->entity ? r->entity->name : NULL, r->email, pu, medium
		};

		if (r->token != NULL) {
			char label[64];

			if (!tell(fn, data, ph, 0)) {
				rc = qt_error(QT_ERR_CANCELLED, "%s", qt_enroll_phase_label(ph));
				goto out;
			}
			snprintf(label, sizeof label, "%s %s", i == 0 ? "AUTH" : "SIGN", r->iin);
			rc = qt_token_keygen(r->token, r->keytype, label, kids[i], &keys[i]);
			if (rc == QT_OK && !tell(fn, data, ph, 100))
				rc = qt_error(QT_ERR_CANCELLED, "%s", qt_enroll_phase_label(ph));
			if (rc != QT_OK)
				goto out;
			if (!tell(fn, data, QT_ENROLL_REQUESTS, i * 50))
				rc = qt_error(QT_ERR_CANCELLED, "%s", qt_enroll_phase_label(ph));
			else
				rc = token_csr(r->token, kids[i], keys[i], r->keytype, &cp, &reqs[i]);
		} else {
			rc = keygen_progress(r->keytype, ph, fn, data, &keys[i]);
			if (rc == QT_OK)
				rc = qt_keyid_of_key(keys[i], kids[i]);
			if (rc == QT_OK)
				rc = qt_pending_save(r->folder, keys[i], pu, r->password, &paths[i]);
			if (rc == QT_OK)
				rc = qt_csr_create(keys[i], &cp, &reqs[i]);
		}
		if (rc == QT_OK)
			rc = qt_csr_pem(reqs[i], &pems[i]);
		if (rc != QT_OK)
			goto out;
	}
	tell(fn, data, QT_ENROLL_REQUESTS, 100);

	random_id(rec->id);
	snprintf(rec->portal, sizeof rec->portal, "%s", portal_id ? portal_id : "");
	snprintf(rec->subject_type, sizeof rec->subject_type, "%s", r->subject_type);
	snprintf(rec->iin, sizeof rec->iin, "%s", r->iin);
	snprintf(rec->bin, sizeof rec->bin, "%s", r->bin ? r->bin : "");
	snprintf(rec->storage, sizeof rec->storage, "%s",
	         r->token ? (r->token_label ? r->token_label : storage) : "pc");
	if (r->folder != NULL && r->token == NULL) {
		char *abs = realpath(r->folder, NULL);

		snprintf(rec->folder, sizeof rec->folder, "%s", abs ? abs : r->folder);
		free(abs);
	}
	memcpy(rec->auth_keyid, kids[0], 41);
	memcpy(rec->sign_keyid, kids[1], 41);
	rec->step = QT_STEP_KEYS_GENERATED;
	rec->created = rec->updated = time(NULL);

	/* The application as it will be sent, for a resubmission after a
	 * crash (no secret in it). */
	o = cJSON_CreateObject();
	if (o == NULL) {
		rc = QT_ERR_NOMEM;
		goto out;
	}
	cJSON_AddStringToObject(o, "subject_type", r->subject_type);
	cJSON_AddStringToObject(o, "iin", r->iin);
	cJSON_AddStringToObject(o, "bin", r->bin ? r->bin : "");
	cJSON_AddStringToObject(o, "email", r->email ? r->email : "");
	cJSON_AddStringToObject(o, "region", r->region);
	cJSON_AddStringToObject(o, "city", r->city);
	cJSON_AddStringToObject(o, "storage", storage);
	cJSON_AddStringToObject(o, "auth_csr", pems[0]);
	cJSON_AddStringToObject(o, "sign_csr", pems[1]);
	cJSON_AddStringToObject(o, "full_name", r->person ? r->person->full_name :
	                        r->entity ? r->entity->head_full_name : "");
	cJSON_AddStringToObject(o, "organization", r->entity ? r->entity->name : "");
	if ((rc = save_request(journal, rec->id, o)) != QT_OK)
		goto out;
	rc = qt_journal_put(journal, rec);
	if (rc == QT_OK)
		qt_crashpoint("enroll_generated");
out:
	cJSON_Delete(o);
	if (rc != QT_OK) {
		/* Not journalled: pending files nobody would find again. */
		for (i = 0; i < 2; i++)
			if (paths[i] != NULL)
				unlink(paths[i]);
	}
	for (i = 0; i < 2; i++) {
		EVP_PKEY_free(keys[i]);
		X509_REQ_free(reqs[i]);
		free(pems[i]);
		free(paths[i]);
	}
	return rc;
}

/* ---- Submission ----------------------------------------------------------- */

qt_err qt_enroll_submit(qt_portal *p, const char *journal, struct qt_app_record *rec,
                        const struct qt_captcha_answer *ca, struct qt_submission *sub)
{
	struct qt_submission local;
	struct qt_application a;
	cJSON *o = NULL;
	qt_err rc;

	if (sub == NULL)
		sub = &local;
	memset(sub, 0, sizeof *sub);
	if (rec->step != QT_STEP_KEYS_GENERATED) {
		snprintf(sub->number, sizeof sub->number, "%s", rec->number);
		return QT_OK;
	}
	if ((rc = load_request(journal, rec->id, &o)) != QT_OK)
		return rc;
	memset(&a, 0, sizeof a);
	a.subject_type = rs(o, "subject_type");
	a.iin = rs(o, "iin");
	a.bin = rs(o, "bin");
	a.email = rs(o, "email");
	a.region = rs(o, "region");
	a.city = rs(o, "city");
	a.storage = rs(o, "storage");
	a.auth_csr_pem = rs(o, "auth_csr");
	a.sign_csr_pem = rs(o, "sign_csr");
	a.idempotency_key = rec->id;
	if (ca != NULL)
		a.captcha = *ca;
	rc = qt_portal_submit(p, &a, sub);
	if (rc != QT_OK)
		goto out;
	qt_crashpoint("enroll_sent");
	snprintf(rec->number, sizeof rec->number, "%s", sub->number);
	snprintf(rec->access, sizeof rec->access, "%s", sub->access_token);
	if (rec->portal[0] == '\0')
		snprintf(rec->portal, sizeof rec->portal, "%s", qt_portal_id(p));
	rec->step = QT_STEP_SUBMITTED;
	rec->updated = time(NULL);
	rc = qt_journal_put(journal, rec);
	if (rc == QT_OK) {
		cJSON_DeleteItemFromObject(o, "number");
		cJSON_AddStringToObject(o, "number", sub->number);
		if (sub->verify_by) {
			char t[32];

			qt_time_iso8601(sub->verify_by, t);
			cJSON_DeleteItemFromObject(o, "verify_by");
			cJSON_AddStringToObject(o, "verify_by", t);
		}
		(void)save_request(journal, rec->id, o);   /* for the form only */
	}
out:
	cJSON_Delete(o);
	return rc;
}

qt_err qt_enroll_apply(qt_portal *p, const char *journal, const struct qt_enroll_request *r,
                       const struct qt_captcha_answer *ca, qt_enroll_progress_fn fn,
                       void *data, struct qt_app_record *rec)
{
	qt_err rc = qt_enroll_generate(journal, r, qt_portal_id(p), fn, data, rec);

	if (rc != QT_OK)
		return rc;
	if (!tell(fn, data, QT_ENROLL_SUBMIT, 0))
		return qt_error(QT_ERR_CANCELLED, "%s", qt_enroll_phase_label(QT_ENROLL_SUBMIT));
	rc = qt_enroll_submit(p, journal, rec, ca, NULL);
	if (rc == QT_OK)
		tell(fn, data, QT_ENROLL_DONE, 100);
	return rc;
}

/* ---- Status ------------------------------------------------------------------ */

static enum qt_app_step step_of(enum qt_app_status s, enum qt_app_step cur)
{
	switch (s) {
	case QT_APP_PENDING: return QT_STEP_SUBMITTED;
	case QT_APP_ISSUED: return cur == QT_STEP_INSTALLED ? cur : QT_STEP_ISSUED;
	case QT_APP_INSTALLED: return QT_STEP_INSTALLED;
	case QT_APP_REJECTED: return QT_STEP_REJECTED;
	case QT_APP_CANCELLED: return QT_STEP_CANCELLED;
	default: return cur;
	}
}

qt_err qt_enroll_refresh(qt_portal *p, const char *journal, struct qt_app_record *rec,
                         struct qt_app_info *info)
{
	struct qt_app_info local;
	enum qt_app_step st;
	time_t end;
	qt_err rc;

	if (info == NULL)
		info = &local;
	if (rec->step == QT_STEP_KEYS_GENERATED || rec->number[0] == '\0')
		return qt_error(QT_ERR_PORTAL_NOT_FOUND,
		                _("this application was not sent yet; its keys are in %s"),
		                rec->folder[0] ? rec->folder : rec->storage);
	rc = qt_portal_status(p, rec->number, rec->access, info);
	if (rc != QT_OK)
		return rc;
	st = step_of(info->status, rec->step);
	end = 0;
	for (size_t i = 0; i < info->cert_count; i++)
		if (info->certs[i].not_after && (!end || info->certs[i].not_after < end))
			end = info->certs[i].not_after;
	if (st != rec->step || (end && end != rec->not_after)) {
		rec->step = st;
		if (end)
			rec->not_after = end;   /* for the expiry notice at start */
		rec->updated = time(NULL);
		rc = qt_journal_put(journal, rec);
	}
	return rc;
}

/* ---- Installation ------------------------------------------------------------ */

/* Before installing: the record's state allows it. */
static qt_err install_precheck(qt_portal *p, const char *journal, struct qt_app_record *rec,
                               bool *confirmed)
{
	struct qt_app_info info;
	qt_err rc;

	*confirmed = false;
	if (rec->step == QT_STEP_KEYS_GENERATED)
		return qt_error(QT_ERR_PORTAL_CONFLICT, _("application not sent yet (qoltanba apply --resume)"));
	rc = qt_enroll_refresh(p, journal, rec, &info);
	if (rc != QT_OK)
		return rc;
	switch (info.status) {
	case QT_APP_ISSUED:
		return QT_OK;
	case QT_APP_INSTALLED:
		*confirmed = true;
		return QT_OK;
	case QT_APP_PENDING:
		return qt_error(QT_ERR_PORTAL_CONFLICT,
		                _("application %s is not approved yet: it waits for the Registration "
		                  "Authority"), rec->number);
	case QT_APP_REJECTED:
		return qt_error(QT_ERR_PORTAL_CONFLICT, _("application %s was rejected: %s"),
		                rec->number, info.reason);
	case QT_APP_CANCELLED:
		return qt_error(QT_ERR_PORTAL_CONFLICT,
		                _("application %s was cancelled: it was not verified within 30 days; "
		                  "apply again"), rec->number);
	default:
		return qt_error(QT_ERR_PORTAL_REPLY, "status");
	}
}

static qt_err confirm(qt_portal *p, const char *journal, struct qt_app_record *rec,
                      const char *nonce, const unsigned char *as, size_t al,
                      const unsigned char *ss, size_t sl)
{
	struct qt_app_info info;
	qt_err rc = qt_portal_install(p, rec->number, rec->access, as, al, ss, sl, &info);

	if (rc == QT_ERR_PORTAL_CONFLICT && strcmp(qt_portal_error_code(p), "already_installed") == 0)
		rc = QT_OK;   /* confirmed before a crash, journal not updated */
	(void)nonce;
	if (rc != QT_OK)
		return rc;
	rec->step = QT_STEP_INSTALLED;
	rec->updated = time(NULL);
	return qt_journal_put(journal, rec);
}

qt_err qt_enroll_install_pc(qt_portal *p, const char *journal, struct qt_app_record *rec,
                            const char *folder, const char *password,
                            qt_enroll_progress_fn fn, void *data, char *paths[2])
{
	struct qt_p12_params params = { QT_P12_MODERN, 0 };
	struct qt_app_certs certs;
	char *out[2] = { NULL, NULL }, text[256], *pend = NULL;
	unsigned char *sig[2] = { NULL, NULL };
	size_t siglen[2] = { 0, 0 };
	const char *dir = folder ? folder : rec->folder;
	bool confirmed;
	qt_err rc;
	int i;

	memset(&certs, 0, sizeof certs);
	if (paths != NULL)
		paths[0] = paths[1] = NULL;
	if (strcmp(rec->storage, "pc") != 0)
		return qt_error(QT_ERR_INVALID_ARG,
		                _("application %s keeps its keys on the token \"%s\": install with --token"),
		                rec->number, rec->storage);
	if (rec->step == QT_STEP_INSTALLED)
		return qt_error(QT_ERR_PORTAL_CONFLICT,
		                _("application %s is installed already: its key files are in %s"),
		                rec->number, rec->folder);
	/* Where the keys are before asking the portal anything. */
	for (i = 0; i < 2; i++) {
		const char *kid = i == 0 ? rec->auth_keyid : rec->sign_keyid;

		rc = qt_pending_find(dir, kid, &pend);
		free(pend);
		pend = NULL;
		if (rc == QT_ERR_PENDING_NOT_FOUND) {
			/* Maybe done already (a crash after writing the .p12). */
			char pat[PATH_MAX + 64];

			if ((size_t)snprintf(pat, sizeof pat, "%s/%sRSA256_%s.p12", dir,
			                     i == 0 ? "AUTH_" : "", kid) < sizeof pat &&
			    access(pat, F_OK) == 0)
				continue;
			if ((size_t)snprintf(pat, sizeof pat, "%s/%sECP256_%s.p12", dir,
			                     i == 0 ? "AUTH_" : "", kid) < sizeof pat &&
			    access(pat, F_OK) == 0)
				continue;
			if (folder != NULL && strcmp(folder, rec->folder) != 0)
				return qt_error(QT_ERR_PENDING_NOT_FOUND,
				                _("%s has no pending key of application %s; the journal says "
				                  "its keys are in %s"), folder, rec->number, rec->folder);
			return qt_error(QT_ERR_PENDING_NOT_FOUND,
			                _("the pending keys of application %s are not in %s any more"),
			                rec->number, dir);
		}
		if (rc != QT_OK)
			return rc;
	}
	if ((rc = install_precheck(p, journal, rec, &confirmed)) != QT_OK)
		return rc;
	if (!tell(fn, data, QT_ENROLL_FETCH, 0))
		return qt_error(QT_ERR_CANCELLED, "%s", qt_enroll_phase_label(QT_ENROLL_FETCH));
	if ((rc = qt_portal_certificates(p, rec->number, rec->access, &certs)) != QT_OK)
		return rc;
	if ((rc = qt_install_proof_text(rec->number, certs.install_nonce, text, sizeof text)) != QT_OK)
		goto out;
	for (i = 0; i < 2; i++) {
		X509 *cert = i == 0 ? certs.auth : certs.sign;
		qt_keyfile *kf = NULL;

		const char *kid = i == 0 ? rec->auth_keyid : rec->sign_keyid;
		EVP_PKEY *key = NULL;

		tell(fn, data, QT_ENROLL_STORE, i * 50);
		/* The proof is signed with the pending key when it is still
		 * there (one decryption fewer than reopening the .p12), else
		 * (a second run after a crash) with the installed file's. */
		if (qt_pending_find(dir, kid, &pend) == QT_OK) {
			rc = qt_pending_load(pend, password, &key);
			if (rc == QT_OK)
				rc = qt_portal_sign_text_(key, text, &sig[i], &siglen[i],
				                          "proof of possession");
			EVP_PKEY_free(key);
			free(pend);
			pend = NULL;
			if (rc == QT_OK)
				rc = qt_pending_install(dir, cert, password, &params, &out[i]);
		} else {
			rc = qt_pending_install(dir, cert, password, &params, &out[i]);
			if (rc == QT_OK)
				rc = qt_keyfile_open(out[i], password, &kf);
			if (rc == QT_OK && qt_keyfile_key(kf) == NULL)
				rc = qt_error(QT_ERR_NO_KEY, "%s", out[i]);
			if (rc == QT_OK)
				rc = qt_portal_sign_text_(qt_keyfile_key(kf), text, &sig[i],
				                          &siglen[i], "proof of possession");
			qt_keyfile_free(kf);
		}
		if (rc != QT_OK)
			goto out;
	}
	qt_crashpoint("enroll_stored");
	tell(fn, data, QT_ENROLL_CONFIRM, 0);
	rc = confirm(p, journal, rec, certs.install_nonce, sig[0], siglen[0], sig[1], siglen[1]);
	if (rc == QT_OK && folder != NULL && strcmp(folder, rec->folder) != 0) {
		char *abs = realpath(folder, NULL);

		snprintf(rec->folder, sizeof rec->folder, "%s", abs ? abs : folder);
		free(abs);
		rc = qt_journal_put(journal, rec);
	}
	if (rc == QT_OK)
		tell(fn, data, QT_ENROLL_DONE, 100);
out:
	qt_app_certs_clear(&certs);
	for (i = 0; i < 2; i++) {
		OPENSSL_free(sig[i]);
		if (paths != NULL && rc == QT_OK)
			paths[i] = out[i];
		else
			free(out[i]);
	}
	return rc;
}

qt_err qt_enroll_install_token(qt_portal *p, const char *journal, struct qt_app_record *rec,
                               qt_token *t, qt_enroll_progress_fn fn, void *data)
{
	struct qt_app_certs certs;
	unsigned char *sig[2] = { NULL, NULL };
	size_t siglen[2] = { 0, 0 };
	char text[256];
	bool confirmed;
	qt_err rc;
	int i;

	memset(&certs, 0, sizeof certs);
	if (strcmp(rec->storage, "pc") == 0)
		return qt_error(QT_ERR_INVALID_ARG,
		                _("application %s keeps its keys in the folder %s: install with --keys"),
		                rec->number, rec->folder);
	if (rec->step == QT_STEP_INSTALLED)
		return qt_error(QT_ERR_PORTAL_CONFLICT,
		                _("application %s is installed already on the token \"%s\""),
		                rec->number, rec->storage);
	if ((rc = install_precheck(p, journal, rec, &confirmed)) != QT_OK)
		return rc;
	tell(fn, data, QT_ENROLL_FETCH, 0);
	if ((rc = qt_portal_certificates(p, rec->number, rec->access, &certs)) != QT_OK)
		return rc;
	if ((rc = qt_install_proof_text(rec->number, certs.install_nonce, text, sizeof text)) != QT_OK)
		goto out;
	for (i = 0; i < 2; i++) {
		X509 *cert = i == 0 ? certs.auth : certs.sign;
		const char *kid = i == 0 ? rec->auth_keyid : rec->sign_keyid;

		tell(fn, data, QT_ENROLL_STORE, i * 50);
		rc = qt_token_store_cert(t, cert, NULL);
		if (rc == QT_ERR_EXISTS)
			rc = QT_OK;
		if (rc == QT_ERR_KEY_MISMATCH)
			rc = qt_error(QT_ERR_PENDING_NOT_FOUND,
			              _("this token has no key %s of application %s (the journal says "
			                "the keys are on the token \"%s\")"), kid, rec->number, rec->storage);
		if (rc == QT_OK)
			rc = qt_token_sign(t, kid, (const unsigned char *)text, strlen(text),
			                   &sig[i], &siglen[i]);
		if (rc != QT_OK)
			goto out;
	}
	tell(fn, data, QT_ENROLL_CONFIRM, 0);
	rc = confirm(p, journal, rec, certs.install_nonce, sig[0], siglen[0], sig[1], siglen[1]);
	if (rc == QT_OK)
		tell(fn, data, QT_ENROLL_DONE, 100);
out:
	qt_app_certs_clear(&certs);
	OPENSSL_free(sig[0]);
	OPENSSL_free(sig[1]);
	return rc;
}

/* ---- Resumption and lookups ------------------------------------------------ */

qt_err qt_enroll_resume(qt_portal *p, const char *journal, qt_enroll_report_fn report, void *data)
{
	struct qt_journal *j;
	qt_err rc;
	size_t i;

	if ((rc = qt_journal_load(journal, &j)) != QT_OK)
		return rc;
	for (i = 0; i < j->count; i++) {
		struct qt_app_record rec = j->records[i];
		qt_err r1;

		if (strcmp(rec.portal, qt_portal_id(p)) != 0 && rec.portal[0] != '\0')
			continue;
		switch (rec.step) {
		case QT_STEP_KEYS_GENERATED:
			r1 = qt_enroll_submit(p, journal, &rec, NULL, NULL);
			break;
		case QT_STEP_SUBMITTED:
		case QT_STEP_ISSUED:
			r1 = qt_enroll_refresh(p, journal, &rec, NULL);
			break;
		default:
			continue;
		}
		if (report != NULL)
			report(data, &rec, r1);
		if (r1 == QT_ERR_NETWORK || r1 == QT_ERR_TIMEOUT || r1 == QT_ERR_TLS ||
		    r1 == QT_ERR_CANCELLED) {
			rc = r1;   /* the portal is not there: the others would fail too */
			break;
		}
		OPENSSL_cleanse(&rec, sizeof rec);
	}
	qt_journal_free(j);
	return rc;
}

qt_err qt_enroll_find(const char *journal, const char *key, struct qt_app_record *out)
{
	const struct qt_app_record *r;
	struct qt_journal *j;
	qt_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = qt_journal_load(journal, &j)) != QT_OK)
		return rc;
	r = qt_journal_find_number(j, key);
	if (r == NULL)
		r = qt_journal_find_id(j, key);
	if (r != NULL)
		*out = *r;
	else
		rc = qt_error(QT_ERR_NOT_FOUND,
		              _("application %s is not in this computer's journal (qoltanba applications "
		                "lists them)"), key);
	qt_journal_free(j);
	return rc;
}

/* ---- The application form ---------------------------------------------------- */

struct form {
	char number[40], date[32], verify_by[32];
	const char *type, *iin, *bin, *name, *org, *email, *region, *city, *storage, *folder;
};

static void date_only(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d", &tm);
}

static qt_err form_fill(const char *journal, const struct qt_app_record *rec, cJSON **o,
                        struct form *f)
{
	qt_err rc = load_request(journal, rec->id, o);
	const char *vb;

	if (rc != QT_OK)
		return rc;
	memset(f, 0, sizeof *f);
	snprintf(f->number, sizeof f->number, "%s", rec->number[0] ? rec->number : _("(not sent yet)"));
	date_only(rec->created, f->date);
	vb = rs(*o, "verify_by");
	if (*vb)
		snprintf(f->verify_by, sizeof f->verify_by, "%.10s", vb);
	else
		date_only(rec->created + 30 * 86400, f->verify_by);
	f->type = rs(*o, "subject_type");
	f->iin = rs(*o, "iin");
	f->bin = rs(*o, "bin");
	f->name = rs(*o, "full_name");
	f->org = rs(*o, "organization");
	f->email = rs(*o, "email");
	f->region = rs(*o, "region");
	f->city = rs(*o, "city");
	f->storage = rs(*o, "storage");
	f->folder = rec->folder;
	return QT_OK;
}

static char *join_lines(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *join_lines(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static const char *type_label(const char *t)
{
	if (strcmp(t, "individual") == 0) return _("Individual");
	if (strcmp(t, "chairman") == 0) return _("Legal entity: first head (chairman)");
	if (strcmp(t, "signing_right") == 0) return _("Legal entity: person with signing right");
	if (strcmp(t, "financial") == 0) return _("Legal entity: signing right for financial documents");
	if (strcmp(t, "hr") == 0) return _("Legal entity: HR officer");
	if (strcmp(t, "employee") == 0) return _("Legal entity: employee");
	return t;
}

/* Appends "LABEL  VALUE\n" with the label padded to 24 columns. */
static bool add_line(char **buf, const char *label, const char *value)
{
	char *n = NULL;
	size_t chars = mbstowcs(NULL, label, 0);   /* translated labels: count characters */
	int pad = 24 - (int)(chars == (size_t)-1 ? strlen(label) : chars);

	if (asprintf(&n, "%s%s%*s%s\n", *buf ? *buf : "", label, pad > 1 ? pad : 1, "", value) < 0)
		return false;
	free(*buf);
	*buf = n;
	return true;
}

qt_err qt_application_form_text(const char *journal, const struct qt_app_record *rec, char **out)
{
	struct form f;
	cJSON *o = NULL;
	char region[64], *tail = NULL, *full = NULL;
	qt_err rc = form_fill(journal, rec, &o, &f);
	bool ok;

	*out = NULL;
	if (rc != QT_OK)
		return rc;
	snprintf(region, sizeof region, "%s, %.40s", f.region, f.city);
	ok = asprintf(out, "%s\n\n", _("APPLICATION FOR DIGITAL SIGNATURE KEYS")) >= 0;
	if (!ok)
		*out = NULL;
	ok = ok && add_line(out, _("Application number:"), f.number) &&
	     add_line(out, _("Date:"), f.date) &&
	     add_line(out, _("Applicant:"), type_label(f.type)) &&
	     add_line(out, _("Full name:"), *f.name ? f.name : "-") &&
	     add_line(out, _("IIN:"), f.iin) &&
	     (!*f.bin || (add_line(out, _("BIN:"), f.bin) &&
	                  add_line(out, _("Organisation:"), *f.org ? f.org : "-"))) &&
	     add_line(out, _("E-mail:"), *f.email ? f.email : "-") &&
	     add_line(out, _("Region, city:"), region) &&
	     add_line(out, _("Keys storage:"), f.storage);
	if (ok && asprintf(&tail, _("Take this form and your identity document to a Registration "
	                            "Authority\nwithin 30 days, by %s; otherwise the application is "
	                            "cancelled.\n"), f.verify_by) >= 0 &&
	    asprintf(&full, "%s\n%s", *out, tail) >= 0) {
		free(*out);
		*out = full;
	} else {
		free(*out);
		*out = NULL;
	}
	free(tail);
	cJSON_Delete(o);
	return *out ? QT_OK : QT_ERR_NOMEM;
}

static char *html_escape(const char *s)
{
	size_t n = 1;
	const char *p;
	char *o, *q;

	for (p = s; *p; p++)
		n += *p == '&' ? 5 : (*p == '<' || *p == '>') ? 4 : *p == '"' ? 6 : 1;
	o = malloc(n);
	if (o == NULL)
		return NULL;
	for (p = s, q = o; *p; p++) {
		const char *r = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" :
		                *p == '"' ? "&quot;" : NULL;

		if (r != NULL) {
			memcpy(q, r, strlen(r));
			q += strlen(r);
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	return o;
}

qt_err qt_application_form_html(const char *journal, const struct qt_app_record *rec, char **out)
{
	struct form f;
	cJSON *o = NULL;
	char *e[9];
	qt_err rc = form_fill(journal, rec, &o, &f);
	int i;

	*out = NULL;
	if (rc != QT_OK)
		return rc;
	e[0] = html_escape(type_label(f.type));
	e[1] = html_escape(f.iin);
	e[2] = html_escape(*f.name ? f.name : "-");
	e[3] = html_escape(*f.bin ? f.bin : "-");
	e[4] = html_escape(*f.org ? f.org : "-");
	e[5] = html_escape(*f.email ? f.email : "-");
	e[6] = html_escape(f.region);
	e[7] = html_escape(f.city);
	e[8] = html_escape(f.storage);
	for (i = 0; i < 9; i++)
		if (e[i] == NULL)
			rc = QT_ERR_NOMEM;
	if (rc == QT_OK)
		*out = join_lines(
			"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			"<title>%s %s</title>\n<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}"
			"th{text-align:left;padding-right:1em}td,th{padding:.3em}</style></head><body>\n"
			"<h1>%s</h1>\n<table>\n"
			"<tr><th>%s</th><td><b>%s</b></td></tr>\n<tr><th>%s</th><td>%s</td></tr>\n"
			"<tr><th>%s</th><td>%s</td></tr>\n<tr><th>%s</th><td>%s</td></tr>\n"
			"<tr><th>%s</th><td>%s</td></tr>\n<tr><th>%s</th><td>%s</td></tr>\n"
			"<tr><th>%s</th><td>%s</td></tr>\n<tr><th>%s</th><td>%s</td></tr>\n"
			"<tr><th>%s</th><td>%s, %s</td></tr>\n<tr><th>%s</th><td>%s</td></tr>\n"
			"</table>\n<p><b>%s %s.</b></p>\n</body></html>\n",
			_("Application"), f.number,
			_("APPLICATION FOR DIGITAL SIGNATURE KEYS"),
			_("Application number:"), f.number, _("Date:"), f.date,
			_("Applicant:"), e[0], _("IIN:"), e[1], _("Full name:"), e[2],
			_("BIN:"), e[3], _("Organisation:"), e[4], _("E-mail:"), e[5],
			_("Region, city:"), e[6], e[7], _("Keys storage:"), e[8],
			_("Take this form and your identity document to a Registration Authority within "
			  "30 days; otherwise the application is cancelled. Last day:"), f.verify_by);
	for (i = 0; i < 9; i++)
		free(e[i]);
	cJSON_Delete(o);
	if (rc == QT_OK && *out == NULL)
		rc = QT_ERR_NOMEM;
	return rc;
}

/* ---- For re-issuance from the personal account (account.c) -------------- */

qt_err qt_enroll_request_fields_(const char *journal, const char *id, char **auth_csr,
                                 char **sign_csr, char **storage)
{
	cJSON *o = NULL;
	qt_err rc = load_request(journal, id, &o);

	*auth_csr = *sign_csr = *storage = NULL;
	if (rc != QT_OK)
		return rc;
	*auth_csr = strdup(rs(o, "auth_csr"));
	*sign_csr = strdup(rs(o, "sign_csr"));
	*storage = strdup(rs(o, "storage"));
	cJSON_Delete(o);
	if (*auth_csr == NULL || *sign_csr == NULL || *storage == NULL) {
		free(*auth_csr);
		free(*sign_csr);
		free(*storage);
		*auth_csr = *sign_csr = *storage = NULL;
		return QT_ERR_NOMEM;
	}
	return QT_OK;
}
