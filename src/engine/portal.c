/* The portal client (include/qoltanba/portal.h): libcurl + cJSON.
 *
 * One function, request(), does every HTTP exchange: it builds the
 * request, retries idempotent ones with backoff, and turns whatever came
 * back (a curl failure, a portal error, a reply that is not what the API
 * promises) into a qt_err before anything else looks at it.  The call
 * functions below then read the members they need with strict type
 * checks (jstr, jbool, ...): a member of the wrong type, a string too long
 * for its field, or a missing required member is QT_ERR_PORTAL_REPLY,
 * never a truncated or guessed value. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <qoltanba/idnum.h>
#include <qoltanba/keystore.h>
#include <qoltanba/portal.h>
#include <qoltanba/secret.h>
#include "i18n.h"
#include "portal_internal.h"

#define REPLY_MAX (1024 * 1024)

struct qt_portal {
	CURL *curl;
	char *url;                  /* without a trailing slash */
	char *id;
	char *ca_file;
	long connect_ms, timeout_ms;
	int retries;
	qt_portal_progress_fn progress;
	void *progress_data;
	volatile sig_atomic_t *cancel;
	char ecode[64];
	char emsg[512];
	int http;
	char bearer[256];
	bool loopback;
};

struct buf {
	char *data;
	size_t len;
	bool over;
};

static size_t on_write(char *ptr, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t add = size * n;
	char *d;

	if (b->len + add > REPLY_MAX) {
		b->over = true;
		return 0;
	}
	d = realloc(b->data, b->len + add + 1);
	if (d == NULL)
		return 0;
	memcpy(d + b->len, ptr, add);
	b->len += add;
	d[b->len] = '\0';
	b->data = d;
	return add;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
	qt_portal *p = arg;

	if (p->cancel != NULL && *p->cancel)
		return 1;
	if (p->progress != NULL &&
	    !p->progress(p->progress_data, (size_t)ulnow, (size_t)ultotal,
	                 (size_t)dlnow, (size_t)dltotal))
		return 1;
	return 0;
}

/* ---- Opening -------------------------------------------------------- */

static bool loopback_host(const char *url)
{
	const char *h = strstr(url, "://");
	size_t n;

	if (h == NULL)
		return false;
	h += 3;
	n = strcspn(h, ":/");
	if (*h == '[')
		return strncmp(h, "[::1]", 5) == 0;
	return (n == 9 && strncmp(h, "localhost", 9) == 0) ||
	       (n >= 4 && strncmp(h, "127.", 4) == 0);
}

qt_err qt_portal_open(const struct qt_portal_options *opt, qt_portal **out)
{
	static bool global_done;
	qt_portal *p;
	size_t n;

	*out = NULL;
	if (opt == NULL || opt->url == NULL)
		return qt_error(QT_ERR_INVALID_ARG, _("no portal URL"));
	if (strncmp(opt->url, "https://", 8) != 0 &&
	    !(strncmp(opt->url, "http://", 7) == 0 && loopback_host(opt->url)))
		return qt_error(QT_ERR_INVALID_ARG,
		                _("portal URL \"%s\": use https:// (plain http:// only to this computer)"),
		                opt->url);
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return qt_error(QT_ERR_NETWORK, "curl_global_init");
		global_done = true;
	}
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return QT_ERR_NOMEM;
	p->url = strdup(opt->url);
	p->curl = curl_easy_init();
	if (p->url == NULL || p->curl == NULL) {
		qt_portal_close(p);
		return QT_ERR_NOMEM;
	}
	n = strlen(p->url);
	while (n > 0 && p->url[n - 1] == '/')
		p->url[--n] = '\0';
	p->loopback = loopback_host(p->url);
	if (opt->ca_file != NULL && *opt->ca_file != '\0') {
		if (access(opt->ca_file, R_OK) != 0) {
			qt_portal_close(p);
			return qt_error(QT_ERR_CONFIG, _("portal.ca: cannot read %s: %s"),
			                opt->ca_file, strerror(errno));
		}
		p->ca_file = strdup(opt->ca_file);
	}
	p->connect_ms = opt->connect_timeout_ms > 0 ? opt->connect_timeout_ms : 5000;
	p->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 30000;
	p->retries = opt->retries < 0 ? 0 : opt->retries == 0 ? 2 : opt->retries;
	*out = p;
	return QT_OK;
}

static long conf_long(const qt_config *cfg, const char *key, long def, long lo, long hi)
{
	const char *v = cfg ? qt_config_get(cfg, key) : NULL;
	char *end;
	long l;

	if (v == NULL)
		return def;
	errno = 0;
	l = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || l < lo || l > hi)
		return def;
	return l;
}

qt_err qt_portal_open_config(const qt_config *cfg, const char *url, qt_portal **out)
{
	struct qt_portal_options o;

	memset(&o, 0, sizeof o);
	o.url = url != NULL ? url : cfg != NULL ? qt_config_get(cfg, "portal") : NULL;
	if (o.url == NULL || *o.url == '\0') {
		*out = NULL;
		return qt_error(QT_ERR_NOT_FOUND, _("no portal is configured"));
	}
	o.ca_file = cfg != NULL ? qt_config_get(cfg, "portal.ca") : NULL;
	o.timeout_ms = conf_long(cfg, "portal.timeout", 30, 1, 3600) * 1000;
	o.connect_timeout_ms = conf_long(cfg, "portal.connect_timeout", 5, 1, 600) * 1000;
	o.retries = (int)conf_long(cfg, "portal.retries", 2, 0, 10);
	if (o.retries == 0)
		o.retries = -1;
	return qt_portal_open(&o, out);
}

void qt_portal_close(qt_portal *p)
{
	if (p == NULL)
		return;
	if (p->curl != NULL)
		curl_easy_cleanup(p->curl);
	OPENSSL_cleanse(p->bearer, sizeof p->bearer);
	free(p->url);
	free(p->id);
	free(p->ca_file);
	free(p);
}

const char *qt_portal_url(const qt_portal *p) { return p->url; }

void qt_portal_set_id(qt_portal *p, const char *id)
{
	free(p->id);
	p->id = id != NULL ? strdup(id) : NULL;
}

const char *qt_portal_id(const qt_portal *p) { return p->id != NULL ? p->id : p->url; }

void qt_portal_set_progress(qt_portal *p, qt_portal_progress_fn fn, void *data)
{
	p->progress = fn;
	p->progress_data = data;
}

void qt_portal_set_cancel(qt_portal *p, volatile sig_atomic_t *flag) { p->cancel = flag; }
const char *qt_portal_error_code(const qt_portal *p) { return p->ecode; }
const char *qt_portal_error_message(const qt_portal *p) { return p->emsg; }
int qt_portal_http_status(const qt_portal *p) { return p->http; }

/* ---- The exchange ----------------------------------------------------- */

