/* Home: the portal's main menu (domain.md section 1). */
#include <config.h>

#include <stdlib.h>

#include "screens/screens.h"
#include "i18n.h"

enum { H_OBTAIN, H_STATUS, H_ACCOUNT, H_OPEN, H_SETTINGS, H_QUIT, H_COUNT };

static const char *const items[H_COUNT] = {
	N_("Obtain DS keys"),
	N_("Check request status"),
	N_("Personal account"),
	N_("Open key store"),
	N_("Settings"),
	N_("Quit"),
};

static const char *const hints[H_COUNT] = {
	N_("Apply for new keys: the keys are made on this computer or on your token, "
	   "and the request goes to the NCA."),
	N_("See what became of an application, by its number, and install the certificates."),
	N_("Sign in with your key: your DS keys, re-issue, revocation, password."),
	N_("See the keys in a folder (or, later, on a token), look at one, change its password."),
	N_("Language and colours."),
	N_("Leave qoltanba."),
};

struct home {
	struct tui_menu menu;
};

static const char *home_title(struct screen *s) { return _("Home"); }

static void home_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct home *hm = s->priv;
	int mw = w - 8 > 70 ? 70 : w - 8;

	tui_put(y + 1, 4, mw, _("NCA RK digital-signature keys"), R_HEADING, false);
	tui_wrap(y + 2, 4, 2, mw, _("Choose with the arrows and Enter, or press the number."),
	         R_DIM);
	tui_menu_draw(&hm->menu, y + 5, 4, h - 6, mw);
	(void)t;
	(void)x;
}

static int later(struct tui *t, const char *what)
{
	t->push = tui_dialog_new(_("Not yet"), what, NULL, 0, 0);
	return TUI_HANDLED | TUI_PUSH;
}

static int home_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct home *hm = s->priv;
	int c = tui_menu_key(&hm->menu, k);

	if (c == -2)
		return 0;
	if (c == -1)
		return TUI_HANDLED | TUI_REDRAW;
	switch (c) {
	case H_OBTAIN:
		return later(t, _("Obtaining DS keys comes in a later version of qoltanba. "
		                  "Until then, apply on the portal pki.gov.kz."));
	case H_STATUS:
		return later(t, _("Checking the status of a request comes in a later version of "
		                  "qoltanba. Until then, check it on the portal pki.gov.kz."));
	case H_ACCOUNT:
		return later(t, _("The personal account comes in a later version of qoltanba. "
		                  "Until then, use the portal pki.gov.kz."));
	case H_OPEN:
		t->push = screen_openstore_new(NULL);
		return TUI_HANDLED | TUI_PUSH;
	case H_SETTINGS:
		t->push = screen_settings_new();
		return TUI_HANDLED | TUI_PUSH;
	case H_QUIT:
		return TUI_HANDLED | TUI_QUIT;
	}
	return TUI_HANDLED;
}

static int home_bk(struct screen *s, struct tui *t, const struct tui_key *k)
{
	/* Esc on Home does nothing: quitting is F10/^X or the menu item. */
	if (k->act == ACT_BACK)
		return TUI_HANDLED;
	return home_key(s, t, k);
}

static void home_leave(struct screen *s, struct tui *t) { free(s->priv); }

static const enum tui_action home_bar_acts[] = { ACT_SELECT, ACT_NONE };
static const enum tui_action *home_bar(struct screen *s) { return home_bar_acts; }

static const struct screen_ops home_ops = {
	.name = "home", .title = home_title, .draw = home_draw, .key = home_bk,
	.leave = home_leave, .bar = home_bar,
};

struct screen *screen_home_new(void)
{
	struct home *hm = calloc(1, sizeof(*hm));

	if (!hm)
		return NULL;
	hm->menu.items = items;
	hm->menu.hints = hints;
	hm->menu.n = H_COUNT;
	hm->menu.sel = H_OPEN;
	return tui_screen_new(&home_ops, hm);
}
