/* Personal account, "My DS keys" / "List of DS keys" (screens/account.h):
 * every certificate issued to the holder's IIN, as the portal knows it,
 * in a table that fits 80 columns (wider terminals add the issue date
 * and longer serials).  States are words (valid, "N days left",
 * expired, revoked, not yet valid), coloured only as a second cue.
 *
 *   typing        filters (serial, state, application, storage, ...)
 *   F11/^D        sort: expiry, state, purpose, issue date, each
 *                 ascending then descending; the heading says which
 *   F2/^O         export the list as CSV (qt_account_keys_csv), written
 *                 atomically to a file the user names
 *   Enter         the key's details, with Revoke and Re-issue when the
 *                 key allows them (and a sentence why not otherwise)
 *   F5/^R         read the list again (also after a revocation or a
 *                 re-issuance: the page reloads when it comes back) */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <qoltanba/cert.h>
#include <qoltanba/fsutil.h>
#include "screens/account.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { TAG_DETAILS = 1, TAG_EXPORT, TAG_PICK };
enum { DET_CLOSE = 0, DET_REVOKE, DET_REISSUE };

/* The sort orders F11 goes through, each ascending then descending. */
enum sort_col { SORT_EXPIRY, SORT_STATE, SORT_PURPOSE, SORT_ISSUED, SORT_COUNT };

struct keys {
	struct qt_account_key *k;
	size_t n;
	struct tui_list list;
	bool loaded;            /* a list came back at least once */
	char error[1024];
	char note[PATH_MAX + 200];  /* what the export did */
	enum sort_col sort;
	bool desc;
	char keep[48];          /* serial to keep selected across reloads */
};

/* The folder of the last export in this run: the next one starts there. */
static char export_dir[PATH_MAX];

/* ---- Words ------------------------------------------------------------------ */

/* Storage in few cells, for the table. */
static const char *storage_short(const char *s)
{
	if (strcmp(s, "pkcs12") == 0 || strcmp(s, "pc") == 0)
		return _("key file");
	return acct_storage_label(s);
}

/* The state in words: "12 days left" for a valid key near its end. */
static const char *state_text(const struct qt_account_key *k, char *buf, size_t size,
                              enum tui_role *role)
{
	*role = R_NORMAL;
	if (strcmp(k->status, "revoked") == 0) {
		*role = R_ERROR;
	} else if (strcmp(k->status, "expired") == 0) {
		*role = R_DIM;
	} else if (strcmp(k->status, "not_yet_valid") == 0) {
		*role = R_WARN;
	} else if (strcmp(k->status, "valid") == 0) {
		*role = R_GOOD;
		if (k->days_left <= ACCT_NOTICE_DAYS) {
			*role = R_WARN;
			if (k->days_left <= 0)
				snprintf(buf, size, "%s", _("expires today"));
			else
				snprintf(buf, size, dngettext(PACKAGE, "%ld day left", "%ld days left",
				                              (unsigned long)k->days_left), k->days_left);
			return buf;
		}
	}
	return acct_status_label(k->status);
}

static const char *sort_name(enum sort_col c)
{
	switch (c) {
	case SORT_EXPIRY: return _("expiry date");
	case SORT_STATE: return _("state");
	case SORT_PURPOSE: return _("purpose");
	case SORT_ISSUED: return _("issue date");
	default: return "";
	}
}

/* The direction as an arrow; "" without UTF-8, where the words say it. */
static const char *arrow(bool desc)
{
	if (tui_current && tui_current->utf8)
		return desc ? " \xe2\x86\x93" : " \xe2\x86\x91";
	return "";
}

/* ---- Sorting ---------------------------------------------------------------- */

static int status_rank(const char *s)
{
	if (strcmp(s, "valid") == 0)
		return 0;
	if (strcmp(s, "not_yet_valid") == 0)
		return 1;
	if (strcmp(s, "expired") == 0)
		return 2;
	if (strcmp(s, "revoked") == 0)
		return 3;
	return 4;
}

static int cmp_time(time_t a, time_t b) { return a < b ? -1 : a > b; }

static int cmp_key(const struct qt_account_key *a, const struct qt_account_key *b,
                   enum sort_col col, bool desc)
{
	int c = 0;

	switch (col) {
	case SORT_EXPIRY: c = cmp_time(a->not_after, b->not_after); break;
	case SORT_STATE: c = status_rank(a->status) - status_rank(b->status); break;
	case SORT_PURPOSE: c = strcmp(a->purpose, b->purpose); break;
	case SORT_ISSUED: c = cmp_time(a->not_before, b->not_before); break;
	default: break;
	}
	/* Ties: the one that expires first, then by serial, so the order
	 * never changes on a reload; descending is the exact reverse. */
	if (c == 0)
		c = cmp_time(a->not_after, b->not_after);
	if (c == 0)
		c = strcmp(a->serial, b->serial);
	return desc ? -c : c;
}

