/* Keys storage (domain.md 1, step 6): where the key pairs are made.  The
 * storage comes from the storage-type page (screens/storage.c: portal
 * labels, factory PINs, the PC warning).  For a PC store: the folder
 * (F7/^F picks it) and the key password, created here, checked against
 * the policy as it is typed and asked twice.  doc/design.md says why it
 * is asked now and not at installation: the pending private keys wait
 * for the RA encrypted with it, never in clear on the disk. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <qoltanba/atr.h>
#include <qoltanba/password.h>
#include "screens/screens.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { F_FOLDER, F_PW, F_PW2, F_GO, F_COUNT };
enum { TAG_STORAGE = 1, TAG_FOLDER };
enum { T_LABEL, T_PIN, T_GO, T_COUNT };

struct keys {
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	struct tui_field tfields[T_COUNT];   /* a token: its label and PIN */
	struct tui_form tform;
	char terror[1024];
	char rule[256];
	bool asked;              /* the storage page was shown once */
};

static const char *pw_check(struct tui_field *f, void *ctx)
{
	struct keys *k = ctx;

	return tui_password_rule(f, k->rule, sizeof(k->rule));
}

static const char *pw2_check(struct tui_field *f, void *ctx)
{
	struct keys *k = ctx;
	const struct tui_field *n = &k->fields[F_PW];

	if (f->len != n->len || memcmp(f->text, n->text, f->len * sizeof(wchar_t)) != 0)
		return _("Differs from the password");
	f->msg_ok = true;
	return _("Same");
}

static const char *ks_title(struct screen *s) { return _("Keys storage"); }

static bool is_pc(void) { return enr.app->storage == QT_STORAGE_PKCS12; }

static void ks_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct keys *k = s->priv;
	int mw = w - 4, row = y + 1;
	char buf[1024];

	snprintf(buf, sizeof(buf), _("Storage: %s   (F5 or Ctrl-R: choose another)"),
	         screen_storage_label(enr.app->storage));
	tui_put(row++, 2, mw, buf, R_HEADING, false);
	row++;
	if (!is_pc()) {
		const char *pin = qt_medium_default_pin(enr.app->storage);

		if (pin)
			snprintf(buf, sizeof(buf), _("The keys are made on the token. Its factory PIN is "
			                             "%s; change it once the certificates are "
			                             "installed."), pin);
		else
			snprintf(buf, sizeof(buf), "%s", _("The keys are made on the card, with the PIN "
			                                   "given with it."));
		row += tui_wrap(row, 2, 3, mw, buf, R_NORMAL) + 1;
		tui_form_draw(&k->tform, row, 2, 4, mw);
		row += 5;
		if (k->terror[0])
			tui_wrap(row, 2, y + h - row, mw, k->terror, R_ERROR);
		else
			tui_wrap(row, 2, y + h - row, mw,
			         _("The label is the token's name (`qoltanba tokens` lists them); "
			           "empty: the only token connected."), R_DIM);
		return;
	}
	row += tui_wrap(row, 2, 3, mw,
	                _("Warning: a folder on a PC is not a secure key store. Anyone who copies "
	                  "the key files and learns their password can sign in your name."), R_WARN);
	row++;
	tui_form_draw(&k->form, row, 2, 6, mw);
	row += 6;
	row += tui_wrap(row, 2, 3, mw, qt_password_policy_text(), R_DIM);
	tui_wrap(row, 2, y + h - row, mw,
	         _("The password protects the keys from now on and the certificates later. It "
	           "cannot be recovered: if it is lost, the keys must be revoked."), R_DIM);
	(void)t;
	(void)x;
}

static int ks_enter(struct screen *s, struct tui *t)
{
	struct keys *k = s->priv;

	if (k->asked)
		return 0;
	k->asked = true;
	t->push = screen_storage_new(_("Where should the keys be made?"),
	                             !enr.app->type->legal_entity, TAG_STORAGE);
	return TUI_PUSH;
}

