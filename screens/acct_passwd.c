/* Personal account, "Change of DS key password" (issue 7): the password
 * of the key files (signed in with a key file) or the token's PIN
 * (signed in with a token).
 *
 * Key files: the page offers the AUTH file that signed in and the SIGN
 * file of the same key set, from the same folder, and "both, one after
 * the other" (the change page of each file in turn: the current
 * password, the new one against the policy, the confirmation).  Which
 * SIGN file belongs to the set cannot be read from the files without
 * their password (the certificates are encrypted inside them), so it is
 * found, in this order:
 *   1. this computer's journal: the application whose AUTH keyid is the
 *      signer's names its SIGN keyid, which is in the file's name;
 *   2. a certificate file beside a SIGN key file, of the same IIN and
 *      expiring with the AUTH certificate;
 *   3. the folder holds one AUTH file and one SIGN file: that one.
 * Otherwise every SIGN file of the folder is offered and none is called
 * the set's.
 *
 * The account keeps the key it signed in with in memory (qt_account), so
 * a new password on the file does not sign the holder out; the next
 * sign-in needs the new one.  The same holds for a token's PIN: the
 * token stays logged in. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qoltanba/cert.h>
#include <qoltanba/journal.h>
#include <qoltanba/keystore.h>
#include "screens/account.h"
#include "screens/screens.h"
#include "i18n.h"

#define MAX_ITEMS 9

enum item_kind { IT_FILE, IT_BOTH, IT_PIN };

struct item {
	enum item_kind kind;
	char path[PATH_MAX];
	char label[PATH_MAX + 64];
	const char *hint;
};

struct pwpage {
	char dir[PATH_MAX];
	struct item items[MAX_ITEMS];
	const char *labels[MAX_ITEMS], *hints[MAX_ITEMS];
	struct tui_menu menu;
	int auth, sign;            /* items of the set's two files, or -1 */
	bool scanned;
	int doing, next;           /* item being changed, the one after it (-1) */
	char done[4][PATH_MAX + 128];   /* what was changed so far, a line each */
	int ndone;
	char error[1024];
};

static const char *pp_title(struct screen *s) { return _("Personal account: change of DS key password"); }

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void add(struct pwpage *p, enum item_kind kind, const char *path, const char *label,
                const char *hint)
{
	struct item *it;

	if (p->menu.n >= MAX_ITEMS)
		return;
	it = &p->items[p->menu.n];
	it->kind = kind;
	snprintf(it->path, sizeof(it->path), "%s", path ? path : "");
	snprintf(it->label, sizeof(it->label), "%s", label);
	it->hint = hint;
	p->labels[p->menu.n] = it->label;
	p->hints[p->menu.n] = hint;
	p->menu.n++;
}

/* The SIGN keyid of the application whose AUTH keyid is auth, from this
 * computer's journal; "" when it is not there. */
static void journal_sign_keyid(const char *auth, char out[41])
{
	struct qt_journal *j = NULL;

	out[0] = '\0';
	if (qt_journal_load(NULL, &j) != QT_OK || !j)
		return;
	for (size_t i = j->count; i-- > 0;)
		if (strcmp(j->records[i].auth_keyid, auth) == 0 && j->records[i].sign_keyid[0]) {
			snprintf(out, 41, "%s", j->records[i].sign_keyid);
			break;
		}
	qt_journal_free(j);
}

static bool same_set(const struct qt_cert_summary *a, const struct qt_cert_summary *s)
{
	time_t d = a->not_after > s->not_after ? a->not_after - s->not_after
	                                       : s->not_after - a->not_after;

	return strcmp(a->iin, s->iin) == 0 && d < 86400;
}