/* The portal's stable code -> our outcome. */
static qt_err map_portal_code(const char *code, int http)
{
	static const struct { const char *code; qt_err rc; } map[] = {
		{ "captcha_required", QT_ERR_CAPTCHA }, { "captcha_unknown", QT_ERR_CAPTCHA },
		{ "captcha_expired", QT_ERR_CAPTCHA }, { "captcha_wrong", QT_ERR_CAPTCHA },
		{ "captcha_used", QT_ERR_CAPTCHA },
		{ "iin_not_found", QT_ERR_REGISTRY }, { "bin_not_found", QT_ERR_REGISTRY },
		{ "not_head", QT_ERR_REGISTRY },
		{ "iin_checksum", QT_ERR_IDNUM_CHECKSUM }, { "bin_checksum", QT_ERR_IDNUM_CHECKSUM },
		{ "invalid_iin", QT_ERR_IDNUM_DIGITS }, { "invalid_bin", QT_ERR_IDNUM_DIGITS },
		{ "invalid_email", QT_ERR_EMAIL },
		{ "application_not_found", QT_ERR_PORTAL_NOT_FOUND },
		{ "certificate_not_found", QT_ERR_PORTAL_NOT_FOUND },
		{ "not_found", QT_ERR_PORTAL_NOT_FOUND },
		{ "token_required", QT_ERR_PORTAL_DENIED }, { "unauthorized", QT_ERR_PORTAL_DENIED },
		{ "challenge_invalid", QT_ERR_PORTAL_DENIED }, { "operator_unknown", QT_ERR_PORTAL_DENIED },
		{ "signature_invalid", QT_ERR_PORTAL_DENIED }, { "bad_certificate", QT_ERR_PORTAL_DENIED },
		{ "not_issued", QT_ERR_PORTAL_CONFLICT }, { "already_installed", QT_ERR_PORTAL_CONFLICT },
		{ "already_decided", QT_ERR_PORTAL_CONFLICT },
		{ "application_cancelled", QT_ERR_PORTAL_CONFLICT },
		{ "key_reused", QT_ERR_PORTAL_CONFLICT }, { "already_revoked", QT_ERR_PORTAL_CONFLICT },
		{ "idempotency_key_reused", QT_ERR_PORTAL_CONFLICT },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].code, code) == 0)
			return map[i].rc;
	switch (http) {
	case 401: case 403: return QT_ERR_PORTAL_DENIED;
	case 404: return QT_ERR_PORTAL_NOT_FOUND;
	case 409: return QT_ERR_PORTAL_CONFLICT;
	default: return QT_ERR_PORTAL;
	}
}

static qt_err map_curl(qt_portal *p, CURLcode cc, const char *errbuf)
{
	const char *why = *errbuf ? errbuf : curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_ABORTED_BY_CALLBACK:
		return qt_error(QT_ERR_CANCELLED, "%s", p->url);
	case CURLE_OPERATION_TIMEDOUT:
		return qt_error(QT_ERR_TIMEOUT, "%s: %s", p->url, why);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return qt_error(QT_ERR_TLS, "%s: %s", p->url, why);
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		return qt_error(QT_ERR_PORTAL_REPLY, _("%s: the reply is larger than %d bytes"),
		                p->url, REPLY_MAX);
	case CURLE_OUT_OF_MEMORY:
		return QT_ERR_NOMEM;
	default:
		return qt_error(QT_ERR_NETWORK, "%s: %s", p->url, why);
	}
}

static bool cancelled(const qt_portal *p)
{
	return p->cancel != NULL && *p->cancel;
}

