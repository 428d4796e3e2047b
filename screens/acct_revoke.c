/* Personal account, "My DS keys" / "Revocation of DS keys"
 * (screens/account.h): choose the key (among the holder's keys that
 * can still be revoked, unless the list page named one), give the
 * reason, confirm in a dialog that names the key and says it cannot be
 * undone, and the portal revokes it (its CRL says so from then on).
 *
 * A key that is already revoked is told apart from other refusals
 * (the portal's "already_revoked"), and so is a key that is not the
 * holder's.  Revoking the AUTH key the holder signed in with ends the
 * visit: the confirmation warns of it, and afterwards every account
 * page closes (ACCT_SIGNED_OUT) with a message saying why. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "screens/account.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { TAG_CONFIRM = 1 };
enum stage { ST_LOADING, ST_CHOOSE, ST_REASON, ST_DONE };

struct revoke {
	char serial[48];        /* the key: given, or chosen */
	bool given;             /* named by the page beneath */
	enum stage stage;
	struct qt_account_key *k;   /* the holder's keys */
	size_t n;
	size_t *rows;           /* those that can be revoked */
	size_t nrows;
	struct tui_list list;
	struct qt_account_key key;  /* the one being revoked */
	bool signer;            /* the AUTH key of this visit */
	struct tui_menu menu;
	const char *items[ACCT_NREASONS];
	bool tried;             /* confirmed once: F5 sends it again */
	char error[1024];
	char done[1024];
	bool done_ok;
};

static bool revocable(const struct qt_account_key *k)
{
	return strcmp(k->status, "revoked") != 0 && strcmp(k->status, "expired") != 0;
}

/* "the SIGN key 1a2b... (application 123456789012, valid until 2027-11-21)" */
static void name_key(const struct qt_account_key *k, char *buf, size_t size)
{
	char until[11];

	acct_date(k->not_after, until);
	snprintf(buf, size, _("the %s key %s (application %s, valid until %s)"),
	         acct_purpose_label(k->purpose), k->serial, k->number, until);
}

/* ---- The list of keys to choose from ------------------------------------------ */

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
	struct revoke *v = ctx;
	const struct qt_account_key *k = &v->k[v->rows[i]];

	snprintf(buf, size, "%s %s %s %s %s", acct_purpose_label(k->purpose), k->serial,
	         k->number, k->subject_type, acct_status_label(k->status));
	return buf;
}

enum { C_KEY, C_SERIAL, C_UNTIL, C_APP, C_TYPE, C_COUNT };

static void layout(int w, int cw[C_COUNT])
{
	cw[C_KEY] = 5;
	cw[C_UNTIL] = 11;
	cw[C_APP] = 13;
	cw[C_TYPE] = 14;
	cw[C_SERIAL] = w - 5 - 11 - 13 - 14;
	if (cw[C_SERIAL] > 41) {
		cw[C_TYPE] += cw[C_SERIAL] - 41;
		cw[C_SERIAL] = 41;
	}
}

static void cells(int y, int x, const int cw[C_COUNT], const char *const text[C_COUNT],
                  enum tui_role r)
{
	for (int i = 0; i < C_COUNT; i++) {
		tui_put(y, x, cw[i] - 1, text[i], r, true);
		tui_put(y, x + cw[i] - 1, 1, "", r, true);
		x += cw[i];
	}
}

static void row_draw(void *ctx, size_t row, int y, int x, int w, bool sel)
{
	struct revoke *v = ctx;
	const struct qt_account_key *k = &v->k[v->rows[row]];
	const char *text[C_COUNT];
	char until[11];
	int cw[C_COUNT];

	layout(w, cw);
	acct_date(k->not_after, until);
	text[C_KEY] = acct_purpose_label(k->purpose);
	text[C_SERIAL] = k->serial;
	text[C_UNTIL] = until;
	text[C_APP] = k->number;
	text[C_TYPE] = acct_subject_type_label(k->subject_type);
	cells(y, x, cw, text, sel ? R_SELECTED : R_NORMAL);
}

/* ---- Work ----------------------------------------------------------------------- */

static void choose(struct revoke *v, const struct qt_account_key *k)
{
	v->key = *k;
	snprintf(v->serial, sizeof(v->serial), "%s", k->serial);
	v->signer = acct_is_signer(k->serial);
	v->menu.sel = 0;
	v->tried = false;
	v->error[0] = '\0';
	v->stage = ST_REASON;
}

