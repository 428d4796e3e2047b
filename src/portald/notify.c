/* Expiry notices (domain.md section 1): e-mail 30, 14 and 7 days before
 * a certificate expires, SMS 10 days before, each once.
 *
 * A key set (the AUTH and SIGN certificates of one application, which
 * expire together) gets one message per kind; it is recorded on the
 * set's AUTH certificate (its SIGN certificate when the AUTH one was
 * revoked) in the table notice, whose key (serial, kind) the database
 * keeps unique.  Decisions:
 *   - the row is written before the message is sent and marked sent
 *     after; a message that fails (SMTP or the gateway down) stays
 *     pending and is tried again at the next pass, so a restart or an
 *     outage never skips one; only a crash between sending and marking
 *     can repeat one (a crash before sending is retried after 5 minutes);
 *   - the pending row is a claim taken under the write lock, so the
 *     daemon and "qoltanbad notify" running at once never both send;
 *   - when the portal was down past a date, only the most urgent notice
 *     due is sent and the earlier ones are recorded as superseded (a
 *     "30 days left" mail a week before expiry would mislead);
 *   - a holder who turned notices off (profile notify_email/notify_sms)
 *     gets none, and nothing is recorded, so turning them on again
 *     brings the notice due at that time;
 *   - a set is not notified when the holder already has a newer valid
 *     set of the same role (re-issued), nor when it is revoked.
 */
#include "config.h"

#include <getopt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "portald/http.h"
#include "portald/log.h"
#include "portald/service.h"
#include "i18n.h"

#define DAY 86400L

struct cand {
	char serial[48], number[16], purpose[8], iin[13], bin[13], subject_type[24];
	char email[256];
	time_t not_before, not_after;
};

struct cands {
	struct cand *v;
	size_t n, cap;
};

static int collect(void *ctx, const struct pd_cert *c, const struct pd_app *a)
{
	struct cands *cs = ctx;
	struct cand *x;

	/* One per application: AUTH comes first in the order of the query. */
	if (cs->n && !strcmp(cs->v[cs->n - 1].number, a->number))
		return 0;
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 64;
		void *p = realloc(cs->v, cap * sizeof(*cs->v));

		if (!p)
			return 1;
		cs->v = p;
		cs->cap = cap;
	}
	x = &cs->v[cs->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->serial, sizeof(x->serial), "%s", c->serial);
	snprintf(x->number, sizeof(x->number), "%s", a->number);
	snprintf(x->purpose, sizeof(x->purpose), "%s", c->purpose);
	snprintf(x->iin, sizeof(x->iin), "%s", a->iin);
	snprintf(x->bin, sizeof(x->bin), "%s", a->bin);
	snprintf(x->subject_type, sizeof(x->subject_type), "%s", a->subject_type);
	snprintf(x->email, sizeof(x->email), "%s", a->email);
	x->not_before = c->not_before;
	x->not_after = c->not_after;
	return 0;
}

struct renewed {
	const struct cand *c;
	time_t now;
	bool yes;
};

static int renewed_cb(void *ctx, const struct pd_cert *c, const struct pd_app *a)
{
	struct renewed *r = ctx;

	if (!c->revoked_at && c->not_after > r->c->not_after && c->not_before <= r->now &&
	    !strcmp(c->purpose, r->c->purpose) && !strcmp(a->subject_type, r->c->subject_type) &&
	    !strcmp(a->bin, r->c->bin))
		r->yes = true;
	return 0;
}

/* ---- Sending ------------------------------------------------------------ */

struct upload {
	const char *data;
	size_t len, off;
};

static size_t on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t k = size * n;

	if (k > u->len - u->off)
		k = u->len - u->off;
	memcpy(buf, u->data + u->off, k);
	u->off += k;
	return k;
}

static size_t on_discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void rfc2822_date(time_t t, char out[64])
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
	                                  "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 64, "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[tm.tm_wday], tm.tm_mday,
	         mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* What every notice transfer sets: where to, by which protocols (none
 * other, as a redirect might ask), no signals, and its time limits. */
static void curl_base(CURL *c, const char *url, const char *protocols)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols);
#else
	(void)protocols;
#endif
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
}

