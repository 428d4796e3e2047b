/* Change of a key file's password: the current one, the new one checked
 * against the NCA policy as it is typed (the failing rule is named),
 * and the confirmation. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <qoltanba/keystore.h>
#include <qoltanba/password.h>
#include "screens/screens.h"
#include "i18n.h"

enum { F_OLD, F_NEW, F_CONFIRM, F_GO, F_COUNT };
#define PWBUF (TUI_FIELD_MAX * 4 + 1)

struct passwd {
	char path[4096];
	const char *name;
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	char error[1024];
	char rule[256];
};

static const char *new_check(struct tui_field *f, void *ctx)
{
	struct passwd *p = ctx;

	return tui_password_rule(f, p->rule, sizeof(p->rule));
}

static const char *confirm_check(struct tui_field *f, void *ctx)
{
	struct passwd *p = ctx;
	const struct tui_field *n = &p->fields[F_NEW];

	if (f->len != n->len || memcmp(f->text, n->text, f->len * sizeof(wchar_t)) != 0)
		return _("Differs from the new password");
	f->msg_ok = true;
	return _("Same");
}

static const char *pw_title(struct screen *s) { return _("Change the password"); }

static void pw_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct passwd *p = s->priv;

	tui_putf(y + 1, 2, w - 4, R_HEADING, "%s", p->name);
	tui_wrap(y + 2, 2, 3, w - 4, qt_password_policy_text(), R_DIM);
	tui_form_draw(&p->form, y + 5, 2, 6, w - 4);
	if (p->error[0])
		tui_wrap(y + 12, 2, 4, w - 4, p->error, R_ERROR);
	tui_wrap(y + h - 3, 2, 2, w - 4,
	         _("The password cannot be recovered: if it is lost, the keys must be revoked."),
	         R_DIM);
	(void)t;
}

static int pw_change(struct screen *s, struct tui *t)
{
	struct passwd *p = s->priv;
	char o[PWBUF], n[PWBUF];
	qt_err rc;

	tui_field_get(&p->fields[F_OLD], o, sizeof(o));
	tui_field_get(&p->fields[F_NEW], n, sizeof(n));
	rc = qt_keyfile_change_password(p->path, o, n);
	OPENSSL_cleanse(o, sizeof(o));
	OPENSSL_cleanse(n, sizeof(n));
	if (rc == QT_OK) {
		tui_form_wipe(&p->form);
		t->result.code = 1;
		t->result.tag = 1;
		t->has_result = true;
		return TUI_POP;
	}
	if (rc == QT_ERR_BAD_PASSWORD) {
		tui_field_wipe(&p->fields[F_OLD]);
		p->fields[F_OLD].msg = _("Wrong password");
		p->fields[F_OLD].touched = true;
		p->form.focus = F_OLD;
	}
	snprintf(p->error, sizeof(p->error), "%s %s", qt_strerror(rc),
	         rc == QT_ERR_BAD_PASSWORD ? "" : qt_error_detail());
	return TUI_REDRAW;
}

static int pw_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct passwd *p = s->priv;
	bool submit;
	int r, bad;

	r = tui_form_key(&p->form, k, &submit);
	/* The confirmation follows the new password as it changes. */
	if (p->fields[F_CONFIRM].len || p->fields[F_CONFIRM].touched) {
		p->fields[F_CONFIRM].msg_ok = false;
		p->fields[F_CONFIRM].msg = confirm_check(&p->fields[F_CONFIRM], p);
	}
	if (!submit)
		return r;
	p->error[0] = '\0';
	bad = tui_form_check(&p->form, true);
	if (bad >= 0) {
		p->form.focus = bad;
		return TUI_HANDLED | TUI_REDRAW;
	}
	t->work = pw_change;
	t->work_label = _("Changing the password");
	return TUI_HANDLED | TUI_WORK;
}

static void pw_leave(struct screen *s, struct tui *t)
{
	struct passwd *p = s->priv;

	tui_form_wipe(&p->form);
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

static int pw_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action pw_bar_acts[] = { ACT_SUBMIT, ACT_NEXT, ACT_SHOW_SECRET, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *pw_bar(struct screen *s) { return pw_bar_acts; }

static const struct screen_ops pw_ops = {
	.name = "change-password", .title = pw_title, .draw = pw_draw, .key = pw_key,
	.resize = pw_resize, .leave = pw_leave, .bar = pw_bar,
};

struct screen *screen_passwd_new(const char *path)
{
	struct passwd *p = calloc(1, sizeof(*p));
	const char *slash;
	int i;

	if (!p)
		return NULL;
	snprintf(p->path, sizeof(p->path), "%s", path);
	slash = strrchr(p->path, '/');
	p->name = slash ? slash + 1 : p->path;
	p->fields[F_OLD].label = N_("Current password");
	p->fields[F_OLD].required = true;
	p->fields[F_NEW].label = N_("New password");
	p->fields[F_NEW].required = true;
	p->fields[F_NEW].validate = new_check;
	p->fields[F_CONFIRM].label = N_("New password again");
	p->fields[F_CONFIRM].required = true;
	p->fields[F_CONFIRM].validate = confirm_check;
	for (i = F_OLD; i <= F_CONFIRM; i++) {
		p->fields[i].kind = TF_PASSWORD;
		p->fields[i].max = 64;
	}
	p->fields[F_GO].kind = TF_BUTTON;
	p->fields[F_GO].label = N_("Change the password");
	p->form.fields = p->fields;
	p->form.n = F_COUNT;
	p->form.label_w = 22;
	p->form.ctx = p;
	return tui_screen_new(&pw_ops, p);
}
