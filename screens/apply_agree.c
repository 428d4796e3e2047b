/* Information and the user agreement (domain.md 1, step 2): "Confirm"
 * only once the tick box is ticked. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "screens/enroll.h"
#include "i18n.h"

enum { F_TICK, F_CONFIRM, F_COUNT };

struct agree {
	struct tui_field fields[F_COUNT];
	struct tui_form form;
};

static const char *ag_title(struct screen *s) { return _("Information and user agreement"); }

static void ag_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct agree *a = s->priv;
	int mw = w - 4, row = y + 1;
	char buf[1024];

	snprintf(buf, sizeof(buf), _("Section: %s"), enr_type_label(enr.app->type));
	tui_put(row++, 2, mw, buf, R_HEADING, false);
	row++;
	row += tui_wrap(row, 2, 4, mw,
	                _("Keys are generated on this computer or on your token; only the public "
	                  "keys go to the portal. After you apply, bring your identity document "
	                  "(and, for an organisation, the documents that give you its rights) to "
	                  "a Registration Authority within 30 days, or the application is "
	                  "cancelled."), R_NORMAL);
	row++;
	row += tui_wrap(row, 2, 5, mw,
	                _("User agreement: you confirm that the data you give is yours and true; "
	                  "that you keep the private keys and their password secret and do not "
	                  "hand them to anyone; that a document signed with your key is signed by "
	                  "you; and that you ask for revocation at once if a key may be known to "
	                  "someone else. The password cannot be recovered."), R_NORMAL);
	row++;
	a->fields[F_CONFIRM].disabled = !a->fields[F_TICK].checked;
	tui_form_draw(&a->form, row, 2, y + h - row, mw);
	if (!a->fields[F_TICK].checked)
		tui_put(y + h - 2, 2, mw, _("Tick the box (Space) to confirm."), R_DIM, false);
	(void)t;
	(void)x;
}

static int ag_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct agree *a = s->priv;
	bool submit;
	int r = tui_form_key(&a->form, k, &submit);

	a->fields[F_CONFIRM].disabled = !a->fields[F_TICK].checked;
	if (!submit)
		return r;
	if (!a->fields[F_TICK].checked) {
		a->form.focus = F_TICK;
		snprintf(t->message, sizeof(t->message), "%s",
		         _("Accept the user agreement first: tick the box with Space."));
		t->message_error = true;
		return TUI_HANDLED | TUI_REDRAW;
	}
	t->push = screen_apply_id_new();
	return TUI_HANDLED | TUI_PUSH;
}

static int ag_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	int flags;

	if (enr_finishing(t, r, &flags))
		return flags;
	return TUI_REDRAW;
}

static void ag_leave(struct screen *s, struct tui *t) { free(s->priv); }
static int ag_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action ag_bar_acts[] = { ACT_SUBMIT, ACT_NEXT, ACT_BACK, ACT_NONE };
static const enum tui_action *ag_bar(struct screen *s) { return ag_bar_acts; }

static const struct screen_ops ag_ops = {
	.name = "apply-agree", .title = ag_title, .draw = ag_draw, .key = ag_key,
	.resize = ag_resize, .resume = ag_resume, .leave = ag_leave, .bar = ag_bar,
};

struct screen *screen_apply_agree_new(void)
{
	struct agree *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->fields[F_TICK].kind = TF_TICK;
	a->fields[F_TICK].label = N_("I accept the agreement");
	a->fields[F_CONFIRM].kind = TF_BUTTON;
	a->fields[F_CONFIRM].label = N_("Confirm");
	a->fields[F_CONFIRM].disabled = true;
	a->form.fields = a->fields;
	a->form.n = F_COUNT;
	a->form.label_w = 24;
	a->form.ctx = a;
	return tui_screen_new(&ag_ops, a);
}
