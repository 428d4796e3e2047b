/* Checking request status (domain.md 1, "Status and installation"):
 * by number, or picked from the journal of this computer's
 * applications.  An application whose keys are made but that never
 * reached the portal (the terminal closed, the portal down) is sent
 * from here; an issued one is installed from here. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qoltanba/idnum.h>
#include "screens/screens.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { F_NUMBER, F_CHECK, F_ACT, F_CODE, F_COUNT };

struct status {
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	struct qt_journal *journal;
	struct tui_list list;
	bool in_list;
	char error[1024];
	char jerror[512];
	bool have;                /* rec and info are filled */
	bool sent_now;
	struct qt_app_record rec;
	struct qt_app_info info;
	struct qt_captcha captcha;
	char captcha_answer[16];
	bool need_captcha;
	bool focus_act;           /* a check found something to do: go to it */
};

/* A locked kiosk serves one applicant after another: the list of this
 * computer's applications would show each their neighbours' numbers, so
 * it is kept for look-ups by number but never shown or entered. */
static bool journal_listed(const struct status *s)
{
	return s->journal && s->journal->count && !tui_kiosk_locked();
}

static const char *step_text(enum qt_app_step st)
{
	switch (st) {
	case QT_STEP_KEYS_GENERATED: return _("keys made, not sent");
	case QT_STEP_SUBMITTED: return _("awaiting the RA");
	case QT_STEP_ISSUED: return _("ready to install");
	case QT_STEP_INSTALLED: return _("installed");
	case QT_STEP_REJECTED: return _("rejected");
	case QT_STEP_CANCELLED: return _("cancelled");
	}
	return "";
}

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
	struct status *s = ctx;
	const struct qt_app_record *r = &s->journal->records[s->journal->count - 1 - i];

	snprintf(buf, size, "%s %s %s %s", r->number, r->iin, r->bin, r->subject_type);
	return buf;
}

