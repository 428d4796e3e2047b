/* Personal account, its menu (issue 7): who is signed in, the notice of
 * keys that expire within 30 days, and the portal's "My DS keys" menu,
 * the profile and, for a first head, the re-issuances awaiting approval.
 *
 * Leaving the account (Esc, or "Sign out") signs out: qoltanba runs at
 * registration-authority terminals and kiosks where the next person must
 * not find the last one's account open.  Coming back means signing in
 * again. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/account.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { M_LIST, M_REISSUE, M_REVOKE, M_TRACK, M_PASSWD, M_APPROVALS, M_PROFILE, M_SIGNOUT,
       M_COUNT };

static const char *const labels[M_COUNT] = {
	N_("List of DS keys"),
	N_("Re-issuance of DS keys"),
	N_("Revocation of DS keys"),
	N_("Tracking the request status"),
	N_("Change of DS key password"),
	N_("Requests awaiting my approval"),
	N_("Profile"),
	N_("Sign out"),
};

static const char *const hints[M_COUNT] = {
	N_("Every key issued to your IIN, with its state; sort it and export it as CSV."),
	N_("New keys signed for with your current key, before it expires."),
	N_("Revoke one of your keys: lost, compromised or no longer needed."),
	N_("Your applications and re-issuances: where they are; install the issued ones."),
	N_("Change the password of your key files."),
	N_("As the first head: your employees' re-issuances, to approve or decline."),
	N_("Your data, the language of the notices, e-mail and SMS notices."),
	N_("Close the account on this terminal."),
};

struct home {
	const char *items[M_COUNT];
	const char *hint[M_COUNT];
	int map[M_COUNT];          /* menu row -> M_* */
	struct tui_menu menu;
	size_t awaiting;           /* approvals waiting, for a first head */
	char notice[2048];
	char error[1024];
	bool asked;                /* whether a first head: asked once */
};

static void build(struct home *h)
{
	int n = 0, sel = h->menu.n ? h->map[h->menu.sel] : M_LIST;

	for (int i = 0; i < M_COUNT; i++) {
		if (i == M_APPROVALS && acc.is_head != 1)
			continue;
		h->items[n] = labels[i];
		h->hint[n] = hints[i];
		if (i == M_PASSWD && acc.tok) {
			h->items[n] = N_("Change of the token's PIN");
			h->hint[n] = N_("Change the PIN of the token that holds your keys.");
		}
		h->map[n++] = i;
	}
	h->menu.items = h->items;
	h->menu.hints = h->hint;
	h->menu.n = n;
	h->menu.sel = 0;
	for (int i = 0; i < n; i++)
		if (h->map[i] == sel)
			h->menu.sel = i;
}

static const char *ah_title(struct screen *s) { return _("Personal account"); }

static void ah_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct home *hm = s->priv;
	const struct qt_account_holder *ho = &acc.holder;
	int mw = w - 4, row = y + 1;
	char buf[PATH_MAX + 400];

	snprintf(buf, sizeof(buf), _("Signed in: %s, IIN %s"), ho->full_name, ho->iin);
	tui_put(row++, 2, mw, buf, R_HEADING, false);
	if (ho->bin[0]) {
		snprintf(buf, sizeof(buf), _("%s, BIN %s"), ho->organization, ho->bin);
		tui_put(row++, 2, mw, buf, R_NORMAL, false);
	}
	if (acc.tok)
		snprintf(buf, sizeof(buf), _("With the AUTH key on token \"%s\"."), acc.token_label);
	else
		/* The path last: it is long, and cut at the end of the line. */
		snprintf(buf, sizeof(buf), "%s: %s", _("AUTH key file"), acc.keyfile);
	tui_put(row++, 2, mw, buf, R_DIM, false);
	if (hm->notice[0]) {
		row++;
		row += tui_wrap(row, 2, 4, mw, hm->notice, R_WARN);
	}
	if (acc.is_head == 1 && hm->awaiting) {
		snprintf(buf, sizeof(buf), dngettext(PACKAGE, "%zu re-issuance awaits your approval.",
		                                     "%zu re-issuances await your approval.",
		                                     hm->awaiting), hm->awaiting);
		tui_put(row++, 2, mw, buf, R_WARN, false);
	}
	row++;
	tui_menu_draw(&hm->menu, row, 2, y + h - row - (hm->error[0] ? 2 : 0), mw > 76 ? 76 : mw);
	if (hm->error[0])
		tui_wrap(y + h - 2, 2, 2, mw, hm->error, R_ERROR);
	(void)t;
	(void)x;
}

