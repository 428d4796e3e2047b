/* Smart-card readers through PC/SC (pcsc-lite): which readers there
 * are, which medium sits in each (by ATR, see atr.h), and waiting for
 * a card or token to be connected or removed, with a timeout and a way
 * to cancel, so a screen can say "connect the media". */
#ifndef QOLTANBA_PCSC_H
#define QOLTANBA_PCSC_H

#include <stdbool.h>
#include <stddef.h>
#include <qoltanba/atr.h>
#include <qoltanba/cert.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qt_pcsc qt_pcsc;

struct qt_reader {
	char name[128];
	bool card_present;
	bool card_mute;                 /* present but does not answer */
	bool card_in_use;               /* another program holds it exclusively */
	unsigned char atr[QT_ATR_MAX];
	size_t atr_len;
	char atr_hex[QT_ATR_HEX_MAX];   /* "" when no card */
	enum qt_storage medium;         /* by ATR; UNKNOWN when not recognised */
};

/* Connects to pcscd and loads the ATR table.  Errors:
 * QT_ERR_PCSC (pcscd not running), QT_ERR_PCSC_DENIED (polkit refuses,
 * typically over SSH). */
qt_err qt_pcsc_open(qt_pcsc **out);
void qt_pcsc_close(qt_pcsc *p);

/* The readers and what is in them.  QT_ERR_NO_READER when there are
 * none (*n is then 0).  Free with free(). */
qt_err qt_pcsc_list(qt_pcsc *p, struct qt_reader **readers, size_t *n);

enum qt_pcsc_event_type {
	QT_PCSC_CARD_INSERTED = 1,
	QT_PCSC_CARD_REMOVED,
	QT_PCSC_READER_ADDED,
	QT_PCSC_READER_REMOVED
};

struct qt_pcsc_event {
	enum qt_pcsc_event_type type;
	struct qt_reader reader;        /* the reader it happened in, as it is now */
};

/* Returns true to stop waiting (the user pressed Esc).  Called about
 * every 200 ms from the waiting thread. */
typedef bool (*qt_cancel_fn)(void *data);

/* Waits for the next change after the state seen by the previous call
 * (the first call takes the present state as its starting point, so a
 * card already in a reader is not reported as inserted).  timeout_ms < 0
 * waits for ever; 0 only polls (a screen's idle handler can call it).  Returns QT_OK with *ev filled, QT_ERR_TIMEOUT,
 * QT_ERR_CANCELLED (callback or qt_pcsc_cancel()), or a PC/SC error. */
qt_err qt_pcsc_wait_event(qt_pcsc *p, int timeout_ms, qt_cancel_fn cancel, void *data,
                          struct qt_pcsc_event *ev);

/* "Connect the media": returns at once when a card is present in some
 * reader (or in the reader named, when reader is not NULL), else waits
 * for one.  QT_ERR_NO_CARD on timeout, QT_ERR_CANCELLED when cancelled. */
qt_err qt_pcsc_wait_card(qt_pcsc *p, const char *reader, int timeout_ms, qt_cancel_fn cancel,
                         void *data, struct qt_reader *out);

/* From another thread: makes a wait in progress return QT_ERR_CANCELLED
 * (SCardCancel). */
void qt_pcsc_cancel(qt_pcsc *p);

/* The ATR table in use (for qt_atr_table_problem()). */
const qt_atr_table *qt_pcsc_atr_table(const qt_pcsc *p);

/* A PC/SC return code (LONG) as an engine error, with the pcsc-lite
 * text in the detail. */
qt_err qt_pcsc_map_error(long rv, const char *what);

#ifdef __cplusplus
}
#endif
#endif
