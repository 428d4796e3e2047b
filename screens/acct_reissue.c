/* Re-issuance of DS keys (issue 7; doc/tui.md "Personal account pages"):
 * a new application signed with the current, valid key, its fields
 * copied from the current certificate's application.  The page shows
 * what is copied (read-only), lets the e-mail be edited and the storage
 * chosen (a PC folder with a new key password, or a token), and sends
 * once "I confirm the data and ask for new keys" is ticked.
 *
 * Keys are made first and journalled (qt_enroll_generate), then the
 * request goes to the portal (qt_account_reissue); when the sending
 * fails the keys stay and F5 sends again without making new ones.  An
 * expired or revoked current key is refused at once with the pointer to
 * a new application: nothing else is offered. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <qoltanba/atr.h>
#include <qoltanba/password.h>
#include "screens/screens.h"
#include "screens/enroll.h"
#include "screens/account.h"
#include "i18n.h"

enum { F_EMAIL, F_STORAGE, F_WHERE, F_PW, F_PW2, F_TICK, F_GO, F_COUNT };
enum { TAG_STORAGE = 1, TAG_FOLDER };

struct reissue {
	char serial[48];                 /* asked for; "" = the signer's own */
	struct qt_reissue_base base;
	bool have_base;
	bool refused;                    /* expired or revoked: nothing to offer */
	enum qt_storage storage;         /* QT_STORAGE_PKCS12: a PC folder */
	const char *storage_choice[1];
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	struct tui_field done_fields[1]; /* "Install now" */
	struct tui_form done_form;
	char rule[256];
	char error[1024];
	char note[1024];                 /* kept keys, what F5 does */
	/* The keys made for this request and where they are. */
	struct qt_app_record rec;
	bool generated, sent, installed;
	char where[PATH_MAX];
	char email[256];
	struct qt_account_request out;
	qt_p11 *p11;                     /* a token when not signed in with one */
	struct tui *t;
};

static bool is_pc(const struct reissue *r) { return r->storage == QT_STORAGE_PKCS12; }

/* The token the keys go to is the one the holder signed in with: it is
 * logged in already and its PIN is not asked again. */
static bool same_token(const struct reissue *r)
{
	char label[TUI_FIELD_MAX * 4 + 1];

	if (is_pc(r) || acc.tok == NULL)
		return false;
	tui_field_get(&r->fields[F_WHERE], label, sizeof(label));
	return label[0] == '\0' || strcmp(label, acc.token_label) == 0;
}

static const char *pw_check(struct tui_field *f, void *ctx)
{
	struct reissue *r = ctx;

	if (!is_pc(r))
		return NULL;      /* a PIN: the token judges it */
	return tui_password_rule(f, r->rule, sizeof(r->rule));
}

static const char *pw2_check(struct tui_field *f, void *ctx)
{
	struct reissue *r = ctx;
	const struct tui_field *n = &r->fields[F_PW];

	if (f->len != n->len || memcmp(f->text, n->text, f->len * sizeof(wchar_t)) != 0)
		return _("Differs from the password");
	f->msg_ok = true;
	return _("Same");
}

static const char *folder_check(struct tui_field *f, void *ctx)
{
	struct reissue *r = ctx;

	return is_pc(r) ? tui_kiosk_field_check(f, ctx) : NULL;
}

/* The fields follow the storage: folder and password twice for a PC,
 * label and PIN for a token (no PIN for the token signed in with). */
static void layout(struct reissue *r)
{
	r->storage_choice[0] = screen_storage_label(r->storage);
	if (is_pc(r)) {
		r->fields[F_WHERE].label = N_("Folder for the keys");
		r->fields[F_WHERE].required = true;
		r->fields[F_PW].label = N_("New key password");
		r->fields[F_PW].disabled = false;
		r->fields[F_PW2].disabled = false;
	} else {
		r->fields[F_WHERE].label = N_("Token label");
		r->fields[F_WHERE].required = false;
		r->fields[F_PW].label = N_("PIN");
		r->fields[F_PW].disabled = same_token(r);
		r->fields[F_PW2].disabled = true;
	}
	r->fields[F_PW].required = !r->fields[F_PW].disabled;
	r->fields[F_PW2].required = !r->fields[F_PW2].disabled;
	if (r->fields[r->form.focus].disabled)
		r->form.focus = F_TICK;
}