static int send_mail(const struct pd_config *cfg, const char *to, const char *subject,
                     const char *body, const char *kind, const char *serial, time_t now)
{
	CURL *c = curl_easy_init();
	struct curl_slist *rcpt = NULL;
	char from[300], rto[300], date[64], *subj64, *msg;
	struct upload u;
	CURLcode cc;
	size_t n;
	int rc = -1;

	if (!c)
		return -1;
	subj64 = pd_base64_encode((const unsigned char *)subject, strlen(subject));
	n = strlen(body) + strlen(subject) * 2 + 1024;
	msg = malloc(n);
	if (!subj64 || !msg)
		goto out;
	rfc2822_date(now, date);
	snprintf(msg, n,
	         "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: =?UTF-8?B?%s?=\r\n"
	         "Message-ID: <%s.%s@qoltanbad>\r\nMIME-Version: 1.0\r\n"
	         "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
	         "X-Qoltanbad-Notice: %s\r\nX-Qoltanbad-Serial: %s\r\n\r\n%s\r\n",
	         date, cfg->mail_from, to, subj64, serial, kind, kind, serial, body);
	u.data = msg;
	u.len = strlen(msg);
	u.off = 0;
	snprintf(from, sizeof(from), "<%s>", cfg->mail_from);
	snprintf(rto, sizeof(rto), "<%s>", to);
	rcpt = curl_slist_append(NULL, rto);
	curl_base(c, cfg->smtp_url, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		rc = 0;
	else
		pd_log_error("notify", "mail to %s for %s: %s", to, serial, curl_easy_strerror(cc));
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	free(subj64);
	free(msg);
	return rc;
}

static int send_sms(const struct pd_config *cfg, const char *phone, const char *text,
                    const char *serial)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	cJSON *o = cJSON_CreateObject();
	char *body = NULL;
	long code = 0;
	CURLcode cc;
	int rc = -1;

	if (!c || !o)
		goto out;
	cJSON_AddStringToObject(o, "phone", phone);
	cJSON_AddStringToObject(o, "text", text);
	if (!(body = cJSON_PrintUnformatted(o)))
		goto out;
	h = curl_slist_append(NULL, "Content-Type: application/json");
	curl_base(c, cfg->sms_gateway, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_discard);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OK && code >= 200 && code < 300)
		rc = 0;
	else
		pd_log_error("notify", "SMS for %s: %s (HTTP %ld)", serial,
		             cc == CURLE_OK ? "refused" : curl_easy_strerror(cc), code);
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	cJSON_Delete(o);
	free(body);
	return rc;
}

/* ---- Texts (the holder's language) ------------------------------------- */

static void texts(const char *lang, const struct cand *c, long days, bool sms,
                  char *subject, size_t ssize, char *body, size_t bsize)
{
	char date[32];

	pd_time_iso(c->not_after, date);
	date[10] = '\0';
	if (!strcmp(lang, "ru")) {
		snprintf(subject, ssize, "Срок действия ключей ЭЦП истекает через %ld дн.", days);
		snprintf(body, bsize, sms ? "Ключи ЭЦП (заявка %s) истекают %s, осталось %ld дн. "
		         "Перевыпуск онлайн в личном кабинете." :
		         "Срок действия ваших ключей ЭЦП (заявка %s) истекает %s: осталось дней: %ld.\r\n"
		         "Перевыпустите их онлайн в личном кабинете, пока они действительны; после "
		         "истечения срока потребуется новая заявка с посещением центра регистрации.",
		         c->number, date, days);
	} else if (!strcmp(lang, "en")) {
		snprintf(subject, ssize, "Your digital-signature keys expire in %ld day(s)", days);
		snprintf(body, bsize, sms ? "Your DS keys (application %s) expire on %s, %ld day(s) "
		         "left. Re-issue them online in your personal account." :
		         "Your digital-signature keys (application %s) expire on %s: %ld day(s) left.\r\n"
		         "Re-issue them online in your personal account while they are valid; after "
		         "they expire you need a new application and a visit to a Registration "
		         "Authority.", c->number, date, days);
	} else {
		snprintf(subject, ssize, "ЭЦҚ кілттерінің мерзімі %ld күннен кейін аяқталады", days);
		snprintf(body, bsize, sms ? "ЭЦҚ кілттері (өтінім %s) %s аяқталады, %ld күн қалды. "
		         "Жеке кабинетте онлайн қайта шығарыңыз." :
		         "ЭЦҚ кілттеріңіздің (өтінім %s) мерзімі %s аяқталады: %ld күн қалды.\r\n"
		         "Кілттер жарамды кезде оларды жеке кабинетте онлайн қайта шығарыңыз; мерзімі "
		         "өткеннен кейін тіркеу орталығына барып, жаңа өтінім беру қажет.",
		         c->number, date, days);
	}
}

