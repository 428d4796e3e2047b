/* RA decisions: approve (issue AUTH and SIGN), reject, cancel, revoke. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "portald/ca.h"
#include "portald/catalog.h"
#include "portald/http.h"
#include "portald/log.h"
#include "portald/service.h"

static int result(struct pd_result *res, unsigned http, const char *code,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int result(struct pd_result *res, unsigned http, const char *code, const char *fmt, ...)
{
	va_list ap;

	res->http = http;
	res->code = code;
	va_start(ap, fmt);
	vsnprintf(res->msg, sizeof(res->msg), fmt, ap);
	va_end(ap);
	return code ? -1 : 0;
}

enum pd_st pd_audit(struct pd_server *srv, const char *actor, const char *action,
                    const char *number, const char *fmt, ...)
{
	struct pd_audit a;
	va_list ap;

	memset(&a, 0, sizeof(a));
	a.at = pd_now();
	snprintf(a.actor, sizeof(a.actor), "%s", actor);
	snprintf(a.action, sizeof(a.action), "%s", action);
	snprintf(a.number, sizeof(a.number), "%s", number ? number : "");
	va_start(ap, fmt);
	vsnprintf(a.detail, sizeof(a.detail), fmt, ap);
	va_end(ap);
	return srv->store->ops->audit_append(srv->store, &a);
}

time_t pd_app_deadline(const struct pd_app *a)
{
	return a->created + (time_t)PD_VERIFY_DAYS * 86400;
}

bool pd_app_overdue(const struct pd_app *a, time_t now)
{
	return a->status == PD_APP_PENDING && now >= pd_app_deadline(a);
}

/* Signs one certificate (no database access), on the CA's path for
 * stored requests: checked when they were received, their keys are not
 * decoded again (see pd_ca_issue_stored()). */
static int sign_one(struct pd_server *srv, const struct pd_app *a, const char *csr,
                    const struct pd_subject *subj, enum pd_subject_type type,
                    enum qt_purpose purpose, enum qt_storage storage, time_t now,
                    struct pd_cert *c, struct pd_result *res)
{
	struct pd_issued is;
	qt_err e;

	e = pd_ca_issue_stored(srv->ca, csr, subj, type, purpose, storage, now, &is);
	if (e != QT_OK)
		return result(res, 500, "issue_failed", "the CA refused: %s", qt_error_detail());
	memset(c, 0, sizeof(*c));
	memcpy(c->serial, is.serial, sizeof(is.serial));
	snprintf(c->number, sizeof(c->number), "%s", a->number);
	snprintf(c->purpose, sizeof(c->purpose), "%s", purpose == QT_PURPOSE_AUTH ? "auth" : "sign");
	c->pem = is.pem;
	is.pem = NULL;
	c->not_before = is.not_before;
	c->not_after = is.not_after;
	c->reason = -1;
	pd_issued_clear(&is);
	return 0;
}

static int decided(struct pd_result *res, const struct pd_app *a)
{
	if (a->status == PD_APP_CANCELLED)
		return result(res, 409, "application_cancelled",
		              "application %s was cancelled: not verified within %d days",
		              a->number, PD_VERIFY_DAYS);
	return result(res, 409, "already_decided", "application %s is already %s", a->number,
	              pd_app_status_name(a->status));
}

/* Loads the application for a decision, cancelling it first when it is
 * overdue.  Returns 1 when the caller may go on. */
static int load_pending(struct pd_server *srv, const char *number, const char *actor,
                        struct pd_app *a, struct pd_result *res)
{
	struct pd_store *s = srv->store;
	time_t now = pd_now();
	enum pd_st st = s->ops->app_get(s, number, a);

	if (st == PD_NOTFOUND) {
		result(res, 404, "application_not_found", "no application %s", number);
		return 0;
	}
	if (st != PD_OK) {
		result(res, 500, "internal", "database error");
		return 0;
	}
	if (pd_app_overdue(a, now)) {
		a->status = PD_APP_CANCELLED;
		a->updated = now;
		snprintf(a->reason, sizeof(a->reason), "not verified within %d days", PD_VERIFY_DAYS);
		if (s->ops->app_update(s, a) != PD_OK ||
		    pd_audit(srv, "system", "cancel", a->number, "deadline passed") != PD_OK ||
		    s->ops->commit(s) != PD_OK) {
			s->ops->rollback(s);
			result(res, 500, "internal", "database error");
			return 0;
		}
		(void)actor;
		decided(res, a);
		return 0;
	}
	if (a->status != PD_APP_PENDING) {
		decided(res, a);
		return 0;
	}
	return 1;
}

