/* The HTTP server: libmicrohttpd with a thread pool on epoll, strict
 * request bodies, JSON replies, one log line per request, and a clean
 * stop on SIGTERM/SIGINT. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/secret.h>

#include "portald/http.h"
#include "portald/log.h"
#include "i18n.h"

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void pd_reply(struct pd_req *r, unsigned status, const char *ctype,
              const void *data, size_t len, const char *cache)
{
	struct MHD_Response *resp;

	if (r->replied)
		return;
	r->replied = true;
	r->status = status;
	resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return;
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", cache ? cache : "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (r->deferred) {
		r->resp = resp;    /* queued by on_request() after the resume */
		return;
	}
	MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
}

void pd_reply_reset(struct pd_req *r)
{
	if (!r->deferred || !r->replied)
		return;
	if (r->resp)
		MHD_destroy_response(r->resp);
	r->resp = NULL;
	r->replied = false;
	r->code[0] = '\0';
}

void pd_reply_json(struct pd_req *r, unsigned status, cJSON *obj)
{
	char *s = cJSON_PrintUnformatted(obj);

	cJSON_Delete(obj);
	if (!s) {
		static const char oom[] =
			"{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";

		snprintf(r->code, sizeof(r->code), "internal");
		pd_reply(r, 500, "application/json", oom, sizeof(oom) - 1, NULL);
		return;
	}
	pd_reply(r, status, "application/json", s, strlen(s), NULL);
	free(s);
}

void pd_reply_error(struct pd_req *r, unsigned status, const char *code, const char *fmt, ...)
{
	cJSON *o = cJSON_CreateObject(), *e;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	snprintf(r->code, sizeof(r->code), "%s", code);
	pd_reply_json(r, status, o);
}

const char *pd_header(struct pd_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *pd_query(struct pd_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *pd_jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static const char *type_name(enum pd_jtype t)
{
	return t == PD_JSTR ? "a string" : t == PD_JINT ? "an integer" : "true or false";
}

cJSON *pd_body_json(struct pd_req *r, const struct pd_field *fields)
{
	const char *ct = pd_header(r, "Content-Type");
	const char *end = NULL;
	cJSON *o, *m;

	if (r->too_big) {
		pd_reply_error(r, 413, "body_too_large", "request bodies are limited to %d bytes",
		               PD_BODY_LIMIT);
		return NULL;
	}
	if (ct && strncmp(ct, "application/json", 16)) {
		pd_reply_error(r, 415, "unsupported_media_type",
		               "send the body as application/json");
		return NULL;
	}
	if (!r->body_len) {
		pd_reply_error(r, 400, "malformed_json", "the request needs a JSON body");
		return NULL;
	}
	o = cJSON_ParseWithLengthOpts(r->body, r->body_len, &end, 0);
	if (o) {
		/* Only white space may follow the object. */
		while (end < r->body + r->body_len && strchr(" \t\r\n", *end))
			end++;
		if (end != r->body + r->body_len) {
			cJSON_Delete(o);
			o = NULL;
		}
	}
	if (!o) {
		pd_reply_error(r, 400, "malformed_json", "the body is not valid JSON");
		return NULL;
	}
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		pd_reply_error(r, 400, "wrong_type", "the body must be a JSON object");
		return NULL;
	}
	cJSON_ArrayForEach(m, o) {
		const struct pd_field *f;
		cJSON *n;

		for (f = fields; f->name; f++)
			if (!strcmp(f->name, m->string))
				break;
		if (!f->name) {
			pd_reply_error(r, 400, "unknown_field", "unknown field \"%.64s\"", m->string);
			goto bad;
		}
		for (n = m->next; n; n = n->next)
			if (!strcmp(n->string, m->string)) {
				pd_reply_error(r, 400, "duplicate_field", "field \"%s\" appears twice",
				               m->string);
				goto bad;
			}
		if ((f->type == PD_JSTR && !cJSON_IsString(m)) ||
		    (f->type == PD_JBOOL && !cJSON_IsBool(m)) ||
		    (f->type == PD_JINT && (!cJSON_IsNumber(m) || m->valuedouble != (double)m->valueint))) {
			pd_reply_error(r, 400, "wrong_type", "field \"%s\" must be %s", f->name,
			               type_name(f->type));
			goto bad;
		}
		if (f->type == PD_JSTR && strlen(m->valuestring) > 16384) {
			pd_reply_error(r, 400, "invalid_value", "field \"%s\" is too long", f->name);
			goto bad;
		}
	}
	for (const struct pd_field *f = fields; f->name; f++)
		if (f->required && !cJSON_GetObjectItemCaseSensitive(o, f->name)) {
			pd_reply_error(r, 400, "missing_field", "field \"%s\" is required", f->name);
			goto bad;
		}
	return o;
bad:
	cJSON_Delete(o);
	return NULL;
}

static void client_addr(struct MHD_Connection *c, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, size, "?");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		          (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
		          (socklen_t)size);
}