static void finish(struct revoke *v, bool ok, const char *text)
{
	snprintf(v->done, sizeof(v->done), "%s", text);
	v->done_ok = ok;
	v->stage = ST_DONE;
}

static int rv_load(struct screen *s, struct tui *t)
{
	struct revoke *v = s->priv;
	struct qt_account_key *k = NULL;
	size_t n = 0, i;
	qt_err rc;

	v->error[0] = '\0';
	/* A signer is enough: the engine signs in again when the session
	 * expired, or when a renewal failed before (the portal was down). */
	if (!acc.a) {
		snprintf(v->error, sizeof(v->error), "%s",
		         _("You are not signed in to the personal account: go back and sign in with "
		           "your AUTH key."));
		return TUI_REDRAW;
	}
	rc = qt_account_keys(acc.a, &k, &n);
	if (rc != QT_OK) {
		acct_explain(rc, v->error, sizeof(v->error));
		return TUI_REDRAW;
	}
	free(v->k);
	free(v->rows);
	v->k = k;
	v->n = n;
	v->nrows = 0;
	v->rows = calloc(n ? n : 1, sizeof(*v->rows));
	if (!v->rows) {
		snprintf(v->error, sizeof(v->error), "%s", _("Out of memory."));
		return TUI_REDRAW;
	}
	for (i = 0; i < n; i++)
		if (revocable(&k[i]))
			v->rows[v->nrows++] = i;
	if (v->given) {
		char what[400], buf[1024];

		for (i = 0; i < n && strcmp(k[i].serial, v->serial) != 0; i++)
			;
		if (i == n) {
			/* The portal lists only the holder's own keys. */
			snprintf(buf, sizeof(buf), _("You have no key with the serial number %s: only "
			                             "keys issued to your IIN can be revoked here."),
			         v->serial);
			finish(v, false, buf);
		} else if (strcmp(k[i].status, "revoked") == 0) {
			name_key(&k[i], what, sizeof(what));
			snprintf(buf, sizeof(buf), _("Already revoked: %s. Nothing more to do; the "
			                             "portal's CRL lists it."), what);
			finish(v, false, buf);
		} else if (strcmp(k[i].status, "expired") == 0) {
			name_key(&k[i], what, sizeof(what));
			snprintf(buf, sizeof(buf), _("This key has expired: %s. An expired key no "
			                             "longer verifies, so there is nothing to revoke."),
			         what);
			finish(v, false, buf);
		} else {
			choose(v, &k[i]);
		}
		return TUI_REDRAW;
	}
	tui_list_free(&v->list);
	if (tui_list_init(&v->list, v->nrows, row_text, v) != 0) {
		tui_list_free(&v->list);
		snprintf(v->error, sizeof(v->error), "%s", _("Out of memory."));
		return TUI_REDRAW;
	}
	v->list.draw_row = row_draw;
	v->stage = ST_CHOOSE;
	return TUI_REDRAW;
}

static int rv_do(struct screen *s, struct tui *t)
{
	struct revoke *v = s->priv;
	const char *reason = acct_reasons[v->menu.sel];
	const char *code;
	char what[400], buf[1024];
	qt_err rc;

	v->error[0] = '\0';
	v->tried = true;
	name_key(&v->key, what, sizeof(what));
	/* A signer is enough: the engine signs in again when the session
	 * expired, or when a renewal failed before (the portal was down). */
	if (!acc.a) {
		snprintf(v->error, sizeof(v->error), "%s",
		         _("You are not signed in to the personal account: go back and sign in with "
		           "your AUTH key."));
		return TUI_REDRAW;
	}
	rc = qt_account_revoke(acc.a, v->serial, reason);
	code = enr.portal ? qt_portal_error_code(enr.portal) : NULL;
	if (rc == QT_OK && v->signer) {
		/* The key of this visit: the session is of no use any more. */
		acct_sign_out();
		snprintf(t->message, sizeof(t->message), "%s",
		         _("Revoked. It was the AUTH key you signed in with, so you are signed out."));
		t->message_error = false;
		return acct_leave_signed_out(t);
	}
	if (rc == QT_OK) {
		snprintf(buf, sizeof(buf), _("Revoked: %s. Reason: %s. The CRL is updated: the key no "
		                             "longer verifies anywhere that checks it."), what,
		         acct_reason_label(reason));
		finish(v, true, buf);
		return TUI_REDRAW;
	}
	if (rc == QT_ERR_PORTAL_CONFLICT && code && strcmp(code, "already_revoked") == 0) {
		snprintf(buf, sizeof(buf), _("Already revoked: %s was revoked before (from another "
		                             "session, perhaps). Nothing more to do; the portal's CRL "
		                             "lists it."), what);
		finish(v, false, buf);
		return TUI_REDRAW;
	}
	if (rc == QT_ERR_PORTAL_NOT_FOUND) {
		snprintf(buf, sizeof(buf), _("The portal refuses: %s is not one of your keys. Only "
		                             "keys issued to your IIN can be revoked."), what);
		finish(v, false, buf);
		return TUI_REDRAW;
	}
	acct_explain(rc, v->error, sizeof(v->error));
	return TUI_REDRAW;
}

