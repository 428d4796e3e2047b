/* Configuration: "key = value" lines, '#' comments.
 *
 * Read in order, later files overriding earlier ones:
 *   SYSCONFDIR/qoltanba/qoltanba.conf   (administrator; kiosk settings)
 *   $XDG_CONFIG_HOME/qoltanba/config    (the user; ~/.config/qoltanba/config)
 * Keys are lower-case words with dots: "language", "color", "portal",
 * "module.kaztoken", ...  Settings the user changes are written back to
 * the user file atomically, keeping its other lines and comments.
 */
#ifndef QOLTANBA_CONFIG_H
#define QOLTANBA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qt_config qt_config;

/* The system file, then the user's.  Missing files are not an error; a
 * malformed line is (QT_ERR_CONFIG, detail "FILE:LINE: ..."). */
qt_err qt_config_load(qt_config **out);
/* An empty configuration, to which files can be added. */
qt_config *qt_config_new(void);
/* Adds one file's settings (overriding).  QT_ERR_NOT_FOUND if absent. */
qt_err qt_config_load_file(qt_config *cfg, const char *path);
void qt_config_free(qt_config *cfg);

/* NULL when not set. */
const char *qt_config_get(const qt_config *cfg, const char *key);
/* Where the value in force came from, "FILE:LINE" (for messages that
 * point at the line to fix); NULL when not set. */
const char *qt_config_source(const qt_config *cfg, const char *key);
/* "yes/true/on/1" and "no/false/off/0"; def when unset or unclear. */
bool qt_config_get_bool(const qt_config *cfg, const char *key, bool def);
/* Calls fn for each key that starts with prefix, in file order. */
void qt_config_each(const qt_config *cfg, const char *prefix,
                    void (*fn)(const char *key, const char *value, void *arg),
                    void *arg);

/* Sets key in memory and in the user's file (created with its folder
 * when missing); value NULL removes the key from the user's file. */
qt_err qt_config_set(qt_config *cfg, const char *key, const char *value);

/* Paths (newly allocated, free()): the user's config file, and the
 * user's state / data folders for qoltanba (XDG, with the usual
 * fallbacks under $HOME). */
char *qt_config_user_path(void);
/* The administrator's file: $QOLTANBA_SYSCONF (tests, packagers) or
 * SYSCONFDIR/qoltanba/qoltanba.conf.  Settings that a user must not
 * override (kiosk.*) are read from this file alone. */
const char *qt_config_system_path(void);
char *qt_state_dir(void);
char *qt_data_dir(void);

#ifdef __cplusplus
}
#endif
#endif
