/* Structured log lines, written with one write(2) each so that lines
 * from several threads never interleave. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "portald/log.h"

static int log_fd = 2;
static char log_path[1024];

int pd_log_open(const char *path)
{
	int fd;

	if (!path || !*path)
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	log_fd = fd;
	snprintf(log_path, sizeof(log_path), "%s", path);
	return 0;
}

int pd_log_reopen(void)
{
	int fd;

	if (!*log_path || log_fd <= 2)
		return 0;
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	/* dup2 swaps the file under the same descriptor at once: a line
	 * being written goes wholly to the old file or to the new one. */
	if (dup2(fd, log_fd) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void pd_log_close(void)
{
	if (log_fd > 2)
		close(log_fd);
	log_fd = 2;
}

struct line {
	char buf[2048];
	size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
	if (l->len + n >= sizeof(l->buf) - 2)
		n = sizeof(l->buf) - 2 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void puts_raw(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* key=value, quoting the value when it needs it. */
static void kv(struct line *l, const char *key, const char *value)
{
	int quote = !*value;

	for (const char *p = value; *p; p++)
		if (*p == ' ' || *p == '"' || *p == '=' || *p == '\\' || (unsigned char)*p < 0x20)
			quote = 1;
	puts_raw(l, " ");
	puts_raw(l, key);
	puts_raw(l, "=");
	if (!quote) {
		puts_raw(l, value);
		return;
	}
	puts_raw(l, "\"");
	for (const char *p = value; *p; p++) {
		char esc[8];

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = *p;
			put(l, esc, 2);
		} else if ((unsigned char)*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)*p);
			puts_raw(l, esc);
		} else {
			put(l, p, 1);
		}
	}
	puts_raw(l, "\"");
}

static void put_num(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
}

static void start(struct line *l, const char *level)
{
	/* The date part changes once a second: format it once per thread. */
	static __thread time_t last_sec = -1;
	static __thread char stamp[32] = "0000-00-00T00:00:00.000Z";
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != last_sec) {
		struct tm tm;

		gmtime_r(&ts.tv_sec, &tm);
		put_num(stamp, (unsigned)tm.tm_year + 1900, 4);
		put_num(stamp + 5, (unsigned)tm.tm_mon + 1, 2);
		put_num(stamp + 8, (unsigned)tm.tm_mday, 2);
		put_num(stamp + 11, (unsigned)tm.tm_hour, 2);
		put_num(stamp + 14, (unsigned)tm.tm_min, 2);
		put_num(stamp + 17, (unsigned)tm.tm_sec, 2);
		last_sec = ts.tv_sec;
	}
	put_num(stamp + 20, (unsigned)(ts.tv_nsec / 1000000), 3);
	l->len = 0;
	puts_raw(l, "ts=");
	puts_raw(l, stamp);
	kv(l, "level", level);
}

static void finish(struct line *l)
{
	ssize_t r;
	size_t off = 0;

	l->buf[l->len++] = '\n';
	while (off < l->len) {
		r = write(log_fd, l->buf + off, l->len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
}

void pd_log_request(const char *method, const char *path, unsigned status,
                    double ms, const char *client, const char *code,
                    const char *extra)
{
	struct line l;
	char num[32];

	start(&l, status >= 500 ? "error" : "info");
	kv(&l, "event", "request");
	kv(&l, "method", method);
	kv(&l, "path", path);
	snprintf(num, sizeof(num), "%u", status);
	kv(&l, "status", num);
	{
		unsigned long us = ms > 0 ? (unsigned long)(ms * 1000.0) : 0;

		snprintf(num, sizeof(num), "%lu.%03lu", us / 1000, us % 1000);
	}
	kv(&l, "ms", num);
	kv(&l, "client", client);
	if (code && *code)
		kv(&l, "code", code);
	if (extra && *extra) {
		puts_raw(&l, " ");
		puts_raw(&l, extra);
	}
	finish(&l);
}

static void vlog(const char *level, const char *event, const char *fmt, va_list ap)
{
	struct line l;
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	start(&l, level);
	kv(&l, "event", event);
	kv(&l, "msg", msg);
	finish(&l);
}

void pd_log_info(const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("info", event, fmt, ap);
	va_end(ap);
}

void pd_log_error(const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error", event, fmt, ap);
	va_end(ap);
}