/* ---- One pass ------------------------------------------------------------ */

static const char *const EMAIL_KINDS[] = { "email30", "email14", "email7" };
static const long EMAIL_DAYS[] = { 30, 14, 7 };

/* Claims the notice (and supersedes the less urgent ones of its
 * channel) under the write lock, so that the daemon and a "qoltanbad
 * notify" running at the same moment never both send it.  A pending row
 * is a claim: taken again only when its sender gave it back (a failed
 * send sets created to 0) or when the claim is older than CLAIM_TTL (its
 * sender died).  Returns 1 when it must be sent now, 0 when not, -1 on
 * a database error. */
#define CLAIM_TTL 300

static int claim(struct pd_store *s, const char *serial, const char *kind,
                 const char *const *older, size_t n_older, time_t now)
{
	struct pd_notice nt;
	enum pd_st st = s->ops->notice_get(s, serial, kind, &nt);

	if (st == PD_OK && (nt.state != PD_NOTICE_PENDING || now - nt.created < CLAIM_TTL))
		return 0;                /* done, or someone is sending it */
	if ((st != PD_OK && st != PD_NOTFOUND) || s->ops->begin(s) != PD_OK)
		return -1;
	st = s->ops->notice_get(s, serial, kind, &nt);   /* again, under the lock */
	if (st == PD_OK) {
		if (nt.state != PD_NOTICE_PENDING || now - nt.created < CLAIM_TTL) {
			s->ops->rollback(s);
			return 0;
		}
		nt.created = now;
		if (s->ops->notice_put(s, &nt) != PD_OK || s->ops->commit(s) != PD_OK)
			goto fail;
		return 1;
	}
	if (st != PD_NOTFOUND)
		goto fail;
	memset(&nt, 0, sizeof(nt));
	snprintf(nt.serial, sizeof(nt.serial), "%s", serial);
	nt.created = now;
	for (size_t i = 0; i < n_older; i++) {
		struct pd_notice o;

		if (s->ops->notice_get(s, serial, older[i], &o) == PD_OK)
			continue;
		snprintf(nt.kind, sizeof(nt.kind), "%s", older[i]);
		nt.state = PD_NOTICE_SUPERSEDED;
		if (s->ops->notice_put(s, &nt) != PD_OK)
			goto fail;
	}
	snprintf(nt.kind, sizeof(nt.kind), "%s", kind);
	nt.state = PD_NOTICE_PENDING;
	if (s->ops->notice_put(s, &nt) != PD_OK || s->ops->commit(s) != PD_OK)
		goto fail;
	return 1;
fail:
	s->ops->rollback(s);
	return -1;
}

static void mark(struct pd_store *s, const char *serial, const char *kind, int state, time_t now)
{
	struct pd_notice nt;

	if (s->ops->notice_get(s, serial, kind, &nt) != PD_OK) {
		memset(&nt, 0, sizeof(nt));
		snprintf(nt.serial, sizeof(nt.serial), "%s", serial);
		snprintf(nt.kind, sizeof(nt.kind), "%s", kind);
		nt.created = now;
	}
	nt.attempts++;
	nt.state = state;
	if (state == PD_NOTICE_PENDING)
		nt.created = 0;          /* give the claim back: the next pass retries */
	if (s->ops->notice_put(s, &nt) != PD_OK)
		pd_log_error("notify", "cannot record notice %s of %s", kind, serial);
}

