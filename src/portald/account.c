/* The personal account under /api/v1/account/ (issue 7, doc/api.md
 * "Personal account"): sign-in with the AUTH key over a single-use
 * challenge, profile, the holder's keys, revocation, re-issuance with
 * the first head's approval for employees, and request tracking.
 *
 * Every call after sign-in is bound to the IIN of the certificate that
 * signed in (and, for approvals, to its BIN): another holder's
 * certificate or application is "not found", never "forbidden", so
 * serials and numbers cannot be probed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "portald/ca.h"
#include "portald/catalog.h"
#include "portald/http.h"
#include "portald/log.h"
#include "portald/service.h"

#define LOGIN_PREFIX   "qoltanbad-account-login:"
#define REISSUE_PREFIX "qoltanbad-reissue:"

struct holder {
	struct pd_holder_session ss;
	char actor[64];              /* "holder:IIN" */
};

static X509 *pem_x509(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

static long days_left(time_t not_after, time_t now)
{
	if (not_after <= now)
		return 0;
	return (long)((not_after - now + 86399) / 86400);
}

static const char *cert_status(const struct pd_cert *c, time_t now)
{
	if (c->revoked_at)
		return "revoked";
	if (now >= c->not_after)
		return "expired";
	if (now < c->not_before)
		return "not_yet_valid";
	return "valid";
}

/* ---- Sign-in --------------------------------------------------------- */

static void h_challenge(struct pd_req *r)
{
	struct pd_challenge c;
	cJSON *o = pd_api_challenge(r, LOGIN_PREFIX, &c);

	if (!o)
		return;
	pd_api_add_time(o, "expires_at", c.expires);
	pd_reply_json(r, 201, o);
}

/* The chain to this portal's CA, without the time check (done after,
 * against the database, to give expired and not-yet-valid their codes). */
static bool chain_ok(struct pd_server *srv, X509 *x, char *why, size_t size)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	bool ok = false;

	if (st && ctx && untrusted && X509_STORE_add_cert(st, pd_ca_root_cert(srv->ca)) == 1 &&
	    sk_X509_push(untrusted, pd_ca_issuing_cert(srv->ca)) > 0 &&
	    X509_STORE_CTX_init(ctx, st, x, untrusted) == 1) {
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
		ok = X509_verify_cert(ctx) == 1;
		if (!ok)
			snprintf(why, size, "%s",
			         X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	} else {
		snprintf(why, size, "cannot set up the verification");
	}
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return ok;
}

static bool has_client_auth(X509 *x)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	bool ok = false;

	for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == NID_client_auth)
			ok = true;
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

static void holder_json(struct pd_server *srv, cJSON *o, const char *iin, const char *bin,
                        const char *subject_type)
{
	struct pd_person p;
	struct pd_entity e;

	cJSON_AddStringToObject(o, "iin", iin);
	if (srv->store->ops->person_get(srv->store, iin, &p) == PD_OK)
		pd_api_add_full_name(o, &p);
	cJSON_AddStringToObject(o, "subject_type", subject_type);
	if (*bin) {
		cJSON_AddStringToObject(o, "bin", bin);
		if (srv->store->ops->entity_get(srv->store, bin, &e) == PD_OK)
			cJSON_AddStringToObject(o, "organization", e.name);
	}
}

/* Where a certificate list callback adds its objects, and the time
 * their status and days left are reckoned at. */
struct cert_list {
	cJSON *arr;
	time_t now;
};

static int expiring_cb(void *ctx, const struct pd_cert *c, const struct pd_app *a)
{
	struct cert_list *x = ctx;
	cJSON *o;

	if (c->revoked_at || c->not_after <= x->now ||
	    c->not_after - x->now > (time_t)PD_EXPIRY_NOTICE_DAYS * 86400)
		return 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "serial", c->serial);
	cJSON_AddStringToObject(o, "purpose", c->purpose);
	cJSON_AddStringToObject(o, "number", a->number);
	pd_api_add_time(o, "not_after", c->not_after);
	cJSON_AddNumberToObject(o, "days_left", (double)days_left(c->not_after, x->now));
	cJSON_AddItemToArray(x->arr, o);
	return 0;
}

