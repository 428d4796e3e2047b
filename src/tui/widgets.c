/* Widgets: menu, filtered list, form fields, progress bar, spinner,
 * status bar.  They draw into the area they are given and never
 * refresh the terminal. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include <openssl/crypto.h>
#include <qoltanba/enroll.h>
#include <qoltanba/password.h>
#include "tui/tui.h"
#include "i18n.h"

/* ---- Menu --------------------------------------------------------------- */

void tui_menu_draw(struct tui_menu *m, int y, int x, int h, int w)
{
	int i;

	/* The high-contrast theme spaces the items with a blank line when
	 * they and a line of hint fit. */
	int step = tui_theme_hc && 2 * m->n + 2 <= h ? 2 : 1, used = step * m->n;

	for (i = 0; i < m->n && i * step < h; i++) {
		char buf[512];
		bool sel = i == m->sel;

		snprintf(buf, sizeof(buf), "%s %d  %s", sel ? tui_glyph_pointer() : " ", i + 1,
		         _(m->items[i]));
		tui_put(y + i * step, x, w, buf, sel ? R_SELECTED : R_NORMAL, true);
		if (m->hints && m->hints[i] && sel)
			tui_wrap(y + used + 1, x + 2, h - used - 1, w - 4, _(m->hints[i]), R_DIM);
	}
}

int tui_menu_key(struct tui_menu *m, const struct tui_key *k)
{
	switch (k->act) {
	case ACT_UP: m->sel = (m->sel + m->n - 1) % m->n; return -1;
	case ACT_DOWN: case ACT_NEXT: m->sel = (m->sel + 1) % m->n; return -1;
	case ACT_PREV: m->sel = (m->sel + m->n - 1) % m->n; return -1;
	case ACT_FIRST: case ACT_PGUP: m->sel = 0; return -1;
	case ACT_LAST: case ACT_PGDN: m->sel = m->n - 1; return -1;
	case ACT_SELECT: return m->sel;
	default: break;
	}
	if (k->code == 0 && k->ch >= '1' && k->ch < '1' + m->n && k->ch <= '9') {
		m->sel = (int)(k->ch - '1');
		return m->sel;
	}
	return -2;
}

/* ---- List with type-to-filter ----------------------------------------- */

static char *fold(const char *s)
{
	wchar_t w[1024];
	size_t n = tui_utf8_to_wcs(s, w, 1024), i;
	char *out = malloc(n * 4 + 1);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++)
		w[i] = (wchar_t)towlower((wint_t)w[i]);
	tui_wcs_to_utf8(w, n, out, n * 4 + 1);
	return out;
}

int tui_list_init(struct tui_list *l, size_t count,
                  const char *(*text)(void *ctx, size_t i, char *buf, size_t size), void *ctx)
{
	size_t i;
	char buf[1024];

	memset(l, 0, sizeof(*l));
	l->count = count;
	l->ctx = ctx;
	l->hay = calloc(count ? count : 1, sizeof(char *));
	l->shown = calloc(count ? count : 1, sizeof(size_t));
	if (!l->hay || !l->shown)
		return -1;
	for (i = 0; i < count; i++) {
		l->hay[i] = fold(text(ctx, i, buf, sizeof(buf)));
		if (!l->hay[i])
			return -1;
	}
	tui_list_refilter(l);
	return 0;
}

void tui_list_update(struct tui_list *l, size_t i,
                     const char *(*text)(void *ctx, size_t i, char *buf, size_t size))
{
	char buf[1024];
	char *h;

	if (i >= l->count)
		return;
	h = fold(text(l->ctx, i, buf, sizeof(buf)));
	if (h) {
		free(l->hay[i]);
		l->hay[i] = h;
	}
}

void tui_list_free(struct tui_list *l)
{
	size_t i;

	if (l->hay)
		for (i = 0; i < l->count; i++)
			free(l->hay[i]);
	free(l->hay);
	free(l->shown);
	l->hay = NULL;
	l->shown = NULL;
	l->count = l->nshown = 0;
}

