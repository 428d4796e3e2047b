/* Readers and card events through pcsc-lite. */
#include <config.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winscard.h>
#include <pcsclite.h>

#include <qoltanba/pcsc.h>
#include "i18n.h"

#define PNP_NAME "\\\\?PnP?\\Notification"
#define SLICE_MS 200

struct qt_pcsc {
	SCARDCONTEXT ctx;
	qt_atr_table *atr;
	SCARD_READERSTATE *st;     /* readers, then the PnP entry */
	size_t n;                  /* readers, without PnP */
	char *names;               /* multi-string owning the reader names */
	bool primed;
	atomic_bool cancelled;
};

qt_err qt_pcsc_map_error(long rv, const char *what)
{
	const char *why = pcsc_stringify_error((LONG)rv);
	qt_err code;

	switch ((LONG)rv) {
	case SCARD_S_SUCCESS:
		return QT_OK;
	case SCARD_E_NO_MEMORY:
		code = QT_ERR_NOMEM;
		break;
	case SCARD_W_SECURITY_VIOLATION:   /* polkit: access_pcsc or access_card */
	case SCARD_E_NO_ACCESS:
		code = QT_ERR_PCSC_DENIED;
		break;
	case SCARD_E_NO_READERS_AVAILABLE:
	case SCARD_E_UNKNOWN_READER:
	case SCARD_E_READER_UNAVAILABLE:
		code = QT_ERR_NO_READER;
		break;
	case SCARD_E_NO_SMARTCARD:
	case SCARD_W_REMOVED_CARD:
		code = QT_ERR_NO_CARD;
		break;
	case SCARD_E_CANCELLED:
		code = QT_ERR_CANCELLED;
		break;
	case SCARD_E_TIMEOUT:
		code = QT_ERR_TIMEOUT;
		break;
	default:   /* SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED, ... */
		code = QT_ERR_PCSC;
		break;
	}
	return qt_error(code, "%s: %s (0x%08lX)", what, why, (unsigned long)rv);
}

qt_err qt_pcsc_open(qt_pcsc **out)
{
	qt_pcsc *p;
	LONG rv;
	qt_err rc;

	*out = NULL;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return QT_ERR_NOMEM;
	rc = qt_atr_table_load(&p->atr);
	if (rc != QT_OK) {
		free(p);
		return rc;
	}
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->ctx);
	if (rv != SCARD_S_SUCCESS) {
		qt_atr_table_free(p->atr);
		free(p);
		return qt_pcsc_map_error(rv, "SCardEstablishContext");
	}
	atomic_init(&p->cancelled, false);
	*out = p;
	return QT_OK;
}

void qt_pcsc_close(qt_pcsc *p)
{
	if (p == NULL)
		return;
	SCardReleaseContext(p->ctx);
	qt_atr_table_free(p->atr);
	free(p->st);
	free(p->names);
	free(p);
}

const qt_atr_table *qt_pcsc_atr_table(const qt_pcsc *p)
{
	return p->atr;
}

void qt_pcsc_cancel(qt_pcsc *p)
{
	atomic_store(&p->cancelled, true);
	SCardCancel(p->ctx);
}

static void fill_reader(const qt_pcsc *p, const SCARD_READERSTATE *s, struct qt_reader *r)
{
	DWORD ev = s->dwEventState;

	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", s->szReader);
	r->card_present = (ev & SCARD_STATE_PRESENT) != 0;
	r->card_mute = (ev & SCARD_STATE_MUTE) != 0;
	r->card_in_use = (ev & SCARD_STATE_EXCLUSIVE) != 0;
	r->medium = QT_STORAGE_UNKNOWN;
	if (r->card_present && s->cbAtr > 0 && s->cbAtr <= QT_ATR_MAX) {
		r->atr_len = s->cbAtr;
		memcpy(r->atr, s->rgbAtr, s->cbAtr);
		qt_hex_upper(r->atr, r->atr_len, r->atr_hex, sizeof r->atr_hex);
		r->medium = qt_atr_lookup(p->atr, r->atr, r->atr_len);
	}
}

/* The reader names now, as a malloc'ed multi-string (NULL, 0 when there
 * are no readers). */
static qt_err list_names(qt_pcsc *p, char **names, size_t *count)
{
	DWORD len = 0;
	LONG rv;
	char *buf, *s;

	*names = NULL;
	*count = 0;
	rv = SCardListReaders(p->ctx, NULL, NULL, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE)
		return QT_OK;
	if (rv != SCARD_S_SUCCESS)
		return qt_pcsc_map_error(rv, "SCardListReaders");
	buf = calloc(1, len + 1);
	if (buf == NULL)
		return QT_ERR_NOMEM;
	rv = SCardListReaders(p->ctx, NULL, buf, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		free(buf);
		return QT_OK;
	}
	if (rv != SCARD_S_SUCCESS) {
		free(buf);
		return qt_pcsc_map_error(rv, "SCardListReaders");
	}
	for (s = buf; *s != '\0'; s += strlen(s) + 1)
		(*count)++;
	*names = buf;
	return QT_OK;
}

