/* The keys of a folder (one row per key file) or of a token (one row
 * per key or certificate id), filtered as you type, with the same
 * columns for both. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <qoltanba/keystore.h>
#include <qoltanba/token.h>
#include "screens/screens.h"
#include "i18n.h"

enum { TAG_UNLOCK = 1 };

struct keylist {
	char dir[4096];
	qt_token *tok;         /* a token's contents instead of a folder's */
	char tokname[256];
	struct qt_keydir *kd;
	size_t *rows;          /* entries shown: a .cer beside its .p12 is left out */
	size_t nrows;
	size_t opened;         /* the row whose key is being looked at */
	char password[TUI_FIELD_MAX * 4 + 1];   /* for "unlock all", wiped after */
	bool with_password;
	bool learned;          /* its details came back */
	struct tui_list list;
	bool loaded;
	qt_err rc;
	char detail[512];
};

static const char *purpose_short(enum qt_purpose p)
{
	/* NCA's own words, as in the file names: not translated. */
	return p == QT_PURPOSE_AUTH ? "AUTH" : p == QT_PURPOSE_SIGN ? "SIGN" : "?";
}

/* The state of an entry, in words (never colour alone). */
static const char *entry_state(const struct keylist *kl, const struct qt_keydir_entry *e,
                               char *buf, size_t size, enum tui_role *role)
{
	*role = R_NORMAL;
	if (kl->tok && e->status != QT_OK) {
		/* Left by a generation that was cut short: not a key. */
		*role = R_ERROR;
		return _("incomplete");
	}
	if (kl->tok && !e->has_summary) {
		*role = R_DIM;
		return e->kind == QT_KD_P12 ? _("no certificate") : _("certificate");
	}
	if (e->status != QT_OK) {
		*role = R_ERROR;
		if (e->status == QT_ERR_PERMISSION)
			return _("unreadable");
		if (e->status == QT_ERR_NOT_KEYSTORE)
			return _("not a key file");
		if (e->status == QT_ERR_BAD_PASSWORD)
			return _("other password");
		return _("cannot read");
	}
	if (!e->has_summary) {
		*role = R_DIM;
		return _("password needed");
	}
	if (e->summary.expired) {
		*role = R_ERROR;
		snprintf(buf, size, "%s%s", _("EXPIRED"),
		         e->summary.signing_supported ? "" : ", GOST");
	} else if (e->summary.not_yet_valid) {
		*role = R_WARN;
		snprintf(buf, size, "%s%s", _("not yet valid"),
		         e->summary.signing_supported ? "" : ", GOST");
	} else {
		*role = R_GOOD;
		snprintf(buf, size, dngettext(PACKAGE, "valid, %ld day", "valid, %ld days",
		                              (unsigned long)e->summary.days_left),
		         e->summary.days_left);
		if (!e->summary.signing_supported)
			snprintf(buf + strlen(buf), size - strlen(buf), ", GOST");
	}
	return buf;
}

static void owner_of(const struct qt_keydir_entry *e, char *buf, size_t size)
{
	if (!e->has_summary && e->kind != QT_KD_CERT && e->path[0] == '\0') {
		/* A token key without a label or certificate. */
		snprintf(buf, size, _("(key %s)"), e->keyid);
		return;
	}
	if (!e->has_summary) {
		/* Only the name is known: the key ID is the part that differs. */
		snprintf(buf, size, _("(key %s)"), e->keyid[0] ? e->keyid : e->name);
		return;
	}
	if (e->summary.organization[0])
		snprintf(buf, size, "%s, %s", e->summary.common_name, e->summary.organization);
	else
		snprintf(buf, size, "%s", e->summary.common_name);
	/* A certificate without its key file says so. */
	if (e->kind == QT_KD_CERT)
		snprintf(buf + strlen(buf), size - strlen(buf), " (%s)", _("certificate only"));
}

