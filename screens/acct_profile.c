/* Personal account, the profile (issue 7): the holder's data as the
 * certificate and the registries have it, read only, and the settings
 * the portal keeps for the expiry notices: their language, e-mail on or
 * off, SMS on or off.  "Save" sends what changed and the page then shows
 * what the portal answered, so the lines are never the user's wishes
 * dressed up as the portal's state.
 *
 * Leaving with changes not saved asks: Save, Discard or Stay.  A failed
 * load or save keeps what the user chose (F5 retries). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "screens/account.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { F_LANG, F_EMAIL, F_SMS, F_SAVE, F_COUNT };
enum { TAG_LEAVE = 1 };

/* The notices' language, each in its own name (as Settings does). */
static const char *const langs[] = { "Қазақша", "Русский", "English" };
static const char *const codes[] = { "kk", "ru", "en" };
#define NLANGS 3

struct profile {
	struct qt_account_profile p;      /* what the portal has */
	char type_label[128];             /* p.subject_type in words */
	bool loaded;
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	char error[1024];
	int leave_flags;                  /* after "Save" in the leave dialog: TUI_POP/QUIT */
};

static int lang_index(const char *code)
{
	for (int i = 0; i < NLANGS; i++)
		if (strcmp(code, codes[i]) == 0)
			return i;
	return 0;   /* the portal's default is kk */
}

static void fields_from(struct profile *pr)
{
	pr->fields[F_LANG].choice = lang_index(pr->p.language);
	pr->fields[F_EMAIL].checked = pr->p.notify_email;
	pr->fields[F_SMS].checked = pr->p.notify_sms;
}

static bool lang_changed(const struct profile *pr)
{
	return strcmp(codes[pr->fields[F_LANG].choice], pr->p.language) != 0;
}

/* The form differs from what the portal has. */
static bool dirty(const struct profile *pr)
{
	return pr->loaded && (lang_changed(pr) || pr->fields[F_EMAIL].checked != pr->p.notify_email ||
	                      pr->fields[F_SMS].checked != pr->p.notify_sms);
}

static const char *pr_title(struct screen *s) { return _("Personal account: profile"); }

static void kv(int *row, int w, const char *k, const char *v, enum tui_role r)
{
	tui_put(*row, 2, 22, k, R_DIM, true);
	tui_put(*row, 24, w - 24, v, r, false);
	(*row)++;
}

static void pr_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct profile *pr = s->priv;
	const struct qt_account_profile *p = &pr->p;
	int mw = w - 4, row = y + 1;
	char buf[1024], date[11];

	if (!pr->loaded) {
		if (pr->error[0]) {
			row += tui_wrap(row, 2, 6, mw, pr->error, R_ERROR) + 1;
			tui_put(row, 2, mw, _("F5 (or Ctrl-R) asks the portal again."), R_DIM, false);
		}
		return;
	}
	kv(&row, w - 2, _("Full name"), p->full_name, R_HEADING);
	kv(&row, w - 2, _("IIN"), p->iin, R_NORMAL);
	kv(&row, w - 2, _("Subject"), pr->type_label[0] ? pr->type_label : p->subject_type,
	   R_NORMAL);
	if (p->bin[0]) {
		snprintf(buf, sizeof(buf), _("%s, BIN %s"), p->organization, p->bin);
		kv(&row, w - 2, _("Organisation"), buf, R_NORMAL);
	}
	kv(&row, w - 2, _("Phone"), p->phone[0] ? p->phone : _("(none in the registry)"),
	   p->phone[0] ? R_NORMAL : R_DIM);
	kv(&row, w - 2, _("E-mail"), p->email[0] ? p->email : _("(none)"),
	   p->email[0] ? R_NORMAL : R_DIM);
	snprintf(buf, sizeof(buf), _("AUTH %s"), p->serial);
	kv(&row, w - 2, _("Signed in with"), buf, R_NORMAL);
	if (p->not_after) {
		long days = (long)((p->not_after - time(NULL)) / 86400);

		acct_date(p->not_after, date);
		if (days < 0)
			snprintf(buf, sizeof(buf), _("%s (expired)"), date);
		else
			snprintf(buf, sizeof(buf), dngettext(PACKAGE, "%s (%ld day left)",
			                                     "%s (%ld days left)", (unsigned long)days),
			         date, days);
		kv(&row, w - 2, _("Valid until"), buf,
		   days < ACCT_NOTICE_DAYS ? R_WARN : R_NORMAL);
	}
	row++;
	tui_put(row++, 2, mw, _("Settings of the notices"), R_HEADING, false);
	/* The three settings, what they do, then the button: two forms
	 * drawn from the one form's fields, so the text sits under the
	 * ticks and focus moves through all four. */
	{
		struct tui_form top = pr->form, bottom = pr->form;

		top.n = F_SAVE;
		tui_form_draw(&top, row, 2, F_SAVE, mw);
		row += F_SAVE;
		if (p->phone[0] || !pr->fields[F_SMS].checked)
			snprintf(buf, sizeof(buf), "%s", _("E-mail notices come 30, 14 and 7 days before "
			                                   "a key expires, an SMS 10 days before, in the "
			                                   "language above. Off: none is sent."));
		else
			snprintf(buf, sizeof(buf), "%s", _("E-mail notices come 30, 14 and 7 days before "
			                                   "a key expires, an SMS 10 days before. The "
			                                   "registry has no phone for you, so no SMS can "
			                                   "come."));
		row += tui_wrap(row, 4, 2, mw - 2, buf, R_DIM);
		bottom.fields = pr->fields + F_SAVE;
		bottom.n = 1;
		bottom.focus = pr->form.focus - F_SAVE;
		tui_form_draw(&bottom, row, 2, 2, mw);
		row += 3;
	}
	if (pr->error[0])
		tui_wrap(row, 2, y + h - row, mw, pr->error, R_ERROR);
	else if (dirty(pr))
		tui_put(row, 2, mw, _("Changed, not saved yet: F2 (or Ctrl-O) saves."), R_WARN, false);
	(void)t;
	(void)x;
}

