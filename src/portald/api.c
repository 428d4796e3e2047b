/* The JSON API under /api/v1 and the CA's publication points.  Every
 * reply is JSON (errors: {"error": {"code", "message"}}) except the
 * CRLs, the chain and OCSP.  See doc/api.md. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <qoltanba/idnum.h>
#include <qoltanba/keygen.h>

#include "portald/ca.h"
#include "portald/catalog.h"
#include "portald/http.h"
#include "portald/log.h"
#include "portald/service.h"

/* ---- Published CA objects, kept in memory ------------------------ */

struct blob {
	unsigned char *data;
	size_t len;
};

static pthread_mutex_t pub_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t crl_make_lock = PTHREAD_MUTEX_INITIALIZER;
static struct blob pub_crl, pub_root_crl, pub_p7c, pub_chain_pem;
static time_t pub_crl_time, pub_root_crl_time;

static void blob_set(struct blob *b, unsigned char *data, size_t len)
{
	pthread_mutex_lock(&pub_lock);
	free(b->data);
	b->data = data;
	b->len = len;
	pthread_mutex_unlock(&pub_lock);
}

static void reply_blob(struct pd_req *r, struct blob *b, const char *ctype, const char *cache)
{
	pthread_mutex_lock(&pub_lock);
	if (b->data)
		pd_reply(r, 200, ctype, b->data, b->len, cache);
	pthread_mutex_unlock(&pub_lock);
	if (!r->replied)
		pd_reply_error(r, 503, "unavailable", "not published yet");
}

struct revs {
	struct pd_revocation *v;
	size_t n, cap;
};

static int add_rev(void *ctx, const struct pd_cert *c)
{
	struct revs *rv = ctx;

	if (rv->n == rv->cap) {
		size_t cap = rv->cap ? rv->cap * 2 : 64;
		void *p = realloc(rv->v, cap * sizeof(*rv->v));

		if (!p)
			return 1;
		rv->v = p;
		rv->cap = cap;
	}
	memset(&rv->v[rv->n], 0, sizeof(rv->v[rv->n]));
	if (pd_ca_serial_from_hex(c->serial, rv->v[rv->n].serial) != QT_OK)
		return 0;
	rv->v[rv->n].when = c->revoked_at;
	rv->v[rv->n].reason = c->reason < 0 ? 0 : c->reason;
	rv->n++;
	return 0;
}

static long next_number(struct pd_store *s, const char *key)
{
	char buf[32] = "0", out[32];
	long n;

	s->ops->meta_get(s, key, buf, sizeof(buf));
	n = strtol(buf, NULL, 10) + 1;
	snprintf(out, sizeof(out), "%ld", n);
	return s->ops->meta_set(s, key, out) == PD_OK ? n : -1;
}

int pd_crl_refresh(struct pd_server *srv)
{
	struct pd_store *s = srv->store;
	struct revs rv = { NULL, 0, 0 };
	unsigned char *der = NULL;
	size_t len = 0;
	time_t now = pd_now();
	long num;
	int rc = -1;

	pthread_mutex_lock(&crl_make_lock);
	if (s->ops->cert_list_revoked(s, add_rev, &rv) != PD_OK)
		goto out;
	if ((num = next_number(s, "crl_number")) < 0)
		goto out;
	if (pd_ca_crl(srv->ca, rv.v, rv.n, now, num, &der, &len) != QT_OK) {
		pd_log_error("crl", "%s", qt_error_detail());
		goto out;
	}
	blob_set(&pub_crl, der, len);
	pub_crl_time = now;
	pd_log_info("crl", "published CRL number %ld with %zu revoked certificate(s)", num, rv.n);
	rc = 0;
out:
	pthread_mutex_unlock(&crl_make_lock);
	free(rv.v);
	return rc;
}

static int root_crl_refresh(struct pd_server *srv)
{
	unsigned char *der;
	size_t len;
	long num;

	pthread_mutex_lock(&crl_make_lock);
	num = next_number(srv->store, "root_crl_number");
	if (num < 0 || pd_ca_root_crl(srv->ca, pd_now(), num, &der, &len) != QT_OK) {
		pthread_mutex_unlock(&crl_make_lock);
		pd_log_error("crl", "root CRL: %s", qt_error_detail());
		return -1;
	}
	blob_set(&pub_root_crl, der, len);
	pub_root_crl_time = pd_now();
	pthread_mutex_unlock(&crl_make_lock);
	return 0;
}

void pd_maintenance(struct pd_server *srv, bool startup)
{
	time_t now = pd_now();

	pd_svc_cancel_stale(srv);
	srv->store->ops->captcha_purge(srv->store, now - 3600);
	if (!srv->ca)
		return;
	if (startup) {
		unsigned char *der;
		size_t len;
		char *pem;

		if (pd_ca_chain_p7c(srv->ca, &der, &len) == QT_OK)
			blob_set(&pub_p7c, der, len);
		if (pd_ca_chain_pem(srv->ca, &pem) == QT_OK)
			blob_set(&pub_chain_pem, (unsigned char *)pem, strlen(pem));
	}
	/* Twice per CRL period, so a fetched CRL is never stale. */
	if (startup || now - pub_crl_time >= PD_CA_CRL_PERIOD / 2)
		pd_crl_refresh(srv);
	if (startup || now - pub_root_crl_time >= PD_CA_CRL_PERIOD / 2)
		root_crl_refresh(srv);
}

/* ---- Helpers ------------------------------------------------------ */

static void internal(struct pd_req *r)
{
	pd_reply_error(r, 500, "internal", "internal error; see the server log");
}

static void reply_result(struct pd_req *r, const struct pd_result *res)
{
	pd_reply_error(r, res->http, res->code, "%s", res->msg);
}

static void add_time(cJSON *o, const char *name, time_t t)
{
	char buf[32];

	pd_time_iso(t, buf);
	cJSON_AddStringToObject(o, name, buf);
}

/* An empty body or "{}". */
static bool empty_body(struct pd_req *r)
{
	static const struct pd_field none[] = { { NULL, 0, false } };
	cJSON *o;

	if (!r->body_len && !r->too_big)
		return true;
	o = pd_body_json(r, none);
	cJSON_Delete(o);
	return o != NULL;
}

static bool idnum_error(struct pd_req *r, const char *kind, const char *value, bool iin)
{
	qt_err e = iin ? qt_iin_parse(value, NULL) : qt_bin_parse(value, NULL);

	if (e == QT_OK)
		return false;
	if (e == QT_ERR_IDNUM_CHECKSUM)
		pd_reply_error(r, 422, iin ? "iin_checksum" : "bin_checksum",
		               "%s %s fails its checksum: %s", kind, value, qt_error_detail());
	else
		pd_reply_error(r, 422, iin ? "invalid_iin" : "invalid_bin", "%s is not a valid %s: %s",
		               value, kind, qt_error_detail());
	return true;
}

/* ---- Captcha ------------------------------------------------------ */

#define RL_SLOTS 1024
static struct {
	char client[64];
	time_t window;
	int count;
} ratelimit[RL_SLOTS];
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

static bool rate_ok(const char *client, int per_minute)
{
	unsigned h = 5381;
	time_t w = pd_now() / 60;
	bool ok;

	for (const char *p = client; *p; p++)
		h = h * 33 + (unsigned char)*p;
	h %= RL_SLOTS;
	pthread_mutex_lock(&rl_lock);
	if (strcmp(ratelimit[h].client, client) || ratelimit[h].window != w) {
		snprintf(ratelimit[h].client, sizeof(ratelimit[h].client), "%s", client);
		ratelimit[h].window = w;
		ratelimit[h].count = 0;
	}
	ok = ++ratelimit[h].count <= per_minute;
	pthread_mutex_unlock(&rl_lock);
	return ok;
}

