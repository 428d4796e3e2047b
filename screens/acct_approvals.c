/* Personal account, a first head's approvals (issue 7): the employees'
 * re-issuances of the head's BIN that wait for the head (number, the
 * employee, IIN, date, storage).  Enter opens one: what is asked (new
 * keys for whom, in place of which key) with "Approve" and "Decline";
 * declining asks for a reason in a small form (it may stay empty, but
 * the employee reads it); either is confirmed before it is sent.
 *
 * The portal alone knows who is a first head (its registry row names
 * the IIN, and the session was signed with a chairman key), so the page
 * asks it and sets acc.is_head from the answer: the list, or "not_head".
 * Anyone else is told in one sentence who approves, and nothing more.
 * A request decided meanwhile (on another terminal, from the command
 * line) is refused by the portal as "already decided": the page says so
 * and reads the list again. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "screens/account.h"
#include "screens/enroll.h"
#include "i18n.h"

#define REASON_MAX 250

/* Result codes of the request's page for the list. */
enum { DECIDED = 1, STALE = 2 };
enum { TAG_VIEW = 1, TAG_REASON, TAG_CONFIRM };

/* The subject type in words (the catalog's), or the portal's id. */
static const char *type_label(const char *id)
{
	const struct qt_subject_type *st = enr.catalog ? qt_catalog_subject_type(enr.catalog, id)
	                                               : NULL;

	return st ? enr_type_label(st) : id;
}

/* ---- The reason to decline: a small form ------------------------------- */

struct reason {
	struct tui_field fields[2];
	struct tui_form form;
	char name[400];
};

static const char *rs_title(struct screen *s) { return _("Decline"); }

static void rs_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct reason *rs = s->priv;
	char text[1024];
	int dw = w - 10 > 70 ? 70 : w - 10, lines, dh, by, bx;

	snprintf(text, sizeof(text), _("Why is the re-issuance declined? %s reads this reason as "
	                               "it is written. It may stay empty: the employee then sees "
	                               "only that you declined."), rs->name);
	lines = tui_wrap_count(dw - 4, text);
	dh = lines + 6;
	by = y + (h - dh) / 2;
	bx = x + (w - dw) / 2;
	tui_fill(by, bx, dh, dw, R_NORMAL);
	tui_box(by, bx, dh, dw, _("Reason to decline"), R_FRAME);
	tui_wrap(by + 1, bx + 2, lines, dw - 4, text, R_NORMAL);
	tui_form_draw(&rs->form, by + lines + 2, bx + 2, 3, dw - 4);
	(void)t;
}

static int rs_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct reason *rs = s->priv;
	bool submit;
	int r;

	if (k->act == ACT_BACK) {
		/* What was typed goes back too, for the next time. */
		t->result.code = 0;
		t->result.tag = TAG_REASON;
		tui_field_get(&rs->fields[0], t->result.text, sizeof(t->result.text));
		t->has_result = true;
		return TUI_HANDLED | TUI_POP;
	}
	r = tui_form_key(&rs->form, k, &submit);
	if (submit) {
		t->result.code = 1;
		t->result.tag = TAG_REASON;
		tui_field_get(&rs->fields[0], t->result.text, sizeof(t->result.text));
		t->has_result = true;
		return TUI_HANDLED | TUI_POP;
	}
	return r ? r : (k->act == ACT_HELP || k->act == ACT_QUIT ? 0 : TUI_HANDLED);
}

static void rs_leave(struct screen *s, struct tui *t) { free(s->priv); }

static const enum tui_action rs_bar_acts[] = { ACT_SUBMIT, ACT_CLEAR, ACT_BACK, ACT_NONE };
static const enum tui_action *rs_bar(struct screen *s) { return rs_bar_acts; }

static const char *rs_bar_label(struct screen *s, enum tui_action a)
{
	return a == ACT_SUBMIT ? _("Decline") : NULL;
}