/* The write pool.  Requests that write (every POST) run here, on more
 * threads than CPUs: a thread waiting for its commit's fsync leaves the
 * CPU to the others, and their commits join the same group (see
 * store_sqlite.c).  The HTTP threads, one per CPU, only read, so status
 * lookups are not slowed down by threads they do not need. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t more, idle;
	struct pd_req *head, *tail;
	unsigned busy;            /* requests queued or running */
	bool draining;            /* shutting down: no new work */
	bool quit;
	pthread_t *threads;
	unsigned count;
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
	   NULL, NULL, 0, false, false, NULL, 0 };

static void *pool_worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		struct pd_req *r;

		while (!pool.head && !pool.quit)
			pthread_cond_wait(&pool.more, &pool.lock);
		if (!pool.head)
			break;
		r = pool.head;
		pool.head = r->next;
		if (!pool.head)
			pool.tail = NULL;
		pthread_mutex_unlock(&pool.lock);
		pd_api_dispatch(r);
		if (!r->replied)
			pd_reply_error(r, 500, "internal", "no reply");
		MHD_resume_connection(r->conn);
		pthread_mutex_lock(&pool.lock);
		if (--pool.busy == 0)
			pthread_cond_broadcast(&pool.idle);
	}
	pthread_mutex_unlock(&pool.lock);
	return NULL;
}

/* Hands r to the pool; false when shutting down. */
static bool pool_submit(struct pd_req *r)
{
	pthread_mutex_lock(&pool.lock);
	if (pool.draining || !pool.count) {
		pthread_mutex_unlock(&pool.lock);
		return false;
	}
	r->deferred = true;
	/* Suspend before anyone can resume it. */
	MHD_suspend_connection(r->conn);
	r->next = NULL;
	if (pool.tail)
		pool.tail->next = r;
	else
		pool.head = r;
	pool.tail = r;
	pool.busy++;
	pthread_cond_signal(&pool.more);
	pthread_mutex_unlock(&pool.lock);
	return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
	struct pd_req *r = *con_cls;

	(void)version;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->t0 = mono_ms();
		r->srv = cls;
		r->conn = c;
		r->method = method;
		snprintf(r->path, sizeof(r->path), "%s", url);
		client_addr(c, r->client, sizeof(r->client));
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->too_big && r->body_len + *upload_size > PD_BODY_LIMIT) {
			r->too_big = true;
			free(r->body);
			r->body = NULL;
			r->body_len = 0;
		}
		if (!r->too_big) {
			char *p = realloc(r->body, r->body_len + *upload_size + 1);

			if (!p)
				return MHD_NO;
			memcpy(p + r->body_len, upload, *upload_size);
			r->body = p;
			r->body_len += *upload_size;
			r->body[r->body_len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->deferred) {
		/* Back from the pool with the reply ready. */
		if (!r->resp)
			return MHD_NO;
		MHD_queue_response(c, r->status, r->resp);
		MHD_destroy_response(r->resp);
		r->resp = NULL;
	} else if (!strcmp(method, "POST") && pool_submit(r)) {
		return MHD_YES;
	} else {
		if (!strcmp(method, "POST") && pool.draining) {
			pd_reply_error(r, 503, "unavailable", "the portal is shutting down");
		} else {
			pd_api_dispatch(r);
			if (!r->replied)
				pd_reply_error(r, 500, "internal", "no reply");
		}
	}
	pd_log_request(r->method, r->path, r->status, mono_ms() - r->t0, r->client, r->code,
	               r->extra);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct pd_req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r) {
		if (r->resp)
			MHD_destroy_response(r->resp);
		free(r->body);
		free(r);
	}
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	pd_log_error("http", "%s", msg);
}

/* "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:443". */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
                        bool *loopback)
{
	char host[128];
	const char *colon;
	char *end;
	long port;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		*loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (!strcmp(host, "localhost"))
			snprintf(host, sizeof(host), "127.0.0.1");
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
		*loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	return 0;
}

/* The maintenance thread: hourly cancellation, CRL refresh. */
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;
static bool stopping;

static void *maintenance(void *arg)
{
	struct pd_server *srv = arg;
	int period = srv->cfg.notify_minutes > 0 && srv->cfg.notify_minutes < 60 ?
	             srv->cfg.notify_minutes * 60 : 3600;
	time_t last = time(NULL);

	/* Expiry notices at start (mail may wait on a slow server: not
	 * before listening), then every notify_minutes. */
	if (srv->cfg.notify_minutes > 0)
		pd_notify_pass(srv, pd_now());
	pthread_mutex_lock(&stop_lock);
	while (!stopping) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += period;
		pthread_cond_timedwait(&stop_cond, &stop_lock, &ts);
		if (stopping)
			break;
		pthread_mutex_unlock(&stop_lock);
		if (time(NULL) - last >= 3600 - 1) {
			pd_maintenance(srv, false);
			last = time(NULL);
		}
		if (srv->cfg.notify_minutes > 0)
			pd_notify_pass(srv, pd_now());
		pthread_mutex_lock(&stop_lock);
	}
	pthread_mutex_unlock(&stop_lock);
	return NULL;
}

