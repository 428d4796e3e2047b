/* Enrollment: the whole life of an application, as steps that survive a
 * restart (STYLE.md rule 5; doc/enroll.md).
 *
 *   qt_enroll_generate   keys (PC folder or token) + requests; journal
 *                        step keys_generated (written BEFORE anything is
 *                        sent, so the keys are never lost)
 *   qt_enroll_submit     the request, with the record id as idempotency
 *                        key; journal step submitted (number, access)
 *   qt_enroll_refresh    the portal's status; journal step issued,
 *                        rejected, cancelled or installed
 *   qt_enroll_install_*  certificates fetched, keys and certificates
 *                        stored (.p12 files or the token), installation
 *                        confirmed with a proof of possession; journal
 *                        step installed
 *   qt_enroll_resume     on start: every half-done record is taken one
 *                        step further where no person is needed
 *
 * The application fields and both requests are kept beside the journal
 * (STATE/requests/<id>.json, 0600; no secret in them), so a submission
 * can be sent again after a crash without the key password.
 *
 * journal: the journal file, NULL for the default one
 * ($XDG_STATE_HOME/qoltanba/applications.json).
 */
#ifndef QOLTANBA_ENROLL_H
#define QOLTANBA_ENROLL_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/x509.h>   /* keygen.h needs X509_REQ */
#include <qoltanba/error.h>
#include <qoltanba/journal.h>
#include <qoltanba/keygen.h>
#include <qoltanba/keystore.h>
#include <qoltanba/portal.h>
#include <qoltanba/token.h>