/* Insertion sort: a holder has a few dozen keys at most, and this keeps
 * the sort order in the arguments instead of globals (no qsort_r). */
static void sort_keys(struct qt_account_key *k, size_t n, enum sort_col col, bool desc)
{
	for (size_t i = 1; i < n; i++) {
		struct qt_account_key x = k[i];
		size_t j = i;

		while (j > 0 && cmp_key(&k[j - 1], &x, col, desc) > 0) {
			k[j] = k[j - 1];
			j--;
		}
		k[j] = x;
	}
}

/* ---- The table -------------------------------------------------------------- */

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
	struct keys *p = ctx;
	const struct qt_account_key *k = &p->k[i];
	char st[64], from[11], until[11];
	enum tui_role r;

	acct_date(k->not_before, from);
	acct_date(k->not_after, until);
	snprintf(buf, size, "%s %s %s %s %s %s %s %s %s %s", acct_purpose_label(k->purpose),
	         k->serial, state_text(k, st, sizeof(st), &r), acct_status_label(k->status),
	         k->number, acct_storage_label(k->storage), acct_subject_type_label(k->subject_type), k->bin,
	         from, until);
	return buf;
}

/* Columns; the issue date only from 88 cells, the serial takes the rest
 * (at least 9 cells: 8 hex digits and an ellipsis), then storage and
 * type get longer.  Header and rows share the layout. */
enum { C_KEY, C_SERIAL, C_STATE, C_FROM, C_UNTIL, C_APP, C_STORAGE, C_TYPE, C_COUNT };

static void layout(int w, int cw[C_COUNT])
{
	int used = 0, extra;

	cw[C_KEY] = 5;
	cw[C_STATE] = 14;
	cw[C_FROM] = w >= 88 ? 11 : 0;
	cw[C_UNTIL] = 11;
	cw[C_APP] = 13;
	cw[C_STORAGE] = 10;
	cw[C_TYPE] = 12;
	cw[C_SERIAL] = 0;
	for (int i = 0; i < C_COUNT; i++)
		used += cw[i];
	cw[C_SERIAL] = w - used;
	if (cw[C_SERIAL] > 41) {
		/* The whole serial; then the long storage labels, the type. */
		extra = cw[C_SERIAL] - 41;
		cw[C_SERIAL] = 41;
		cw[C_STORAGE] += extra > 9 ? 9 : extra;
		extra -= extra > 9 ? 9 : extra;
		cw[C_TYPE] += extra;
	}
	if (cw[C_SERIAL] < 1)
		cw[C_SERIAL] = 1;
}

static void row_draw(void *ctx, size_t row, int y, int x, int w, bool sel)
{
	struct keys *p = ctx;
	const struct qt_account_key *k = &p->k[row];
	char st[64], from[11], until[11];
	const char *text[C_COUNT];
	enum tui_role role[C_COUNT], r, base = sel ? R_SELECTED : R_NORMAL;
	int cw[C_COUNT];

	layout(w, cw);
	acct_date(k->not_before, from);
	acct_date(k->not_after, until);
	text[C_KEY] = acct_purpose_label(k->purpose);
	text[C_SERIAL] = k->serial;
	text[C_STATE] = state_text(k, st, sizeof(st), &r);
	text[C_FROM] = from;
	text[C_UNTIL] = until;
	text[C_APP] = k->number[0] ? k->number : "-";
	text[C_STORAGE] = cw[C_STORAGE] > 18 ? acct_storage_label(k->storage) :
	                  storage_short(k->storage);
	text[C_TYPE] = acct_subject_type_label(k->subject_type);
	for (int i = 0; i < C_COUNT; i++)
		role[i] = base;
	if (!sel)
		role[C_STATE] = r;
	tui_cells(y, x, C_COUNT, cw, text, role, base);
}

/* The serial of the selected row, before p->k is replaced or sorted. */
static void remember(struct keys *p)
{
	size_t i = tui_list_selected(&p->list);

	if (i != (size_t)-1 && i < p->n && p->k)
		snprintf(p->keep, sizeof(p->keep), "%s", p->k[i].serial);
}