/* Work: the folder's key files, and which SIGN file is the set's. */
static int pp_scan(struct screen *s, struct tui *t)
{
	struct pwpage *p = s->priv;
	struct qt_cert_summary auth;
	struct qt_keydir *kd = NULL;
	char sign_keyid[41], label[PATH_MAX + 64];
	const struct qt_keydir_entry *match = NULL;
	size_t nsign = 0, nauth = 0;
	X509 *cert = acc.a ? qt_account_cert(acc.a) : NULL;
	qt_err rc;

	p->error[0] = '\0';
	p->menu.n = 0;
	p->auth = p->sign = -1;
	if (!cert || qt_cert_summarize(cert, time(NULL), &auth) != QT_OK)
		memset(&auth, 0, sizeof(auth));
	rc = qt_keydir_scan(p->dir, NULL, time(NULL), &kd);
	if (rc != QT_OK) {
		snprintf(p->error, sizeof(p->error), _("The folder %s cannot be read: %s %s"), p->dir,
		         qt_strerror(rc), qt_error_detail());
		return TUI_REDRAW;
	}
	journal_sign_keyid(auth.keyid, sign_keyid);
	for (size_t i = 0; i < kd->count; i++) {
		const struct qt_keydir_entry *e = &kd->entries[i];

		if (e->kind != QT_KD_P12)
			continue;
		if (e->purpose == QT_PURPOSE_AUTH) {
			nauth++;
			continue;
		}
		if (e->purpose != QT_PURPOSE_SIGN)
			continue;
		nsign++;
		if (!match && sign_keyid[0] && strcmp(e->keyid, sign_keyid) == 0)
			match = e;
	}
	for (size_t i = 0; i < kd->count && !match; i++) {
		const struct qt_keydir_entry *e = &kd->entries[i];

		if (e->kind == QT_KD_P12 && e->purpose == QT_PURPOSE_SIGN && e->has_summary &&
		    auth.iin[0] && same_set(&auth, &e->summary))
			match = e;
	}
	for (size_t i = 0; i < kd->count && !match && nsign == 1 && nauth == 1; i++)
		if (kd->entries[i].kind == QT_KD_P12 && kd->entries[i].purpose == QT_PURPOSE_SIGN)
			match = &kd->entries[i];

	snprintf(label, sizeof(label), _("AUTH key: %s"), base_name(acc.keyfile));
	p->auth = p->menu.n;
	add(p, IT_FILE, acc.keyfile, label, N_("The key file you signed in with. You stay signed "
	                                       "in; the next sign-in needs the new password."));
	if (match) {
		snprintf(label, sizeof(label), _("SIGN key: %s"), match->name);
		p->sign = p->menu.n;
		add(p, IT_FILE, match->path, label, N_("The signing key of the same key set, in the "
		                                       "same folder."));
		add(p, IT_BOTH, NULL, _("Both, one after the other"),
		    N_("The AUTH file first, then the SIGN file: each asks for its current password "
		       "and the new one. A key set usually keeps one password for both files."));
	} else {
		for (size_t i = 0; i < kd->count; i++) {
			const struct qt_keydir_entry *e = &kd->entries[i];

			if (e->kind != QT_KD_P12 || e->purpose != QT_PURPOSE_SIGN)
				continue;
			snprintf(label, sizeof(label), _("SIGN key: %s"), e->name);
			add(p, IT_FILE, e->path, label,
			    N_("A signing key file of this folder. Which key set it belongs to cannot "
			       "be read without its password: its certificate is inside."));
		}
	}
	qt_keydir_free(kd);
	p->scanned = true;
	return TUI_REDRAW;
}

static int pp_enter(struct screen *s, struct tui *t)
{
	struct pwpage *p = s->priv;
	char label[128];

	if (!acc.a) {
		snprintf(p->error, sizeof(p->error), "%s", _("Not signed in to the personal account."));
		return TUI_REDRAW;
	}
	if (acc.tok) {
		snprintf(label, sizeof(label), _("PIN of the token \"%s\""), acc.token_label);
		add(p, IT_PIN, NULL, label, N_("The current PIN, then the new one twice. You stay "
		                               "signed in: the token stays logged in."));
		p->scanned = true;
		return TUI_REDRAW;
	}
	t->work = pp_scan;
	t->work_label = _("Reading the key folder");
	return TUI_WORK;
}

static void pp_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct pwpage *p = s->priv;
	int mw = w - 4, row = y + 1;
	char buf[PATH_MAX + 256];

	if (acc.tok) {
		snprintf(buf, sizeof(buf), _("Signed in with the AUTH key on token \"%s\". Its keys "
		                             "are protected by the token's PIN."), acc.token_label);
	} else {
		snprintf(buf, sizeof(buf), _("Signed in with the AUTH key file of %s. Choose the key "
		                             "file whose password to change:"), p->dir);
	}
	row += tui_wrap(row, 2, 3, mw, buf, R_HEADING) + 1;
	if (p->scanned && p->menu.n) {
		int mh = p->menu.n + 5;

		tui_menu_draw(&p->menu, row, 2, mh, mw);
		row += mh;
	}
	for (int i = 0; i < p->ndone; i++)
		tui_put(row++, 2, mw, p->done[i], R_GOOD, false);
	if (p->ndone)
		row++;
	if (p->error[0])
		row += tui_wrap(row, 2, 4, mw, p->error, R_ERROR) + 1;
	if (row < y + h - 2)
		tui_wrap(y + h - 3, 2, 3, mw,
		         acc.tok ? _("The account keeps the token's session: changing the PIN does "
		                     "not sign you out.")
		                 : _("The account keeps the key it signed in with in memory: a new "
		                     "password on the file does not sign you out. The password cannot "
		                     "be recovered: if it is lost, the keys must be revoked."), R_DIM);
	(void)t;
	(void)x;
}

