/* Registration Authority console: the queue of pending applications,
 * oldest first.  Typing filters the list (number, IIN, BIN, name); a
 * whole application number that is not in the queue (issued, rejected,
 * ...) is looked up on the portal with Enter.  F5/^R reads the queue
 * again. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "screens/screens.h"
#include "screens/enroll.h"
#include "i18n.h"

struct raqueue {
	struct qt_app_info *apps;
	size_t count;
	struct tui_list list;
	char error[1024];
	char search[64];
	bool dirty;              /* rows replaced by the work: rebuild the list */
};

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
	struct raqueue *q = ctx;
	const struct qt_app_info *a = &q->apps[i];

	snprintf(buf, size, "%s %s %s %s %s", a->number, a->iin, a->bin, a->full_name,
	         a->organization);
	return buf;
}

static void row_draw(void *ctx, size_t row, int y, int x, int w, bool sel)
{
	struct raqueue *q = ctx;
	const struct qt_app_info *a = &q->apps[row];
	char when[32], buf[1024];
	struct tm tm;

	gmtime_r(&a->created_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d", &tm);
	snprintf(buf, sizeof(buf), "%-12s  %s  %-13s %s%s%s", a->number, when, a->subject_type,
	         a->full_name, a->organization[0] ? ", " : "", a->organization);
	tui_put(y, x, w, buf, sel ? R_SELECTED : R_NORMAL, true);
}

static const char *rq_title(struct screen *s) { return _("Registration Authority: applications"); }

static void rq_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct raqueue *q = s->priv;
	int mw = w - 4, row = y + 1;
	char buf[256];

	snprintf(buf, sizeof(buf), _("Pending applications: %zu. Enter opens one; type to search."),
	         q->count);
	tui_put(row++, 2, mw, buf, R_HEADING, false);
	if (q->error[0]) {
		row++;
		row += tui_wrap(row, 2, 4, mw, q->error, R_ERROR) + 1;
	}
	row++;
	if (q->count == 0 && !q->error[0])
		tui_put(row, 4, mw - 2, _("No application is waiting. F5 (or Ctrl-R) reads the queue "
		                          "again; a number typed and Enter finds any application."),
		        R_DIM, false);
	tui_list_draw(&q->list, row, 2, y + h - row, mw);
	(void)t;
	(void)x;
}

static void load_list(struct raqueue *q)
{
	tui_list_free(&q->list);
	if (tui_list_init(&q->list, q->count, row_text, q) == 0) {
		q->list.draw_row = row_draw;
		q->list.ctx = q;
	}
}

static int rq_work(struct screen *s, struct tui *t)
{
	struct raqueue *q = s->priv;
	struct qt_app_info *apps = NULL;
	size_t n = 0;
	qt_err rc;

	q->error[0] = '\0';
	rc = qt_portal_ra_list(enr.portal, "pending", NULL, 500, 0, &apps, &n);
	if (rc != QT_OK) {
		enr_explain(rc, q->error, sizeof(q->error));
		return TUI_REDRAW;
	}
	free(q->apps);
	q->apps = apps;
	q->count = n;
	q->dirty = true;
	return TUI_REDRAW;
}

/* Work: one application by number, whatever its status. */
static int rq_find(struct screen *s, struct tui *t)
{
	struct raqueue *q = s->priv;
	struct qt_app_info *apps = NULL;
	size_t n = 0;
	qt_err rc;

	q->error[0] = '\0';
	rc = qt_portal_ra_list(enr.portal, "all", q->search, 1, 0, &apps, &n);
	if (rc != QT_OK || n == 0) {
		if (rc == QT_OK)
			snprintf(q->error, sizeof(q->error), _("The portal has no application %s."),
			         q->search);
		else
			enr_explain(rc, q->error, sizeof(q->error));
		free(apps);
		return TUI_REDRAW;
	}
	t->push = screen_ra_view_new(apps[0].number);
	free(apps);
	return TUI_PUSH;
}

static int rq_enter(struct screen *s, struct tui *t)
{
	t->work = rq_work;
	t->work_label = _("Reading the queue");
	return TUI_WORK;
}

static int rq_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct raqueue *q = s->priv;
	size_t i;

	enr_status_note(t);
	if (q->dirty) {
		load_list(q);
		q->dirty = false;
	}
	if (k->act == ACT_RELOAD)
		return rq_enter(s, t) | TUI_HANDLED;
	if (k->act == ACT_SELECT) {
		i = tui_list_selected(&q->list);
		if (i != (size_t)-1) {
			t->push = screen_ra_view_new(q->apps[i].number);
			return TUI_HANDLED | TUI_PUSH;
		}
		tui_wcs_to_utf8(q->list.filter, q->list.filter_len, q->search, sizeof(q->search));
		if (!q->search[0])
			return TUI_HANDLED;
		t->work = rq_find;
		t->work_label = _("Searching");
		return TUI_HANDLED | TUI_WORK;
	}
	return tui_list_key(&q->list, k);
}

static void rq_draw_loaded(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct raqueue *q = s->priv;

	/* The work (in another thread) replaced the rows. */
	if (q->dirty) {
		load_list(q);
		q->dirty = false;
	}
	rq_draw(s, t, y, x, h, w);
}

static int rq_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	/* A decision may have taken one off the queue. */
	return rq_enter(s, t) | TUI_REDRAW;
}

static void rq_leave(struct screen *s, struct tui *t)
{
	struct raqueue *q = s->priv;

	tui_list_free(&q->list);
	free(q->apps);
	free(q);
}

static int rq_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action rq_bar_acts[] = { ACT_SELECT, ACT_RELOAD, ACT_CLEAR, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *rq_bar(struct screen *s) { return rq_bar_acts; }

static const struct screen_ops rq_ops = {
	.name = "ra-queue", .title = rq_title, .enter = rq_enter, .draw = rq_draw_loaded,
	.key = rq_key, .resize = rq_resize, .resume = rq_resume, .leave = rq_leave, .bar = rq_bar,
};

struct screen *screen_ra_queue_new(void)
{
	struct raqueue *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	return tui_screen_new(&rq_ops, q);
}