/* The list again from p->k, keeping the filter and the key p->keep. */
static void rebuild(struct keys *p)
{
	wchar_t filter[sizeof(p->list.filter) / sizeof(p->list.filter[0])];
	size_t flen = p->list.filter_len, i;

	memcpy(filter, p->list.filter, sizeof(filter));
	tui_list_free(&p->list);
	if (tui_list_init(&p->list, p->n, row_text, p) != 0) {
		tui_list_free(&p->list);
		snprintf(p->error, sizeof(p->error), "%s", _("Out of memory."));
		return;
	}
	p->list.draw_row = row_draw;
	memcpy(p->list.filter, filter, sizeof(filter));
	p->list.filter_len = flen;
	tui_list_refilter(&p->list);
	for (i = 0; p->keep[0] && i < p->list.nshown; i++)
		if (strcmp(p->k[p->list.shown[i]].serial, p->keep) == 0) {
			p->list.sel = i;
			break;
		}
}

/* ---- Loading ------------------------------------------------------------------ */

static int kp_load(struct screen *s, struct tui *t)
{
	struct keys *p = s->priv;
	struct qt_account_key *k = NULL;
	size_t n = 0;
	qt_err rc;

	p->error[0] = '\0';
	/* A signer is enough: the engine signs in again when the session
	 * expired, or when a renewal failed before (the portal was down). */
	if (!acc.a) {
		snprintf(p->error, sizeof(p->error), "%s",
		         _("You are not signed in to the personal account: go back and sign in with "
		           "your AUTH key."));
		return TUI_REDRAW;
	}
	rc = qt_account_keys(acc.a, &k, &n);
	if (rc != QT_OK) {
		acct_explain(rc, p->error, sizeof(p->error));
		return TUI_REDRAW;
	}
	remember(p);
	free(p->k);
	p->k = k;
	p->n = n;
	p->loaded = true;
	sort_keys(p->k, p->n, p->sort, p->desc);
	rebuild(p);
	return TUI_REDRAW;
}

static int kp_reload(struct screen *s, struct tui *t)
{
	t->work = kp_load;
	t->work_label = _("Reading your keys from the portal");
	enr_cancellable(t);
	return TUI_WORK;
}

static int kp_enter(struct screen *s, struct tui *t)
{
	enr_status_note(t);
	return kp_reload(s, t);
}

static const char *kp_title(struct screen *s) { return _("List of DS keys"); }

static void kp_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct keys *p = s->priv;
	int mw = w - 4, row = y + 1;
	char buf[512];

	if (p->loaded) {
		snprintf(buf, sizeof(buf), dngettext(PACKAGE, "%zu key. Sorted by %s, %s%s.",
		                                     "%zu keys. Sorted by %s, %s%s.",
		                                     (unsigned long)p->n),
		         p->n, sort_name(p->sort), p->desc ? _("descending") : _("ascending"),
		         arrow(p->desc));
		{
			/* Which key sorts, beside it: at 80 columns the status bar
			 * may not have room for Sort in every language. */
			char k[48];
			int used = tui_put(row, 2, mw, buf, R_HEADING, false);

			tui_action_keys(tui_action_def(ACT_SORT), k, sizeof(k));
			if (used + tui_width(k) + 4 <= mw)
				tui_putf(row, 2 + used + 2, mw - used - 2, R_DIM, "(%s)", k);
		}
	}
	row++;
	if (p->error[0]) {
		row += tui_wrap(row, 2, 4, mw, p->error, R_ERROR);
		if (!p->loaded) {
			tui_wrap(row + 1, 2, 2, mw, _("F5 (or Ctrl-R) tries again; Esc goes back."),
			         R_DIM);
			return;
		}
	} else if (p->note[0]) {
		row += tui_wrap(row, 2, 3, mw, p->note, R_GOOD);
	}
	if (!p->loaded)
		return;
	if (p->n == 0) {
		tui_wrap(row + 1, 2, y + h - row - 1, mw,
		         _("No DS keys have been issued to your IIN yet. To get keys, apply for them: "
		           "go back to Home and choose \"Obtain DS keys\", then install the "
		           "certificates once a Registration Authority has approved the "
		           "application."), R_NORMAL);
		return;
	}
	{
		const char *head[C_COUNT] = { _("Key"), _("Serial"), _("State"), _("From"),
		                              _("Until"), _("Application"), _("Storage"), _("Type") };
		static const int col_of[SORT_COUNT] = { C_UNTIL, C_STATE, C_KEY, C_FROM };
		enum tui_role hr[C_COUNT];
		char sorted[64];
		int cw[C_COUNT], c = col_of[p->sort];

		for (int i = 0; i < C_COUNT; i++)
			hr[i] = R_DIM;
		/* The sorted column's name with an arrow (or "^"/"v" in ASCII when
		 * it fits; the heading says it in words, and names the column
		 * when it is not shown). */
		layout(mw - 2, cw);
		if (tui_current && tui_current->utf8)
			snprintf(sorted, sizeof(sorted), "%s%s", head[c],
			         p->desc ? "\xe2\x86\x93" : "\xe2\x86\x91");
		else if (tui_width(head[c]) + 2 < cw[c])
			snprintf(sorted, sizeof(sorted), "%s %s", head[c], p->desc ? "v" : "^");
		else
			snprintf(sorted, sizeof(sorted), "%s", head[c]);
		head[c] = sorted;
		hr[c] = R_HEADING;
		tui_cells(row, 4, C_COUNT, cw, head, hr, R_NORMAL);
		row++;
	}
	tui_list_draw(&p->list, row, 2, y + h - row, mw);
	(void)t;
	(void)x;
}

