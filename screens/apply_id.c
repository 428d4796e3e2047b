/* BIN and/or IIN with the captcha (domain.md 1, step 3).  The numbers
 * are checked as they are typed (length, then the check digit, with
 * qt_bin_parse / qt_iin_parse: a typo never costs a captcha); "Check"
 * asks the portal's registries, and the names found are shown beside
 * the fields.  A registry miss and a wrong code each have their own
 * message; a wrong code brings a fresh picture. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <qoltanba/idnum.h>
#include "screens/enroll.h"
#include "i18n.h"

enum { F_BIN, F_IIN, F_CODE, F_GO, F_COUNT };

struct idpage {
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	char bin_msg[300], iin_msg[300], code_msg[300];
	char error[1024];
	bool captcha_failed;     /* the last captcha request failed */
	bool ready;              /* everything needed is checked */
	int base;                /* F_IIN for individuals: no BIN row */
	char bin_missing[13], iin_missing[13];   /* not in the registers */
	char head_warning[600];
};

static const char *idnum_msg(struct tui_field *f, bool bin, char *buf, size_t size)
{
	char num[64];
	qt_err rc;

	if (f->len < 12) {
		snprintf(buf, size, _("%zu of 12 digits"), f->len);
		return buf;
	}
	tui_field_get(f, num, sizeof(num));
	rc = bin ? qt_bin_parse(num, NULL) : qt_iin_parse(num, NULL);
	switch (rc) {
	case QT_OK:
		return NULL;
	case QT_ERR_IDNUM_CHECKSUM:
		snprintf(buf, size, "%s", _("Wrong check digit: a typo?"));
		return buf;
	case QT_ERR_IDNUM_DATE:
		snprintf(buf, size, "%s", bin ? _("Impossible registration date")
		                               : _("Impossible date of birth"));
		return buf;
	case QT_ERR_IDNUM_CENTURY:
		snprintf(buf, size, "%s", _("7th digit must be 1 to 6"));
		return buf;
	case QT_ERR_IDNUM_TYPE:
		snprintf(buf, size, "%s", _("5th digit must be 4, 5 or 6"));
		return buf;
	case QT_ERR_IDNUM_UNIT:
		snprintf(buf, size, "%s", _("6th digit must be 0 to 3"));
		return buf;
	default:
		snprintf(buf, size, "%s", qt_strerror(rc));
		return buf;
	}
}

static const char *bin_check(struct tui_field *f, void *ctx)
{
	struct idpage *p = ctx;

	if (enr.app->bin_checked) {
		f->msg_ok = true;
		return enr.app->entity.name;
	}
	if (p->bin_missing[0]) {
		char now[64];

		tui_field_get(f, now, sizeof(now));
		if (strcmp(now, p->bin_missing) == 0)
			return _("Not in the register");
	}
	return idnum_msg(f, true, p->bin_msg, sizeof(p->bin_msg));
}

static const char *iin_check(struct tui_field *f, void *ctx)
{
	struct idpage *p = ctx;

	if (enr.app->iin_checked) {
		f->msg_ok = true;
		return enr.app->person.full_name;
	}
	if (p->iin_missing[0]) {
		char now[64];

		tui_field_get(f, now, sizeof(now));
		if (strcmp(now, p->iin_missing) == 0)
			return _("Not in the register");
	}
	return idnum_msg(f, false, p->iin_msg, sizeof(p->iin_msg));
}

static const char *code_check(struct tui_field *f, void *ctx)
{
	struct idpage *p = ctx;

	if (p->code_msg[0])
		return p->code_msg;
	if (f->len == 0)
		return _("Type the digits of the picture");
	return NULL;
}

static const char *id_title(struct screen *s) { return _("Checking the applicant"); }

static void id_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct idpage *p = s->priv;
	struct enr_app *a = enr.app;
	int mw = w - 4, row = y + 1;
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s: %s", _("Section"), enr_type_label(a->type));
	tui_put(row++, 2, mw, buf, R_HEADING, false);
	tui_put(row++, 2, mw, a->type->requires_bin ?
	        _("Type the organisation's BIN and your IIN, the code, then Check.") :
	        _("Type your IIN and the code from the picture, then Check."), R_DIM, false);
	row++;
	tui_form_draw(&p->form, row, 2, 6, mw);
	row += 6;
	if (a->captcha.required) {
		int i = 0;
		const char *line = a->captcha.art;

		tui_put(row++, 2, mw, _("Code from the picture:"), R_DIM, false);
		while (line && *line && i < 7) {
			const char *nl = strchr(line, '\n');
			size_t n = nl ? (size_t)(nl - line) : strlen(line);

			snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
			tui_put(row++, 4, mw - 2, buf, R_NORMAL, false);
			line = nl ? nl + 1 : NULL;
			i++;
		}
	} else if (!p->captcha_failed && enr.portal) {
		tui_put(row++, 2, mw, _("This portal asks no captcha code."), R_DIM, false);
	}
	row++;
	if (p->error[0])
		tui_wrap(row, 2, y + h - row, mw, p->error, R_ERROR);
	else if (p->head_warning[0])
		tui_wrap(row, 2, y + h - row, mw, p->head_warning, R_WARN);
	else if (p->ready)
		tui_wrap(row, 2, y + h - row, mw, _("Checked. Press Enter (or F2) to go on."), R_GOOD);
	(void)t;
	(void)x;
}

