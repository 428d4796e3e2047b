/* One key: asks the key file's password, then shows everything the
 * certificate says (what `qoltanba inspect` shows), with expired,
 * not-yet-valid and GOST states written out, not only coloured. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <qoltanba/keystore.h>
#include "screens/screens.h"
#include "i18n.h"

enum { F_PASSWORD, F_OPEN, F_COUNT };
enum { TAG_PASSWD = 1 };

struct keydetails {
	char path[4096];
	const char *name;
	bool is_cert;          /* a loose certificate: no password */
	bool shown;
	bool has_key;          /* the key file holds a private key */
	enum qt_p12_format format;
	struct qt_cert_summary sum;
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	int attempts;
	struct qt_cert_summary *learn;
	bool *learned;
	int top;               /* scroll of the details */
	char error[1024];
};

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcasecmp(s + a - b, suf) == 0;
}

static const char *kd_title(struct screen *s)
{
	struct keydetails *d = s->priv;
	return d->shown ? _("Key details") : _("Open a key");
}

static void date_str(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static const char *storage_text(const struct qt_cert_summary *s)
{
	return s->storage == QT_STORAGE_UNKNOWN ? _("not stated in the certificate")
	                                        : qt_storage_label(s->storage);
}

/* The lines of the details, built each time (the language may change). */
static int detail_lines(struct keydetails *d, char lines[][2][600], int max)
{
	const struct qt_cert_summary *s = &d->sum;
	char a[600], b[64];
	int n = 0, i;

#define LINE(label, ...) do { if (n < max) { \
		snprintf(lines[n][0], sizeof(lines[n][0]), "%s", label); \
		snprintf(lines[n][1], sizeof(lines[n][1]), __VA_ARGS__); n++; } } while (0)

	if (s->expired)
		snprintf(a, sizeof(a), "%s", _("EXPIRED: this key can no longer be used"));
	else if (s->not_yet_valid)
		snprintf(a, sizeof(a), "%s", _("NOT YET VALID: the certificate starts later"));
	else
		snprintf(a, sizeof(a), "%s", _("valid"));
	LINE(_("State"), "%s", a);
	if (!s->signing_supported)
		LINE(_("Signing"), "%s", s->key_alg == QT_KEYALG_GOST2004 ||
		     s->key_alg == QT_KEYALG_GOST2015_512 ?
		     _("GOST key: shown, but qoltanba cannot sign with it") :
		     _("this key type is not supported for signing"));
	LINE(_("Purpose"), "%s", qt_purpose_label(s->purpose));
	LINE(_("Name"), "%s", s->common_name);
	if (s->surname[0] || s->given_name[0])
		LINE(_("Surname, patronymic"), "%s%s%s", s->surname, s->given_name[0] ? ", " : "",
		     s->given_name);
	LINE(_("IIN"), "%s", s->iin[0] ? s->iin : "-");
	if (s->bin[0] || s->organization[0]) {
		LINE(_("BIN"), "%s", s->bin[0] ? s->bin : "-");
		LINE(_("Organisation"), "%s", s->organization[0] ? s->organization : "-");
	}
	if (s->email[0])
		LINE(_("E-mail"), "%s", s->email);
	a[0] = '\0';
	for (i = 0; i < QT_ROLE_COUNT; i++)
		if (s->roles & (1u << i))
			snprintf(a + strlen(a), sizeof(a) - strlen(a), "%s%s", a[0] ? ", " : "",
			         qt_role_label((enum qt_role)(1u << i)));
	LINE(_("Roles"), "%s", a[0] ? a : "-");
	LINE(_("Key algorithm"), "%s", s->key_algorithm);
	LINE(_("Issuer"), "%s", s->issuer);
	LINE(_("Serial number"), "%s", s->serial);
	date_str(s->not_before, b, sizeof(b));
	LINE(_("Valid from"), "%s", b);
	date_str(s->not_after, b, sizeof(b));
	LINE(_("Valid until"), "%s", b);
	if (s->days_left >= 0)
		LINE(_("Days left"), "%ld", s->days_left);
	else
		LINE(_("Days left"), _("none: expired %ld days ago"), -s->days_left);
	LINE(_("Key ID"), "%s", s->keyid);
	LINE(_("Storage"), "%s", storage_text(s));
	/* The same words as `qoltanba inspect`. */
	if (d->is_cert)
		LINE(_("Format"), "%s", _("certificate"));
	else
		LINE(_("Format"), "%s", d->format == QT_P12_LEGACY ?
		     _("key file, NCA's format (3DES, RC2-40, SHA-1 MAC)") :
		     _("key file (AES-256, PBKDF2, SHA-256 MAC)"));
	if (!d->is_cert && !d->has_key)
		LINE(_("Private key"), "%s", _("none: this key file cannot sign"));
	LINE(_("File"), "%s", d->name);
