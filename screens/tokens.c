/* The token picker: the PKCS#11 tokens of every configured module (and
 * those registered with p11-kit), with label, model, serial, medium and
 * PIN state; modules that did not load are named with the line that
 * named them.  This page owns the qt_p11 handle: the pages above it
 * (PIN, contents, change of PIN) use its tokens while it lives. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qoltanba/atr.h>
#include <qoltanba/pcsc.h>
#include <qoltanba/token.h>
#include "screens/screens.h"
#include "i18n.h"

struct tokpick {
	enum qt_storage wanted;
	qt_p11 *p11;
	qt_err rc;
	char detail[512];
	qt_token **toks;            /* initialised tokens only */
	struct qt_token_info *info;
	size_t n, blank;
	struct tui_list list;
	bool loaded;
};

/* A reader whose name begins the slot description (OpenSC names slots
 * after readers) lends its ATR's medium to the token. */
static void media_from_readers(qt_p11 *p)
{
	struct qt_reader *r = NULL;
	qt_pcsc *pc = NULL;
	size_t nr = 0, i, j;

	if (qt_pcsc_open(&pc) != QT_OK)
		return;
	if (qt_pcsc_list(pc, &r, &nr) == QT_OK) {
		for (i = 0; i < qt_p11_token_count(p); i++) {
			qt_token *t = qt_p11_token(p, i);
			struct qt_token_info ti;

			if (qt_token_info(t, &ti) != QT_OK || ti.medium != QT_STORAGE_UNKNOWN)
				continue;
			for (j = 0; j < nr; j++)
				if (r[j].medium != QT_STORAGE_UNKNOWN && r[j].name[0] != '\0' &&
				    strncmp(ti.slot_description, r[j].name, strlen(r[j].name)) == 0)
					qt_token_set_medium(t, r[j].medium);
		}
	}
	free(r);
	qt_pcsc_close(pc);
	qt_error_clear();
}

static const char *tp_row_text(void *ctx, size_t i, char *buf, size_t size)
{
	struct tokpick *tp = ctx;
	const struct qt_token_info *ti = &tp->info[i];

	snprintf(buf, size, "%s %s %s %s", ti->label, ti->model, ti->serial,
	         qt_medium_label(ti->medium));
	return buf;
}

enum { TC_LABEL, TC_MODEL, TC_SERIAL, TC_MEDIUM, TC_PIN, TC_COUNT };

static void tp_layout(int w, int cw[TC_COUNT])
{
	cw[TC_LABEL] = 14;
	cw[TC_MODEL] = 12;
	cw[TC_SERIAL] = 17;
	cw[TC_MEDIUM] = 15;
	cw[TC_PIN] = w - 58;
	if (cw[TC_PIN] > 20) {
		/* More room: the label, then the model. */
		int extra = cw[TC_PIN] - 20;

		cw[TC_PIN] = 20;
		cw[TC_MODEL] += extra / 3;
		cw[TC_LABEL] += extra - extra / 3;
	}
}

/* The PIN state in a word or two, for the column (the PIN page says it
 * in full). */
static const char *pin_short(const struct qt_token_info *ti)
{
	switch (ti->pin_state) {
	case QT_PIN_OK: return ti->protected_auth_path ? _("on the keypad") : _("ready");
	case QT_PIN_COUNT_LOW: return _("wrong PIN tried");
	case QT_PIN_FINAL_TRY: return _("last try");
	case QT_PIN_LOCKED: return _("LOCKED");
	case QT_PIN_NOT_INITIALIZED: return _("no PIN set");
	}
	return "";
}

static void tp_cells(int y, int x, const int cw[TC_COUNT], const char *const text[TC_COUNT],
                     const enum tui_role role[TC_COUNT], enum tui_role gap)
{
	int i;

	for (i = 0; i < TC_COUNT; i++) {
		tui_put(y, x, cw[i] - 1, text[i], role[i], true);
		tui_put(y, x + cw[i] - 1, 1, "", gap, true);
		x += cw[i];
	}
}

static enum tui_role pin_role(enum qt_pin_state s)
{
	switch (s) {
	case QT_PIN_OK: return R_GOOD;
	case QT_PIN_COUNT_LOW: return R_WARN;
	default: return R_ERROR;
	}
}