static void new_captcha(struct idpage *p)
{
	struct enr_app *a = enr.app;
	qt_err rc;

	tui_field_wipe(&p->fields[F_CODE]);
	memset(&a->captcha, 0, sizeof(a->captcha));
	rc = qt_portal_captcha(enr.portal, &a->captcha);
	p->captcha_failed = rc != QT_OK;
	if (rc != QT_OK)
		enr_explain(rc, p->error, sizeof(p->error));
}

static void layout(struct idpage *p)
{
	struct enr_app *a = enr.app;

	p->fields[F_CODE].disabled = !a->captcha.required;
	p->ready = a->iin_checked && (!a->type->requires_bin || a->bin_checked);
	p->fields[F_GO].label = p->ready ? N_("Next") : N_("Check");
	if (p->fields[p->form.focus + p->base].disabled)
		p->form.focus = F_IIN - p->base;
}

/* Work: connect and get a picture. */
static int id_start(struct screen *s, struct tui *t)
{
	struct idpage *p = s->priv;

	p->error[0] = '\0';
	if (enr_connect(p->error, sizeof(p->error)) != QT_OK) {
		p->captcha_failed = true;
		return TUI_REDRAW;
	}
	new_captcha(p);
	return TUI_REDRAW;
}

/* Work: the registry checks. */
static int id_check_run(struct screen *s, struct tui *t);

/* The messages beside the fields follow what the portal said. */
static int id_check(struct screen *s, struct tui *t)
{
	struct idpage *p = s->priv;
	int r = id_check_run(s, t);

	layout(p);
	tui_form_check(&p->form, false);
	return r;
}

static int id_check_run(struct screen *s, struct tui *t)
{
	struct idpage *p = s->priv;
	struct enr_app *a = enr.app;
	struct qt_captcha_answer ca = { NULL, NULL };
	qt_err rc = QT_OK;

	p->error[0] = p->code_msg[0] = p->head_warning[0] = '\0';
	if (enr_connect(p->error, sizeof(p->error)) != QT_OK)
		return TUI_REDRAW;
	tui_field_get(&p->fields[F_CODE], a->captcha_answer, sizeof(a->captcha_answer));
	if (a->captcha.required) {
		ca.id = a->captcha.id;
		ca.answer = a->captcha_answer;
	}
	if (a->type->requires_bin && !a->bin_checked) {
		tui_field_get(&p->fields[F_BIN], a->bin, sizeof(a->bin));
		rc = qt_portal_check_bin(enr.portal, a->bin, &ca, &a->entity);
		if (rc == QT_OK) {
			a->bin_checked = true;
		} else if (rc == QT_ERR_REGISTRY) {
			snprintf(p->bin_missing, sizeof(p->bin_missing), "%s", a->bin);
			p->fields[F_BIN].touched = true;
			p->form.focus = F_BIN - p->base;
			snprintf(p->error, sizeof(p->error), "%s",
			         _("The national register of legal entities has no organisation with "
			           "this BIN. Check the number on the registration certificate."));
			return TUI_REDRAW;
		}
	}
	if (rc == QT_OK && !a->iin_checked) {
		tui_field_get(&p->fields[F_IIN], a->iin, sizeof(a->iin));
		rc = qt_portal_check_iin(enr.portal, a->iin, &ca, &a->person);
		if (rc == QT_OK) {
			a->iin_checked = true;
		} else if (rc == QT_ERR_REGISTRY) {
			snprintf(p->iin_missing, sizeof(p->iin_missing), "%s", a->iin);
			p->fields[F_IIN].touched = true;
			p->form.focus = F_IIN - p->base;
			snprintf(p->error, sizeof(p->error), "%s",
			         _("The national register of individuals has no person with this IIN. "
			           "Check the number on your identity document."));
			return TUI_REDRAW;
		}
	}
	if (rc == QT_ERR_CAPTCHA) {
		snprintf(p->code_msg, sizeof(p->code_msg), "%s", _("Wrong code: try the new picture"));
		p->fields[F_CODE].touched = true;
		p->form.focus = F_CODE - p->base;
		snprintf(p->error, sizeof(p->error), "%s",
		         _("The code did not match the picture (or the picture expired). Here is a "
		           "new one."));
		{
			char keep[sizeof(p->error)];

			memcpy(keep, p->error, sizeof(keep));
			new_captcha(p);
			if (!p->error[0])
				memcpy(p->error, keep, sizeof(keep));
		}
		return TUI_REDRAW;
	}
	if (rc != QT_OK) {
		enr_explain(rc, p->error, sizeof(p->error));
		return TUI_REDRAW;
	}
	if (a->type->must_be_head && a->bin_checked && a->iin_checked &&
	    strcmp(a->entity.head_full_name, a->person.full_name) != 0)
		snprintf(p->head_warning, sizeof(p->head_warning),
		         _("The register names %s as the head of %s, not %s. Choose another section "
		           "(Esc twice) or another IIN."), a->entity.head_full_name, a->entity.name,
		         a->person.full_name);
	return TUI_REDRAW;
}