#undef LINE
	return n;
}

static void kd_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct keydetails *d = s->priv;
	static char lines[40][2][600];
	int n, i, row = 0, lw = 22;

	if (!d->shown) {
		tui_putf(y + 1, 2, w - 4, R_HEADING, "%s", d->name);
		tui_wrap(y + 2, 2, 2, w - 4, _("Type the password of this key file."), R_NORMAL);
		tui_form_draw(&d->form, y + 5, 2, 4, w - 4);
		if (d->error[0])
			tui_wrap(y + 10, 2, 4, w - 4, d->error, R_ERROR);
		return;
	}
	n = detail_lines(d, lines, 40);
	if (d->top > n - 1)
		d->top = n - 1;
	if (d->top < 0)
		d->top = 0;
	for (i = d->top; i < n && row < h - 2; i++, row++) {
		enum tui_role r = R_NORMAL;

		if (i == 0)
			r = d->sum.expired || d->sum.not_yet_valid ? R_ERROR : R_GOOD;
		else if (i == 1 && !d->sum.signing_supported)
			r = R_WARN;
		tui_put(y + row, 2, lw, lines[i][0], R_HEADING, true);
		tui_put(y + row, 2 + lw, w - lw - 4, lines[i][1], r, false);
	}
	/* The part of the validity period used up. */
	if (row < h - 1 && d->sum.not_after > d->sum.not_before) {
		double span = difftime(d->sum.not_after, d->sum.not_before);
		double used = difftime(time(NULL), d->sum.not_before);
		tui_progress_draw(y + row + 1, 2, w - 4 > 70 ? 70 : w - 4, used / span,
		                  _("Validity used"));
	}
	(void)t;
}

static int kd_open(struct screen *s, struct tui *t)
{
	struct keydetails *d = s->priv;
	char pw[TUI_FIELD_MAX * 4 + 1];
	qt_keyfile *kf = NULL;
	qt_err rc;

	tui_field_get(&d->fields[F_PASSWORD], pw, sizeof(pw));
	rc = qt_keyfile_open(d->path, pw, &kf);
	OPENSSL_cleanse(pw, sizeof(pw));
	tui_field_wipe(&d->fields[F_PASSWORD]);
	d->attempts++;
	if (rc == QT_OK) {
		memcpy(&d->sum, qt_keyfile_summary(kf), sizeof(d->sum));
		d->format = qt_keyfile_format(kf);
		if (d->learn) {
			memcpy(d->learn, &d->sum, sizeof(d->sum));
			*d->learned = true;
		}
		/* A GOST key is there even though OpenSSL cannot decode it. */
		d->has_key = qt_keyfile_key(kf) != NULL || !d->sum.signing_supported;
		qt_keyfile_free(kf);
		d->shown = true;
		d->error[0] = '\0';
		return TUI_REDRAW;
	}
	if (rc == QT_ERR_BAD_PASSWORD) {
		d->fields[F_PASSWORD].msg = _("Wrong password");
		d->fields[F_PASSWORD].touched = true;
		snprintf(d->error, sizeof(d->error), "%s", qt_strerror(rc));
		if (d->attempts > 1)
			snprintf(d->error + strlen(d->error), sizeof(d->error) - strlen(d->error),
			         " (%s %d)", _("attempt"), d->attempts);
		d->form.focus = F_PASSWORD;
	} else {
		snprintf(d->error, sizeof(d->error), "%s %s", qt_strerror(rc), qt_error_detail());
	}
	return TUI_REDRAW;
}