static void h_session(struct pd_req *r)
{
	struct pd_server *srv = r->srv;
	struct pd_store *s = srv->store;
	cJSON *b, *o;
	struct pd_challenge ch;
	struct pd_cert c;
	struct pd_app a;
	struct pd_holder_session ss;
	char serial[2 * PD_CA_SERIAL_LEN + 1], msg[160], token[48], why[128];
	X509 *x, *stored = NULL;
	time_t now = pd_now();

	if (pd_api_signin(r, now, &b, &ch, &x))
		return;
	memset(&c, 0, sizeof(c));
	memset(&a, 0, sizeof(a));
	if (!chain_ok(srv, x, why, sizeof(why))) {
		pd_reply_error(r, 401, "chain_invalid",
		               "the certificate was not issued by this portal's CA: %s", why);
		goto out;
	}
	pd_ca_serial_hex(x, serial);
	if (s->ops->cert_get(s, serial, &c) != PD_OK || !(stored = pem_x509(c.pem)) ||
	    X509_cmp(stored, x) != 0) {
		pd_reply_error(r, 401, "certificate_unknown", "this portal has no record of the certificate");
		goto out;
	}
	if (c.revoked_at) {
		pd_reply_error(r, 401, "certificate_revoked",
		               "the certificate was revoked (%s); sign in with a valid AUTH key or apply "
		               "for new keys", pd_crl_reason_name(c.reason));
		goto out;
	}
	if (now >= c.not_after) {
		char t[32];

		pd_time_iso(c.not_after, t);
		pd_reply_error(r, 401, "certificate_expired",
		               "the certificate expired on %s; apply for new keys (POST /api/v1/applications)",
		               t);
		goto out;
	}
	if (now < c.not_before) {
		pd_reply_error(r, 401, "certificate_not_yet_valid", "the certificate is not valid yet");
		goto out;
	}
	if (strcmp(c.purpose, "auth") || !has_client_auth(x)) {
		pd_reply_error(r, 401, "not_auth_key",
		               "sign in with the AUTH key (extended key usage clientAuth), not the SIGN key");
		goto out;
	}
	snprintf(msg, sizeof(msg), LOGIN_PREFIX "%s:%s", ch.id, ch.nonce);
	if (!pd_api_sig_ok(c.pem, pd_jstr(b, "signature"), msg)) {
		pd_reply_error(r, 401, "signature_invalid",
		               "the signature does not verify with the certificate's key");
		goto out;
	}
	if (s->ops->app_get_brief(s, c.number, &a) != PD_OK) {
		pd_api_internal(r);
		goto out;
	}
	memset(&ss, 0, sizeof(ss));
	if (pd_random_token(token, sizeof(token))) {
		pd_api_internal(r);
		goto out;
	}
	pd_sha256_hex(token, strlen(token), ss.token_hash);
	snprintf(ss.iin, sizeof(ss.iin), "%s", a.iin);
	snprintf(ss.bin, sizeof(ss.bin), "%s", a.bin);
	snprintf(ss.subject_type, sizeof(ss.subject_type), "%s", a.subject_type);
	snprintf(ss.serial, sizeof(ss.serial), "%s", c.serial);
	ss.expires = now + (time_t)srv->cfg.session_minutes * 60;
	snprintf(why, sizeof(why), "holder:%s", a.iin);
	if (s->ops->holder_session_put(s, &ss) != PD_OK ||
	    pd_audit(srv, why, "account_login", a.number, "signed in with AUTH %s from %s",
	             c.serial, r->client) != PD_OK) {
		pd_api_internal(r);
		goto out;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "token", token);
	pd_api_add_time(o, "expires_at", ss.expires);
	cJSON_AddNumberToObject(o, "expires_in", srv->cfg.session_minutes * 60);
	holder_json(srv, cJSON_AddObjectToObject(o, "holder"), a.iin, a.bin, a.subject_type);
	{
		struct cert_list ex = { cJSON_AddArrayToObject(o, "expiring"), now };

		s->ops->cert_list_iin(s, a.iin, expiring_cb, &ex);
	}
	OPENSSL_cleanse(token, sizeof(token));
	snprintf(r->extra, sizeof(r->extra), "holder=%s", a.iin);
	pd_reply_json(r, 201, o);
out:
	X509_free(x);
	X509_free(stored);
	pd_cert_clear(&c);
	pd_app_clear(&a);
	cJSON_Delete(b);
}

/* What stands in the way of the bearer session of a request. */
enum session_fault {
	SESSION_OK,
	SESSION_NONE,            /* no "Authorization: Bearer TOKEN" */
	SESSION_FAIL,            /* the database failed */
	SESSION_UNKNOWN,
	SESSION_EXPIRED,
	SESSION_CERT_REVOKED,
	SESSION_CERT_EXPIRED
};

/* Finds the session of the Authorization header into ss.  A session ends
 * when it expires and when its AUTH certificate is revoked or expires. */
static enum session_fault session_find(struct pd_req *r, struct pd_holder_session *ss)
{
	struct pd_store *s = r->srv->store;
	const char *hd = pd_header(r, "Authorization");
	char hash[65];
	struct pd_cert c;
	enum session_fault f;
	enum pd_st st;
	time_t now = pd_now();

	if (!hd || strncmp(hd, "Bearer ", 7) || !hd[7])
		return SESSION_NONE;
	pd_sha256_hex(hd + 7, strlen(hd + 7), hash);
	st = s->ops->holder_session_get(s, hash, ss);
	if (st != PD_OK)
		return st == PD_FAIL ? SESSION_FAIL : SESSION_UNKNOWN;
	if (now > ss->expires)
		return SESSION_EXPIRED;
	if (s->ops->cert_get(s, ss->serial, &c) != PD_OK)
		return SESSION_FAIL;
	f = c.revoked_at ? SESSION_CERT_REVOKED : now >= c.not_after ? SESSION_CERT_EXPIRED :
	    SESSION_OK;
	pd_cert_clear(&c);
	return f;
}