static const struct screen_ops rs_ops = {
	.name = "account-decline-reason", .modal = true, .title = rs_title, .draw = rs_draw,
	.key = rs_key, .leave = rs_leave, .bar = rs_bar, .bar_label = rs_bar_label,
};

static struct screen *reason_new(const char *name, const char *typed)
{
	struct reason *rs = calloc(1, sizeof(*rs));
	struct screen *s;

	if (!rs)
		return NULL;
	snprintf(rs->name, sizeof(rs->name), "%s", name);
	rs->fields[0].kind = TF_TEXT;
	rs->fields[0].label = N_("Reason");
	rs->fields[0].max = REASON_MAX;
	tui_field_set(&rs->fields[0], typed);
	rs->fields[1].kind = TF_BUTTON;
	rs->fields[1].label = N_("Decline");
	rs->form.fields = rs->fields;
	rs->form.n = 2;
	rs->form.label_w = 10;
	s = tui_screen_new(&rs_ops, rs);
	if (!s)
		free(rs);
	return s;
}

/* ---- One request --------------------------------------------------------- */

enum { V_APPROVE, V_DECLINE, V_COUNT };

struct view {
	struct qt_account_request r;
	struct tui_field fields[V_COUNT];
	struct tui_form form;
	bool approve;                 /* what the confirmation is for */
	char reason[REASON_MAX * 4 + 1];
	char error[1024];
};

static const char *vw_title(struct screen *s) { return _("Personal account: re-issuance to approve"); }

static void kv(int *row, int w, const char *k, const char *v)
{
	tui_put(*row, 2, 18, k, R_DIM, true);
	tui_put(*row, 20, w - 20, v, R_NORMAL, false);
	(*row)++;
}

static void vw_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct view *v = s->priv;
	const struct qt_app_info *a = &v->r.info;
	int mw = w - 4, row = y + 1;
	char buf[1600], date[11];

	snprintf(buf, sizeof(buf), _("Re-issuance %s: awaiting your approval"), a->number);
	tui_put(row++, 2, mw, buf, R_HEADING, false);
	row++;
	/* What is asked, in one sentence, then the particulars. */
	snprintf(buf, sizeof(buf), _("%s (%s, BIN %s) asks for new AUTH and SIGN keys in place of "
	                             "the key set of certificate %s. Approved, the CA issues them "
	                             "at once; the old keys stay valid."),
	         v->r.full_name[0] ? v->r.full_name : a->iin, type_label(a->subject_type), a->bin,
	         v->r.previous_serial[0] ? v->r.previous_serial : "-");
	row += tui_wrap(row, 2, 4, mw, buf, R_NORMAL) + 1;
	kv(&row, w - 2, _("Employee"), v->r.full_name[0] ? v->r.full_name : "-");
	kv(&row, w - 2, _("IIN"), a->iin);
	kv(&row, w - 2, _("Role"), type_label(a->subject_type));
	kv(&row, w - 2, _("Current key"), v->r.previous_serial[0] ? v->r.previous_serial : "-");
	kv(&row, w - 2, _("New keys in"), acct_storage_label(a->storage));
	kv(&row, w - 2, _("E-mail"), a->email[0] ? a->email : _("(none)"));
	acct_date(a->created_at, date);
	kv(&row, w - 2, _("Submitted"), a->created_at ? date : "-");
	row++;
	tui_form_draw(&v->form, row - 1, 2, 4, mw);
	row += 3;
	if (v->error[0])
		tui_wrap(row, 2, y + h - row, mw, v->error, R_ERROR);
	(void)t;
	(void)x;
}

