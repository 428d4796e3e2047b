/* Region, then city, where the application will be verified (domain.md
 * 1, step 5).  Both lists come from the portal's catalog, in the
 * interface language, and filter as you type. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/enroll.h"
#include "i18n.h"

struct place {
	struct tui_list regions, cities;
	const struct qt_region *region;   /* chosen: the city list is shown */
};

static const char *region_text(void *ctx, size_t i, char *buf, size_t size)
{
	const struct qt_region *r = &enr.catalog->regions[i];

	/* Any language finds it, and the ISO code too. */
	snprintf(buf, size, "%s %s %s %s", r->name.en, r->name.ru, r->name.kk, r->iso);
	return buf;
}

static void region_row(void *ctx, size_t row, int y, int x, int w, bool sel)
{
	const struct qt_region *r = &enr.catalog->regions[row];

	tui_put(y, x, w, qt_i18n_get(&r->name, enr_lang()), sel ? R_SELECTED : R_NORMAL, true);
}

static const char *city_text(void *ctx, size_t i, char *buf, size_t size)
{
	struct place *p = ctx;
	const struct qt_i18n *c = &p->region->cities[i];

	snprintf(buf, size, "%s %s %s", c->en, c->ru, c->kk);
	return buf;
}

static void city_row(void *ctx, size_t row, int y, int x, int w, bool sel)
{
	struct place *p = ctx;

	tui_put(y, x, w, qt_i18n_get(&p->region->cities[row], enr_lang()),
	        sel ? R_SELECTED : R_NORMAL, true);
}

static const char *pl_title(struct screen *s) { return _("Region and city"); }

static void pl_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct place *p = s->priv;
	int mw = w - 4, lw = mw / 2 - 1;

	tui_wrap(y + 1, 2, 2, mw,
	         _("Where will you take the application to a Registration Authority? Choose the "
	           "region, then the city (type to filter, Enter to choose)."), R_NORMAL);
	tui_put(y + 4, 2, lw, _("Region"), p->region ? R_DIM : R_HEADING, false);
	tui_list_draw(&p->regions, y + 5, 2, h - 6, lw);
	if (p->region) {
		tui_put(y + 4, 2 + lw + 2, lw, _("City"), R_HEADING, false);
		tui_list_draw(&p->cities, y + 5, 2 + lw + 2, h - 6, lw);
	}
	(void)t;
	(void)x;
}

static int pl_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct place *p = s->priv;
	size_t i;

	if (!p->region) {
		if (k->act == ACT_SELECT) {
			i = tui_list_selected(&p->regions);
			if (i == (size_t)-1)
				return TUI_HANDLED;
			p->region = &enr.catalog->regions[i];
			tui_list_free(&p->cities);
			if (tui_list_init(&p->cities, p->region->city_count, city_text, p) != 0)
				return TUI_HANDLED;
			p->cities.draw_row = city_row;
			p->cities.ctx = p;
			return TUI_HANDLED | TUI_REDRAW;
		}
		return tui_list_key(&p->regions, k);
	}
	if (k->act == ACT_BACK) {
		/* Back to the region list, not off the page. */
		p->region = NULL;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (k->act == ACT_SELECT) {
		i = tui_list_selected(&p->cities);
		if (i == (size_t)-1)
			return TUI_HANDLED;
		snprintf(enr.app->region, sizeof(enr.app->region), "%s", p->region->iso);
		snprintf(enr.app->city, sizeof(enr.app->city), "%.127s", p->region->cities[i].en);
		t->push = screen_apply_keys_new();
		return TUI_HANDLED | TUI_PUSH;
	}
	return tui_list_key(&p->cities, k);
}

static int pl_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	int flags;

	if (enr_finishing(t, r, &flags))
		return flags;
	return TUI_REDRAW;
}

static void pl_leave(struct screen *s, struct tui *t)
{
	struct place *p = s->priv;

	tui_list_free(&p->regions);
	tui_list_free(&p->cities);
	free(p);
}

static int pl_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action pl_bar_acts[] = { ACT_SELECT, ACT_CLEAR, ACT_BACK, ACT_NONE };
static const enum tui_action *pl_bar(struct screen *s) { return pl_bar_acts; }

static const struct screen_ops pl_ops = {
	.name = "apply-place", .title = pl_title, .draw = pl_draw, .key = pl_key,
	.resize = pl_resize, .resume = pl_resume, .leave = pl_leave, .bar = pl_bar,
};

struct screen *screen_apply_place_new(void)
{
	struct place *p = calloc(1, sizeof(*p));
	struct screen *s;

	if (!p)
		return NULL;
	if (tui_list_init(&p->regions, enr.catalog->region_count, region_text, p) != 0) {
		free(p);
		return NULL;
	}
	p->regions.draw_row = region_row;
	p->regions.ctx = p;
	s = tui_screen_new(&pl_ops, p);
	if (!s)
		pl_leave(&(struct screen){ .priv = p }, NULL);
	return s;
}
