/* Key media (Kaztoken, eToken, ...) and the ATR table that recognises
 * them (domain.md section 4).  The table is a data file an
 * administrator can extend: PKGDATADIR/atr.conf, then
 * SYSCONFDIR/qoltanba/atr.conf, then $XDG_CONFIG_HOME/qoltanba/atr.conf.
 * Line format:  MEDIUM HEX-PREFIX  # comment. */
#ifndef QOLTANBA_ATR_H
#define QOLTANBA_ATR_H

#include <stddef.h>
#include <qoltanba/cert.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest ATR (ISO 7816-3) is 33 bytes. */
#define QT_ATR_MAX 33
#define QT_ATR_HEX_MAX (2 * QT_ATR_MAX + 1)

typedef struct qt_atr_table qt_atr_table;

/* Loads the three files above (missing ones are skipped).  Lines that
 * cannot be read are skipped too and counted: see qt_atr_table_problem().
 * The environment variable QOLTANBA_DATADIR replaces PKGDATADIR (tests
 * run from the build tree). */
qt_err qt_atr_table_load(qt_atr_table **out);
/* Loads exactly these files, in this order (later ones add). */
qt_err qt_atr_table_load_files(const char *const *paths, size_t n, qt_atr_table **out);
void qt_atr_table_free(qt_atr_table *t);
/* The medium whose prefix matches atr, longest first;
 * QT_STORAGE_UNKNOWN when none does. */
enum qt_storage qt_atr_lookup(const qt_atr_table *t, const unsigned char *atr, size_t len);
/* Number of entries, and the first line that was skipped ("" when
 * none), as "FILE:LINE: why". */
size_t qt_atr_table_size(const qt_atr_table *t);
const char *qt_atr_table_problem(const qt_atr_table *t);

/* The files a user or administrator adds ATRs to. */
void qt_atr_user_file(char *buf, size_t size);     /* ~/.config/qoltanba/atr.conf */
void qt_atr_system_file(char *buf, size_t size);   /* /etc/qoltanba/atr.conf */

/* Upper-case hex of bytes ("3B88..."); out needs 2*len+1 bytes. */
void qt_hex_upper(const unsigned char *p, size_t len, char *out, size_t size);

/* Media names used in atr.conf and the configuration ("kaztoken"), and
 * labels for people ("Kaztoken"): the portal's storage types, the same
 * as qt_storage_name() / qt_storage_label() of cert.h. */
const char *qt_medium_name(enum qt_storage m);
const char *qt_medium_label(enum qt_storage m);
/* QT_OK and *out set when name is a medium name; QT_ERR_INVALID_ARG. */
qt_err qt_medium_from_name(const char *name, enum qt_storage *out);
/* The factory PIN the portal tells users about (domain.md 1): Kaztoken
 * 12345678; eToken PRO 72K, JaCarta, AKey 1234567890; NULL when none is
 * known. */
const char *qt_medium_default_pin(enum qt_storage m);

#ifdef __cplusplus
}
#endif
#endif