/* Sleeps ms, waking early when cancelled. */
static void pause_ms(const qt_portal *p, long ms)
{
	struct timespec ts;

	while (ms > 0 && !cancelled(p)) {
		long step = ms > 50 ? 50 : ms;

		ts.tv_sec = 0;
		ts.tv_nsec = step * 1000000L;
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

enum { R_IDEMPOTENT = 1 };

struct req {
	const char *method;         /* "GET" / "POST" */
	const char *path;           /* after the base URL, starts with '/' */
	const char *access;         /* X-Access-Token, or NULL */
	const char *idem;           /* Idempotency-Key, or NULL */
	bool bearer;
	const cJSON *body;          /* POST body, or NULL for {} / none */
	unsigned flags;
};

/* One attempt.  *out: the parsed object of a 2xx reply. */
static qt_err attempt(qt_portal *p, const struct req *rq, const char *body, cJSON **out)
{
	char errbuf[CURL_ERROR_SIZE] = "", url[2048], hdr[512];
	struct curl_slist *h = NULL;
	struct buf b = { NULL, 0, false };
	CURLcode cc;
	long code = 0;
	char *ctype = NULL;
	cJSON *j = NULL;
	qt_err rc;

	if ((size_t)snprintf(url, sizeof url, "%s%s", p->url, rq->path) >= sizeof url)
		return qt_error(QT_ERR_INVALID_ARG, "URL too long");
	curl_easy_reset(p->curl);
	curl_easy_setopt(p->curl, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(p->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(p->curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT_MS, p->connect_ms);
	curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS, p->timeout_ms);
	curl_easy_setopt(p->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(p->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (p->ca_file != NULL)
		curl_easy_setopt(p->curl, CURLOPT_CAINFO, p->ca_file);
	/* Proxies come from the environment (http_proxy, https_proxy,
	 * no_proxy), but never for this computer: a proxy cannot reach
	 * the local portal. */
	if (p->loopback)
		curl_easy_setopt(p->curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(p->curl, CURLOPT_USERAGENT, "qoltanba/" PACKAGE_VERSION);
	curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(p->curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(p->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(p->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(p->curl, CURLOPT_XFERINFODATA, p);
	curl_easy_setopt(p->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)REPLY_MAX);
	h = curl_slist_append(h, "Accept: application/json");
	if (rq->access != NULL) {
		snprintf(hdr, sizeof hdr, "X-Access-Token: %s", rq->access);
		h = curl_slist_append(h, hdr);
	}
	if (rq->idem != NULL) {
		snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", rq->idem);
		h = curl_slist_append(h, hdr);
	}
	if (rq->bearer && p->bearer[0] != '\0') {
		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", p->bearer);
		h = curl_slist_append(h, hdr);
	}
	if (strcmp(rq->method, "POST") == 0) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(p->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	OPENSSL_cleanse(hdr, sizeof hdr);
	curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, h);
	cc = curl_easy_perform(p->curl);
	curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, NULL);
	for (struct curl_slist *e = h; e != NULL; e = e->next)
		OPENSSL_cleanse(e->data, strlen(e->data));   /* access and bearer tokens */
	curl_slist_free_all(h);
	if (cc != CURLE_OK) {
		if (b.over)
			cc = CURLE_WRITE_ERROR;
		rc = map_curl(p, cc, errbuf);
		goto out;
	}
	curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(p->curl, CURLINFO_CONTENT_TYPE, &ctype);
	p->http = (int)code;
	if (ctype == NULL || strncmp(ctype, "application/json", 16) != 0 ||
	    (ctype[16] != '\0' && ctype[16] != ';')) {
		if (code >= 500)
			rc = qt_error(QT_ERR_PORTAL, _("%s answered HTTP %ld"), p->url, code);
		else
			rc = qt_error(QT_ERR_PORTAL_REPLY, _("%s answered HTTP %ld with %s, not JSON"),
			              p->url, code, ctype ? ctype : _("no content type"));
		goto out;
	}
	j = b.data != NULL ? cJSON_ParseWithLength(b.data, b.len) : NULL;
	if (!cJSON_IsObject(j)) {
		rc = qt_error(QT_ERR_PORTAL_REPLY, _("%s answered HTTP %ld with JSON that is not an object"),
		              p->url, code);
		goto out;
	}
	if (code < 200 || code > 299) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");

		if (!cJSON_IsString(c) || !cJSON_IsString(m)) {
			rc = qt_error(QT_ERR_PORTAL_REPLY, _("%s answered HTTP %ld without an error code"),
			              p->url, code);
			goto out;
		}
		snprintf(p->ecode, sizeof p->ecode, "%s", c->valuestring);
		snprintf(p->emsg, sizeof p->emsg, "%s", m->valuestring);
		rc = qt_error(map_portal_code(p->ecode, (int)code), "%s (%s)", p->emsg, p->ecode);
		goto out;
	}
	*out = j;
	j = NULL;
	rc = QT_OK;
out:
	cJSON_Delete(j);
	if (b.data != NULL)
		qt_free_secret(b.data, b.len);   /* may hold an access token */
	return rc;
}

static qt_err request(qt_portal *p, const struct req *rq, cJSON **out)
{
	char *body = NULL;
	qt_err rc;
	int i;

	*out = NULL;
	p->ecode[0] = p->emsg[0] = '\0';
	p->http = 0;
	if (strcmp(rq->method, "POST") == 0) {
		body = rq->body != NULL ? cJSON_PrintUnformatted(rq->body) : strdup("{}");
		if (body == NULL)
			return QT_ERR_NOMEM;
	}
	for (i = 0;; i++) {
		if (cancelled(p)) {
			rc = qt_error(QT_ERR_CANCELLED, "%s", p->url);
			break;
		}
		p->ecode[0] = p->emsg[0] = '\0';
		p->http = 0;
		rc = attempt(p, rq, body, out);
		if (rc == QT_OK || !(rq->flags & R_IDEMPOTENT) || i >= p->retries)
			break;
		if (rc != QT_ERR_NETWORK && rc != QT_ERR_TIMEOUT &&
		    !(rc == QT_ERR_PORTAL && p->http == 503))
			break;
		pause_ms(p, 250L << i);
	}
	if (body != NULL)
		qt_free_secret_str(body);
	return rc;
}

/* ---- Strict readers ----------------------------------------------------- */

static qt_err bad(const char *what, const char *name)
{
	return qt_error(QT_ERR_PORTAL_REPLY, _("the portal's %s has no valid \"%s\""), what, name);
}

/* String member into dst; absent is an error when required, else "". */
static qt_err jstr(const cJSON *o, const char *name, char *dst, size_t size, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	dst[0] = '\0';
	if (v == NULL || cJSON_IsNull(v))
		return required ? bad("reply", name) : QT_OK;
	if (!cJSON_IsString(v) || v->valuestring == NULL || strlen(v->valuestring) >= size)
		return bad("reply", name);
	memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
	return QT_OK;
}

static qt_err jbool(const cJSON *o, const char *name, bool *dst, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	*dst = false;
	if (v == NULL)
		return required ? bad("reply", name) : QT_OK;
	if (!cJSON_IsBool(v))
		return bad("reply", name);
	*dst = cJSON_IsTrue(v);
	return QT_OK;
}

static qt_err jint(const cJSON *o, const char *name, int *dst, int lo, int hi, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	*dst = 0;
	if (v == NULL || cJSON_IsNull(v))
		return required ? bad("reply", name) : QT_OK;
	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
	    v->valuedouble != (double)(int)v->valuedouble)
		return bad("reply", name);
	*dst = (int)v->valuedouble;
	return QT_OK;
}

/* "2026-11-21T18:30:06Z" (fractions allowed) -> time_t. */
static qt_err jtime(const cJSON *o, const char *name, time_t *dst, bool required)
{
	char s[40];
	struct tm tm;
	qt_err rc = jstr(o, name, s, sizeof s, required);
	int n = 0;

	*dst = 0;
	if (rc != QT_OK || s[0] == '\0')
		return rc;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	           &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return bad("reply", name);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*dst = timegm(&tm);
	return QT_OK;
}

static qt_err ji18n(const cJSON *o, const char *name, struct qt_i18n *dst)
{
	const cJSON *v = name ? cJSON_GetObjectItemCaseSensitive(o, name) : o;
	qt_err rc;

	if (!cJSON_IsObject(v))
		return bad("catalog", name ? name : "name");
	if ((rc = jstr(v, "en", dst->en, sizeof dst->en, true)) != QT_OK ||
	    (rc = jstr(v, "ru", dst->ru, sizeof dst->ru, false)) != QT_OK ||
	    (rc = jstr(v, "kk", dst->kk, sizeof dst->kk, false)) != QT_OK)
		return rc;
	return QT_OK;
}

const char *qt_i18n_get(const struct qt_i18n *n, const char *lang)
{
	if (lang != NULL && strncmp(lang, "kk", 2) == 0 && n->kk[0])
		return n->kk;
	if (lang != NULL && strncmp(lang, "ru", 2) == 0 && n->ru[0])
		return n->ru;
	return n->en;
}

/* Path segments we put in URLs: digits, hex, letters only. */
static qt_err check_number(const char *number)
{
	size_t i, n = number ? strlen(number) : 0;

	if (n == 0 || n > 32)
		return qt_error(QT_ERR_INVALID_ARG, _("application number \"%s\": 12 digits expected"),
		                number ? number : "");
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)number[i]))
			return qt_error(QT_ERR_INVALID_ARG,
			                _("application number \"%s\": 12 digits expected"), number);
	return QT_OK;
}

/* ---- Calls -------------------------------------------------------------- */

qt_err qt_portal_health(qt_portal *p)
{
	struct req rq = { "GET", "/api/v1/health", NULL, NULL, false, NULL, R_IDEMPOTENT };
	cJSON *j;
	char st[16];
	qt_err rc = request(p, &rq, &j);

	if (rc != QT_OK)
		return rc;
	rc = jstr(j, "status", st, sizeof st, true);
	if (rc == QT_OK && strcmp(st, "ok") != 0)
		rc = qt_error(QT_ERR_PORTAL, _("the portal says its status is \"%s\""), st);
	cJSON_Delete(j);
	return rc;
}

void qt_catalog_free(struct qt_catalog *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->region_count; i++)
		free(c->regions[i].cities);
	free(c->regions);
	free(c->storages);
	free(c->subject_types);
	free(c);
}

/* Room (zeroed, one spare) for the catalog's array a of at most max
 * elements of size bytes; NULL with *rc set when a is not such an array
 * (named "what" in the error) or memory runs out. */
static void *array_room(const cJSON *a, const char *what, int max, size_t size, qt_err *rc)
{
	void *room;

	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > max) {
		*rc = bad("catalog", what);
		return NULL;
	}
	room = calloc((size_t)cJSON_GetArraySize(a) + 1, size);
	if (room == NULL)
		*rc = QT_ERR_NOMEM;
	return room;
}