/* The holder of a bearer session, or a 401 reply. */
static int holder_auth(struct pd_req *r, struct holder *h)
{
	switch (session_find(r, &h->ss)) {
	case SESSION_OK:
		break;
	case SESSION_NONE:
		pd_reply_error(r, 401, "unauthorized", "account calls need \"Authorization: Bearer TOKEN\""
		               " from POST /api/v1/account/session");
		return -1;
	case SESSION_FAIL:
		pd_api_internal(r);
		return -1;
	case SESSION_UNKNOWN:
		pd_reply_error(r, 401, "unauthorized", "unknown session; sign in");
		return -1;
	case SESSION_EXPIRED:
		pd_reply_error(r, 401, "session_expired", "the session has expired; sign in again");
		return -1;
	case SESSION_CERT_REVOKED:
		pd_reply_error(r, 401, "certificate_revoked",
		               "the AUTH certificate of this session was revoked; sign in with a valid key");
		return -1;
	case SESSION_CERT_EXPIRED:
		pd_reply_error(r, 401, "certificate_expired",
		               "the AUTH certificate of this session has expired");
		return -1;
	}
	snprintf(h->actor, sizeof(h->actor), "holder:%s", h->ss.iin);
	snprintf(r->extra, sizeof(r->extra), "holder=%s", h->ss.iin);
	return 0;
}

int pd_account_session_iin(struct pd_req *r, char iin[13])
{
	struct pd_holder_session ss;

	if (session_find(r, &ss) != SESSION_OK)
		return -1;
	memcpy(iin, ss.iin, 13);
	return 0;
}

static void h_logout(struct pd_req *r, const struct holder *h)
{
	cJSON *o;

	if (!pd_api_empty_body(r))
		return;
	if (r->srv->store->ops->holder_session_delete(r->srv->store, h->ss.token_hash) != PD_OK) {
		pd_api_internal(r);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "signed_out");
	pd_reply_json(r, 200, o);
}

/* ---- Profile ----------------------------------------------------------- */

static void pref_load(struct pd_store *s, const char *iin, struct pd_pref *p)
{
	if (s->ops->pref_get(s, iin, p) != PD_OK) {
		memset(p, 0, sizeof(*p));
		snprintf(p->iin, sizeof(p->iin), "%s", iin);
		snprintf(p->language, sizeof(p->language), "kk");
		p->notify_email = p->notify_sms = true;
	}
}

static void reply_profile(struct pd_req *r, const struct holder *h)
{
	struct pd_store *s = r->srv->store;
	struct pd_person p;
	struct pd_pref pf;
	struct pd_cert c;
	struct pd_app a;
	cJSON *o = cJSON_CreateObject(), *co;

	holder_json(r->srv, o, h->ss.iin, h->ss.bin, h->ss.subject_type);
	if (s->ops->person_get(s, h->ss.iin, &p) == PD_OK) {
		cJSON_AddStringToObject(o, "surname", p.surname);
		cJSON_AddStringToObject(o, "given_name", p.given_name);
		cJSON_AddStringToObject(o, "patronymic", p.patronymic);
		cJSON_AddStringToObject(o, "phone", p.phone);
	}
	if (s->ops->cert_get(s, h->ss.serial, &c) == PD_OK) {
		co = cJSON_AddObjectToObject(o, "certificate");
		cJSON_AddStringToObject(co, "serial", c.serial);
		cJSON_AddStringToObject(co, "number", c.number);
		pd_api_add_time(co, "not_after", c.not_after);
		cJSON_AddNumberToObject(co, "days_left", (double)days_left(c.not_after, pd_now()));
		if (s->ops->app_get_brief(s, c.number, &a) == PD_OK) {
			cJSON_AddStringToObject(o, "email", a.email);
			cJSON_AddStringToObject(co, "storage", a.storage);
			pd_app_clear(&a);
		}
		pd_cert_clear(&c);
	}
	pref_load(s, h->ss.iin, &pf);
	cJSON_AddStringToObject(o, "language", pf.language);
	cJSON_AddBoolToObject(o, "notify_email", pf.notify_email);
	cJSON_AddBoolToObject(o, "notify_sms", pf.notify_sms);
	pd_reply_json(r, 200, o);
}

static const struct pd_field F_PROFILE[] = {
	{ "language", PD_JSTR, false }, { "notify_email", PD_JBOOL, false },
	{ "notify_sms", PD_JBOOL, false }, { NULL, 0, false }
};

static void h_profile_set(struct pd_req *r, const struct holder *h)
{
	struct pd_store *s = r->srv->store;
	cJSON *b = pd_body_json(r, F_PROFILE);
	const cJSON *v;
	struct pd_pref pf;

	if (!b)
		return;
	pref_load(s, h->ss.iin, &pf);
	if ((v = cJSON_GetObjectItemCaseSensitive(b, "language"))) {
		if (strcmp(v->valuestring, "kk") && strcmp(v->valuestring, "ru") &&
		    strcmp(v->valuestring, "en")) {
			pd_reply_error(r, 400, "invalid_value", "language must be kk, ru or en");
			goto out;
		}
		snprintf(pf.language, sizeof(pf.language), "%s", v->valuestring);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(b, "notify_email")))
		pf.notify_email = cJSON_IsTrue(v);
	if ((v = cJSON_GetObjectItemCaseSensitive(b, "notify_sms")))
		pf.notify_sms = cJSON_IsTrue(v);
	if (s->ops->pref_put(s, &pf) != PD_OK) {
		pd_api_internal(r);
		goto out;
	}
	reply_profile(r, h);