static void h_captcha(struct pd_req *r)
{
	struct pd_store *s = r->srv->store;
	struct pd_captcha c;
	cJSON *o;
	char *art;

	if (!empty_body(r))
		return;
	if (!r->srv->cfg.captcha) {
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "captcha_required", false);
		pd_reply_json(r, 200, o);
		return;
	}
	if (!rate_ok(r->client, r->srv->cfg.captcha_per_minute)) {
		pd_reply_error(r, 429, "rate_limited",
		               "too many captchas from this address; try again in a minute");
		return;
	}
	memset(&c, 0, sizeof(c));
	if (pd_random_hex(c.id, 16)) {
		internal(r);
		return;
	}
	pd_captcha_make(c.answer, &art);
	snprintf(c.client, sizeof(c.client), "%s", r->client);
	c.expires = pd_now() + PD_CAPTCHA_TTL;
	if (s->ops->captcha_put(s, &c) != PD_OK) {
		free(art);
		internal(r);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "captcha_required", true);
	cJSON_AddStringToObject(o, "captcha_id", c.id);
	cJSON_AddStringToObject(o, "art", art);
	cJSON_AddNumberToObject(o, "length", 5);
	cJSON_AddNumberToObject(o, "expires_in", PD_CAPTCHA_TTL);
	add_time(o, "expires_at", c.expires);
	free(art);
	OPENSSL_cleanse(c.answer, sizeof(c.answer));
	pd_reply_json(r, 201, o);
}

enum cap_use { CAP_CHECK, CAP_SUBMIT };

/* Checks the captcha of a body inside the caller's transaction.
 * Returns 0 when it passes; otherwise it has replied, and *commit says
 * whether the transaction must still be committed (a wrong answer
 * spends the captcha for good). */
static int captcha_pass(struct pd_req *r, const cJSON *body, enum cap_use use,
                        struct pd_captcha *c, bool *commit)
{
	struct pd_store *s = r->srv->store;
	const char *id = pd_jstr(body, "captcha_id"), *ans = pd_jstr(body, "captcha_answer");
	enum pd_st st;

	*commit = false;
	memset(c, 0, sizeof(*c));
	if (!r->srv->cfg.captcha)
		return 0;
	if (!*id || !*ans) {
		pd_reply_error(r, 400, "captcha_required",
		               "solve a captcha (POST /api/v1/captcha) and send captcha_id and captcha_answer");
		return -1;
	}
	st = s->ops->captcha_get(s, id, c);
	if (st == PD_NOTFOUND) {
		pd_reply_error(r, 403, "captcha_unknown", "no such captcha");
		return -1;
	}
	if (st != PD_OK) {
		internal(r);
		return -1;
	}
	if (c->expires < pd_now()) {
		pd_reply_error(r, 403, "captcha_expired", "the captcha has expired; get a new one");
		return -1;
	}
	if (c->spent) {
		pd_reply_error(r, 403, "captcha_used", "the captcha was already used; get a new one");
		return -1;
	}
	if (!pd_streq_ct(c->answer, ans)) {
		c->spent = true;
		*commit = s->ops->captcha_update(s, c) == PD_OK;
		pd_reply_error(r, 403, "captcha_wrong", "wrong captcha answer; get a new captcha");
		return -1;
	}
	c->solved = true;
	if (use == CAP_CHECK && ++c->checks_used > PD_CAPTCHA_CHECKS) {
		pd_reply_error(r, 403, "captcha_used",
		               "this captcha has served its %d registry checks; get a new one",
		               PD_CAPTCHA_CHECKS);
		return -1;
	}
	if (use == CAP_SUBMIT)
		c->spent = true;
	if (s->ops->captcha_update(s, c) != PD_OK) {
		internal(r);
		return -1;
	}
	return 0;
}

/* ---- Registry checks ---------------------------------------------- */

static const struct pd_field F_IIN[] = {
	{ "iin", PD_JSTR, true }, { "captcha_id", PD_JSTR, false },
	{ "captcha_answer", PD_JSTR, false }, { NULL, 0, false }
};
static const struct pd_field F_BIN[] = {
	{ "bin", PD_JSTR, true }, { "captcha_id", PD_JSTR, false },
	{ "captcha_answer", PD_JSTR, false }, { NULL, 0, false }
};

void pd_api_add_full_name(cJSON *o, const struct pd_person *p)
{
	char full[400];

	snprintf(full, sizeof(full), "%s %s%s%s", p->surname, p->given_name,
	         *p->patronymic ? " " : "", p->patronymic);
	cJSON_AddStringToObject(o, "full_name", full);
}

static void person_json(cJSON *o, const struct pd_person *p)
{
	cJSON_AddStringToObject(o, "iin", p->iin);
	cJSON_AddStringToObject(o, "surname", p->surname);
	cJSON_AddStringToObject(o, "given_name", p->given_name);
	cJSON_AddStringToObject(o, "patronymic", p->patronymic);
	pd_api_add_full_name(o, p);
}

static void h_check(struct pd_req *r, bool iin)
{
	struct pd_store *s = r->srv->store;
	cJSON *b = pd_body_json(r, iin ? F_IIN : F_BIN), *o;
	const char *num;
	struct pd_captcha c;
	struct pd_person p;
	struct pd_entity e;
	enum pd_st st;
	bool commit;

	if (!b)
		return;
	num = pd_jstr(b, iin ? "iin" : "bin");
	if (idnum_error(r, iin ? "IIN" : "BIN", num, iin))
		goto out;
	if (s->ops->begin(s) != PD_OK) {
		pd_reply_error(r, 503, "unavailable", "database busy");
		goto out;
	}
	if (captcha_pass(r, b, CAP_CHECK, &c, &commit)) {
		if (commit)
			s->ops->commit(s);
		s->ops->rollback(s);
		goto out;
	}
	if (s->ops->commit(s) != PD_OK) {
		s->ops->rollback(s);
		internal(r);
		goto out;
	}
	o = cJSON_CreateObject();
	if (iin) {
		st = s->ops->person_get(s, num, &p);
		if (st == PD_OK)
			person_json(o, &p);
	} else {
		st = s->ops->entity_get(s, num, &e);
		if (st == PD_OK) {
			cJSON *h = cJSON_AddObjectToObject(o, "head");

			cJSON_AddStringToObject(o, "bin", e.bin);
			cJSON_AddStringToObject(o, "name", e.name);
			if (s->ops->person_get(s, e.head_iin, &p) == PD_OK)
				pd_api_add_full_name(h, &p);
		}
	}
	if (st == PD_NOTFOUND) {
		cJSON_Delete(o);
		if (iin)
			pd_reply_error(r, 404, "iin_not_found",
			               "IIN %s is valid but not in the individuals registry", num);
		else
			pd_reply_error(r, 404, "bin_not_found",
			               "BIN %s is valid but not in the legal entities registry", num);
	} else if (st != PD_OK) {
		cJSON_Delete(o);
		internal(r);
	} else {
		pd_reply_json(r, 200, o);
	}
out:
	cJSON_Delete(b);
}

/* ---- Applications ------------------------------------------------- */

static const struct pd_field F_APP[] = {
	{ "subject_type", PD_JSTR, true }, { "iin", PD_JSTR, true },
	{ "bin", PD_JSTR, false }, { "email", PD_JSTR, false },
	{ "region", PD_JSTR, true }, { "city", PD_JSTR, true },
	{ "storage", PD_JSTR, true }, { "auth_csr", PD_JSTR, true },
	{ "sign_csr", PD_JSTR, true }, { "captcha_id", PD_JSTR, false },
	{ "captcha_answer", PD_JSTR, false }, { NULL, 0, false }
};

static bool email_ok(const char *e)
{
	const char *at = strchr(e, '@'), *dot;
	size_t n = strlen(e);

	if (n < 3 || n > 254 || !at || at == e || strchr(at + 1, '@'))
		return false;
	for (const char *p = e; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == ',' ||
		    *p == ';' || *p == '\\' || (unsigned char)*p >= 0x7f)
			return false;
	dot = strrchr(at, '.');
	return dot && dot > at + 1 && dot[1];
}