static int rv_enter(struct screen *s, struct tui *t)
{
	struct revoke *v = s->priv;

	enr_status_note(t);
	v->stage = ST_LOADING;
	t->work = rv_load;
	t->work_label = _("Reading your keys from the portal");
	enr_cancellable(t);
	return TUI_WORK;
}

static int start_revoke(struct screen *s, struct tui *t)
{
	t->work = rv_do;
	t->work_label = _("Revoking the key");
	enr_cancellable(t);
	return TUI_WORK;
}

/* ---- Drawing --------------------------------------------------------------------- */

static const char *rv_title(struct screen *s) { return _("Revocation of DS keys"); }

static void rv_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct revoke *v = s->priv;
	int mw = w - 4, row = y + 1;
	char buf[1024], what[400];

	switch (v->stage) {
	case ST_LOADING:
		if (v->error[0]) {
			row += tui_wrap(row, 2, 6, mw, v->error, R_ERROR) + 1;
			tui_wrap(row, 2, 2, mw, _("F5 (or Ctrl-R) tries again; Esc goes back."), R_DIM);
		}
		break;
	case ST_CHOOSE:
		if (v->nrows == 0) {
			tui_wrap(row, 2, 6, mw, _("You have no key that can be revoked: every key issued "
			                          "to your IIN has expired or is revoked already. The "
			                          "list of DS keys shows them all."), R_NORMAL);
			break;
		}
		tui_put(row++, 2, mw, _("Which key do you want to revoke? Enter chooses it."),
		        R_HEADING, false);
		if (v->error[0])
			row += tui_wrap(row, 2, 4, mw, v->error, R_ERROR);
		row++;
		{
			const char *head[C_COUNT] = { _("Key"), _("Serial"), _("Until"),
			                              _("Application"), _("Type") };
			int cw[C_COUNT];

			layout(mw - 2, cw);
			cells(row++, 4, cw, head, R_DIM);
		}
		tui_list_draw(&v->list, row, 2, y + h - row, mw);
		break;
	case ST_REASON:
		name_key(&v->key, what, sizeof(what));
		snprintf(buf, sizeof(buf), _("Revoke %s."), what);
		row += tui_wrap(row, 2, 3, mw, buf, R_HEADING) + 1;
		if (v->signer)
			row += tui_wrap(row, 2, 3, mw, _("You signed in with this key: once it is revoked "
			                                 "you will be signed out."), R_WARN) + 1;
		tui_put(row++, 2, mw, _("Why? Choose the reason (the CRL records it):"), R_NORMAL,
		        false);
		row++;
		tui_menu_draw(&v->menu, row, 4, ACCT_NREASONS, mw - 2);
		row += ACCT_NREASONS + 1;
		if (v->error[0]) {
			row += tui_wrap(row, 2, y + h - row - 1, mw, v->error, R_ERROR);
			if (v->tried)
				tui_put(row, 2, mw, _("F5 (or Ctrl-R) sends the revocation again."), R_DIM,
				        false);
		}
		break;
	case ST_DONE:
		row += tui_wrap(row, 2, 8, mw, v->done, v->done_ok ? R_GOOD : R_WARN) + 1;
		tui_wrap(row, 2, 2, mw, _("Enter or Esc goes back to the list of keys."), R_DIM);
		break;
	}
	(void)t;
	(void)x;
}

/* ---- Keys ---------------------------------------------------------------------------- */

static struct screen *confirm_new(struct revoke *v)
{
	static const char *const buttons[] = { N_("Cancel"), N_("Revoke") };
	char text[2048], what[400];
	size_t off;

