/* A token's PIN: logging in (the PIN state shown before the attempt:
 * count low, final try, locked; the factory-PIN warning with an offer
 * to change it now), and the change of PIN (current, new twice; a
 * factory PIN is refused as the new one).  PINs are typed into our own
 * masked field, converted to UTF-8 only for the engine call, and wiped. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <qoltanba/atr.h>
#include <qoltanba/token.h>
#include "screens/screens.h"
#include "i18n.h"

#define PINBUF (TUI_FIELD_MAX * 4 + 1)
enum { TAG_FACTORY = 1 };

/* The token in one line: "T — SoftHSM v2, serial 1234, Kaztoken". */
static void token_line(const struct qt_token_info *ti, char *buf, size_t size)
{
	snprintf(buf, size, _("%s: %s, serial %s"), ti->label, ti->model, ti->serial);
	if (ti->medium != QT_STORAGE_UNKNOWN)
		snprintf(buf + strlen(buf), size - strlen(buf), ", %s", qt_medium_label(ti->medium));
}

/* The PIN state before the next attempt, in words; returns lines used. */
static int draw_pin_state(const struct qt_token_info *ti, int y, int x, int h, int w)
{
	char buf[512];
	enum tui_role r = R_GOOD;

	switch (ti->pin_state) {
	case QT_PIN_OK:
		r = R_GOOD;
		break;
	case QT_PIN_COUNT_LOW:
		r = R_WARN;
		break;
	default:
		r = R_ERROR;
		break;
	}
	snprintf(buf, sizeof(buf), _("PIN state: %s"), qt_pin_state_label(ti->pin_state));
	if (ti->pin_state == QT_PIN_LOCKED)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ". %s",
		         qt_strerror(QT_ERR_PIN_LOCKED));
	return tui_wrap(y, x, h, w, buf, r);
}

/* The token's line and its PIN state, from row y at column 2; returns
 * lines used. */
static int draw_token_head(const struct qt_token_info *ti, int y, int w)
{
	char buf[600];
	int n;

	token_line(ti, buf, sizeof(buf));
	n = tui_wrap(y, 2, 2, w, buf, R_HEADING);
	return n + draw_pin_state(ti, y + n, 2, 3, w);
}

/* ---- Log in -------------------------------------------------------------- */

enum { L_PIN, L_GO, L_COUNT };

struct tokpin {
	qt_token *tok;
	struct qt_token_info info;
	struct tui_field fields[L_COUNT];
	struct tui_form form;
	char error[1024];
	bool factory;
};

static const char *tl_title(struct screen *s) { return _("Token PIN"); }

static void tl_refresh(struct tokpin *p)
{
	qt_err rc = qt_token_info(p->tok, &p->info);

	if (rc != QT_OK)
		snprintf(p->error, sizeof(p->error), "%s %s", qt_strerror(rc), qt_error_detail());
	p->fields[L_PIN].disabled = p->info.pin_state == QT_PIN_LOCKED ||
	                            p->info.protected_auth_path;
	if (p->fields[L_PIN].disabled)
		p->form.focus = L_GO;
}

static int tl_enter(struct screen *s, struct tui *t)
{
	struct tokpin *p = s->priv;

	tl_refresh(p);
	/* A token without a user PIN (CKF_LOGIN_REQUIRED clear): straight
	 * to its contents. */
	if (!p->error[0] && !p->info.login_required) {
		t->push = screen_keylist_token_new(p->tok);
		return TUI_POP | TUI_PUSH;
	}
	return TUI_REDRAW;
}

static void tl_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct tokpin *p = s->priv;
	int row = y + 1, mw = w - 4;

	row += draw_token_head(&p->info, row, mw);
	row++;
	if (p->info.protected_auth_path)
		row += tui_wrap(row, 2, 2, mw,
		                _("This reader has a PIN pad: press Enter, then type the PIN on the "
		                  "reader's keypad."), R_NORMAL);
	else
		row += tui_wrap(row, 2, 2, mw, _("Type the PIN of the token."), R_NORMAL);
	row++;
	tui_form_draw(&p->form, row, 2, 4, mw);
	row += 5;
	if (p->error[0])
		tui_wrap(row, 2, y + h - row, mw, p->error, R_ERROR);
	(void)t;
	(void)x;
}