int pd_notify_pass(struct pd_server *srv, time_t now)
{
	struct pd_store *s = srv->store;
	struct cands cs = { NULL, 0, 0 };
	int sent = 0;

	if (s->ops->cert_list_expiring(s, now, now + PD_EXPIRY_NOTICE_DAYS * DAY, collect, &cs) !=
	    PD_OK) {
		free(cs.v);
		return -1;
	}
	for (size_t i = 0; i < cs.n; i++) {
		const struct cand *c = &cs.v[i];
		long rem = (long)(c->not_after - now), days = (rem + DAY - 1) / DAY;
		struct renewed rn = { c, now, false };
		struct pd_pref pf;
		struct pd_person p;
		char subject[256], body[2048];
		int k = -1;

		s->ops->cert_list_iin(s, c->iin, renewed_cb, &rn);
		if (rn.yes)
			continue;
		if (s->ops->pref_get(s, c->iin, &pf) != PD_OK) {
			snprintf(pf.language, sizeof(pf.language), "kk");
			pf.notify_email = pf.notify_sms = true;
		}
		for (int j = 0; j < 3; j++)
			if (rem <= EMAIL_DAYS[j] * DAY)
				k = j;
		if (k >= 0 && pf.notify_email && *srv->cfg.smtp_url) {
			int cl = claim(s, c->serial, EMAIL_KINDS[k], EMAIL_KINDS, (size_t)k, now);

			if (cl == 1 && !*c->email) {
				mark(s, c->serial, EMAIL_KINDS[k], PD_NOTICE_NO_ADDRESS, now);
			} else if (cl == 1) {
				texts(pf.language, c, days, false, subject, sizeof(subject), body,
				      sizeof(body));
				if (send_mail(&srv->cfg, c->email, subject, body, EMAIL_KINDS[k], c->serial,
				              now) == 0) {
					mark(s, c->serial, EMAIL_KINDS[k], PD_NOTICE_SENT, now);
					pd_log_info("notify", "sent %s for %s (application %s, %ld day(s) left)",
					            EMAIL_KINDS[k], c->serial, c->number, days);
					sent++;
				} else {
					mark(s, c->serial, EMAIL_KINDS[k], PD_NOTICE_PENDING, now);
				}
			}
		}
		if (rem <= 10 * DAY && pf.notify_sms && *srv->cfg.sms_gateway) {
			int cl = claim(s, c->serial, "sms10", NULL, 0, now);

			if (cl == 1 && (s->ops->person_get(s, c->iin, &p) != PD_OK || !*p.phone)) {
				mark(s, c->serial, "sms10", PD_NOTICE_NO_ADDRESS, now);
			} else if (cl == 1) {
				texts(pf.language, c, days, true, subject, sizeof(subject), body,
				      sizeof(body));
				if (send_sms(&srv->cfg, p.phone, body, c->serial) == 0) {
					mark(s, c->serial, "sms10", PD_NOTICE_SENT, now);
					pd_log_info("notify", "sent sms10 for %s (application %s)", c->serial,
					            c->number);
					sent++;
				} else {
					mark(s, c->serial, "sms10", PD_NOTICE_PENDING, now);
				}
			}
		}
	}
	free(cs.v);
	pd_log_info("notify", "notice pass done: %d sent, %zu key set(s) within %d days of expiry",
	            sent, cs.n, PD_EXPIRY_NOTICE_DAYS);
	return sent;
}

/* qoltanbad notify --data DIR [--now] [--test-clock-offset S] */
int pd_cmd_notify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "now", no_argument, NULL, 'n' },
		{ "test-clock-offset", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *offset = NULL;
	struct pd_server srv;
	int o, n;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': dir = optarg; break;
		case 'n': break;
		case 't': offset = optarg; break;
		default:
			goto usage;
		}
	}
	if (!dir || optind != argc) {
usage:
		fprintf(stderr, _("usage: qoltanbad notify --data DIR [--now] "
		                  "[--test-clock-offset SECONDS]\n"));
		return 2;
	}
	if (pd_server_open(&srv, dir)) {
		pd_server_close(&srv);
		return 1;
	}
	if (offset) {
		long v;

		if (!pd_clock_offset_parse(offset, &v) || !srv.cfg.test_mode) {
			fprintf(stderr, _("qoltanbad: --test-clock-offset needs a number of seconds and a "
			                  "portal created with \"init --test-mode\"\n"));
			pd_server_close(&srv);
			return 2;
		}
		pd_clock_offset = v;
	}
	pd_log_open(srv.cfg.log_file[0] ? srv.cfg.log_file : NULL);
	n = pd_notify_pass(&srv, pd_now());
	pd_server_close(&srv);
	pd_log_close();
	if (n < 0) {
		fprintf(stderr, _("qoltanbad: the notice pass failed; see the log\n"));
		return 1;
	}
	printf(_("%d notice(s) sent\n"), n);
	return 0;
}