static void row_draw(void *ctx, size_t row, int y, int x, int w, bool sel)
{
	struct status *s = ctx;
	const struct qt_app_record *r = &s->journal->records[s->journal->count - 1 - row];
	char when[32], buf[512];
	struct tm tm;

	gmtime_r(&r->created, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d", &tm);
	snprintf(buf, sizeof(buf), "%-12s  %s  %-13s %s", r->number[0] ? r->number : "-", when,
	         r->subject_type, step_text(r->step));
	tui_put(y, x, w, buf, sel && s->in_list ? R_SELECTED : R_NORMAL, true);
}

static const char *number_check(struct tui_field *f, void *ctx)
{
	char n[64];

	if (f->len != 12)
		return _("12 digits");
	tui_field_get(f, n, sizeof(n));
	if (!qt_idnum_checksum_ok(n))
		return _("Wrong check digit: a typo?");
	return NULL;
}

static const char *st_title(struct screen *s) { return _("Checking request status"); }

static void layout(struct status *s)
{
	/* Only what applies is shown: the form ends after the last one. */
	s->form.n = F_ACT;
	if (s->have && s->rec.step == QT_STEP_KEYS_GENERATED && s->rec.reissue_of[0]) {
		/* A re-issuance: sent from the personal account only. */
	} else if (s->have && s->rec.step == QT_STEP_KEYS_GENERATED) {
		s->fields[F_ACT].label = N_("Send the application");
		s->form.n = F_ACT + 1;
		if (s->need_captcha && s->captcha.required)
			s->form.n = F_CODE + 1;
	} else if (s->have && (s->info.status == QT_APP_ISSUED || s->rec.step == QT_STEP_ISSUED)) {
		s->fields[F_ACT].label = N_("Install the certificates");
		s->form.n = F_ACT + 1;
	}
	if (s->focus_act && s->form.n > F_ACT) {
		s->form.focus = F_ACT;
		s->in_list = false;
	}
	s->focus_act = false;
	if (s->form.focus >= s->form.n)
		s->form.focus = F_NUMBER;
}

static void st_draw(struct screen *sc, struct tui *t, int y, int x, int h, int w)
{
	struct status *s = sc->priv;
	int mw = w - 4, row = y + 1, i;
	char buf[1024];

	layout(s);
	tui_form_draw(&s->form, row, 2, 7, mw);
	row += s->form.n == F_ACT ? 3 : s->form.n == F_ACT + 1 ? 5 : 6;
	if (s->form.n > F_CODE) {
		const char *l = s->captcha.art;

		for (i = 0; l && *l && i < 7; i++) {
			const char *nl = strchr(l, '\n');
			size_t n = nl ? (size_t)(nl - l) : strlen(l);

			snprintf(buf, sizeof(buf), "%.*s", (int)n, l);
			tui_put(row++, 40, mw - 38, buf, R_NORMAL, false);
			l = nl ? nl + 1 : NULL;
		}
	}
	row++;
	if (s->error[0]) {
		row += tui_wrap(row, 2, 4, mw, s->error, R_ERROR) + 1;
	} else if (s->have) {
		enum tui_role role = s->info.status == QT_APP_ISSUED ? R_GOOD :
		                     s->info.status == QT_APP_REJECTED ||
		                     s->info.status == QT_APP_CANCELLED ? R_ERROR : R_NORMAL;

		if (s->rec.step == QT_STEP_KEYS_GENERATED && s->rec.reissue_of[0]) {
			snprintf(buf, sizeof(buf), _("These keys are for the re-issuance of certificate "
			                             "%s and never reached the portal. Send them from the "
			                             "Personal account: Tracking the request status."),
			         s->rec.reissue_of);
			row += tui_wrap(row, 2, 3, mw, buf, R_WARN) + 1;
		} else if (s->rec.step == QT_STEP_KEYS_GENERATED) {
			row += tui_wrap(row, 2, 3, mw,
			                _("The keys of this application are made, but it never reached "
			                  "the portal. Send it now: the portal keeps one application per "
			                  "request, however often it is sent."), R_WARN) + 1;
		} else {
			snprintf(buf, sizeof(buf), "%s %s: %s", _("Application"), s->rec.number,
			         qt_app_status_label(s->info.status));
			tui_put(row++, 2, mw, buf, role, false);
			if (s->info.status == QT_APP_PENDING && s->info.verify_by) {
				char when[32];
				struct tm tm;

				gmtime_r(&s->info.verify_by, &tm);
				strftime(when, sizeof(when), "%Y-%m-%d", &tm);
				snprintf(buf, sizeof(buf), _("Take it to a Registration Authority by %s."),
				         when);
				tui_put(row++, 2, mw, buf, R_DIM, false);
			}
			if (s->info.status == QT_APP_REJECTED && s->info.reason[0]) {
				snprintf(buf, sizeof(buf), _("Reason: %s"), s->info.reason);
				row += tui_wrap(row, 2, 2, mw, buf, R_NORMAL);
			}
			if (s->info.status == QT_APP_INSTALLED && s->rec.folder[0]) {
				snprintf(buf, sizeof(buf), _("Certificates installed in %s."), s->rec.folder);
				row += tui_wrap(row, 2, 2, mw, buf, R_NORMAL);
			}
			row++;
		}
	}
	if (journal_listed(s)) {
		tui_put(row++, 2, mw, _("Applications on this computer (Tab moves between the number "
		                        "and this list):"), s->in_list ? R_HEADING : R_DIM, false);
		if (y + h - row >= 2)
			tui_list_draw(&s->list, row, 2, y + h - row, mw);
	} else if (s->jerror[0]) {
		tui_wrap(row, 2, y + h - row, mw, s->jerror, R_ERROR);
	}
	(void)t;
	(void)x;
}

/* Work: find the application in the journal, send or refresh it. */
static int st_check(struct screen *sc, struct tui *t)
{
	struct status *s = sc->priv;
	char number[64];
	qt_err rc;

	s->error[0] = '\0';
	s->have = false;
	tui_field_get(&s->fields[F_NUMBER], number, sizeof(number));
	if (!s->rec.id[0] || (strcmp(s->rec.number, number) != 0 && strcmp(s->rec.id, number) != 0)) {
		memset(&s->rec, 0, sizeof(s->rec));
		rc = qt_enroll_find(NULL, number, &s->rec);
		if (rc != QT_OK) {
			snprintf(s->error, sizeof(s->error),
			         _("Application %s is not in the journal of this computer, so its "
			           "access code is not here either. Check its status on the computer "
			           "it was made on."), number);
			return TUI_REDRAW;
		}
	}
	memset(&s->info, 0, sizeof(s->info));
	if (s->rec.step == QT_STEP_KEYS_GENERATED) {
		s->have = true;
		s->focus_act = true;
		return TUI_REDRAW;
	}
	if (enr_connect(s->error, sizeof(s->error)) != QT_OK)
		return TUI_REDRAW;
	rc = qt_enroll_refresh(enr.portal, NULL, &s->rec, &s->info);
	if (rc != QT_OK) {
		enr_explain(rc, s->error, sizeof(s->error));
		return TUI_REDRAW;
	}
	s->have = true;
	s->focus_act = true;
	return TUI_REDRAW;
}

static int st_send(struct screen *sc, struct tui *t)
{
	struct status *s = sc->priv;
	struct qt_captcha_answer ca = { NULL, NULL };
	struct qt_submission sub;
	qt_err rc;

	s->error[0] = '\0';
	if (enr_connect(s->error, sizeof(s->error)) != QT_OK)
		return TUI_REDRAW;
	if (s->need_captcha && s->captcha.required) {
		tui_field_get(&s->fields[F_CODE], s->captcha_answer, sizeof(s->captcha_answer));
		ca.id = s->captcha.id;
		ca.answer = s->captcha_answer;
	}
	rc = qt_enroll_submit(enr.portal, NULL, &s->rec, &ca, &sub);
	if (rc == QT_ERR_CAPTCHA) {
		s->need_captcha = true;
		tui_field_wipe(&s->fields[F_CODE]);
		memset(&s->captcha, 0, sizeof(s->captcha));
		rc = qt_portal_captcha(enr.portal, &s->captcha);
		if (rc == QT_OK)
			snprintf(s->error, sizeof(s->error), "%s",
			         _("The portal wants the code from the picture: type it, then send."));
		else
			enr_explain(rc, s->error, sizeof(s->error));
		s->have = true;
		return TUI_REDRAW;
	}
	if (rc != QT_OK) {
		enr_explain(rc, s->error, sizeof(s->error));
		s->have = true;
		return TUI_REDRAW;
	}
	s->need_captcha = false;
	tui_field_set(&s->fields[F_NUMBER], s->rec.number);
	return st_check(sc, t);
}

static void reload_journal(struct status *s)
{
	qt_err rc;

	tui_list_free(&s->list);
	if (s->journal)
		qt_journal_free(s->journal);
	s->journal = NULL;
	s->jerror[0] = '\0';
	rc = qt_journal_load(NULL, &s->journal);
	if (rc != QT_OK) {
		snprintf(s->jerror, sizeof(s->jerror), "%s %s", qt_strerror(rc), qt_error_detail());
		s->journal = NULL;
		return;
	}
	if (tui_list_init(&s->list, s->journal->count, row_text, s) == 0) {
		s->list.draw_row = row_draw;
		s->list.ctx = s;
	}
}

static int start(struct screen *sc, struct tui *t, int (*fn)(struct screen *, struct tui *))
{
	t->work = fn;
	t->work_label = fn == st_send ? _("Sending the application") :
	                _("Asking the portal");
	enr_cancellable(t);
	return TUI_HANDLED | TUI_WORK;
}

static int st_key(struct screen *sc, struct tui *t, const struct tui_key *k)
{
	struct status *s = sc->priv;
	bool submit;
	int r;

	enr_status_note(t);
	layout(s);
	if (k->act == ACT_RELOAD) {
		reload_journal(s);
		if (s->fields[F_NUMBER].len)
			return start(sc, t, st_check);
		return TUI_HANDLED | TUI_REDRAW;
	}
	/* Tab from the last button (or Shift-Tab from the number) goes to
	 * the journal's list, and back. */
	if (journal_listed(s) && (k->act == ACT_NEXT || k->act == ACT_PREV) &&
	    (s->in_list || s->form.focus == (k->act == ACT_NEXT ? s->form.n - 1 : 0))) {
		s->in_list = !s->in_list;
		if (!s->in_list)
			s->form.focus = k->act == ACT_NEXT ? F_NUMBER : s->form.n - 1;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (s->in_list) {
		if (k->act == ACT_SELECT) {
			size_t i = tui_list_selected(&s->list);
			const struct qt_app_record *rec;

			if (i == (size_t)-1)
				return TUI_HANDLED;
			rec = &s->journal->records[s->journal->count - 1 - i];
			s->rec = *rec;
			tui_field_set(&s->fields[F_NUMBER], rec->number[0] ? rec->number : rec->id);
			s->in_list = false;
			s->form.focus = F_CHECK;
			return start(sc, t, st_check);
		}
		return tui_list_key(&s->list, k);
	}
	r = tui_form_key(&s->form, k, &submit);
	if (!submit)
		return r;
	if (s->form.focus == F_ACT && s->have) {
		if (s->rec.step == QT_STEP_KEYS_GENERATED)
			return start(sc, t, st_send);
		t->push = screen_install_new(&s->rec);
		return TUI_HANDLED | TUI_PUSH;
	}
	if (s->form.focus == F_CODE || (s->need_captcha && s->rec.step == QT_STEP_KEYS_GENERATED))
		return start(sc, t, st_send);
	/* A journal id (32 hex) is allowed too: applications never sent
	 * have no number. */
	if (s->fields[F_NUMBER].len != 32 && tui_form_check(&s->form, true) >= 0) {
		s->form.focus = F_NUMBER;
		return TUI_HANDLED | TUI_REDRAW;
	}
	return start(sc, t, st_check);
}

static int st_resume(struct screen *sc, struct tui *t, const struct tui_result *r)
{
	struct status *s = sc->priv;

	reload_journal(s);
	if (s->have) {
		int f = start(sc, t, st_check) & ~TUI_HANDLED;

		/* A refresh nobody asked for: an Esc typed ahead leaves the
		 * page rather than stopping it. */
		t->work_cancel = NULL;
		return TUI_REDRAW | f;
	}
	return TUI_REDRAW;
}

static void st_leave(struct screen *sc, struct tui *t)
{
	struct status *s = sc->priv;

	tui_list_free(&s->list);
	if (s->journal)
		qt_journal_free(s->journal);
	free(s);
}

static int st_resize(struct screen *sc, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action st_bar_acts[] = { ACT_SUBMIT, ACT_NEXT, ACT_RELOAD, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *st_bar(struct screen *sc) { return st_bar_acts; }

static int st_enter(struct screen *sc, struct tui *t)
{
	struct status *s = sc->priv;

	reload_journal(s);
	if (s->fields[F_NUMBER].len)
		return start(sc, t, st_check) & ~TUI_HANDLED;
	if (journal_listed(s))
		s->in_list = true;
	return TUI_REDRAW;
}

static const char *st_bar_label(struct screen *s, enum tui_action a)
{
	switch (a) {
	case ACT_SUBMIT: return _("Check");
	case ACT_RELOAD: return _("Retry");
	default: return NULL;
	}
}

static const struct screen_ops st_ops = {
	.name = "status", .title = st_title, .enter = st_enter, .draw = st_draw, .key = st_key,
	.resize = st_resize, .resume = st_resume, .leave = st_leave, .bar = st_bar,
	.bar_label = st_bar_label,
};

struct screen *screen_status_new(const char *number)
{
	struct status *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->fields[F_NUMBER].kind = TF_TEXT;
	s->fields[F_NUMBER].label = N_("Application number");
	s->fields[F_NUMBER].max = 32;
	s->fields[F_NUMBER].required = true;
	s->fields[F_NUMBER].validate = number_check;
	s->fields[F_CODE].kind = TF_DIGITS;
	s->fields[F_CODE].label = N_("Code");
	s->fields[F_CODE].max = 8;
	s->fields[F_CHECK].kind = TF_BUTTON;
	s->fields[F_CHECK].label = N_("Check");
	s->fields[F_ACT].kind = TF_BUTTON;
	s->fields[F_ACT].label = N_("Install the certificates");
	s->form.fields = s->fields;
	s->form.n = F_COUNT;
	s->form.label_w = 20;
	s->form.ctx = s;
	if (number && *number)
		tui_field_set(&s->fields[F_NUMBER], number);
	return tui_screen_new(&st_ops, s);
}