static qt_err parse_catalog(const cJSON *j, struct qt_catalog *c)
{
	const cJSON *a, *e, *pp, *v;
	size_t i;
	qt_err rc;

	a = cJSON_GetObjectItemCaseSensitive(j, "subject_types");
	c->subject_types = array_room(a, "subject_types", 64, sizeof *c->subject_types, &rc);
	if (c->subject_types == NULL)
		return rc;
	cJSON_ArrayForEach(e, a) {
		struct qt_subject_type *t = &c->subject_types[c->subject_type_count];

		if (!cJSON_IsObject(e))
			return bad("catalog", "subject_types");
		if ((rc = jstr(e, "id", t->id, sizeof t->id, true)) != QT_OK ||
		    (rc = ji18n(e, "label", &t->label)) != QT_OK ||
		    (rc = jbool(e, "legal_entity", &t->legal_entity, true)) != QT_OK ||
		    (rc = jbool(e, "requires_bin", &t->requires_bin, false)) != QT_OK ||
		    (rc = jbool(e, "must_be_head", &t->must_be_head, false)) != QT_OK ||
		    (rc = jstr(e, "role_oid", t->role_oid, sizeof t->role_oid, false)) != QT_OK)
			return rc;
		c->subject_type_count++;
	}
	a = cJSON_GetObjectItemCaseSensitive(j, "storages");
	c->storages = array_room(a, "storages", 64, sizeof *c->storages, &rc);
	if (c->storages == NULL)
		return rc;
	cJSON_ArrayForEach(e, a) {
		struct qt_storage_type *s = &c->storages[c->storage_count];

		if (!cJSON_IsObject(e))
			return bad("catalog", "storages");
		if ((rc = jstr(e, "id", s->id, sizeof s->id, true)) != QT_OK ||
		    (rc = jstr(e, "label", s->label, sizeof s->label, true)) != QT_OK ||
		    (rc = jstr(e, "default_pin", s->default_pin, sizeof s->default_pin, false)) != QT_OK ||
		    (rc = jstr(e, "warning", s->warning, sizeof s->warning, false)) != QT_OK ||
		    (rc = jbool(e, "individuals_only", &s->individuals_only, false)) != QT_OK ||
		    (rc = jbool(e, "file", &s->file, false)) != QT_OK ||
		    (rc = jint(e, "validity_days", &s->validity_days, 0, 100000, false)) != QT_OK)
			return rc;
		c->storage_count++;
	}
	a = cJSON_GetObjectItemCaseSensitive(j, "regions");
	c->regions = array_room(a, "regions", 256, sizeof *c->regions, &rc);
	if (c->regions == NULL)
		return rc;
	cJSON_ArrayForEach(e, a) {
		struct qt_region *r = &c->regions[c->region_count];
		const cJSON *cities = cJSON_GetObjectItemCaseSensitive(e, "cities"), *ci;

		if (!cJSON_IsObject(e))
			return bad("catalog", "regions");
		if ((rc = jstr(e, "iso", r->iso, sizeof r->iso, true)) != QT_OK ||
		    (rc = ji18n(e, "name", &r->name)) != QT_OK)
			return rc;
		c->region_count++;
		r->cities = array_room(cities, "cities", 1000, sizeof *r->cities, &rc);
		if (r->cities == NULL)
			return rc;
		cJSON_ArrayForEach(ci, cities) {
			if ((rc = ji18n(ci, NULL, &r->cities[r->city_count])) != QT_OK)
				return rc;
			r->city_count++;
		}
	}
	pp = cJSON_GetObjectItemCaseSensitive(j, "password_policy");
	if (cJSON_IsObject(pp)) {
		if ((rc = jint(pp, "min_length", &c->password_min, 1, 1000, false)) != QT_OK ||
		    (rc = jint(pp, "max_length", &c->password_max, 1, 1000, false)) != QT_OK ||
		    (rc = jstr(pp, "allowed_specials", c->password_specials,
		               sizeof c->password_specials, false)) != QT_OK ||
		    (rc = jstr(pp, "note", c->password_note, sizeof c->password_note, false)) != QT_OK)
			return rc;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "validity");
	if (cJSON_IsObject(v)) {
		if ((rc = jint(v, "file_days", &c->file_days, 0, 100000, false)) != QT_OK ||
		    (rc = jint(v, "token_days", &c->token_days, 0, 100000, false)) != QT_OK ||
		    (rc = jint(v, "verify_within_days", &c->verify_within_days, 0, 100000, false)) != QT_OK)
			return rc;
	}
	if (c->verify_within_days == 0)
		c->verify_within_days = 30;
	if ((rc = jbool(j, "captcha_required", &c->captcha_required, true)) != QT_OK)
		return rc;
	for (i = 0; i < c->region_count; i++)
		if (c->regions[i].city_count == 0)
			return bad("catalog", "cities");
	return QT_OK;
}

qt_err qt_portal_catalog(qt_portal *p, struct qt_catalog **out)
{
	struct req rq = { "GET", "/api/v1/catalog", NULL, NULL, false, NULL, R_IDEMPOTENT };
	struct qt_catalog *c;
	cJSON *j;
	qt_err rc;

	*out = NULL;
	if ((rc = request(p, &rq, &j)) != QT_OK)
		return rc;
	c = calloc(1, sizeof *c);
	if (c == NULL) {
		cJSON_Delete(j);
		return QT_ERR_NOMEM;
	}
	rc = parse_catalog(j, c);
	cJSON_Delete(j);
	if (rc != QT_OK) {
		qt_catalog_free(c);
		return rc;
	}
	*out = c;
	return QT_OK;
}

/* The element of the n-element array base (each size bytes) whose
 * char array at offset off is key; NULL if none or key is NULL. */
static const void *find_named(const void *base, size_t n, size_t size, size_t off,
                              const char *key)
{
	const char *e = base;
	size_t i;

	for (i = 0; key != NULL && i < n; i++, e += size)
		if (strcmp(e + off, key) == 0)
			return e;
	return NULL;
}

const struct qt_subject_type *qt_catalog_subject_type(const struct qt_catalog *c, const char *id)
{
	return find_named(c->subject_types, c->subject_type_count, sizeof c->subject_types[0],
	                  offsetof(struct qt_subject_type, id), id);
}

const struct qt_storage_type *qt_catalog_storage(const struct qt_catalog *c, const char *id)
{
	return find_named(c->storages, c->storage_count, sizeof c->storages[0],
	                  offsetof(struct qt_storage_type, id), id);
}

const struct qt_region *qt_catalog_region(const struct qt_catalog *c, const char *iso)
{
	return find_named(c->regions, c->region_count, sizeof c->regions[0],
	                  offsetof(struct qt_region, iso), iso);
}

const struct qt_i18n *qt_catalog_city(const struct qt_region *r, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < r->city_count; i++) {
		const struct qt_i18n *c = &r->cities[i];

		if (strcmp(c->en, name) == 0 || strcmp(c->ru, name) == 0 || strcmp(c->kk, name) == 0)
			return c;
	}
	return NULL;
}