/* Approval signs outside the write lock, so that several approvals
 * sign at once on all cores, and takes the lock only to record: it
 * re-reads the application under the lock and, if someone decided it
 * meanwhile, drops what it signed.  Such certificates were never
 * stored, published or sent to anyone; the CA never sees the serial
 * again (20 random bytes). */
int pd_svc_approve(struct pd_server *srv, const char *number, const char *actor,
                   struct pd_result *res)
{
	struct pd_store *s = srv->store;
	struct pd_app a, b;
	struct pd_person p;
	struct pd_entity e;
	struct pd_subject subj;
	struct pd_cert certs[2];
	enum pd_subject_type type;
	const struct pd_storage_info *si;
	time_t now = pd_now();
	char fullname[300];
	enum pd_st st;
	int rc = -1;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(certs, 0, sizeof(certs));
	st = s->ops->app_get(s, number, &a);
	if (st == PD_NOTFOUND)
		return result(res, 404, "application_not_found", "no application %s", number);
	if (st != PD_OK)
		return result(res, 500, "internal", "database error");
	if (a.status != PD_APP_PENDING || pd_app_overdue(&a, now)) {
		/* Let the locked path give the answer (and cancel if due). */
		if (s->ops->begin(s) != PD_OK) {
			result(res, 503, "unavailable", "database busy");
		} else if (load_pending(srv, number, actor, &b, res)) {
			result(res, 409, "already_decided", "application %s changed; try again", number);
		}
		goto rollback;   /* a no-op when load_pending committed */
	}
	{
		/* An employee's re-issuance waits for the first head of its BIN:
		 * not even the RA issues it before. */
		struct pd_reissue ri;

		if (s->ops->reissue_get(s, number, &ri) == PD_OK &&
		    (ri.head_state == PD_HEAD_AWAITING || ri.head_state == PD_HEAD_DECLINED)) {
			result(res, 409, "awaiting_head", "re-issuance %s waits for the approval of the "
			       "first head of BIN %s", number, ri.bin);
			goto out;
		}
	}
	if (!pd_subject_type_parse(a.subject_type, &type) || !(si = pd_storage_find(a.storage))) {
		result(res, 500, "internal", "stored application is inconsistent");
		goto out;
	}
	/* The subject comes from the registries, never from the request. */
	if (s->ops->person_get(s, a.iin, &p) != PD_OK) {
		result(res, 409, "iin_not_found", "IIN %s is no longer in the registry", a.iin);
		goto out;
	}
	memset(&subj, 0, sizeof(subj));
	subj.surname = p.surname;
	subj.given_name = p.given_name;
	subj.patronymic = p.patronymic;
	subj.iin = p.iin;
	subj.email = a.email;
	if (pd_subject_type_is_legal(type)) {
		if (s->ops->entity_get(s, a.bin, &e) != PD_OK) {
			result(res, 409, "bin_not_found", "BIN %s is no longer in the registry", a.bin);
			goto out;
		}
		if (type == PD_CHAIRMAN && strcmp(e.head_iin, a.iin)) {
			result(res, 409, "not_head", "%s is no longer the head of %s", a.iin, a.bin);
			goto out;
		}
		subj.bin = e.bin;
		subj.organization = e.name;
	}
	if (sign_one(srv, &a, a.auth_csr, &subj, type, QT_PURPOSE_AUTH, si->storage, now,
	             &certs[0], res) ||
	    sign_one(srv, &a, a.sign_csr, &subj, type, QT_PURPOSE_SIGN, si->storage, now,
	             &certs[1], res))
		goto out;

	if (s->ops->begin(s) != PD_OK) {
		result(res, 503, "unavailable", "database busy");
		goto out;
	}
	if (!load_pending(srv, number, actor, &b, res))
		goto rollback;     /* decided meanwhile: drop the certificates */
	for (int i = 0; i < 2; i++) {
		st = s->ops->cert_insert(s, &certs[i]);
		if (st != PD_OK) {
			result(res, st == PD_EXISTS ? 409 : 500, st == PD_EXISTS ? "already_decided" :
			       "internal", "%s", st == PD_EXISTS ? "certificates were already issued" :
			       "database error");
			goto rollback;
		}
	}
	b.status = PD_APP_ISSUED;
	b.updated = now;
	snprintf(b.decided_by, sizeof(b.decided_by), "%s", actor);
	if (pd_random_hex(b.install_nonce, 16)) {
		result(res, 500, "internal", "no randomness");
		goto rollback;
	}
	snprintf(fullname, sizeof(fullname), "%s %s", p.surname, p.given_name);
	if (s->ops->app_update(s, &b) != PD_OK ||
	    pd_audit(srv, actor, "approve", b.number, "issued AUTH %s and SIGN %s for %s",
	             certs[0].serial, certs[1].serial, fullname) != PD_OK ||
	    s->ops->commit(s) != PD_OK) {
		result(res, 500, "internal", "database error");
		goto rollback;
	}
	rc = result(res, 200, NULL, "approved");
	goto out;
rollback:
	s->ops->rollback(s);
out:
	pd_cert_clear(&certs[0]);
	pd_cert_clear(&certs[1]);
	pd_app_clear(&a);
	pd_app_clear(&b);
	return rc;
}

