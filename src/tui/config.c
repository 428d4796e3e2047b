/* Settings remembered between runs, through the engine's configuration
 * (qoltanba/config.h): read from SYSCONFDIR/qoltanba/qoltanba.conf and
 * then $XDG_CONFIG_HOME/qoltanba/config, written back to the user's file
 * atomically (mode 0600) keeping its other lines and comments.  Keys:
 * language (en, ru, kk or empty), color (yes/no), last_folder. */
#include <config.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qoltanba/config.h>
#include "tui/tui.h"
#include "i18n.h"

struct tui_config tui_cfg = { "", true, "", "" };

void tui_config_load(void)
{
	qt_config *cfg = NULL;
	const char *v;
	qt_err rc = qt_config_load(&cfg);

	if (rc != QT_OK) {
		/* Defaults, and the line to fix on the first screen: the
		 * status line is short, so the place comes first (the home
		 * folder written as ~), then why. */
		const char *d = qt_error_detail(), *home = getenv("HOME");
		size_t hl = home ? strlen(home) : 0;
		char place[400];

		if (hl > 1 && strncmp(d, home, hl) == 0 && d[hl] == '/')
			snprintf(place, sizeof(place), "~%s", d + hl);
		else
			snprintf(place, sizeof(place), "%s", d);
		snprintf(tui_cfg.problem, sizeof(tui_cfg.problem), _("Settings not read: %s (%s)"),
		         place, qt_strerror(rc));
		return;
	}
	v = qt_config_get(cfg, "language");
	if (v && (strcmp(v, "en") == 0 || strcmp(v, "ru") == 0 || strcmp(v, "kk") == 0 || !*v))
		snprintf(tui_cfg.language, sizeof(tui_cfg.language), "%s", v);
	tui_cfg.colors = qt_config_get_bool(cfg, "color", true);
	v = qt_config_get(cfg, "theme");
	if (v && strcmp(v, "high-contrast") == 0)
		tui_theme_hc = true;
	v = qt_config_get(cfg, "last_folder");
	if (v)
		snprintf(tui_cfg.last_folder, sizeof(tui_cfg.last_folder), "%s", v);
	qt_config_free(cfg);
}

int tui_config_save(struct tui *t)
{
	qt_err rc;

	rc = qt_config_set(NULL, "language", tui_cfg.language[0] ? tui_cfg.language : NULL);
	if (rc == QT_OK)
		rc = qt_config_set(NULL, "color", tui_cfg.colors ? "yes" : "no");
	if (rc == QT_OK && tui_cfg.last_folder[0])
		rc = qt_config_set(NULL, "last_folder", tui_cfg.last_folder);
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
