/* Key media and the ATR table (domain.md section 4), read from data
 * files an administrator can extend. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qoltanba/atr.h>
#include "engine/tokconf.h"
#include "i18n.h"

struct atr_entry {
	unsigned char prefix[QT_ATR_MAX];
	size_t len;
	enum qt_storage medium;
};

struct qt_atr_table {
	struct atr_entry *e;
	size_t n, cap;
	char problem[512];
};

/* The portal's media, with the factory PIN it tells users about.  Names
 * and labels are those of cert.h (qt_storage_name/_label), so that
 * atr.conf, the configuration and the JSON all say "kaztoken". */
static const struct {
	enum qt_storage m;
	const char *default_pin;
} media[] = {
	{ QT_STORAGE_PKCS12, NULL },
	{ QT_STORAGE_IDCARD, NULL },
	{ QT_STORAGE_KAZTOKEN, "12345678" },
	{ QT_STORAGE_ETOKEN72K, "1234567890" },
	{ QT_STORAGE_ETOKEN5110, NULL },
	{ QT_STORAGE_JACARTA, "1234567890" },
	{ QT_STORAGE_AKEY, "1234567890" },
};
#define N_MEDIA (sizeof media / sizeof media[0])

const char *qt_medium_name(enum qt_storage m)
{
	return qt_storage_name(m);
}

const char *qt_medium_label(enum qt_storage m)
{
	return m == QT_STORAGE_UNKNOWN ? _("unknown medium") : qt_storage_label(m);
}

qt_err qt_medium_from_name(const char *name, enum qt_storage *out)
{
	size_t i;

	for (i = 0; i < N_MEDIA; i++) {
		if (strcmp(qt_storage_name(media[i].m), name) == 0) {
			*out = media[i].m;
			return QT_OK;
		}
	}
	return qt_error(QT_ERR_INVALID_ARG, _("unknown medium \"%s\": use idcard, kaztoken, "
	                "etoken72k, etoken5110, jacarta or akey"), name);
}

const char *qt_medium_default_pin(enum qt_storage m)
{
	size_t i;

	for (i = 0; i < N_MEDIA; i++)
		if (media[i].m == m)
			return media[i].default_pin;
	return NULL;
}

void qt_hex_upper(const unsigned char *p, size_t len, char *out, size_t size)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	if (size == 0)
		return;
	for (i = 0; i < len && 2 * i + 2 < size; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * i] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "3B:88:01" or "3b8801" -> bytes; -1 when not hex. */
static int parse_hex(const char *s, unsigned char *out, size_t *len)
{
	size_t n = 0;

	while (*s != '\0') {
		int hi, lo;

		if (*s == ':') {
			s++;
			continue;
		}
		hi = hexval((unsigned char)s[0]);
		lo = s[1] != '\0' ? hexval((unsigned char)s[1]) : -1;
		if (hi < 0 || lo < 0 || n >= QT_ATR_MAX)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	if (n == 0)
		return -1;
	*len = n;
	return 0;
}

static void problem(qt_atr_table *t, const char *path, unsigned line, const char *why)
{
	if (t->problem[0] == '\0')
		snprintf(t->problem, sizeof t->problem, "%s:%u: %s", path, line, why);
}

static qt_err load_file(qt_atr_table *t, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[512];
	unsigned line = 0;

	if (f == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return QT_OK;
		problem(t, path, 0, strerror(errno));
		return QT_OK;
	}
	while (fgets(buf, sizeof buf, f) != NULL) {
		char *p, *name, *hex, *end;
		struct atr_entry e;

		line++;
		if ((p = strchr(buf, '#')) != NULL)
			*p = '\0';
		p = qt_tokconf_trim(buf);
		if (*p == '\0')
			continue;
		name = p;
		p += strcspn(p, " \t");
		if (*p == '\0') {
			problem(t, path, line, _("expected MEDIUM HEX-PREFIX"));
			continue;
		}
		*p++ = '\0';
		hex = qt_tokconf_trim(p);
		end = hex + strcspn(hex, " \t");
		if (*end != '\0') {
			problem(t, path, line, _("expected MEDIUM HEX-PREFIX"));
			continue;
		}
		if (qt_medium_from_name(name, &e.medium) != QT_OK ||
		    e.medium == QT_STORAGE_PKCS12) {
			problem(t, path, line, _("unknown medium name"));
			continue;
		}
		if (parse_hex(hex, e.prefix, &e.len) != 0) {
			problem(t, path, line, _("the ATR prefix is not hex bytes"));
			continue;
		}
		if (t->n == t->cap) {
			size_t cap = t->cap ? 2 * t->cap : 32;
			struct atr_entry *ne = realloc(t->e, cap * sizeof *ne);

			if (ne == NULL) {
				fclose(f);
				return QT_ERR_NOMEM;
			}
			t->e = ne;
			t->cap = cap;
		}
		t->e[t->n++] = e;
	}
	fclose(f);
	return QT_OK;
}

qt_err qt_atr_table_load_files(const char *const *paths, size_t n, qt_atr_table **out)
{
	qt_atr_table *t = calloc(1, sizeof *t);
	size_t i;
	qt_err rc;

	*out = NULL;
	if (t == NULL)
		return QT_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		rc = load_file(t, paths[i]);
		if (rc != QT_OK) {
			qt_atr_table_free(t);
			return rc;
		}
	}
	*out = t;
	return QT_OK;
}

void qt_atr_user_file(char *buf, size_t size)
{
	qt_tokconf_user_path("atr.conf", buf, size);
}

void qt_atr_system_file(char *buf, size_t size)
{
	qt_tokconf_system_path("atr.conf", buf, size);
}

qt_err qt_atr_table_load(qt_atr_table **out)
{
	char a[4096], b[4096], c[4096];
	const char *paths[3] = { a, b, c };

	qt_tokconf_data_path("atr.conf", a, sizeof a);
	qt_atr_system_file(b, sizeof b);
	qt_atr_user_file(c, sizeof c);
	return qt_atr_table_load_files(paths, 3, out);
}

void qt_atr_table_free(qt_atr_table *t)
{
	if (t == NULL)
		return;
	free(t->e);
	free(t);
}

size_t qt_atr_table_size(const qt_atr_table *t)
{
	return t != NULL ? t->n : 0;
}

const char *qt_atr_table_problem(const qt_atr_table *t)
{
	return t != NULL ? t->problem : "";
}

enum qt_storage qt_atr_lookup(const qt_atr_table *t, const unsigned char *atr, size_t len)
{
	enum qt_storage best = QT_STORAGE_UNKNOWN;
	size_t i, best_len = 0;

	if (t == NULL)
		return best;
	for (i = 0; i < t->n; i++) {
		const struct atr_entry *e = &t->e[i];

		/* ">=": among equal prefixes the later file wins. */
		if (e->len <= len && e->len >= best_len && memcmp(e->prefix, atr, e->len) == 0) {
			best = e->medium;
			best_len = e->len;
		}
	}
	return best;
}
