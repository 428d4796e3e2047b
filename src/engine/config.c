/* Configuration files: "key = value" lines, later files override. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <qoltanba/config.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/secret.h>
#include "i18n.h"

#define CONFIG_MAX_BYTES (256 * 1024)

struct entry {
	char *key;
	char *value;
	char *source;   /* "FILE:LINE" it came from */
};

struct qt_config {
	struct entry *v;
	size_t n, cap;
};

qt_config *qt_config_new(void)
{
	return calloc(1, sizeof(qt_config));
}

void qt_config_free(qt_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n; i++) {
		free(cfg->v[i].key);
		free(cfg->v[i].value);
		free(cfg->v[i].source);
	}
	free(cfg->v);
	free(cfg);
}

static struct entry *find(const qt_config *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->n; i++)
		if (strcmp(cfg->v[i].key, key) == 0)
			return &cfg->v[i];
	return NULL;
}

/* Sets key to value, remembering where it came from ("FILE:LINE"). */
static qt_err put(qt_config *cfg, const char *key, const char *value, const char *path,
                  unsigned line)
{
	struct entry *e = find(cfg, key);
	char *nv = strdup(value), *src;
	int n = snprintf(NULL, 0, "%s:%u", path, line);

	src = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (nv == NULL || src == NULL) {
		free(nv);
		free(src);
		return QT_ERR_NOMEM;
	}
	snprintf(src, (size_t)n + 1, "%s:%u", path, line);
	if (e != NULL) {
		free(e->value);
		free(e->source);
		e->value = nv;
		e->source = src;
		return QT_OK;
	}
	if (cfg->n == cfg->cap) {
		size_t ncap = cfg->cap ? cfg->cap * 2 : 16;
		struct entry *nvv = realloc(cfg->v, ncap * sizeof *nvv);
		if (nvv == NULL) {
			free(nv);
			free(src);
			return QT_ERR_NOMEM;
		}
		cfg->v = nvv;
		cfg->cap = ncap;
	}
	cfg->v[cfg->n].key = strdup(key);
	if (cfg->v[cfg->n].key == NULL) {
		free(nv);
		free(src);
		return QT_ERR_NOMEM;
	}
	cfg->v[cfg->n].value = nv;
	cfg->v[cfg->n].source = src;
	cfg->n++;
	return QT_OK;
}