void tui_list_refilter(struct tui_list *l)
{
	char f[600];
	char *ff;
	size_t i, keep = tui_list_selected(l);

	tui_wcs_to_utf8(l->filter, l->filter_len, f, sizeof(f));
	ff = fold(f);
	l->nshown = 0;
	for (i = 0; i < l->count; i++)
		if (!ff || !*ff || strstr(l->hay[i], ff))
			l->shown[l->nshown++] = i;
	free(ff);
	l->sel = 0;
	/* Keep the same row selected when it still passes. */
	for (i = 0; keep != (size_t)-1 && i < l->nshown; i++)
		if (l->shown[i] == keep) {
			l->sel = i;
			break;
		}
	l->top = 0;
}

size_t tui_list_selected(const struct tui_list *l)
{
	if (!l->shown || l->sel >= l->nshown)
		return (size_t)-1;
	return l->shown[l->sel];
}

void tui_list_draw(struct tui_list *l, int y, int x, int h, int w)
{
	int rows = h - 1, i;
	char buf[1024], f[600];

	if (rows < 1)
		rows = 1;
	l->page = rows;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + (size_t)rows)
		l->top = l->sel - (size_t)rows + 1;
	for (i = 0; i < rows && l->top + (size_t)i < l->nshown; i++) {
		size_t idx = l->top + (size_t)i;
		bool sel = idx == l->sel;

		if (sel)
			tui_put(y + i, x, 2, tui_glyph_pointer(), R_SELECTED, true);
		else
			tui_put(y + i, x, 2, "", R_NORMAL, true);
		l->draw_row(l->ctx, l->shown[idx], y + i, x + 2, w - 2, sel);
	}
	if (l->nshown == 0 && l->count > 0)
		tui_put(y, x + 2, w - 2, _("Nothing matches the filter. Backspace or F8/^U clears it."),
		        R_DIM, false);
	tui_wcs_to_utf8(l->filter, l->filter_len, f, sizeof(f));
	if (l->filter_len)
		snprintf(buf, sizeof(buf), _("Filter: %s_   (%zu of %zu)"), f, l->nshown, l->count);
	else
		snprintf(buf, sizeof(buf), _("Type to filter   (%zu)"), l->count);
	tui_put(y + h - 1, x, w, buf, l->filter_len ? R_HEADING : R_DIM, true);
}

