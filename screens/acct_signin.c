/* Personal account, sign-in (issue 7): the storage, the AUTH key file or
 * the token, its password or PIN; "Open the key" shows whose key it is
 * (name, IIN, serial, validity) before anything is signed, as the portal
 * does; "Sign in" then signs the portal's single-use challenge.
 *
 * The key file is suggested from this computer's journal (the folder of
 * the newest installed application) or the last folder used.  Changing
 * the file, the token or the password after the key was opened closes
 * it again, so what is shown is always what signs. */
#include <config.h>

#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>
#include <qoltanba/cert.h>
#include <qoltanba/journal.h>
#include "screens/account.h"
#include "screens/enroll.h"
#include "screens/screens.h"
#include "i18n.h"

enum { F_STORE, F_PATH, F_SECRET, F_GO, F_COUNT };
enum { W_OPEN, W_SIGN };
enum { TAG_FOLDER = 1 };
enum { S_FILE, S_TOKEN };

static const char *const stores[] = { N_("Key file on this computer"), N_("Token or ID card") };

#define PATHBUF (TUI_FIELD_MAX * 4 + 1)

struct signin {
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	char error[1200];
	char note[600];            /* a warning about the key opened */
	bool opened;               /* acc holds the key shown below */
	struct qt_cert_summary sum;
	int want;                  /* what the work does: W_OPEN or W_SIGN */
};

static bool is_token(const struct signin *si) { return si->fields[F_STORE].choice == S_TOKEN; }

/* The first AUTH_*.p12 in dir, into out; false when none. */
static bool auth_in(const char *dir, char *out, size_t size)
{
	char pat[PATHBUF + 32];
	glob_t g;
	bool found = false;

	if (!dir || !*dir)
		return false;
	snprintf(pat, sizeof(pat), "%s/AUTH_*.p12", dir);
	if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
		snprintf(out, size, "%s", g.gl_pathv[g.gl_pathc - 1]);
		found = true;
	}
	globfree(&g);
	return found;
}

/* The AUTH key file most likely wanted: that of the newest application
 * installed from this computer into a folder, else one in the last
 * folder opened. */
static void suggest(struct signin *si)
{
	struct qt_journal *j = NULL;
	char path[PATHBUF] = "";
	bool found = false;

	if (tui_kiosk_locked())
		return;     /* a kiosk serves one person after another */
	if (qt_journal_load(NULL, &j) == QT_OK) {
		for (size_t i = j->count; i-- > 0 && !found;) {
			const struct qt_app_record *r = &j->records[i];

			if (r->step == QT_STEP_INSTALLED && enr_rec_is_pc(r))
				found = auth_in(r->folder, path, sizeof(path));
		}
		qt_journal_free(j);
	}
	if (!found)
		found = auth_in(tui_cfg.last_folder, path, sizeof(path));
	if (found)
		tui_field_set(&si->fields[F_PATH], path);
}

static void relabel(struct signin *si)
{
	if (is_token(si)) {
		si->fields[F_PATH].label = N_("Token label");
		si->fields[F_PATH].required = false;
		si->fields[F_SECRET].label = N_("PIN");
		si->fields[F_SECRET].max = 16;
	} else {
		si->fields[F_PATH].label = N_("AUTH key file");
		si->fields[F_PATH].required = true;
		si->fields[F_SECRET].label = N_("Password");
		si->fields[F_SECRET].max = 64;
	}
	/* One button: it opens the key, then signs with it. */
	si->fields[F_GO].label = si->opened ? N_("Sign in") : N_("Open the key");
}

static void close_key(struct signin *si)
{
	if (!si->opened)
		return;
	si->opened = false;
	si->note[0] = '\0';
	acct_sign_out();
	relabel(si);
}

