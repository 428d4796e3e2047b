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

#endif