static void drop(qt_config *cfg, const char *key)
{
	struct entry *e = find(cfg, key);

	if (e == NULL)
		return;
	free(e->key);
	free(e->value);
	free(e->source);
	/* Keep file order (qt_config_each promises it). */
	memmove(e, e + 1, (size_t)(cfg->v + cfg->n - (e + 1)) * sizeof *e);
	cfg->n--;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

static bool key_ok(const char *k)
{
	if (*k == '\0')
		return false;
	for (; *k; k++)
		if (!(islower((unsigned char)*k) || isdigit((unsigned char)*k) || *k == '.' ||
		      *k == '_' || *k == '-'))
			return false;
	return true;
}

/* Splits "key = value" (value may be quoted).  Returns false for a line
 * that is neither blank, a comment nor a setting. */
static bool parse_line(char *line, char **key, char **value)
{
	char *s = trim(line), *eq;

	*key = *value = NULL;
	if (*s == '\0' || *s == '#' || *s == ';')
		return true;
	eq = strchr(s, '=');
	if (eq == NULL)
		return false;
	*eq = '\0';
	*key = trim(s);
	*value = trim(eq + 1);
	if (!key_ok(*key))
		return false;
	if ((*value)[0] == '"') {
		size_t n = strlen(*value);
		if (n < 2 || (*value)[n - 1] != '"')
			return false;
		(*value)[n - 1] = '\0';
		(*value)++;
	}
	return true;
}

qt_err qt_config_load_file(qt_config *cfg, const char *path)
{
	unsigned char *buf;
	size_t len;
	char *line, *next;
	unsigned lineno = 0;
	qt_err rc;

	rc = qt_read_file(path, CONFIG_MAX_BYTES, &buf, &len);
	if (rc != QT_OK)
		return rc;
	for (line = (char *)buf; line != NULL; line = next) {
		char *key, *value;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if (!parse_line(line, &key, &value)) {
			qt_free_secret(buf, len);
			return qt_error(QT_ERR_CONFIG, _("%s:%u: expected \"key = value\""), path, lineno);
		}
		if (key != NULL && (rc = put(cfg, key, value, path, lineno)) != QT_OK) {
			qt_free_secret(buf, len);
			return rc;
		}
	}
	qt_free_secret(buf, len);
	return QT_OK;
}

static char *xdg_path(const char *env, const char *fallback, const char *leaf)
{
	const char *base = getenv(env), *home = getenv("HOME");
	char *out;
	size_t n;

	if (base != NULL && base[0] == '/') {
		n = strlen(base) + strlen(leaf) + 2;
		out = malloc(n);
		if (out != NULL)
			snprintf(out, n, "%s/%s", base, leaf);
		return out;
	}
	if (home == NULL || home[0] == '\0')
		home = "/";
	n = strlen(home) + strlen(fallback) + strlen(leaf) + 3;
	out = malloc(n);
	if (out != NULL)
		snprintf(out, n, "%s/%s/%s", home, fallback, leaf);
	return out;
}

char *qt_config_user_path(void)
{
	return xdg_path("XDG_CONFIG_HOME", ".config", "qoltanba/config");
}

char *qt_state_dir(void)
{
	return xdg_path("XDG_STATE_HOME", ".local/state", "qoltanba");
}

char *qt_data_dir(void)
{
	return xdg_path("XDG_DATA_HOME", ".local/share", "qoltanba");
}

const char *qt_config_system_path(void)
{
	const char *sys = getenv("QOLTANBA_SYSCONF");   /* tests and packagers */

	return sys != NULL && *sys ? sys : SYSCONFDIR "/qoltanba/qoltanba.conf";
}

qt_err qt_config_load(qt_config **out)
{
	qt_config *cfg = qt_config_new();
	char *user;
	qt_err rc;

	*out = NULL;
	if (cfg == NULL)
		return QT_ERR_NOMEM;
	rc = qt_config_load_file(cfg, qt_config_system_path());
	if (rc != QT_OK && rc != QT_ERR_NOT_FOUND)
		goto fail;
	user = qt_config_user_path();
	if (user == NULL) {
		rc = QT_ERR_NOMEM;
		goto fail;
	}
	rc = qt_config_load_file(cfg, user);
	free(user);
	if (rc != QT_OK && rc != QT_ERR_NOT_FOUND)
		goto fail;
	qt_error_clear();
	*out = cfg;
	return QT_OK;
fail:
	qt_config_free(cfg);
	return rc;
}

const char *qt_config_get(const qt_config *cfg, const char *key)
{
	const struct entry *e = cfg != NULL ? find(cfg, key) : NULL;

	return e != NULL ? e->value : NULL;
}

const char *qt_config_source(const qt_config *cfg, const char *key)
{
	const struct entry *e = cfg != NULL ? find(cfg, key) : NULL;

	return e != NULL ? e->source : NULL;
}

bool qt_config_get_bool(const qt_config *cfg, const char *key, bool def)
{
	const char *v = qt_config_get(cfg, key);

	if (v == NULL)
		return def;
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcmp(v, "1"))
		return true;
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcasecmp(v, "off") || !strcmp(v, "0"))
		return false;
	return def;
}