/* In the worker thread. */
static int tl_login(struct screen *s, struct tui *t)
{
	struct tokpin *p = s->priv;
	char pin[PINBUF];
	enum qt_pin_state st = p->info.pin_state;
	bool factory = false;
	qt_err rc;

	tui_field_get(&p->fields[L_PIN], pin, sizeof(pin));
	rc = qt_token_login(p->tok, p->info.protected_auth_path ? NULL : pin, &st, &factory);
	OPENSSL_cleanse(pin, sizeof(pin));
	tui_field_wipe(&p->fields[L_PIN]);
	if (rc == QT_OK) {
		p->factory = factory;
		p->error[0] = '\0';
		return TUI_REDRAW | TUI_HANDLED;
	}
	p->factory = false;
	if (rc == QT_ERR_PIN_INCORRECT || rc == QT_ERR_PIN_LOCKED) {
		/* What the token says now is the state before the next try. */
		p->info.pin_state = st;
		tl_refresh(p);
		if (p->info.pin_state < st)
			p->info.pin_state = st;
		p->fields[L_PIN].msg = rc == QT_ERR_PIN_INCORRECT ? _("Wrong PIN") : NULL;
		p->fields[L_PIN].touched = true;
		snprintf(p->error, sizeof(p->error), "%s", qt_strerror(rc));
	} else {
		snprintf(p->error, sizeof(p->error), "%s %s", qt_strerror(rc), qt_error_detail());
	}
	return TUI_REDRAW;
}

/* After the work: logged in (TUI_HANDLED marks it) goes on. */
static int tl_after(struct screen *s, struct tui *t, int flags)
{
	struct tokpin *p = s->priv;
	static const char *const buttons[] = { N_("Change the PIN now"), N_("Later") };
	char buf[1024];
	const char *pin;

	if (!(flags & TUI_HANDLED))
		return flags;
	if (!p->factory) {
		t->push = screen_keylist_token_new(p->tok);
		return TUI_POP | TUI_PUSH;
	}
	pin = qt_medium_default_pin(p->info.medium);
	if (p->info.pin_to_be_changed && !pin)
		snprintf(buf, sizeof(buf), "%s", _("The token asks for a new PIN. Change it now?"));
	else
		snprintf(buf, sizeof(buf),
		         _("This token still has its factory PIN%s%s%s. Anyone who knows it can use "
		           "the token: change the PIN now?"), pin ? " (" : "", pin ? pin : "",
		         pin ? ")" : "");
	t->push = tui_dialog_new(_("Factory PIN"), buf, buttons, 2, TAG_FACTORY);
	return TUI_PUSH;
}

static int tl_work(struct screen *s, struct tui *t)
{
	return tl_after(s, t, tl_login(s, t));
}

static int tl_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct tokpin *p = s->priv;
	bool submit = false;
	int r;

	if (k->act == ACT_CHANGE_PIN) {
		t->push = screen_tokchange_new(p->tok, true);
		return TUI_HANDLED | TUI_POP | TUI_PUSH;
	}
	r = tui_form_key(&p->form, k, &submit);
	if (!submit)
		return r;
	if (p->info.pin_state == QT_PIN_LOCKED) {
		snprintf(p->error, sizeof(p->error), "%s", qt_strerror(QT_ERR_PIN_LOCKED));
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (!p->info.protected_auth_path && p->fields[L_PIN].len == 0) {
		p->fields[L_PIN].msg = _("Type the PIN");
		p->fields[L_PIN].touched = true;
		p->form.focus = L_PIN;
		return TUI_HANDLED | TUI_REDRAW;
	}
	p->error[0] = '\0';
	t->work = tl_work;
	t->work_label = _("Logging in to the token");
	return TUI_HANDLED | TUI_WORK;
}

static int tl_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct tokpin *p = s->priv;

	if (r->tag != TAG_FACTORY)
		return TUI_REDRAW;
	t->push = r->code == 1 ? screen_tokchange_new(p->tok, true) : screen_keylist_token_new(p->tok);
	return TUI_POP | TUI_PUSH;
}