/* Rebuilds the state array from the current reader list, keeping what
 * was known about readers that are still there.  Reports the first
 * reader that appeared or disappeared in *changed (-1 none), as an
 * index into the new array (added) or by copying its old state into
 * *gone (removed). */
static qt_err relist(qt_pcsc *p, SCARD_READERSTATE *gone, bool *removed, bool *added, size_t *added_at)
{
	char *names, *s;
	size_t n, i, j;
	SCARD_READERSTATE *st;
	qt_err rc;

	*removed = *added = false;
	rc = list_names(p, &names, &n);
	if (rc != QT_OK)
		return rc;
	st = calloc(n + 1, sizeof *st);
	if (st == NULL) {
		free(names);
		return QT_ERR_NOMEM;
	}
	for (i = 0, s = names; i < n; i++, s += strlen(s) + 1) {
		st[i].szReader = s;
		st[i].dwCurrentState = SCARD_STATE_UNAWARE;
		for (j = 0; j < p->n; j++) {
			if (strcmp(p->st[j].szReader, s) == 0) {
				st[i].dwCurrentState = p->st[j].dwCurrentState;
				st[i].dwEventState = p->st[j].dwEventState;
				st[i].cbAtr = p->st[j].cbAtr;
				memcpy(st[i].rgbAtr, p->st[j].rgbAtr, sizeof st[i].rgbAtr);
				break;
			}
		}
		if (j == p->n && p->primed && !*added) {
			*added = true;
			*added_at = i;
		}
	}
	for (j = 0; j < p->n && !*removed; j++) {
		for (i = 0, s = names; i < n; i++, s += strlen(s) + 1)
			if (strcmp(p->st[j].szReader, s) == 0)
				break;
		if (i == n) {
			*removed = true;
			*gone = p->st[j];
		}
	}
	st[n].szReader = PNP_NAME;
	st[n].dwCurrentState = p->st != NULL ? p->st[p->n].dwCurrentState : SCARD_STATE_UNAWARE;
	/* gone->szReader points into the old names: copy before freeing. */
	if (*removed) {
		static _Thread_local char gone_name[128];

		snprintf(gone_name, sizeof gone_name, "%s", gone->szReader);
		gone->szReader = gone_name;
	}
	free(p->st);
	free(p->names);
	p->st = st;
	p->names = names;
	p->n = n;
	return QT_OK;
}

/* The present state of every reader, without waiting. */
static qt_err snapshot(qt_pcsc *p)
{
	SCARD_READERSTATE gone;
	bool removed, added;
	size_t at, i;
	LONG rv;
	qt_err rc;

	rc = relist(p, &gone, &removed, &added, &at);
	if (rc != QT_OK)
		return rc;
	for (i = 0; i <= p->n; i++)
		p->st[i].dwCurrentState = SCARD_STATE_UNAWARE;
	rv = SCardGetStatusChange(p->ctx, 0, p->st, (DWORD)(p->n + 1));
	if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
		return qt_pcsc_map_error(rv, "SCardGetStatusChange");
	for (i = 0; i <= p->n; i++)
		p->st[i].dwCurrentState = p->st[i].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	p->primed = true;
	return QT_OK;
}