static const char *path_check(struct tui_field *f, void *ctx)
{
	struct signin *si = ctx;
	char path[PATHBUF], dir[PATHBUF];
	struct stat st;
	const char *why;

	if (is_token(si) || f->len == 0)
		return NULL;
	tui_field_get(f, path, sizeof(path));
	snprintf(dir, sizeof(dir), "%s", path);
	if ((why = tui_kiosk_folder_check(dirname(dir))) != NULL)
		return why;
	if (stat(path, &st) != 0)
		return _("No such file: check the path (F7 or Ctrl-F picks the folder)");
	if (S_ISDIR(st.st_mode))
		return _("This is a folder: add the AUTH_RSA256_... file name");
	return NULL;
}

static const char *si_title(struct screen *s) { return _("Personal account: sign in"); }

static void draw_key(struct signin *si, int row, int mw, int rows)
{
	const struct qt_cert_summary *c = &si->sum;
	char from[11], until[11], buf[900];
	int r = row;

	acct_date(c->not_before, from);
	acct_date(c->not_after, until);
	tui_put(r++, 2, mw, c->purpose == QT_PURPOSE_AUTH ? _("The AUTH key that will sign in:") :
	        _("The key that will sign in:"), R_HEADING, false);
	snprintf(buf, sizeof(buf), "  %s %s", c->common_name, c->given_name);
	tui_put(r++, 2, mw, buf, R_NORMAL, false);
	if (c->bin[0])
		snprintf(buf, sizeof(buf), _("  IIN %s, BIN %s %s"), c->iin, c->bin, c->organization);
	else
		snprintf(buf, sizeof(buf), _("  IIN %s"), c->iin);
	tui_put(r++, 2, mw, buf, R_NORMAL, false);
	snprintf(buf, sizeof(buf), _("  Serial %s"), c->serial);
	tui_put(r++, 2, mw, buf, R_NORMAL, false);
	if (c->expired)
		snprintf(buf, sizeof(buf), _("  Valid %s to %s: expired"), from, until);
	else
		snprintf(buf, sizeof(buf), dngettext(PACKAGE, "  Valid %s to %s (%ld day left)",
		                                     "  Valid %s to %s (%ld days left)",
		                                     (unsigned long)c->days_left),
		         from, until, c->days_left);
	tui_put(r++, 2, mw, buf, c->expired ? R_ERROR : R_NORMAL, false);
	if (si->note[0] && r < row + rows)
		tui_wrap(r, 2, row + rows - r, mw, si->note, R_WARN);
}

static void si_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct signin *si = s->priv;
	int mw = w - 4, row = y + 1;

	row += tui_wrap(row, 2, 2, mw,
	                _("Sign in with your AUTH key: the portal sends a single-use challenge and "
	                  "the key signs it. The password or PIN stays on this computer."),
	                R_NORMAL);
	row++;
	tui_form_draw(&si->form, row, 2, 5, mw);
	row += 6;
	if (si->opened) {
		draw_key(si, row, mw, 8);
		row += 6 + (si->note[0] ? 3 : 0);
	} else if (is_token(si) && !si->error[0]) {
		row += tui_wrap(row, 2, 2, mw, _("The label is the token's name (`qoltanba tokens` "
		                                 "lists them); empty: the only token connected."),
		                R_DIM);
	}
	if (si->error[0] && row < y + h)
		tui_wrap(row, 2, y + h - row, mw, si->error, R_ERROR);
	(void)t;
	(void)x;
}

static void describe(struct signin *si)
{
	const struct qt_cert_summary *c = &si->sum;
	char until[11];

	si->note[0] = '\0';
	acct_date(c->not_after, until);
	if (c->purpose != QT_PURPOSE_AUTH)
		snprintf(si->note, sizeof(si->note), "%s",
		         _("This is not an AUTH key (its certificate does not allow client "
		           "authentication): the portal will refuse it. Choose the AUTH_RSA256_... "
		           "file."));
	else if (c->expired)
		snprintf(si->note, sizeof(si->note), _("This key expired on %s: it cannot sign in. "
		                                       "Apply for new keys (Home, \"Obtain DS "
		                                       "keys\")."), until);
	else if (c->not_yet_valid)
		snprintf(si->note, sizeof(si->note), "%s",
		         _("This key is not valid yet: check the computer's date and time."));
	else if (c->days_left <= ACCT_NOTICE_DAYS)
		snprintf(si->note, sizeof(si->note),
		         dngettext(PACKAGE, "This key expires in %ld day, on %s: after signing in, "
		                   "re-issue it while it is valid.",
		                   "This key expires in %ld days, on %s: after signing in, re-issue "
		                   "it while it is valid.", (unsigned long)c->days_left),
		         c->days_left, until);
}

