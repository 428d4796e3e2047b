/* Registration Authority console, sign-in: the operator's key file
 * (from `qoltanbad operator add`) and its password.  With the local
 * portal both are known: the key file is filled in, and the password is
 * read from its 0600 file into the masked field (never shown). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/secret.h>
#include "screens/screens.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { F_KEY, F_PW, F_GO, F_COUNT };
enum { TAG_FOLDER = 1 };

struct ralogin {
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	char error[1024];
	char operator_name[256];
	bool connected;
};

static const char *rl_title(struct screen *s) { return _("Registration Authority: sign in"); }

static void rl_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct ralogin *r = s->priv;
	int mw = w - 4, row = y + 1;

	row += tui_wrap(row, 2, 3, mw,
	                _("For operators of a Registration Authority: sign in with your operator "
	                  "key file and its password to verify applications."), R_NORMAL);
	row++;
	if (enr.local)
		row += tui_wrap(row, 2, 2, mw,
		                _("This is the local portal: its operator key and password are filled "
		                  "in."), R_DIM) + 1;
	tui_form_draw(&r->form, row, 2, 4, mw);
	row += 5;
	if (r->error[0])
		tui_wrap(row, 2, y + h - row, mw, r->error, R_ERROR);
	(void)t;
	(void)x;
}

static int rl_connect(struct screen *s, struct tui *t)
{
	struct ralogin *r = s->priv;
	unsigned char *pw = NULL;
	size_t len = 0;

	r->error[0] = '\0';
	/* The catalog names sections and places in the queue. */
	if (enr_load_catalog(r->error, sizeof(r->error)) != QT_OK)
		return TUI_REDRAW;
	r->connected = true;
	if (enr.local && r->fields[F_KEY].len == 0) {
		tui_field_set(&r->fields[F_KEY], qt_localportal_operator_key(enr.local));
		if (qt_read_file(qt_localportal_operator_password_file(enr.local), 1024, &pw, &len) ==
		    QT_OK) {
			while (len && (pw[len - 1] == '\n' || pw[len - 1] == '\r'))
				pw[--len] = '\0';
			tui_field_set(&r->fields[F_PW], (char *)pw);
			qt_free_secret(pw, len);
			r->form.focus = F_GO;
		}
	}
	return TUI_REDRAW;
}

static int rl_work(struct screen *s, struct tui *t)
{
	struct ralogin *r = s->priv;
	char key[TUI_FIELD_MAX * 4 + 1], pw[ENR_PWBUF];
	qt_err rc;

	r->error[0] = '\0';
	if (enr_connect(r->error, sizeof(r->error)) != QT_OK)
		return TUI_REDRAW;
	tui_field_get(&r->fields[F_KEY], key, sizeof(key));
	tui_field_get(&r->fields[F_PW], pw, sizeof(pw));
	rc = qt_portal_ra_login_file(enr.portal, key, pw, r->operator_name,
	                             sizeof(r->operator_name));
	OPENSSL_cleanse(pw, sizeof(pw));
	if (rc == QT_OK) {
		tui_form_wipe(&r->form);
		t->push = screen_ra_queue_new();
		return TUI_POP | TUI_PUSH;
	}
	if (rc == QT_ERR_BAD_PASSWORD) {
		tui_field_wipe(&r->fields[F_PW]);
		r->fields[F_PW].touched = true;
		r->form.focus = F_PW;
		snprintf(r->error, sizeof(r->error), "%s",
		         _("Wrong password for this key file. Type it again."));
		return TUI_REDRAW;
	}
	if (rc == QT_ERR_PORTAL_DENIED) {
		snprintf(r->error, sizeof(r->error), "%s %s",
		         _("The portal does not know this key as an operator's (or its certificate "
		           "is not valid now)."), qt_portal_error_message(enr.portal));
		return TUI_REDRAW;
	}
	enr_explain(rc, r->error, sizeof(r->error));
	return TUI_REDRAW;
}

static int rl_enter(struct screen *s, struct tui *t)
{
	t->work = rl_connect;
	t->work_label = _("Connecting to the portal");
	return TUI_WORK;
}

static int rl_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct ralogin *r = s->priv;
	char path[TUI_FIELD_MAX * 4 + 1];
	bool submit;
	int rr;

	enr_status_note(t);
	if (k->act == ACT_RELOAD)
		return rl_enter(s, t) | TUI_HANDLED;
	if (k->act == ACT_BROWSE) {
		tui_field_get(&r->fields[F_KEY], path, sizeof(path));
		t->push = tui_folder_picker_new(path, TAG_FOLDER);
		return TUI_HANDLED | TUI_PUSH;
	}
	rr = tui_form_key(&r->form, k, &submit);
	if (!submit)
		return rr;
	if (tui_form_check(&r->form, true) >= 0)
		return TUI_HANDLED | TUI_REDRAW;
	t->work = rl_work;
	t->work_label = _("Signing in");
	return TUI_HANDLED | TUI_WORK;
}

static int rl_resume(struct screen *s, struct tui *t, const struct tui_result *res)
{
	struct ralogin *r = s->priv;

	/* The folder picker gives a folder: the key file is typed after it. */
	if (res->tag == TAG_FOLDER && res->code == 1) {
		char buf[4200];

		snprintf(buf, sizeof(buf), "%s/", res->text);
		tui_field_set(&r->fields[F_KEY], buf);
		r->form.focus = F_KEY;
	}
	return TUI_REDRAW;
}

static void rl_leave(struct screen *s, struct tui *t)
{
	struct ralogin *r = s->priv;

	tui_form_wipe(&r->form);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

static int rl_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action rl_bar_acts[] = { ACT_SUBMIT, ACT_BROWSE, ACT_SHOW_SECRET,
                                               ACT_RELOAD, ACT_BACK, ACT_NONE };
static const enum tui_action *rl_bar(struct screen *s) { return rl_bar_acts; }

static const struct screen_ops rl_ops = {
	.name = "ra-login", .title = rl_title, .enter = rl_enter, .draw = rl_draw, .key = rl_key,
	.resize = rl_resize, .resume = rl_resume, .leave = rl_leave, .bar = rl_bar,
};

struct screen *screen_ra_login_new(void)
{
	struct ralogin *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fields[F_KEY].kind = TF_TEXT;
	r->fields[F_KEY].label = N_("Operator key file");
	r->fields[F_KEY].required = true;
	r->fields[F_PW].kind = TF_PASSWORD;
	r->fields[F_PW].label = N_("Password");
	r->fields[F_PW].required = true;
	r->fields[F_PW].max = 64;
	r->fields[F_GO].kind = TF_BUTTON;
	r->fields[F_GO].label = N_("Sign in");
	r->form.fields = r->fields;
	r->form.n = F_COUNT;
	r->form.label_w = 20;
	r->form.ctx = r;
	return tui_screen_new(&rl_ops, r);
}