/* Work: the decision.  The list beneath hears how it went. */
static int vw_decide(struct screen *s, struct tui *t)
{
	struct view *v = s->priv;
	const char *name = v->r.full_name[0] ? v->r.full_name : v->r.info.iin;
	struct qt_account_request out;
	const char *code;
	qt_err rc;

	v->error[0] = '\0';
	rc = qt_account_decide(acc.a, v->r.info.number, v->approve, v->approve ? NULL : v->reason,
	                       &out);
	if (rc == QT_OK) {
		if (v->approve)
			snprintf(t->result.text, sizeof(t->result.text),
			         _("Approved: application %s is issued to %s."), v->r.info.number,
			         name);
		else
			snprintf(t->result.text, sizeof(t->result.text),
			         _("Declined: application %s; %s sees it in their requests."),
			         v->r.info.number, name);
		t->result.code = DECIDED;
		t->result.tag = TAG_VIEW;
		t->has_result = true;
		return TUI_POP;
	}
	code = enr.portal ? qt_portal_error_code(enr.portal) : "";
	if (rc == QT_ERR_PORTAL_CONFLICT || rc == QT_ERR_PORTAL_NOT_FOUND) {
		if (strcmp(code, "application_cancelled") == 0)
			snprintf(t->result.text, sizeof(t->result.text),
			         _("Re-issuance %s can no longer be decided: it waited more than 30 days "
			           "and was cancelled."), v->r.info.number);
		else
			snprintf(t->result.text, sizeof(t->result.text),
			         _("Re-issuance %s was already decided (on another terminal, or from the "
			           "command line): yours changed nothing. The list is read again."),
			         v->r.info.number);
		t->result.code = STALE;
		t->result.tag = TAG_VIEW;
		t->has_result = true;
		return TUI_POP;
	}
	acct_explain(rc, v->error, sizeof(v->error));
	return TUI_REDRAW;
}

static int vw_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct view *v = s->priv;
	const char *name = v->r.full_name[0] ? v->r.full_name : v->r.info.iin;
	bool submit;
	int r;

	r = tui_form_key(&v->form, k, &submit);
	if (!submit)
		return r;
	v->error[0] = '\0';
	if (v->form.focus == V_DECLINE) {
		t->push = reason_new(name, v->reason);
		return TUI_HANDLED | TUI_PUSH;
	}
	{
		static const char *const buttons[] = { N_("Approve"), N_("Cancel") };
		char text[1024];

		v->approve = true;
		snprintf(text, sizeof(text), _("Approve re-issuance %s for %s? The CA issues the new "
		                               "keys at once; this cannot be taken back."),
		         v->r.info.number, name);
		t->push = tui_dialog_new(_("Approve"), text, buttons, 2, TAG_CONFIRM);
	}
	return TUI_HANDLED | TUI_PUSH;
}

static int vw_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	static const char *const buttons[] = { N_("Decline"), N_("Cancel") };
	struct view *v = s->priv;
	const char *name = v->r.full_name[0] ? v->r.full_name : v->r.info.iin;
	char text[2048];
	int flags;

	if (acct_signing_out(t, r, &flags))
		return flags;
	if (r->tag == TAG_REASON) {
		snprintf(v->reason, sizeof(v->reason), "%.*s", (int)sizeof(v->reason) - 1, r->text);
		if (r->code != 1)
			return TUI_REDRAW;
		v->approve = false;
		if (v->reason[0])
			snprintf(text, sizeof(text), _("Decline re-issuance %s of %s? They will read: "
			                               "\"%s\"."), v->r.info.number, name, v->reason);
		else
			snprintf(text, sizeof(text), _("Decline re-issuance %s of %s? No reason is given: "
			                               "they will only read that you declined."),
			         v->r.info.number, name);
		t->push = tui_dialog_new(_("Decline"), text, buttons, 2, TAG_CONFIRM);
		return TUI_PUSH;
	}
	if (r->tag == TAG_CONFIRM && r->code == 1) {
		t->work = vw_decide;
		t->work_label = v->approve ? _("Approving: the CA issues the keys") : _("Declining");
		enr_cancellable(t);
		return TUI_WORK;
	}
	return TUI_REDRAW;
}

static void vw_leave(struct screen *s, struct tui *t) { free(s->priv); }

static int vw_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action vw_bar_acts[] = { ACT_SELECT, ACT_NEXT, ACT_BACK, ACT_NONE };
static const enum tui_action *vw_bar(struct screen *s) { return vw_bar_acts; }

