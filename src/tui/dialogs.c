/* Screens that belong to the framework: the modal dialog, the help
 * screen (made from the action table) and the folder picker. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/tui.h"
#include "i18n.h"

/* ---- Modal dialog ---------------------------------------------------------- */

struct dialog {
	char title[256];
	char text[2048];
	const char *buttons[4];
	int n, sel, tag;
};

static const char *dialog_title(struct screen *s) { return ((struct dialog *)s->priv)->title; }

static void dialog_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct dialog *d = s->priv;
	int dw = w - 10 > 64 ? 64 : w - 10, dh, lines, by, bx, i, bxw = 0;

	lines = tui_wrap_count(dw - 4, d->text);
	dh = lines + 4;
	if (dh > h - 2)
		dh = h - 2;
	by = y + (h - dh) / 2;
	bx = x + (w - dw) / 2;
	tui_fill(by, bx, dh, dw, R_NORMAL);
	tui_box(by, bx, dh, dw, d->title, R_FRAME);
	tui_wrap(by + 1, bx + 2, dh - 3, dw - 4, d->text, R_NORMAL);
	for (i = 0; i < d->n; i++)
		bxw += tui_width(_(d->buttons[i])) + 5;
	bx = bx + (dw - bxw) / 2;
	for (i = 0; i < d->n; i++) {
		char b[128];
		snprintf(b, sizeof(b), "[ %s ]", _(d->buttons[i]));
		bx += tui_put(by + dh - 2, bx, dw, b, i == d->sel ? R_SELECTED : R_NORMAL, false) + 1;
	}
	(void)t;
}

static int dialog_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct dialog *d = s->priv;

	if (k->act == ACT_NEXT || k->code == KEY_RIGHT || k->act == ACT_DOWN) {
		d->sel = (d->sel + 1) % d->n;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (k->act == ACT_PREV || k->code == KEY_LEFT || k->act == ACT_UP) {
		d->sel = (d->sel + d->n - 1) % d->n;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (k->act == ACT_SELECT || k->act == ACT_SUBMIT) {
		t->result.code = d->sel + 1;
		t->result.tag = d->tag;
		t->result.text[0] = '\0';
		t->has_result = true;
		return TUI_HANDLED | TUI_POP;
	}
	if (k->act == ACT_BACK) {
		t->result.code = 0;
		t->result.tag = d->tag;
		t->has_result = true;
		return TUI_HANDLED | TUI_POP;
	}
	/* Everything else (help, quit) goes to the loop. */
	return k->act == ACT_HELP || k->act == ACT_QUIT ? 0 : TUI_HANDLED;
}

static void dialog_leave(struct screen *s, struct tui *t) { free(s->priv); }

static const enum tui_action dialog_bar_acts[] = { ACT_SELECT, ACT_BACK, ACT_NONE };
static const enum tui_action *dialog_bar(struct screen *s) { return dialog_bar_acts; }

static const struct screen_ops dialog_ops = {
	.name = "dialog", .modal = true, .title = dialog_title, .draw = dialog_draw,
	.key = dialog_key, .leave = dialog_leave, .bar = dialog_bar,
};

struct screen *tui_dialog_new(const char *title, const char *text,
                              const char *const *buttons, int nbuttons, int tag)
{
	static const char *const ok[] = { N_("OK") };
	struct dialog *d = calloc(1, sizeof(*d));
	int i;

	if (!d)
		return NULL;
	snprintf(d->title, sizeof(d->title), "%s", title);
	snprintf(d->text, sizeof(d->text), "%s", text);
	if (!buttons || nbuttons < 1) {
		buttons = ok;
		nbuttons = 1;
	}
	for (i = 0; i < nbuttons && i < 4; i++)
		d->buttons[i] = buttons[i];
	d->n = i;
	d->tag = tag;
	return tui_screen_new(&dialog_ops, d);
}

/* ---- Password prompt ---------------------------------------------------------- */

struct askpass {
	char title[256];
	char text[1024];
	struct tui_field fields[2];
	struct tui_form form;
	int tag;
};

static const char *askpass_title(struct screen *s) { return ((struct askpass *)s->priv)->title; }

static void askpass_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct askpass *a = s->priv;
	int dw = w - 10 > 70 ? 70 : w - 10, lines = tui_wrap_count(dw - 4, a->text);
	int dh = lines + 7, by = y + (h - dh) / 2, bx = x + (w - dw) / 2;

	tui_fill(by, bx, dh, dw, R_NORMAL);
	tui_box(by, bx, dh, dw, a->title, R_FRAME);
	tui_wrap(by + 1, bx + 2, lines, dw - 4, a->text, R_NORMAL);
	tui_form_draw(&a->form, by + lines + 2, bx + 2, 3, dw - 4);
	(void)t;
}