out:
	cJSON_Delete(b);
}

/* ---- Keys -------------------------------------------------------------- */

static int key_json(void *ctx, const struct pd_cert *c, const struct pd_app *a)
{
	struct cert_list *k = ctx;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "serial", c->serial);
	cJSON_AddStringToObject(o, "purpose", c->purpose);
	cJSON_AddStringToObject(o, "status", cert_status(c, k->now));
	cJSON_AddStringToObject(o, "number", a->number);
	cJSON_AddStringToObject(o, "subject_type", a->subject_type);
	if (*a->bin)
		cJSON_AddStringToObject(o, "bin", a->bin);
	cJSON_AddStringToObject(o, "storage", a->storage);
	pd_api_add_time(o, "not_before", c->not_before);
	pd_api_add_time(o, "not_after", c->not_after);
	cJSON_AddNumberToObject(o, "days_left", (double)days_left(c->not_after, k->now));
	if (c->revoked_at) {
		pd_api_add_time(o, "revoked_at", c->revoked_at);
		cJSON_AddStringToObject(o, "revocation_reason", pd_crl_reason_name(c->reason));
	}
	cJSON_AddItemToArray(k->arr, o);
	return 0;
}

static void h_keys(struct pd_req *r, const struct holder *h)
{
	cJSON *o = cJSON_CreateObject();
	struct cert_list k = { cJSON_AddArrayToObject(o, "keys"), pd_now() };

	if (r->srv->store->ops->cert_list_iin(r->srv->store, h->ss.iin, key_json, &k) != PD_OK) {
		cJSON_Delete(o);
		pd_api_internal(r);
		return;
	}
	cJSON_AddNumberToObject(o, "count", cJSON_GetArraySize(k.arr));
	pd_reply_json(r, 200, o);
}

struct csv {
	char *buf;
	size_t len, cap;
	time_t now;
	bool fail;
};

static void csv_add(struct csv *c, const char *s)
{
	size_t n = strlen(s);

	if (c->fail)
		return;
	if (c->len + n + 1 > c->cap) {
		size_t cap = (c->cap ? c->cap * 2 : 4096) + n;
		char *p = realloc(c->buf, cap);

		if (!p) {
			c->fail = true;
			return;
		}
		c->buf = p;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n + 1);
	c->len += n;
}

static int key_csv(void *ctx, const struct pd_cert *c, const struct pd_app *a)
{
	struct csv *v = ctx;
	char line[512], nb[32], na[32], ra[32] = "";

	pd_time_iso(c->not_before, nb);
	pd_time_iso(c->not_after, na);
	if (c->revoked_at)
		pd_time_iso(c->revoked_at, ra);
	/* Every value is hex, digits, an id or a timestamp: nothing to quote. */
	snprintf(line, sizeof(line), "%s,%s,%s,%s,%s,%s,%s,%s,%s,%ld,%s,%s\r\n", c->serial,
	         c->purpose, cert_status(c, v->now), a->number, a->subject_type, a->bin,
	         a->storage, nb, na, days_left(c->not_after, v->now), ra,
	         c->revoked_at ? pd_crl_reason_name(c->reason) : "");
	csv_add(v, line);
	return 0;
}

static void h_keys_csv(struct pd_req *r, const struct holder *h)
{
	struct csv c = { NULL, 0, 0, pd_now(), false };

	csv_add(&c, "serial,purpose,status,application,subject_type,bin,storage,not_before,"
	            "not_after,days_left,revoked_at,revocation_reason\r\n");
	if (r->srv->store->ops->cert_list_iin(r->srv->store, h->ss.iin, key_csv, &c) != PD_OK ||
	    c.fail) {
		free(c.buf);
		pd_api_internal(r);
		return;
	}
	pd_reply(r, 200, "text/csv; charset=utf-8", c.buf, c.len, "no-store");
	free(c.buf);
}

/* A certificate of this holder, or a 404 reply (another holder's too). */
static int own_cert(struct pd_req *r, const struct holder *h, const char *serial,
                    struct pd_cert *c, struct pd_app *a)
{
	struct pd_store *s = r->srv->store;
	enum pd_st st;

	memset(c, 0, sizeof(*c));
	memset(a, 0, sizeof(*a));
	st = strlen(serial) == 2 * PD_CA_SERIAL_LEN ? s->ops->cert_get(s, serial, c) : PD_NOTFOUND;
	if (st == PD_OK)
		st = s->ops->app_get_brief(s, c->number, a);
	if (st == PD_OK && !strcmp(a->iin, h->ss.iin))
		return 0;
	pd_cert_clear(c);
	pd_app_clear(a);
	if (st == PD_FAIL)
		pd_api_internal(r);
	else
		pd_reply_error(r, 404, "certificate_not_found", "you have no certificate %.48s", serial);
	return -1;
}

static const struct pd_field F_REVOKE[] = { { "reason", PD_JSTR, true }, { NULL, 0, false } };