/* Work: the token, logged in, for the pages that follow. */
static int ks_token(struct screen *s, struct tui *t)
{
	struct keys *k = s->priv;
	struct enr_app *a = enr.app;
	char label[TUI_FIELD_MAX * 4 + 1], pin[ENR_PWBUF];
	qt_err rc;

	k->terror[0] = '\0';
	if (a->token) {
		qt_token_logout(a->token);
		a->token = NULL;
	}
	tui_field_get(&k->tfields[T_LABEL], label, sizeof(label));
	tui_field_get(&k->tfields[T_PIN], pin, sizeof(pin));
	rc = enr_token_login(label, pin, &a->p11, &a->token, k->terror, sizeof(k->terror));
	OPENSSL_cleanse(pin, sizeof(pin));
	if (rc != QT_OK) {
		a->token = NULL;
		if (rc == QT_ERR_PIN_INCORRECT) {
			tui_field_wipe(&k->tfields[T_PIN]);
			k->tform.focus = T_PIN;
		}
		return TUI_REDRAW;
	}
	qt_token_set_medium(a->token, a->storage);
	{
		struct qt_token_info ti;

		if (!label[0] && qt_token_info(a->token, &ti) == QT_OK)
			snprintf(label, sizeof(label), "%s", ti.label);
	}
	snprintf(a->token_label, sizeof(a->token_label), "%.63s", label);
	tui_field_wipe(&k->tfields[T_PIN]);
	t->push = screen_apply_go_new();
	return TUI_PUSH;
}

static int ks_key(struct screen *s, struct tui *t, const struct tui_key *key)
{
	struct keys *k = s->priv;
	char path[TUI_FIELD_MAX * 4 + 1];
	bool submit;
	int r, bad;

	if (key->act == ACT_RELOAD) {
		t->push = screen_storage_new(_("Where should the keys be made?"),
		                             !enr.app->type->legal_entity, TAG_STORAGE);
		return TUI_HANDLED | TUI_PUSH;
	}
	if (!is_pc()) {
		r = tui_form_key(&k->tform, key, &submit);
		if (!submit)
			return r;
		if (tui_form_check(&k->tform, true) >= 0)
			return TUI_HANDLED | TUI_REDRAW;
		t->work = ks_token;
		t->work_label = _("Logging in to the token");
		return TUI_HANDLED | TUI_WORK;
	}
	if (key->act == ACT_BROWSE) {
		tui_field_get(&k->fields[F_FOLDER], path, sizeof(path));
		t->push = tui_folder_picker_new(path, TAG_FOLDER);
		return TUI_HANDLED | TUI_PUSH;
	}
	r = tui_form_key(&k->form, key, &submit);
	if (k->fields[F_PW2].len || k->fields[F_PW2].touched) {
		k->fields[F_PW2].msg_ok = false;
		k->fields[F_PW2].msg = pw2_check(&k->fields[F_PW2], k);
	}
	if (!submit)
		return r;
	bad = tui_form_check(&k->form, true);
	if (bad >= 0) {
		k->form.focus = bad;
		snprintf(t->message, sizeof(t->message), "%s",
		         _("Correct the fields marked with a cross first."));
		t->message_error = true;
		return TUI_HANDLED | TUI_REDRAW;
	}
	tui_field_get(&k->fields[F_FOLDER], enr.app->folder, sizeof(enr.app->folder));
	OPENSSL_cleanse(enr.app->password, sizeof(enr.app->password));
	tui_field_get(&k->fields[F_PW], enr.app->password, sizeof(enr.app->password));
	t->push = screen_apply_go_new();
	return TUI_HANDLED | TUI_PUSH;
}

static int ks_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct keys *k = s->priv;
	int flags;

	if (enr_finishing(t, r, &flags))
		return flags;
	if (r->tag == TAG_STORAGE) {
		if (r->code == 0 && enr.app->storage == QT_STORAGE_UNKNOWN)
			return TUI_POP;      /* cancelled before choosing: back to the city */
		if (r->code != 0)
			enr.app->storage = (enum qt_storage)r->code;
	} else if (r->tag == TAG_FOLDER && r->code == 1) {
		tui_field_set(&k->fields[F_FOLDER], r->text);
		k->form.focus = F_PW;
	}
	return TUI_REDRAW;
}

