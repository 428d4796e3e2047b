/* The personal-account pages (issue 7; doc/tui.md "Personal account"):
 * what they share.
 *
 * The holder signs in once (acct_signin) with the AUTH key, from a key
 * file or a token; the engine's qt_account (account.h) keeps the signer
 * for the whole visit, so when the portal's short session expires in
 * the middle of a page the next call signs in again by itself and the
 * page carries on.  The account uses the enrollment pages' portal
 * connection (enr.portal, enr_connect), so the local portal is started
 * once for both.
 *
 *   acct_signin    storage, key file or token, password or PIN, the AUTH
 *                  key shown, "Sign in"
 *   acct_home      the account's menu: My DS keys, profile, approvals
 *                  (first heads), sign out; the expiry notice
 *   acct_profile   personal data, language, notifications on or off
 *   acct_keys      list of DS keys: sortable, states marked, export CSV
 *   acct_revoke    choose the key, the reason, confirm
 *   acct_reissue   re-issuance: fields from the current certificate,
 *                  e-mail, storage, tick box, signing
 *   acct_requests  tracking the requests, install when issued
 *   acct_approvals a first head's re-issuances awaiting approval
 *   acct_passwd    change of the key files' password, or the token's PIN
 *
 * Pages talk to the portal only inside a work function (TUI_WORK), as
 * the enrollment pages do. */
#ifndef QT_SCREENS_ACCOUNT_H
#define QT_SCREENS_ACCOUNT_H

#include <limits.h>
#include <stdbool.h>
#include <qoltanba/account.h>
#include <qoltanba/token.h>
#include "tui/tui.h"

/* Days before expiry from which a key gets the notice (domain.md: the
 * first e-mail goes 30 days ahead). */
#define ACCT_NOTICE_DAYS 30

/* Result code a page pops with after signing out (or when the session
 * cannot be renewed): every account page beneath pops too, down to the
 * page the account was entered from. */
#define ACCT_SIGNED_OUT 78

struct acct {
	qt_account *a;            /* NULL until signed in */
	enum qt_storage storage;  /* QT_STORAGE_PKCS12: a key file */
	char keyfile[PATH_MAX];   /* the AUTH key file (file sign-in) */
	char token_label[64];     /* the token (token sign-in) */
	qt_p11 *p11;              /* token sign-in: the modules ... */
	qt_token *tok;            /* ... and the token, logged in */
	char keyid[130];          /* the AUTH key's CKA_ID on the token */
	struct qt_account_holder holder;   /* of the last sign-in */
	/* A first head (of holder.bin): learnt from the portal's answer to
	 * the approvals list; -1 before it was asked. */
	int is_head;
};
extern struct acct acc;

/* Work side, in two steps as on the portal.  First the key: connects
 * (enr_connect), opens the key file with its password, or logs in to the
 * token and finds its AUTH key (the certificate with clientAuth), and
 * describes the certificate into sum, so the page shows whose key it is
 * before anything is signed.  Then acct_sign() signs the portal's
 * challenge and fills acc.holder.  On failure buf holds what to tell
 * the user (acct_explain) and nothing stays open; the secret is not
 * kept. */
struct qt_cert_summary;
qt_err acct_open_file(const char *path, const char *password, struct qt_cert_summary *sum,
                      char *buf, size_t size);
qt_err acct_open_token(const char *label, const char *pin, struct qt_cert_summary *sum,
                       char *buf, size_t size);
qt_err acct_sign(char *buf, size_t size);
bool acct_signed_in(void);
/* Signs out (when signed in) and forgets the key and token. */
void acct_sign_out(void);
/* For tui_kiosk_on_idle: signs out and drops the application. */
void acct_on_idle(void);

/* "What went wrong" for the account: an expired or revoked AUTH key,
 * a key that is not the holder's, a refused approval, ... with what to
 * do, then the portal's own words (enr_explain for the rest). */
void acct_explain(qt_err rc, char *buf, size_t size);

/* Labels in the interface language. */
const char *acct_status_label(const char *status);    /* "valid", ... */
const char *acct_purpose_label(const char *purpose);  /* "auth", "sign" */
const char *acct_storage_label(const char *storage);  /* "pkcs12", "kaztoken", ... */
const char *acct_approval_label(const char *approval);
const char *acct_request_status_label(enum qt_app_status st);
/* The revocation reasons the portal takes, in order, and their labels. */
extern const char *const acct_reasons[];
#define ACCT_NREASONS 6
const char *acct_reason_label(const char *reason);
/* "YYYY-MM-DD" (UTC) into buf (11 bytes). */
void acct_date(time_t t, char *buf);
/* One sentence per key of holder.expiring ("The SIGN key 1a2b... expires
 * in 12 days, on 2027-01-03: re-issue it while it is valid."), joined;
 * "" when none. */
void acct_expiry_notice(const struct qt_account_holder *h, char *buf, size_t size);

/* Pops with ACCT_SIGNED_OUT. */
int acct_leave_signed_out(struct tui *t);
/* A page beneath: true (and its flags in *flags) when r says so. */
bool acct_signing_out(struct tui *t, const struct tui_result *r, int *flags);

struct screen *screen_acct_signin_new(void);
struct screen *screen_acct_home_new(void);
struct screen *screen_acct_profile_new(void);
struct screen *screen_acct_keys_new(void);
/* serial: the key to revoke, or NULL to choose it on the page. */
struct screen *screen_acct_revoke_new(const char *serial);
/* serial: the key to re-issue, or NULL for the signer's own. */
struct screen *screen_acct_reissue_new(const char *serial);
struct screen *screen_acct_requests_new(void);
struct screen *screen_acct_approvals_new(void);
struct screen *screen_acct_passwd_new(void);

/* serial (lower-case hex, as the portal lists it) is the certificate
 * the holder signed in with: revoking it ends the visit. */
bool acct_is_signer(const char *serial);

/* "individual", "first head", ... for a subject type ("chairman", ...). */
const char *acct_subject_type_label(const char *subject_type);

#endif
