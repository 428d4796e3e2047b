/* DIR/qoltanbad.conf: "key = value" lines, '#' comments. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qoltanba/fsutil.h>

#include "portald/pd.h"
#include "i18n.h"

void pd_config_defaults(struct pd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "local");
	snprintf(c->base_url, sizeof(c->base_url), "http://127.0.0.1:8080");
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
	c->captcha = true;
	c->sync_full = true;
	c->captcha_per_minute = 20;
	c->session_minutes = 15;
	snprintf(c->mail_from, sizeof(c->mail_from), "qoltanbad@localhost");
	c->notify_minutes = 60;
}

static void copy(char *dst, size_t size, const char *v)
{
	snprintf(dst, size, "%s", v);
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

static int parse_int(const char *v, int lo, int hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int pd_config_load(const char *dir, struct pd_config *c)
{
	char path[1100], line[2048];
	FILE *f;
	int lineno = 0, bad = 0;

	pd_config_defaults(c);
	copy(c->data_dir, sizeof(c->data_dir), dir);
	snprintf(path, sizeof(path), "%s/qoltanbad.conf", dir);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, _("qoltanbad: cannot read %s: %s (run \"qoltanbad init --data %s\" first)\n"),
		        path, strerror(errno), dir);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *k, *v, *eq;

		lineno++;
		k = trim(line);
		if (!*k || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			fprintf(stderr, _("%s:%d: expected \"key = value\"\n"), path, lineno);
			bad = 1;
			continue;
		}
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		if (!strcmp(k, "name"))
			copy(c->name, sizeof(c->name), v);
		else if (!strcmp(k, "base_url"))
			copy(c->base_url, sizeof(c->base_url), v);
		else if (!strcmp(k, "listen"))
			copy(c->listen, sizeof(c->listen), v);
		else if (!strcmp(k, "tls_cert"))
			copy(c->tls_cert, sizeof(c->tls_cert), v);
		else if (!strcmp(k, "tls_key"))
			copy(c->tls_key, sizeof(c->tls_key), v);
		else if (!strcmp(k, "log_file"))
			copy(c->log_file, sizeof(c->log_file), v);
		else if (!strcmp(k, "captcha"))
			bad |= parse_bool(v, &c->captcha) ? 1 : 0;
		else if (!strcmp(k, "synchronous")) {
			if (!strcmp(v, "full"))
				c->sync_full = true;
			else if (!strcmp(v, "normal"))
				c->sync_full = false;
			else
				bad = 1;
		} else if (!strcmp(k, "test_mode"))
			bad |= parse_bool(v, &c->test_mode) ? 1 : 0;
		else if (!strcmp(k, "captcha_per_minute"))
			bad |= parse_int(v, 1, 100000, &c->captcha_per_minute) ? 1 : 0;
		else if (!strcmp(k, "session_minutes"))
			bad |= parse_int(v, 1, 1440, &c->session_minutes) ? 1 : 0;
		else if (!strcmp(k, "threads"))
			bad |= parse_int(v, 0, 256, &c->threads) ? 1 : 0;
		else if (!strcmp(k, "write_threads"))
			bad |= parse_int(v, 0, 1024, &c->write_threads) ? 1 : 0;
		else if (!strcmp(k, "smtp_url"))
			copy(c->smtp_url, sizeof(c->smtp_url), v);
		else if (!strcmp(k, "mail_from"))
			copy(c->mail_from, sizeof(c->mail_from), v);
		else if (!strcmp(k, "sms_gateway"))
			copy(c->sms_gateway, sizeof(c->sms_gateway), v);
		else if (!strcmp(k, "notify_minutes"))
			bad |= parse_int(v, 0, 7 * 24 * 60, &c->notify_minutes) ? 1 : 0;
		else {
			fprintf(stderr, _("%s:%d: unknown key \"%s\"\n"), path, lineno, k);
			bad = 1;
		}
		if (bad) {
			fprintf(stderr, _("%s:%d: bad value for \"%s\"\n"), path, lineno, k);
			break;
		}
	}
	fclose(f);
	return bad ? -1 : 0;
}

int pd_config_write(const struct pd_config *c)
{
	char path[1100], buf[8192];
	int n;

	snprintf(path, sizeof(path), "%s/qoltanbad.conf", c->data_dir);
	n = snprintf(buf, sizeof(buf),
		"# qoltanbad configuration (see doc/api.md, \"Configuration\").\n"
		"name = %s\n"
		"# Written into every certificate (CRL, AIA, CPS URLs).\n"
		"base_url = %s\n"
		"listen = %s\n"
		"# HTTPS: PEM certificate chain and key.  Without them qoltanbad\n"
		"# serves plain HTTP and only on a loopback address.\n"
		"tls_cert = %s\n"
		"tls_key = %s\n"
		"log_file = %s\n"
		"# Captcha can be turned off only here (closed networks, tests).\n"
		"captcha = %s\n"
		"captcha_per_minute = %d\n"
		"session_minutes = %d\n"
		"# HTTP threads (0: one per CPU) and the pool that runs writes\n"
		"# (0: four per CPU, so that commits are grouped).\n"
		"threads = %d\n"
		"write_threads = %d\n"
		"# full: every answered request is on disk (survives power loss);\n"
		"# normal: survives a crash of qoltanbad, may lose the last commits\n"
		"# on power loss, and commits several times faster.\n"
		"synchronous = %s\n"
		"# Test mode allows --test-clock-offset; never on a real portal.\n"
		"test_mode = %s\n"
		"# Expiry notices: e-mail over SMTP, SMS through an HTTP gateway\n"
		"# (POST {\"phone\",\"text\"}); empty: not sent.  Checked every\n"
		"# notify_minutes (0: only by \"qoltanbad notify\").\n"
		"smtp_url = %s\n"
		"mail_from = %s\n"
		"sms_gateway = %s\n"
		"notify_minutes = %d\n",
		c->name, c->base_url, c->listen, c->tls_cert, c->tls_key, c->log_file,
		c->captcha ? "yes" : "no", c->captcha_per_minute, c->session_minutes,
		c->threads, c->write_threads, c->sync_full ? "full" : "normal", c->test_mode ? "yes" : "no",
		c->smtp_url, c->mail_from, c->sms_gateway, c->notify_minutes);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	if (qt_atomic_write(path, buf, (size_t)n, 0644, QT_WRITE_EXCL) != QT_OK) {
		fprintf(stderr, "qoltanbad: %s: %s\n", path, qt_error_detail());
		return -1;
	}
	return 0;
}
