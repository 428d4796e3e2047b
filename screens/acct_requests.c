/* Tracking the request status (issue 7; doc/tui.md "Personal account
 * pages"): the holder's applications, newest first, as the portal knows
 * them (qt_account_requests): number, date, online re-issuance or an
 * application through a Registration Authority, status and, for a
 * re-issuance, the first head's approval; the reason of a rejection.
 *
 * Enter on an issued request whose keys were made on this computer (its
 * number is in the journal) installs the certificates (screens/install.c);
 * an issued request made elsewhere is installed where its keys are.  F5
 * reads the list again; so does coming back from the installation.
 *
 * Above them, the holder's re-issuances whose keys were made here but
 * that never reached the portal (it was down, or qoltanba was closed or
 * crashed between the keys and the sending): the journal keeps them, and
 * Enter sends them, signed with the key signed in with, without making
 * new keys. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include "screens/screens.h"
#include "screens/enroll.h"
#include "screens/account.h"
#include "i18n.h"

struct requests {
	struct qt_app_record *unsent;   /* rows 0 .. nunsent-1 */
	size_t nunsent;
	struct qt_account_request *reqs;   /* then these */
	size_t count;
	struct qt_app_record send;      /* the one Enter sends (work) */
	struct qt_journal *journal;     /* this computer's applications */
	struct tui_list list;
	bool loaded;
	bool dirty;                     /* the work replaced the rows */
	char error[1024];
	char jerror[512];
	char note[512];                 /* what the last sending did */
};

static const char *kind_label(const struct qt_account_request *q)
{
	return q->online ? _("online") : _("via RA");
}

static const struct qt_app_record *local_record(const struct requests *rq,
                                                const struct qt_account_request *q)
{
	return rq->journal ? qt_journal_find_number(rq->journal, q->info.number) : NULL;
}

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
	struct requests *rq = ctx;
	const struct qt_account_request *q;

	if (i < rq->nunsent) {
		snprintf(buf, size, "%s %s", rq->unsent[i].reissue_of, _("not sent"));
		return buf;
	}
	q = &rq->reqs[i - rq->nunsent];
	snprintf(buf, size, "%s %s %s %s %s", q->info.number, kind_label(q),
	         acct_request_status_label(q->info.status),
	         q->online ? acct_approval_label(q->approval) : "", q->info.subject_type);
	return buf;
}

/* Number, created, kind, status, approval: drawn column by column, so
 * Russian and Kazakh words (two bytes a letter) stay aligned; each
 * column ends a cell before the next. */
static void put_cols(int y, int x, int w, const char *const v[5], enum tui_role role)
{
	/* The kind is as wide as its words are in this language. */
	int col_w[4] = { 12, 10, tui_width(_("Kind")), 18 };

	if (tui_width(_("online")) > col_w[2])
		col_w[2] = tui_width(_("online"));
	if (tui_width(_("via RA")) > col_w[2])
		col_w[2] = tui_width(_("via RA"));
	tui_put(y, x, w, "", role, true);
	for (int i = 0; i < 5 && w > 0; i++) {
		/* The status takes the approval's place when there is none. */
		int cw = i < 4 && !(i == 3 && !*v[4]) ? col_w[i] : w;

		tui_put(y, x, cw < w ? cw : w, v[i], role, false);
		x += cw + 1;
		w -= cw + 1;
	}
}

static void row_draw(void *ctx, size_t row, int y, int x, int w, bool sel)
{
	struct requests *rq = ctx;
	const struct qt_account_request *q;
	char date[11];

	if (row < rq->nunsent) {
		const char *v[5] = { "-", date, _("online"), _("keys made, not sent"), "" };

		acct_date(rq->unsent[row].created, date);
		put_cols(y, x, w, v, sel ? R_SELECTED : R_WARN);
		return;
	}
	q = &rq->reqs[row - rq->nunsent];
	acct_date(q->info.created_at, date);
	{
		const char *v[5] = { q->info.number, q->info.created_at ? date : "-", kind_label(q),
		                     acct_request_status_label(q->info.status),
		                     q->online ? acct_approval_label(q->approval) : "" };

		put_cols(y, x, w, v, sel ? R_SELECTED : R_NORMAL);
	}
}