static const char *ri_title(struct screen *s) { return _("Re-issuance of DS keys"); }

static void line(int *row, int w, const char *label, const char *value)
{
	tui_put(*row, 2, 20, label, R_DIM, true);
	tui_put(*row, 22, w - 22, value, R_NORMAL, false);
	(*row)++;
}

/* Part of the form, drawn with its own label width: the fields keep one
 * array (and one focus) for the keys. */
static int draw_part(struct reissue *r, int from, int to, int label_w, int row, int w)
{
	struct tui_form v = r->form;

	v.fields = r->fields + from;
	v.n = to - from;
	v.focus = r->form.focus - from;
	v.label_w = label_w;
	tui_form_draw(&v, row, 2, to - from + 1, w);
	return to - from + (r->fields[to - 1].kind == TF_BUTTON ? 1 : 0);
}

static void draw_sent(struct reissue *r, int y, int h, int w)
{
	int mw = w - 4, row = y + 1;
	char buf[1024];

	snprintf(buf, sizeof(buf), _("Request %s is sent."), r->out.info.number);
	tui_put(row++, 2, mw, buf, R_GOOD, false);
	snprintf(buf, sizeof(buf), _("Status: %s; approval: %s."),
	         acct_request_status_label(r->installed ? QT_APP_INSTALLED : r->out.info.status),
	         acct_approval_label(r->out.approval));
	tui_put(row++, 2, mw, buf, R_NORMAL, false);
	row++;
	if (r->installed) {
		snprintf(buf, sizeof(buf), is_pc(r) ?
		         _("The certificates are installed: the new key files are in the folder %s. "
		           "Esc goes back.") :
		         _("The certificates are installed beside the new keys on the token \"%s\". "
		           "Esc goes back."), r->where);
		tui_wrap(row, 2, 3, mw, buf, R_GOOD);
		return;
	}
	snprintf(buf, sizeof(buf), is_pc(r) ? _("The new keys wait in the folder %s, protected with "
	                                        "the new password.") :
	         _("The new keys wait on the token \"%s\"."), r->where);
	row += tui_wrap(row, 2, 3, mw, buf, R_NORMAL) + 1;
	if (r->out.info.status == QT_APP_ISSUED) {
		row += tui_wrap(row, 2, 3, mw, _("The certificates were issued at once: install them "
		                                 "now (the key password, or the token's PIN)."),
		                R_NORMAL) + 1;
		tui_form_draw(&r->done_form, row, 2, 2, mw);
		return;
	}
	if (strcmp(r->out.approval, "awaiting_head") == 0)
		snprintf(buf, sizeof(buf), _("Waiting for the first head of BIN %s to approve it; follow "
		                             "it in \"Tracking the request status\", which installs "
		                             "the certificates once they are issued."), r->base.bin);
	else
		snprintf(buf, sizeof(buf), "%s", _("Follow it in \"Tracking the request status\", which "
		                                   "installs the certificates once they are issued."));
	row += tui_wrap(row, 2, 4, mw, buf, R_NORMAL) + 1;
	tui_wrap(row, 2, 2, mw, _("Esc goes back."), R_DIM);
}