static void h_revoke(struct pd_req *r, const struct holder *h, const char *serial)
{
	cJSON *b = pd_body_json(r, F_REVOKE), *o;
	struct pd_result res;
	struct pd_cert c;
	struct pd_app a;
	int reason;

	if (!b)
		return;
	if (own_cert(r, h, serial, &c, &a))
		goto out;
	pd_cert_clear(&c);
	pd_app_clear(&a);
	if (!pd_crl_reason_parse(pd_jstr(b, "reason"), &reason) ||
	    reason == PD_REASON_CA_COMPROMISE || reason == PD_REASON_CERTIFICATE_HOLD) {
		pd_reply_error(r, 400, "invalid_reason", "reason \"%.32s\" is not one of unspecified, "
		               "key_compromise, affiliation_changed, superseded, cessation_of_operation, "
		               "privilege_withdrawn", pd_jstr(b, "reason"));
	} else if (pd_svc_revoke(r->srv, serial, reason, h->actor, &res)) {
		pd_reply_error(r, res.http, res.code, "%s", res.msg);
	} else {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "serial", serial);
		cJSON_AddStringToObject(o, "status", "revoked");
		cJSON_AddStringToObject(o, "reason", pd_crl_reason_name(reason));
		pd_reply_json(r, 200, o);
	}
out:
	cJSON_Delete(b);
}

/* ---- Re-issuance ------------------------------------------------------- */

static const struct pd_field F_REISSUE[] = {
	{ "serial", PD_JSTR, true }, { "email", PD_JSTR, false },
	{ "storage", PD_JSTR, true }, { "auth_csr", PD_JSTR, true },
	{ "sign_csr", PD_JSTR, true }, { "signature", PD_JSTR, true },
	{ NULL, 0, false }
};

static bool needs_head(const char *subject_type)
{
	enum pd_subject_type t;

	return pd_subject_type_parse(subject_type, &t) && pd_subject_type_is_legal(t) &&
	       t != PD_CHAIRMAN;
}

static const char *head_state_name(enum pd_head_state s)
{
	switch (s) {
	case PD_HEAD_NOT_NEEDED: return "not_needed";
	case PD_HEAD_AWAITING: return "awaiting_head";
	case PD_HEAD_APPROVED: return "approved";
	case PD_HEAD_DECLINED: return "declined";
	}
	return "unknown";
}

/* An application as the account shows it: the holder's view plus the
 * re-issuance and its approval. */
static cJSON *request_json(struct pd_server *srv, const struct pd_app *a)
{
	cJSON *o = pd_api_app_json(srv, a, true);
	struct pd_reissue ri;

	if (pd_app_overdue(a, pd_now()))
		cJSON_ReplaceItemInObject(o, "status", cJSON_CreateString("cancelled"));
	if (srv->store->ops->reissue_get(srv->store, a->number, &ri) == PD_OK) {
		cJSON *x = cJSON_AddObjectToObject(o, "reissue");

		cJSON_AddStringToObject(x, "previous_serial", ri.prev_serial);
		cJSON_AddStringToObject(x, "approval", head_state_name(ri.head_state));
		if (*ri.head_iin)
			cJSON_AddStringToObject(x, "decided_by", ri.head_iin);
	} else {
		cJSON_AddBoolToObject(o, "online", false);
	}
	return o;
}

