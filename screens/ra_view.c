/* Registration Authority console: one application, as the registers know
 * the applicant, with Approve (the portal's CA issues AUTH and SIGN) or
 * Reject with a reason the applicant will read. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "screens/screens.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { F_APPROVE, F_REASON, F_REJECT, F_COUNT };

struct raview {
	char number[40];
	struct qt_app_info info;
	bool loaded;
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	char error[1024];
	char note[512];
	bool want_reject;
};

static const char *reason_check(struct tui_field *f, void *ctx)
{
	struct raview *v = ctx;

	if (v->want_reject && f->len == 0)
		return _("Required to reject");
	return NULL;
}

static const char *rv_title(struct screen *s) { return _("Registration Authority: application"); }

static void kv(int *row, int w, const char *k, const char *v)
{
	tui_put(*row, 2, 18, k, R_DIM, true);
	tui_put(*row, 20, w - 20, v, R_NORMAL, false);
	(*row)++;
}

static void rv_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct raview *v = s->priv;
	struct qt_app_info *a = &v->info;
	int mw = w - 4, row = y + 1;
	char buf[1024], when[32];
	struct tm tm;
	const struct qt_subject_type *st;

	if (!v->loaded) {
		tui_wrap(row, 2, 4, mw, v->error, R_ERROR);
		return;
	}
	snprintf(buf, sizeof(buf), "%s %s: %s", _("Application"), a->number,
	         qt_app_status_label(a->status));
	tui_put(row++, 2, mw, buf, R_HEADING, false);
	row++;
	st = enr.catalog ? qt_catalog_subject_type(enr.catalog, a->subject_type) : NULL;
	kv(&row, w - 2, _("Section"), st ? enr_type_label(st) : a->subject_type);
	snprintf(buf, sizeof(buf), "%s  %s", a->iin, a->full_name);
	kv(&row, w - 2, _("Applicant"), buf);
	if (a->bin[0]) {
		snprintf(buf, sizeof(buf), "%s  %s", a->bin, a->organization);
		kv(&row, w - 2, _("Organisation"), buf);
	}
	kv(&row, w - 2, _("E-mail"), a->email[0] ? a->email : _("(none)"));
	{
		const struct qt_region *rg = enr.catalog ? qt_catalog_region(enr.catalog, a->region)
		                                         : NULL;
		const struct qt_i18n *c = rg ? qt_catalog_city(rg, a->city) : NULL;

		snprintf(buf, sizeof(buf), "%s, %s", c ? qt_i18n_get(c, enr_lang()) : a->city,
		         rg ? qt_i18n_get(&rg->name, enr_lang()) : a->region);
	}
	kv(&row, w - 2, _("Place"), buf);
	{
		const struct qt_storage_type *sg = enr.catalog ? qt_catalog_storage(enr.catalog,
		                                                                      a->storage) : NULL;

		kv(&row, w - 2, _("Storage"), sg ? sg->label : a->storage);
	}
	gmtime_r(&a->created_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	kv(&row, w - 2, _("Submitted"), when);
	if (a->reason[0])
		kv(&row, w - 2, _("Reason"), a->reason);
	if (a->decided_by[0])
		kv(&row, w - 2, _("Decided by"), a->decided_by);
	row++;
	if (a->status == QT_APP_PENDING) {
		tui_form_draw(&v->form, row, 2, 5, mw);
		row += 5;
	}
	if (v->error[0])
		tui_wrap(row, 2, y + h - row, mw, v->error, R_ERROR);
	else if (v->note[0])
		tui_wrap(row, 2, y + h - row, mw, v->note, R_GOOD);
	(void)t;
	(void)x;
}

static int rv_load(struct screen *s, struct tui *t)
{
	struct raview *v = s->priv;
	qt_err rc;

	v->error[0] = '\0';
	rc = qt_portal_ra_view(enr.portal, v->number, &v->info, NULL);
	v->loaded = rc == QT_OK;
	if (rc != QT_OK)
		enr_explain(rc, v->error, sizeof(v->error));
	return TUI_REDRAW;
}

static int rv_approve(struct screen *s, struct tui *t)
{
	struct raview *v = s->priv;
	qt_err rc;

	char name[sizeof(v->info.full_name)], org[sizeof(v->info.organization)];

	v->error[0] = v->note[0] = '\0';
	/* The decision's answer may leave the register names out. */
	memcpy(name, v->info.full_name, sizeof(name));
	memcpy(org, v->info.organization, sizeof(org));
	rc = qt_portal_ra_approve(enr.portal, v->number, &v->info);
	if (!v->info.full_name[0])
		memcpy(v->info.full_name, name, sizeof(name));
	if (!v->info.organization[0])
		memcpy(v->info.organization, org, sizeof(org));
	if (rc != QT_OK) {
		enr_explain(rc, v->error, sizeof(v->error));
		return TUI_REDRAW;
	}
	snprintf(v->note, sizeof(v->note), _("Approved: the certificates of %s are issued. The "
	                                     "applicant can install them now."), v->number);
	return TUI_REDRAW;
}

