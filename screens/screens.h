/* The pages of the terminal UI, one file each (STYLE.md rule 3). */
#ifndef QT_SCREENS_H
#define QT_SCREENS_H

#include "tui/tui.h"

struct screen *screen_home_new(void);
struct screen *screen_openstore_new(const char *folder);
struct screen *screen_keylist_new(const char *dir);
struct qt_cert_summary;
/* learn: when not NULL, filled in (and *learned set) once the key file
 * is opened, so the list can show what it did not know before. */
struct screen *screen_keydetails_new(const char *path, struct qt_cert_summary *learn,
                                     bool *learned);
struct screen *screen_passwd_new(const char *path);
struct screen *screen_settings_new(void);

/* Tokens (doc/tokens.md). */
#include <qoltanba/cert.h>
#include <qoltanba/token.h>
/* The storage-type choice (portal labels, factory PINs, the warning for
 * a PC folder).  Pops with result.code = the enum qt_storage chosen
 * (QT_STORAGE_PKCS12 for a PC folder), 0 when cancelled, and tag.
 * question: the heading (NULL: "Where are the keys?"); with_idcard:
 * offer the ID card (individuals only, on the portal). */
struct screen *screen_storage_new(const char *question, bool with_idcard, int tag);
/* "PC folder", "Kaztoken", ... for people. */
const char *screen_storage_label(enum qt_storage k);
/* "Connect the media": waits for a card or token, shows the readers. */
struct screen *screen_media_new(enum qt_storage wanted);
/* The PKCS#11 tokens; owns the qt_p11 the pages above use. */
struct screen *screen_tokens_new(enum qt_storage wanted);
/* PIN entry for a token, then its contents. */
struct screen *screen_tokpin_new(qt_token *tok);
/* Change of a token's PIN; then_list: show the contents afterwards. */
struct screen *screen_tokchange_new(qt_token *tok, bool then_list);
/* A token's contents in the key list. */
struct screen *screen_keylist_token_new(qt_token *tok);
/* A token certificate's details. */
struct screen *screen_keydetails_token_new(const struct qt_cert_summary *sum, const char *label,
                                           bool has_key, const char *token);

/* Kiosk (screens/kiosk.c): its Home, the operator unlock (pops with
 * result.code 1 once unlocked) and the operator's page. */
struct screen *screen_kiosk_new(void);
struct screen *screen_kiosk_unlock_new(int tag);
struct screen *screen_kiosk_operator_new(void);

#endif
