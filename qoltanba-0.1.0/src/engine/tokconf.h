/* Internal to the engine: where the token layer finds its files, and
 * the reading of qoltanba's configuration for PKCS#11 modules.
 *
 * Configuration files, read in this order (later lines add):
 *   SYSCONFDIR/qoltanba/qoltanba.conf
 *   $XDG_CONFIG_HOME/qoltanba/config   (~/.config/qoltanba/config)
 * Lines of interest here (others belong to other parts and are skipped):
 *   module.MEDIUM = /path/to/pkcs11-module.so   tokens of that medium
 *   module = /path/to/pkcs11-module.so          any medium
 *   p11-kit = yes|no     also load the modules registered with p11-kit
 *                        (default yes)
 */
#ifndef QT_ENGINE_TOKCONF_H
#define QT_ENGINE_TOKCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <qoltanba/cert.h>
#include <qoltanba/error.h>

/* $XDG_CONFIG_HOME/qoltanba (or ~/.config/qoltanba) + "/" + name. */
void qt_tokconf_user_path(const char *name, char *buf, size_t size);
/* SYSCONFDIR/qoltanba/name. */
void qt_tokconf_system_path(const char *name, char *buf, size_t size);
/* $QOLTANBA_DATADIR or PKGDATADIR, + "/" + name. */
void qt_tokconf_data_path(const char *name, char *buf, size_t size);

struct qt_tokconf_module {
	char path[4096];
	char source[4200];          /* "FILE:LINE" or "p11-kit FILE" */
	enum qt_storage medium;     /* QT_STORAGE_UNKNOWN: any */
	bool from_p11kit;
};

struct qt_tokconf {
	struct qt_tokconf_module *modules;
	size_t n_modules;
	bool p11kit;
	char problem[512];          /* first bad line, "" when none */
};

/* Reads the configuration files and then (unless p11-kit = no) the
 * p11-kit module registrations.  A module path named twice is kept
 * once (the first, so configuration beats p11-kit). */
qt_err qt_tokconf_load(struct qt_tokconf *c);
void qt_tokconf_free(struct qt_tokconf *c);

/* Strips leading and trailing white space in place. */
char *qt_tokconf_trim(char *s);

#endif
