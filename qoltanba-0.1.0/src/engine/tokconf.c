/* Where the token layer finds its files, and which PKCS#11 modules it
 * loads: qoltanba's configuration first, then the modules registered
 * with p11-kit (so a token works with no configuration at all when its
 * vendor registered the module).  No module path is written in code. */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libp11.h>

#include <qoltanba/atr.h>
#include "engine/tokconf.h"
#include "i18n.h"

char *qt_tokconf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

void qt_tokconf_user_path(const char *name, char *buf, size_t size)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (x != NULL && x[0] == '/')
		snprintf(buf, size, "%s/qoltanba/%s", x, name);
	else
		snprintf(buf, size, "%s/.config/qoltanba/%s", home ? home : "", name);
}

void qt_tokconf_system_path(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/qoltanba/%s", SYSCONFDIR, name);
}

void qt_tokconf_data_path(const char *name, char *buf, size_t size)
{
	const char *d = getenv("QOLTANBA_DATADIR");

	snprintf(buf, size, "%s/%s", d != NULL && d[0] != '\0' ? d : PKGDATADIR, name);
}

static void note(struct qt_tokconf *c, const char *path, unsigned line, const char *why)
{
	if (c->problem[0] == '\0')
		snprintf(c->problem, sizeof c->problem, "%s:%u: %s", path, line, why);
}

static qt_err add_module(struct qt_tokconf *c, const char *path, const char *source,
                         enum qt_storage medium, bool p11kit)
{
	struct qt_tokconf_module *m;
	size_t i;

	for (i = 0; i < c->n_modules; i++) {
		char a[PATH_MAX], b[PATH_MAX];

		if (strcmp(c->modules[i].path, path) == 0)
			return QT_OK;
		if (realpath(c->modules[i].path, a) != NULL && realpath(path, b) != NULL &&
		    strcmp(a, b) == 0)
			return QT_OK;
	}
	m = realloc(c->modules, (c->n_modules + 1) * sizeof *m);
	if (m == NULL)
		return QT_ERR_NOMEM;
	c->modules = m;
	m = &c->modules[c->n_modules++];
	memset(m, 0, sizeof *m);
	snprintf(m->path, sizeof m->path, "%s", path);
	snprintf(m->source, sizeof m->source, "%s", source);
	m->medium = medium;
	m->from_p11kit = p11kit;
	return QT_OK;
}

static qt_err read_config(struct qt_tokconf *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4200], src[4200];
	unsigned line = 0;
	qt_err rc = QT_OK;

	if (f == NULL)
		return QT_OK;   /* no configuration is a fine configuration */
	while (rc == QT_OK && fgets(buf, sizeof buf, f) != NULL) {
		char *p, *key, *val, *eq;
		enum qt_storage medium = QT_STORAGE_UNKNOWN;

		line++;
		p = qt_tokconf_trim(buf);
		if (*p == '#' || *p == ';' || *p == '\0')
			continue;
		eq = strchr(p, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		key = qt_tokconf_trim(p);
		val = qt_tokconf_trim(eq + 1);
		if (strcmp(key, "p11-kit") == 0) {
			if (strcasecmp(val, "no") == 0 || strcasecmp(val, "false") == 0 ||
			    strcmp(val, "0") == 0)
				c->p11kit = false;
			else if (strcasecmp(val, "yes") == 0 || strcasecmp(val, "true") == 0 ||
			         strcmp(val, "1") == 0)
				c->p11kit = true;
			else
				note(c, path, line, _("p11-kit is yes or no"));
			continue;
		}
		if (strncmp(key, "module", 6) != 0)
			continue;
		if (key[6] == '.') {
			if (qt_medium_from_name(key + 7, &medium) != QT_OK) {
				note(c, path, line, _("unknown medium after \"module.\""));
				continue;
			}
		} else if (key[6] != '\0') {
			continue;
		}
		if (val[0] == '\0') {
			note(c, path, line, _("the module path is empty"));
			continue;
		}
		snprintf(src, sizeof src, "%s:%u", path, line);
		rc = add_module(c, val, src, medium, false);
	}
	fclose(f);
	return rc;
}

/* p11-kit resolves a module name without a slash in its module folder,
 * which is "pkcs11" next to the system's libraries: find it beside
 * libp11 itself rather than writing a path here. */