static void ri_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct reissue *r = s->priv;
	const struct qt_region *rg;
	const struct qt_i18n *city;
	const struct qt_subject_type *st;
	int mw = w - 4, row = y + 1;
	char buf[1024], date[11];

	(void)t;
	(void)x;
	if (r->refused || !r->have_base) {
		if (r->error[0])
			tui_wrap(row, 2, h - 2, mw, r->error, R_ERROR);
		return;
	}
	if (r->sent) {
		draw_sent(r, y, h, w);
		return;
	}
	layout(r);
	acct_date(r->base.not_after, date);
	snprintf(buf, sizeof(buf), _("New AUTH and SIGN keys in place of certificate %s (valid "
	                             "until %s)"), r->base.serial, date);
	row += tui_wrap(row, 2, 2, mw, buf, R_HEADING);
	row++;
	st = enr.catalog ? qt_catalog_subject_type(enr.catalog, r->base.subject_type) : NULL;
	rg = enr.catalog ? qt_catalog_region(enr.catalog, r->base.region) : NULL;
	city = rg ? qt_catalog_city(rg, r->base.city) : NULL;
	line(&row, w - 2, _("Subject type"), st ? enr_type_label(st) : r->base.subject_type);
	line(&row, w - 2, _("IIN"), r->base.iin);
	if (r->base.bin[0])
		line(&row, w - 2, _("BIN"), r->base.bin);
	line(&row, w - 2, _("Region"), rg ? qt_i18n_get(&rg->name, enr_lang()) : r->base.region);
	line(&row, w - 2, _("City"), city ? qt_i18n_get(city, enr_lang()) : r->base.city);
	row++;
	if (r->generated) {
		/* The keys are made: what they were made with stays. */
		line(&row, w - 2, _("E-mail"), r->email[0] ? r->email : _("(none)"));
		line(&row, w - 2, _("Storage"), screen_storage_label(r->storage));
		line(&row, w - 2, is_pc(r) ? _("Folder") : _("Token"), r->where);
		row++;
		if (r->note[0])
			row += tui_wrap(row, 2, y + h - row, mw, r->note, R_WARN);
		if (r->error[0] && y + h - row > 0)
			tui_wrap(row, 2, y + h - row, mw, r->error, R_ERROR);
		return;
	}
	row += draw_part(r, F_EMAIL, F_PW2, 20, row, mw);
	if (!r->fields[F_PW2].disabled)
		row += draw_part(r, F_PW2, F_TICK, 20, row, mw);
	else if (!is_pc(r) && same_token(r))
		tui_put(row++, 24, mw - 22, _("(signed in with this token: no PIN needed)"), R_DIM,
		        false);
	row += draw_part(r, F_TICK, F_COUNT, 42, row, mw) + 1;
	if (r->error[0])
		row += tui_wrap(row, 2, y + h - row, mw, r->error, R_ERROR);
	if (!r->error[0] && is_pc(r) && y + h - row >= 2)
		tui_wrap(row, 2, y + h - row, mw, qt_password_policy_text(), R_DIM);
}

static bool progress(void *data, enum qt_enroll_phase ph, int percent)
{
	struct reissue *r = data;
	static const int from[] = { 0, 45, 90, 95, 100, 100, 100, 100 };
	static const int span[] = { 45, 45, 5, 5, 0, 0, 0, 0 };
	int p = percent < 0 ? 0 : percent > 100 ? 100 : percent;

	if ((int)ph < 0 || ph > QT_ENROLL_DONE)
		return true;
	atomic_store(&r->t->work_permille, (from[ph] + span[ph] * p / 100) * 10);
	atomic_store(&r->t->work_phase, qt_enroll_phase_label(ph));
	return !enr.cancel;     /* Esc stops key generation too */
}

/* Work on enter (and F5 before anything is made): what is copied. */
static int ri_base(struct screen *s, struct tui *t)
{
	struct reissue *r = s->priv;
	qt_err rc;

	r->error[0] = '\0';
	if (!acc.a) {   /* a signer is enough: the engine signs in again */
		snprintf(r->error, sizeof(r->error), "%s", _("Sign in to the personal account first."));
		return TUI_REDRAW;
	}
	rc = qt_account_reissue_base(acc.a, r->serial[0] ? r->serial : NULL, &r->base);
	if (rc != QT_OK) {
		acct_explain(rc, r->error, sizeof(r->error));
		r->refused = rc == QT_ERR_CERT_EXPIRED || rc == QT_ERR_CERT_REVOKED;
		return TUI_REDRAW;
	}
	/* Labels for the subject type, region and city; the ids do without. */
	{
		char ignore[256];

		(void)enr_load_catalog(ignore, sizeof(ignore));
	}
	if (!r->have_base)
		tui_field_set(&r->fields[F_EMAIL], r->base.email);
	r->have_base = true;
	return TUI_REDRAW;
}