/* The rows to show: every entry but a certificate whose .p12 is here
 * too (the .p12 row already shows what it says). */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int pick_rows(struct keylist *kl)
{
	size_t i, n = kl->kd->count, np = 0;
	const char **p12ids = calloc(n ? n : 1, sizeof(char *));

	free(kl->rows);
	kl->nrows = 0;
	kl->rows = calloc(n ? n : 1, sizeof(size_t));
	if (!kl->rows || !p12ids) {
		free(p12ids);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (kl->kd->entries[i].kind == QT_KD_P12 && kl->kd->entries[i].keyid[0])
			p12ids[np++] = kl->kd->entries[i].keyid;
	qsort(p12ids, np, sizeof(char *), cmp_str);
	for (i = 0; i < n; i++) {
		const struct qt_keydir_entry *e = &kl->kd->entries[i];
		const char *key = e->keyid;

		if (e->kind == QT_KD_CERT && key[0] &&
		    bsearch(&key, p12ids, np, sizeof(char *), cmp_str))
			continue;
		kl->rows[kl->nrows++] = i;
	}
	free(p12ids);
	return 0;
}

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
	struct keylist *kl = ctx;
	const struct qt_keydir_entry *e = &kl->kd->entries[kl->rows[i]];
	char owner[600], st[128];
	enum tui_role r;

	owner_of(e, owner, sizeof(owner));
	snprintf(buf, size, "%s %s %s %s %s %s %s", purpose_short(e->purpose), owner,
	         e->has_summary ? e->summary.iin : "", e->has_summary ? e->summary.bin : "",
	         entry_state(kl, e, st, sizeof(st), &r), e->name, e->keyid);
	return buf;
}

/* Columns: use, owner (the rest), IIN, expiry, state; from 110 columns
 * on also BIN and the file name.  Header and rows share the layout. */
enum { C_USE, C_OWNER, C_IIN, C_BIN, C_EXP, C_STATE, C_FILE, C_COUNT };

static void layout(int w, int cw[C_COUNT])
{
	bool wide = w >= 110;
	int i, used = 0;

	cw[C_USE] = 6;
	cw[C_IIN] = 13;
	cw[C_BIN] = wide ? 13 : 0;
	cw[C_EXP] = 11;
	cw[C_STATE] = 19;
	cw[C_FILE] = wide ? 26 : 0;
	cw[C_OWNER] = 0;
	for (i = 0; i < C_COUNT; i++)
		used += cw[i];
	cw[C_OWNER] = w - used;
	if (wide) {
		/* Extra width goes to the owner and the file name. */
		int extra = cw[C_OWNER] - 30;
		if (extra > 0) {
			cw[C_FILE] += extra / 2;
			cw[C_OWNER] -= extra / 2;
		}
	}
}

static void row_draw(void *ctx, size_t row, int y, int x, int w, bool sel)
{
	struct keylist *kl = ctx;
	const struct qt_keydir_entry *e = &kl->kd->entries[kl->rows[row]];
	char owner[600], st[128], exp[32] = "-";
	const char *text[C_COUNT];
	enum tui_role role[C_COUNT], r, base = sel ? R_SELECTED : R_NORMAL;
	int cw[C_COUNT], i;
	bool sum = e->has_summary;

	layout(w, cw);
	owner_of(e, owner, sizeof(owner));
	if (sum) {
		struct tm tm;
		time_t na = e->summary.not_after;
		gmtime_r(&na, &tm);
		strftime(exp, sizeof(exp), "%Y-%m-%d", &tm);
	}
	text[C_USE] = purpose_short(e->purpose);
	text[C_OWNER] = owner;
	text[C_IIN] = sum && e->summary.iin[0] ? e->summary.iin : "-";
	text[C_BIN] = sum && e->summary.bin[0] ? e->summary.bin : "-";
	text[C_EXP] = exp;
	text[C_STATE] = entry_state(kl, e, st, sizeof(st), &r);
	text[C_FILE] = e->name;
	for (i = 0; i < C_COUNT; i++)
		role[i] = base;
	if (!sel) {
		role[C_STATE] = r;
		role[C_FILE] = R_DIM;
		if (!sum)
			role[C_OWNER] = R_DIM;
	}
	tui_cells(y, x, C_COUNT, cw, text, role, base);
}