/* Work: whether the holder is a first head (the approvals list answers
 * "not_head" for anyone else), and how many wait. */
static int ah_ask(struct screen *s, struct tui *t)
{
	struct home *hm = s->priv;
	struct qt_account_request *list = NULL;
	size_t n = 0;
	qt_err rc;

	hm->error[0] = '\0';
	rc = qt_account_approvals(acc.a, &list, &n);
	if (rc == QT_OK) {
		acc.is_head = 1;
		hm->awaiting = 0;
		for (size_t i = 0; i < n; i++)
			if (strcmp(list[i].approval, "awaiting_head") == 0)
				hm->awaiting++;
	} else if (rc == QT_ERR_PORTAL_DENIED) {
		acc.is_head = 0;
	} else {
		acct_explain(rc, hm->error, sizeof(hm->error));
	}
	free(list);
	hm->asked = true;
	build(hm);
	return TUI_REDRAW;
}

static int ah_enter(struct screen *s, struct tui *t)
{
	struct home *hm = s->priv;

	acct_expiry_notice(&acc.holder, hm->notice, sizeof(hm->notice));
	build(hm);
	enr_status_note(t);
	/* Only someone with a BIN can be a first head. */
	if (hm->asked || !acc.holder.bin[0]) {
		if (!acc.holder.bin[0])
			acc.is_head = 0;
		return TUI_REDRAW;
	}
	t->work = ah_ask;
	t->work_label = _("Reading the account");
	enr_cancellable(t);
	return TUI_WORK;
}

static int leave_account(struct tui *t)
{
	acct_sign_out();
	snprintf(t->message, sizeof(t->message), "%s", _("Signed out of the personal account."));
	t->message_error = false;
	return TUI_HANDLED | TUI_POP;
}

static int ah_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct home *hm = s->priv;
	int c;

	if (k->act == ACT_BACK)
		return leave_account(t);
	if (k->act == ACT_RELOAD) {
		hm->asked = false;
		return ah_enter(s, t) | TUI_HANDLED;
	}
	c = tui_menu_key(&hm->menu, k);
	if (c == -2)
		return 0;
	if (c == -1)
		return TUI_HANDLED | TUI_REDRAW;
	hm->error[0] = '\0';
	switch (hm->map[c]) {
	case M_LIST: t->push = screen_acct_keys_new(); break;
	case M_REISSUE: t->push = screen_acct_reissue_new(NULL); break;
	case M_REVOKE: t->push = screen_acct_revoke_new(NULL); break;
	case M_TRACK: t->push = screen_acct_requests_new(); break;
	case M_PASSWD: t->push = screen_acct_passwd_new(); break;
	case M_APPROVALS: t->push = screen_acct_approvals_new(); break;
	case M_PROFILE: t->push = screen_acct_profile_new(); break;
	case M_SIGNOUT: return leave_account(t);
	}
	return TUI_HANDLED | TUI_PUSH;
}

static int ah_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct home *hm = s->priv;

	if (r->code == ACCT_SIGNED_OUT || !acct_signed_in()) {
		acct_sign_out();
		return TUI_POP;
	}
	/* A page may have learnt whether this is a first head. */
	build(hm);
	return TUI_REDRAW;
}

static void ah_leave(struct screen *s, struct tui *t) { free(s->priv); }

static int ah_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action ah_bar_acts[] = { ACT_SELECT, ACT_RELOAD, ACT_BACK, ACT_NONE };
static const enum tui_action *ah_bar(struct screen *s) { return ah_bar_acts; }

static const char *ah_bar_label(struct screen *s, enum tui_action a)
{
	if (a == ACT_BACK)
		return _("Sign out");
	if (a == ACT_RELOAD)
		return _("Refresh");
	return NULL;
}

static const struct screen_ops ah_ops = {
	.name = "account", .title = ah_title, .enter = ah_enter, .draw = ah_draw, .key = ah_key,
	.resize = ah_resize, .resume = ah_resume, .leave = ah_leave, .bar = ah_bar,
	.bar_label = ah_bar_label,
};

struct screen *screen_acct_home_new(void)
{
	struct home *hm = calloc(1, sizeof(*hm));

	if (!hm)
		return NULL;
	return tui_screen_new(&ah_ops, hm);
}