/* Work: the token for the new keys, logged in.  NULL with error set. */
static qt_token *open_token(struct reissue *r, const char *label)
{
	char pin[ENR_PWBUF];
	qt_token *tok = NULL;
	qt_err rc;

	if (same_token(r))
		return acc.tok;
	tui_field_get(&r->fields[F_PW], pin, sizeof(pin));
	if (acc.p11 != NULL) {
		/* Signed in with another token: its modules are open already
		 * (a refresh would log that token out). */
		rc = label[0] ? qt_p11_find_token(acc.p11, label, &tok) : QT_ERR_TOKEN_NOT_FOUND;
		if (rc == QT_OK)
			rc = qt_token_login(tok, pin, NULL, NULL);
		if (rc == QT_ERR_TOKEN_NOT_FOUND)
			snprintf(r->error, sizeof(r->error), "%s",
			         _("No connected token has this label. Type the label `qoltanba tokens` "
			           "shows (a token connected after signing in is seen after signing in "
			           "again)."));
		else if (rc != QT_OK)
			acct_explain(rc, r->error, sizeof(r->error));
	} else {
		rc = enr_token_login(label, pin, &r->p11, &tok, r->error, sizeof(r->error));
	}
	OPENSSL_cleanse(pin, sizeof(pin));
	if (rc != QT_OK) {
		if (rc == QT_ERR_PIN_INCORRECT) {
			tui_field_wipe(&r->fields[F_PW]);
			r->form.focus = F_PW;
		}
		return NULL;
	}
	qt_token_set_medium(tok, r->storage);
	return tok;
}

static void explain_kept(struct reissue *r)
{
	snprintf(r->note, sizeof(r->note), is_pc(r) ?
	         _("The new keys are kept in the folder %s. F5 (or Ctrl-R) sends the request again "
	           "without making new keys; so does Enter on it in Tracking the request status.") :
	         _("The new keys are kept on the token \"%s\". F5 (or Ctrl-R) sends the request "
	           "again without making new keys; so does Enter on it in Tracking the request "
	           "status."), r->where);
}