static int si_work(struct screen *s, struct tui *t)
{
	struct signin *si = s->priv;
	char path[PATHBUF], secret[ENR_PWBUF];
	qt_err rc;

	si->error[0] = '\0';
	if (si->want == W_SIGN && si->opened) {
		if (acct_sign(si->error, sizeof(si->error)) != QT_OK)
			return TUI_REDRAW;
		tui_form_wipe(&si->form);
		t->push = screen_acct_home_new();
		return TUI_POP | TUI_PUSH;
	}
	tui_field_get(&si->fields[F_PATH], path, sizeof(path));
	tui_field_get(&si->fields[F_SECRET], secret, sizeof(secret));
	if (is_token(si))
		rc = acct_open_token(path, secret, &si->sum, si->error, sizeof(si->error));
	else
		rc = acct_open_file(path, secret, &si->sum, si->error, sizeof(si->error));
	OPENSSL_cleanse(secret, sizeof(secret));
	if (rc != QT_OK) {
		/* Wrong: typed again.  The portal unreachable: kept (masked)
		 * for F5, as the message says. */
		if (rc == QT_ERR_BAD_PASSWORD || rc == QT_ERR_PIN_INCORRECT ||
		    rc == QT_ERR_PIN_LOCKED) {
			tui_field_wipe(&si->fields[F_SECRET]);
			si->fields[F_SECRET].touched = true;
			si->form.focus = F_SECRET;
		}
		return TUI_REDRAW;
	}
	tui_field_wipe(&si->fields[F_SECRET]);   /* used: the key is open */
	si->opened = true;
	describe(si);
	relabel(si);
	si->form.focus = F_GO;
	if (!is_token(si)) {
		char dir[PATHBUF];

		snprintf(dir, sizeof(dir), "%s", path);
		snprintf(tui_cfg.last_folder, sizeof(tui_cfg.last_folder), "%s", dirname(dir));
	}
	return TUI_REDRAW;
}

static int start(struct screen *s, struct tui *t, int what)
{
	struct signin *si = s->priv;

	si->want = what;
	t->work = si_work;
	t->work_label = what == W_SIGN ? _("Signing in") : is_token(si) ?
	                _("Logging in to the token") : _("Opening the key file");
	enr_cancellable(t);
	return TUI_HANDLED | TUI_WORK;
}