qt_err qt_pcsc_list(qt_pcsc *p, struct qt_reader **readers, size_t *n)
{
	struct qt_reader *r;
	size_t i;
	qt_err rc;

	*readers = NULL;
	*n = 0;
	rc = snapshot(p);
	if (rc != QT_OK)
		return rc;
	if (p->n == 0)
		return qt_error(QT_ERR_NO_READER, "%s", _("pcscd knows no reader"));
	r = calloc(p->n, sizeof *r);
	if (r == NULL)
		return QT_ERR_NOMEM;
	for (i = 0; i < p->n; i++)
		fill_reader(p, &p->st[i], &r[i]);
	*readers = r;
	*n = p->n;
	return QT_OK;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

qt_err qt_pcsc_wait_event(qt_pcsc *p, int timeout_ms, qt_cancel_fn cancel, void *data,
                          struct qt_pcsc_event *ev)
{
	long long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
	qt_err rc;

	memset(ev, 0, sizeof *ev);
	atomic_store(&p->cancelled, false);
	if (!p->primed && (rc = snapshot(p)) != QT_OK)
		return rc;
	for (;;) {
		long long left = deadline >= 0 ? deadline - now_ms() : SLICE_MS;
		DWORD slice = (DWORD)(left < SLICE_MS ? (left > 0 ? left : 0) : SLICE_MS);
		LONG rv;
		size_t i;

		if (cancel != NULL && cancel(data))
			return qt_error(QT_ERR_CANCELLED, "%s", "");
		if (atomic_load(&p->cancelled))
			return qt_error(QT_ERR_CANCELLED, "%s", "");
		/* Always ask once, so that a timeout of 0 polls. */
		rv = SCardGetStatusChange(p->ctx, slice, p->st, (DWORD)(p->n + 1));
		if (rv == SCARD_E_TIMEOUT) {
			if (deadline >= 0 && now_ms() >= deadline)
				return qt_error(QT_ERR_TIMEOUT, "%s", _("no card was connected or removed"));
			continue;
		}
		if (rv == SCARD_E_CANCELLED)
			return qt_error(QT_ERR_CANCELLED, "%s", "");
		if (rv != SCARD_S_SUCCESS && rv != SCARD_E_UNKNOWN_READER &&
		    rv != SCARD_E_READER_UNAVAILABLE)
			return qt_pcsc_map_error(rv, "SCardGetStatusChange");
		for (i = 0; i < p->n && rv == SCARD_S_SUCCESS; i++) {
			SCARD_READERSTATE *s = &p->st[i];
			bool was, is;

			if (!(s->dwEventState & SCARD_STATE_CHANGED))
				continue;
			was = (s->dwCurrentState & SCARD_STATE_PRESENT) != 0;
			is = (s->dwEventState & SCARD_STATE_PRESENT) != 0;
			s->dwCurrentState = s->dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
			if (s->dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE |
			                       SCARD_STATE_IGNORE))
				continue;   /* the reader is going: PnP says so */
			if (was != is) {
				ev->type = is ? QT_PCSC_CARD_INSERTED : QT_PCSC_CARD_REMOVED;
				fill_reader(p, s, &ev->reader);
				return QT_OK;
			}
		}
		if (rv != SCARD_S_SUCCESS || (p->st[p->n].dwEventState & SCARD_STATE_CHANGED)) {
			SCARD_READERSTATE gone;
			bool removed, added;
			size_t at = 0;

			p->st[p->n].dwCurrentState = p->st[p->n].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
			rc = relist(p, &gone, &removed, &added, &at);
			if (rc != QT_OK)
				return rc;
			if (removed) {
				ev->type = QT_PCSC_READER_REMOVED;
				snprintf(ev->reader.name, sizeof ev->reader.name, "%s", gone.szReader);
				return QT_OK;
			}
			if (added) {
				/* Learn its state now, so its card is not reported
				 * as an insertion later. */
				SCARD_READERSTATE *s = &p->st[at];

				s->dwCurrentState = SCARD_STATE_UNAWARE;
				if (SCardGetStatusChange(p->ctx, 0, s, 1) == SCARD_S_SUCCESS)
					s->dwCurrentState = s->dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
				ev->type = QT_PCSC_READER_ADDED;
				fill_reader(p, s, &ev->reader);
				return QT_OK;
			}
		}
	}
}

qt_err qt_pcsc_wait_card(qt_pcsc *p, const char *reader, int timeout_ms, qt_cancel_fn cancel,
                         void *data, struct qt_reader *out)
{
	long long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
	size_t i;
	qt_err rc;

	memset(out, 0, sizeof *out);
	rc = snapshot(p);
	if (rc != QT_OK)
		return rc;
	for (;;) {
		struct qt_pcsc_event ev;
		long long left;

		for (i = 0; i < p->n; i++) {
			if ((p->st[i].dwEventState & SCARD_STATE_PRESENT) &&
			    (reader == NULL || strcmp(reader, p->st[i].szReader) == 0)) {
				fill_reader(p, &p->st[i], out);
				return QT_OK;
			}
		}
		left = deadline >= 0 ? deadline - now_ms() : -1;
		if (deadline >= 0 && left <= 0)
			return qt_error(QT_ERR_NO_CARD, "%s", _("no card or token was connected in time"));
		rc = qt_pcsc_wait_event(p, deadline >= 0 ? (int)left : -1, cancel, data, &ev);
		if (rc == QT_ERR_TIMEOUT)
			return qt_error(QT_ERR_NO_CARD, "%s", _("no card or token was connected in time"));
		if (rc != QT_OK)
			return rc;
		if (ev.type == QT_PCSC_CARD_INSERTED &&
		    (reader == NULL || strcmp(reader, ev.reader.name) == 0)) {
			*out = ev.reader;
			return QT_OK;
		}
	}
}