static X509_REQ *csr_parse(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509_REQ *req = b ? PEM_read_bio_X509_REQ(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return req;
}

/* Checks one request; fills keyid.  Replies and returns -1 on error. */
static int csr_check(struct pd_req *r, const char *field, const char *pem,
                     enum qt_storage storage, char keyid[41])
{
	X509_REQ *req = csr_parse(pem);
	char err[32] = "";
	enum qt_storage cs;

	if (!req) {
		pd_reply_error(r, 400, "bad_csr", "%s is not a PEM certificate request", field);
		return -1;
	}
	if (pd_ca_check_request(req, err, sizeof(err)) != QT_OK) {
		X509_REQ_free(req);
		if (!strcmp(err, "weak_key"))
			pd_reply_error(r, 422, "weak_key", "%s: %s", field, qt_error_detail());
		else if (!strcmp(err, "unsupported_key"))
			pd_reply_error(r, 422, "unsupported_key", "%s: %s", field, qt_error_detail());
		else if (!strcmp(err, "bad_signature"))
			pd_reply_error(r, 422, "csr_bad_signature",
			               "%s: the request's signature does not verify", field);
		else
			pd_reply_error(r, 400, "bad_csr", "%s: %s", field, qt_error_detail());
		return -1;
	}
	cs = qt_csr_storage(req);
	if (cs != QT_STORAGE_UNKNOWN && cs != storage) {
		X509_REQ_free(req);
		pd_reply_error(r, 422, "storage_mismatch",
		               "%s names another key storage than the application", field);
		return -1;
	}
	if (pd_ca_request_keyid(req, keyid) != QT_OK) {
		X509_REQ_free(req);
		internal(r);
		return -1;
	}
	X509_REQ_free(req);
	return 0;
}

const struct pd_storage_info *pd_api_storage(struct pd_req *r, const cJSON *b, bool legal)
{
	const struct pd_storage_info *si = pd_storage_find(pd_jstr(b, "storage"));

	if (!si) {
		pd_reply_error(r, 400, "unknown_storage", "storage \"%.32s\" is not in the catalog",
		               pd_jstr(b, "storage"));
		return NULL;
	}
	if (si->individuals_only && legal) {
		pd_reply_error(r, 400, "storage_not_allowed", "%s is for individuals only", si->label);
		return NULL;
	}
	return si;
}

int pd_api_csr_pair(struct pd_req *r, const cJSON *b, enum qt_storage storage,
                    char auth_kid[41], char sign_kid[41])
{
	if (csr_check(r, "auth_csr", pd_jstr(b, "auth_csr"), storage, auth_kid) ||
	    csr_check(r, "sign_csr", pd_jstr(b, "sign_csr"), storage, sign_kid))
		return -1;
	if (!strcmp(auth_kid, sign_kid)) {
		pd_reply_error(r, 422, "same_key", "AUTH and SIGN need two different key pairs");
		return -1;
	}
	return 0;
}

enum pd_st pd_api_app_insert(struct pd_store *s, struct pd_app *a)
{
	enum pd_st st;

	for (int tries = 0;; tries++) {
		if (pd_new_app_number(a->number))
			return PD_FAIL;
		st = s->ops->app_insert(s, a);
		if (st != PD_EXISTS || tries > 8)
			return st;
	}
}

/* ---- Idempotent submission ------------------------------------------
 * A client may send "Idempotency-Key: K" (16..64 of [A-Za-z0-9_-], a
 * secret it generates per application).  The first submission stores,
 * in the meta table, "idempotency:<SHA-256(K)>" -> "<number>:<hex of
 * the access token XOR SHA-512(pad domain, K)>", in the same transaction
 * as the application.  A submission with a known K and the same two
 * requests returns that application and the same access token instead
 * of a second application, without spending a captcha: a client whose
 * answer was lost (a crash, a dropped connection) can send again.  The
 * database alone gives neither K nor the token. */

static bool idem_valid(const char *k)
{
	size_t n = strlen(k);

	if (n < 16 || n > 64)
		return false;
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			return false;
	return true;
}

static void idem_pad(const char *k, unsigned char pad[64])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	static const char dom[] = "qoltanbad-idempotency-token-pad:";
	unsigned int n = 64;

	memset(pad, 0, 64);
	if (md && EVP_DigestInit_ex(md, EVP_sha512(), NULL) == 1 &&
	    EVP_DigestUpdate(md, dom, sizeof(dom) - 1) == 1 &&
	    EVP_DigestUpdate(md, k, strlen(k)) == 1)
		EVP_DigestFinal_ex(md, pad, &n);
	EVP_MD_CTX_free(md);
}

/* token (< 64 bytes) <-> hex of token XOR pad. */
static void idem_seal(const char *k, const char *token, char *out, size_t size)
{
	unsigned char pad[64];
	size_t n = strlen(token), i;

	idem_pad(k, pad);
	out[0] = '\0';
	for (i = 0; i < n && i < 64 && 2 * i + 2 < size; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned char)token[i] ^ pad[i]);
	OPENSSL_cleanse(pad, sizeof(pad));
}

static bool idem_open(const char *k, const char *hex, char *token, size_t size)
{
	unsigned char pad[64];
	size_t n = strlen(hex) / 2, i;

	if (strlen(hex) % 2 || n >= size || n > 64)
		return false;
	idem_pad(k, pad);
	for (i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return false;
		token[i] = (char)(v ^ pad[i]);
	}
	token[n] = '\0';
	OPENSSL_cleanse(pad, sizeof(pad));
	return true;
}

/* Replies with the application stored under the key, if any: 1 when
 * replied (or failed: replied with an error), 0 when the key is new. */
static int idem_replay(struct pd_req *r, const char *k, const char *meta_key,
                       const char *auth_csr, const char *sign_csr)
{
	struct pd_store *s = r->srv->store;
	char val[256], token[80];
	char *colon;
	struct pd_app a;
	enum pd_st st = s->ops->meta_get(s, meta_key, val, sizeof(val));
	cJSON *o;

	if (st == PD_NOTFOUND)
		return 0;
	if (st != PD_OK || !(colon = strchr(val, ':'))) {
		internal(r);
		return 1;
	}
	*colon = '\0';
	memset(&a, 0, sizeof(a));
	if (s->ops->app_get(s, val, &a) != PD_OK || !idem_open(k, colon + 1, token, sizeof(token))) {
		pd_app_clear(&a);
		internal(r);
		return 1;
	}
	if (strcmp(a.auth_csr, auth_csr) || strcmp(a.sign_csr, sign_csr)) {
		pd_app_clear(&a);
		OPENSSL_cleanse(token, sizeof(token));
		pd_reply_error(r, 422, "idempotency_key_reused",
		               "this Idempotency-Key belongs to another application");
		return 1;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "number", a.number);
	cJSON_AddStringToObject(o, "access_token", token);
	cJSON_AddStringToObject(o, "status", pd_app_status_name(a.status));
	add_time(o, "created_at", a.created);
	if (a.status == PD_APP_PENDING)
		add_time(o, "verify_by", pd_app_deadline(&a));
	cJSON_AddBoolToObject(o, "replayed", true);
	OPENSSL_cleanse(token, sizeof(token));
	snprintf(r->extra, sizeof(r->extra), "number=%s replayed=1", a.number);
	pd_app_clear(&a);
	pd_reply_json(r, 200, o);
	return 1;
}

