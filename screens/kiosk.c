/* The kiosk's pages (doc/kiosk.md): its Home (the applicant's pages
 * only: apply, status and installation, and the language), the operator
 * unlock, and the operator's page (the full interface, lock again, quit).
 * The operator's page locks the kiosk again whenever it is left. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include "screens/screens.h"
#include "screens/enroll.h"
#include "i18n.h"

/* ---- Home ----------------------------------------------------------------- */

enum { K_OBTAIN, K_STATUS, K_LANG, K_OPERATOR, K_COUNT };
enum { TAG_UNLOCK = 1 };

static const char *const k_items[K_COUNT] = {
	N_("Obtain DS keys"),
	N_("Check request status and install certificates"),
	N_("Language: English / Русский / Қазақша"),
	N_("Operator"),
};

static const char *const k_hints[K_COUNT] = {
	N_("Apply for new keys: the keys are made on your removable media or token, and the "
	   "request goes to the NCA."),
	N_("See what became of an application, by its number, and install the certificates."),
	N_("Switch the language of these pages (English, Russian, Kazakh)."),
	N_("For the staff of this kiosk: unlock with the operator code."),
};

struct khome {
	struct tui_menu menu;
};

static const char *kh_title(struct screen *s) { return _("Kiosk"); }

static void kh_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct khome *k = s->priv;
	int mw = w - 8 > 70 ? 70 : w - 8;

	tui_put(y + 1, 4, mw, _("NCA RK digital-signature keys"), R_HEADING, false);
	tui_wrap(y + 2, 4, 2, mw, _("Choose with the arrows and Enter, or press the number."),
	         R_DIM);
	tui_menu_draw(&k->menu, y + 5, 4, h - 6, mw);
	(void)t;
	(void)x;
}

static int kh_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	static const char *const langs[] = { "en", "ru", "kk" };
	struct khome *hm = s->priv;
	int c, i;

	/* Esc, Quit and Back do nothing here: the way out is the operator's. */
	if (k->act == ACT_BACK || k->act == ACT_QUIT) {
		snprintf(t->message, sizeof(t->message), "%s",
		         _("This is a kiosk: the operator can unlock it (menu item 4)."));
		return TUI_HANDLED | TUI_REDRAW;
	}
	c = tui_menu_key(&hm->menu, k);
	if (c == -2)
		return 0;
	if (c == -1)
		return TUI_HANDLED | TUI_REDRAW;
	switch (c) {
	case K_OBTAIN:
		t->push = screen_apply_section_new();
		return TUI_HANDLED | TUI_PUSH;
	case K_STATUS:
		t->push = screen_status_new(NULL);
		return TUI_HANDLED | TUI_PUSH;
	case K_LANG:
		/* This run only: a kiosk does not write the user's settings. */
		for (i = 0; i < 3; i++)
			if (strcmp(enr_lang(), langs[i]) == 0)
				break;
		i = (i + 1) % 3;
		snprintf(tui_cfg.language, sizeof(tui_cfg.language), "%s", langs[i]);
		tui_set_language(langs[i]);
		return TUI_HANDLED | TUI_REDRAW;
	case K_OPERATOR:
		t->push = screen_kiosk_unlock_new(TAG_UNLOCK);
		return TUI_HANDLED | TUI_PUSH;
	}
	return TUI_HANDLED;
}

static int kh_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	if (r->tag == TAG_UNLOCK && r->code == 1 && !tui_kiosk_locked()) {
		t->push = screen_kiosk_operator_new();
		return TUI_PUSH;
	}
	return TUI_REDRAW;
}

static void kh_leave(struct screen *s, struct tui *t) { free(s->priv); }

static const enum tui_action kh_bar_acts[] = { ACT_SELECT, ACT_NONE };
static const enum tui_action *kh_bar(struct screen *s) { return kh_bar_acts; }

static const struct screen_ops kh_ops = {
	.name = "kiosk", .title = kh_title, .draw = kh_draw, .key = kh_key,
	.resume = kh_resume, .leave = kh_leave, .bar = kh_bar,
};

struct screen *screen_kiosk_new(void)
{
	struct khome *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->menu.items = k_items;
	k->menu.hints = k_hints;
	k->menu.n = K_COUNT;
	return tui_screen_new(&kh_ops, k);
}

/* ---- Unlock ------------------------------------------------------------------ */

struct unlock {
	struct tui_field fields[2];
	struct tui_form form;
	char note[256];
	bool note_error;
	int tag;
};

static const char *ul_title(struct screen *s) { return _("Operator"); }

static void ul_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct unlock *u = s->priv;
	int mw = w - 8 > 70 ? 70 : w - 8;

	tui_wrap(y + 1, 4, 3, mw, _("Type the operator code and press Enter. Esc goes back to "
	                            "the kiosk."), R_NORMAL);
	tui_form_draw(&u->form, y + 4, 4, 3, mw);
	if (u->note[0])
		tui_wrap(y + 8, 4, 3, mw, u->note, u->note_error ? R_ERROR : R_NORMAL);
	(void)t;
	(void)x;
	(void)h;
}