static void h_reissue(struct pd_req *r, const struct holder *h)
{
	struct pd_server *srv = r->srv;
	struct pd_store *s = srv->store;
	cJSON *b = pd_body_json(r, F_REISSUE), *o;
	const struct pd_storage_info *si;
	const char *serial, *email, *auth_csr, *sign_csr;
	char auth_kid[41], sign_kid[41], token[48] = "", msg[720], ha[65], hs[65];
	struct pd_cert c;
	struct pd_app cur, a;
	struct pd_reissue ri;
	struct pd_result res;
	enum pd_subject_type type;
	time_t now = pd_now();
	enum pd_st st;

	memset(&a, 0, sizeof(a));
	memset(&cur, 0, sizeof(cur));
	memset(&c, 0, sizeof(c));
	if (!b)
		return;
	serial = pd_jstr(b, "serial");
	auth_csr = pd_jstr(b, "auth_csr");
	sign_csr = pd_jstr(b, "sign_csr");
	if (own_cert(r, h, serial, &c, &cur))
		goto out;
	if (c.revoked_at) {
		pd_reply_error(r, 409, "key_revoked", "certificate %s is revoked: re-issuance needs a "
		               "valid key; apply for new keys (POST /api/v1/applications)", serial);
		goto out;
	}
	if (now >= c.not_after) {
		pd_reply_error(r, 409, "key_expired", "certificate %s has expired: re-issuance needs a "
		               "valid key; apply for new keys with a visit to a Registration Authority "
		               "(POST /api/v1/applications)", serial);
		goto out;
	}
	email = cJSON_GetObjectItemCaseSensitive(b, "email") ? pd_jstr(b, "email") : cur.email;
	if (*email && !pd_api_email_ok(email)) {
		pd_reply_error(r, 400, "invalid_email", "\"%.64s\" is not an e-mail address", email);
		goto out;
	}
	if (!pd_subject_type_parse(cur.subject_type, &type)) {
		pd_api_internal(r);
		goto out;
	}
	if (!(si = pd_api_storage(r, b, pd_subject_type_is_legal(type))))
		goto out;
	/* The current key signs exactly this request. */
	pd_sha256_hex(auth_csr, strlen(auth_csr), ha);
	pd_sha256_hex(sign_csr, strlen(sign_csr), hs);
	snprintf(msg, sizeof(msg), REISSUE_PREFIX "%s:%s:%s:%s:%s", serial, si->name, email, ha, hs);
	if (!pd_api_sig_ok(c.pem, pd_jstr(b, "signature"), msg)) {
		pd_reply_error(r, 401, "signature_invalid", "the signature does not verify with the key "
		               "of certificate %s (sign \"%s<serial>:<storage>:<email>:<sha256 of "
		               "auth_csr>:<sha256 of sign_csr>\")", serial, REISSUE_PREFIX);
		goto out;
	}
	if (pd_api_csr_pair(r, b, si->storage, auth_kid, sign_kid))
		goto out;

	/* The fields come from the current certificate's application. */
	snprintf(a.subject_type, sizeof(a.subject_type), "%s", cur.subject_type);
	snprintf(a.iin, sizeof(a.iin), "%s", cur.iin);
	snprintf(a.bin, sizeof(a.bin), "%s", cur.bin);
	snprintf(a.email, sizeof(a.email), "%s", email);
	snprintf(a.region, sizeof(a.region), "%s", cur.region);
	snprintf(a.city, sizeof(a.city), "%s", cur.city);
	snprintf(a.storage, sizeof(a.storage), "%s", si->name);
	snprintf(a.client, sizeof(a.client), "%s", r->client);
	a.auth_csr = (char *)auth_csr;
	a.sign_csr = (char *)sign_csr;
	a.status = PD_APP_PENDING;
	a.created = a.updated = now;
	memset(&ri, 0, sizeof(ri));
	snprintf(ri.prev_serial, sizeof(ri.prev_serial), "%s", serial);
	snprintf(ri.bin, sizeof(ri.bin), "%s", cur.bin);
	ri.head_state = needs_head(cur.subject_type) ? PD_HEAD_AWAITING : PD_HEAD_NOT_NEEDED;
	if (pd_random_token(token, sizeof(token))) {
		pd_api_internal(r);
		goto out;
	}
	pd_sha256_hex(token, strlen(token), a.token_hash);
	if (s->ops->begin(s) != PD_OK) {
		pd_reply_error(r, 503, "unavailable", "database busy");
		goto out;
	}
	st = pd_api_app_insert(s, &a);
	if (st == PD_OK)
		st = s->ops->key_claim(s, auth_kid, a.number);
	if (st == PD_OK)
		st = s->ops->key_claim(s, sign_kid, a.number);
	if (st == PD_EXISTS) {
		s->ops->rollback(s);
		pd_reply_error(r, 409, "key_reused",
		               "a public key of this request was already used in another application");
		goto out;
	}
	memcpy(ri.number, a.number, sizeof(ri.number));
	if (st != PD_OK || s->ops->reissue_put(s, &ri) != PD_OK ||
	    pd_audit(srv, h->actor, "reissue", a.number, "re-issuance of %s (%s, %s)%s", serial,
	             a.subject_type, si->name, ri.head_state == PD_HEAD_AWAITING ?
	             ", awaiting the first head" : "") != PD_OK ||
	    s->ops->commit(s) != PD_OK) {
		s->ops->rollback(s);
		pd_api_internal(r);
		goto out;
	}
	/* Online, no RA visit: issued at once unless a first head must agree. */
	if (ri.head_state == PD_HEAD_NOT_NEEDED) {
		char actor[96];

		snprintf(actor, sizeof(actor), "%s (online re-issuance)", h->actor);
		if (pd_svc_approve(srv, a.number, actor, &res))
			pd_log_error("reissue", "application %s not issued: %s (%s)", a.number,
			             res.code, res.msg);
	}
	a.auth_csr = a.sign_csr = NULL;
	if (s->ops->app_get_brief(s, a.number, &a) != PD_OK) {
		pd_api_internal(r);
		goto out;
	}
	o = request_json(srv, &a);
	cJSON_AddStringToObject(o, "access_token", token);
	snprintf(r->extra, sizeof(r->extra), "holder=%s number=%s", h->ss.iin, a.number);
	pd_reply_json(r, 201, o);
out:
	OPENSSL_cleanse(token, sizeof(token));
	if (a.auth_csr == auth_csr && auth_csr)
		a.auth_csr = a.sign_csr = NULL;
	pd_app_clear(&a);
	pd_app_clear(&cur);
	pd_cert_clear(&c);
	cJSON_Delete(b);
}

/* ---- Requests ---------------------------------------------------------- */

static int req_cb(void *ctx, const struct pd_app *a)
{
	void **v = ctx;

	cJSON_AddItemToArray(v[1], request_json(v[0], a));
	return 0;
}

static void h_requests(struct pd_req *r, const struct holder *h)
{
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "requests");
	void *ctx[2] = { r->srv, arr };

	if (r->srv->store->ops->app_list_iin(r->srv->store, h->ss.iin, req_cb, ctx) != PD_OK) {
		cJSON_Delete(o);
		pd_api_internal(r);
		return;
	}
	cJSON_AddNumberToObject(o, "count", cJSON_GetArraySize(arr));
	pd_reply_json(r, 200, o);
}