static void tl_leave(struct screen *s, struct tui *t)
{
	struct tokpin *p = s->priv;

	tui_form_wipe(&p->form);
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

static const enum tui_action tl_bar_acts[] = { ACT_SUBMIT, ACT_SHOW_SECRET, ACT_CHANGE_PIN,
                                               ACT_BACK, ACT_NONE };
static const enum tui_action *tl_bar(struct screen *s) { return tl_bar_acts; }

static const struct screen_ops tl_ops = {
	.name = "token-pin", .title = tl_title, .enter = tl_enter, .draw = tl_draw, .key = tl_key,
	.resume = tl_resume, .leave = tl_leave, .bar = tl_bar,
};

struct screen *screen_tokpin_new(qt_token *tok)
{
	struct tokpin *p = calloc(1, sizeof(*p));
	struct screen *s;

	if (!p)
		return NULL;
	p->tok = tok;
	p->fields[L_PIN].kind = TF_PASSWORD;
	p->fields[L_PIN].label = N_("PIN");
	p->fields[L_PIN].max = 64;
	p->fields[L_GO].kind = TF_BUTTON;
	p->fields[L_GO].label = N_("Log in");
	p->form.fields = p->fields;
	p->form.n = L_COUNT;
	p->form.label_w = 16;
	p->form.ctx = p;
	s = tui_screen_new(&tl_ops, p);
	if (!s)
		free(p);
	return s;
}

/* ---- Change of PIN --------------------------------------------------------- */

enum { C_OLD, C_NEW, C_CONFIRM, C_GO, C_COUNT };

struct tokchange {
	qt_token *tok;
	struct qt_token_info info;
	bool then_list;        /* on success, show the token's contents */
	struct tui_field fields[C_COUNT];
	struct tui_form form;
	char error[1024];
};

static const char *new_pin_check(struct tui_field *f, void *ctx)
{
	struct tokchange *c = ctx;
	char pin[PINBUF];
	bool factory;

	tui_field_get(f, pin, sizeof(pin));
	factory = qt_token_pin_is_default(c->tok, pin);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (factory)
		return _("Factory PINs are refused");
	if (f->len == c->fields[C_OLD].len &&
	    memcmp(f->text, c->fields[C_OLD].text, f->len * sizeof(wchar_t)) == 0)
		return _("The same as the current PIN");
	return NULL;
}

static const char *confirm_pin_check(struct tui_field *f, void *ctx)
{
	struct tokchange *c = ctx;
	const struct tui_field *n = &c->fields[C_NEW];

	if (f->len != n->len || memcmp(f->text, n->text, f->len * sizeof(wchar_t)) != 0)
		return _("Differs from the new PIN");
	f->msg_ok = true;
	return _("Same");
}

static const char *tc_title(struct screen *s) { return _("Change the PIN"); }

static int tc_enter(struct screen *s, struct tui *t)
{
	struct tokchange *c = s->priv;
	qt_err rc = qt_token_info(c->tok, &c->info);

	if (rc != QT_OK)
		snprintf(c->error, sizeof(c->error), "%s %s", qt_strerror(rc), qt_error_detail());
	return TUI_REDRAW;
}

static void tc_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct tokchange *c = s->priv;
	int row = y + 1, mw = w - 4;

	row += draw_token_head(&c->info, row, mw);
	row++;
	tui_form_draw(&c->form, row, 2, 6, mw);
	row += 7;
	if (c->error[0])
		row += tui_wrap(row, 2, 4, mw, c->error, R_ERROR);
	tui_wrap(y + h - 3, 2, 2, mw,
	         _("The token decides how long a PIN may be and which characters it may have. "
	           "A factory PIN is not accepted as the new one."), R_DIM);
	(void)t;
	(void)x;
}

