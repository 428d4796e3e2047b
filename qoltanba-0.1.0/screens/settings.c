/* Settings: the interface language (switched at once) and colours,
 * remembered in $XDG_CONFIG_HOME/qoltanba/config. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/screens.h"
#include "i18n.h"

enum { F_LANG, F_COLORS, F_SAVE, F_COUNT };

/* Each language in its own name, so anyone can find theirs. */
static const char *const langs[] = { N_("As the system says"), "English", "Русский", "Қазақша" };
static const char *const codes[] = { "", "en", "ru", "kk" };

struct settings {
	struct tui_field fields[F_COUNT];
	struct tui_form form;
};

static const char *st_title(struct screen *s) { return _("Settings"); }

static void st_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct settings *st = s->priv;

	tui_wrap(y + 1, 2, 2, w - 4, _("Left and Right (or Space) change a choice; "
	                                "F2/^O saves and applies."), R_DIM);
	tui_form_draw(&st->form, y + 4, 2, 5, w - 4);
	if (t->no_color_forced)
		tui_wrap(y + 10, 2, 2, w - 4,
		         _("Colours are off because NO_COLOR is set or --no-color was given."), R_DIM);
	else if (!has_colors())
		tui_wrap(y + 10, 2, 2, w - 4, _("This terminal has no colours."), R_DIM);
}

static int st_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct settings *st = s->priv;
	bool submit;
	int r = tui_form_key(&st->form, k, &submit);

	if (!submit)
		return r;
	snprintf(tui_cfg.language, sizeof(tui_cfg.language), "%s",
	         codes[st->fields[F_LANG].choice]);
	tui_cfg.colors = st->fields[F_COLORS].checked;
	tui_set_language(tui_cfg.language);
	t->color_wanted = tui_cfg.colors;
	tui_apply_colors(t);
	if (tui_config_save(t) == 0)
		snprintf(t->message, sizeof(t->message), "%s", _("Settings saved."));
	return TUI_HANDLED | TUI_REDRAW;
}

static void st_leave(struct screen *s, struct tui *t) { free(s->priv); }

static const enum tui_action st_bar_acts[] = { ACT_SUBMIT, ACT_NEXT, ACT_BACK, ACT_NONE };
static const enum tui_action *st_bar(struct screen *s) { return st_bar_acts; }

static const struct screen_ops st_ops = {
	.name = "settings", .title = st_title, .draw = st_draw, .key = st_key,
	.leave = st_leave, .bar = st_bar,
};

struct screen *screen_settings_new(void)
{
	struct settings *st = calloc(1, sizeof(*st));
	int i;

	if (!st)
		return NULL;
	st->fields[F_LANG].kind = TF_CHOICE;
	st->fields[F_LANG].label = N_("Language");
	st->fields[F_LANG].choices = langs;
	st->fields[F_LANG].nchoices = 4;
	for (i = 0; i < 4; i++)
		if (strcmp(codes[i], tui_cfg.language) == 0)
			st->fields[F_LANG].choice = i;
	st->fields[F_COLORS].kind = TF_TICK;
	st->fields[F_COLORS].label = N_("Colours");
	st->fields[F_COLORS].checked = tui_cfg.colors;
	st->fields[F_SAVE].kind = TF_BUTTON;
	st->fields[F_SAVE].label = N_("Save");
	st->form.fields = st->fields;
	st->form.n = F_COUNT;
	st->form.label_w = 16;
	return tui_screen_new(&st_ops, st);
}
