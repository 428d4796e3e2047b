/* Installing the certificates (domain.md 1, "Status and installation"):
 * the folder with the pending keys (the journal knows it; F7/^F picks
 * another), the key password given when applying, "Upload
 * certificates", then "Certificates installed" with the two .p12
 * files.  Safe to repeat after any failure (the engine resumes). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include "screens/screens.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { F_FOLDER, F_PW, F_GO, F_COUNT };
enum { TAG_FOLDER = 1 };

struct install {
	struct qt_app_record rec;
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	char error[1024];
	bool done;
	char files[2][PATH_MAX];
	struct tui *t;
};

static const char *in_title(struct screen *s)
{
	return ((struct install *)s->priv)->done ? _("Certificates installed") :
	       _("Install the certificates");
}

static void in_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct install *in = s->priv;
	int mw = w - 4, row = y + 1, i;
	char buf[PATH_MAX + 256];

	if (in->done) {
		snprintf(buf, sizeof(buf), _("Application %s: Certificates installed."),
		         in->rec.number);
		tui_put(row++, 2, mw, buf, R_GOOD, false);
		row++;
		tui_put(row++, 2, mw, _("The folder"), R_NORMAL, false);
		tui_put(row++, 4, mw - 2, in->rec.folder, R_HEADING, false);
		tui_put(row++, 2, mw, _("holds your keys with their certificates:"), R_NORMAL, false);
		for (i = 0; i < 2; i++) {
			const char *slash = strrchr(in->files[i], '/');

			tui_put(row++, 4, mw - 2, slash ? slash + 1 : in->files[i], R_HEADING, false);
		}
		row++;
		row += tui_wrap(row, 2, 3, mw,
		                _("AUTH_RSA256 signs you in; RSA256 signs documents. Both open with "
		                  "the password you made."), R_NORMAL);
		tui_wrap(row + 1, 2, 2, mw, _("Esc goes back; the key store opens from Home."), R_DIM);
		return;
	}
	snprintf(buf, sizeof(buf), _("Application %s: Registration Certificates are Issued."),
	         in->rec.number);
	tui_put(row++, 2, mw, buf, R_HEADING, false);
	row++;
	if (!enr_rec_is_pc(&in->rec)) {
		snprintf(buf, sizeof(buf), _("These keys are on the token \"%s\". Installing on a token "
		                             "is not in the terminal pages yet: run 'qoltanba install "
		                             "%s --token LABEL'."), in->rec.storage, in->rec.number);
		tui_wrap(row, 2, 4, mw, buf, R_WARN);
		return;
	}
	row += tui_wrap(row, 2, 3, mw,
	                _("Point at the folder with the keys made when you applied, type the key "
	                  "password you created then, and upload the certificates."), R_NORMAL);
	row++;
	tui_form_draw(&in->form, row, 2, 4, mw);
	row += 5;
	if (in->error[0])
		tui_wrap(row, 2, y + h - row, mw, in->error, R_ERROR);
	(void)t;
	(void)x;
}

static bool progress(void *data, enum qt_enroll_phase ph, int percent)
{
	struct install *in = data;
	static const int from[] = { 0, 0, 0, 0, 0, 40, 80, 100 };
	static const int span[] = { 0, 0, 0, 0, 40, 40, 20, 0 };
	int p = percent < 0 ? 0 : percent > 100 ? 100 : percent;

	if ((int)ph < 0 || ph > QT_ENROLL_DONE)
		return true;
	atomic_store(&in->t->work_permille, (from[ph] + span[ph] * p / 100) * 10);
	atomic_store(&in->t->work_phase, qt_enroll_phase_label(ph));
	return true;
}

static int in_work(struct screen *s, struct tui *t)
{
	struct install *in = s->priv;
	char folder[TUI_FIELD_MAX * 4 + 1], pw[ENR_PWBUF];
	char *paths[2] = { NULL, NULL };
	qt_err rc;
	int i;

	in->t = t;
	in->error[0] = '\0';
	if (enr_connect(in->error, sizeof(in->error)) != QT_OK)
		return TUI_REDRAW;
	tui_field_get(&in->fields[F_FOLDER], folder, sizeof(folder));
	if (tui_kiosk_folder_check(folder)) {
		/* A kiosk: only folders on its removable media. */
		snprintf(in->error, sizeof(in->error), "%s", tui_kiosk_folder_check(folder));
		in->form.focus = F_FOLDER;
		return TUI_REDRAW;
	}
	tui_field_get(&in->fields[F_PW], pw, sizeof(pw));
	rc = qt_enroll_install_pc(enr.portal, NULL, &in->rec, folder, pw, progress, in, paths);
	OPENSSL_cleanse(pw, sizeof(pw));
	if (rc == QT_OK) {
		for (i = 0; i < 2; i++) {
			snprintf(in->files[i], sizeof(in->files[i]), "%s", paths[i] ? paths[i] : "");
			free(paths[i]);
		}
		tui_form_wipe(&in->form);
		in->done = true;
		return TUI_REDRAW;
	}
	if (rc == QT_ERR_BAD_PASSWORD) {
		tui_field_wipe(&in->fields[F_PW]);
		in->fields[F_PW].touched = true;
		in->form.focus = F_PW;
		snprintf(in->error, sizeof(in->error), "%s",
		         _("Wrong password: it is the key password you created when you applied."));
		return TUI_REDRAW;
	}
	if (rc == QT_ERR_PENDING_NOT_FOUND) {
		snprintf(in->error, sizeof(in->error),
		         _("%s has no keys waiting for this application. The journal says they are "
		           "in %s."), folder, in->rec.folder);
		in->form.focus = F_FOLDER;
		return TUI_REDRAW;
	}
	enr_explain(rc, in->error, sizeof(in->error));
	return TUI_REDRAW;
}