static void tp_row_draw(void *ctx, size_t row, int y, int x, int w, bool sel)
{
	struct tokpick *tp = ctx;
	const struct qt_token_info *ti = &tp->info[row];
	const char *text[TC_COUNT];
	enum tui_role role[TC_COUNT], base = sel ? R_SELECTED : R_NORMAL;
	int cw[TC_COUNT], i;

	tp_layout(w, cw);
	text[TC_LABEL] = ti->label;
	text[TC_MODEL] = ti->model;
	text[TC_SERIAL] = ti->serial;
	text[TC_MEDIUM] = ti->medium == QT_STORAGE_UNKNOWN ? "-" : qt_medium_label(ti->medium);
	text[TC_PIN] = pin_short(ti);
	for (i = 0; i < TC_COUNT; i++)
		role[i] = base;
	if (!sel)
		role[TC_PIN] = pin_role(ti->pin_state);
	tp_cells(y, x, cw, text, role, base);
}

static void tp_clear(struct tokpick *tp)
{
	tui_list_free(&tp->list);
	free(tp->toks);
	free(tp->info);
	tp->toks = NULL;
	tp->info = NULL;
	tp->n = tp->blank = 0;
}

/* In the worker thread. */
static int tp_load(struct screen *s, struct tui *t)
{
	struct tokpick *tp = s->priv;
	size_t i, n;

	tp_clear(tp);
	tp->detail[0] = '\0';
	if (!tp->p11)
		tp->rc = qt_p11_open(&tp->p11);
	else
		tp->rc = qt_p11_refresh(tp->p11);
	if (tp->rc != QT_OK) {
		snprintf(tp->detail, sizeof(tp->detail), "%s", qt_error_detail());
		if (!tp->p11)
			goto out;
	}
	media_from_readers(tp->p11);
	n = qt_p11_token_count(tp->p11);
	tp->toks = calloc(n ? n : 1, sizeof(*tp->toks));
	tp->info = calloc(n ? n : 1, sizeof(*tp->info));
	if (!tp->toks || !tp->info) {
		tp->rc = QT_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		qt_token *tk = qt_p11_token(tp->p11, i);

		if (qt_token_info(tk, &tp->info[tp->n]) != QT_OK)
			continue;
		if (!tp->info[tp->n].initialized) {
			tp->blank++;    /* SoftHSM's free slot, a blank card */
			continue;
		}
		tp->toks[tp->n++] = tk;
	}
	/* A stable order, by label then serial (modules list slots in
	 * their own order, which changes as tokens come and go). */
	for (i = 1; i < tp->n; i++) {
		size_t j;

		for (j = i; j > 0 && (strcmp(tp->info[j - 1].label, tp->info[j].label) > 0 ||
		                      (strcmp(tp->info[j - 1].label, tp->info[j].label) == 0 &&
		                       strcmp(tp->info[j - 1].serial, tp->info[j].serial) > 0)); j--) {
			struct qt_token_info ti = tp->info[j];
			qt_token *tk = tp->toks[j];

			tp->info[j] = tp->info[j - 1];
			tp->toks[j] = tp->toks[j - 1];
			tp->info[j - 1] = ti;
			tp->toks[j - 1] = tk;
		}
	}
	if (tui_list_init(&tp->list, tp->n, tp_row_text, tp) < 0)
		tp->rc = QT_ERR_NOMEM;
	tp->list.draw_row = tp_row_draw;
out:
	tp->loaded = true;
	return TUI_REDRAW;
}

static int tp_enter(struct screen *s, struct tui *t)
{
	t->work = tp_load;
	t->work_label = _("Looking for tokens");
	return TUI_WORK;
}

static const char *tp_title(struct screen *s) { return _("Tokens"); }