int pd_svc_reject(struct pd_server *srv, const char *number, const char *actor,
                  const char *reason, struct pd_result *res)
{
	struct pd_store *s = srv->store;
	struct pd_app a;
	int rc = -1;

	memset(&a, 0, sizeof(a));
	if (!reason || !*reason)
		return result(res, 400, "reason_required", "a rejection needs a reason");
	if (strlen(reason) > 1000)
		return result(res, 400, "invalid_value", "the reason is longer than 1000 bytes");
	if (s->ops->begin(s) != PD_OK)
		return result(res, 503, "unavailable", "database busy");
	if (!load_pending(srv, number, actor, &a, res))
		goto out;
	a.status = PD_APP_REJECTED;
	a.updated = pd_now();
	snprintf(a.decided_by, sizeof(a.decided_by), "%s", actor);
	snprintf(a.reason, sizeof(a.reason), "%s", reason);
	if (s->ops->app_update(s, &a) != PD_OK ||
	    pd_audit(srv, actor, "reject", a.number, "%s", reason) != PD_OK ||
	    s->ops->commit(s) != PD_OK) {
		result(res, 500, "internal", "database error");
		goto out;
	}
	rc = result(res, 200, NULL, "rejected");
out:
	if (rc)
		s->ops->rollback(s);
	pd_app_clear(&a);
	return rc;
}

struct stale {
	char (*numbers)[16];
	size_t n, cap;
};

static int collect(void *ctx, const struct pd_app *a)
{
	struct stale *st = ctx;

	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 64;
		void *p = realloc(st->numbers, cap * sizeof(*st->numbers));

		if (!p)
			return 1;
		st->numbers = p;
		st->cap = cap;
	}
	memcpy(st->numbers[st->n++], a->number, sizeof(a->number));
	return 0;
}

int pd_svc_cancel_stale(struct pd_server *srv)
{
	struct pd_store *s = srv->store;
	struct stale st = { NULL, 0, 0 };
	time_t now = pd_now();
	int done = 0;

	if (s->ops->app_list_stale(s, now - (time_t)PD_VERIFY_DAYS * 86400, collect, &st) != PD_OK)
		return -1;
	for (size_t i = 0; i < st.n; i++) {
		struct pd_app a;
		struct pd_result res;

		memset(&a, 0, sizeof(a));
		if (s->ops->begin(s) != PD_OK)
			break;
		/* load_pending cancels and commits when overdue. */
		if (load_pending(srv, st.numbers[i], "system", &a, &res))
			s->ops->rollback(s);
		else if (res.code && !strcmp(res.code, "application_cancelled"))
			done++;
		else
			s->ops->rollback(s);
		pd_app_clear(&a);
	}
	free(st.numbers);
	if (done)
		pd_log_info("cancel", "cancelled %d application(s) not verified within %d days",
		            done, PD_VERIFY_DAYS);
	return done;
}

int pd_svc_revoke(struct pd_server *srv, const char *serial, int reason,
                  const char *actor, struct pd_result *res)
{
	struct pd_store *s = srv->store;
	struct pd_cert c;
	enum pd_st st;

	if (s->ops->begin(s) != PD_OK)
		return result(res, 503, "unavailable", "database busy");
	st = s->ops->cert_get(s, serial, &c);
	if (st != PD_OK) {
		s->ops->rollback(s);
		if (st == PD_NOTFOUND)
			return result(res, 404, "certificate_not_found", "no certificate %s", serial);
		return result(res, 500, "internal", "database error");
	}
	if (c.revoked_at) {
		pd_cert_clear(&c);
		s->ops->rollback(s);
		return result(res, 409, "already_revoked", "certificate %s is already revoked", serial);
	}
	if (s->ops->cert_revoke(s, serial, reason, pd_now()) != PD_OK ||
	    pd_audit(srv, actor, "revoke", c.number, "%s certificate %s: %s", c.purpose, serial,
	             pd_crl_reason_name(reason)) != PD_OK ||
	    s->ops->commit(s) != PD_OK) {
		pd_cert_clear(&c);
		s->ops->rollback(s);
		return result(res, 500, "internal", "database error");
	}
	pd_cert_clear(&c);
	if (srv->ca && pd_crl_refresh(srv))
		pd_log_error("crl", "could not refresh the CRL after revoking %s", serial);
	return result(res, 200, NULL, "revoked");
}
