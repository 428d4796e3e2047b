/* Settings remembered between runs: $XDG_CONFIG_HOME/qoltanba/config
 * (or ~/.config/qoltanba/config), "key=value" lines, written atomically
 * with qt_atomic_write.  Unknown keys are ignored, so an older qoltanba
 * reads a newer file. */
#include <config.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qoltanba/fsutil.h>
#include "tui/tui.h"
#include "i18n.h"

struct tui_config tui_cfg = { "", true, "" };

static int config_dir(char *buf, size_t size)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x && x[0] == '/')
		return snprintf(buf, size, "%s/qoltanba", x) < (int)size ? 0 : -1;
	if (home && *home)
		return snprintf(buf, size, "%s/.config/qoltanba", home) < (int)size ? 0 : -1;
	return -1;
}

void tui_config_load(void)
{
	char dir[1024], path[1100], line[1200];
	FILE *f;

	if (config_dir(dir, sizeof(dir)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/config", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '='), *v;
		size_t n;

		if (!eq || line[0] == '#')
			continue;
		*eq = '\0';
		v = eq + 1;
		n = strlen(v);
		while (n && (v[n - 1] == '\n' || v[n - 1] == '\r'))
			v[--n] = '\0';
		if (strcmp(line, "language") == 0) {
			if (strcmp(v, "en") == 0 || strcmp(v, "ru") == 0 || strcmp(v, "kk") == 0 || !*v)
				snprintf(tui_cfg.language, sizeof(tui_cfg.language), "%s", v);
		} else if (strcmp(line, "colors") == 0) {
			tui_cfg.colors = strcmp(v, "off") != 0;
		} else if (strcmp(line, "last_folder") == 0) {
			snprintf(tui_cfg.last_folder, sizeof(tui_cfg.last_folder), "%s", v);
		}
	}
	fclose(f);
}

int tui_config_save(struct tui *t)
{
	char dir[1024], path[1100], buf[4096];
	int n;
	qt_err rc;

	if (config_dir(dir, sizeof(dir)) < 0) {
		snprintf(t->message, sizeof(t->message), "%s",
		         _("Settings not saved: neither XDG_CONFIG_HOME nor HOME is set."));
		t->message_error = true;
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "# qoltanba settings (written by qoltanba)\n"
	             "language=%s\ncolors=%s\nlast_folder=%s\n", tui_cfg.language,
	             tui_cfg.colors ? "on" : "off", tui_cfg.last_folder);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	snprintf(path, sizeof(path), "%s/config", dir);
	rc = qt_mkdir_p(dir, 0700);
	if (rc == QT_OK)
		rc = qt_atomic_write(path, buf, (size_t)n, 0600, QT_WRITE_REPLACE);
	if (rc != QT_OK) {
		snprintf(t->message, sizeof(t->message), _("Settings not saved: %s (%s)"),
		         qt_strerror(rc), qt_error_detail());
		t->message_error = true;
		return -1;
	}
	return 0;
}

/* Language at run time: LANGUAGE picks the catalogue (GNU gettext), and
 * textdomain() makes gettext forget the translations it has cached. */
void tui_set_language(const char *lang)
{
	static char *orig;
	static bool saved;
	const char *cur;

	if (!saved) {
		const char *o = getenv("LANGUAGE");
		orig = o ? strdup(o) : NULL;
		saved = true;
	}
	if (lang && *lang) {
		setenv("LANGUAGE", lang, 1);
		/* gettext ignores LANGUAGE in the "C" locale. */
		cur = setlocale(LC_MESSAGES, NULL);
		if (cur && (strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0))
			setlocale(LC_MESSAGES, "C.UTF-8");
	} else if (orig) {
		setenv("LANGUAGE", orig, 1);
	} else {
		unsetenv("LANGUAGE");
	}
	textdomain(textdomain(NULL));
}