static void h_submit(struct pd_req *r)
{
	struct pd_server *srv = r->srv;
	struct pd_store *s = srv->store;
	cJSON *b = pd_body_json(r, F_APP), *o;
	enum pd_subject_type type;
	const struct pd_storage_info *si;
	const char *iin, *bin, *email, *region, *city, *cityid;
	char auth_kid[41], sign_kid[41], token[48], idem_meta[96] = "";
	const char *idem;
	struct pd_app a;
	struct pd_captcha cap;
	struct pd_person p;
	struct pd_entity e;
	enum pd_st st;
	bool commit, legal;
	time_t now = pd_now();

	memset(&a, 0, sizeof(a));
	if (!b)
		return;
	if (!pd_subject_type_parse(pd_jstr(b, "subject_type"), &type)) {
		pd_reply_error(r, 400, "unknown_subject_type", "subject_type \"%.40s\" is not in the catalog",
		               pd_jstr(b, "subject_type"));
		goto out;
	}
	legal = pd_subject_type_is_legal(type);
	iin = pd_jstr(b, "iin");
	bin = pd_jstr(b, "bin");
	email = pd_jstr(b, "email");
	region = pd_jstr(b, "region");
	city = pd_jstr(b, "city");
	if (idnum_error(r, "IIN", iin, true))
		goto out;
	if (legal && !*bin) {
		pd_reply_error(r, 400, "bin_required", "a legal entity's application needs its BIN");
		goto out;
	}
	if (!legal && *bin) {
		pd_reply_error(r, 400, "bin_not_allowed", "an individual's application has no BIN");
		goto out;
	}
	if (legal && idnum_error(r, "BIN", bin, false))
		goto out;
	if (*email && !email_ok(email)) {
		pd_reply_error(r, 400, "invalid_email", "\"%.64s\" is not an e-mail address", email);
		goto out;
	}
	if (!pd_region_known(region)) {
		pd_reply_error(r, 400, "unknown_region", "region \"%.16s\" is not in the catalog", region);
		goto out;
	}
	if (!(cityid = pd_region_city(region, city))) {
		pd_reply_error(r, 400, "unknown_city", "\"%.64s\" is not a city of %s in the catalog",
		               city, region);
		goto out;
	}
	if (!(si = pd_api_storage(r, b, legal)) ||
	    pd_api_csr_pair(r, b, si->storage, auth_kid, sign_kid))
		goto out;
	idem = pd_header(r, "Idempotency-Key");
	if (idem) {
		char h[65];

		if (!idem_valid(idem)) {
			pd_reply_error(r, 400, "invalid_value",
			               "Idempotency-Key: 16 to 64 letters, digits, '-' or '_'");
			goto out;
		}
		pd_sha256_hex(idem, strlen(idem), h);
		snprintf(idem_meta, sizeof(idem_meta), "idempotency:%s", h);
	}

	if (s->ops->begin(s) != PD_OK) {
		pd_reply_error(r, 503, "unavailable", "database busy");
		goto out;
	}
	/* Under the write lock, so two copies of one submission cannot both
	 * miss the key and make two applications. */
	if (*idem_meta &&
	    idem_replay(r, idem, idem_meta, pd_jstr(b, "auth_csr"), pd_jstr(b, "sign_csr"))) {
		/* The first submission may still be in the group being
		 * committed: answer only once it is on disk. */
		if (r->status == 200 && s->ops->commit(s) != PD_OK && r->deferred) {
			pd_reply_reset(r);
			internal(r);
		}
		goto rollback;   /* a no-op after commit */
	}
	if (captcha_pass(r, b, CAP_SUBMIT, &cap, &commit)) {
		if (commit)
			s->ops->commit(s);
		goto rollback;
	}
	/* Registry answers cost the captcha one of its checks even when the
	 * submission fails, so submissions cannot probe the registries. */
	st = s->ops->person_get(s, iin, &p);
	bool person_missing = st == PD_NOTFOUND;
	if (st == PD_OK && legal)
		st = s->ops->entity_get(s, bin, &e);
	if (st != PD_OK || (type == PD_CHAIRMAN && strcmp(e.head_iin, iin))) {
		if (st == PD_FAIL) {
			internal(r);
			goto rollback;
		}
		if (srv->cfg.captcha) {
			cap.spent = false;
			cap.checks_used++;
			if (cap.checks_used > PD_CAPTCHA_CHECKS)
				cap.spent = true;
			if (s->ops->captcha_update(s, &cap) == PD_OK)
				s->ops->commit(s);
		}
		if (person_missing)
			pd_reply_error(r, 404, "iin_not_found",
			               "IIN %s is valid but not in the individuals registry", iin);
		else if (st == PD_NOTFOUND)
			pd_reply_error(r, 404, "bin_not_found",
			               "BIN %s is valid but not in the legal entities registry", bin);
		else
			pd_reply_error(r, 422, "not_head",
			               "IIN %s is not the first head of BIN %s in the registry", iin, bin);
		goto rollback;
	}

	snprintf(a.subject_type, sizeof(a.subject_type), "%s", pd_subject_type_name(type));
	snprintf(a.iin, sizeof(a.iin), "%s", iin);
	snprintf(a.bin, sizeof(a.bin), "%s", legal ? bin : "");
	snprintf(a.email, sizeof(a.email), "%s", email);
	snprintf(a.region, sizeof(a.region), "%s", region);
	snprintf(a.city, sizeof(a.city), "%s", cityid);
	snprintf(a.storage, sizeof(a.storage), "%s", si->name);
	snprintf(a.client, sizeof(a.client), "%s", r->client);
	/* Borrowed from the body for app_insert(); a is never cleared here. */
	a.auth_csr = (char *)pd_jstr(b, "auth_csr");
	a.sign_csr = (char *)pd_jstr(b, "sign_csr");
	a.status = PD_APP_PENDING;
	a.created = a.updated = now;
	if (pd_random_token(token, sizeof(token))) {
		internal(r);
		goto rollback;
	}
	pd_sha256_hex(token, strlen(token), a.token_hash);
	if (pd_api_app_insert(s, &a) != PD_OK) {
		internal(r);
		goto rollback;
	}
	st = s->ops->key_claim(s, auth_kid, a.number);
	if (st == PD_OK)
		st = s->ops->key_claim(s, sign_kid, a.number);
	if (st == PD_EXISTS) {
		pd_reply_error(r, 409, "key_reused",
		               "a public key of this application was already used in another application");
		goto rollback;
	}
	if (st == PD_OK && *idem_meta) {
		char val[256];

		snprintf(val, sizeof(val), "%s:", a.number);
		idem_seal(idem, token, val + strlen(val), sizeof(val) - strlen(val));
		st = s->ops->meta_set(s, idem_meta, val);
		OPENSSL_cleanse(val, sizeof(val));
	}
	if (st != PD_OK || pd_audit(srv, "applicant", "submit", a.number, "%s %s%s%s from %s",
	                            a.subject_type, iin, legal ? " BIN " : "", legal ? bin : "",
	                            r->client) != PD_OK) {
		internal(r);
		goto rollback;
	}
	if (s->ops->commit(s) != PD_OK) {
		internal(r);
		goto rollback;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "number", a.number);
	cJSON_AddStringToObject(o, "access_token", token);
	cJSON_AddStringToObject(o, "status", "pending");
	add_time(o, "created_at", a.created);
	add_time(o, "verify_by", pd_app_deadline(&a));
	OPENSSL_cleanse(token, sizeof(token));
	snprintf(r->extra, sizeof(r->extra), "number=%s", a.number);
	pd_reply_json(r, 201, o);
	goto out;
rollback:
	s->ops->rollback(s);
out:
	OPENSSL_cleanse(token, sizeof(token));
	cJSON_Delete(b);
}

/* Loads an application for its holder: number plus access token. */
static int holder_app(struct pd_req *r, const char *number, struct pd_app *a)
{
	struct pd_store *s = r->srv->store;
	const char *tok = pd_header(r, "X-Access-Token");
	char h[65], iin[13] = "";
	enum pd_st st;

	memset(a, 0, sizeof(*a));
	/* The holder signed in to the personal account may use the session
	 * instead of the access token for an application of their IIN. */
	if ((!tok || !*tok) && pd_account_session_iin(r, iin) != 0) {
		pd_reply_error(r, 401, "token_required",
		               "send the application's access token in the X-Access-Token header");
		return -1;
	}
	if (!pd_app_number_valid(number)) {
		pd_reply_error(r, 404, "application_not_found",
		               "no application with this number and access token");
		return -1;
	}
	st = s->ops->app_get_brief(s, number, a);
	if (st == PD_FAIL) {
		internal(r);
		return -1;
	}
	if (*iin)
		snprintf(h, sizeof(h), "%s", st == PD_OK && !strcmp(a->iin, iin) ? a->token_hash : "");
	else
		pd_sha256_hex(tok, strlen(tok), h);
	if (st == PD_NOTFOUND || !*h || !pd_streq_ct(h, a->token_hash)) {
		pd_app_clear(a);
		/* The same answer for both: numbers cannot be probed. */
		pd_reply_error(r, 404, "application_not_found",
		               "no application with this number and access token");
		return -1;
	}
	if (pd_app_overdue(a, pd_now()))
		a->status = PD_APP_CANCELLED;
	return 0;
}

static const char *status_text(enum pd_app_status st)
{
	switch (st) {
	case PD_APP_PENDING: return "Waiting for verification at a Registration Authority";
	case PD_APP_ISSUED: return "Registration Certificates are Issued";
	case PD_APP_INSTALLED: return "Certificates installed";
	case PD_APP_REJECTED: return "Rejected by the Registration Authority";
	case PD_APP_CANCELLED: return "Cancelled: not verified within 30 days";
	}
	return "";
}

struct certs_ctx {
	cJSON *arr;
	bool pem;
};