static const struct screen_ops vw_ops = {
	.name = "account-approval", .title = vw_title, .draw = vw_draw, .key = vw_key,
	.resize = vw_resize, .resume = vw_resume, .leave = vw_leave, .bar = vw_bar,
};

static struct screen *view_new(const struct qt_account_request *r)
{
	struct view *v = calloc(1, sizeof(*v));
	struct screen *s;

	if (!v)
		return NULL;
	v->r = *r;
	v->fields[V_APPROVE].kind = TF_BUTTON;
	v->fields[V_APPROVE].label = N_("Approve");
	v->fields[V_DECLINE].kind = TF_BUTTON;
	v->fields[V_DECLINE].label = N_("Decline");
	v->form.fields = v->fields;
	v->form.n = V_COUNT;
	v->form.label_w = 16;
	s = tui_screen_new(&vw_ops, v);
	if (s)
		s->tag = TAG_VIEW;
	else
		free(v);
	return s;
}

/* ---- The list -------------------------------------------------------------- */

enum ap_state { AP_ASKING, AP_LIST, AP_NOT_HEAD, AP_FAILED };

struct approvals {
	enum ap_state state;
	struct qt_account_request *r;
	size_t count;
	char bin[13];
	struct tui_list list;
	bool dirty;               /* rows replaced by the work: rebuild the list */
	char error[1024];
	char note[1024];          /* how the last decision went */
	bool note_bad;
};

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
	struct approvals *ap = ctx;
	const struct qt_account_request *r = &ap->r[i];

	snprintf(buf, size, "%s %s %s %s", r->info.number, r->full_name, r->info.iin,
	         r->info.storage);
	return buf;
}

/* Columns: number, name, IIN, date, storage; the name takes what is
 * left up to COL_NAME_MAX cells (wider terminals show more of it), the
 * storage the rest. */
#define COL_NAME_MAX 44
#define COL_NUM 12
#define COL_IIN 12
#define COL_DATE 10
#define COL_STORE 13

static void columns(int x, int w, int *cx)
{
	int name = w - (COL_NUM + COL_IIN + COL_DATE + COL_STORE + 4);

	if (name < 10)
		name = 10;
	if (name > COL_NAME_MAX)
		name = COL_NAME_MAX;
	cx[0] = x;
	cx[1] = cx[0] + COL_NUM + 1;
	cx[2] = cx[1] + name + 1;
	cx[3] = cx[2] + COL_IIN + 1;
	cx[4] = cx[3] + COL_DATE + 1;
	cx[5] = x + w;
}

static void row_draw(void *ctx, size_t row, int y, int x, int w, bool sel)
{
	struct approvals *ap = ctx;
	const struct qt_account_request *r = &ap->r[row];
	enum tui_role role = sel ? R_SELECTED : R_NORMAL;
	char date[11];
	int cx[6];

	columns(x, w, cx);
	acct_date(r->info.created_at, date);
	/* Each column ends a cell before the next: a long name is cut with
	 * an ellipsis instead of running into the IIN. */
	tui_put(y, x, w, "", role, true);
	tui_put(y, cx[0], cx[1] - 1 - cx[0], r->info.number, role, true);
	tui_put(y, cx[1], cx[2] - 1 - cx[1], r->full_name[0] ? r->full_name : "-", role, true);
	tui_put(y, cx[2], cx[3] - 1 - cx[2], r->info.iin, role, true);
	tui_put(y, cx[3], cx[4] - 1 - cx[3], date, role, true);
	tui_put(y, cx[4], cx[5] - cx[4], acct_storage_label(r->info.storage), role, true);
}

static const char *ap_title(struct screen *s) { return _("Personal account: approvals"); }