/* Work: the keys (once), then the request. */
static int ri_go(struct screen *s, struct tui *t)
{
	struct reissue *r = s->priv;
	qt_err rc;

	r->t = t;
	r->error[0] = '\0';
	if (!r->generated) {
		char where[TUI_FIELD_MAX * 4 + 1], pw[ENR_PWBUF];
		struct qt_enroll_request rq;
		qt_token *tok = NULL;
		const char *field = NULL;

		tui_field_get(&r->fields[F_WHERE], where, sizeof(where));
		tui_field_get(&r->fields[F_EMAIL], r->email, sizeof(r->email));
		memset(&rq, 0, sizeof(rq));
		if (is_pc(r)) {
			tui_field_get(&r->fields[F_PW], pw, sizeof(pw));
			rq.folder = where;
			rq.password = pw;
		} else {
			if ((tok = open_token(r, where)) == NULL)
				return TUI_REDRAW;
			if (!where[0]) {
				/* The only token connected: its label for the journal. */
				struct qt_token_info ti;

				if (qt_token_info(tok, &ti) == QT_OK)
					snprintf(where, sizeof(where), "%s", ti.label);
			}
			rq.token = tok;
			rq.token_label = where;
		}
		rq.subject_type = r->base.subject_type;
		rq.iin = r->base.iin;
		rq.bin = r->base.bin[0] ? r->base.bin : NULL;
		rq.email = r->email;
		rq.region = r->base.region;
		rq.city = r->base.city;
		rq.storage = enr_storage_id(r->storage);
		rq.keytype = QT_KEY_RSA2048;
		rq.reissue_of = r->base.serial;
		memset(&r->rec, 0, sizeof(r->rec));
		rc = qt_enroll_validate(&rq, NULL, &field);
		if (rc == QT_OK)
			rc = qt_enroll_generate(NULL, &rq, qt_portal_id(enr.portal), progress, r,
			                        &r->rec);
		OPENSSL_cleanse(pw, sizeof(pw));
		if (tok && tok != acc.tok)
			qt_token_logout(tok);
		if (rc != QT_OK) {
			acct_explain(rc, r->error, sizeof(r->error));
			if (field && strcmp(field, "email") == 0)
				r->form.focus = F_EMAIL;
			else if (field && strcmp(field, "folder") == 0)
				r->form.focus = F_WHERE;
			return TUI_REDRAW;
		}
		/* The keys are made and encrypted: the secrets are not needed
		 * any more, and never again for this request. */
		tui_form_wipe(&r->form);
		snprintf(r->where, sizeof(r->where), "%s", where);
		r->generated = true;
	}
	progress(r, QT_ENROLL_SUBMIT, 0);
	rc = qt_account_reissue(acc.a, NULL, &r->rec, r->serial[0] ? r->serial : NULL, r->email,
	                        &r->out);
	if (rc != QT_OK) {
		acct_explain(rc, r->error, sizeof(r->error));
		explain_kept(r);
		return TUI_REDRAW;
	}
	r->note[0] = '\0';
	r->sent = true;
	return TUI_REDRAW;
}

static int start(struct tui *t, int (*fn)(struct screen *, struct tui *), const char *label)
{
	t->work = fn;
	t->work_label = label;
	enr_cancellable(t);
	return TUI_HANDLED | TUI_WORK;
}

static int ri_enter(struct screen *s, struct tui *t)
{
	struct reissue *r = s->priv;

	if (r->have_base || r->refused)
		return 0;
	return start(t, ri_base, _("Reading the current certificate")) & ~TUI_HANDLED;
}

static int submit(struct screen *s, struct tui *t)
{
	struct reissue *r = s->priv;
	int bad;

	if (r->generated)
		return start(t, ri_go, _("Sending the request"));
	r->error[0] = '\0';
	bad = tui_form_check(&r->form, true);
	if (bad >= 0 && bad != F_TICK) {
		r->form.focus = bad;
		snprintf(r->error, sizeof(r->error), "%s",
		         _("Correct the fields marked with a cross first."));
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (!r->fields[F_TICK].checked) {
		r->form.focus = F_TICK;
		snprintf(r->error, sizeof(r->error), "%s",
		         _("Tick \"I confirm the data and ask for new keys\" first (Space): the request "
		           "is signed with your current key."));
		return TUI_HANDLED | TUI_REDRAW;
	}
	return start(t, ri_go, _("Making the new keys and sending the request"));
}

static int ri_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct reissue *r = s->priv;
	char path[TUI_FIELD_MAX * 4 + 1];
	bool go;
	int res;

	enr_status_note(t);
	if (r->refused)
		return 0;
	if (!r->have_base) {
		if (k->act == ACT_RELOAD)
			return start(t, ri_base, _("Reading the current certificate"));
		return 0;
	}
	if (r->sent) {
		if (r->installed || r->out.info.status != QT_APP_ISSUED)
			return 0;
		res = tui_form_key(&r->done_form, k, &go);
		if (!go)
			return res;
		t->push = screen_install_new(&r->rec);
		return TUI_HANDLED | TUI_PUSH;
	}
	layout(r);
	if (k->act == ACT_RELOAD) {
		if (r->generated)
			return start(t, ri_go, _("Sending the request"));
		return TUI_HANDLED;
	}
	if (r->generated) {
		/* What the keys were made with stays as it is: only sending
		 * again is left. */
		if (k->act == ACT_SELECT || k->act == ACT_SUBMIT)
			return start(t, ri_go, _("Sending the request"));
		return 0;
	}
	if (r->form.focus == F_STORAGE &&
	    (k->act == ACT_SELECT || (k->code == 0 && k->ch == ' '))) {
		t->push = screen_storage_new(_("Where should the new keys be made?"),
		                             strcmp(r->base.subject_type, "individual") == 0,
		                             TAG_STORAGE);
		return TUI_HANDLED | TUI_PUSH;
	}
	if (k->act == ACT_BROWSE && is_pc(r)) {
		tui_field_get(&r->fields[F_WHERE], path, sizeof(path));
		t->push = tui_folder_picker_new(path, TAG_FOLDER);
		return TUI_HANDLED | TUI_PUSH;
	}
	res = tui_form_key(&r->form, k, &go);
	if (r->fields[F_PW2].len || r->fields[F_PW2].touched) {
		r->fields[F_PW2].msg_ok = false;
		r->fields[F_PW2].msg = pw2_check(&r->fields[F_PW2], r);
	}
	if (r->form.focus == F_TICK && r->fields[F_TICK].checked && r->error[0] &&
	    !r->generated)
		r->error[0] = '\0';
	if (!go)
		return res;
	return submit(s, t);
}

