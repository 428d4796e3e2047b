/* The personal account of the portal (doc/api.md "Personal account"):
 * sign-in with the AUTH key, from a key file or a token, then the
 * holder's profile, keys, revocation, re-issuance, requests and, for a
 * first head, the re-issuances awaiting approval.
 *
 * A qt_account keeps the signer (the AUTH key and its certificate) for
 * as long as it lives, so when the portal answers that the session has
 * expired the call signs in again and is sent once more: a screen or a
 * script never sees the expiry.  Portal answers become qt_err codes as
 * in portal.h, and also: QT_ERR_CERT_EXPIRED and QT_ERR_CERT_REVOKED for
 * an AUTH key (sign-in) or current key (re-issuance) that is expired or
 * revoked (the portal's sentence says to apply for new keys),
 * QT_ERR_PORTAL_DENIED for a wrong key, a replayed challenge or an
 * approval by anyone but the first head, QT_ERR_PORTAL_NOT_FOUND for a
 * certificate or application that is not the holder's,
 * QT_ERR_PORTAL_CONFLICT ("already_revoked", "already_decided", ...).
 * The portal's own code stays in qt_portal_error_code().
 *
 * One thread at a time per qt_account (it uses its qt_portal). */
#ifndef QOLTANBA_ACCOUNT_H
#define QOLTANBA_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <openssl/types.h>
#include <qoltanba/error.h>
#include <qoltanba/journal.h>
#include <qoltanba/portal.h>
#include <qoltanba/token.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qt_account qt_account;

/* The portal is borrowed: close it after qt_account_free(). */
qt_err qt_account_open(qt_portal *p, qt_account **out);
void qt_account_free(qt_account *a);   /* signs out when signed in */

/* The AUTH key that signs in (and re-issuance requests).  Each replaces
 * the one before.  Key and certificate are referenced (up_ref). */
qt_err qt_account_use_key(qt_account *a, EVP_PKEY *key, X509 *cert);
/* An AUTH_RSA256_*.p12 (or any key file with a key and certificate);
 * QT_ERR_BAD_PASSWORD for a wrong password.  The password is not kept. */
qt_err qt_account_use_keyfile(qt_account *a, const char *path, const char *password);
/* A key on a token (logged in; stays owned by the caller and must live
 * as long as a): keyid is the key's CKA_ID in hex, cert its certificate. */
qt_err qt_account_use_token(qt_account *a, qt_token *t, const char *keyid, X509 *cert);
/* The AUTH key of a token (logged in): the key with CKA_ID keyid (hex),
 * or, keyid NULL, the one whose certificate has clientAuth.  Its id into
 * out, its certificate into *cert (X509_free).  QT_ERR_NO_KEY when the
 * token has none. */
qt_err qt_account_token_auth_key(qt_token *t, const char *keyid, char *out, size_t size,
                                 X509 **cert);
/* The signer's certificate (borrowed), NULL before one of the above. */
X509 *qt_account_cert(const qt_account *a);

struct qt_account_key {
	char serial[48];
	char purpose[8];            /* "auth", "sign" */
	char status[16];            /* "valid", "expired", "revoked", "not_yet_valid" */
	char number[40];            /* application */
	char subject_type[32];
	char bin[13];
	char storage[32];
	time_t not_before, not_after, revoked_at;
	long days_left;             /* 0 once expired */
	char revocation_reason[32];
};

struct qt_account_holder {
	char iin[13];
	char full_name[400];
	char subject_type[32];
	char bin[13];
	char organization[256];
	time_t session_expires;
	size_t expiring_count;      /* valid keys that expire within 30 days */
	struct qt_account_key expiring[16];   /* serial, purpose, number, not_after, days_left */
};

/* Signs in now (a fresh challenge each time).  out may be NULL. */
qt_err qt_account_sign_in(qt_account *a, struct qt_account_holder *out);
bool qt_account_signed_in(const qt_account *a);
/* The holder of the last sign-in (zeroed before one). */
const struct qt_account_holder *qt_account_holder(const qt_account *a);
qt_err qt_account_sign_out(qt_account *a);