struct pem_ctx {
	cJSON *arr;
};

static int cert_pem_cb(void *ctx, const struct pd_cert *c)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "purpose", c->purpose);
	cJSON_AddStringToObject(o, "serial", c->serial);
	cJSON_AddStringToObject(o, "pem", c->pem);
	cJSON_AddItemToArray(((struct pem_ctx *)ctx)->arr, o);
	return 0;
}

static void h_request(struct pd_req *r, const struct holder *h, const char *number)
{
	struct pd_store *s = r->srv->store;
	struct pd_app a;
	enum pd_st st = pd_app_number_valid(number) ? s->ops->app_get_brief(s, number, &a)
	                                            : PD_NOTFOUND;
	cJSON *o;

	if (st == PD_FAIL) {
		pd_api_internal(r);
		return;
	}
	if (st != PD_OK || strcmp(a.iin, h->ss.iin)) {
		if (st == PD_OK)
			pd_app_clear(&a);
		pd_reply_error(r, 404, "application_not_found", "you have no application %.16s", number);
		return;
	}
	o = request_json(r->srv, &a);
	if (a.status == PD_APP_ISSUED || a.status == PD_APP_INSTALLED) {
		struct pem_ctx pc = { cJSON_AddArrayToObject(o, "certificate_pems") };
		char *chain = NULL;

		s->ops->cert_list(s, a.number, cert_pem_cb, &pc);
		if (pd_ca_chain_pem(r->srv->ca, &chain) == QT_OK)
			cJSON_AddStringToObject(o, "chain_pem", chain);
		free(chain);
	}
	pd_app_clear(&a);
	pd_reply_json(r, 200, o);
}

/* ---- First head's approvals ------------------------------------------- */

/* The session is a first head's: signed in with a chairman key of the
 * BIN whose registry row names this IIN as head.  Else a 403 reply. */
static int head_auth(struct pd_req *r, const struct holder *h)
{
	struct pd_entity e;
	enum pd_st st;

	if (strcmp(h->ss.subject_type, "chairman") || !*h->ss.bin) {
		pd_reply_error(r, 403, "not_head", "only the first head of an organisation, signed in "
		               "with a chairman's AUTH key, approves employees' re-issuance");
		return -1;
	}
	st = r->srv->store->ops->entity_get(r->srv->store, h->ss.bin, &e);
	if (st == PD_FAIL) {
		pd_api_internal(r);
		return -1;
	}
	if (st != PD_OK || strcmp(e.head_iin, h->ss.iin)) {
		pd_reply_error(r, 403, "not_head", "IIN %s is no longer the first head of BIN %s in the "
		               "registry", h->ss.iin, h->ss.bin);
		return -1;
	}
	return 0;
}

static int approval_cb(void *ctx, const struct pd_app *a)
{
	void **v = ctx;
	struct pd_server *srv = v[0];
	cJSON *o = request_json(srv, a);
	struct pd_person p;

	if (srv->store->ops->person_get(srv->store, a->iin, &p) == PD_OK)
		pd_api_add_full_name(o, &p);
	cJSON_DeleteItemFromObject(o, "install_nonce");
	cJSON_AddItemToArray(v[1], o);
	return 0;
}

static void h_approvals(struct pd_req *r, const struct holder *h)
{
	cJSON *o, *arr;
	void *ctx[2];

	if (head_auth(r, h))
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "bin", h->ss.bin);
	arr = cJSON_AddArrayToObject(o, "approvals");
	ctx[0] = r->srv;
	ctx[1] = arr;
	if (r->srv->store->ops->reissue_list_awaiting(r->srv->store, h->ss.bin, approval_cb, ctx) !=
	    PD_OK) {
		cJSON_Delete(o);
		pd_api_internal(r);
		return;
	}
	cJSON_AddNumberToObject(o, "count", cJSON_GetArraySize(arr));
	pd_reply_json(r, 200, o);
}

static const struct pd_field F_DECLINE[] = { { "reason", PD_JSTR, false }, { NULL, 0, false } };