static const char *rs_title(struct screen *s) { return _("Tracking the request status"); }

/* The selected request in words: every state also said, not coloured. */
static int draw_detail(struct requests *rq, const struct qt_account_request *q, int row, int h,
                       int mw)
{
	const struct qt_app_record *rec = local_record(rq, q);
	char buf[2048], what[1024];
	enum tui_role role = R_NORMAL;
	int used = 0;

	snprintf(buf, sizeof(buf), _("Request %s: %s."), q->info.number,
	         acct_request_status_label(q->info.status));
	used += tui_wrap(row + used, 2, h - used, mw, buf, R_NORMAL);
	if (q->online && used < h) {
		snprintf(buf, sizeof(buf), _("Re-issuance of certificate %s."),
		         q->previous_serial[0] ? q->previous_serial : "-");
		used += tui_wrap(row + used, 2, h - used, mw, buf, R_NORMAL);
		snprintf(buf, sizeof(buf), _("Approval: %s."), acct_approval_label(q->approval));
		if (used < h)
			used += tui_wrap(row + used, 2, h - used, mw, buf, R_NORMAL);
	}
	if ((q->info.status == QT_APP_REJECTED || strcmp(q->approval, "declined") == 0) &&
	    q->info.reason[0] && used < h) {
		snprintf(buf, sizeof(buf), _("Reason: %s"), q->info.reason);
		used += tui_wrap(row + used, 2, h - used, mw, buf, R_NORMAL);
	}
	what[0] = '\0';
	switch (q->info.status) {
	case QT_APP_ISSUED:
		if (rec) {
			snprintf(what, sizeof(what), enr_rec_is_pc(rec) ?
			         _("Enter installs the certificates (the keys are in %s).") :
			         _("Enter installs the certificates on the token \"%s\"."),
			         enr_rec_is_pc(rec) ? rec->folder : rec->storage);
			role = R_GOOD;
		} else {
			snprintf(what, sizeof(what), _("Its keys were not made on this computer (storage: "
			                               "%s): install it on the computer or token where "
			                               "they were made (`qoltanba install %s` there)."),
			         acct_storage_label(q->info.storage), q->info.number);
			role = R_WARN;
		}
		break;
	case QT_APP_PENDING:
		if (strcmp(q->approval, "awaiting_head") == 0)
			snprintf(what, sizeof(what), "%s", _("The first head of the organisation approves "
			                                     "it in their account; F5 shows when it is "
			                                     "issued."));
		else if (!q->online)
			snprintf(what, sizeof(what), "%s", _("Take it to a Registration Authority; F5 shows "
			                                     "when it is issued."));
		break;
	case QT_APP_INSTALLED:
		snprintf(what, sizeof(what), "%s", _("Its certificates are installed."));
		break;
	default:
		break;
	}
	if (what[0] && used < h)
		used += tui_wrap(row + used, 2, h - used, mw, what, role);
	return used;
}

/* Loop side: the rows the work replaced. */
static void rebuild(struct requests *rq)
{
	if (!rq->dirty)
		return;
	tui_list_free(&rq->list);
	if (tui_list_init(&rq->list, rq->nunsent + rq->count, row_text, rq) == 0) {
		rq->list.draw_row = row_draw;
		rq->list.ctx = rq;
	}
	rq->dirty = false;
}

static void draw_unsent(const struct qt_app_record *rec, int row, int h, int mw)
{
	char buf[2048];
	int used;

	snprintf(buf, sizeof(buf), _("Re-issuance of certificate %s: the new keys are made (%s %s) "
	                             "but the request never reached the portal."),
	         rec->reissue_of, enr_rec_is_pc(rec) ? _("in the folder") : _("on the token"),
	         enr_rec_is_pc(rec) ? rec->folder : rec->storage);
	used = tui_wrap(row, 2, h, mw, buf, R_WARN);
	if (used < h)
		tui_wrap(row + used, 2, h - used, mw, _("Enter sends it now, signed with the key you "
		                                        "signed in with; no new keys are made."),
		         R_NORMAL);
}