static void resolve_p11kit_name(const char *name, char *out, size_t size)
{
	Dl_info info;

	if (strchr(name, '/') == NULL && dladdr((void *)PKCS11_CTX_new, &info) != 0 &&
	    info.dli_fname != NULL) {
		const char *slash = strrchr(info.dli_fname, '/');

		if (slash != NULL) {
			snprintf(out, size, "%.*s/pkcs11/%s", (int)(slash - info.dli_fname),
			         info.dli_fname, name);
			if (access(out, F_OK) == 0)
				return;
		}
	}
	snprintf(out, size, "%s", name);   /* the dynamic linker searches */
}

/* Is program "qoltanba" listed in a comma-separated p11-kit value? */
static bool lists_us(const char *v)
{
	const char *p = v;

	while (*p != '\0') {
		size_t n;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		n = strcspn(p, ", \t");
		if (n == 8 && strncmp(p, "qoltanba", 8) == 0)
			return true;
		p += n;
	}
	return false;
}

static qt_err read_p11kit_file(struct qt_tokconf *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4200], module[4200] = "", resolved[4200];
	bool enabled = true;

	if (f == NULL)
		return QT_OK;
	while (fgets(buf, sizeof buf, f) != NULL) {
		char *p = qt_tokconf_trim(buf), *colon, *key, *val;

		if (*p == '#' || *p == '\0' || (colon = strchr(p, ':')) == NULL)
			continue;
		*colon = '\0';
		key = qt_tokconf_trim(p);
		val = qt_tokconf_trim(colon + 1);
		if (strcmp(key, "module") == 0)
			snprintf(module, sizeof module, "%s", val);
		else if (strcmp(key, "enable-in") == 0)
			enabled = lists_us(val);
		else if (strcmp(key, "disable-in") == 0 && lists_us(val))
			enabled = false;
	}
	fclose(f);
	if (module[0] == '\0' || !enabled)
		return QT_OK;
	resolve_p11kit_name(module, resolved, sizeof resolved);
	snprintf(buf, sizeof buf, "p11-kit %s", path);
	return add_module(c, resolved, buf, QT_STORAGE_UNKNOWN, true);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* p11-kit's package and system folders; a file in the system folder
 * replaces one of the same name in the package folder. */
static qt_err read_p11kit(struct qt_tokconf *c)
{
	static const char *const dirs[] = { "/etc/pkcs11/modules", "/usr/share/p11-kit/modules" };
	char *names[256];
	size_t n = 0, i, d;
	qt_err rc = QT_OK;

	for (d = 0; d < 2; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *de;

		if (dir == NULL)
			continue;
		while ((de = readdir(dir)) != NULL && n < 256) {
			size_t len = strlen(de->d_name);
			char full[4200];
			bool seen = false;

			if (len < 8 || strcmp(de->d_name + len - 7, ".module") != 0)
				continue;
			for (i = 0; i < n; i++)
				if (strcmp(strrchr(names[i], '/') + 1, de->d_name) == 0)
					seen = true;
			if (seen)
				continue;
			snprintf(full, sizeof full, "%s/%s", dirs[d], de->d_name);
			if ((names[n] = strdup(full)) == NULL)
				break;
			n++;
		}
		closedir(dir);
	}
	qsort(names, n, sizeof names[0], cmp_names);
	for (i = 0; i < n; i++) {
		if (rc == QT_OK)
			rc = read_p11kit_file(c, names[i]);
		free(names[i]);
	}
	return rc;
}

qt_err qt_tokconf_load(struct qt_tokconf *c)
{
	char path[4096];
	qt_err rc;

	memset(c, 0, sizeof *c);
	c->p11kit = true;
	qt_tokconf_system_path("qoltanba.conf", path, sizeof path);
	rc = read_config(c, path);
	if (rc == QT_OK) {
		qt_tokconf_user_path("config", path, sizeof path);
		rc = read_config(c, path);
	}
	if (rc == QT_OK && c->p11kit)
		rc = read_p11kit(c);
	if (rc != QT_OK)
		qt_tokconf_free(c);
	return rc;
}

void qt_tokconf_free(struct qt_tokconf *c)
{
	free(c->modules);
	c->modules = NULL;
	c->n_modules = 0;
}