/* Token rows in a stable order, as a folder's are by file name: by
 * label, then keyid. */
static int cmp_token_entry(const void *a, const void *b)
{
	const struct qt_keydir_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->keyid, y->keyid);
}

/* A token's objects as key-list entries: a key (with or without its
 * certificate) is like a key file, a certificate alone like a .cer;
 * "name" is the label. */
static qt_err token_scan(struct keylist *kl, struct qt_keydir **out)
{
	struct qt_token_object *objs = NULL;
	struct qt_keydir *kd;
	size_t n = 0, i;
	qt_err rc;

	*out = NULL;
	rc = qt_token_list(kl->tok, &objs, &n);
	if (rc != QT_OK)
		return rc;
	kd = calloc(1, sizeof(*kd));
	if (kd)
		kd->entries = calloc(n ? n : 1, sizeof(*kd->entries));
	if (!kd || !kd->entries) {
		free(kd);
		qt_token_objects_free(objs, n);
		return QT_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		struct qt_keydir_entry *e = &kd->entries[kd->count];
		const struct qt_token_object *o = &objs[i];
		const char *label = o->label[0] ? o->label : o->cert_label;

		e->path = strdup(label);
		e->status_detail = strdup("");
		if (!e->path || !e->status_detail) {
			free(e->path);
			free(e->status_detail);
			break;
		}
		kd->count++;
		e->name = e->path;
		e->kind = o->has_private_key || o->has_public_key ? QT_KD_P12 : QT_KD_CERT;
		e->status = o->incomplete ? QT_ERR_TOKEN : QT_OK;
		e->purpose = QT_PURPOSE_UNKNOWN;
		/* Ids longer than a keyid (not made by NCA or qoltanba) are
		 * shown by their first 40 hex digits. */
		snprintf(e->keyid, sizeof(e->keyid), "%.*s", (int)sizeof(e->keyid) - 1, o->keyid);
		if (o->cert && qt_cert_summarize(o->cert, time(NULL), &e->summary) == QT_OK) {
			e->has_summary = true;
			e->purpose = e->summary.purpose;
		}
	}
	qt_token_objects_free(objs, n);
	qsort(kd->entries, kd->count, sizeof(*kd->entries), cmp_token_entry);
	qt_error_clear();
	*out = kd;
	return QT_OK;
}

static int kl_scan(struct screen *s, struct tui *t)
{
	struct keylist *kl = s->priv;

	if (kl->kd) {
		tui_list_free(&kl->list);
		qt_keydir_free(kl->kd);
		kl->kd = NULL;
	}
	if (kl->tok)
		kl->rc = token_scan(kl, &kl->kd);
	else
		kl->rc = qt_keydir_scan(kl->dir, kl->with_password ? kl->password : NULL, time(NULL),
		                        &kl->kd);
	OPENSSL_cleanse(kl->password, sizeof(kl->password));
	if (kl->with_password && kl->rc == QT_OK) {
		size_t i, opened = 0, wrong = 0;

		for (i = 0; i < kl->kd->count; i++) {
			if (kl->kd->entries[i].kind != QT_KD_P12)
				continue;
			if (kl->kd->entries[i].status == QT_OK)
				opened++;
			else if (kl->kd->entries[i].status == QT_ERR_BAD_PASSWORD)
				wrong++;
		}
		snprintf(t->message, sizeof(t->message),
		         _("Opened with this password: %zu key files; another password: %zu."),
		         opened, wrong);
		t->message_error = opened == 0;
	}
	kl->with_password = false;
	kl->loaded = true;
	if (kl->rc != QT_OK) {
		snprintf(kl->detail, sizeof(kl->detail), "%s", qt_error_detail());
		snprintf(t->message, sizeof(t->message), "%s", qt_strerror(kl->rc));
		t->message_error = true;
		return TUI_REDRAW;
	}
	if (pick_rows(kl) < 0 || tui_list_init(&kl->list, kl->nrows, row_text, kl) < 0) {
		snprintf(t->message, sizeof(t->message), "%s", _("Out of memory."));
		t->message_error = true;
	}
	kl->list.draw_row = row_draw;
	return TUI_REDRAW;
}