/* "Your key is ...": what the holder signed in as. */
static void not_head_text(char *buf, size_t size)
{
	const struct qt_account_holder *h = &acc.holder;

	if (h->bin[0] && strcmp(h->subject_type, "chairman") == 0)
		/* A first head's key whose holder the registry no longer names
		 * (a new head since the key was issued). */
		snprintf(buf, size, _("Only the first head of BIN %s approves re-issuances, and the "
		                      "registry no longer names you (%s, IIN %s) as its first head. "
		                      "Your key is a first head's key: it still signs in, but it "
		                      "approves nothing, so there is nothing here for you."), h->bin,
		         h->full_name, h->iin);
	else if (h->bin[0])
		snprintf(buf, size, _("Only the first head of BIN %s approves re-issuances, signed in "
		                      "with the first head's own key. Your key is that of %s as "
		                      "\"%s\": there is nothing here for you to approve. Your own "
		                      "re-issuances wait for the first head; \"Tracking the request "
		                      "status\" shows them."), h->bin, h->full_name,
		         type_label(h->subject_type));
	else
		snprintf(buf, size, _("Only the first head of an organisation approves its "
		                      "re-issuances, signed in with the first head's key of its BIN. "
		                      "Your key is an individual's key (%s, IIN %s): there is nothing "
		                      "here for you to approve. A first head signs in with that key "
		                      "instead."), h->full_name, h->iin);
}

static void rebuild(struct approvals *ap)
{
	if (!ap->dirty)
		return;
	tui_list_free(&ap->list);
	if (tui_list_init(&ap->list, ap->count, row_text, ap) == 0) {
		ap->list.draw_row = row_draw;
		ap->list.ctx = ap;
	}
	ap->dirty = false;
}

static void ap_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct approvals *ap = s->priv;
	int mw = w - 4, row = y + 1, cx[6];
	char buf[1600];

	rebuild(ap);
	switch (ap->state) {
	case AP_ASKING:
		return;
	case AP_NOT_HEAD:
		not_head_text(buf, sizeof(buf));
		tui_wrap(row, 2, 8, mw, buf, R_HEADING);
		return;
	case AP_FAILED:
		row += tui_wrap(row, 2, 8, mw, ap->error, R_ERROR) + 1;
		tui_put(row, 2, mw, _("F5 (or Ctrl-R) asks the portal again."), R_DIM, false);
		return;
	case AP_LIST:
		break;
	}
	if (ap->note[0])
		row += tui_wrap(row, 2, 3, mw, ap->note, ap->note_bad ? R_ERROR : R_GOOD) + 1;
	if (ap->error[0])
		row += tui_wrap(row, 2, 4, mw, ap->error, R_ERROR) + 1;
	if (ap->count == 0) {
		snprintf(buf, sizeof(buf), _("Nothing to approve: no re-issuance of BIN %s waits for "
		                             "you. F5 (or Ctrl-R) reads the list again."), ap->bin);
		tui_wrap(row, 2, 3, mw, buf, R_NORMAL);
		return;
	}
	snprintf(buf, sizeof(buf), dngettext(PACKAGE, "%zu re-issuance of BIN %s awaits your "
	                                     "approval. Enter opens it.",
	                                     "%zu re-issuances of BIN %s await your approval. "
	                                     "Enter opens one.", ap->count), ap->count, ap->bin);
	row += tui_wrap(row, 2, 2, mw, buf, R_HEADING) + 1;
	columns(4, mw - 2, cx);
	tui_put(row, cx[0], cx[1] - cx[0], _("Number"), R_DIM, true);
	tui_put(row, cx[1], cx[2] - cx[1], _("Employee"), R_DIM, true);
	tui_put(row, cx[2], cx[3] - cx[2], _("IIN"), R_DIM, true);
	tui_put(row, cx[3], cx[4] - cx[3], _("Date"), R_DIM, true);
	tui_put(row, cx[4], cx[5] - cx[4], _("Storage"), R_DIM, false);
	row++;
	tui_list_draw(&ap->list, row, 2, y + h - row, mw);
	(void)t;
	(void)x;
}