static int ul_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct unlock *u = s->priv;
	char code[TUI_FIELD_MAX * 4 + 1];
	bool submit = false;
	int r, wait, got;

	if (k->act == ACT_BACK) {
		t->result.code = 0;
		t->result.tag = u->tag;
		t->has_result = true;
		return TUI_HANDLED | TUI_POP;
	}
	if (k->act == ACT_QUIT)
		return TUI_HANDLED;
	r = tui_form_key(&u->form, k, &submit);
	if (!submit)
		return r ? r : (k->act == ACT_HELP ? 0 : TUI_HANDLED);
	tui_field_get(&u->fields[0], code, sizeof(code));
	got = tui_kiosk_try_code(code, &wait);
	OPENSSL_cleanse(code, sizeof(code));
	tui_field_wipe(&u->fields[0]);
	u->form.focus = 0;
	if (got == 0) {
		t->result.code = 1;
		t->result.tag = u->tag;
		t->has_result = true;
		return TUI_HANDLED | TUI_POP;
	}
	u->note_error = true;
	if (got == 1)
		snprintf(u->note, sizeof(u->note), "%s", _("Wrong code."));
	else
		snprintf(u->note, sizeof(u->note),
		         dngettext(PACKAGE, "Too many wrong codes: the next try is possible in %d second.",
		                   "Too many wrong codes: the next try is possible in %d seconds.",
		                   (unsigned long)wait), wait);
	return TUI_HANDLED | TUI_REDRAW;
}

static void ul_leave(struct screen *s, struct tui *t)
{
	struct unlock *u = s->priv;

	tui_form_wipe(&u->form);
	free(u);
}

static const enum tui_action ul_bar_acts[] = { ACT_SUBMIT, ACT_SHOW_SECRET, ACT_BACK, ACT_NONE };
static const enum tui_action *ul_bar(struct screen *s) { return ul_bar_acts; }

static const struct screen_ops ul_ops = {
	.name = "kiosk-unlock", .title = ul_title, .draw = ul_draw, .key = ul_key,
	.leave = ul_leave, .bar = ul_bar,
};

struct screen *screen_kiosk_unlock_new(int tag)
{
	struct unlock *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->fields[0].kind = TF_PASSWORD;
	u->fields[0].label = N_("Operator code");
	u->fields[0].max = 64;
	u->fields[1].kind = TF_BUTTON;
	u->fields[1].label = N_("Unlock");
	u->form.fields = u->fields;
	u->form.n = 2;
	u->form.label_w = 16;
	u->tag = tag;
	return tui_screen_new(&ul_ops, u);
}

/* ---- The operator's page ------------------------------------------------------ */

enum { O_FULL, O_LOCK, O_QUIT, O_COUNT };

static const char *const o_items[O_COUNT] = {
	N_("Full interface"),
	N_("Lock the kiosk again"),
	N_("Quit qoltanba"),
};

static const char *const o_hints[O_COUNT] = {
	N_("Every page of qoltanba, as outside the kiosk. Leaving it, or the idle timeout, "
	   "locks the kiosk again."),
	N_("Back to the applicant's pages."),
	N_("End qoltanba (the kiosk's session ends with it)."),
};

static const char *op_title(struct screen *s) { return _("Operator"); }

static void op_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct tui_menu *m = s->priv;
	int mw = w - 8 > 70 ? 70 : w - 8;

	tui_put(y + 1, 4, mw, _("The kiosk is unlocked."), R_HEADING, false);
	tui_menu_draw(m, y + 3, 4, h - 4, mw);
	(void)t;
	(void)x;
}

static int op_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct tui_menu *m = s->priv;
	int c = tui_menu_key(m, k);

	if (c == -2)
		return 0;
	if (c == -1)
		return TUI_HANDLED | TUI_REDRAW;
	switch (c) {
	case O_FULL:
		t->push = screen_home_new();
		return TUI_HANDLED | TUI_PUSH;
	case O_LOCK:
		return TUI_HANDLED | TUI_POP;
	case O_QUIT:
		return TUI_HANDLED | TUI_QUIT;
	}
	return TUI_HANDLED;
}

static int op_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	/* Back from the full interface: locked again. */
	return TUI_POP;
}

static void op_leave(struct screen *s, struct tui *t)
{
	if (!t->quitting)
		tui_kiosk.unlocked = false;
	free(s->priv);
}

static const enum tui_action op_bar_acts[] = { ACT_SELECT, ACT_BACK, ACT_NONE };
static const enum tui_action *op_bar(struct screen *s) { return op_bar_acts; }

static const struct screen_ops op_ops = {
	.name = "kiosk-operator", .title = op_title, .draw = op_draw, .key = op_key,
	.resume = op_resume, .leave = op_leave, .bar = op_bar,
};

struct screen *screen_kiosk_operator_new(void)
{
	struct tui_menu *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->items = o_items;
	m->hints = o_hints;
	m->n = O_COUNT;
	return tui_screen_new(&op_ops, m);
}