static int rv_reject(struct screen *s, struct tui *t)
{
	struct raview *v = s->priv;
	char reason[TUI_FIELD_MAX * 4 + 1];
	qt_err rc;

	char name[sizeof(v->info.full_name)], org[sizeof(v->info.organization)];

	v->error[0] = v->note[0] = '\0';
	memcpy(name, v->info.full_name, sizeof(name));
	memcpy(org, v->info.organization, sizeof(org));
	tui_field_get(&v->fields[F_REASON], reason, sizeof(reason));
	rc = qt_portal_ra_reject(enr.portal, v->number, reason, &v->info);
	if (!v->info.full_name[0])
		memcpy(v->info.full_name, name, sizeof(name));
	if (!v->info.organization[0])
		memcpy(v->info.organization, org, sizeof(org));
	if (rc != QT_OK) {
		enr_explain(rc, v->error, sizeof(v->error));
		return TUI_REDRAW;
	}
	snprintf(v->note, sizeof(v->note), _("Rejected: %s."), v->number);
	return TUI_REDRAW;
}

static int rv_enter(struct screen *s, struct tui *t)
{
	t->work = rv_load;
	t->work_label = _("Reading the application");
	return TUI_WORK;
}

static int rv_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct raview *v = s->priv;
	bool submit;
	int r;

	if (k->act == ACT_RELOAD)
		return rv_enter(s, t) | TUI_HANDLED;
	if (!v->loaded || v->info.status != QT_APP_PENDING)
		return 0;
	r = tui_form_key(&v->form, k, &submit);
	if (!submit)
		return r;
	v->want_reject = v->form.focus == F_REJECT || v->form.focus == F_REASON;
	if (v->want_reject) {
		struct tui_field *f = &v->fields[F_REASON];

		f->touched = true;
		f->msg = reason_check(f, v);
		if (f->msg) {
			v->form.focus = F_REASON;
			snprintf(v->error, sizeof(v->error), "%s",
			         _("Write why the application is rejected: the applicant reads it."));
			return TUI_HANDLED | TUI_REDRAW;
		}
		t->work = rv_reject;
		t->work_label = _("Rejecting");
		return TUI_HANDLED | TUI_WORK;
	}
	t->work = rv_approve;
	t->work_label = _("Approving: the CA issues the certificates");
	return TUI_HANDLED | TUI_WORK;
}

static void rv_leave(struct screen *s, struct tui *t) { free(s->priv); }
static int rv_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action rv_bar_acts[] = { ACT_SELECT, ACT_NEXT, ACT_RELOAD, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *rv_bar(struct screen *s) { return rv_bar_acts; }

static const struct screen_ops rv_ops = {
	.name = "ra-view", .title = rv_title, .enter = rv_enter, .draw = rv_draw, .key = rv_key,
	.resize = rv_resize, .leave = rv_leave, .bar = rv_bar,
};

struct screen *screen_ra_view_new(const char *number)
{
	struct raview *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	snprintf(v->number, sizeof(v->number), "%s", number);
	v->fields[F_APPROVE].kind = TF_BUTTON;
	v->fields[F_APPROVE].label = N_("Approve");
	v->fields[F_REASON].kind = TF_TEXT;
	v->fields[F_REASON].label = N_("Reason to reject");
	v->fields[F_REASON].max = 250;
	v->fields[F_REASON].validate = reason_check;
	v->fields[F_REJECT].kind = TF_BUTTON;
	v->fields[F_REJECT].label = N_("Reject");
	v->form.fields = v->fields;
	v->form.n = F_COUNT;
	v->form.label_w = 18;
	v->form.ctx = v;
	return tui_screen_new(&rv_ops, v);
}