/* Work: the list, or "not_head". */
static int ap_load(struct screen *s, struct tui *t)
{
	struct approvals *ap = s->priv;
	struct qt_account_request *r = NULL;
	char ignore[512];
	size_t n = 0;
	qt_err rc;

	ap->error[0] = '\0';
	(void)enr_load_catalog(ignore, sizeof(ignore));   /* roles in words, if it can */
	rc = qt_account_approvals(acc.a, &r, &n);
	if (rc == QT_ERR_PORTAL_DENIED && enr.portal &&
	    strcmp(qt_portal_error_code(enr.portal), "not_head") == 0) {
		acc.is_head = 0;
		ap->state = AP_NOT_HEAD;
		free(r);
		r = NULL;
		n = 0;
	} else if (rc != QT_OK) {
		acct_explain(rc, ap->error, sizeof(ap->error));
		/* A list shown before stays; the error says it may be old. */
		if (ap->state != AP_LIST)
			ap->state = AP_FAILED;
		return TUI_REDRAW;
	} else {
		acc.is_head = 1;
		ap->state = AP_LIST;
		snprintf(ap->bin, sizeof(ap->bin), "%s", acc.holder.bin);
	}
	free(ap->r);
	ap->r = r;
	ap->count = n;
	ap->dirty = true;
	return TUI_REDRAW;
}

static int ap_start(struct tui *t)
{
	t->work = ap_load;
	t->work_label = _("Reading the requests");
	enr_cancellable(t);
	return TUI_WORK;
}

static int ap_enter(struct screen *s, struct tui *t)
{
	enr_status_note(t);
	return ap_start(t);
}

static int ap_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct approvals *ap = s->priv;
	size_t i;

	if (k->act == ACT_RELOAD) {
		ap->note[0] = '\0';
		return TUI_HANDLED | ap_start(t);
	}
	if (ap->state != AP_LIST)
		return 0;
	rebuild(ap);
	if (k->act == ACT_SELECT) {
		i = tui_list_selected(&ap->list);
		if (i == (size_t)-1)
			return TUI_HANDLED;
		t->push = view_new(&ap->r[i]);
		return TUI_HANDLED | TUI_PUSH;
	}
	return tui_list_key(&ap->list, k);
}

static int ap_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct approvals *ap = s->priv;
	int flags;

	if (acct_signing_out(t, r, &flags))
		return flags;
	/* Decided, or decided by someone else: the list has changed. */
	if (r->tag == TAG_VIEW && (r->code == DECIDED || r->code == STALE)) {
		snprintf(ap->note, sizeof(ap->note), "%.*s", (int)sizeof(ap->note) - 1, r->text);
		ap->note_bad = r->code == STALE;
		return ap_start(t) | TUI_REDRAW;
	}
	return TUI_REDRAW;
}

static void ap_leave(struct screen *s, struct tui *t)
{
	struct approvals *ap = s->priv;

	tui_list_free(&ap->list);
	free(ap->r);
	free(ap);
}

static int ap_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action ap_bar_acts[] = { ACT_SELECT, ACT_RELOAD, ACT_CLEAR, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *ap_bar(struct screen *s) { return ap_bar_acts; }

static const char *ap_bar_label(struct screen *s, enum tui_action a)
{
	switch (a) {
	case ACT_SELECT: return _("Open");
	case ACT_RELOAD: return _("Refresh");
	default: return NULL;
	}
}

static const struct screen_ops ap_ops = {
	.name = "account-approvals", .title = ap_title, .enter = ap_enter, .draw = ap_draw,
	.key = ap_key, .resize = ap_resize, .resume = ap_resume, .leave = ap_leave, .bar = ap_bar,
	.bar_label = ap_bar_label,
};

struct screen *screen_acct_approvals_new(void)
{
	struct approvals *ap = calloc(1, sizeof(*ap));
	struct screen *s;

	if (!ap)
		return NULL;
	s = tui_screen_new(&ap_ops, ap);
	if (!s)
		free(ap);
	return s;
}