/* ---- Details (a modal over the list) ------------------------------------------ */

struct details {
	struct qt_account_key k;
	bool signer;            /* the key the holder signed in with */
	int buttons[3], nbuttons, sel;
};

static void kv(int *row, int x, int w, const char *k, const char *v, enum tui_role r)
{
	tui_put(*row, x, 16, k, R_DIM, true);
	tui_put(*row, x + 16, w - 16, v, r, false);
	(*row)++;
}

static const char *button_label(int b)
{
	switch (b) {
	case DET_REVOKE: return _("Revoke");
	case DET_REISSUE: return _("Re-issue");
	default: return _("Close");
	}
}

/* Why a key cannot be revoked or re-issued, or "". */
static const char *det_why(const struct details *d)
{
	if (strcmp(d->k.status, "revoked") == 0)
		return _("This key is revoked: it cannot be revoked again or re-issued. For new keys "
		         "apply again (Home, \"Obtain DS keys\").");
	if (strcmp(d->k.status, "expired") == 0)
		return _("This key has expired: there is nothing left to revoke (it no longer "
		         "verifies), and an expired key cannot be re-issued. For new keys apply again "
		         "(Home, \"Obtain DS keys\").");
	if (strcmp(d->k.status, "not_yet_valid") == 0)
		return _("This key is not valid yet: it can be revoked, but re-issued only once it is "
		         "valid.");
	return "";
}

/* "2027-11-21 09:13 UTC" */
static void when(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		buf[0] = '\0';
}

static const char *det_title(struct screen *s) { return _("DS key"); }

static void det_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct details *d = s->priv;
	const struct qt_account_key *k = &d->k;
	int dw = w - 6 > 76 ? 76 : w - 6, iw = dw - 4, dh, by, bx, row, lines, bxw = 0;
	char buf[256], a[32], b[32], st[64];
	const char *why = det_why(d);
	enum tui_role r;

	lines = 8 + (k->bin[0] ? 1 : 0) + (k->revoked_at ? 2 : 0) + (d->signer ? 1 : 0);
	if (why[0])
		lines += 1 + tui_wrap_count(iw, why);
	dh = lines + 4;
	if (dh > h)
		dh = h;
	by = y + (h - dh) / 2;
	bx = x + (w - dw) / 2;
	tui_fill(by, bx, dh, dw, R_NORMAL);
	snprintf(buf, sizeof(buf), _("%s key %s"), acct_purpose_label(k->purpose), k->number);
	tui_box(by, bx, dh, dw, buf, R_FRAME);
	row = by + 1;
	kv(&row, bx + 2, iw, _("Purpose"), strcmp(k->purpose, "auth") == 0 ?
	   qt_purpose_label(QT_PURPOSE_AUTH) : strcmp(k->purpose, "sign") == 0 ?
	   qt_purpose_label(QT_PURPOSE_SIGN) : k->purpose, R_NORMAL);
	kv(&row, bx + 2, iw, _("Serial"), k->serial, R_NORMAL);
	state_text(k, st, sizeof(st), &r);
	if (strcmp(k->status, "valid") == 0)
		snprintf(buf, sizeof(buf), dngettext(PACKAGE, "%s, %ld day left", "%s, %ld days left",
		                                     (unsigned long)k->days_left),
		         acct_status_label(k->status), k->days_left);
	else
		snprintf(buf, sizeof(buf), "%s", acct_status_label(k->status));
	kv(&row, bx + 2, iw, _("State"), buf, r);
	when(k->not_before, a, sizeof(a));
	when(k->not_after, b, sizeof(b));
	kv(&row, bx + 2, iw, _("Valid from"), a, R_NORMAL);
	kv(&row, bx + 2, iw, _("Valid until"), b, R_NORMAL);
	kv(&row, bx + 2, iw, _("Application"), k->number, R_NORMAL);
	kv(&row, bx + 2, iw, _("Subject type"), acct_subject_type_label(k->subject_type), R_NORMAL);
	if (k->bin[0])
		kv(&row, bx + 2, iw, _("BIN"), k->bin, R_NORMAL);
	kv(&row, bx + 2, iw, _("Storage"), acct_storage_label(k->storage), R_NORMAL);
	if (k->revoked_at) {
		when(k->revoked_at, a, sizeof(a));
		kv(&row, bx + 2, iw, _("Revoked on"), a, R_ERROR);
		kv(&row, bx + 2, iw, _("Reason"), k->revocation_reason[0] ?
		   acct_reason_label(k->revocation_reason) : _("not given"), R_ERROR);
	}
	if (d->signer)
		kv(&row, bx + 2, iw, "", _("You signed in with this key."), R_HEADING);
	if (why[0]) {
		row++;
		row += tui_wrap(row, bx + 2, by + dh - 2 - row, iw, why, R_WARN);
	}
	for (int i = 0; i < d->nbuttons; i++)
		bxw += tui_width(button_label(d->buttons[i])) + 5;
	bx += (dw - bxw) / 2;
	for (int i = 0; i < d->nbuttons; i++) {
		snprintf(buf, sizeof(buf), "[ %s ]", button_label(d->buttons[i]));
		bx += tui_put(by + dh - 2, bx, dw, buf, i == d->sel ? R_SELECTED : R_NORMAL,
		              false) + 1;
	}
	(void)t;
}