static int kd_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct keydetails *d = s->priv;
	bool submit;
	int r;

	if (d->shown) {
		switch (k->act) {
		case ACT_UP: d->top--; return TUI_HANDLED | TUI_REDRAW;
		case ACT_DOWN: d->top++; return TUI_HANDLED | TUI_REDRAW;
		case ACT_FIRST: case ACT_PGUP: d->top = 0; return TUI_HANDLED | TUI_REDRAW;
		case ACT_CHANGE_PASSWORD:
			if (d->is_cert) {
				snprintf(t->message, sizeof(t->message), "%s",
				         _("This is a certificate file: it has no password."));
				return TUI_HANDLED;
			}
			t->push = screen_passwd_new(d->path);
			if (t->push)
				t->push->tag = TAG_PASSWD;
			return TUI_HANDLED | TUI_PUSH;
		default:
			return 0;
		}
	}
	r = tui_form_key(&d->form, k, &submit);
	if (submit) {
		d->error[0] = '\0';
		t->work = kd_open;
		t->work_label = _("Opening the key file");
		return TUI_HANDLED | TUI_WORK;
	}
	return r;
}

static int kd_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	if (r->tag == TAG_PASSWD && r->code == 1)
		snprintf(t->message, sizeof(t->message), "%s",
		         _("The password was changed. Use the new one from now on."));
	return TUI_REDRAW;
}

static int kd_enter(struct screen *s, struct tui *t)
{
	struct keydetails *d = s->priv;
	X509 *x = NULL;
	qt_err rc;

	if (!d->is_cert)
		return 0;
	rc = qt_cert_load(d->path, &x);
	if (rc == QT_OK)
		rc = qt_cert_summarize(x, time(NULL), &d->sum);
	X509_free(x);
	if (rc == QT_OK) {
		d->shown = true;
	} else {
		snprintf(t->message, sizeof(t->message), "%s %s", qt_strerror(rc), qt_error_detail());
		t->message_error = true;
		return TUI_POP;
	}
	return 0;
}

static void kd_leave(struct screen *s, struct tui *t)
{
	struct keydetails *d = s->priv;

	tui_form_wipe(&d->form);
	OPENSSL_cleanse(d, sizeof(*d));
	free(d);
}

static const enum tui_action kd_bar_ask[] = { ACT_SUBMIT, ACT_SHOW_SECRET, ACT_BACK, ACT_NONE };
static const enum tui_action kd_bar_shown[] = { ACT_CHANGE_PASSWORD, ACT_BACK, ACT_NONE };
static const enum tui_action kd_bar_cert[] = { ACT_BACK, ACT_NONE };
static const enum tui_action *kd_bar(struct screen *s)
{
	struct keydetails *d = s->priv;
	return !d->shown ? kd_bar_ask : d->is_cert ? kd_bar_cert : kd_bar_shown;
}

static const struct screen_ops kd_ops = {
	.name = "key-details", .title = kd_title, .enter = kd_enter, .draw = kd_draw,
	.key = kd_key, .resume = kd_resume, .leave = kd_leave, .bar = kd_bar,
};

struct screen *screen_keydetails_new(const char *path, struct qt_cert_summary *learn,
                                     bool *learned)
{
	struct keydetails *d = calloc(1, sizeof(*d));
	const char *slash;

	if (!d)
		return NULL;
	snprintf(d->path, sizeof(d->path), "%s", path);
	slash = strrchr(d->path, '/');
	d->name = slash ? slash + 1 : d->path;
	d->learn = learned ? learn : NULL;
	d->learned = learned;
	d->is_cert = !(has_suffix(path, ".p12") || has_suffix(path, ".pfx"));
	d->fields[F_PASSWORD].kind = TF_PASSWORD;
	d->fields[F_PASSWORD].label = N_("Password");
	d->fields[F_PASSWORD].max = 64;
	d->fields[F_OPEN].kind = TF_BUTTON;
	d->fields[F_OPEN].label = N_("Open");
	d->form.fields = d->fields;
	d->form.n = F_COUNT;
	d->form.label_w = 16;
	d->form.ctx = d;
	return tui_screen_new(&kd_ops, d);
}