qt_err qt_portal_captcha(qt_portal *p, struct qt_captcha *out)
{
	struct req rq = { "POST", "/api/v1/captcha", NULL, NULL, false, NULL, 0 };
	cJSON *j;
	qt_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = request(p, &rq, &j)) != QT_OK)
		return rc;
	if ((rc = jbool(j, "captcha_required", &out->required, true)) == QT_OK && out->required &&
	    ((rc = jstr(j, "captcha_id", out->id, sizeof out->id, true)) != QT_OK ||
	     (rc = jint(j, "length", &out->length, 1, 32, true)) != QT_OK ||
	     (rc = jtime(j, "expires_at", &out->expires_at, false)) != QT_OK ||
	     (rc = jstr(j, "art", out->art, sizeof out->art, true)) != QT_OK))
		memset(out, 0, sizeof *out);
	cJSON_Delete(j);
	return rc;
}

static void add_captcha(cJSON *o, const struct qt_captcha_answer *ca)
{
	if (ca != NULL && ca->id != NULL && *ca->id != '\0') {
		cJSON_AddStringToObject(o, "captcha_id", ca->id);
		cJSON_AddStringToObject(o, "captcha_answer", ca->answer ? ca->answer : "");
	}
}

/* POST {name: value, captcha} to a registry check at path; *out: the
 * reply (cJSON_Delete). */
static qt_err post_check(qt_portal *p, const char *path, const char *name, const char *value,
                         const struct qt_captcha_answer *ca, cJSON **out)
{
	struct req rq = { "POST", path, NULL, NULL, false, NULL, 0 };
	cJSON *b = cJSON_CreateObject();
	qt_err rc;

	if (b == NULL)
		return QT_ERR_NOMEM;
	cJSON_AddStringToObject(b, name, value);
	add_captcha(b, ca);
	rq.body = b;
	rc = request(p, &rq, out);
	cJSON_Delete(b);
	return rc;
}

qt_err qt_portal_check_iin(qt_portal *p, const char *iin, const struct qt_captcha_answer *ca,
                           struct qt_person *out)
{
	cJSON *j;
	qt_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = qt_iin_parse(iin, NULL)) != QT_OK ||
	    (rc = post_check(p, "/api/v1/checks/iin", "iin", iin, ca, &j)) != QT_OK)
		return rc;
	if ((rc = jstr(j, "iin", out->iin, sizeof out->iin, true)) != QT_OK ||
	    (rc = jstr(j, "surname", out->surname, sizeof out->surname, true)) != QT_OK ||
	    (rc = jstr(j, "given_name", out->given_name, sizeof out->given_name, true)) != QT_OK ||
	    (rc = jstr(j, "patronymic", out->patronymic, sizeof out->patronymic, false)) != QT_OK ||
	    (rc = jstr(j, "full_name", out->full_name, sizeof out->full_name, true)) != QT_OK)
		memset(out, 0, sizeof *out);
	cJSON_Delete(j);
	return rc;
}

qt_err qt_portal_check_bin(qt_portal *p, const char *bin, const struct qt_captcha_answer *ca,
                           struct qt_entity *out)
{
	cJSON *j;
	const cJSON *head;
	qt_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = qt_bin_parse(bin, NULL)) != QT_OK ||
	    (rc = post_check(p, "/api/v1/checks/bin", "bin", bin, ca, &j)) != QT_OK)
		return rc;
	head = cJSON_GetObjectItemCaseSensitive(j, "head");
	if ((rc = jstr(j, "bin", out->bin, sizeof out->bin, true)) != QT_OK ||
	    (rc = jstr(j, "name", out->name, sizeof out->name, true)) != QT_OK)
		memset(out, 0, sizeof *out);
	else if (head != NULL && !cJSON_IsNull(head) &&
	         (!cJSON_IsObject(head) ||
	          (rc = jstr(head, "full_name", out->head_full_name,
	                     sizeof out->head_full_name, false)) != QT_OK))
		rc = bad("reply", "head");
	cJSON_Delete(j);
	return rc;
}

/* ---- Applications ---------------------------------------------------- */

static const char *const status_names[] = {
	"unknown", "submitted", "issued", "installed", "rejected", "cancelled"
};

const char *qt_app_status_name(enum qt_app_status s)
{
	return (unsigned)s < sizeof status_names / sizeof status_names[0] ? status_names[s] : "unknown";
}

const char *qt_app_status_label(enum qt_app_status s)
{
	switch (s) {
	case QT_APP_PENDING: return _("Submitted: waiting for the Registration Authority");
	case QT_APP_ISSUED: return _("Registration Certificates are Issued");
	case QT_APP_INSTALLED: return _("Certificates installed");
	case QT_APP_REJECTED: return _("Rejected by the Registration Authority");
	case QT_APP_CANCELLED: return _("Cancelled: not verified within 30 days");
	default: return _("Unknown status");
	}
}

enum qt_app_status qt_app_status_parse(const char *s)
{
	if (s == NULL)
		return QT_APP_UNKNOWN;
	if (strcmp(s, "pending") == 0 || strcmp(s, "submitted") == 0)
		return QT_APP_PENDING;
	if (strcmp(s, "issued") == 0)
		return QT_APP_ISSUED;
	if (strcmp(s, "installed") == 0)
		return QT_APP_INSTALLED;
	if (strcmp(s, "rejected") == 0)
		return QT_APP_REJECTED;
	if (strcmp(s, "cancelled") == 0)
		return QT_APP_CANCELLED;
	return QT_APP_UNKNOWN;
}

qt_err qt_portal_submit(qt_portal *p, const struct qt_application *a, struct qt_submission *out)
{
	struct req rq = { "POST", "/api/v1/applications", NULL, NULL, false, NULL, 0 };
	cJSON *b, *j;
	qt_err rc;

	memset(out, 0, sizeof *out);
	b = cJSON_CreateObject();
	if (b == NULL)
		return QT_ERR_NOMEM;
	cJSON_AddStringToObject(b, "subject_type", a->subject_type ? a->subject_type : "");
	cJSON_AddStringToObject(b, "iin", a->iin ? a->iin : "");
	if (a->bin != NULL && *a->bin)
		cJSON_AddStringToObject(b, "bin", a->bin);
	if (a->email != NULL && *a->email)
		cJSON_AddStringToObject(b, "email", a->email);
	cJSON_AddStringToObject(b, "region", a->region ? a->region : "");
	cJSON_AddStringToObject(b, "city", a->city ? a->city : "");
	cJSON_AddStringToObject(b, "storage", a->storage ? a->storage : "");
	cJSON_AddStringToObject(b, "auth_csr", a->auth_csr_pem ? a->auth_csr_pem : "");
	cJSON_AddStringToObject(b, "sign_csr", a->sign_csr_pem ? a->sign_csr_pem : "");
	add_captcha(b, &a->captcha);
	rq.body = b;
	if (a->idempotency_key != NULL && *a->idempotency_key) {
		rq.idem = a->idempotency_key;
		rq.flags = R_IDEMPOTENT;
	}
	rc = request(p, &rq, &j);
	cJSON_Delete(b);
	if (rc != QT_OK)
		return rc;
	if ((rc = jstr(j, "number", out->number, sizeof out->number, true)) != QT_OK ||
	    (rc = check_number(out->number)) != QT_OK ||
	    (rc = jstr(j, "access_token", out->access_token, sizeof out->access_token, true)) != QT_OK ||
	    (rc = jstr(j, "status", out->status, sizeof out->status, true)) != QT_OK ||
	    (rc = jtime(j, "created_at", &out->created_at, false)) != QT_OK ||
	    (rc = jtime(j, "verify_by", &out->verify_by, false)) != QT_OK ||
	    (rc = jbool(j, "replayed", &out->replayed, false)) != QT_OK) {
		OPENSSL_cleanse(out, sizeof *out);
		if (rc == QT_ERR_INVALID_ARG)
			rc = bad("reply", "number");
	}
	cJSON_Delete(j);
	return rc;
}