static int askpass_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct askpass *a = s->priv;
	bool submit;
	int r;

	if (k->act == ACT_BACK) {
		t->result.code = 0;
		t->result.tag = a->tag;
		t->has_result = true;
		return TUI_HANDLED | TUI_POP;
	}
	r = tui_form_key(&a->form, k, &submit);
	if (submit) {
		t->result.code = 1;
		t->result.tag = a->tag;
		tui_field_get(&a->fields[0], t->result.text, sizeof(t->result.text));
		t->has_result = true;
		return TUI_HANDLED | TUI_POP;
	}
	return r ? r : (k->act == ACT_HELP || k->act == ACT_QUIT ? 0 : TUI_HANDLED);
}

static void askpass_leave(struct screen *s, struct tui *t)
{
	struct askpass *a = s->priv;

	tui_form_wipe(&a->form);
	free(a);
}

static const enum tui_action askpass_bar_acts[] = { ACT_SUBMIT, ACT_SHOW_SECRET, ACT_BACK,
                                                    ACT_NONE };
static const enum tui_action *askpass_bar(struct screen *s) { return askpass_bar_acts; }

static const struct screen_ops askpass_ops = {
	.name = "password", .modal = true, .title = askpass_title, .draw = askpass_draw,
	.key = askpass_key, .leave = askpass_leave, .bar = askpass_bar,
};

struct screen *tui_password_dialog_new(const char *title, const char *text, int tag)
{
	struct askpass *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	snprintf(a->title, sizeof(a->title), "%s", title);
	snprintf(a->text, sizeof(a->text), "%s", text);
	a->fields[0].kind = TF_PASSWORD;
	a->fields[0].label = N_("Password");
	a->fields[0].max = 64;
	a->fields[1].kind = TF_BUTTON;
	a->fields[1].label = N_("OK");
	a->form.fields = a->fields;
	a->form.n = 2;
	a->form.label_w = 12;
	a->tag = tag;
	return tui_screen_new(&askpass_ops, a);
}

/* ---- Help ------------------------------------------------------------------- */

struct help { int top; };

static const char *help_title(struct screen *s) { return _("Help: keys"); }

static void help_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct help *hp = s->priv;
	const struct tui_action_def *d;
	int row = 0, i = 0;

	row += tui_wrap(y + row, 2, 3, w - 4,
	                _("Every command has a function key and a Ctrl key (^X is Ctrl+X), "
	                  "because function keys do not always pass through PuTTY or screen. "
	                  "In lists, typing filters the list; in forms, it fills the field."),
	                R_NORMAL);
	row++;
	for (d = tui_actions; d->name != NULL; d++, i++) {
		char keys[64];

		if (i < hp->top)
			continue;
		if (row >= h)
			break;
		tui_action_keys(d, keys, sizeof(keys));
		tui_put(y + row, 2, 18, keys, R_HEADING, true);
		tui_put(y + row, 20, w - 22, _(d->help), R_NORMAL, false);
		row++;
	}
	(void)t;
	(void)x;
}