static int kl_enter(struct screen *s, struct tui *t)
{
	struct keylist *kl = s->priv;

	t->work = kl_scan;
	t->work_label = kl->tok ? _("Reading the token") : _("Reading the folder");
	return TUI_WORK;
}

static const char *kl_title(struct screen *s)
{
	struct keylist *kl = s->priv;

	return kl->tok ? _("Keys on a token") : _("Keys in a folder");
}

static void kl_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct keylist *kl = s->priv;
	int lw = w - 4;

	tui_putf(y, 2, w - 4, R_HEADING, "%s", kl->tok ? kl->tokname : kl->dir);
	if (!kl->loaded)
		return;
	if (kl->rc != QT_OK) {
		char buf[1024];
		snprintf(buf, sizeof(buf), "%s %s", qt_strerror(kl->rc), kl->detail);
		tui_wrap(y + 2, 2, 4, w - 4, buf, R_ERROR);
		return;
	}
	if (kl->nrows == 0 && kl->tok) {
		tui_wrap(y + 2, 2, 4, w - 4,
		         _("There are no keys or certificates on this token. Keys are made on it "
		           "when you obtain DS keys."), R_NORMAL);
		return;
	}
	if (kl->nrows == 0) {
		tui_wrap(y + 2, 2, 4, w - 4,
		         _("There are no key files in this folder (.p12, .pfx, .cer, .crt, .pem). "
		           "NCA names them AUTH_RSA256_..., RSA256_..., GOSTKNCA_..., GOST512_.... "
		           "Press Esc to choose another folder."), R_NORMAL);
		return;
	}
	{
		const char *head[C_COUNT] = { _("Use"), _("Owner"), _("IIN"), _("BIN"), _("Expires"),
		                              _("State"), kl->tok ? _("Label") : _("File") };
		enum tui_role hr[C_COUNT];
		int cw[C_COUNT], i;

		for (i = 0; i < C_COUNT; i++)
			hr[i] = R_HEADING;
		layout(lw - 2, cw);
		tui_cells(y + 1, 4, C_COUNT, cw, head, hr, R_NORMAL);
	}
	tui_list_draw(&kl->list, y + 2, 2, h - 2, lw);
	(void)t;
}

static int kl_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct keylist *kl = s->priv;
	size_t i;

	if (k->act == ACT_RELOAD)
		return kl_enter(s, t) | TUI_HANDLED;
	if (kl->tok && k->act == ACT_CHANGE_PIN) {
		t->push = screen_tokchange_new(kl->tok, false);
		return TUI_HANDLED | TUI_PUSH;
	}
	if (kl->tok && k->act == ACT_UNLOCK_ALL)
		return TUI_HANDLED;
	if (k->act == ACT_UNLOCK_ALL) {
		t->push = tui_password_dialog_new(_("Unlock all"),
		                                  _("One password for every key file of this folder "
		                                    "(NCA gives the AUTH and SIGN keys the same one)."),
		                                  TAG_UNLOCK);
		return TUI_HANDLED | TUI_PUSH;
	}
	if (!kl->kd || kl->rc != QT_OK)
		return 0;
	if (k->act == ACT_SELECT) {
		const struct qt_keydir_entry *e;

		i = tui_list_selected(&kl->list);
		if (i == (size_t)-1)
			return TUI_HANDLED;
		e = &kl->kd->entries[kl->rows[i]];
		if (kl->tok) {
			char buf[600];

			if (e->has_summary) {
				t->push = screen_keydetails_token_new(&e->summary, e->name,
				                                      e->kind == QT_KD_P12, kl->tokname);
				return TUI_HANDLED | TUI_PUSH;
			}
			snprintf(buf, sizeof(buf), "%s\n\n%s %s",
			         e->status != QT_OK ?
			         _("This key was left by a key generation that was cut short; it "
			           "cannot be used, and the next generation removes it.") :
			         _("There is no certificate for this key on the token yet."),
			         _("Key ID:"), e->keyid);
			t->push = tui_dialog_new(e->name[0] ? e->name : _("Key"), buf, NULL, 0, 0);
			return TUI_HANDLED | TUI_PUSH;
		}
		if (e->status != QT_OK && e->status != QT_ERR_BAD_PASSWORD) {
			char buf[1200];
			snprintf(buf, sizeof(buf), "%s\n\n%s\n%s", e->name, qt_strerror(e->status),
			         e->status_detail ? e->status_detail : "");
			t->push = tui_dialog_new(_("Cannot read this file"), buf, NULL, 0, 0);
			return TUI_HANDLED | TUI_PUSH;
		}
		kl->opened = i;
		kl->learned = false;
		t->push = screen_keydetails_new(e->path, &kl->kd->entries[kl->rows[i]].summary,
		                                &kl->learned);
		return TUI_HANDLED | TUI_PUSH;
	}
	return tui_list_key(&kl->list, k);
}