static qt_err parse_app(const cJSON *j, struct qt_app_info *out)
{
	const cJSON *certs = cJSON_GetObjectItemCaseSensitive(j, "certificates"), *c;
	char st[24];
	qt_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = jstr(j, "number", out->number, sizeof out->number, true)) != QT_OK ||
	    (rc = jstr(j, "status", st, sizeof st, true)) != QT_OK ||
	    (rc = jstr(j, "status_text", out->status_text, sizeof out->status_text, false)) != QT_OK ||
	    (rc = jstr(j, "subject_type", out->subject_type, sizeof out->subject_type, false)) != QT_OK ||
	    (rc = jstr(j, "iin", out->iin, sizeof out->iin, false)) != QT_OK ||
	    (rc = jstr(j, "bin", out->bin, sizeof out->bin, false)) != QT_OK ||
	    (rc = jstr(j, "email", out->email, sizeof out->email, false)) != QT_OK ||
	    (rc = jstr(j, "region", out->region, sizeof out->region, false)) != QT_OK ||
	    (rc = jstr(j, "city", out->city, sizeof out->city, false)) != QT_OK ||
	    (rc = jstr(j, "storage", out->storage, sizeof out->storage, false)) != QT_OK ||
	    (rc = jstr(j, "full_name", out->full_name, sizeof out->full_name, false)) != QT_OK ||
	    (rc = jstr(j, "reason", out->reason, sizeof out->reason, false)) != QT_OK ||
	    (rc = jstr(j, "decided_by", out->decided_by, sizeof out->decided_by, false)) != QT_OK ||
	    (rc = jstr(j, "install_nonce", out->install_nonce, sizeof out->install_nonce, false)) != QT_OK ||
	    (rc = jtime(j, "created_at", &out->created_at, false)) != QT_OK ||
	    (rc = jtime(j, "updated_at", &out->updated_at, false)) != QT_OK ||
	    (rc = jtime(j, "verify_by", &out->verify_by, false)) != QT_OK)
		return rc;
	out->status = qt_app_status_parse(st);
	if (out->status == QT_APP_UNKNOWN || strcmp(st, "submitted") == 0)
		return bad("reply", "status");
	if (certs != NULL) {
		if (!cJSON_IsArray(certs))
			return bad("reply", "certificates");
		cJSON_ArrayForEach(c, certs) {
			struct qt_app_cert *ac;

			if (out->cert_count >= 2 || !cJSON_IsObject(c))
				return bad("reply", "certificates");
			ac = &out->certs[out->cert_count++];
			if ((rc = jstr(c, "purpose", ac->purpose, sizeof ac->purpose, true)) != QT_OK ||
			    (rc = jstr(c, "serial", ac->serial, sizeof ac->serial, true)) != QT_OK ||
			    (rc = jstr(c, "status", ac->status, sizeof ac->status, false)) != QT_OK ||
			    (rc = jtime(c, "not_before", &ac->not_before, false)) != QT_OK ||
			    (rc = jtime(c, "not_after", &ac->not_after, false)) != QT_OK)
				return rc;
		}
	}
	/* registry.entity.name in the RA view */
	{
		const cJSON *reg = cJSON_GetObjectItemCaseSensitive(j, "registry");
		const cJSON *ent = cJSON_GetObjectItemCaseSensitive(reg, "entity");

		if (cJSON_IsObject(ent))
			(void)jstr(ent, "name", out->organization, sizeof out->organization, false);
	}
	return QT_OK;
}

static qt_err app_path(char *buf, size_t size, const char *prefix, const char *number,
                       const char *suffix)
{
	qt_err rc = check_number(number);

	if (rc != QT_OK)
		return rc;
	snprintf(buf, size, "%s%s%s", prefix, number, suffix);
	return QT_OK;
}

static qt_err check_access(const char *access)
{
	size_t i, n = access ? strlen(access) : 0;

	if (n == 0 || n > 120)
		return qt_error(QT_ERR_INVALID_ARG, _("no access token for this application"));
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)access[i]) && access[i] != '-' && access[i] != '_')
			return qt_error(QT_ERR_INVALID_ARG, _("the access token is damaged"));
	return QT_OK;
}

/* The path of an applicant's own application, whose calls carry its
 * access token: both checked before anything is sent. */
static qt_err own_app_path(char *buf, size_t size, const char *number, const char *suffix,
                           const char *access)
{
	qt_err rc = app_path(buf, size, "/api/v1/applications/", number, suffix);

	if (rc == QT_OK)
		rc = check_access(access);
	return rc;
}

/* One exchange whose reply is an application. */
static qt_err request_app(qt_portal *p, const struct req *rq, struct qt_app_info *out)
{
	cJSON *j;
	qt_err rc = request(p, rq, &j);

	if (rc != QT_OK)
		return rc;
	rc = parse_app(j, out);
	cJSON_Delete(j);
	return rc;
}

qt_err qt_portal_status(qt_portal *p, const char *number, const char *access,
                        struct qt_app_info *out)
{
	struct req rq = { "GET", NULL, access, NULL, false, NULL, R_IDEMPOTENT };
	char path[96];
	qt_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = own_app_path(path, sizeof path, number, "", access)) != QT_OK)
		return rc;
	rq.path = path;
	return request_app(p, &rq, out);
}

void qt_app_certs_clear(struct qt_app_certs *c)
{
	X509_free(c->auth);
	X509_free(c->sign);
	sk_X509_pop_free(c->chain, X509_free);
	memset(c, 0, sizeof *c);
}

static X509 *pem_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