static void rs_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct requests *rq = s->priv;
	int mw = w - 4, row = y + 1, bottom = y + h, detail = 7;
	size_t i;

	(void)t;
	(void)x;
	rebuild(rq);
	if (rq->error[0]) {
		row += tui_wrap(row, 2, 4, mw, rq->error, R_ERROR) + 1;
	}
	if (!rq->loaded)
		return;
	if (rq->note[0])
		row += tui_wrap(row, 2, 3, mw, rq->note, R_GOOD) + 1;
	if (rq->count == 0 && rq->nunsent == 0) {
		tui_wrap(row, 2, 3, mw, _("You have no requests. F5 (or Ctrl-R) reads them again."),
		         R_DIM);
		return;
	}
	/* Aligned with the rows, after the list's pointer column. */
	{
		const char *v[5] = { _("Number"), _("Created"), _("Kind"), _("Status"),
		                     _("Approval") };

		put_cols(row++, 4, mw - 2, v, R_DIM);
	}
	if (rq->jerror[0])
		detail++;
	tui_list_draw(&rq->list, row, 2, bottom - detail - row, mw);
	row = bottom - detail + 1;
	if (rq->jerror[0])
		row += tui_wrap(row, 2, 1, mw, rq->jerror, R_ERROR);
	i = tui_list_selected(&rq->list);
	if (i != (size_t)-1 && i < rq->nunsent)
		draw_unsent(&rq->unsent[i], row, bottom - row, mw);
	else if (i != (size_t)-1)
		draw_detail(rq, &rq->reqs[i - rq->nunsent], row, bottom - row, mw);
}

/* Work: the portal's list, and this computer's journal. */
static int rs_work(struct screen *s, struct tui *t)
{
	struct requests *rq = s->priv;
	struct qt_account_request *reqs = NULL;
	struct qt_journal *j = NULL;
	size_t n = 0;
	qt_err rc;

	rq->error[0] = '\0';
	if (!acc.a) {   /* a signer is enough: the engine signs in again */
		snprintf(rq->error, sizeof(rq->error), "%s",
		         _("Sign in to the personal account first."));
		return TUI_REDRAW;
	}
	rc = qt_account_requests(acc.a, &reqs, &n);
	if (rc != QT_OK) {
		acct_explain(rc, rq->error, sizeof(rq->error));
		return TUI_REDRAW;
	}
	rq->jerror[0] = '\0';
	if ((rc = qt_journal_load(NULL, &j)) != QT_OK) {
		snprintf(rq->jerror, sizeof(rq->jerror), "%s %s", qt_strerror(rc), qt_error_detail());
		j = NULL;
	}
	/* The holder's re-issuances made here and never sent, newest first. */
	free(rq->unsent);
	rq->unsent = NULL;
	rq->nunsent = 0;
	if (j && j->count && (rq->unsent = calloc(j->count, sizeof(*rq->unsent))) != NULL) {
		for (size_t k = j->count; k-- > 0;) {
			const struct qt_app_record *r = &j->records[k];

			if (r->step == QT_STEP_KEYS_GENERATED && r->reissue_of[0] &&
			    strcmp(r->iin, acc.holder.iin) == 0 &&
			    (!r->portal[0] || strcmp(r->portal, qt_portal_id(enr.portal)) == 0))
				rq->unsent[rq->nunsent++] = *r;
		}
	}
	/* The list is rebuilt by the loop (draw) before it is used again. */
	free(rq->reqs);
	if (rq->journal)
		qt_journal_free(rq->journal);
	rq->reqs = reqs;
	rq->count = n;
	rq->journal = j;
	rq->loaded = true;
	rq->dirty = true;
	return TUI_REDRAW;
}

/* Work: an unsent re-issuance, sent; then the list again. */
static int rs_send(struct screen *s, struct tui *t)
{
	struct requests *rq = s->priv;
	struct qt_account_request out;
	qt_err rc;

	rq->error[0] = rq->note[0] = '\0';
	rc = qt_account_reissue(acc.a, NULL, &rq->send, NULL, NULL, &out);
	if (rc != QT_OK) {
		acct_explain(rc, rq->error, sizeof(rq->error));
		return TUI_REDRAW;
	}
	snprintf(rq->note, sizeof(rq->note), _("Request %s is sent: %s."), out.info.number,
	         out.info.status == QT_APP_ISSUED ? _("issued at once, Enter installs it") :
	         acct_approval_label(out.approval));
	rs_work(s, t);
	rq->error[0] = '\0';
	return TUI_REDRAW;
}