static int id_enter(struct screen *s, struct tui *t)
{
	layout(s->priv);
	t->work = id_start;
	t->work_label = _("Asking the portal for a captcha");
	return TUI_WORK;
}

static int id_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct idpage *p = s->priv;
	struct enr_app *a = enr.app;
	char before_bin[13], before_iin[13], now[13];
	bool submit;
	int r, bad;

	layout(p);
	enr_status_note(t);
	if (k->act == ACT_RELOAD) {
		t->work = id_start;
		t->work_label = _("Asking the portal for a captcha");
		return TUI_HANDLED | TUI_WORK;
	}
	tui_field_get(&p->fields[F_BIN], before_bin, sizeof(before_bin));
	tui_field_get(&p->fields[F_IIN], before_iin, sizeof(before_iin));
	if (p->form.focus + p->base == F_CODE)
		p->code_msg[0] = '\0';
	r = tui_form_key(&p->form, k, &submit);
	/* A number changed after its check: check it again. */
	tui_field_get(&p->fields[F_BIN], now, sizeof(now));
	if (strcmp(now, before_bin) != 0 && a->bin_checked) {
		a->bin_checked = false;
		memset(&a->entity, 0, sizeof(a->entity));
		p->head_warning[0] = '\0';
	}
	tui_field_get(&p->fields[F_IIN], now, sizeof(now));
	if (strcmp(now, before_iin) != 0 && a->iin_checked) {
		a->iin_checked = false;
		memset(&a->person, 0, sizeof(a->person));
		p->head_warning[0] = '\0';
	}
	if (!submit) {
		layout(p);
		return r;
	}
	p->error[0] = '\0';
	layout(p);
	if (p->ready) {
		if (p->head_warning[0])
			return TUI_HANDLED | TUI_REDRAW;
		t->push = screen_apply_email_new();
		return TUI_HANDLED | TUI_PUSH;
	}
	p->code_msg[0] = '\0';
	bad = tui_form_check(&p->form, true);
	if (bad >= 0) {
		p->form.focus = bad;
		snprintf(p->error, sizeof(p->error), "%s",
		         _("Correct the fields marked with a cross first."));
		return TUI_HANDLED | TUI_REDRAW;
	}
	t->work = id_check;
	t->work_label = _("Checking with the national registers");
	return TUI_HANDLED | TUI_WORK;
}

static int id_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	int flags;

	if (enr_finishing(t, r, &flags))
		return flags;
	return TUI_REDRAW;
}

static void id_draw_laid(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct idpage *p = s->priv;

	layout(p);
	id_draw(s, t, y, x, h, w);
}

static void id_leave(struct screen *s, struct tui *t)
{
	struct idpage *p = s->priv;

	tui_form_wipe(&p->form);
	free(p);
}

static int id_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action id_bar_acts[] = { ACT_SUBMIT, ACT_NEXT, ACT_RELOAD, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *id_bar(struct screen *s) { return id_bar_acts; }

static const struct screen_ops id_ops = {
	.name = "apply-id", .title = id_title, .enter = id_enter, .draw = id_draw_laid,
	.key = id_key, .resize = id_resize, .resume = id_resume, .leave = id_leave, .bar = id_bar,
};

struct screen *screen_apply_id_new(void)
{
	struct idpage *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->fields[F_BIN].kind = TF_DIGITS;
	p->fields[F_BIN].label = N_("BIN of the organisation");
	p->fields[F_BIN].max = 12;
	p->fields[F_BIN].required = true;
	p->fields[F_BIN].validate = bin_check;
	p->fields[F_IIN].kind = TF_DIGITS;
	p->fields[F_IIN].label = N_("Your IIN");
	p->fields[F_IIN].max = 12;
	p->fields[F_IIN].required = true;
	p->fields[F_IIN].validate = iin_check;
	p->fields[F_CODE].kind = TF_DIGITS;
	p->fields[F_CODE].label = N_("Code");
	p->fields[F_CODE].max = 8;
	p->fields[F_CODE].validate = code_check;
	p->fields[F_GO].kind = TF_BUTTON;
	p->fields[F_GO].label = N_("Check");
	p->base = enr.app && enr.app->type->requires_bin ? F_BIN : F_IIN;
	p->form.fields = p->fields + p->base;
	p->form.n = F_COUNT - p->base;
	p->form.label_w = 24;
	p->form.ctx = p;
	p->form.focus = 0;
	return tui_screen_new(&id_ops, p);
}