static int cert_json(void *ctx, const struct pd_cert *c)
{
	struct certs_ctx *cc = ctx;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "purpose", c->purpose);
	cJSON_AddStringToObject(o, "serial", c->serial);
	add_time(o, "not_before", c->not_before);
	add_time(o, "not_after", c->not_after);
	cJSON_AddStringToObject(o, "status", c->revoked_at ? "revoked" : "valid");
	if (c->revoked_at) {
		add_time(o, "revoked_at", c->revoked_at);
		cJSON_AddStringToObject(o, "revocation_reason", pd_crl_reason_name(c->reason));
	}
	if (cc->pem)
		cJSON_AddStringToObject(o, "pem", c->pem);
	cJSON_AddItemToArray(cc->arr, o);
	return 0;
}

static cJSON *app_json(struct pd_server *srv, const struct pd_app *a, bool holder, bool full)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "number", a->number);
	cJSON_AddStringToObject(o, "status", pd_app_status_name(a->status));
	cJSON_AddStringToObject(o, "status_text", status_text(a->status));
	cJSON_AddStringToObject(o, "subject_type", a->subject_type);
	cJSON_AddStringToObject(o, "iin", a->iin);
	if (*a->bin)
		cJSON_AddStringToObject(o, "bin", a->bin);
	if (*a->email)
		cJSON_AddStringToObject(o, "email", a->email);
	cJSON_AddStringToObject(o, "region", a->region);
	cJSON_AddStringToObject(o, "city", a->city);
	cJSON_AddStringToObject(o, "storage", a->storage);
	add_time(o, "created_at", a->created);
	add_time(o, "updated_at", a->updated);
	if (a->status == PD_APP_PENDING)
		add_time(o, "verify_by", pd_app_deadline(a));
	if (*a->reason && (a->status == PD_APP_REJECTED || a->status == PD_APP_CANCELLED))
		cJSON_AddStringToObject(o, "reason", a->reason);
	if (holder && a->status == PD_APP_ISSUED)
		cJSON_AddStringToObject(o, "install_nonce", a->install_nonce);
	if (full) {
		cJSON_AddStringToObject(o, "decided_by", a->decided_by);
		cJSON_AddStringToObject(o, "client", a->client);
		cJSON_AddStringToObject(o, "auth_csr", a->auth_csr);
		cJSON_AddStringToObject(o, "sign_csr", a->sign_csr);
	}
	if (a->status == PD_APP_ISSUED || a->status == PD_APP_INSTALLED || full) {
		struct certs_ctx cc = { cJSON_AddArrayToObject(o, "certificates"), false };

		srv->store->ops->cert_list(srv->store, a->number, cert_json, &cc);
	}
	return o;
}

static void h_app_get(struct pd_req *r, const char *number)
{
	struct pd_app a;

	if (holder_app(r, number, &a))
		return;
	pd_reply_json(r, 200, app_json(r->srv, &a, true, false));
	pd_app_clear(&a);
}

static void h_app_certs(struct pd_req *r, const char *number)
{
	struct pd_app a;
	cJSON *o;
	struct certs_ctx cc;

	if (holder_app(r, number, &a))
		return;
	if (a.status != PD_APP_ISSUED && a.status != PD_APP_INSTALLED) {
		pd_reply_error(r, 409, "not_issued", "application %s is %s: no certificates", number,
		               pd_app_status_name(a.status));
		pd_app_clear(&a);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "number", a.number);
	cc.arr = cJSON_AddArrayToObject(o, "certificates");
	cc.pem = true;
	if (r->srv->store->ops->cert_list(r->srv->store, a.number, cert_json, &cc) != PD_OK) {
		cJSON_Delete(o);
		internal(r);
	} else {
		char *chain = NULL;

		if (pd_ca_chain_pem(r->srv->ca, &chain) == QT_OK)
			cJSON_AddStringToObject(o, "chain_pem", chain);
		free(chain);
		if (a.status == PD_APP_ISSUED)
			cJSON_AddStringToObject(o, "install_nonce", a.install_nonce);
		pd_reply_json(r, 200, o);
	}
	pd_app_clear(&a);
}

/* Verifies a base64 SHA-256 signature (RSA PKCS#1 v1.5 or ECDSA) over
 * msg with the public key of a PEM certificate. */
static bool sig_ok(const char *cert_pem, const char *b64, const char *msg)
{
	BIO *bio = BIO_new_mem_buf(cert_pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *sig;
	size_t siglen;
	bool ok = false;

	BIO_free(bio);
	sig = pd_base64_decode(b64, &siglen);
	if (x && md && sig && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
	                                           X509_get0_pubkey(x)) == 1)
		ok = EVP_DigestVerify(md, sig, siglen, (const unsigned char *)msg, strlen(msg)) == 1;
	EVP_MD_CTX_free(md);
	X509_free(x);
	free(sig);
	return ok;
}

struct two_certs {
	char *auth, *sign;
};

static int pick_certs(void *ctx, const struct pd_cert *c)
{
	struct two_certs *t = ctx;

	if (!strcmp(c->purpose, "auth") && !t->auth)
		t->auth = strdup(c->pem);
	else if (!strcmp(c->purpose, "sign") && !t->sign)
		t->sign = strdup(c->pem);
	return 0;
}

static const struct pd_field F_INSTALL[] = {
	{ "auth_signature", PD_JSTR, true }, { "sign_signature", PD_JSTR, true },
	{ NULL, 0, false }
};

static void h_install(struct pd_req *r, const char *number)
{
	struct pd_store *s = r->srv->store;
	struct two_certs t = { NULL, NULL };
	struct pd_app a;
	cJSON *b, *o;
	char msg[128];

	if (holder_app(r, number, &a))
		return;
	if (!(b = pd_body_json(r, F_INSTALL)))
		goto out;
	if (a.status == PD_APP_INSTALLED) {
		pd_reply_error(r, 409, "already_installed", "application %s is already installed", number);
		goto out;
	}
	if (a.status != PD_APP_ISSUED) {
		pd_reply_error(r, 409, "not_issued", "application %s is %s: nothing to install", number,
		               pd_app_status_name(a.status));
		goto out;
	}
	snprintf(msg, sizeof(msg), "qoltanbad-install:%s:%s", a.number, a.install_nonce);
	if (s->ops->cert_list(s, a.number, pick_certs, &t) != PD_OK || !t.auth || !t.sign) {
		internal(r);
		goto out;
	}
	if (!sig_ok(t.auth, pd_jstr(b, "auth_signature"), msg) ||
	    !sig_ok(t.sign, pd_jstr(b, "sign_signature"), msg)) {
		pd_reply_error(r, 422, "proof_invalid",
		               "the signatures do not verify with the issued certificates' keys");
		goto out;
	}
	if (s->ops->begin(s) != PD_OK) {
		pd_reply_error(r, 503, "unavailable", "database busy");
		goto out;
	}
	pd_app_clear(&a);
	/* Re-read inside the transaction: two confirmations race. */
	if (s->ops->app_get(s, number, &a) != PD_OK || a.status != PD_APP_ISSUED) {
		s->ops->rollback(s);
		pd_reply_error(r, 409, "already_installed", "application %s is already installed", number);
		goto out;
	}
	a.status = PD_APP_INSTALLED;
	a.updated = pd_now();
	if (s->ops->app_update(s, &a) != PD_OK ||
	    pd_audit(r->srv, "applicant", "install", a.number, "proof of possession verified") != PD_OK ||
	    s->ops->commit(s) != PD_OK) {
		s->ops->rollback(s);
		internal(r);
		goto out;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "number", a.number);
	cJSON_AddStringToObject(o, "status", "installed");
	cJSON_AddStringToObject(o, "status_text", status_text(PD_APP_INSTALLED));
	pd_reply_json(r, 200, o);
out:
	cJSON_Delete(b);
	free(t.auth);
	free(t.sign);
	pd_app_clear(&a);
}

/* The holder revokes their own certificates (the personal account's
 * "Revocation of DS keys"): number, access token, and a signature by
 * the application's AUTH key over "qoltanbad-revoke:<number>", so that
 * the token alone is not enough.  Whoever lost the key goes to the RA. */