static int det_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct details *d = s->priv;

	if (k->act == ACT_NEXT || k->code == KEY_RIGHT || k->act == ACT_DOWN) {
		d->sel = (d->sel + 1) % d->nbuttons;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (k->act == ACT_PREV || k->code == KEY_LEFT || k->act == ACT_UP) {
		d->sel = (d->sel + d->nbuttons - 1) % d->nbuttons;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (k->act == ACT_SELECT || k->act == ACT_SUBMIT || k->act == ACT_BACK) {
		memset(&t->result, 0, sizeof(t->result));
		t->result.code = k->act == ACT_BACK ? DET_CLOSE : d->buttons[d->sel];
		t->result.tag = TAG_DETAILS;
		snprintf(t->result.text, sizeof(t->result.text), "%s", d->k.serial);
		t->has_result = true;
		return TUI_HANDLED | TUI_POP;
	}
	return k->act == ACT_HELP || k->act == ACT_QUIT ? 0 : TUI_HANDLED;
}

static void det_leave(struct screen *s, struct tui *t) { free(s->priv); }

static const enum tui_action det_bar_acts[] = { ACT_SELECT, ACT_NEXT, ACT_BACK, ACT_NONE };
static const enum tui_action *det_bar(struct screen *s) { return det_bar_acts; }

static const char *det_bar_label(struct screen *s, enum tui_action a)
{
	return a == ACT_SELECT ? _("Choose") : a == ACT_BACK ? _("Close") : NULL;
}

static const struct screen_ops det_ops = {
	.name = "acct-key", .modal = true, .title = det_title, .draw = det_draw, .key = det_key,
	.leave = det_leave, .bar = det_bar, .bar_label = det_bar_label,
};

static struct screen *details_new(const struct qt_account_key *k)
{
	struct details *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->k = *k;
	d->signer = acct_is_signer(k->serial);
	if (strcmp(k->status, "revoked") != 0 && strcmp(k->status, "expired") != 0)
		d->buttons[d->nbuttons++] = DET_REVOKE;
	if (strcmp(k->status, "valid") == 0)
		d->buttons[d->nbuttons++] = DET_REISSUE;
	d->buttons[d->nbuttons++] = DET_CLOSE;
	/* Close first where nothing else is offered; else the first action. */
	d->sel = 0;
	return tui_screen_new(&det_ops, d);
}

/* ---- Export (a modal: folder, file name, Save, Cancel) ------------------------- */

enum { X_FOLDER, X_NAME, X_SAVE, X_CANCEL, X_COUNT };

struct export {
	struct keys *p;         /* the list beneath (lives longer than this) */
	struct tui_field fields[X_COUNT];
	struct tui_form form;
	char error[PATH_MAX + 400];
	char replace[PATH_MAX]; /* Save again replaces this existing file */
	int bad;                /* the field the error is about */
};

static void expand_home(const char *in, char *out, size_t size)
{
	const char *home = getenv("HOME");

	if (in[0] == '~' && (in[1] == '/' || in[1] == '\0') && home && *home)
		snprintf(out, size, "%s%s", home, in + 1);
	else
		snprintf(out, size, "%s", in);
}

/* The file the fields name: the folder (~ for home) joined with the
 * name, or the name alone when it is a whole path. */
static void ex_path(const struct export *e, char *out, size_t size)
{
	char folder[TUI_FIELD_MAX * 4 + 1], name[TUI_FIELD_MAX * 4 + 1], dir[PATH_MAX];
	size_t n;

	tui_field_get(&e->fields[X_FOLDER], folder, sizeof(folder));
	tui_field_get(&e->fields[X_NAME], name, sizeof(name));
	if (name[0] == '/' || name[0] == '~' || !folder[0]) {
		expand_home(name, out, size);
		return;
	}
	expand_home(folder, dir, sizeof(dir));
	n = strlen(dir);
	if ((size_t)snprintf(out, size, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name) >=
	    size)
		out[0] = '\0';     /* too long: "type the file's name" */
}

static const char *ex_title(struct screen *s) { return _("Export CSV"); }

static void ex_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct export *e = s->priv;
	int dw = w - 6 > 76 ? 76 : w - 6, iw = dw - 4, lines, dh, by, bx, row;
	char head[256], path[PATH_MAX], line[PATH_MAX + 64];
	const char *intro = _("The list as a CSV report: a header and one line per key (it holds "
	                      "no secret). F7/^F chooses the folder from a list.");

	snprintf(head, sizeof(head), dngettext(PACKAGE, "Export %zu key", "Export %zu keys",
	                                       (unsigned long)e->p->n), e->p->n);
	ex_path(e, path, sizeof(path));
	snprintf(line, sizeof(line), _("Writes %s"), path);
	lines = tui_wrap_count(iw, intro) + 1 + 6 + 1 + tui_wrap_count(iw, line);
	if (e->error[0])
		lines += 1 + tui_wrap_count(iw, e->error);
	dh = lines + 3;
	if (dh > h)
		dh = h;
	by = y + (h - dh) / 2;
	bx = x + (w - dw) / 2;
	tui_fill(by, bx, dh, dw, R_NORMAL);
	tui_box(by, bx, dh, dw, head, R_FRAME);
	row = by + 1;
	row += tui_wrap(row, bx + 2, by + dh - 1 - row, iw, intro, R_NORMAL) + 1;
	/* The form keeps 32 cells right of a field for its validation
	 * message; these fields have none, so the paths get them. */
	tui_form_draw(&e->form, row, bx + 2, 6, iw + 32 > 84 ? iw + 32 : 84);
	row += 7;
	row += tui_wrap(row, bx + 2, by + dh - 1 - row, iw, line, R_DIM);
	if (e->error[0])
		tui_wrap(row + 1, bx + 2, by + dh - 2 - row, iw, e->error,
		         e->replace[0] ? R_WARN : R_ERROR);
	(void)t;
}