static void h_decide(struct pd_req *r, const struct holder *h, const char *number, bool approve)
{
	struct pd_server *srv = r->srv;
	struct pd_store *s = srv->store;
	struct pd_reissue ri;
	struct pd_result res;
	struct pd_app a;
	cJSON *b = NULL;
	char actor[96], reason[400];
	enum pd_st st;

	memset(&a, 0, sizeof(a));
	if (approve ? !pd_api_empty_body(r) : !(b = pd_body_json(r, F_DECLINE)))
		return;
	if (head_auth(r, h))
		goto out;
	st = pd_app_number_valid(number) ? s->ops->reissue_get(s, number, &ri) : PD_NOTFOUND;
	if (st == PD_FAIL) {
		pd_api_internal(r);
		goto out;
	}
	/* Another organisation's request is not found, as an unknown one. */
	if (st != PD_OK || strcmp(ri.bin, h->ss.bin) || ri.head_state == PD_HEAD_NOT_NEEDED) {
		pd_reply_error(r, 404, "application_not_found",
		               "no re-issuance %.16s awaits the approval of BIN %s", number, h->ss.bin);
		goto out;
	}
	if (ri.head_state != PD_HEAD_AWAITING) {
		pd_reply_error(r, 409, "already_decided", "re-issuance %s was already %s", number,
		               head_state_name(ri.head_state));
		goto out;
	}
	if (s->ops->app_get_brief(s, number, &a) != PD_OK) {
		pd_api_internal(r);
		goto out;
	}
	if (a.status != PD_APP_PENDING || pd_app_overdue(&a, pd_now())) {
		pd_reply_error(r, 409, pd_app_overdue(&a, pd_now()) ? "application_cancelled" :
		               "already_decided", "application %s is no longer pending", number);
		goto out;
	}
	/* Record the head's decision first; the issuance (or rejection)
	 * follows and re-checks the application under its own lock. */
	ri.head_state = approve ? PD_HEAD_APPROVED : PD_HEAD_DECLINED;
	snprintf(ri.head_iin, sizeof(ri.head_iin), "%s", h->ss.iin);
	ri.decided = pd_now();
	if (s->ops->begin(s) != PD_OK) {
		pd_reply_error(r, 503, "unavailable", "database busy");
		goto out;
	}
	if (s->ops->reissue_put(s, &ri) != PD_OK ||
	    pd_audit(srv, h->actor, approve ? "head_approve" : "head_decline", number,
	             "first head of BIN %s", h->ss.bin) != PD_OK ||
	    s->ops->commit(s) != PD_OK) {
		s->ops->rollback(s);
		pd_api_internal(r);
		goto out;
	}
	snprintf(actor, sizeof(actor), "head:%s", h->ss.iin);
	if (approve) {
		if (pd_svc_approve(srv, number, actor, &res)) {
			pd_reply_error(r, res.http, res.code, "%s", res.msg);
			goto out;
		}
	} else {
		snprintf(reason, sizeof(reason), "declined by the first head%s%.300s",
		         *pd_jstr(b, "reason") ? ": " : "", pd_jstr(b, "reason"));
		if (pd_svc_reject(srv, number, actor, reason, &res)) {
			pd_reply_error(r, res.http, res.code, "%s", res.msg);
			goto out;
		}
	}
	pd_app_clear(&a);
	if (s->ops->app_get_brief(s, number, &a) != PD_OK) {
		pd_api_internal(r);
		goto out;
	}
	{
		cJSON *o = request_json(srv, &a);

		cJSON_DeleteItemFromObject(o, "install_nonce");
		pd_reply_json(r, 200, o);
	}
out:
	pd_app_clear(&a);
	cJSON_Delete(b);
}

/* ---- Routing ----------------------------------------------------------- */

static bool is(const char *a, const char *b)
{
	return !strcmp(a, b);
}

void pd_account_dispatch(struct pd_req *r)
{
	const char *p = r->path, *rest;
	bool get = is(r->method, "GET") || is(r->method, "HEAD"), post = is(r->method, "POST");
	struct holder h;
	char id[64];

#define ONLY(cond) do { if (!(cond)) { pd_api_method_not_allowed(r); return; } } while (0)
	if (is(p, "/api/v1/account/challenge")) {
		ONLY(post);
		h_challenge(r);
		return;
	}
	if (is(p, "/api/v1/account/session")) {
		ONLY(post);
		h_session(r);
		return;
	}
	memset(&h, 0, sizeof(h));
	if (holder_auth(r, &h))
		return;
	if (is(p, "/api/v1/account/logout")) {
		ONLY(post);
		h_logout(r, &h);
	} else if (is(p, "/api/v1/account/profile")) {
		ONLY(get || post);
		if (post)
			h_profile_set(r, &h);
		else
			reply_profile(r, &h);
	} else if (is(p, "/api/v1/account/keys")) {
		ONLY(get);
		h_keys(r, &h);
	} else if (is(p, "/api/v1/account/keys.csv")) {
		ONLY(get);
		h_keys_csv(r, &h);
	} else if (pd_api_under(p, "/api/v1/account/keys/", id, sizeof(id), &rest) &&
	           is(rest, "/revoke")) {
		ONLY(post);
		h_revoke(r, &h, id);
	} else if (is(p, "/api/v1/account/reissue")) {
		ONLY(post);
		h_reissue(r, &h);
	} else if (is(p, "/api/v1/account/requests")) {
		ONLY(get);
		h_requests(r, &h);
	} else if (pd_api_under(p, "/api/v1/account/requests/", id, sizeof(id), &rest) && !*rest) {
		ONLY(get);
		h_request(r, &h, id);
	} else if (is(p, "/api/v1/account/approvals")) {
		ONLY(get);
		h_approvals(r, &h);
	} else if (pd_api_under(p, "/api/v1/account/approvals/", id, sizeof(id), &rest) &&
	           (is(rest, "/approve") || is(rest, "/decline"))) {
		ONLY(post);
		h_decide(r, &h, id, is(rest, "/approve"));
	} else {
		pd_reply_error(r, 404, "not_found", "no such resource");
	}
#undef ONLY
}
