/* The enrollment pages (issue 6; domain.md section 1): what they share.
 *
 * One portal connection for the whole run (opened on first use, in a
 * page's work function: starting the local portal takes a moment), the
 * catalog it serves, and the application being filled in, page by page,
 * in the portal's order:
 *
 *   apply_section  Individuals / Chairman / employee templates (catalog)
 *   apply_agree    information and the user agreement (tick box)
 *   apply_id       BIN and/or IIN with the captcha, "Check"
 *   apply_email    e-mail (optional) with the portal's warning
 *   apply_place    region, then city (type to filter)
 *   apply_keys     storage; folder and key password for a PC store
 *   apply_go       summary, "Apply": keys with a progress bar, submission
 *   apply_done     the number, Save and Print of the application form
 *   status         by number or from the journal; install when issued
 *   install        folder + password, "Upload certificates"
 *   ra_login, ra_queue, ra_view   the Registration Authority console
 *
 * Pages never talk to the portal outside a work function (TUI_WORK), so
 * a slow portal turns a spinner instead of freezing the terminal. */
#ifndef QT_SCREENS_ENROLL_H
#define QT_SCREENS_ENROLL_H

#include <limits.h>
#include <stdbool.h>
#include <qoltanba/cert.h>
#include <qoltanba/enroll.h>
#include <qoltanba/journal.h>
#include <qoltanba/localportal.h>
#include <qoltanba/portal.h>
#include "tui/tui.h"

#define ENR_PWBUF (TUI_FIELD_MAX * 4 + 1)

/* Result code a page pops with when the application is finished (or
 * abandoned from the last page): every apply page beneath pops too, so
 * the user lands on Home. */
#define ENR_FINISHED 77

struct enr_app {
	const struct qt_subject_type *type;   /* in enr.catalog */
	struct qt_captcha captcha;
	char captcha_answer[16];
	char iin[13], bin[13];
	struct qt_person person;
	struct qt_entity entity;
	bool iin_checked, bin_checked;
	char email[256];
	char region[8];
	char city[128];          /* English name, as the portal knows it */
	enum qt_storage storage;
	char folder[PATH_MAX];
	char token_label[64];
	char password[ENR_PWBUF];/* PC store: wiped when the application ends */
	struct qt_app_record rec;
	bool generated, submitted;
	struct qt_submission sub;
};

struct enr {
	const char *url;         /* --portal, or NULL */
	qt_portal *portal;
	qt_localportal *local;
	struct qt_catalog *catalog;
	struct enr_app *app;     /* the application being filled in */
};
extern struct enr enr;

void enr_set_portal_url(const char *url);
/* For tui_on_exit: closes the portal, stops a local one. */
void enr_shutdown(void);
/* Work-thread side: connects (starting the local portal when none is
 * configured) and reads the catalog once.  On failure buf holds what to
 * tell the user. */
qt_err enr_connect(char *buf, size_t size);
qt_err enr_load_catalog(char *buf, size_t size);
/* Loop side, after a successful connect: the status bar's note. */
void enr_status_note(struct tui *t);
/* "What went wrong" for rc: the engine's sentence, the portal's own
 * words when it answered, and what to do for network trouble. */
void enr_explain(qt_err rc, char *buf, size_t size);
/* "en", "ru" or "kk": the interface language now. */
const char *enr_lang(void);
/* The application being filled in (made by apply_section). */
struct enr_app *enr_app_new(void);
void enr_app_free(void);
/* Pops with ENR_FINISHED (the pages beneath follow). */
int enr_finish(struct tui *t);
/* A page beneath: true (and its flags in *flags) when r says finish. */
bool enr_finishing(struct tui *t, const struct tui_result *r, int *flags);
/* Storage id of the catalog ("pkcs12", "kaztoken", ...). */
const char *enr_storage_id(enum qt_storage k);
/* The record keeps its keys in a PC folder (journal storage "pc"). */
bool enr_rec_is_pc(const struct qt_app_record *rec);
/* The subject type's label in the interface language. */
const char *enr_type_label(const struct qt_subject_type *st);

struct screen *screen_apply_section_new(void);
struct screen *screen_apply_agree_new(void);
struct screen *screen_apply_id_new(void);
struct screen *screen_apply_email_new(void);
struct screen *screen_apply_place_new(void);
struct screen *screen_apply_keys_new(void);
struct screen *screen_apply_go_new(void);
struct screen *screen_apply_done_new(const struct qt_app_record *rec);
/* number: prefilled (or NULL). */
struct screen *screen_status_new(const char *number);
struct screen *screen_install_new(const struct qt_app_record *rec);
struct screen *screen_ra_login_new(void);
struct screen *screen_ra_queue_new(void);
struct screen *screen_ra_view_new(const char *number);

#endif