static char *read_text(const char *path)
{
	unsigned char *data;
	size_t len;
	char *s;

	if (qt_read_file(path, 1 << 20, &data, &len) != QT_OK)
		return NULL;
	s = malloc(len + 1);
	if (s) {
		memcpy(s, data, len);
		s[len] = '\0';
	}
	qt_free_secret(data, len);
	return s;
}

int pd_serve(struct pd_server *srv, const char *listen, const char *port_file)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	bool loopback, tls = srv->cfg.tls_cert[0] != '\0';
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
	                 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
	unsigned threads = (unsigned)srv->cfg.threads;
	unsigned writers = (unsigned)srv->cfg.write_threads;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char *cert = NULL, *key = NULL;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	pthread_t mt;
	sigset_t set;
	int sig;

	if (parse_listen(listen, &ss, &sslen, &loopback)) {
		fprintf(stderr, _("qoltanbad: bad listen address \"%s\" (expected ADDR:PORT)\n"),
		        listen);
		return 2;
	}
	if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		fprintf(stderr, _("qoltanbad: this libmicrohttpd was built without TLS, so HTTPS "
		                  "cannot be served\n"));
		return 1;
	}
	if (!tls && !loopback) {
		fprintf(stderr, _("qoltanbad: refusing to serve plain HTTP on %s: applications and "
		                  "operator sessions would cross the network in clear text.  Set "
		                  "tls_cert and tls_key in %s/qoltanbad.conf, or listen on a loopback "
		                  "address behind a TLS proxy.\n"), listen, srv->cfg.data_dir);
		return 1;
	}
	if (tls) {
		cert = read_text(srv->cfg.tls_cert);
		key = read_text(srv->cfg.tls_key);
		if (!cert || !key) {
			fprintf(stderr, _("qoltanbad: cannot read the TLS certificate %s or key %s\n"),
			        srv->cfg.tls_cert, srv->cfg.tls_key);
			free(cert);
			qt_free_secret_str(key);
			return 1;
		}
		flags |= MHD_USE_TLS;
	}
	if (ncpu <= 0)
		ncpu = 2;
	if (!threads)
		threads = (unsigned)ncpu;
	if (!writers)
		writers = 4 * (unsigned)ncpu;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL | MHD_USE_TURBO;
	else
		flags |= MHD_USE_POLL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;

	/* Workers inherit a mask without SIGTERM/SIGINT: only sigwait sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	pd_maintenance(srv, true);
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
	                     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	                     MHD_OPTION_THREAD_POOL_SIZE, threads,
	                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	                     MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
	                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	                     tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
	                     MHD_OPTION_HTTPS_MEM_KEY, key,
	                     MHD_OPTION_END);
	free(cert);
	qt_free_secret_str(key);
	if (!d) {
		fprintf(stderr, _("qoltanbad: cannot listen on %s: %s\n"), listen, strerror(errno));
		return 1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	pd_log_info("start", "listening on %s port %u (%s, %u threads, %u for writes, captcha %s%s)",
	            listen, di ? di->port : 0, tls ? "https" : "http", threads, writers,
	            srv->cfg.captcha ? "on" : "off",
	            pd_clock_offset ? ", test clock" : "");
	if (port_file && di) {
		char buf[16];
		int n = snprintf(buf, sizeof(buf), "%u\n", di->port);

		if (qt_atomic_write(port_file, buf, (size_t)n, 0644, QT_WRITE_REPLACE) != QT_OK)
			pd_log_error("start", "cannot write %s", port_file);
	}
	pool.threads = calloc(writers, sizeof(*pool.threads));
	for (unsigned i = 0; pool.threads && i < writers; i++)
		if (pthread_create(&pool.threads[pool.count], NULL, pool_worker, NULL) == 0)
			pool.count++;
	pthread_create(&mt, NULL, maintenance, srv);
	do {
		if (sigwait(&set, &sig))
			sig = SIGTERM;
		if (sig == SIGHUP) {
			if (pd_log_reopen())
				pd_log_error("log", "cannot reopen %s", srv->cfg.log_file);
			else
				pd_log_info("log", "log file reopened");
		}
	} while (sig != SIGTERM && sig != SIGINT);
	pd_log_info("stop", "signal %d: finishing requests in flight", sig);
	pthread_mutex_lock(&stop_lock);
	stopping = true;
	pthread_cond_signal(&stop_cond);
	pthread_mutex_unlock(&stop_lock);
	pthread_join(mt, NULL);
	/* No new connections; writes in the pool finish and are answered;
	 * then MHD stops (no connection is suspended any more); then the
	 * pool's threads end. */
	MHD_quiesce_daemon(d);
	pthread_mutex_lock(&pool.lock);
	pool.draining = true;
	while (pool.busy)
		pthread_cond_wait(&pool.idle, &pool.lock);
	pthread_mutex_unlock(&pool.lock);
	MHD_stop_daemon(d);
	pthread_mutex_lock(&pool.lock);
	pool.quit = true;
	pthread_cond_broadcast(&pool.more);
	pthread_mutex_unlock(&pool.lock);
	for (unsigned i = 0; i < pool.count; i++)
		pthread_join(pool.threads[i], NULL);
	free(pool.threads);
	pd_log_info("stop", "stopped");
	return 0;
}