	name_key(&v->key, what, sizeof(what));
	off = (size_t)snprintf(text, sizeof(text), _("Revoke %s?\n\nReason: %s.\n\nThis cannot be "
	                                             "undone: the certificate goes on the CRL at "
	                                             "once, and signatures made with this key from "
	                                             "now on will not verify."), what,
	                       acct_reason_label(acct_reasons[v->menu.sel]));
	if (v->signer && off < sizeof(text))
		snprintf(text + off, sizeof(text) - off, "\n\n%s",
		         _("You signed in with this AUTH key: you will be signed out after it."));
	return tui_dialog_new(_("Revoke the key?"), text, buttons, 2, TAG_CONFIRM);
}

static int rv_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct revoke *v = s->priv;
	size_t i;
	int r;

	switch (v->stage) {
	case ST_LOADING:
		if (k->act == ACT_RELOAD)
			return rv_enter(s, t) | TUI_HANDLED;
		return 0;
	case ST_CHOOSE:
		if (k->act == ACT_RELOAD)
			return rv_enter(s, t) | TUI_HANDLED;
		if (k->act == ACT_SELECT) {
			i = tui_list_selected(&v->list);
			if (i == (size_t)-1)
				return TUI_HANDLED;
			choose(v, &v->k[v->rows[i]]);
			return TUI_HANDLED | TUI_REDRAW;
		}
		return tui_list_key(&v->list, k);
	case ST_REASON:
		if (k->act == ACT_BACK && !v->given) {
			v->error[0] = '\0';
			v->stage = ST_CHOOSE;
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (k->act == ACT_RELOAD && v->tried)
			return start_revoke(s, t) | TUI_HANDLED;
		r = tui_menu_key(&v->menu, k);
		if (r == -1)
			return TUI_HANDLED | TUI_REDRAW;
		if (r >= 0 || k->act == ACT_SUBMIT) {
			t->push = confirm_new(v);
			return TUI_HANDLED | TUI_PUSH;
		}
		return 0;
	case ST_DONE:
		if (k->act == ACT_SELECT || k->act == ACT_SUBMIT)
			return TUI_HANDLED | TUI_POP;
		return 0;
	}
	return 0;
}

static int rv_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct revoke *v = s->priv;
	int flags;

	if (acct_signing_out(t, r, &flags))
		return flags;
	if (r->tag == TAG_CONFIRM && r->code == 2 && v->stage == ST_REASON)
		return start_revoke(s, t) | TUI_REDRAW;
	return TUI_REDRAW;
}

static int rv_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static void rv_leave(struct screen *s, struct tui *t)
{
	struct revoke *v = s->priv;

	tui_list_free(&v->list);
	free(v->rows);
	free(v->k);
	free(v);
}

static const enum tui_action rv_bar_choose[] = { ACT_SELECT, ACT_RELOAD, ACT_BACK, ACT_NONE };
static const enum tui_action rv_bar_reason[] = { ACT_SELECT, ACT_BACK, ACT_NONE };
static const enum tui_action rv_bar_retry[] = { ACT_SELECT, ACT_RELOAD, ACT_BACK, ACT_NONE };
static const enum tui_action rv_bar_done[] = { ACT_BACK, ACT_NONE };

static const enum tui_action *rv_bar(struct screen *s)
{
	struct revoke *v = s->priv;

	switch (v->stage) {
	case ST_REASON: return v->tried && v->error[0] ? rv_bar_retry : rv_bar_reason;
	case ST_DONE: return rv_bar_done;
	default: return rv_bar_choose;
	}
}

static const char *rv_bar_label(struct screen *s, enum tui_action a)
{
	struct revoke *v = s->priv;

	switch (a) {
	case ACT_SELECT: return _("Choose");
	case ACT_RELOAD: return v->stage == ST_REASON ? _("Try again") : _("Refresh");
	case ACT_BACK: return v->stage == ST_DONE ? _("Back to the list") : NULL;
	default: return NULL;
	}
}

static const struct screen_ops rv_ops = {
	.name = "acct-revoke", .title = rv_title, .enter = rv_enter, .draw = rv_draw,
	.key = rv_key, .resize = rv_resize, .resume = rv_resume, .leave = rv_leave, .bar = rv_bar,
	.bar_label = rv_bar_label,
};

struct screen *screen_acct_revoke_new(const char *serial)
{
	struct revoke *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	if (serial && *serial) {
		snprintf(v->serial, sizeof(v->serial), "%s", serial);
		v->given = true;
	}
	for (int i = 0; i < ACCT_NREASONS; i++)
		v->items[i] = acct_reason_label(acct_reasons[i]);
	v->menu.items = v->items;
	v->menu.n = ACCT_NREASONS;
	return tui_screen_new(&rv_ops, v);
}