/* In the worker thread. */
static int tc_change(struct screen *s, struct tui *t)
{
	struct tokchange *c = s->priv;
	char o[PINBUF], n[PINBUF];
	qt_err rc;

	tui_field_get(&c->fields[C_OLD], o, sizeof(o));
	tui_field_get(&c->fields[C_NEW], n, sizeof(n));
	rc = qt_token_change_pin(c->tok, o, n);
	OPENSSL_cleanse(o, sizeof(o));
	OPENSSL_cleanse(n, sizeof(n));
	if (rc == QT_OK) {
		tui_form_wipe(&c->form);
		snprintf(t->message, sizeof(t->message), "%s",
		         _("The PIN was changed. Use the new one from now on."));
		t->message_error = false;
		if (c->then_list) {
			t->push = screen_keylist_token_new(c->tok);
			return TUI_POP | TUI_PUSH;
		}
		t->result.code = 1;
		t->has_result = true;
		return TUI_POP;
	}
	qt_token_info(c->tok, &c->info);
	if (rc == QT_ERR_PIN_INCORRECT || rc == QT_ERR_PIN_LOCKED) {
		tui_field_wipe(&c->fields[C_OLD]);
		c->fields[C_OLD].msg = rc == QT_ERR_PIN_INCORRECT ? _("Wrong PIN") : NULL;
		c->fields[C_OLD].touched = true;
		c->form.focus = C_OLD;
		snprintf(c->error, sizeof(c->error), "%s", qt_strerror(rc));
	} else {
		snprintf(c->error, sizeof(c->error), "%s %s", qt_strerror(rc), qt_error_detail());
	}
	return TUI_REDRAW;
}

static int tc_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct tokchange *c = s->priv;
	bool submit = false;
	int r, bad;

	r = tui_form_key(&c->form, k, &submit);
	if (c->fields[C_CONFIRM].len || c->fields[C_CONFIRM].touched) {
		c->fields[C_CONFIRM].msg_ok = false;
		c->fields[C_CONFIRM].msg = confirm_pin_check(&c->fields[C_CONFIRM], c);
	}
	if (!submit)
		return r;
	c->error[0] = '\0';
	bad = tui_form_check(&c->form, true);
	if (bad >= 0) {
		c->form.focus = bad;
		return TUI_HANDLED | TUI_REDRAW;
	}
	t->work = tc_change;
	t->work_label = _("Changing the PIN");
	return TUI_HANDLED | TUI_WORK;
}

static void tc_leave(struct screen *s, struct tui *t)
{
	struct tokchange *c = s->priv;

	tui_form_wipe(&c->form);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

static int tc_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action tc_bar_acts[] = { ACT_SUBMIT, ACT_NEXT, ACT_SHOW_SECRET, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *tc_bar(struct screen *s) { return tc_bar_acts; }

static const struct screen_ops tc_ops = {
	.name = "token-change-pin", .title = tc_title, .enter = tc_enter, .draw = tc_draw,
	.key = tc_key, .resize = tc_resize, .leave = tc_leave, .bar = tc_bar,
};

struct screen *screen_tokchange_new(qt_token *tok, bool then_list)
{
	struct tokchange *c = calloc(1, sizeof(*c));
	struct screen *s;
	int i;

	if (!c)
		return NULL;
	c->tok = tok;
	c->then_list = then_list;
	c->fields[C_OLD].label = N_("Current PIN");
	c->fields[C_OLD].required = true;
	c->fields[C_NEW].label = N_("New PIN");
	c->fields[C_NEW].required = true;
	c->fields[C_NEW].validate = new_pin_check;
	c->fields[C_CONFIRM].label = N_("New PIN again");
	c->fields[C_CONFIRM].required = true;
	c->fields[C_CONFIRM].validate = confirm_pin_check;
	for (i = C_OLD; i <= C_CONFIRM; i++) {
		c->fields[i].kind = TF_PASSWORD;
		c->fields[i].max = 64;
	}
	c->fields[C_GO].kind = TF_BUTTON;
	c->fields[C_GO].label = N_("Change the PIN");
	c->form.fields = c->fields;
	c->form.n = C_COUNT;
	c->form.label_w = 18;
	c->form.ctx = c;
	s = tui_screen_new(&tc_ops, c);
	if (!s)
		free(c);
	return s;
}