void qt_config_each(const qt_config *cfg, const char *prefix,
                    void (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	size_t i, n = strlen(prefix);

	for (i = 0; cfg != NULL && i < cfg->n; i++)
		if (strncmp(cfg->v[i].key, prefix, n) == 0)
			fn(cfg->v[i].key, cfg->v[i].value, arg);
}

/* Appends to a growing buffer. */
struct sbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t ncap = (b->n + len + 1) * 2;
		char *np = realloc(b->p, ncap);
		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void sb_setting(struct sbuf *b, const char *key, const char *value)
{
	bool quote = value[0] == ' ' || value[0] == '"' || (value[0] != '\0' && value[strlen(value) - 1] == ' ');

	sb_add(b, key, strlen(key));
	sb_add(b, " = ", 3);
	if (quote)
		sb_add(b, "\"", 1);
	sb_add(b, value, strlen(value));
	if (quote)
		sb_add(b, "\"", 1);
	sb_add(b, "\n", 1);
}

/* After the user's file was rewritten: the settings that come from it
 * are on the lines they now have (a line removed moves those below). */
static qt_err resource(qt_config *cfg, const char *path, char *text)
{
	char *line, *next;
	unsigned lineno = 0;
	qt_err rc = QT_OK;

	for (line = text; rc == QT_OK && line != NULL && *line != '\0'; line = next) {
		char *k, *v;
		struct entry *e;
		size_t plen = strlen(path);

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if (!parse_line(line, &k, &v) || k == NULL || (e = find(cfg, k)) == NULL)
			continue;
		/* Only values in force that came from this file. */
		if (strncmp(e->source, path, plen) != 0 || e->source[plen] != ':' ||
		    strcmp(e->value, v) != 0)
			continue;
		rc = put(cfg, k, v, path, lineno);
	}
	return rc;
}

qt_err qt_config_set(qt_config *cfg, const char *key, const char *value)
{
	struct sbuf out = { 0 };
	unsigned char *buf = NULL;
	char *path, *line, *next, *slash;
	bool done = false;
	size_t len;
	qt_err rc;

	if (!key_ok(key) || (value != NULL && strchr(value, '\n') != NULL))
		return qt_error(QT_ERR_INVALID_ARG, "%s", key);
	path = qt_config_user_path();
	if (path == NULL)
		return QT_ERR_NOMEM;
	rc = qt_read_file(path, CONFIG_MAX_BYTES, &buf, &len);
	if (rc != QT_OK && rc != QT_ERR_NOT_FOUND)
		goto done;
	sb_add(&out, "", 0);
	/* Rewrite line by line: the first setting of key is replaced, later
	 * ones dropped, everything else kept as it was. */
	for (line = buf ? (char *)buf : NULL; line != NULL; line = next) {
		char *copy, *k, *v;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (next == NULL && *line == '\0')
			break;
		copy = strdup(line);
		if (copy == NULL) {
			rc = QT_ERR_NOMEM;
			goto done;
		}
		if (parse_line(copy, &k, &v) && k != NULL && strcmp(k, key) == 0) {
			if (!done && value != NULL)
				sb_setting(&out, key, value);
			done = true;
		} else {
			sb_add(&out, line, strlen(line));
			sb_add(&out, "\n", 1);
		}
		free(copy);
	}
	if (!done && value != NULL)
		sb_setting(&out, key, value);
	if (out.oom) {
		rc = QT_ERR_NOMEM;
		goto done;
	}
	slash = strrchr(path, '/');
	if (slash != NULL) {
		*slash = '\0';
		rc = qt_mkdir_p(path, 0700);
		*slash = '/';
		if (rc != QT_OK)
			goto done;
	}
	rc = qt_atomic_write(path, out.p, out.n, 0600, QT_WRITE_REPLACE);
	if (rc == QT_OK && cfg != NULL) {
		if (value != NULL)
			rc = put(cfg, key, value, path, 0);
		else
			drop(cfg, key);
		if (rc == QT_OK)
			rc = resource(cfg, path, out.p);
	}
done:
	if (buf != NULL)
		qt_free_secret(buf, len);
	free(out.p);
	free(path);
	return rc;
}
