/* The portal client against a small misbehaving HTTP server on loopback
 * (a thread of this test): which calls are retried and which are sent
 * once, cancellation of a call in flight, replies that are too large, of
 * the wrong type or not JSON, and the portal's error codes turned into
 * outcomes.  qoltanbad itself is driven by tests/enroll-cli.sh; these are
 * the failures it never makes. */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <qoltanba/portal.h>
#include "tap.h"

enum mode { M_503, M_SLOW, M_HUGE, M_BADTYPE, M_CAPTCHA, M_HTML, M_OK };

static _Atomic int mode, hits;
static int lsock;

static void reply(int fd, const char *status, const char *ctype, const char *body, size_t len)
{
	char h[256];
	int n = snprintf(h, sizeof h, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                 "Connection: close\r\n\r\n", status, ctype, len);

	if (write(fd, h, (size_t)n) < 0 || (len && write(fd, body, len) < 0))
		return;
}

static void *server(void *arg)
{
	(void)arg;
	for (;;) {
		char buf[65536];
		ssize_t n;
		int fd = accept(lsock, NULL, NULL);

		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof buf);   /* our requests fit in one read */
		(void)n;
		hits++;
		switch (mode) {
		case M_503:
			reply(fd, "503 Service Unavailable", "application/json",
			      "{\"error\":{\"code\":\"unavailable\",\"message\":\"busy\"}}", 52);
			break;
		case M_SLOW:
			sleep(20);
			break;
		case M_HUGE: {
			size_t len = 2 * 1024 * 1024;
			char *b = malloc(len);

			memset(b, ' ', len);
			b[0] = '{';
			b[len - 1] = '}';
			reply(fd, "200 OK", "application/json", b, len);
			free(b);
			break;
		}
		case M_BADTYPE:
			reply(fd, "200 OK", "application/json", "{\"status\":5}", 12);
			break;
		case M_CAPTCHA:
			reply(fd, "403 Forbidden", "application/json",
			      "{\"error\":{\"code\":\"captcha_wrong\",\"message\":\"wrong answer\"}}", 60);
			break;
		case M_HTML:
			reply(fd, "200 OK", "text/html", "<html></html>", 13);
			break;
		default:
			reply(fd, "200 OK", "application/json; charset=utf-8", "{\"status\":\"ok\"}", 15);
		}
		close(fd);
	}
	return NULL;
}

static volatile sig_atomic_t cancel_flag;

static void *canceller(void *arg)
{
	(void)arg;
	usleep(300 * 1000);
	cancel_flag = 1;
	return NULL;
}

int main(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	char url[64];
	struct qt_portal_options o = { NULL, NULL, 2000, 30000, 0 };
	struct qt_application app;
	struct qt_submission sub;
	struct qt_captcha cap;
	pthread_t th, tc;
	qt_portal *p;
	qt_err rc;

	signal(SIGPIPE, SIG_IGN);
	lsock = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lsock, (struct sockaddr *)&a, sizeof a) || listen(lsock, 16) ||
	    getsockname(lsock, (struct sockaddr *)&a, &alen)) {
		SKIP("cannot listen on loopback");
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
	pthread_create(&th, NULL, server, NULL);

	/* plain http:// only to loopback */
	o.url = "http://example.org";
	CHECK_EQ_INT(qt_portal_open(&o, &p), QT_ERR_INVALID_ARG);
	o.url = url;
	CHECK_EQ_INT(qt_portal_open(&o, &p), QT_OK);

	mode = M_OK;   /* a content type with a charset is JSON */
	CHECK_EQ_INT(qt_portal_health(p), QT_OK);
	/* A proxy in the environment is not used for loopback. */
	setenv("http_proxy", "http://127.0.0.1:9", 1);
	CHECK_EQ_INT(qt_portal_health(p), QT_OK);
	unsetenv("http_proxy");

	/* Retries: GETs 1 + 2 times on 503, POSTs once, a submission with
	 * an idempotency key like a GET. */
	mode = M_503;
	hits = 0;
	CHECK_EQ_INT(qt_portal_health(p), QT_ERR_PORTAL);
	CHECK_EQ_INT(hits, 3);
	CHECK_STR(qt_portal_error_code(p), "unavailable");
	CHECK_EQ_INT(qt_portal_http_status(p), 503);
	hits = 0;
	CHECK_EQ_INT(qt_portal_captcha(p, &cap), QT_ERR_PORTAL);
	CHECK_EQ_INT(hits, 1);
	memset(&app, 0, sizeof app);
	app.subject_type = "individual";
	hits = 0;
	CHECK_EQ_INT(qt_portal_submit(p, &app, &sub), QT_ERR_PORTAL);
	CHECK_EQ_INT(hits, 1);
	app.idempotency_key = "0123456789abcdef0123456789abcdef";
	hits = 0;
	CHECK_EQ_INT(qt_portal_submit(p, &app, &sub), QT_ERR_PORTAL);
	CHECK_EQ_INT(hits, 3);

	/* Outcomes from the portal's codes and from bad replies. */
	mode = M_CAPTCHA;
	CHECK_EQ_INT(qt_portal_captcha(p, &cap), QT_ERR_CAPTCHA);
	CHECK_STR(qt_portal_error_code(p), "captcha_wrong");
	CHECK_STR(qt_portal_error_message(p), "wrong answer");
	mode = M_BADTYPE;   /* {"status": 5} */
	CHECK_EQ_INT(qt_portal_health(p), QT_ERR_PORTAL_REPLY);
	mode = M_HTML;
	CHECK_EQ_INT(qt_portal_health(p), QT_ERR_PORTAL_REPLY);
	mode = M_HUGE;      /* 2 MiB */
	CHECK_EQ_INT(qt_portal_health(p), QT_ERR_PORTAL_REPLY);

	/* Cancel: a call in flight stops when the flag is set, and no call
	 * starts while it is. */
	mode = M_SLOW;
	qt_portal_set_cancel(p, &cancel_flag);
	pthread_create(&tc, NULL, canceller, NULL);
	rc = qt_portal_health(p);
	pthread_join(tc, NULL);
	CHECK_EQ_INT(rc, QT_ERR_CANCELLED);
	hits = 0;
	CHECK_EQ_INT(qt_portal_health(p), QT_ERR_CANCELLED);
	CHECK_EQ_INT(hits, 0);
	cancel_flag = 0;
	qt_portal_close(p);

	/* A portal slower than the timeout. */
	o.timeout_ms = 500;
	o.retries = -1;
	CHECK_EQ_INT(qt_portal_open(&o, &p), QT_OK);
	CHECK_EQ_INT(qt_portal_health(p), QT_ERR_TIMEOUT);
	qt_portal_close(p);
	return tap_done();
}
