/* The local journal of applications (STYLE.md rule 5).
 *
 * Every application in flight is a small record written atomically to
 * $XDG_STATE_HOME/qoltanba/applications.json (mode 0600) BEFORE and
 * AFTER each step that the portal or the disk could interrupt: keys
 * generated, request submitted, certificates issued, installed.  On the
 * next start the half-done steps are found and resumed, so no request
 * number or key is ever forgotten.  Two qoltanba processes (an SSH
 * session that dropped and the new one) serialise on a lock file.
 */
#ifndef QOLTANBA_JOURNAL_H
#define QOLTANBA_JOURNAL_H

#include <limits.h>
#include <stddef.h>
#include <time.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

enum qt_app_step {
	QT_STEP_KEYS_GENERATED = 0,  /* pending keys on disk/token, not submitted */
	QT_STEP_SUBMITTED,           /* the portal gave a number; awaiting the RA */
	QT_STEP_ISSUED,              /* certificates are ready to install */
	QT_STEP_INSTALLED,           /* done */
	QT_STEP_REJECTED,
	QT_STEP_CANCELLED
};

struct qt_app_record {
	char id[33];                 /* local id: 32 hex, also the idempotency key */
	char number[40];             /* application number; "" before submission */
	char access[128];            /* the portal's proof for reading it */
	char portal[256];            /* portal URL it was sent to */
	char subject_type[32];       /* "individual", "chairman", ... */
	char iin[16], bin[16];
	char storage[64];            /* "pc" or a token label */
	char folder[PATH_MAX];       /* where the pending keys are (pc) */
	char auth_keyid[41], sign_keyid[41];
	enum qt_app_step step;
	time_t created, updated;
	time_t not_after;            /* the certificates' end (the earlier of the
	                              * two) once the portal issued them, else 0:
	                              * the expiry notice at start */
};

struct qt_journal {
	size_t count;
	struct qt_app_record *records;   /* oldest first */
};

/* path NULL: the default journal file.  A missing file is an empty
 * journal; a corrupt one is QT_ERR_CONFIG and is left untouched (the
 * caller shows it; nothing is overwritten). */
qt_err qt_journal_load(const char *path, struct qt_journal **out);
void qt_journal_free(struct qt_journal *j);

/* Inserts or replaces (by id) one record under the lock, re-reading the
 * file first so concurrent writers do not lose each other's records.
 * A record with an empty id gets a new random one. */
qt_err qt_journal_put(const char *path, struct qt_app_record *rec);
qt_err qt_journal_remove(const char *path, const char *id);

/* Lookups in a loaded journal (NULL when absent). */
const struct qt_app_record *qt_journal_find_number(const struct qt_journal *j, const char *number);
const struct qt_app_record *qt_journal_find_id(const struct qt_journal *j, const char *id);

const char *qt_app_step_name(enum qt_app_step s);   /* stable: "keys_generated", ... */
qt_err qt_app_step_parse(const char *name, enum qt_app_step *out);

#ifdef __cplusplus
}
#endif
#endif