static int si_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct signin *si = s->priv;
	int focus = si->form.focus, rr;
	bool submit;

	enr_status_note(t);
	if (k->act == ACT_BROWSE && !is_token(si)) {
		char path[PATHBUF], *dir;

		tui_field_get(&si->fields[F_PATH], path, sizeof(path));
		dir = path[0] ? dirname(path) : tui_cfg.last_folder;
		t->push = tui_folder_picker_new(dir, TAG_FOLDER);
		return TUI_HANDLED | TUI_PUSH;
	}
	if (k->act == ACT_RELOAD && si->opened)
		return start(s, t, W_SIGN);
	if (k->act == ACT_RELOAD && si->fields[F_SECRET].len > 0 &&
	    tui_form_check(&si->form, true) < 0)
		return start(s, t, W_OPEN);   /* after a network error: again */
	rr = tui_form_key(&si->form, k, &submit);
	/* What signs is what is shown: an edit closes the key. */
	if ((rr & TUI_HANDLED) && !submit && focus <= F_SECRET && k->act != ACT_NEXT &&
	    k->act != ACT_PREV && k->act != ACT_UP && k->act != ACT_DOWN && k->act != ACT_SELECT &&
	    k->act != ACT_SHOW_SECRET) {
		if (focus == F_STORE) {
			tui_field_wipe(&si->fields[F_PATH]);
			tui_field_wipe(&si->fields[F_SECRET]);
			if (!is_token(si))
				suggest(si);
			si->error[0] = '\0';
		}
		close_key(si);
		relabel(si);
	}
	if (!submit)
		return rr;
	if (si->opened)
		return start(s, t, W_SIGN);
	if (tui_form_check(&si->form, true) >= 0)
		return TUI_HANDLED | TUI_REDRAW;
	if (si->fields[F_SECRET].len == 0) {
		si->form.focus = F_SECRET;
		snprintf(si->error, sizeof(si->error), "%s", is_token(si) ?
		         _("Type the token's PIN.") : _("Type the key file's password."));
		return TUI_HANDLED | TUI_REDRAW;
	}
	return start(s, t, W_OPEN);
}

static int si_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct signin *si = s->priv;

	if (r->tag == TAG_FOLDER && r->code == 1) {
		char path[sizeof(r->text) + 2];

		close_key(si);
		if (!auth_in(r->text, path, sizeof(path)))
			snprintf(path, sizeof(path), "%s/", r->text);
		tui_field_set(&si->fields[F_PATH], path);
		si->fields[F_PATH].touched = true;
		si->form.focus = si->fields[F_PATH].text[si->fields[F_PATH].len - 1] == L'/' ?
		                 F_PATH : F_SECRET;
	}
	return TUI_REDRAW;
}

static int si_enter(struct screen *s, struct tui *t)
{
	enr_status_note(t);
	return TUI_REDRAW;
}

static void si_leave(struct screen *s, struct tui *t)
{
	struct signin *si = s->priv;

	/* Left without signing in: the key opened is not kept. */
	if (si->opened && !acct_signed_in())
		acct_sign_out();
	tui_form_wipe(&si->form);
	OPENSSL_cleanse(si, sizeof(*si));
	free(si);
}

static int si_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action si_bar_acts[] = { ACT_SUBMIT, ACT_BROWSE, ACT_BACK,
                                               ACT_SHOW_SECRET, ACT_NONE };
static const enum tui_action *si_bar(struct screen *s) { return si_bar_acts; }

static const char *si_bar_label(struct screen *s, enum tui_action a)
{
	struct signin *si = s->priv;

	if (a == ACT_SUBMIT)
		return si->opened ? _("Sign in") : _("Open the key");
	return NULL;
}

static const struct screen_ops si_ops = {
	.name = "account-signin", .title = si_title, .enter = si_enter, .draw = si_draw,
	.key = si_key, .resize = si_resize, .resume = si_resume, .leave = si_leave, .bar = si_bar,
	.bar_label = si_bar_label,
};

struct screen *screen_acct_signin_new(void)
{
	struct signin *si = calloc(1, sizeof(*si));

	if (!si)
		return NULL;
	si->fields[F_STORE].kind = TF_CHOICE;
	si->fields[F_STORE].label = N_("Key storage");
	si->fields[F_STORE].choices = stores;
	si->fields[F_STORE].nchoices = 2;
	si->fields[F_PATH].kind = TF_TEXT;
	si->fields[F_PATH].validate = path_check;
	si->fields[F_SECRET].kind = TF_PASSWORD;
	si->fields[F_GO].kind = TF_BUTTON;
	si->form.fields = si->fields;
	si->form.n = F_COUNT;
	si->form.label_w = 18;
	si->form.ctx = si;
	relabel(si);
	suggest(si);
	si->form.focus = F_PATH;   /* the suggestion is seen before the password */
	return tui_screen_new(&si_ops, si);
}