static int reload(struct tui *t)
{
	t->work = rs_work;
	t->work_label = _("Reading your requests");
	enr_cancellable(t);
	return TUI_HANDLED | TUI_WORK;
}

static int rs_enter(struct screen *s, struct tui *t)
{
	return reload(t) & ~TUI_HANDLED;
}

static int rs_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct requests *rq = s->priv;
	const struct qt_account_request *q;
	const struct qt_app_record *rec;
	size_t i;

	enr_status_note(t);
	if (k->act == ACT_RELOAD) {
		rq->note[0] = '\0';
		return reload(t);
	}
	rebuild(rq);
	if (!rq->loaded)
		return 0;
	if (k->act != ACT_SELECT && k->act != ACT_SUBMIT)
		return tui_list_key(&rq->list, k);
	i = tui_list_selected(&rq->list);
	if (i == (size_t)-1)
		return TUI_HANDLED;
	if (i < rq->nunsent) {
		rq->send = rq->unsent[i];
		t->work = rs_send;
		t->work_label = _("Sending the request");
		enr_cancellable(t);
		return TUI_HANDLED | TUI_WORK;
	}
	q = &rq->reqs[i - rq->nunsent];
	if (q->info.status == QT_APP_INSTALLED) {
		snprintf(t->message, sizeof(t->message), _("Request %s is installed already."),
		         q->info.number);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (q->info.status != QT_APP_ISSUED) {
		snprintf(t->message, sizeof(t->message), _("Request %s is not issued: there is nothing "
		                                           "to install."), q->info.number);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if ((rec = local_record(rq, q)) == NULL) {
		snprintf(t->message, sizeof(t->message), _("Request %s was not made on this computer: "
		                                           "install it where its keys are."),
		         q->info.number);
		t->message_error = true;
		return TUI_HANDLED | TUI_REDRAW;
	}
	t->push = screen_install_new(rec);
	return TUI_HANDLED | TUI_PUSH;
}

static int rs_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	int flags;

	if (acct_signing_out(t, r, &flags))
		return flags;
	/* Back from the installation: the status is "installed" now. */
	flags = reload(t) & ~TUI_HANDLED;
	t->work_cancel = NULL;   /* an Esc typed ahead leaves the page */
	return TUI_REDRAW | flags;
}

static void rs_leave(struct screen *s, struct tui *t)
{
	struct requests *rq = s->priv;

	tui_list_free(&rq->list);
	free(rq->reqs);
	free(rq->unsent);
	if (rq->journal)
		qt_journal_free(rq->journal);
	OPENSSL_cleanse(rq, sizeof(*rq));   /* access tokens of the records */
	free(rq);
}

static int rs_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action rs_bar_acts[] = { ACT_SELECT, ACT_RELOAD, ACT_CLEAR, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *rs_bar(struct screen *s) { return rs_bar_acts; }

static const char *rs_bar_label(struct screen *s, enum tui_action a)
{
	struct requests *rq = s->priv;

	switch (a) {
	case ACT_SELECT:
		return !rq->dirty && tui_list_selected(&rq->list) < rq->nunsent ? _("Send") :
		       _("Install");
	case ACT_RELOAD: return _("Refresh");
	default: return NULL;
	}
}

static const struct screen_ops rs_ops = {
	.name = "acct-requests", .title = rs_title, .enter = rs_enter, .draw = rs_draw,
	.key = rs_key, .resize = rs_resize, .resume = rs_resume, .leave = rs_leave, .bar = rs_bar,
	.bar_label = rs_bar_label,
};

struct screen *screen_acct_requests_new(void)
{
	struct requests *rq = calloc(1, sizeof(*rq));

	if (!rq)
		return NULL;
	return tui_screen_new(&rs_ops, rq);
}