static int ri_resume(struct screen *s, struct tui *t, const struct tui_result *res)
{
	struct reissue *r = s->priv;
	int flags;

	if (acct_signing_out(t, res, &flags))
		return flags;
	if (res->tag == TAG_STORAGE && res->code != 0) {
		enum qt_storage was = r->storage;

		r->storage = (enum qt_storage)res->code;
		if ((was == QT_STORAGE_PKCS12) != is_pc(r)) {
			/* Folder <-> token: the field means something else now. */
			tui_field_wipe(&r->fields[F_PW]);
			tui_field_wipe(&r->fields[F_PW2]);
			r->fields[F_PW].touched = r->fields[F_PW2].touched = false;
			r->fields[F_PW].msg = r->fields[F_PW2].msg = NULL;
			if (is_pc(r)) {
				char def[PATH_MAX];
				const char *home = getenv("HOME");

				snprintf(def, sizeof(def), "%s/NCA keys", home && *home ? home : ".");
				tui_field_set(&r->fields[F_WHERE], def);
			} else {
				tui_field_set(&r->fields[F_WHERE], acc.tok ? acc.token_label : "");
			}
		}
		r->form.focus = F_WHERE;
	} else if (res->tag == TAG_FOLDER && res->code == 1) {
		tui_field_set(&r->fields[F_WHERE], res->text);
		r->form.focus = F_PW;
	} else if (r->sent) {
		/* Back from the installation (it pops without a result). */
		struct qt_app_record now;

		if (qt_enroll_find(NULL, r->rec.id, &now) == QT_OK && now.step == QT_STEP_INSTALLED)
			r->installed = true;
	}
	return TUI_REDRAW;
}