/* Work: the profile as the portal has it now.  Choices the user made
 * and has not saved are kept. */
static int pr_load(struct screen *s, struct tui *t)
{
	struct profile *pr = s->priv;
	struct qt_account_profile np;
	const struct qt_subject_type *st;
	char ignore[512];
	bool keep = dirty(pr);
	qt_err rc;

	pr->error[0] = '\0';
	rc = qt_account_profile(acc.a, &np);
	if (rc != QT_OK) {
		acct_explain(rc, pr->error, sizeof(pr->error));
		return TUI_REDRAW;
	}
	/* Only for the subject's name in words: the page does without. */
	pr->type_label[0] = '\0';
	if (enr_load_catalog(ignore, sizeof(ignore)) == QT_OK &&
	    (st = qt_catalog_subject_type(enr.catalog, np.subject_type)) != NULL)
		snprintf(pr->type_label, sizeof(pr->type_label), "%s", enr_type_label(st));
	pr->p = np;
	pr->loaded = true;
	if (!keep)
		fields_from(pr);
	return TUI_REDRAW;
}

/* Work: sends what changed; the page then shows the portal's answer. */
static int pr_save(struct screen *s, struct tui *t)
{
	struct profile *pr = s->priv;
	struct qt_account_profile np;
	int ne = -1, ns = -1, leave = pr->leave_flags;
	qt_err rc;

	pr->error[0] = '\0';
	pr->leave_flags = 0;
	if (pr->fields[F_EMAIL].checked != pr->p.notify_email)
		ne = pr->fields[F_EMAIL].checked;
	if (pr->fields[F_SMS].checked != pr->p.notify_sms)
		ns = pr->fields[F_SMS].checked;
	rc = qt_account_profile_set(acc.a, lang_changed(pr) ? codes[pr->fields[F_LANG].choice] : NULL,
	                            ne, ns, &np);
	if (rc != QT_OK) {
		acct_explain(rc, pr->error, sizeof(pr->error));
		return TUI_REDRAW;
	}
	pr->p = np;
	fields_from(pr);
	snprintf(t->message, sizeof(t->message), "%s", _("Saved."));
	t->message_error = false;
	return TUI_REDRAW | leave;
}

static int start(struct tui *t, int (*fn)(struct screen *, struct tui *))
{
	t->work = fn;
	t->work_label = fn == pr_save ? _("Saving the settings") : _("Reading the profile");
	enr_cancellable(t);
	return TUI_WORK;
}