struct qt_account_profile {
	char iin[13];
	char full_name[400], surname[128], given_name[128], patronymic[128];
	char subject_type[32], bin[13], organization[256];
	char phone[32], email[256];
	char serial[48];            /* the certificate that signed in */
	time_t not_after;
	char language[4];           /* "kk", "ru", "en" */
	bool notify_email, notify_sms;
};
qt_err qt_account_profile(qt_account *a, struct qt_account_profile *out);
/* language NULL, notify_* < 0: unchanged.  out may be NULL. */
qt_err qt_account_profile_set(qt_account *a, const char *language, int notify_email,
                              int notify_sms, struct qt_account_profile *out);

/* Every certificate issued to the holder's IIN, newest first; free(). */
qt_err qt_account_keys(qt_account *a, struct qt_account_key **out, size_t *count);
/* The report as the portal exports it (header and one CRLF line each). */
qt_err qt_account_keys_csv(const struct qt_account_key *keys, size_t count, FILE *f);

/* reason: "unspecified", "key_compromise", "affiliation_changed",
 * "superseded", "cessation_of_operation", "privilege_withdrawn".
 * Checked here first (QT_ERR_INVALID_ARG), as the portal does. */
qt_err qt_account_revoke(qt_account *a, const char *serial, const char *reason);
bool qt_account_reason_valid(const char *reason);

struct qt_account_request {
	struct qt_app_info info;    /* number, status, fields, certificates */
	bool online;                /* a re-issuance */
	char previous_serial[48];
	char approval[16];          /* "not_needed", "awaiting_head", "approved", "declined" */
	char full_name[400];        /* approvals: the employee */
};
/* The holder's applications, newest first; free(). */
qt_err qt_account_requests(qt_account *a, struct qt_account_request **out, size_t *count);
/* First head: re-issuances awaiting approval; free().  QT_ERR_PORTAL_DENIED
 * ("not_head") for anyone else. */
qt_err qt_account_approvals(qt_account *a, struct qt_account_request **out, size_t *count);
/* approve, or decline with an optional reason.  out may be NULL. */
qt_err qt_account_decide(qt_account *a, const char *number, bool approve, const char *reason,
                         struct qt_account_request *out);

/* What a re-issuance copies from the current certificate's application:
 * fill a qt_enroll_request from it (subject type, IIN, BIN, region, city,
 * e-mail), then generate keys with qt_enroll_generate(). */
struct qt_reissue_base {
	char serial[48];
	char subject_type[32], iin[13], bin[13];
	char region[8], city[128], email[256], storage[32];
	time_t not_after;
};
/* serial NULL: the signer's own certificate. */
qt_err qt_account_reissue_base(qt_account *a, const char *serial, struct qt_reissue_base *out);

/* Sends the re-issuance of the keys generated for rec (journal record at
 * step keys_generated, from qt_enroll_generate), signed with the signer
 * (the current key: serial NULL means its own certificate, or the one
 * rec->reissue_of names when the keys were made for it).  email NULL:
 * the current one, or for a record with reissue_of the e-mail the keys
 * were made with (sending again after a failure or a crash).  On success
 * the record is at step submitted (or issued when the portal issued it at
 * once) with its number and access token, so qoltanba install
 * (qt_enroll_install_*) finishes it.
 * QT_ERR_CERT_EXPIRED: the current key has expired (apply anew). */
qt_err qt_account_reissue(qt_account *a, const char *journal, struct qt_app_record *rec,
                          const char *serial, const char *email,
                          struct qt_account_request *out);

/* The keys of a list that expire within days (valid ones): the notice
 * shown at sign-in and at start ("expires in N days").  Returns how many
 * were copied to out (at most max). */
size_t qt_account_expiring(const struct qt_account_key *keys, size_t count, int days,
                           struct qt_account_key *out, size_t max);
/* Local certificates (key files, token certificates) that expire within
 * days of now: days left, or -1 when not within (expired: 0). */
long qt_cert_days_left(X509 *cert, time_t now, int days);

#ifdef __cplusplus
}
#endif
#endif