static const struct pd_field F_HREVOKE[] = {
	{ "reason", PD_JSTR, true }, { "auth_signature", PD_JSTR, true }, { NULL, 0, false }
};

struct serials {
	char auth[48], sign[48];
	bool auth_revoked, sign_revoked;
};

static int pick_serials(void *ctx, const struct pd_cert *c)
{
	struct serials *sv = ctx;

	if (!strcmp(c->purpose, "auth")) {
		snprintf(sv->auth, sizeof(sv->auth), "%s", c->serial);
		sv->auth_revoked = c->revoked_at != 0;
	} else if (!strcmp(c->purpose, "sign")) {
		snprintf(sv->sign, sizeof(sv->sign), "%s", c->serial);
		sv->sign_revoked = c->revoked_at != 0;
	}
	return 0;
}

static void h_holder_revoke(struct pd_req *r, const char *number)
{
	struct pd_store *s = r->srv->store;
	struct two_certs t = { NULL, NULL };
	struct serials sv;
	struct pd_result res;
	struct pd_app a;
	cJSON *b = NULL, *o;
	char msg[64];
	int reason, n = 0;

	if (holder_app(r, number, &a))
		return;
	if (!(b = pd_body_json(r, F_HREVOKE)))
		goto out;
	if (!pd_crl_reason_parse(pd_jstr(b, "reason"), &reason) ||
	    reason == PD_REASON_CA_COMPROMISE || reason == PD_REASON_CERTIFICATE_HOLD) {
		pd_reply_error(r, 400, "invalid_reason", "reason \"%.32s\" is not one of unspecified, "
		               "key_compromise, affiliation_changed, superseded, cessation_of_operation, "
		               "privilege_withdrawn", pd_jstr(b, "reason"));
		goto out;
	}
	if (a.status != PD_APP_ISSUED && a.status != PD_APP_INSTALLED) {
		pd_reply_error(r, 409, "not_issued", "application %s is %s: nothing to revoke", number,
		               pd_app_status_name(a.status));
		goto out;
	}
	memset(&sv, 0, sizeof(sv));
	if (s->ops->cert_list(s, a.number, pick_certs, &t) != PD_OK || !t.auth ||
	    s->ops->cert_list(s, a.number, pick_serials, &sv) != PD_OK) {
		internal(r);
		goto out;
	}
	snprintf(msg, sizeof(msg), "qoltanbad-revoke:%s", a.number);
	if (!sig_ok(t.auth, pd_jstr(b, "auth_signature"), msg)) {
		pd_reply_error(r, 422, "proof_invalid",
		               "the signature does not verify with the AUTH certificate's key");
		goto out;
	}
	if (sv.auth_revoked && sv.sign_revoked) {
		pd_reply_error(r, 409, "already_revoked", "both certificates are already revoked");
		goto out;
	}
	if (!sv.auth_revoked && pd_svc_revoke(r->srv, sv.auth, reason, "holder", &res) == 0)
		n++;
	if (!sv.sign_revoked && pd_svc_revoke(r->srv, sv.sign, reason, "holder", &res) == 0)
		n++;
	if (!n) {
		reply_result(r, &res);
		goto out;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "number", a.number);
	cJSON_AddStringToObject(o, "reason", pd_crl_reason_name(reason));
	cJSON_AddNumberToObject(o, "revoked", n);
	pd_reply_json(r, 200, o);
out:
	cJSON_Delete(b);
	free(t.auth);
	free(t.sign);
	pd_app_clear(&a);
}

/* ---- RA operators ------------------------------------------------- */

/* Stores a fresh sign-in challenge (the request must have no body) and
 * starts its 201 answer: challenge_id, nonce, sign_this ("<prefix>id:nonce")
 * and expires_in.  NULL once an error has been answered.  Operators and
 * holders sign in the same way, each with its own prefix. */
cJSON *pd_api_challenge(struct pd_req *r, const char *prefix, struct pd_challenge *c)
{
	char msg[128];
	cJSON *o;

	if (!empty_body(r))
		return NULL;
	memset(c, 0, sizeof(*c));
	if (pd_random_hex(c->id, 16) || pd_random_hex(c->nonce, 16)) {
		internal(r);
		return NULL;
	}
	c->expires = pd_now() + PD_CHALLENGE_TTL;
	if (r->srv->store->ops->challenge_put(r->srv->store, c) != PD_OK) {
		internal(r);
		return NULL;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "challenge_id", c->id);
	cJSON_AddStringToObject(o, "nonce", c->nonce);
	snprintf(msg, sizeof(msg), "%s%s:%s", prefix, c->id, c->nonce);
	cJSON_AddStringToObject(o, "sign_this", msg);
	cJSON_AddNumberToObject(o, "expires_in", PD_CHALLENGE_TTL);
	return o;
}

static void h_ra_challenge(struct pd_req *r)
{
	struct pd_challenge c;
	cJSON *o = pd_api_challenge(r, "qoltanbad-ra-login:", &c);

	if (o)
		pd_reply_json(r, 201, o);
}

static const struct pd_field F_SESSION[] = {
	{ "challenge_id", PD_JSTR, true }, { "certificate", PD_JSTR, true },
	{ "signature", PD_JSTR, true }, { NULL, 0, false }
};

int pd_api_signin(struct pd_req *r, time_t now, cJSON **bp, struct pd_challenge *ch, X509 **xp)
{
	struct pd_store *s = r->srv->store;
	cJSON *b = pd_body_json(r, F_SESSION);
	X509 *x = NULL;
	BIO *bio;

	if (!b)
		return -1;
	/* The challenge is spent first: whatever follows, it never works again. */
	if (s->ops->challenge_take(s, pd_jstr(b, "challenge_id"), now, ch) != PD_OK) {
		pd_reply_error(r, 401, "challenge_invalid",
		               "unknown, used or expired challenge; ask for a new one");
		goto fail;
	}
	bio = BIO_new_mem_buf(pd_jstr(b, "certificate"), -1);
	x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!x || i2d_X509(x, NULL) <= 0) {
		pd_reply_error(r, 400, "bad_certificate", "certificate is not a PEM certificate");
		goto fail;
	}
	*bp = b;
	*xp = x;
	return 0;
fail:
	X509_free(x);
	cJSON_Delete(b);
	return -1;
}

static void h_ra_session(struct pd_req *r)
{
	struct pd_server *srv = r->srv;
	struct pd_store *s = srv->store;
	cJSON *b, *o;
	struct pd_challenge ch;
	struct pd_operator op;
	struct pd_session ss;
	unsigned char *der = NULL;
	char fp[65], msg[128], token[48];
	X509 *x;
	int len;
	time_t now = pd_now();

	if (pd_api_signin(r, now, &b, &ch, &x))
		return;
	memset(&op, 0, sizeof(op));
	if ((len = i2d_X509(x, &der)) <= 0) {
		internal(r);
		goto out;
	}
	pd_sha256_hex(der, (size_t)len, fp);
	OPENSSL_free(der);
	if (s->ops->operator_by_fp(s, fp, &op) != PD_OK || op.disabled) {
		pd_reply_error(r, 401, "operator_unknown", "this certificate is not a registered RA operator's");
		goto out;
	}
	if (X509_cmp_time(X509_get0_notAfter(x), &now) < 0 ||
	    X509_cmp_time(X509_get0_notBefore(x), &now) > 0) {
		pd_reply_error(r, 401, "operator_unknown", "the operator's certificate is not valid now");
		goto out;
	}
	snprintf(msg, sizeof(msg), "qoltanbad-ra-login:%s:%s", ch.id, ch.nonce);
	if (!sig_ok(op.cert_pem, pd_jstr(b, "signature"), msg)) {
		pd_reply_error(r, 401, "signature_invalid",
		               "the signature does not verify with the operator's certificate");
		goto out;
	}
	memset(&ss, 0, sizeof(ss));
	if (pd_random_token(token, sizeof(token))) {
		internal(r);
		goto out;
	}
	pd_sha256_hex(token, strlen(token), ss.token_hash);
	ss.operator_id = op.id;
	ss.expires = now + srv->cfg.session_minutes * 60;
	if (s->ops->session_put(s, &ss) != PD_OK ||
	    pd_audit(srv, op.name, "login", "", "signed in from %s", r->client) != PD_OK) {
		internal(r);
		goto out;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "token", token);
	cJSON_AddStringToObject(o, "operator", op.name);
	add_time(o, "expires_at", ss.expires);
	OPENSSL_cleanse(token, sizeof(token));
	pd_reply_json(r, 201, o);
out:
	X509_free(x);
	pd_operator_clear(&op);
	cJSON_Delete(b);
}

