/* E-mail (domain.md 1, step 4): optional; status notices, the
 * application number and the form for the Registration Authority are
 * sent there, so a wrong address means no notifications. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "screens/enroll.h"
#include "i18n.h"

enum { F_EMAIL, F_GO, F_COUNT };

struct email {
	struct tui_field fields[F_COUNT];
	struct tui_form form;
};

static const char *em_title(struct screen *s) { return _("E-mail"); }

static void em_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct email *e = s->priv;
	int mw = w - 4, row = y + 1;

	row += tui_wrap(row, 2, 3, mw,
	                _("Your e-mail address (optional). The application number, the form for "
	                  "the Registration Authority and notices about the application are sent "
	                  "there."), R_NORMAL);
	row++;
	tui_form_draw(&e->form, row, 2, 3, mw);
	if (e->fields[F_EMAIL].msg && !e->fields[F_EMAIL].msg_ok && e->fields[F_EMAIL].touched)
		tui_put(row + 1, 14, mw - 12, _("An address looks like name@example.kz."), R_ERROR,
		        false);
	row += 4;
	tui_wrap(row, 2, 3, mw,
	         _("Warning: if the address is wrong, you will receive no notifications. Leave "
	           "it empty if you do not want any."), R_WARN);
	(void)t;
	(void)x;
}

static int em_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct email *e = s->priv;
	bool submit;
	int r = tui_form_key(&e->form, k, &submit);

	if (!submit)
		return r;
	if (tui_form_check(&e->form, true) >= 0) {
		e->form.focus = F_EMAIL;
		return TUI_HANDLED | TUI_REDRAW;
	}
	tui_field_get(&e->fields[F_EMAIL], enr.app->email, sizeof(enr.app->email));
	t->push = screen_apply_place_new();
	return TUI_HANDLED | TUI_PUSH;
}

static int em_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	int flags;

	if (enr_finishing(t, r, &flags))
		return flags;
	return TUI_REDRAW;
}

static void em_leave(struct screen *s, struct tui *t) { free(s->priv); }
static int em_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action em_bar_acts[] = { ACT_SUBMIT, ACT_CLEAR, ACT_BACK, ACT_NONE };
static const enum tui_action *em_bar(struct screen *s) { return em_bar_acts; }

static const char *em_bar_label(struct screen *s, enum tui_action a)
{
	switch (a) {
	case ACT_SUBMIT: return _("Next");
	default: return NULL;
	}
}

static const struct screen_ops em_ops = {
	.name = "apply-email", .title = em_title, .draw = em_draw, .key = em_key,
	.resize = em_resize, .resume = em_resume, .leave = em_leave, .bar = em_bar,
	.bar_label = em_bar_label,
};

struct screen *screen_apply_email_new(void)
{
	struct email *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->fields[F_EMAIL].kind = TF_TEXT;   /* our check, our words */
	e->fields[F_EMAIL].label = N_("E-mail");
	e->fields[F_EMAIL].max = 254;
	e->fields[F_EMAIL].validate = tui_email_check;
	e->fields[F_GO].kind = TF_BUTTON;
	e->fields[F_GO].label = N_("Next");
	e->form.fields = e->fields;
	e->form.n = F_COUNT;
	e->form.label_w = 10;
	e->form.ctx = e;
	if (enr.app->email[0])
		tui_field_set(&e->fields[F_EMAIL], enr.app->email);
	return tui_screen_new(&em_ops, e);
}