static void tp_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct tokpick *tp = s->priv;
	int row = y + 1, end = y + h - 1, mw = w - 4, notes = 0;
	char buf[5200];
	size_t i;

	if (!tp->loaded)
		return;
	if (tp->rc != QT_OK) {
		snprintf(buf, sizeof(buf), "%s %s", qt_strerror(tp->rc), tp->detail);
		row += tui_wrap(row, 2, 3, mw, buf, R_ERROR);
	}
	if (tp->p11 && qt_p11_config_problem(tp->p11)[0]) {
		snprintf(buf, sizeof(buf), _("Configuration: %s"), qt_p11_config_problem(tp->p11));
		row += tui_wrap(row, 2, 2, mw, buf, R_WARN);
		notes++;
	}
	for (i = 0; tp->p11 && i < qt_p11_module_count(tp->p11) && row < end - 4; i++) {
		const struct qt_module_info *mi = qt_p11_module(tp->p11, i);

		if (mi->status == QT_OK)
			continue;
		snprintf(buf, sizeof(buf), _("Module %s could not be loaded: %s (from %s)"), mi->path,
		         mi->error, mi->source);
		row += tui_wrap(row, 2, 3, mw, buf, mi->from_p11kit ? R_DIM : R_WARN);
		notes++;
	}
	if (notes)
		row++;
	if (tp->n == 0) {
		row += tui_wrap(row, 2, end - row, mw, _("No PKCS#11 token was found."), R_ERROR);
		if (tp->blank)
			row += tui_wrap(row, 2, end - row, mw,
			                _("Only blank (uninitialised) tokens are connected."), R_NORMAL);
		tui_wrap(row, 2, end - row, mw,
		         _("qoltanba finds tokens through the PKCS#11 module of each medium: "
		           "\"module.kaztoken = /path/to/module.so\" (and so on) in "
		           "~/.config/qoltanba/config, or a module registered with p11-kit. "
		           "Connect the token and press F5/^R."), R_NORMAL);
		return;
	}
	{
		const char *head[TC_COUNT] = { _("Label"), _("Model"), _("Serial"), _("Medium"),
		                               _("PIN state") };
		enum tui_role hr[TC_COUNT];
		int cw[TC_COUNT];

		for (i = 0; i < TC_COUNT; i++)
			hr[i] = R_HEADING;
		tp_layout(mw - 2, cw);
		tp_cells(row++, 4, cw, head, hr, R_NORMAL);
	}
	tui_list_draw(&tp->list, row, 2, end - row + 1, mw);
	(void)t;
	(void)x;
}

static int tp_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct tokpick *tp = s->priv;
	size_t i;

	if (k->act == ACT_RELOAD)
		return tp_enter(s, t) | TUI_HANDLED;
	if (!tp->n)
		return 0;
	i = tui_list_selected(&tp->list);
	if (k->act == ACT_SELECT && i != (size_t)-1) {
		t->push = screen_tokpin_new(tp->toks[i]);
		return TUI_HANDLED | TUI_PUSH;
	}
	if (k->act == ACT_CHANGE_PIN && i != (size_t)-1) {
		t->push = screen_tokchange_new(tp->toks[i], false);
		return TUI_HANDLED | TUI_PUSH;
	}
	return tui_list_key(&tp->list, k);
}

/* Back from a token: its PIN state may have changed. */
static int tp_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct tokpick *tp = s->priv;
	size_t i;

	for (i = 0; i < tp->n; i++)
		qt_token_info(tp->toks[i], &tp->info[i]);
	qt_error_clear();
	return TUI_REDRAW;
}

static void tp_leave(struct screen *s, struct tui *t)
{
	struct tokpick *tp = s->priv;

	tp_clear(tp);
	qt_p11_close(tp->p11);
	free(tp);
}

static const enum tui_action tp_bar_acts[] = { ACT_SELECT, ACT_CHANGE_PIN, ACT_RELOAD, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *tp_bar(struct screen *s) { return tp_bar_acts; }

static const struct screen_ops tp_ops = {
	.name = "tokens", .title = tp_title, .enter = tp_enter, .draw = tp_draw, .key = tp_key,
	.resume = tp_resume, .leave = tp_leave, .bar = tp_bar,
};

struct screen *screen_tokens_new(enum qt_storage wanted)
{
	struct tokpick *tp = calloc(1, sizeof(*tp));
	struct screen *s;

	if (!tp)
		return NULL;
	tp->wanted = wanted;
	s = tui_screen_new(&tp_ops, tp);
	if (!s)
		free(tp);
	return s;
}