/* The operator of a bearer session, or a 401 reply. */
static int operator_auth(struct pd_req *r, char actor[160])
{
	const char *h = pd_header(r, "Authorization");
	struct pd_session ss;
	char hash[65];
	enum pd_st st;

	if (!h || strncmp(h, "Bearer ", 7) || !h[7]) {
		pd_reply_error(r, 401, "unauthorized",
		               "operator calls need \"Authorization: Bearer TOKEN\" from POST /api/v1/ra/session");
		return -1;
	}
	pd_sha256_hex(h + 7, strlen(h + 7), hash);
	st = r->srv->store->ops->session_get(r->srv->store, hash, pd_now(), &ss);
	if (st == PD_FAIL) {
		internal(r);
		return -1;
	}
	if (st != PD_OK) {
		pd_reply_error(r, 401, "unauthorized", "the session is unknown or has expired; sign in again");
		return -1;
	}
	snprintf(actor, 160, "operator:%s", ss.operator_name);
	snprintf(r->extra, sizeof(r->extra), "operator=%s", ss.operator_name);
	return 0;
}

static int list_cb(void *ctx, const struct pd_app *a)
{
	struct pd_server *srv = ((void **)ctx)[0];
	cJSON *arr = ((void **)ctx)[1];
	cJSON *o = app_json(srv, a, false, false);
	struct pd_person p;

	/* The same full name as everywhere: no trailing space without a
	 * patronymic. */
	if (srv->store->ops->person_get(srv->store, a->iin, &p) == PD_OK)
		pd_api_add_full_name(o, &p);
	cJSON_AddItemToArray(arr, o);
	return 0;
}

static bool qint(struct pd_req *r, const char *name, int lo, int hi, int *out)
{
	const char *v = pd_query(r, name);
	char *end;
	long n;

	if (!v)
		return true;
	n = strtol(v, &end, 10);
	if (end == v || *end || n < lo || n > hi) {
		pd_reply_error(r, 400, "invalid_value", "query parameter %s must be %d..%d", name, lo, hi);
		return false;
	}
	*out = (int)n;
	return true;
}

static void h_ra_list(struct pd_req *r)
{
	struct pd_app_filter f = { PD_APP_PENDING, NULL, 50, 0 };
	const char *st = pd_query(r, "status");
	cJSON *o, *arr;
	void *ctx[2];

	if (st && !strcmp(st, "all"))
		f.status = -1;
	else if (st && (f.status = pd_app_status_parse(st)) < 0) {
		pd_reply_error(r, 400, "invalid_value", "unknown status \"%.20s\"", st);
		return;
	}
	f.query = pd_query(r, "q");
	if (!qint(r, "limit", 1, 500, &f.limit) || !qint(r, "offset", 0, 100000000, &f.offset))
		return;
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "applications");
	ctx[0] = r->srv;
	ctx[1] = arr;
	if (r->srv->store->ops->app_list(r->srv->store, &f, list_cb, ctx) != PD_OK) {
		cJSON_Delete(o);
		internal(r);
		return;
	}
	cJSON_AddNumberToObject(o, "count", cJSON_GetArraySize(arr));
	pd_reply_json(r, 200, o);
}

static int audit_cb(void *ctx, const struct pd_audit *a)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)a->id);
	add_time(o, "at", a->at);
	cJSON_AddStringToObject(o, "actor", a->actor);
	cJSON_AddStringToObject(o, "action", a->action);
	if (*a->number)
		cJSON_AddStringToObject(o, "number", a->number);
	cJSON_AddStringToObject(o, "detail", a->detail);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

static void h_ra_view(struct pd_req *r, const char *number)
{
	struct pd_store *s = r->srv->store;
	struct pd_app a;
	struct pd_person p;
	struct pd_entity e;
	cJSON *o, *reg;
	enum pd_st st = pd_app_number_valid(number) ? s->ops->app_get(s, number, &a) : PD_NOTFOUND;

	if (st != PD_OK) {
		if (st == PD_NOTFOUND)
			pd_reply_error(r, 404, "application_not_found", "no application %s", number);
		else
			internal(r);
		return;
	}
	if (pd_app_overdue(&a, pd_now()))
		a.status = PD_APP_CANCELLED;
	o = app_json(r->srv, &a, false, true);
	reg = cJSON_AddObjectToObject(o, "registry");
	if (s->ops->person_get(s, a.iin, &p) == PD_OK)
		person_json(cJSON_AddObjectToObject(reg, "person"), &p);
	if (*a.bin && s->ops->entity_get(s, a.bin, &e) == PD_OK) {
		cJSON *eo = cJSON_AddObjectToObject(reg, "entity");

		cJSON_AddStringToObject(eo, "bin", e.bin);
		cJSON_AddStringToObject(eo, "name", e.name);
		cJSON_AddStringToObject(eo, "head_iin", e.head_iin);
	}
	s->ops->audit_list(s, a.number, 100, audit_cb, cJSON_AddArrayToObject(o, "audit"));
	pd_app_clear(&a);
	pd_reply_json(r, 200, o);
}

static void h_ra_approve(struct pd_req *r, const char *number, const char *actor)
{
	struct pd_result res;
	struct pd_app a;

	if (!empty_body(r))
		return;
	if (!pd_app_number_valid(number)) {
		pd_reply_error(r, 404, "application_not_found", "no application %s", number);
		return;
	}
	if (pd_svc_approve(r->srv, number, actor, &res)) {
		reply_result(r, &res);
		return;
	}
	if (r->srv->store->ops->app_get(r->srv->store, number, &a) != PD_OK) {
		internal(r);
		return;
	}
	pd_reply_json(r, 200, app_json(r->srv, &a, false, false));
	pd_app_clear(&a);
}

static const struct pd_field F_REJECT[] = { { "reason", PD_JSTR, true }, { NULL, 0, false } };

static void h_ra_reject(struct pd_req *r, const char *number, const char *actor)
{
	cJSON *b = pd_body_json(r, F_REJECT), *o;
	struct pd_result res;

	if (!b)
		return;
	if (!pd_app_number_valid(number))
		pd_reply_error(r, 404, "application_not_found", "no application %s", number);
	else if (pd_svc_reject(r->srv, number, actor, pd_jstr(b, "reason"), &res))
		reply_result(r, &res);
	else {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "number", number);
		cJSON_AddStringToObject(o, "status", "rejected");
		cJSON_AddStringToObject(o, "reason", pd_jstr(b, "reason"));
		pd_reply_json(r, 200, o);
	}
	cJSON_Delete(b);
}

static const struct pd_field F_REVOKE[] = { { "reason", PD_JSTR, true }, { NULL, 0, false } };

static void h_ra_revoke(struct pd_req *r, const char *serial, const char *actor)
{
	cJSON *b = pd_body_json(r, F_REVOKE), *o;
	struct pd_result res;
	int reason;

	if (!b)
		return;
	if (!pd_crl_reason_parse(pd_jstr(b, "reason"), &reason) ||
	    reason == PD_REASON_CA_COMPROMISE || reason == PD_REASON_CERTIFICATE_HOLD) {
		pd_reply_error(r, 400, "invalid_reason", "reason \"%.32s\" is not one of unspecified, "
		               "key_compromise, affiliation_changed, superseded, cessation_of_operation, "
		               "privilege_withdrawn", pd_jstr(b, "reason"));
	} else if (pd_svc_revoke(r->srv, serial, reason, actor, &res)) {
		reply_result(r, &res);
	} else {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "serial", serial);
		cJSON_AddStringToObject(o, "status", "revoked");
		cJSON_AddStringToObject(o, "reason", pd_crl_reason_name(reason));
		pd_reply_json(r, 200, o);
	}
	cJSON_Delete(b);
}

static void h_ra_audit(struct pd_req *r)
{
	int limit = 100;
	cJSON *o, *arr;
	const char *num = pd_query(r, "number");

	if (!qint(r, "limit", 1, 1000, &limit))
		return;
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "entries");
	if (r->srv->store->ops->audit_list(r->srv->store, num, limit, audit_cb, arr) != PD_OK) {
		cJSON_Delete(o);
		internal(r);
		return;
	}
	pd_reply_json(r, 200, o);
}

