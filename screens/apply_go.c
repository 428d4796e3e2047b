/* Apply (domain.md 1, step 7): the summary of the application, then the
 * key pairs are generated (a progress bar) and the application goes to
 * the portal.  Generation is journalled before anything is sent, so when
 * the portal is down or slow the keys and the application stay, and
 * F5/^R sends it again (same idempotency key: never two applications). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include "screens/screens.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { F_CODE, F_GO, F_COUNT };

struct go {
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	char error[1024];
	bool need_captcha;
	struct tui *t;
};

static const char *go_title(struct screen *s) { return _("Apply"); }

static void line(int *row, int w, const char *label, const char *value)
{
	tui_put(*row, 2, 22, label, R_DIM, true);
	tui_put(*row, 24, w - 24, value, R_NORMAL, false);
	(*row)++;
}

static void go_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct go *g = s->priv;
	struct enr_app *a = enr.app;
	const struct qt_region *r = qt_catalog_region(enr.catalog, a->region);
	const struct qt_i18n *c = r ? qt_catalog_city(r, a->city) : NULL;
	int row = y + 1, mw = w - 4;
	char buf[1024];

	tui_put(row++, 2, mw, _("Check the application, then Apply."), R_HEADING, false);
	row++;
	line(&row, w - 2, _("Section"), enr_type_label(a->type));
	if (a->type->requires_bin) {
		snprintf(buf, sizeof(buf), "%s  %s", a->bin, a->entity.name);
		line(&row, w - 2, _("Organisation"), buf);
	}
	snprintf(buf, sizeof(buf), "%s  %s", a->iin, a->person.full_name);
	line(&row, w - 2, _("Applicant"), buf);
	line(&row, w - 2, _("E-mail"), a->email[0] ? a->email : _("(none)"));
	snprintf(buf, sizeof(buf), "%s, %s", c ? qt_i18n_get(c, enr_lang()) : a->city,
	         r ? qt_i18n_get(&r->name, enr_lang()) : a->region);
	line(&row, w - 2, _("Place"), buf);
	line(&row, w - 2, _("Storage"), screen_storage_label(a->storage));
	if (a->storage == QT_STORAGE_PKCS12)
		line(&row, w - 2, _("Folder"), a->folder);
	row++;
	if (g->need_captcha && a->captcha.required) {
		const char *l = a->captcha.art;
		int i = 0;

		while (l && *l && i++ < 7) {
			const char *nl = strchr(l, '\n');
			size_t n = nl ? (size_t)(nl - l) : strlen(l);

			snprintf(buf, sizeof(buf), "%.*s", (int)n, l);
			tui_put(row++, 4, mw - 2, buf, R_NORMAL, false);
			l = nl ? nl + 1 : NULL;
		}
	}
	g->fields[F_CODE].disabled = !(g->need_captcha && a->captcha.required);
	if (g->fields[F_CODE].disabled) {
		g->form.fields = g->fields + F_GO;
		g->form.n = 1;
		g->form.focus = 0;
	} else {
		g->form.fields = g->fields;
		g->form.n = F_COUNT;
	}
	tui_form_draw(&g->form, row, 2, 3, mw);
	row += g->form.n + 1;
	if (a->generated && !a->submitted)
		snprintf(buf, sizeof(buf), "%s", _("The keys are made and kept; the application is "
		                                   "not sent yet. F5 (or Ctrl-R) or Enter sends it."));
	else
		buf[0] = '\0';
	if (g->error[0])
		row += tui_wrap(row, 2, y + h - row, mw, g->error, R_ERROR);
	if (buf[0])
		tui_wrap(row, 2, y + h - row, mw, buf, R_WARN);
	(void)t;
	(void)x;
}

static bool progress(void *data, enum qt_enroll_phase ph, int percent)
{
	struct go *g = data;
	static const int from[] = { 0, 45, 90, 95, 100, 100, 100, 100 };
	static const int span[] = { 45, 45, 5, 5, 0, 0, 0, 0 };
	int p = percent < 0 ? 0 : percent > 100 ? 100 : percent;

	if ((int)ph < 0 || ph > QT_ENROLL_DONE)
		return true;
	atomic_store(&g->t->work_permille, (from[ph] + span[ph] * p / 100) * 10);
	atomic_store(&g->t->work_phase, qt_enroll_phase_label(ph));
	return true;
}

static int go_work(struct screen *s, struct tui *t)
{
	struct go *g = s->priv;
	struct enr_app *a = enr.app;
	struct qt_captcha_answer ca = { NULL, NULL };
	qt_err rc;

	g->t = t;
	g->error[0] = '\0';
	if (!a->generated) {
		struct qt_enroll_request rq;

		memset(&rq, 0, sizeof(rq));
		rq.subject_type = a->type->id;
		rq.iin = a->iin;
		rq.bin = a->type->requires_bin ? a->bin : NULL;
		rq.email = a->email;
		rq.region = a->region;
		rq.city = a->city;
		rq.folder = a->folder;
		rq.password = a->password;
		rq.storage = enr_storage_id(a->storage);
		rq.keytype = QT_KEY_RSA2048;
		rq.person = &a->person;
		rq.entity = a->type->requires_bin ? &a->entity : NULL;
		rc = qt_enroll_generate(NULL, &rq, enr.portal ? qt_portal_id(enr.portal) : NULL,
		                        progress, g, &a->rec);
		if (rc != QT_OK) {
			enr_explain(rc, g->error, sizeof(g->error));
			return TUI_REDRAW;
		}
		a->generated = true;
		/* The password is not needed any more: the keys are encrypted. */
		OPENSSL_cleanse(a->password, sizeof(a->password));
	}
	if (enr_connect(g->error, sizeof(g->error)) != QT_OK)
		return TUI_REDRAW;
	progress(g, QT_ENROLL_SUBMIT, 0);
	if (g->need_captcha)
		tui_field_get(&g->fields[F_CODE], a->captcha_answer, sizeof(a->captcha_answer));
	if (a->captcha.required) {
		ca.id = a->captcha.id;
		ca.answer = a->captcha_answer;
	}
	rc = qt_enroll_submit(enr.portal, NULL, &a->rec, &ca, &a->sub);
	if (rc == QT_ERR_CAPTCHA) {
		/* The picture expired or was spent: a new one, then send again. */
		g->need_captcha = true;
		tui_field_wipe(&g->fields[F_CODE]);
		memset(&a->captcha, 0, sizeof(a->captcha));
		if (qt_portal_captcha(enr.portal, &a->captcha) == QT_OK)
			snprintf(g->error, sizeof(g->error), "%s",
			         _("The portal wants a new code: type the digits of the picture, then "
			           "Enter."));
		else
			enr_explain(rc, g->error, sizeof(g->error));
		return TUI_REDRAW;
	}
	if (rc != QT_OK) {
		enr_explain(rc, g->error, sizeof(g->error));
		return TUI_REDRAW;
	}
	a->submitted = true;
	/* Made here (no curses in a constructor); the loop pushes it. */
	t->push = screen_apply_done_new(&a->rec);
	return TUI_PUSH;
}