static int pr_enter(struct screen *s, struct tui *t)
{
	enr_status_note(t);
	return start(t, pr_load);
}

static int save(struct profile *pr, struct tui *t, int leave)
{
	if (!dirty(pr)) {
		snprintf(t->message, sizeof(t->message), "%s",
		         _("Nothing to save: the portal already has these settings."));
		t->message_error = false;
		return TUI_HANDLED | TUI_REDRAW | leave;
	}
	pr->leave_flags = leave;
	return TUI_HANDLED | start(t, pr_save);
}

static int pr_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	static const char *const buttons[] = { N_("Save"), N_("Discard"), N_("Stay") };
	struct profile *pr = s->priv;
	bool submit;
	int r;

	if ((k->act == ACT_BACK || k->act == ACT_QUIT) && dirty(pr)) {
		pr->leave_flags = k->act == ACT_QUIT ? TUI_QUIT : TUI_POP;
		t->push = tui_dialog_new(_("Settings not saved"),
		                         _("The settings of the notices have changed and are not "
		                           "saved. Save them on the portal before leaving?"),
		                         buttons, 3, TAG_LEAVE);
		return TUI_HANDLED | TUI_PUSH;
	}
	if (k->act == ACT_RELOAD)
		return TUI_HANDLED | start(t, pr_load);
	if (!pr->loaded)
		return 0;
	r = tui_form_key(&pr->form, k, &submit);
	if (!submit)
		return r;
	/* Enter on the last setting goes to the button: only F2 or the
	 * button saves. */
	if (k->act != ACT_SUBMIT && pr->form.focus != F_SAVE) {
		pr->form.focus = F_SAVE;
		return r;
	}
	return save(pr, t, 0);
}

static int pr_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct profile *pr = s->priv;
	int leave = pr->leave_flags, flags;

	if (acct_signing_out(t, r, &flags))
		return flags;
	pr->leave_flags = 0;
	if (r->tag != TAG_LEAVE)
		return TUI_REDRAW;
	switch (r->code) {
	case 1:         /* Save */
		return save(pr, t, leave) & ~TUI_HANDLED;
	case 2:         /* Discard */
		return leave;
	default:        /* Stay, or Esc */
		return TUI_REDRAW;
	}
}

static void pr_leave(struct screen *s, struct tui *t) { free(s->priv); }

static int pr_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action pr_bar_acts[] = { ACT_SUBMIT, ACT_NEXT, ACT_RELOAD, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *pr_bar(struct screen *s) { return pr_bar_acts; }

static const char *pr_bar_label(struct screen *s, enum tui_action a)
{
	struct profile *pr = s->priv;

	switch (a) {
	case ACT_SUBMIT: return _("Save");
	case ACT_RELOAD: return pr->loaded ? _("Reload") : _("Retry");
	default: return NULL;
	}
}

static const struct screen_ops pr_ops = {
	.name = "account-profile", .title = pr_title, .enter = pr_enter, .draw = pr_draw,
	.key = pr_key, .resize = pr_resize, .resume = pr_resume, .leave = pr_leave, .bar = pr_bar,
	.bar_label = pr_bar_label,
};

struct screen *screen_acct_profile_new(void)
{
	struct profile *pr = calloc(1, sizeof(*pr));
	struct screen *s;

	if (!pr)
		return NULL;
	pr->fields[F_LANG].kind = TF_CHOICE;
	pr->fields[F_LANG].label = N_("Language of notices");
	pr->fields[F_LANG].choices = langs;
	pr->fields[F_LANG].nchoices = NLANGS;
	pr->fields[F_EMAIL].kind = TF_TICK;
	pr->fields[F_EMAIL].label = N_("E-mail notices");
	pr->fields[F_SMS].kind = TF_TICK;
	pr->fields[F_SMS].label = N_("SMS notices");
	pr->fields[F_SAVE].kind = TF_BUTTON;
	pr->fields[F_SAVE].label = N_("Save");
	pr->form.fields = pr->fields;
	pr->form.n = F_COUNT;
	pr->form.label_w = 20;
	pr->form.ctx = pr;
	s = tui_screen_new(&pr_ops, pr);
	if (!s)
		free(pr);
	return s;
}