qt_err qt_portal_certificates(qt_portal *p, const char *number, const char *access,
                              struct qt_app_certs *out)
{
	struct req rq = { "GET", NULL, access, NULL, false, NULL, R_IDEMPOTENT };
	const cJSON *arr, *c, *chain;
	char path[96];
	cJSON *j;
	qt_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = own_app_path(path, sizeof path, number, "/certificates", access)) != QT_OK)
		return rc;
	rq.path = path;
	if ((rc = request(p, &rq, &j)) != QT_OK)
		return rc;
	arr = cJSON_GetObjectItemCaseSensitive(j, "certificates");
	if (!cJSON_IsArray(arr)) {
		rc = bad("reply", "certificates");
		goto out;
	}
	cJSON_ArrayForEach(c, arr) {
		const cJSON *pu = cJSON_GetObjectItemCaseSensitive(c, "purpose");
		const cJSON *pe = cJSON_GetObjectItemCaseSensitive(c, "pem");
		X509 **slot;

		if (!cJSON_IsString(pu) || !cJSON_IsString(pe)) {
			rc = bad("reply", "certificates");
			goto out;
		}
		slot = strcmp(pu->valuestring, "auth") == 0 ? &out->auth :
		       strcmp(pu->valuestring, "sign") == 0 ? &out->sign : NULL;
		if (slot == NULL || *slot != NULL || (*slot = pem_cert(pe->valuestring)) == NULL) {
			rc = bad("reply", "certificates[].pem");
			goto out;
		}
	}
	if (out->auth == NULL || out->sign == NULL) {
		rc = bad("reply", "certificates");
		goto out;
	}
	if ((rc = jstr(j, "install_nonce", out->install_nonce, sizeof out->install_nonce, true)) != QT_OK)
		goto out;
	chain = cJSON_GetObjectItemCaseSensitive(j, "chain_pem");
	out->chain = sk_X509_new_null();
	if (cJSON_IsString(chain)) {
		BIO *bio = BIO_new_mem_buf(chain->valuestring, -1);
		X509 *x;

		while (bio != NULL && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
			sk_X509_push(out->chain, x);
		BIO_free(bio);
		ERR_clear_error();
	}
	rc = QT_OK;
out:
	cJSON_Delete(j);
	if (rc != QT_OK)
		qt_app_certs_clear(out);
	return rc;
}

qt_err qt_install_proof_text(const char *number, const char *nonce, char *buf, size_t size)
{
	if (number == NULL || nonce == NULL || *nonce == '\0' ||
	    (size_t)snprintf(buf, size, "qoltanbad-install:%s:%s", number, nonce) >= size)
		return qt_error(QT_ERR_INVALID_ARG, "install proof");
	return QT_OK;
}

/* Base64 of n bytes, NUL-terminated (free()); NULL when memory runs
 * out.  Shared with account.c. */
char *qt_portal_b64_(const unsigned char *d, size_t n)
{
	char *o = malloc(4 * ((n + 2) / 3) + 1);

	if (o != NULL)
		EVP_EncodeBlock((unsigned char *)o, d, (int)n);
	return o;
}

qt_err qt_portal_install(qt_portal *p, const char *number, const char *access,
                         const unsigned char *auth_sig, size_t auth_len,
                         const unsigned char *sign_sig, size_t sign_len,
                         struct qt_app_info *out)
{
	struct req rq = { "POST", NULL, access, NULL, false, NULL, 0 };
	char path[96], *a64, *s64;
	cJSON *b;
	qt_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = own_app_path(path, sizeof path, number, "/install", access)) != QT_OK)
		return rc;
	rq.path = path;
	a64 = qt_portal_b64_(auth_sig, auth_len);
	s64 = qt_portal_b64_(sign_sig, sign_len);
	b = cJSON_CreateObject();
	if (a64 == NULL || s64 == NULL || b == NULL) {
		free(a64);
		free(s64);
		cJSON_Delete(b);
		return QT_ERR_NOMEM;
	}
	cJSON_AddStringToObject(b, "auth_signature", a64);
	cJSON_AddStringToObject(b, "sign_signature", s64);
	free(a64);
	free(s64);
	rq.body = b;
	rc = request_app(p, &rq, out);
	cJSON_Delete(b);
	return rc;
}

/* ---- RA ------------------------------------------------------------------ */

/* A SHA-256 signature of text with key (OPENSSL_free *sig); "what" names
 * it in the error.  Shared with enroll.c and account.c. */
qt_err qt_portal_sign_text_(EVP_PKEY *key, const char *text, unsigned char **sig, size_t *len,
                            const char *what)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	qt_err rc = QT_OK;

	*sig = NULL;
	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, len, (const unsigned char *)text, strlen(text)) != 1 ||
	    (*sig = OPENSSL_malloc(*len)) == NULL ||
	    EVP_DigestSign(md, *sig, len, (const unsigned char *)text, strlen(text)) != 1) {
		OPENSSL_free(*sig);
		*sig = NULL;
		rc = qt_error_ssl(QT_ERR_CRYPTO, "%s", what);
	}
	EVP_MD_CTX_free(md);
	return rc;
}

/* The second step of a challenge-response sign-in, the RA's and the
 * personal account's: {challenge_id, certificate (PEM), signature}.
 * Shared with account.c. */
qt_err qt_portal_sign_in_body_(const char *challenge_id, X509 *cert, const char *sig64,
                               cJSON **out)
{
	BIO *bio = BIO_new(BIO_s_mem());
	BUF_MEM *bm;
	char *pem = NULL;
	cJSON *b = NULL;
	qt_err rc = QT_OK;

	*out = NULL;
	if (bio == NULL || PEM_write_bio_X509(bio, cert) != 1) {
		BIO_free(bio);
		return qt_error_ssl(QT_ERR_CRYPTO, "certificate");
	}
	BIO_get_mem_ptr(bio, &bm);
	pem = strndup(bm->data, bm->length);
	b = cJSON_CreateObject();
	if (pem == NULL || b == NULL) {
		cJSON_Delete(b);
		rc = QT_ERR_NOMEM;
	} else {
		cJSON_AddStringToObject(b, "challenge_id", challenge_id);
		cJSON_AddStringToObject(b, "certificate", pem);
		cJSON_AddStringToObject(b, "signature", sig64);
		*out = b;
	}
	free(pem);
	BIO_free(bio);
	return rc;
}

qt_err qt_portal_ra_login(qt_portal *p, EVP_PKEY *key, X509 *cert,
                          char *operator_name, size_t size)
{
	struct req rq = { "POST", "/api/v1/ra/challenge", NULL, NULL, false, NULL, 0 };
	char cid[80], sign_this[256], *s64 = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	cJSON *j = NULL, *b = NULL;
	qt_err rc;

	if (operator_name != NULL && size > 0)
		operator_name[0] = '\0';
	OPENSSL_cleanse(p->bearer, sizeof p->bearer);
	if ((rc = request(p, &rq, &j)) != QT_OK)
		return rc;
	if ((rc = jstr(j, "challenge_id", cid, sizeof cid, true)) != QT_OK ||
	    (rc = jstr(j, "sign_this", sign_this, sizeof sign_this, true)) != QT_OK)
		goto out;
	if (strncmp(sign_this, "qoltanbad-ra-login:", 19) != 0) {
		/* Never sign whatever a server asks: only its login text. */
		rc = bad("challenge", "sign_this");
		goto out;
	}
	if ((rc = qt_portal_sign_text_(key, sign_this, &sig, &siglen,
	                               "signing the sign-in challenge")) != QT_OK)
		goto out;
	if ((s64 = qt_portal_b64_(sig, siglen)) == NULL) {
		rc = QT_ERR_NOMEM;
		goto out;
	}
	if ((rc = qt_portal_sign_in_body_(cid, cert, s64, &b)) != QT_OK)
		goto out;
	cJSON_Delete(j);
	j = NULL;
	rq.path = "/api/v1/ra/session";
	rq.body = b;
	if ((rc = request(p, &rq, &j)) != QT_OK)
		goto out;
	if ((rc = jstr(j, "token", p->bearer, sizeof p->bearer, true)) != QT_OK)
		goto out;
	if (operator_name != NULL && size > 0)
		(void)jstr(j, "operator", operator_name, size, false);
out:
	cJSON_Delete(j);
	cJSON_Delete(b);
	free(s64);
	OPENSSL_free(sig);
	return rc;
}