static void dir_part(const char *path, char *out, size_t size)
{
	const char *sl = strrchr(path, '/');

	if (!sl)
		snprintf(out, size, ".");
	else if (sl == path)
		snprintf(out, size, "/");
	else
		snprintf(out, size, "%.*s", (int)(sl - path), path);
}

/* What went wrong writing the report, and what to do. */
static void explain_write(qt_err rc, const char *path, const char *dir, char *buf, size_t size)
{
	switch (rc) {
	case QT_ERR_PERMISSION:
		snprintf(buf, size, _("Cannot write in %s: it is read-only or not yours. Choose "
		                      "another folder (F7/^F), your home folder for instance."), dir);
		return;
	case QT_ERR_NOSPACE:
		snprintf(buf, size, _("The disk that holds %s is full. Free some space, or choose a "
		                      "folder on another disk (F7/^F)."), dir);
		return;
	case QT_ERR_NOT_FOUND:
		snprintf(buf, size, _("There is no folder %s. Type a folder that exists, or choose "
		                      "one with F7/^F."), dir);
		return;
	default:
		snprintf(buf, size, _("Could not write %s: %s %s"), path, qt_strerror(rc),
		         qt_error_detail() ? qt_error_detail() : "");
		return;
	}
}

/* Writes the report; true when done (the result message is in buf). */
static bool ex_write(struct export *e, const char *path, char *buf, size_t size)
{
	char dir[PATH_MAX], *mem = NULL;
	size_t len = 0;
	const char *why;
	struct stat st;
	FILE *f;
	qt_err rc;

	e->error[0] = '\0';
	e->bad = X_NAME;
	if (!path[0] || path[strlen(path) - 1] == '/') {
		snprintf(e->error, sizeof(e->error), "%s",
		         _("Type the file's name, for instance keys.csv."));
		e->replace[0] = '\0';
		return false;
	}
	dir_part(path, dir, sizeof(dir));
	e->bad = X_FOLDER;
	if ((why = tui_kiosk_folder_check(dir)) != NULL) {
		snprintf(e->error, sizeof(e->error), "%s", why);
		return false;
	}
	e->bad = X_NAME;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(e->error, sizeof(e->error), _("%s is a folder: type a file name."), path);
		e->replace[0] = '\0';
		return false;
	}
	if (stat(path, &st) == 0 && strcmp(e->replace, path) != 0) {
		snprintf(e->error, sizeof(e->error), _("%s already exists. Press Save again to "
		                                       "replace it, or change the name."), path);
		snprintf(e->replace, sizeof(e->replace), "%s", path);
		return false;
	}
	e->replace[0] = '\0';
	f = open_memstream(&mem, &len);
	if (!f) {
		snprintf(e->error, sizeof(e->error), "%s", _("Out of memory."));
		return false;
	}
	rc = qt_account_keys_csv(e->p->k, e->p->n, f);
	if (fclose(f) != 0 && rc == QT_OK)
		rc = qt_error(QT_ERR_NOMEM, "CSV");
	/* A report, not a secret: readable like any document. */
	if (rc == QT_OK)
		rc = qt_atomic_write(path, mem, len, 0644, QT_WRITE_REPLACE);
	free(mem);
	if (rc != QT_OK) {
		e->bad = rc == QT_ERR_NOMEM ? X_SAVE : X_FOLDER;
		explain_write(rc, path, dir, e->error, sizeof(e->error));
		return false;
	}
	snprintf(export_dir, sizeof(export_dir), "%s", dir);
	snprintf(buf, size, dngettext(PACKAGE, "Saved %zu key to %s", "Saved %zu keys to %s",
	                              (unsigned long)e->p->n), e->p->n, path);
	return true;
}