static int in_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct install *in = s->priv;
	char path[TUI_FIELD_MAX * 4 + 1];
	bool submit;
	int r;

	enr_status_note(t);
	if (in->done || !enr_rec_is_pc(&in->rec))
		return 0;
	if (k->act == ACT_BROWSE) {
		tui_field_get(&in->fields[F_FOLDER], path, sizeof(path));
		t->push = tui_folder_picker_new(path, TAG_FOLDER);
		return TUI_HANDLED | TUI_PUSH;
	}
	r = tui_form_key(&in->form, k, &submit);
	if (!submit)
		return r;
	if (tui_form_check(&in->form, true) >= 0)
		return TUI_HANDLED | TUI_REDRAW;
	t->work = in_work;
	t->work_label = _("Uploading the certificates");
	return TUI_HANDLED | TUI_WORK;
}

static int in_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct install *in = s->priv;

	if (r->tag == TAG_FOLDER && r->code == 1) {
		tui_field_set(&in->fields[F_FOLDER], r->text);
		in->form.focus = F_PW;
	}
	return TUI_REDRAW;
}

static void in_leave(struct screen *s, struct tui *t)
{
	struct install *in = s->priv;

	tui_form_wipe(&in->form);
	OPENSSL_cleanse(in, sizeof(*in));
	free(in);
}

static int in_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action in_bar_acts[] = { ACT_SUBMIT, ACT_BROWSE, ACT_SHOW_SECRET, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *in_bar(struct screen *s) { return in_bar_acts; }

static const struct screen_ops in_ops = {
	.name = "install", .title = in_title, .draw = in_draw, .key = in_key,
	.resize = in_resize, .resume = in_resume, .leave = in_leave, .bar = in_bar,
};

struct screen *screen_install_new(const struct qt_app_record *rec)
{
	struct install *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->rec = *rec;
	in->fields[F_FOLDER].kind = TF_TEXT;
	in->fields[F_FOLDER].label = N_("Folder with the keys");
	in->fields[F_FOLDER].required = true;
	tui_field_set(&in->fields[F_FOLDER], rec->folder);
	in->fields[F_PW].kind = TF_PASSWORD;
	in->fields[F_PW].label = N_("Key password");
	in->fields[F_PW].required = true;
	in->fields[F_PW].max = 64;
	in->fields[F_GO].kind = TF_BUTTON;
	in->fields[F_GO].label = N_("Upload certificates");
	in->form.fields = in->fields;
	in->form.n = F_COUNT;
	in->form.label_w = 22;
	in->form.ctx = in;
	in->form.focus = F_PW;
	return tui_screen_new(&in_ops, in);
}
