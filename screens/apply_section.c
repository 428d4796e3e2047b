/* Obtainment of DS keys, first page: the section (domain.md 1, step 1).
 * Individuals, Legal Entities - Chairman, or one of the employee
 * templates, as the portal's catalog lists them.  The catalog is read in
 * a work function; when the portal does not answer, the page says so
 * and F5/^R tries again. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/screens.h"
#include "screens/enroll.h"
#include "i18n.h"

struct section {
	struct tui_menu menu;
	char error[1024];
	bool loaded;
};

static const char *se_title(struct screen *s) { return _("Obtainment of DS keys"); }

static const char *se_hint(const struct qt_subject_type *st)
{
	if (!st->legal_entity)
		return _("Keys for yourself, as a citizen or resident: signing documents and "
		         "signing in to e-government services.");
	if (st->must_be_head)
		return _("Keys for the first head of an organisation (its chairman or director), "
		         "who is named in the national register of legal entities.");
	return _("Keys for an employee of an organisation, with the rights of this template. "
	         "The organisation's BIN and the employee's IIN are checked.");
}

static void se_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct section *se = s->priv;
	int mw = w - 8 > 72 ? 72 : w - 8, row = y + 1, i;
	bool legal_heading = false;

	if (!se->loaded) {
		tui_put(row, 4, mw, _("The portal did not answer."), R_ERROR, false);
		tui_wrap(row + 2, 4, h - 4, mw, se->error, R_NORMAL);
		tui_wrap(row + 7, 4, 2, mw, _("Press F5 (or Ctrl-R) to try again, Esc to go back."),
		         R_DIM);
		return;
	}
	tui_put(row++, 4, mw, _("Choose a section, then press Enter to submit an application."),
	        R_HEADING, false);
	row++;
	for (i = 0; i < se->menu.n && row < y + h - 4; i++) {
		const struct qt_subject_type *st = &enr.catalog->subject_types[i];
		bool sel = i == se->menu.sel;
		char buf[512];

		if (st->legal_entity && !st->must_be_head && !legal_heading) {
			tui_put(row++, 4, mw, _("Legal Entities - other templates:"), R_DIM, false);
			legal_heading = true;
		}
		if (!st->legal_entity)
			snprintf(buf, sizeof(buf), "%s %d  %s", sel ? tui_glyph_pointer() : " ", i + 1,
			         _("Individuals"));
		else if (st->must_be_head)
			snprintf(buf, sizeof(buf), "%s %d  %s", sel ? tui_glyph_pointer() : " ", i + 1,
			         _("Legal Entities - Chairman"));
		else
			snprintf(buf, sizeof(buf), "%s %d    %s", sel ? tui_glyph_pointer() : " ", i + 1,
			         enr_type_label(st));
		tui_put(row++, 4, mw, buf, sel ? R_SELECTED : R_NORMAL, true);
	}
	row++;
	if (se->menu.n > 0)
		tui_wrap(row, 6, y + h - row, mw - 2,
		         se_hint(&enr.catalog->subject_types[se->menu.sel]), R_DIM);
	(void)t;
	(void)x;
}

static int se_load(struct screen *s, struct tui *t)
{
	struct section *se = s->priv;

	se->loaded = enr_load_catalog(se->error, sizeof(se->error)) == QT_OK;
	return TUI_REDRAW;
}

static int se_after(struct screen *s, struct tui *t)
{
	struct section *se = s->priv;

	if (se->loaded) {
		se->menu.n = (int)enr.catalog->subject_type_count;
		if (se->menu.n > 9)
			se->menu.n = 9;
	}
	enr_status_note(t);
	return TUI_REDRAW;
}

static int se_work(struct screen *s, struct tui *t)
{
	se_load(s, t);
	return TUI_REDRAW;
}

static int se_enter(struct screen *s, struct tui *t)
{
	t->work = se_work;
	t->work_label = _("Reading the portal's catalog");
	return TUI_WORK;
}

static int se_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct section *se = s->priv;
	int c;

	/* The work ran in another thread: the menu is sized here. */
	se_after(s, t);
	if (k->act == ACT_RELOAD) {
		t->work = se_work;
		t->work_label = _("Reading the portal's catalog");
		return TUI_HANDLED | TUI_WORK;
	}
	if (!se->loaded)
		return 0;
	c = tui_menu_key(&se->menu, k);
	if (c == -2)
		return 0;
	if (c == -1)
		return TUI_HANDLED | TUI_REDRAW;
	if (!enr_app_new())
		return TUI_HANDLED;
	enr.app->type = &enr.catalog->subject_types[c];
	t->push = screen_apply_agree_new();
	return TUI_HANDLED | TUI_PUSH;
}

static int se_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	int flags;

	if (enr_finishing(t, r, &flags))
		return flags;
	return TUI_REDRAW;
}

static void se_draw_sized(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	se_after(s, t);
	se_draw(s, t, y, x, h, w);
}

static void se_leave(struct screen *s, struct tui *t)
{
	enr_app_free();
	free(s->priv);
}

static int se_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action se_bar_acts[] = { ACT_SELECT, ACT_RELOAD, ACT_BACK, ACT_NONE };
static const enum tui_action *se_bar(struct screen *s) { return se_bar_acts; }

static const struct screen_ops se_ops = {
	.name = "apply-section", .title = se_title, .enter = se_enter, .draw = se_draw_sized,
	.key = se_key, .resize = se_resize, .resume = se_resume, .leave = se_leave, .bar = se_bar,
};

struct screen *screen_apply_section_new(void)
{
	struct section *se = calloc(1, sizeof(*se));

	if (!se)
		return NULL;
	return tui_screen_new(&se_ops, se);
}