static void ks_leave(struct screen *s, struct tui *t)
{
	struct keys *k = s->priv;

	tui_form_wipe(&k->form);
	tui_form_wipe(&k->tform);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

static int ks_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action ks_bar_acts[] = { ACT_SUBMIT, ACT_BROWSE, ACT_SHOW_SECRET,
                                               ACT_RELOAD, ACT_BACK, ACT_NONE };
static const enum tui_action *ks_bar(struct screen *s) { return ks_bar_acts; }

static const char *ks_bar_label(struct screen *s, enum tui_action a)
{
	switch (a) {
	case ACT_SUBMIT: return _("Next");
	case ACT_RELOAD: return _("Storage");
	default: return NULL;
	}
}

static const struct screen_ops ks_ops = {
	.name = "apply-keys", .title = ks_title, .enter = ks_enter, .draw = ks_draw, .key = ks_key,
	.resize = ks_resize, .resume = ks_resume, .leave = ks_leave, .bar = ks_bar,
	.bar_label = ks_bar_label,
};

struct screen *screen_apply_keys_new(void)
{
	struct keys *k = calloc(1, sizeof(*k));
	char def[PATH_MAX];
	const char *home = getenv("HOME");
	int i;

	if (!k)
		return NULL;
	k->fields[F_FOLDER].kind = TF_TEXT;
	k->fields[F_FOLDER].label = N_("Folder for the keys");
	k->fields[F_FOLDER].required = true;
	k->fields[F_FOLDER].validate = tui_kiosk_field_check;
	k->fields[F_PW].kind = TF_PASSWORD;
	k->fields[F_PW].label = N_("Key password");
	k->fields[F_PW].validate = pw_check;
	k->fields[F_PW2].kind = TF_PASSWORD;
	k->fields[F_PW2].label = N_("Password again");
	k->fields[F_PW2].validate = pw2_check;
	for (i = F_PW; i <= F_PW2; i++) {
		k->fields[i].required = true;
		k->fields[i].max = 64;
	}
	k->fields[F_GO].kind = TF_BUTTON;
	k->fields[F_GO].label = N_("Next");
	/* Decision: a folder of its own under the home folder by default,
	 * so the pending keys and the .p12 files do not mix with others. */
	if (enr.app->folder[0])
		snprintf(def, sizeof(def), "%s", enr.app->folder);
	else if (tui_kiosk.on)
		/* A kiosk: on the first removable media present. */
		snprintf(def, sizeof(def), "%s%s", tui_kiosk_first_root() ? tui_kiosk_first_root() : "",
		         tui_kiosk_first_root() ? "/NCA keys" : "");
	else
		snprintf(def, sizeof(def), "%s/NCA keys", home && *home ? home : ".");
	tui_field_set(&k->fields[F_FOLDER], def);
	k->form.fields = k->fields;
	k->form.n = F_COUNT;
	k->form.label_w = 20;
	k->form.ctx = k;
	k->form.focus = F_PW;
	k->tfields[T_LABEL].kind = TF_TEXT;
	k->tfields[T_LABEL].label = N_("Token label");
	k->tfields[T_LABEL].max = 32;
	k->tfields[T_PIN].kind = TF_PASSWORD;
	k->tfields[T_PIN].label = N_("PIN");
	k->tfields[T_PIN].required = true;
	k->tfields[T_PIN].max = 64;
	k->tfields[T_GO].kind = TF_BUTTON;
	k->tfields[T_GO].label = N_("Next");
	k->tform.fields = k->tfields;
	k->tform.n = T_COUNT;
	k->tform.label_w = 20;
	k->tform.ctx = k;
	return tui_screen_new(&ks_ops, k);
}