static int go_start(struct screen *s, struct tui *t)
{
	t->work = go_work;
	t->work_label = enr.app->generated ? _("Sending the application") :
	                _("Generating the keys and sending the application");
	return TUI_HANDLED | TUI_WORK;
}

static int go_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct go *g = s->priv;
	bool submit;
	int r;

	enr_status_note(t);
	if (k->act == ACT_RELOAD)
		return go_start(s, t);
	if (k->act == ACT_BACK && enr.app->generated) {
		/* The keys exist: leaving ends the form; the journal keeps the
		 * application for "Check request status". */
		snprintf(t->message, sizeof(t->message), "%s",
		         _("The application is kept: send it from \"Check request status\"."));
		return enr_finish(t);
	}
	r = tui_form_key(&g->form, k, &submit);
	if (!submit)
		return r;
	if (g->need_captcha && g->fields[F_CODE].len == 0) {
		snprintf(g->error, sizeof(g->error), "%s", _("Type the code from the picture."));
		return TUI_HANDLED | TUI_REDRAW;
	}
	return go_start(s, t);
}

static int go_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	int flags;

	if (enr_finishing(t, r, &flags))
		return flags;
	return TUI_REDRAW;
}

static void go_leave(struct screen *s, struct tui *t)
{
	struct go *g = s->priv;

	tui_form_wipe(&g->form);
	free(g);
}

static int go_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action go_bar_acts[] = { ACT_SUBMIT, ACT_RELOAD, ACT_BACK, ACT_NONE };
static const enum tui_action *go_bar(struct screen *s) { return go_bar_acts; }

static const struct screen_ops go_ops = {
	.name = "apply-go", .title = go_title, .draw = go_draw, .key = go_key,
	.resize = go_resize, .resume = go_resume, .leave = go_leave, .bar = go_bar,
};

struct screen *screen_apply_go_new(void)
{
	struct go *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->fields[F_CODE].kind = TF_DIGITS;
	g->fields[F_CODE].label = N_("Code");
	g->fields[F_CODE].max = 8;
	g->fields[F_GO].kind = TF_BUTTON;
	g->fields[F_GO].label = N_("Apply");
	g->form.fields = g->fields + F_GO;
	g->form.n = 1;
	g->form.label_w = 20;
	g->form.ctx = g;
	return tui_screen_new(&go_ops, g);
}