int tui_list_key(struct tui_list *l, const struct tui_key *k)
{
	size_t page = l->page > 1 ? (size_t)l->page - 1 : 1;

	if (tui_key_printable(k)) {
		if (l->filter_len + 1 < sizeof(l->filter) / sizeof(l->filter[0])) {
			l->filter[l->filter_len++] = k->ch;
			l->filter[l->filter_len] = 0;
			tui_list_refilter(l);
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (k->code == KEY_BACKSPACE || (k->code == 0 && (k->ch == 0x7f || k->ch == 8))) {
		if (l->filter_len) {
			l->filter[--l->filter_len] = 0;
			tui_list_refilter(l);
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	switch (k->act) {
	case ACT_CLEAR:
		l->filter_len = 0;
		l->filter[0] = 0;
		tui_list_refilter(l);
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_UP: case ACT_PREV:
		if (l->sel > 0)
			l->sel--;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_DOWN: case ACT_NEXT:
		if (l->sel + 1 < l->nshown)
			l->sel++;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_PGUP:
		l->sel = l->sel > page ? l->sel - page : 0;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_PGDN:
		l->sel += page;
		if (l->sel >= l->nshown)
			l->sel = l->nshown ? l->nshown - 1 : 0;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_FIRST:
		l->sel = 0;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_LAST:
		l->sel = l->nshown ? l->nshown - 1 : 0;
		return TUI_HANDLED | TUI_REDRAW;
	default:
		return 0;
	}
}

/* ---- Forms ------------------------------------------------------------- */

static size_t field_max(const struct tui_field *f)
{
	return f->max && f->max < TUI_FIELD_MAX ? f->max : TUI_FIELD_MAX;
}

static bool is_input(const struct tui_field *f)
{
	return f->kind == TF_TEXT || f->kind == TF_PASSWORD || f->kind == TF_DIGITS ||
	       f->kind == TF_EMAIL;
}

static bool email_ok(const wchar_t *s, size_t n)
{
	size_t at = n, i, dot = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] < 0x21)
			return false;
		if (s[i] == '@') {
			if (at != n)
				return false;
			at = i;
		}
	}
	if (at == 0 || at >= n - 1)
		return false;
	for (i = at + 1; i < n; i++)
		if (s[i] == '.')
			dot = i;
	return dot > at + 1 && dot < n - 1;
}

static void field_validate(struct tui_form *fm, struct tui_field *f)
{
	f->msg = NULL;
	f->msg_ok = false;
	if (f->disabled)
		return;
	if (is_input(f) && f->len == 0) {
		if (f->required)
			f->msg = _("Required");
		return;
	}
	if (f->overflow) {
		static char buf[96];
		snprintf(buf, sizeof(buf), _("Cut at %zu characters"), field_max(f));
		f->msg = buf;
		return;
	}
	if (f->kind == TF_EMAIL && !email_ok(f->text, f->len)) {
		f->msg = _("Not an e-mail address (name@example.kz)");
		return;
	}
	if (f->validate)
		f->msg = f->validate(f, fm->ctx);
}

int tui_form_check(struct tui_form *fm, bool touch_all)
{
	int i, bad = -1;

	for (i = 0; i < fm->n; i++) {
		struct tui_field *f = &fm->fields[i];

		if (touch_all)
			f->touched = true;
		field_validate(fm, f);
		if (f->msg && !f->msg_ok && bad < 0 && !f->overflow)
			bad = i;
	}
	return bad;
}

void tui_field_get(const struct tui_field *f, char *buf, size_t size)
{
	tui_wcs_to_utf8(f->text, f->len, buf, size);
}

void tui_field_set(struct tui_field *f, const char *utf8)
{
	size_t m = field_max(f);

	f->len = tui_utf8_to_wcs(utf8, f->text, m + 1);
	f->cur = f->len;
	f->scroll = 0;
}

void tui_field_wipe(struct tui_field *f)
{
	OPENSSL_cleanse(f->text, sizeof(f->text));
	f->len = f->cur = f->scroll = 0;
}

void tui_form_wipe(struct tui_form *fm)
{
	int i;

	for (i = 0; i < fm->n; i++)
		tui_field_wipe(&fm->fields[i]);
}

static void draw_field(struct tui_form *fm, struct tui_field *f, bool focus, int y, int x, int w)
{
	struct tui *t = tui_current;
	enum tui_role role = f->disabled ? R_DIM : focus ? R_FIELD_FOCUS : R_FIELD;
	char buf[512];

	switch (f->kind) {
	case TF_TICK:
		snprintf(buf, sizeof(buf), "[%s]", f->checked ? "x" : " ");
		tui_put(y, x, 3, buf, role, false);
		if (focus) {
			t->cursor_y = y;
			t->cursor_x = x + 1;
		}
		return;
	case TF_CHOICE:
		snprintf(buf, sizeof(buf), "< %s >", f->nchoices ? _(f->choices[f->choice]) : "");
		tui_put(y, x, w, buf, role, false);
		return;
	case TF_BUTTON:
		snprintf(buf, sizeof(buf), "[ %s ]", _(f->label));
		tui_put(y, x, w, buf, focus ? R_SELECTED : R_HEADING, false);
		return;
	default:
		break;
	}
	{
		wchar_t shown[TUI_FIELD_MAX + 1];
		size_t i, n = f->len;
		int cw = 0;

		for (i = 0; i < n; i++)
			shown[i] = (f->kind == TF_PASSWORD && !f->show) ?
			           (t->utf8 ? 0x2022 : '*') : f->text[i];
		shown[n] = 0;
		/* Scroll so the cursor stays inside. */
		if (f->cur < f->scroll)
			f->scroll = f->cur;
		for (;;) {
			cw = 0;
			for (i = f->scroll; i < f->cur; i++)
				cw += tui_wcwidth(shown[i]);
			if (cw < w - 1 || f->scroll >= f->cur)
				break;
			f->scroll++;
		}
		tui_putw(y, x, w, shown + f->scroll, n - f->scroll, role, true);
		OPENSSL_cleanse(shown, sizeof(shown));
		if (focus) {
			t->cursor_y = y;
			t->cursor_x = x + cw;
		}
	}
	(void)fm;
}

void tui_form_draw(struct tui_form *fm, int y, int x, int h, int w)
{
	int lw = fm->label_w ? fm->label_w : 24, i, row = 0;
	int fw = w - lw - 2 - 32;

	if (fw > 40)
		fw = 40;
	if (fw < 12)
		fw = 12;
	for (i = 0; i < fm->n && row < h; i++, row++) {
		struct tui_field *f = &fm->fields[i];
		bool focus = i == fm->focus;
		int mx = x + lw + 2 + fw + 1;

		if (f->kind == TF_BUTTON) {
			row++;     /* a blank line before the buttons */
			if (row >= h)
				break;
			draw_field(fm, f, focus, y + row, x + lw + 2, w - lw - 2);
			continue;
		}
		tui_put(y + row, x, lw, _(f->label), focus ? R_HEADING : R_NORMAL, true);
		if (focus)
			tui_put(y + row, x + lw, 2, tui_glyph_pointer(), R_HEADING, false);
		draw_field(fm, f, focus, y + row, x + lw + 2,
		           f->kind == TF_TICK ? 3 : f->kind == TF_CHOICE ? w - lw - 2 : fw);
		if (f->kind == TF_TICK)
			mx = x + lw + 2 + 4;
		if (f->msg && (f->touched || f->msg_ok)) {
			char m[300];

			snprintf(m, sizeof(m), "%s %s",
			         f->msg_ok ? (tui_current->utf8 ? "\xe2\x9c\x93" : "ok:")
			                   : (tui_current->utf8 ? "\xe2\x9c\x97" : "!"), f->msg);
			tui_put(y + row, mx, x + w - mx, m, f->msg_ok ? R_GOOD : R_ERROR, false);
		}
	}
}

static void focus_move(struct tui_form *fm, int dir)
{
	int i;

	for (i = 0; i < fm->n; i++) {
		fm->focus = (fm->focus + dir + fm->n) % fm->n;
		if (!fm->fields[fm->focus].disabled)
			return;
	}
}

static int last_input(const struct tui_form *fm)
{
	int i;

	for (i = fm->n - 1; i >= 0; i--)
		if (fm->fields[i].kind != TF_BUTTON && !fm->fields[i].disabled)
			return i;
	return -1;
}

int tui_form_key(struct tui_form *fm, const struct tui_key *k, bool *submit)
{
	struct tui_field *f = &fm->fields[fm->focus];
	int r = TUI_HANDLED | TUI_REDRAW;
	int i;

	*submit = false;
	switch (k->act) {
	case ACT_NEXT: case ACT_DOWN:
		f->touched = f->touched || f->len > 0;
		focus_move(fm, 1);
		return r;
	case ACT_PREV: case ACT_UP:
		focus_move(fm, -1);
		return r;
	case ACT_SUBMIT:
		*submit = true;
		return r;
	case ACT_SHOW_SECRET:
		for (i = 0; i < fm->n; i++)
			if (fm->fields[i].kind == TF_PASSWORD)
				fm->fields[i].show = !fm->fields[i].show;
		return r;
	case ACT_SELECT:
		if (f->kind == TF_BUTTON || fm->focus == last_input(fm)) {
			*submit = true;
		} else {
			f->touched = f->touched || f->len > 0;
			focus_move(fm, 1);
		}
		return r;
	case ACT_CLEAR:
		if (is_input(f)) {
			tui_field_wipe(f);
			f->overflow = false;
			field_validate(fm, f);
		}
		return r;
	case ACT_FIRST:
		f->cur = 0;
		return r;
	case ACT_LAST:
		f->cur = f->len;
		return r;
	default:
		break;
	}
	if (f->kind == TF_TICK) {
		if (k->code == 0 && k->ch == ' ') {
			f->checked = !f->checked;
			f->touched = true;
			field_validate(fm, f);
			return r;
		}
		return 0;
	}
	if (f->kind == TF_CHOICE) {
		if (k->code == KEY_RIGHT || (k->code == 0 && k->ch == ' ')) {
			f->choice = (f->choice + 1) % f->nchoices;
		} else if (k->code == KEY_LEFT) {
			f->choice = (f->choice + f->nchoices - 1) % f->nchoices;
		} else {
			return 0;
		}
		f->touched = true;
		field_validate(fm, f);
		return r;
	}
	if (!is_input(f))
		return 0;
	if (k->code == KEY_LEFT) {
		if (f->cur > 0)
			f->cur--;
		return r;
	}
	if (k->code == KEY_RIGHT) {
		if (f->cur < f->len)
			f->cur++;
		return r;
	}
	if (k->code == KEY_BACKSPACE || (k->code == 0 && (k->ch == 0x7f || k->ch == 8))) {
		if (f->cur > 0) {
			memmove(f->text + f->cur - 1, f->text + f->cur,
			        (f->len - f->cur) * sizeof(wchar_t));
			f->len--;
			f->cur--;
			f->text[f->len] = 0;
		}
		f->overflow = false;
		f->touched = true;
		field_validate(fm, f);
		return r;
	}
	if (k->code == KEY_DC) {
		if (f->cur < f->len) {
			memmove(f->text + f->cur, f->text + f->cur + 1,
			        (f->len - f->cur - 1) * sizeof(wchar_t));
			f->len--;
			f->text[f->len] = 0;
		}
		f->touched = true;
		field_validate(fm, f);
		return r;
	}
	if (tui_key_printable(k)) {
		if (f->kind == TF_DIGITS && (k->ch < '0' || k->ch > '9')) {
			f->touched = true;
			f->msg = _("Digits only");
			return r;
		}
		if (f->len >= field_max(f)) {
			/* A long paste: the rest is dropped, and we say so. */
			f->overflow = true;
			f->touched = true;
			field_validate(fm, f);
			return r;
		}
		memmove(f->text + f->cur + 1, f->text + f->cur, (f->len - f->cur) * sizeof(wchar_t));
		f->text[f->cur++] = k->ch;
		f->len++;
		f->text[f->len] = 0;
		f->touched = true;
		field_validate(fm, f);
		return r;
	}
	return 0;
}

/* ---- Progress and spinner ----------------------------------------------- */

void tui_progress_draw(int y, int x, int w, double fraction, const char *label)
{
	int lw = label ? tui_width(label) + 1 : 0, bw = w - lw - 7, full, i;
	char pct[16];

	if (fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	if (label)
		tui_put(y, x, lw, label, R_NORMAL, true);
	if (bw < 4)
		return;
	full = (int)(fraction * bw + 0.5);
	tui_put(y, x + lw, 1, "[", R_NORMAL, false);
	for (i = 0; i < bw; i++) {
		if (i < full)
			tui_put(y, x + lw + 1 + i, 1, tui_current->utf8 ? "\xe2\x96\x88" : "#", R_GOOD, false);
		else
			tui_put(y, x + lw + 1 + i, 1, tui_current->utf8 ? "\xc2\xb7" : ".", R_DIM, false);
	}
	tui_put(y, x + lw + 1 + bw, 1, "]", R_NORMAL, false);
	snprintf(pct, sizeof(pct), "%3d%%", (int)(fraction * 100 + 0.5));
	tui_put(y, x + lw + bw + 3, 4, pct, R_NORMAL, false);
}

const char *tui_spinner_glyph(int tick)
{
	static const char *const u[] = { "\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9",
	                                 "\xe2\xa0\xb8", "\xe2\xa0\xbc", "\xe2\xa0\xb4",
	                                 "\xe2\xa0\xa6", "\xe2\xa0\xa7" };
	static const char *const a[] = { "|", "/", "-", "\\" };

	if (tick < 0)
		tick = 0;
	return tui_current->utf8 ? u[tick % 8] : a[tick % 4];
}

void tui_cells(int y, int x, int n, const int *cw, const char *const *text,
               const enum tui_role *role, enum tui_role gap)
{
	for (int i = 0; i < n; i++) {
		if (cw[i] <= 0)
			continue;
		tui_put(y, x, cw[i] - 1, text[i], role[i], true);
		tui_put(y, x + cw[i] - 1, 1, "", gap, true);
		x += cw[i];
	}
}

const char *tui_email_check(struct tui_field *f, void *ctx)
{
	char buf[TUI_FIELD_MAX * 4 + 1];

	(void)ctx;
	tui_field_get(f, buf, sizeof(buf));
	if (qt_email_check(buf) != QT_OK)
		return _("Not an e-mail address");
	f->msg_ok = true;
	return _("Looks right");
}

/* ---- Status bar ---------------------------------------------------------- */

void tui_status_draw(struct tui *t, const enum tui_action *acts)
{
	enum tui_action all[24];
	char keys[24][32];
	int kw[24], lw[24];
	const char *labels[24];
	int n = 0, i, x = 0, y = LINES - 1, total = 0;

	/* Help first and Quit last, like mc; the page's own actions in
	 * between, dropped from the end when the line is too short. */
	all[n++] = ACT_HELP;
	for (i = 0; acts && acts[i] != ACT_NONE && n < 22; i++)
		all[n++] = acts[i];
	/* A locked kiosk has no Quit. */
	if (!tui_kiosk_locked())
		all[n++] = ACT_QUIT;
	for (i = 0; i < n; i++) {
		const struct tui_action_def *d = tui_action_def(all[i]);

		if (d->fkey && d->ctrl)
			snprintf(keys[i], sizeof(keys[i]), "F%d/^%c", d->fkey, d->ctrl);
		else if (d->fkey && d->other_name)
			snprintf(keys[i], sizeof(keys[i]), "F%d/%s", d->fkey, d->other_name);
		else
			tui_action_keys(d, keys[i], sizeof(keys[i]));
		kw[i] = tui_width(keys[i]);
		labels[i] = _(d->label);
		if (t && t->bar_owner && t->bar_owner->ops->bar_label) {
			const char *l = t->bar_owner->ops->bar_label(t->bar_owner, all[i]);

			if (l)
				labels[i] = l;
		}
		lw[i] = tui_width(labels[i]);
		total += kw[i] + lw[i] + 3;
	}
	while (total > COLS && n > 2 && tui_kiosk_locked()) {
		n--;
		total -= kw[n] + lw[n] + 3;
	}
	/* Too long (Russian and Kazakh labels, a page with many actions):
	 * Back shows only Esc, which every terminal sends; then the page's
	 * actions are dropped from the end, Back last.  The help page lists
	 * them all. */
	for (i = 0; total > COLS && i < n; i++)
		if (all[i] == ACT_BACK && strcmp(keys[i], "Esc") != 0) {
			total -= kw[i] - 3;
			snprintf(keys[i], sizeof(keys[i]), "Esc");
			kw[i] = 3;
		}
	for (int pass = 0; pass < 2; pass++) {
		while (total > COLS && n > 2) {
			int j = n - 2;

			while (pass == 0 && j > 0 && all[j] == ACT_BACK)
				j--;
			if (j < 1)
				break;
			total -= kw[j] + lw[j] + 3;
			for (i = j; i < n - 1; i++) {
				all[i] = all[i + 1];
				memcpy(keys[i], keys[i + 1], sizeof(keys[0]));
				labels[i] = labels[i + 1];
				kw[i] = kw[i + 1];
				lw[i] = lw[i + 1];
			}
			n--;
		}
	}
	tui_put(y, 0, COLS, "", R_BAR, true);
	for (i = 0; i < n; i++) {
		tui_put(y, x, kw[i], keys[i], R_KEY, false);
		tui_put(y, x + kw[i] + 1, lw[i] + 1, labels[i], R_BAR, true);
		x += kw[i] + lw[i] + 3;
	}
}

const char *tui_password_rule(struct tui_field *f, char *rule, size_t size)
{
	char pw[TUI_FIELD_MAX * 4 + 1];
	qt_err rc;
	size_t i;

	tui_field_get(f, pw, sizeof(pw));
	rc = qt_password_check(pw);
	OPENSSL_cleanse(pw, sizeof(pw));
	switch (rc) {
	case QT_OK:
		f->msg_ok = true;
		return _("Meets the policy");
	case QT_ERR_PASSWORD_SHORT:
		snprintf(rule, size, _("Too short: %zu of at least %d"), f->len, QT_PASSWORD_MIN);
		return rule;
	case QT_ERR_PASSWORD_LONG:
		snprintf(rule, size, _("Too long: at most %d characters"), QT_PASSWORD_MAX);
		return rule;
	case QT_ERR_PASSWORD_NO_LETTER:
		return _("Needs a Latin letter");
	case QT_ERR_PASSWORD_NO_DIGIT:
		return _("Needs a digit");
	case QT_ERR_PASSWORD_CHAR:
		for (i = 0; i < f->len; i++) {
			wchar_t c = f->text[i];

			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    (c < 0x80 && c != 0 && strchr(QT_PASSWORD_SPECIALS, (int)c)))
				continue;
			if (c >= 0x80)
				snprintf(rule, size, _("Character %zu is not Latin"), i + 1);
			else if (c == ' ')
				snprintf(rule, size, _("Character %zu is a space"), i + 1);
			else
				snprintf(rule, size, _("Character %zu (%c) not allowed"), i + 1, (int)c);
			return rule;
		}
		snprintf(rule, size, "%s", qt_error_detail());
		return rule;
	default:
		return qt_strerror(rc);
	}
}