/* Back from a key's details: what the opened file said now shows in
 * the list too (files without a certificate beside them). */
static int kl_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct keylist *kl = s->priv;

	if (r->tag == TAG_UNLOCK) {
		if (r->code != 1)
			return TUI_REDRAW;
		{
			size_t n = strnlen(r->text, sizeof(kl->password) - 1);

			memcpy(kl->password, r->text, n);
			kl->password[n] = '\0';
		}
		kl->with_password = true;
		t->work = kl_scan;
		t->work_label = _("Opening the key files");
		return TUI_WORK;
	}
	if (kl->learned && kl->kd && kl->opened < kl->nrows) {
		struct qt_keydir_entry *e = &kl->kd->entries[kl->rows[kl->opened]];

		e->has_summary = true;
		e->purpose = e->summary.purpose;
		e->status = QT_OK;
		tui_list_update(&kl->list, kl->opened, row_text);
	}
	kl->learned = false;
	return TUI_REDRAW;
}

static void kl_leave(struct screen *s, struct tui *t)
{
	struct keylist *kl = s->priv;

	/* Leaving a token's contents logs out of it. */
	if (kl->tok)
		qt_token_logout(kl->tok);
	tui_list_free(&kl->list);
	qt_keydir_free(kl->kd);
	free(kl->rows);
	OPENSSL_cleanse(kl, sizeof(*kl));
	free(kl);
}

static const enum tui_action kl_bar_acts[] = { ACT_SELECT, ACT_UNLOCK_ALL, ACT_BACK,
                                               ACT_CLEAR, ACT_RELOAD, ACT_NONE };
static const enum tui_action kl_bar_tok[] = { ACT_SELECT, ACT_CHANGE_PIN, ACT_BACK, ACT_CLEAR,
                                              ACT_RELOAD, ACT_NONE };
static const enum tui_action *kl_bar(struct screen *s)
{
	struct keylist *kl = s->priv;

	return kl->tok ? kl_bar_tok : kl_bar_acts;
}

static const struct screen_ops kl_ops = {
	.name = "key-list", .title = kl_title, .enter = kl_enter, .draw = kl_draw,
	.key = kl_key, .resume = kl_resume, .leave = kl_leave, .bar = kl_bar,
};

struct screen *screen_keylist_new(const char *dir)
{
	struct keylist *kl = calloc(1, sizeof(*kl));

	if (!kl)
		return NULL;
	snprintf(kl->dir, sizeof(kl->dir), "%s", dir);
	return tui_screen_new(&kl_ops, kl);
}

struct screen *screen_keylist_token_new(qt_token *tok)
{
	struct keylist *kl = calloc(1, sizeof(*kl));
	struct qt_token_info ti;

	if (!kl)
		return NULL;
	kl->tok = tok;
	if (qt_token_info(tok, &ti) == QT_OK)
		snprintf(kl->tokname, sizeof(kl->tokname), _("Token %s (%s, serial %s)"), ti.label,
		         ti.model, ti.serial);
	qt_error_clear();
	return tui_screen_new(&kl_ops, kl);
}