static int ex_cancel(struct tui *t)
{
	memset(&t->result, 0, sizeof(t->result));
	t->result.tag = TAG_EXPORT;
	t->has_result = true;
	return TUI_HANDLED | TUI_POP;
}

static int ex_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct export *e = s->priv;
	char typed[TUI_FIELD_MAX * 4 + 1], path[PATH_MAX];
	bool submit = false;
	int r;

	if (k->act == ACT_BACK)
		return ex_cancel(t);
	if (k->act == ACT_BROWSE) {
		tui_field_get(&e->fields[X_FOLDER], typed, sizeof(typed));
		expand_home(typed, path, sizeof(path));
		t->push = tui_folder_picker_new(path, TAG_PICK);
		return TUI_HANDLED | TUI_PUSH;
	}
	r = tui_form_key(&e->form, k, &submit);
	if (r && !submit && e->replace[0]) {
		/* Typing after "exists": ask again for the new name. */
		ex_path(e, path, sizeof(path));
		if (strcmp(path, e->replace) != 0) {
			e->replace[0] = '\0';
			e->error[0] = '\0';
		}
	}
	if (!submit)
		return r ? r | TUI_REDRAW : (k->act == ACT_HELP || k->act == ACT_QUIT ? 0 :
		                             TUI_HANDLED);
	if (e->form.focus == X_CANCEL)
		return ex_cancel(t);
	ex_path(e, path, sizeof(path));
	memset(&t->result, 0, sizeof(t->result));
	if (!ex_write(e, path, t->result.text, sizeof(t->result.text))) {
		e->form.focus = e->replace[0] ? X_SAVE : e->bad;
		return TUI_HANDLED | TUI_REDRAW;
	}
	t->result.code = 1;
	t->result.tag = TAG_EXPORT;
	t->has_result = true;
	return TUI_HANDLED | TUI_POP;
}

/* Back from the folder picker. */
static int ex_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct export *e = s->priv;

	if (r->tag != TAG_PICK || r->code != 1)
		return TUI_REDRAW;
	tui_field_set(&e->fields[X_FOLDER], r->text);
	e->fields[X_FOLDER].cur = e->fields[X_FOLDER].len;
	e->form.focus = X_SAVE;
	e->error[0] = '\0';
	e->replace[0] = '\0';
	return TUI_REDRAW;
}

static void ex_leave(struct screen *s, struct tui *t) { free(s->priv); }