#ifdef __cplusplus
extern "C" {
#endif

enum qt_enroll_phase {
	QT_ENROLL_KEYGEN_AUTH = 0,  /* percent: rough, from OpenSSL's prime search */
	QT_ENROLL_KEYGEN_SIGN,
	QT_ENROLL_REQUESTS,         /* building and signing the two CSRs */
	QT_ENROLL_SUBMIT,
	QT_ENROLL_FETCH,            /* installation: certificates */
	QT_ENROLL_STORE,            /* installation: .p12 files / token */
	QT_ENROLL_CONFIRM,          /* installation: proof of possession */
	QT_ENROLL_DONE
};
/* Return false to cancel (QT_ERR_CANCELLED; what is done stays done and
 * is in the journal). */
typedef bool (*qt_enroll_progress_fn)(void *data, enum qt_enroll_phase phase, int percent);
const char *qt_enroll_phase_label(enum qt_enroll_phase ph);   /* translated */

struct qt_enroll_request {
	const char *subject_type;   /* catalog id: "individual", "chairman", ... */
	const char *iin;
	const char *bin;            /* legal entities; NULL or "" otherwise */
	const char *email;          /* NULL or "" when none */
	const char *region;         /* "KZ-75" */
	const char *city;
	/* PC storage: folder (created 0700 when missing) and the key
	 * password (the policy, password.h).  Token storage: token (logged
	 * in) and its label for the journal; folder and password NULL.
	 * (qt_enroll_validate takes a token_label without a token as token
	 * storage, so fields can be checked before the token is opened.) */
	const char *folder;
	const char *password;
	qt_token *token;
	const char *token_label;
	/* Catalog storage id; NULL: "pkcs12" for PC, the token's medium
	 * for a token (QT_ERR_INVALID_ARG when the medium is unknown). */
	const char *storage;
	enum qt_keytype keytype;    /* QT_KEY_RSA2048 unless told */
	/* Names from the registry checks, for the requests' subjects and
	 * the application form (either may be NULL). */
	const struct qt_person *person;
	const struct qt_entity *entity;
	/* A re-issuance: the serial of the certificate it replaces (the
	 * record's reissue_of, journal.h); NULL otherwise. */
	const char *reissue_of;
};

/* Checks every field without the network (and against the catalog when
 * it is not NULL).  On failure *field (when not NULL) names the field
 * ("subject_type", "iin", "bin", "email", "region", "city", "storage",
 * "folder", "password") and the code says what is wrong: QT_ERR_IDNUM_*,
 * QT_ERR_EMAIL, QT_ERR_PASSWORD_*, QT_ERR_INVALID_ARG, ... */
qt_err qt_enroll_validate(const struct qt_enroll_request *r, const struct qt_catalog *cat,
                          const char **field);
/* A plain e-mail address check (what the portal accepts). */
qt_err qt_email_check(const char *email);

/* Generates both key pairs and requests and journals them (step
 * keys_generated, portal = qt_portal_id(p) when p is not NULL).  *rec
 * receives the record.  Nothing is sent. */
qt_err qt_enroll_generate(const char *journal, const struct qt_enroll_request *r,
                          const char *portal_id, qt_enroll_progress_fn fn, void *data,
                          struct qt_app_record *rec);

/* Sends (or sends again) the application of a record at step
 * keys_generated; on success the record is at step submitted with its
 * number and access proof.  A record already submitted is QT_OK with
 * nothing sent.  QT_ERR_CAPTCHA: get a captcha (qt_portal_captcha) and
 * call again with the answer; the keys stay. ca may be NULL. */
qt_err qt_enroll_submit(qt_portal *p, const char *journal, struct qt_app_record *rec,
                        const struct qt_captcha_answer *ca, struct qt_submission *sub);

/* generate + submit. */
qt_err qt_enroll_apply(qt_portal *p, const char *journal, const struct qt_enroll_request *r,
                       const struct qt_captcha_answer *ca, qt_enroll_progress_fn fn,
                       void *data, struct qt_app_record *rec);

/* Reads the status of a submitted record and moves its step when the
 * portal says so (issued, installed, rejected, cancelled).  info may be
 * NULL. */
qt_err qt_enroll_refresh(qt_portal *p, const char *journal, struct qt_app_record *rec,
                         struct qt_app_info *info);

/* Installs into a folder: fetches both certificates, turns the pending
 * keys (found in folder, or in the record's folder when folder is NULL)
 * into AUTH_RSA256_<keyid>.p12 and RSA256_<keyid>.p12 protected with
 * password, proves possession, and journals step installed.  Safe to
 * run again after any failure.  QT_ERR_PENDING_NOT_FOUND when folder
 * has no pending key (the detail names the folder the journal knows).
 * paths (optional) receive the two files (free()). */
qt_err qt_enroll_install_pc(qt_portal *p, const char *journal, struct qt_app_record *rec,
                            const char *folder, const char *password,
                            qt_enroll_progress_fn fn, void *data, char *paths[2]);
/* Installs on a token (logged in): stores the certificates beside their
 * keys, proves possession with the token's keys, journals installed. */
qt_err qt_enroll_install_token(qt_portal *p, const char *journal, struct qt_app_record *rec,
                               qt_token *t, qt_enroll_progress_fn fn, void *data);

/* On start: for each journal record sent to this portal (its id), and
 * not finished: keys_generated -> submitted again with the same
 * idempotency key (a record that needs a captcha is left as it is and
 * reported with QT_ERR_CAPTCHA); submitted / issued -> status re-read.
 * report (may be NULL) is called for every record looked at, with the
 * outcome.  Returns the first error that is not about one record. */
typedef void (*qt_enroll_report_fn)(void *data, const struct qt_app_record *rec, qt_err rc);
qt_err qt_enroll_resume(qt_portal *p, const char *journal, qt_enroll_report_fn report,
                        void *data);

/* Finds a record by application number (or id) in the journal. */
qt_err qt_enroll_find(const char *journal, const char *number_or_id, struct qt_app_record *out);

/* The form to take to the Registration Authority: number, date, subject,
 * IIN/BIN, names, e-mail, region and city, storage, and "take this to a
 * Registration Authority within 30 days" (with the date).  UTF-8 text,
 * and a self-contained HTML page; free() the result. */
qt_err qt_application_form_text(const char *journal, const struct qt_app_record *rec, char **out);
qt_err qt_application_form_html(const char *journal, const struct qt_app_record *rec, char **out);

#ifdef __cplusplus
}
#endif
#endif