static void ri_leave(struct screen *s, struct tui *t)
{
	struct reissue *r = s->priv;

	tui_form_wipe(&r->form);
	if (r->p11)
		qt_p11_close(r->p11);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

static int ri_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action ri_bar_acts[] = { ACT_SUBMIT, ACT_BROWSE, ACT_SHOW_SECRET,
                                               ACT_BACK, ACT_NONE };
static const enum tui_action ri_bar_retry[] = { ACT_RELOAD, ACT_BACK, ACT_NONE };
static const enum tui_action ri_bar_done[] = { ACT_SELECT, ACT_BACK, ACT_NONE };
static const enum tui_action ri_bar_refused[] = { ACT_BACK, ACT_NONE };

static const enum tui_action *ri_bar(struct screen *s)
{
	struct reissue *r = s->priv;

	if (r->refused)
		return ri_bar_refused;
	if (r->sent)
		return r->out.info.status == QT_APP_ISSUED && !r->installed ? ri_bar_done :
		       ri_bar_refused;
	return r->generated || !r->have_base ? ri_bar_retry : ri_bar_acts;
}

static const char *ri_bar_label(struct screen *s, enum tui_action a)
{
	struct reissue *r = s->priv;

	switch (a) {
	case ACT_SUBMIT: return _("Re-issue");
	case ACT_SELECT: return r->sent ? _("Install now") : NULL;
	case ACT_RELOAD: return r->have_base ? _("Send again") : _("Retry");
	default: return NULL;
	}
}

static const struct screen_ops ri_ops = {
	.name = "acct-reissue", .title = ri_title, .enter = ri_enter, .draw = ri_draw,
	.key = ri_key, .resize = ri_resize, .resume = ri_resume, .leave = ri_leave, .bar = ri_bar,
	.bar_label = ri_bar_label,
};

struct screen *screen_acct_reissue_new(const char *serial)
{
	struct reissue *r = calloc(1, sizeof(*r));
	char def[PATH_MAX];
	const char *home = getenv("HOME"), *slash;

	if (!r)
		return NULL;
	snprintf(r->serial, sizeof(r->serial), "%s", serial ? serial : "");
	r->storage = acc.tok ? (acc.storage != QT_STORAGE_UNKNOWN ? acc.storage :
	                        QT_STORAGE_KAZTOKEN) : QT_STORAGE_PKCS12;
	r->fields[F_EMAIL].kind = TF_EMAIL;
	r->fields[F_EMAIL].label = N_("E-mail");
	r->fields[F_EMAIL].max = 254;
	r->fields[F_EMAIL].validate = tui_email_check;
	r->fields[F_STORAGE].kind = TF_CHOICE;
	r->fields[F_STORAGE].label = N_("Storage");
	r->fields[F_STORAGE].choices = r->storage_choice;
	r->fields[F_STORAGE].nchoices = 1;
	r->fields[F_WHERE].kind = TF_TEXT;
	r->fields[F_WHERE].validate = folder_check;
	r->fields[F_PW].kind = TF_PASSWORD;
	r->fields[F_PW].max = 64;
	r->fields[F_PW].validate = pw_check;
	r->fields[F_PW2].kind = TF_PASSWORD;
	r->fields[F_PW2].label = N_("Password again");
	r->fields[F_PW2].max = 64;
	r->fields[F_PW2].validate = pw2_check;
	r->fields[F_TICK].kind = TF_TICK;
	r->fields[F_TICK].label = N_("I confirm the data and ask for new keys");
	r->fields[F_GO].kind = TF_BUTTON;
	r->fields[F_GO].label = N_("Re-issue");
	r->form.fields = r->fields;
	r->form.n = F_COUNT;
	r->form.label_w = 20;
	r->form.ctx = r;
	r->done_fields[0].kind = TF_BUTTON;
	r->done_fields[0].label = N_("Install now");
	r->done_form.fields = r->done_fields;
	r->done_form.n = 1;
	r->done_form.label_w = 0;
	r->done_form.ctx = r;
	/* Decision: the new keys go beside the key signed in with (its
	 * folder), where the holder already keeps them; else a folder of
	 * their own under the home folder, as for a new application. */
	if (acc.tok) {
		tui_field_set(&r->fields[F_WHERE], acc.token_label);
		r->form.focus = F_TICK;
	} else {
		char *real = acc.keyfile[0] ? realpath(acc.keyfile, NULL) : NULL;

		if (real && (slash = strrchr(real, '/')) != NULL)
			snprintf(def, sizeof(def), "%.*s", (int)(slash - real), real);
		else
			snprintf(def, sizeof(def), "%s/NCA keys", home && *home ? home : ".");
		tui_field_set(&r->fields[F_WHERE], def[0] ? def : "/");
		free(real);
		r->form.focus = F_PW;
	}
	return tui_screen_new(&ri_ops, r);
}