static int help_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct help *hp = s->priv;

	if (k->act == ACT_DOWN || k->act == ACT_PGDN) {
		if (hp->top + 1 < ACT_COUNT - 1)
			hp->top++;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (k->act == ACT_UP || k->act == ACT_PGUP) {
		if (hp->top > 0)
			hp->top--;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (k->act == ACT_SELECT || k->act == ACT_HELP)
		return TUI_HANDLED | TUI_POP;
	return 0;
}

static void help_leave(struct screen *s, struct tui *t) { free(s->priv); }

static const enum tui_action help_bar_acts[] = { ACT_BACK, ACT_NONE };
static const enum tui_action *help_bar(struct screen *s) { return help_bar_acts; }

static const struct screen_ops help_ops = {
	.name = "help", .title = help_title, .draw = help_draw, .key = help_key,
	.leave = help_leave, .bar = help_bar,
};

struct screen *tui_help_new(void)
{
	struct help *hp = calloc(1, sizeof(*hp));

	return hp ? tui_screen_new(&help_ops, hp) : NULL;
}

/* ---- Folder picker ----------------------------------------------------------- */

struct picker {
	char dir[PATH_MAX];
	char **names;        /* sub-folders; names[0] is ".." */
	size_t n;
	size_t keyfiles;     /* .p12/.pfx files in dir */
	struct tui_list list;
	char error[512];
	int tag;
};

static const char *picker_text(void *ctx, size_t i, char *buf, size_t size)
{
	struct picker *p = ctx;
	return p->names[i];
}

static void picker_row(void *ctx, size_t row, int y, int x, int w, bool sel)
{
	struct picker *p = ctx;
	char buf[PATH_MAX + 128];
	struct stat st;

	if (!p->dir[0] && (stat(p->names[row], &st) != 0 || !S_ISDIR(st.st_mode)))
		/* The kiosk's roots: one that is not there is shown so. */
		snprintf(buf, sizeof(buf), "%s/  %s", p->names[row], _("(not available)"));
	else
		snprintf(buf, sizeof(buf), "%s/", p->names[row]);
	tui_put(y, x, w, buf, sel ? R_SELECTED : R_NORMAL, true);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void picker_free_names(struct picker *p)
{
	size_t i;

	tui_list_free(&p->list);
	for (i = 0; i < p->n; i++)
		free(p->names[i]);
	free(p->names);
	p->names = NULL;
	p->n = 0;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcasecmp(s + a - b, suf) == 0;
}

static void picker_load(struct picker *p)
{
	DIR *d;
	struct dirent *e;
	size_t cap = 64;

	picker_free_names(p);
	p->error[0] = '\0';
	p->keyfiles = 0;
	p->names = calloc(cap, sizeof(char *));
	if (!p->names)
		return;
	if (!p->dir[0]) {
		/* The kiosk's roots (dir ""): the top of what can be chosen. */
		int i;

		for (i = 0; i < tui_kiosk.nroots && (size_t)i < cap; i++)
			if ((p->names[p->n] = strdup(tui_kiosk.roots[i])) != NULL)
				p->n++;
		tui_list_init(&p->list, p->n, picker_text, p);
		p->list.draw_row = picker_row;
		return;
	}
	p->names[p->n++] = strdup("..");
	d = opendir(p->dir);
	if (!d) {
		snprintf(p->error, sizeof(p->error), _("Cannot read this folder: %s"), strerror(errno));
	} else {
		while ((e = readdir(d)) != NULL) {
			struct stat st;
			char full[PATH_MAX * 2];

			if (e->d_name[0] == '.')
				continue;
			snprintf(full, sizeof(full), "%s/%s", p->dir, e->d_name);
			if (stat(full, &st) != 0)
				continue;
			if (!S_ISDIR(st.st_mode)) {
				if (has_suffix(e->d_name, ".p12") || has_suffix(e->d_name, ".pfx"))
					p->keyfiles++;
				continue;
			}
			if (p->n == cap) {
				char **nn = realloc(p->names, cap * 2 * sizeof(char *));
				if (!nn)
					break;
				p->names = nn;
				cap *= 2;
			}
			p->names[p->n] = strdup(e->d_name);
			if (p->names[p->n])
				p->n++;
		}
		closedir(d);
	}
	qsort(p->names + 1, p->n - 1, sizeof(char *), cmp_names);
	tui_list_init(&p->list, p->n, picker_text, p);
	p->list.draw_row = picker_row;
}

static const char *picker_title(struct screen *s) { return _("Choose a folder"); }

static void picker_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct picker *p = s->priv;
	char buf[PATH_MAX + 128];

	tui_putf(y + 1, 2, w - 4, R_HEADING, "%s", p->dir[0] ? p->dir : _("Removable media"));
	if (p->error[0])
		tui_put(y + 2, 2, w - 4, p->error, R_ERROR, false);
	else if (!p->dir[0])
		tui_put(y + 2, 2, w - 4, _("Choose the media with the arrows and Enter."), R_DIM, false);
	else {
		snprintf(buf, sizeof(buf),
		         dngettext(PACKAGE, "%zu key file here. Enter opens a folder; F2/^O chooses this one.",
		                  "%zu key files here. Enter opens a folder; F2/^O chooses this one.",
		                  p->keyfiles), p->keyfiles);
		tui_put(y + 2, 2, w - 4, buf, R_DIM, false);
	}
	tui_list_draw(&p->list, y + 4, 2, h - 5, w - 4);
	(void)t;
}

static void picker_go(struct picker *p, const char *name)
{
	char next[PATH_MAX * 2 + 2];
	char *real;

	if (!p->dir[0]) {
		/* A kiosk root. */
		struct stat st;

		if (stat(name, &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(p->error, sizeof(p->error), _("%s is not available: is the media "
			                                       "inserted?"), name);
			return;
		}
		real = realpath(name, NULL);
		if (real && strlen(real) < sizeof(p->dir))
			memcpy(p->dir, real, strlen(real) + 1);
		free(real);
		picker_load(p);
		return;
	}
	if (strcmp(name, "..") == 0) {
		char *slash = strrchr(p->dir, '/');
		if (slash && slash != p->dir)
			*slash = '\0';
		else
			snprintf(p->dir, sizeof(p->dir), "/");
		/* Above a kiosk root: the list of roots. */
		if (tui_kiosk.on && tui_kiosk_root_of(p->dir) < 0)
			p->dir[0] = '\0';
		picker_load(p);
		return;
	}
	snprintf(next, sizeof(next), "%s%s%s", p->dir,
	         p->dir[strlen(p->dir) - 1] == '/' ? "" : "/", name);
	real = realpath(next, NULL);
	if (real && tui_kiosk.on && tui_kiosk_root_of(real) < 0) {
		/* A symlink out of the media. */
		free(real);
		snprintf(p->error, sizeof(p->error), _("Only folders on %s can be used here."),
		         tui_kiosk_roots_text());
		return;
	}
	if (real && strlen(real) < sizeof(p->dir))
		memcpy(p->dir, real, strlen(real) + 1);
	free(real);
	picker_load(p);
}

static int picker_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct picker *p = s->priv;
	int r;

	if (k->act == ACT_SELECT) {
		size_t i = tui_list_selected(&p->list);
		if (i != (size_t)-1)
			picker_go(p, p->names[i]);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (k->act == ACT_SUBMIT) {
		if (!p->dir[0]) {
			snprintf(p->error, sizeof(p->error), "%s",
			         _("Open one of the media first (Enter), then choose a folder on it."));
			return TUI_HANDLED | TUI_REDRAW;
		}
		t->result.code = 1;
		t->result.tag = p->tag;
		snprintf(t->result.text, sizeof(t->result.text), "%s", p->dir);
		t->has_result = true;
		return TUI_HANDLED | TUI_POP;
	}
	if (k->act == ACT_BACK) {
		t->result.code = 0;
		t->result.tag = p->tag;
		t->has_result = true;
		return TUI_HANDLED | TUI_POP;
	}
	if ((k->code == KEY_BACKSPACE || (k->code == 0 && (k->ch == 0x7f || k->ch == 8))) &&
	    p->list.filter_len == 0 && p->dir[0]) {
		picker_go(p, "..");
		return TUI_HANDLED | TUI_REDRAW;
	}
	r = tui_list_key(&p->list, k);
	return r;
}

static void picker_leave(struct screen *s, struct tui *t)
{
	struct picker *p = s->priv;

	picker_free_names(p);
	free(p);
}

static int picker_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action picker_bar_acts[] = { ACT_SELECT, ACT_SUBMIT, ACT_BACK, ACT_NONE };
static const enum tui_action *picker_bar(struct screen *s) { return picker_bar_acts; }

static const struct screen_ops picker_ops = {
	.name = "folder-picker", .title = picker_title, .draw = picker_draw,
	.key = picker_key, .leave = picker_leave, .resize = picker_resize, .bar = picker_bar,
};

struct screen *tui_folder_picker_new(const char *start, int tag)
{
	struct picker *p = calloc(1, sizeof(*p));
	char *real;

	if (!p)
		return NULL;
	real = realpath(start && *start ? start : ".", NULL);
	snprintf(p->dir, sizeof(p->dir), "%s", real ? real : "/");
	/* In a kiosk, outside the roots: start at the list of roots. */
	if (tui_kiosk.on && (!real || tui_kiosk_root_of(real) < 0))
		p->dir[0] = '\0';
	free(real);
	p->tag = tag;
	picker_load(p);
	return tui_screen_new(&picker_ops, p);
}
