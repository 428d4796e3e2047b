/* Home: the portal's main menu (domain.md section 1). */
#include <config.h>

#include <stdlib.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <qoltanba/journal.h>
#include "screens/screens.h"
#include "screens/account.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { H_OBTAIN, H_STATUS, H_ACCOUNT, H_OPEN, H_SETTINGS, H_RA, H_QUIT, H_COUNT };
enum { TAG_STORAGE = 1 };

static const char *const items[H_COUNT] = {
	N_("Obtain DS keys"),
	N_("Check request status"),
	N_("Personal account"),
	N_("Open key store"),
	N_("Settings"),
	N_("Registration Authority"),
	N_("Quit"),
};

static const char *const hints[H_COUNT] = {
	N_("Apply for new keys: the keys are made on this computer or on your token, "
	   "and the request goes to the NCA."),
	N_("See what became of an application, by its number, and install the certificates."),
	N_("Sign in with your key: your DS keys, re-issue, revocation, password."),
	N_("See the keys in a folder or on a token, look at one, change its password or PIN."),
	N_("Language and colours."),
	N_("For RA operators: sign in with the operator key, verify applications, approve or "
	   "reject them."),
	N_("Leave qoltanba."),
};

struct home {
	struct tui_menu menu;
	char notice[1024];
	size_t pending;
	char expiry[1024];     /* installed keys that expire within 30 days */
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
	if (hm->pending) {
		char buf[1200];

		snprintf(buf, sizeof(buf), _("Applications in progress (2 to continue): %s."),
		         hm->notice);
		tui_wrap(y + h - 3, 4, 3, mw, buf, R_WARN);
	}
	if (hm->expiry[0])
		tui_wrap(y + h - (hm->pending ? 6 : 3), 4, 3, mw, hm->expiry, R_WARN);
	(void)t;
	(void)x;
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
		t->push = screen_apply_section_new();
		return TUI_HANDLED | TUI_PUSH;
	case H_STATUS:
		t->push = screen_status_new(NULL);
		return TUI_HANDLED | TUI_PUSH;
	case H_RA:
		t->push = screen_ra_login_new();
		return TUI_HANDLED | TUI_PUSH;
	case H_ACCOUNT:
		t->push = acct_signed_in() ? screen_acct_home_new() : screen_acct_signin_new();
		return TUI_HANDLED | TUI_PUSH;
	case H_OPEN:
		t->push = screen_storage_new(NULL, true, TAG_STORAGE);
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
	/* Esc on Home does nothing: quitting is F10/^X or the menu item.
	 * In an unlocked kiosk, Esc goes back to the operator's page. */
	if (k->act == ACT_BACK)
		return tui_kiosk.on ? TUI_HANDLED | TUI_POP : TUI_HANDLED;
	return home_key(s, t, k);
}

/* The storage chosen for Open key store: a PC folder goes to the
 * folder form, a token or card to "connect the media". */
static int home_enter(struct screen *s, struct tui *t);

static int home_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	/* Back on Home: the journal may have moved on. */
	home_enter(s, t);
	if (r->tag != TAG_STORAGE || r->code == 0)
		return TUI_REDRAW;
	if (r->code == QT_STORAGE_PKCS12)
		t->push = screen_openstore_new(NULL);
	else
		t->push = screen_media_new((enum qt_storage)r->code);
	return TUI_PUSH;
}

static void home_leave(struct screen *s, struct tui *t) { free(s->priv); }

/* A later installed application for the same person and role replaces
 * this one's keys (a re-issuance, or new keys). */
static bool superseded(const struct qt_journal *j, size_t i)
{
	const struct qt_app_record *r = &j->records[i];

	for (size_t k = 0; k < j->count; k++) {
		const struct qt_app_record *o = &j->records[k];

		if (k != i && o->step == QT_STEP_INSTALLED && o->not_after > r->not_after &&
		    strcmp(o->iin, r->iin) == 0 && strcmp(o->bin, r->bin) == 0 &&
		    strcmp(o->subject_type, r->subject_type) == 0)
			return true;
	}
	return false;
}

/* On start: keys installed from this computer that expire within 30
 * days (the journal keeps their end, told by the portal at
 * installation), so they are re-issued while they can sign for it. */
static void expiry_notice(struct home *hm, const struct qt_journal *j)
{
	time_t now = time(NULL);
	size_t off = 0;

	hm->expiry[0] = '\0';
	for (size_t i = 0; i < j->count && off < sizeof(hm->expiry); i++) {
		const struct qt_app_record *r = &j->records[i];
		long days;
		char date[11];

		if (r->step != QT_STEP_INSTALLED || !r->not_after || r->not_after <= now ||
		    superseded(j, i))
			continue;
		days = (long)((r->not_after - now) / 86400);
		if (days > ACCT_NOTICE_DAYS)
			continue;
		acct_date(r->not_after, date);
		off += (size_t)snprintf(hm->expiry + off, sizeof(hm->expiry) - off,
		                        dngettext(PACKAGE, "%sThe keys of application %s expire in %ld "
		                                  "day, on %s: re-issue them in the Personal account "
		                                  "(3).",
		                                  "%sThe keys of application %s expire in %ld days, "
		                                  "on %s: re-issue them in the Personal account (3).",
		                                  (unsigned long)days),
		                        off ? " " : "", r->number, days, date);
	}
}

/* On start: applications of the journal that await a step are listed
 * on Home (not in a dialog: nothing stands between the user and the
 * menu), so that an application interrupted (the terminal closed, the
 * portal down) is never forgotten. */
static int home_enter(struct screen *s, struct tui *t)
{
	struct home *hm = s->priv;
	struct qt_journal *j = NULL;
	size_t i, off = 0;

	hm->notice[0] = '\0';
	hm->pending = 0;
	hm->expiry[0] = '\0';
	if (qt_journal_load(NULL, &j) != QT_OK)
		return 0;
	if (!tui_kiosk_locked())   /* the kiosk serves one person after another */
		expiry_notice(hm, j);
	for (i = 0; i < j->count && off < sizeof(hm->notice); i++) {
		const struct qt_app_record *r = &j->records[i];
		const char *what;

		switch (r->step) {
		case QT_STEP_KEYS_GENERATED: what = _("keys made, not sent yet"); break;
		case QT_STEP_SUBMITTED: what = _("awaiting the RA"); break;
		case QT_STEP_ISSUED: what = _("issued: install it"); break;
		default: continue;
		}
		hm->pending++;
		if (r->number[0])
			off += (size_t)snprintf(hm->notice + off, sizeof(hm->notice) - off, "%s%s %s",
			                        off ? "; " : "", r->number, what);
		else
		{
			char who[64];

			/* Not sent yet, so no number: the applicant's IIN. */
			snprintf(who, sizeof(who), _("IIN %s"), r->iin);
			off += (size_t)snprintf(hm->notice + off, sizeof(hm->notice) - off,
			                        "%s%s: %s", off ? "; " : "", who, what);
		}
	}
	qt_journal_free(j);
	return 0;
}

static const enum tui_action home_bar_acts[] = { ACT_SELECT, ACT_NONE };
static const enum tui_action *home_bar(struct screen *s) { return home_bar_acts; }

static const struct screen_ops home_ops = {
	.name = "home", .title = home_title, .enter = home_enter, .draw = home_draw, .key = home_bk,
	.resume = home_resume, .leave = home_leave, .bar = home_bar,
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