qt_err qt_portal_ra_login_file(qt_portal *p, const char *path, const char *password,
                               char *operator_name, size_t size)
{
	qt_keyfile *kf;
	qt_err rc = qt_keyfile_open(path, password, &kf);

	if (rc != QT_OK)
		return rc;
	if (qt_keyfile_key(kf) == NULL)
		rc = qt_error(QT_ERR_NO_KEY, "%s", path);
	else if (qt_keyfile_cert(kf) == NULL)   /* the portal knows the operator by it */
		rc = qt_error(QT_ERR_NO_CERT, "%s", path);
	else
		rc = qt_portal_ra_login(p, qt_keyfile_key(kf), qt_keyfile_cert(kf),
		                        operator_name, size);
	qt_keyfile_free(kf);
	return rc;
}

bool qt_portal_ra_signed_in(const qt_portal *p) { return p->bearer[0] != '\0'; }

static qt_err url_escape(qt_portal *p, const char *s, char *dst, size_t size)
{
	char *e = curl_easy_escape(p->curl, s, 0);
	qt_err rc = QT_OK;

	if (e == NULL)
		return QT_ERR_NOMEM;
	if ((size_t)snprintf(dst, size, "%s", e) >= size)
		rc = qt_error(QT_ERR_INVALID_ARG, _("search text too long"));
	curl_free(e);
	return rc;
}

qt_err qt_portal_ra_list(qt_portal *p, const char *status, const char *query,
                         int limit, int offset, struct qt_app_info **out, size_t *count)
{
	struct req rq = { "GET", NULL, NULL, NULL, true, NULL, R_IDEMPOTENT };
	char path[1024], st[64], q[600] = "";
	const cJSON *arr, *e;
	cJSON *j;
	qt_err rc;

	*out = NULL;
	*count = 0;
	if ((rc = url_escape(p, status ? status : "pending", st, sizeof st)) != QT_OK ||
	    (query != NULL && (rc = url_escape(p, query, q, sizeof q)) != QT_OK))
		return rc;
	snprintf(path, sizeof path, "/api/v1/ra/applications?status=%s&limit=%d&offset=%d%s%s",
	         st, limit > 0 ? limit : 50, offset > 0 ? offset : 0, *q ? "&q=" : "", q);
	rq.path = path;
	if ((rc = request(p, &rq, &j)) != QT_OK)
		return rc;
	arr = cJSON_GetObjectItemCaseSensitive(j, "applications");
	if (!cJSON_IsArray(arr)) {
		rc = bad("reply", "applications");
		goto out;
	}
	*out = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **out);
	if (*out == NULL) {
		rc = QT_ERR_NOMEM;
		goto out;
	}
	cJSON_ArrayForEach(e, arr) {
		if (!cJSON_IsObject(e) || (rc = parse_app(e, &(*out)[*count])) != QT_OK) {
			if (rc == QT_OK)
				rc = bad("reply", "applications");
			free(*out);
			*out = NULL;
			*count = 0;
			goto out;
		}
		(*count)++;
	}
out:
	cJSON_Delete(j);
	return rc;
}

qt_err qt_portal_ra_view(qt_portal *p, const char *number, struct qt_app_info *out,
                         char **details)
{
	struct req rq = { "GET", NULL, NULL, NULL, true, NULL, R_IDEMPOTENT };
	const cJSON *reg, *person;
	char path[96];
	cJSON *j;
	qt_err rc;

	if (details != NULL)
		*details = NULL;
	memset(out, 0, sizeof *out);
	if ((rc = app_path(path, sizeof path, "/api/v1/ra/applications/", number, "")) != QT_OK)
		return rc;
	rq.path = path;
	if ((rc = request(p, &rq, &j)) != QT_OK)
		return rc;
	rc = parse_app(j, out);
	reg = cJSON_GetObjectItemCaseSensitive(j, "registry");
	person = cJSON_GetObjectItemCaseSensitive(reg, "person");
	if (rc == QT_OK && out->full_name[0] == '\0' && cJSON_IsObject(person)) {
		char s[128], g[128], pa[128];

		if (jstr(person, "surname", s, sizeof s, false) == QT_OK &&
		    jstr(person, "given_name", g, sizeof g, false) == QT_OK &&
		    jstr(person, "patronymic", pa, sizeof pa, false) == QT_OK)
			snprintf(out->full_name, sizeof out->full_name, "%s %s%s%s", s, g,
			         *pa ? " " : "", pa);
	}
	if (rc == QT_OK && details != NULL && (*details = cJSON_Print(j)) == NULL)
		rc = QT_ERR_NOMEM;
	cJSON_Delete(j);
	return rc;
}

static qt_err ra_decide(qt_portal *p, const char *number, const char *verb, cJSON *body,
                        struct qt_app_info *out)
{
	struct req rq = { "POST", NULL, NULL, NULL, true, body, 0 };
	char path[128];
	qt_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = app_path(path, sizeof path, "/api/v1/ra/applications/", number, verb)) != QT_OK)
		return rc;
	rq.path = path;
	return request_app(p, &rq, out);
}

qt_err qt_portal_ra_approve(qt_portal *p, const char *number, struct qt_app_info *out)
{
	return ra_decide(p, number, "/approve", NULL, out);
}

qt_err qt_portal_ra_reject(qt_portal *p, const char *number, const char *reason,
                           struct qt_app_info *out)
{
	cJSON *b;
	qt_err rc;

	if (reason == NULL || *reason == '\0' || strlen(reason) > 1000)
		return qt_error(QT_ERR_INVALID_ARG, _("a rejection needs a reason (at most 1000 bytes)"));
	b = cJSON_CreateObject();
	if (b == NULL)
		return QT_ERR_NOMEM;
	cJSON_AddStringToObject(b, "reason", reason);
	rc = ra_decide(p, number, "/reject", b, out);
	cJSON_Delete(b);
	return rc;
}

/* ---- For the personal account (account.c, portal_internal.h) ------------ */

qt_err qt_portal_call_(qt_portal *p, const char *method, const char *path, const cJSON *body,
                       bool idempotent, cJSON **out)
{
	struct req rq = { method, path, NULL, NULL, true, body, idempotent ? R_IDEMPOTENT : 0 };

	return request(p, &rq, out);
}

void qt_portal_set_bearer_(qt_portal *p, const char *token)
{
	OPENSSL_cleanse(p->bearer, sizeof p->bearer);
	if (token != NULL)
		snprintf(p->bearer, sizeof p->bearer, "%s", token);
}

qt_err qt_portal_parse_app_(const cJSON *j, struct qt_app_info *out) { return parse_app(j, out); }
qt_err qt_portal_jstr_(const cJSON *o, const char *name, char *dst, size_t size, bool required)
{
	return jstr(o, name, dst, size, required);
}
qt_err qt_portal_jtime_(const cJSON *o, const char *name, time_t *dst, bool required)
{
	return jtime(o, name, dst, required);
}
qt_err qt_portal_jbool_(const cJSON *o, const char *name, bool *dst, bool required)
{
	return jbool(o, name, dst, required);
}