/* ---- OCSP --------------------------------------------------------- */

static int ocsp_status(void *arg, const unsigned char *serial, size_t n, time_t *when, int *reason)
{
	struct pd_server *srv = arg;
	char hex[2 * PD_CA_SERIAL_LEN + 1];
	struct pd_cert c;
	int rc;

	if (n > PD_CA_SERIAL_LEN)
		return -1;
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", serial[i]);
	hex[2 * n] = '\0';
	if (srv->store->ops->cert_get(srv->store, hex, &c) != PD_OK)
		return -1;
	rc = c.revoked_at ? 1 : 0;
	*when = c.revoked_at;
	*reason = c.reason < 0 ? 0 : c.reason;
	pd_cert_clear(&c);
	return rc;
}

static void h_ocsp(struct pd_req *r)
{
	unsigned char *der;
	size_t len;

	if (r->too_big) {
		pd_reply_error(r, 413, "body_too_large", "request bodies are limited to %d bytes",
		               PD_BODY_LIMIT);
		return;
	}
	if (pd_ca_ocsp(r->srv->ca, (const unsigned char *)r->body, r->body_len, ocsp_status,
	               r->srv, pd_now(), &der, &len) != QT_OK) {
		internal(r);
		return;
	}
	pd_reply(r, 200, "application/ocsp-response", der, len, "no-store");
	free(der);
}

/* ---- Routing ------------------------------------------------------ */

static const char CPS[] =
	"qoltanbad certification practice statement\n\n"
	"This certification authority belongs to a qoltanbad reference portal.  It is\n"
	"not NCA RK and its certificates have no legal force.  Certificates are issued\n"
	"after a Registration Authority operator has verified the applicant against\n"
	"the portal's registries; subjects come from those registries only.\n";

static bool is(const char *a, const char *b)
{
	return !strcmp(a, b);
}

bool pd_api_under(const char *path, const char *prefix, char *id, size_t idsize,
                  const char **rest)
{
	size_t n = strlen(prefix), k;
	const char *p;

	if (strncmp(path, prefix, n))
		return false;
	p = path + n;
	k = strcspn(p, "/");
	if (k == 0 || k >= idsize)
		return false;
	memcpy(id, p, k);
	id[k] = '\0';
	*rest = p + k;
	return true;
}

static void method_not_allowed(struct pd_req *r)
{
	pd_reply_error(r, 405, "method_not_allowed", "%s is not allowed on %s", r->method, r->path);
}

void pd_api_dispatch(struct pd_req *r)
{
	const char *p = r->path, *rest;
	bool get = is(r->method, "GET") || is(r->method, "HEAD"), post = is(r->method, "POST");
	char id[64], actor[160];

#define ONLY(cond) do { if (!(cond)) { method_not_allowed(r); return; } } while (0)
	if (r->too_big && !post) {
		pd_reply_error(r, 413, "body_too_large", "request bodies are limited to %d bytes",
		               PD_BODY_LIMIT);
		return;
	}
	if (is(p, "/api/v1/health")) {
		ONLY(get);
		pd_reply(r, 200, "application/json", "{\"status\":\"ok\"}", 15, NULL);
	} else if (is(p, "/api/v1/catalog")) {
		static char *cached;

		ONLY(get);
		if (!cached) {
			cJSON *c = pd_catalog_json(r->srv->cfg.captcha);
			char *s = cJSON_PrintUnformatted(c);

			cJSON_Delete(c);
			pthread_mutex_lock(&pub_lock);
			if (!cached)
				cached = s;
			else
				free(s);
			pthread_mutex_unlock(&pub_lock);
		}
		pd_reply(r, 200, "application/json", cached, strlen(cached), "max-age=3600");
	} else if (is(p, "/api/v1/captcha")) {
		ONLY(post);
		h_captcha(r);
	} else if (is(p, "/api/v1/checks/iin")) {
		ONLY(post);
		h_check(r, true);
	} else if (is(p, "/api/v1/checks/bin")) {
		ONLY(post);
		h_check(r, false);
	} else if (is(p, "/api/v1/applications")) {
		ONLY(post);
		h_submit(r);
	} else if (pd_api_under(p, "/api/v1/applications/", id, sizeof(id), &rest)) {
		if (!*rest) {
			ONLY(get);
			h_app_get(r, id);
		} else if (is(rest, "/certificates")) {
			ONLY(get);
			h_app_certs(r, id);
		} else if (is(rest, "/install")) {
			ONLY(post);
			h_install(r, id);
		} else if (is(rest, "/revoke")) {
			ONLY(post);
			h_holder_revoke(r, id);
		} else {
			pd_reply_error(r, 404, "not_found", "no such resource");
		}
	} else if (is(p, "/api/v1/ra/challenge")) {
		ONLY(post);
		h_ra_challenge(r);
	} else if (is(p, "/api/v1/ra/session")) {
		ONLY(post);
		h_ra_session(r);
	} else if (!strncmp(p, "/api/v1/ra/", 11)) {
		if (operator_auth(r, actor))
			return;
		if (is(p, "/api/v1/ra/applications")) {
			ONLY(get);
			h_ra_list(r);
		} else if (is(p, "/api/v1/ra/audit")) {
			ONLY(get);
			h_ra_audit(r);
		} else if (pd_api_under(p, "/api/v1/ra/applications/", id, sizeof(id), &rest)) {
			if (!*rest) {
				ONLY(get);
				h_ra_view(r, id);
			} else if (is(rest, "/approve")) {
				ONLY(post);
				h_ra_approve(r, id, actor);
			} else if (is(rest, "/reject")) {
				ONLY(post);
				h_ra_reject(r, id, actor);
			} else {
				pd_reply_error(r, 404, "not_found", "no such resource");
			}
		} else if (pd_api_under(p, "/api/v1/ra/certificates/", id, sizeof(id), &rest) &&
		           is(rest, "/revoke")) {
			ONLY(post);
			h_ra_revoke(r, id, actor);
		} else {
			pd_reply_error(r, 404, "not_found", "no such resource");
		}
	} else if (!strncmp(p, "/api/v1/account/", 16)) {
		pd_account_dispatch(r);
	} else if (is(p, PD_CA_PATH_CRL)) {
		ONLY(get);
		reply_blob(r, &pub_crl, "application/pkix-crl", "max-age=60");
	} else if (is(p, PD_CA_PATH_ROOT_CRL)) {
		ONLY(get);
		reply_blob(r, &pub_root_crl, "application/pkix-crl", "max-age=3600");
	} else if (is(p, PD_CA_PATH_CA_ISSUERS)) {
		ONLY(get);
		reply_blob(r, &pub_p7c, "application/pkcs7-mime", "max-age=86400");
	} else if (is(p, PD_CA_PATH_CHAIN_PEM)) {
		ONLY(get);
		reply_blob(r, &pub_chain_pem, "application/x-pem-file", "max-age=86400");
	} else if (is(p, PD_CA_PATH_OCSP)) {
		ONLY(post);
		h_ocsp(r);
	} else if (is(p, PD_CA_PATH_CPS)) {
		ONLY(get);
		pd_reply(r, 200, "text/plain; charset=utf-8", CPS, sizeof(CPS) - 1, "max-age=86400");
	} else {
		pd_reply_error(r, 404, "not_found", "no such resource");
	}
#undef ONLY
}

/* ---- For the personal account (account.c) --------------------------- */

void pd_api_internal(struct pd_req *r) { internal(r); }
void pd_api_add_time(cJSON *o, const char *name, time_t t) { add_time(o, name, t); }
bool pd_api_empty_body(struct pd_req *r) { return empty_body(r); }
bool pd_api_email_ok(const char *e) { return email_ok(e); }
bool pd_api_sig_ok(const char *cert_pem, const char *b64, const char *msg)
{
	return sig_ok(cert_pem, b64, msg);
}
cJSON *pd_api_app_json(struct pd_server *srv, const struct pd_app *a, bool holder)
{
	return app_json(srv, a, holder, false);
}
void pd_api_method_not_allowed(struct pd_req *r) { method_not_allowed(r); }
