/* The local portal: with no portal configured, qoltanba runs qoltanbad
 * itself on 127.0.0.1 (doc/enroll.md "The local portal").
 *
 * Data folder $XDG_DATA_HOME/qoltanba/portal (0700), made on first use:
 * `qoltanbad init` (captcha ON, as on the real portal; the config key
 * "portal.local.captcha = no" turns it off), the demo registry, and one
 * RA operator whose key file is DATA/operator.p12 with a generated
 * password in DATA/operator.password (both 0600).  The daemon listens
 * on a free loopback port, its pid is in DATA/qoltanbad.pid so that a
 * daemon left by a crashed qoltanba is reused (or replaced) next time,
 * and it is stopped when qoltanba exits: qt_localportal_stop() on the
 * normal path, an atexit() handler, qt_localportal_kill_all() from the
 * caller's signal handlers, and on Linux PR_SET_PDEATHSIG for kill -9.
 */
#ifndef QOLTANBA_LOCALPORTAL_H
#define QOLTANBA_LOCALPORTAL_H

#include <stdbool.h>
#include <qoltanba/config.h>
#include <qoltanba/error.h>
#include <qoltanba/portal.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qt_localportal qt_localportal;

struct qt_localportal_options {
	const char *daemon;         /* qoltanbad to run; NULL: beside this program, else SBINDIR */
	const char *data_dir;       /* NULL: $XDG_DATA_HOME/qoltanba/portal */
	const char *demo_dir;       /* demo-*.csv; NULL: the build tree's data/, else PKGDATADIR */
	bool no_captcha;            /* only at the first initialisation */
	int wait_ms;                /* for /api/v1/health; 0: 10000 */
};

/* Starts (or reuses) the local portal and waits until it answers.
 * opt may be NULL.  QT_ERR_NOT_FOUND when qoltanbad is not installed. */
qt_err qt_localportal_start(const struct qt_localportal_options *opt, qt_localportal **out);
/* Stops the daemon (SIGTERM, then SIGKILL after 5 s) and frees lp. */
void qt_localportal_stop(qt_localportal *lp);
const char *qt_localportal_url(const qt_localportal *lp);       /* "http://127.0.0.1:PORT" */
const char *qt_localportal_data_dir(const qt_localportal *lp);
const char *qt_localportal_operator_key(const qt_localportal *lp);        /* DATA/operator.p12 */
const char *qt_localportal_operator_password_file(const qt_localportal *lp);
/* Async-signal-safe: SIGTERM to every daemon this process started. */
void qt_localportal_kill_all(void);

/* What qoltanba does at start: url (--portal) when not NULL, else the
 * configuration's "portal", else the local portal (started here; *local
 * is set and the client's id is "local").  *local is NULL for a remote
 * portal. */
qt_err qt_portal_connect(const qt_config *cfg, const char *url, qt_portal **out,
                         qt_localportal **local);
/* Whether the client talks to the local portal (for the status bar). */
bool qt_portal_is_local(const qt_portal *p);

#ifdef __cplusplus
}
#endif
#endif