/* Pushes the change page for item i. */
static int change(struct pwpage *p, struct tui *t, int i, int next)
{
	p->doing = i;
	p->next = next;
	if (p->items[i].kind == IT_PIN)
		t->push = screen_tokchange_new(acc.tok, false);
	else
		t->push = screen_passwd_new(p->items[i].path);
	return TUI_PUSH;
}

static int pp_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct pwpage *p = s->priv;
	int c;

	if (k->act == ACT_RELOAD && !acc.tok) {
		p->scanned = false;
		return TUI_HANDLED | pp_enter(s, t);
	}
	if (!p->scanned || !p->menu.n)
		return 0;
	c = tui_menu_key(&p->menu, k);
	if (c == -2)
		return 0;
	if (c == -1)
		return TUI_HANDLED | TUI_REDRAW;
	p->error[0] = '\0';
	if (p->items[c].kind == IT_BOTH)
		return TUI_HANDLED | change(p, t, p->auth, p->sign);
	return TUI_HANDLED | change(p, t, c, -1);
}

static void note(struct pwpage *p, const char *text)
{
	if (p->ndone == 4) {
		memmove(p->done[0], p->done[1], sizeof(p->done) - sizeof(p->done[0]));
		p->ndone--;
	}
	snprintf(p->done[p->ndone++], sizeof(p->done[0]), "%s", text);
}

static int pp_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct pwpage *p = s->priv;
	char buf[PATH_MAX + 128];
	int flags, next = p->next;

	if (acct_signing_out(t, r, &flags))
		return flags;
	p->next = -1;
	if (p->doing < 0)
		return TUI_REDRAW;
	if (r->code != 1) {
		if (next >= 0)
			note(p, _("The second file was left as it was."));
		p->doing = -1;
		return TUI_REDRAW;
	}
	if (p->items[p->doing].kind == IT_PIN)
		snprintf(buf, sizeof(buf), "%s", _("The token's PIN was changed; still signed in."));
	else
		snprintf(buf, sizeof(buf), _("New password on %s."),
		         base_name(p->items[p->doing].path));
	note(p, buf);
	p->doing = -1;
	if (next >= 0)
		return change(p, t, next, -1) | TUI_REDRAW;
	return TUI_REDRAW;
}

static void pp_leave(struct screen *s, struct tui *t) { free(s->priv); }

static int pp_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action pp_bar_acts[] = { ACT_SELECT, ACT_RELOAD, ACT_BACK, ACT_NONE };
static const enum tui_action pp_bar_tok[] = { ACT_SELECT, ACT_BACK, ACT_NONE };
static const enum tui_action *pp_bar(struct screen *s) { return acc.tok ? pp_bar_tok : pp_bar_acts; }

static const char *pp_bar_label(struct screen *s, enum tui_action a)
{
	switch (a) {
	case ACT_SELECT: return _("Change");
	case ACT_RELOAD: return _("Read the folder");
	default: return NULL;
	}
}

static const struct screen_ops pp_ops = {
	.name = "account-passwd", .title = pp_title, .enter = pp_enter, .draw = pp_draw,
	.key = pp_key, .resize = pp_resize, .resume = pp_resume, .leave = pp_leave, .bar = pp_bar,
	.bar_label = pp_bar_label,
};

struct screen *screen_acct_passwd_new(void)
{
	struct pwpage *p = calloc(1, sizeof(*p));
	struct screen *s;
	char *slash;

	if (!p)
		return NULL;
	p->doing = p->next = p->auth = p->sign = -1;
	snprintf(p->dir, sizeof(p->dir), "%s", acc.keyfile[0] ? acc.keyfile : ".");
	if ((slash = strrchr(p->dir, '/')) != NULL)
		*(slash == p->dir ? slash + 1 : slash) = '\0';
	else
		snprintf(p->dir, sizeof(p->dir), ".");
	p->menu.items = p->labels;
	p->menu.hints = p->hints;
	s = tui_screen_new(&pp_ops, p);
	if (!s)
		free(p);
	return s;
}