static const enum tui_action ex_bar_acts[] = { ACT_SUBMIT, ACT_BROWSE, ACT_NEXT, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *ex_bar(struct screen *s) { return ex_bar_acts; }

static const char *ex_bar_label(struct screen *s, enum tui_action a)
{
	return a == ACT_SUBMIT ? _("Save") : a == ACT_BACK ? _("Cancel") : NULL;
}

static const struct screen_ops ex_ops = {
	.name = "acct-keys-export", .modal = true, .title = ex_title, .draw = ex_draw,
	.key = ex_key, .resume = ex_resume, .leave = ex_leave, .bar = ex_bar,
	.bar_label = ex_bar_label,
};

static struct screen *export_new(struct keys *p)
{
	struct export *e = calloc(1, sizeof(*e));
	char name[64], date[11];
	const char *dir = export_dir[0] ? export_dir : getenv("HOME");

	if (!e)
		return NULL;
	if (tui_kiosk.on && (!dir || tui_kiosk_folder_check(dir)))
		dir = tui_kiosk_first_root();
	if (!dir || !*dir)
		dir = ".";
	e->p = p;
	acct_date(time(NULL), date);
	snprintf(name, sizeof(name), "qoltanba-keys-%s.csv", date);
	e->fields[X_FOLDER].kind = TF_TEXT;
	e->fields[X_FOLDER].label = N_("Folder");
	tui_field_set(&e->fields[X_FOLDER], dir);
	e->fields[X_FOLDER].cur = e->fields[X_FOLDER].len;
	e->fields[X_NAME].kind = TF_TEXT;
	e->fields[X_NAME].label = N_("File name");
	tui_field_set(&e->fields[X_NAME], name);
	e->fields[X_NAME].cur = e->fields[X_NAME].len;
	e->fields[X_SAVE].kind = TF_BUTTON;
	e->fields[X_SAVE].label = N_("Save");
	e->fields[X_CANCEL].kind = TF_BUTTON;
	e->fields[X_CANCEL].label = N_("Cancel");
	e->form.fields = e->fields;
	e->form.n = X_COUNT;
	e->form.label_w = 10;
	e->form.ctx = e;
	e->form.focus = X_SAVE;
	return tui_screen_new(&ex_ops, e);
}

/* ---- The page's keys ---------------------------------------------------------- */

static int kp_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct keys *p = s->priv;
	size_t i;

	if (k->act == ACT_RELOAD) {
		p->note[0] = '\0';
		return kp_reload(s, t) | TUI_HANDLED;
	}
	if (!p->loaded)
		return 0;
	switch (k->act) {
	case ACT_SORT:
		/* Each column ascending, then descending, then the next one. */
		if (!p->desc) {
			p->desc = true;
		} else {
			p->desc = false;
			p->sort = (enum sort_col)((p->sort + 1) % SORT_COUNT);
		}
		remember(p);
		sort_keys(p->k, p->n, p->sort, p->desc);
		rebuild(p);
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_SUBMIT:
		if (p->n == 0) {
			snprintf(t->message, sizeof(t->message), "%s",
			         _("There are no keys to export."));
			t->message_error = true;
			return TUI_HANDLED | TUI_REDRAW;
		}
		t->push = export_new(p);
		return TUI_HANDLED | TUI_PUSH;
	case ACT_SELECT:
		i = tui_list_selected(&p->list);
		if (i == (size_t)-1)
			return TUI_HANDLED;
		t->push = details_new(&p->k[i]);
		return TUI_HANDLED | TUI_PUSH;
	default:
		break;
	}
	return tui_list_key(&p->list, k);
}

static int kp_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct keys *p = s->priv;
	int flags;

	if (acct_signing_out(t, r, &flags))
		return flags;
	if (r->tag == TAG_EXPORT) {
		if (r->code == 1)
			snprintf(p->note, sizeof(p->note), "%s", r->text);
		return TUI_REDRAW;
	}
	if (r->tag == TAG_DETAILS) {
		if (r->code == DET_REVOKE)
			t->push = screen_acct_revoke_new(r->text);
		else if (r->code == DET_REISSUE)
			t->push = screen_acct_reissue_new(r->text);
		else
			return TUI_REDRAW;
		snprintf(p->keep, sizeof(p->keep), "%.47s", r->text);
		return TUI_PUSH;
	}
	/* Back from a revocation or a re-issuance: what the portal says now. */
	p->note[0] = '\0';
	return kp_reload(s, t) | TUI_REDRAW;
}

static int kp_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static void kp_leave(struct screen *s, struct tui *t)
{
	struct keys *p = s->priv;

	tui_list_free(&p->list);
	free(p->k);
	free(p);
}

/* At 80 columns the bar keeps Open, Export CSV, Sort and Back; F5 is in
 * the help (and the list reloads by itself after a revocation). */
static const enum tui_action kp_bar_acts[] = { ACT_SELECT, ACT_SUBMIT, ACT_SORT, ACT_RELOAD,
                                               ACT_BACK, ACT_NONE };
static const enum tui_action *kp_bar(struct screen *s) { return kp_bar_acts; }

static const char *kp_bar_label(struct screen *s, enum tui_action a)
{
	switch (a) {
	case ACT_SUBMIT: return _("Export CSV");
	case ACT_RELOAD: return _("Refresh");
	default: return NULL;
	}
}

static const struct screen_ops kp_ops = {
	.name = "acct-keys", .title = kp_title, .enter = kp_enter, .draw = kp_draw, .key = kp_key,
	.resize = kp_resize, .resume = kp_resume, .leave = kp_leave, .bar = kp_bar,
	.bar_label = kp_bar_label,
};

struct screen *screen_acct_keys_new(void)
{
	struct keys *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->sort = SORT_EXPIRY;
	return tui_screen_new(&kp_ops, p);
}
