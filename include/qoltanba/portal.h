/* The portal client: every call of qoltanbad's JSON API (doc/api.md)
 * that qoltanba needs, over libcurl.
 *
 * - TLS is verified against the configured CA file ("portal.ca = FILE")
 *   or the system's CAs; plain http:// is allowed only to a loopback
 *   address (the local portal).
 * - Each call has a connect timeout and a total timeout.  Idempotent
 *   calls (GET, and a submission carrying an idempotency key) are
 *   retried with backoff on network errors, timeouts and 503; others
 *   are not.
 * - Proxies come from the environment (libcurl's http_proxy,
 *   https_proxy, no_proxy).
 * - Replies are checked strictly (status, Content-Type application/json,
 *   size capped at 1 MiB, the JSON types of every member used) and turned
 *   into qt_err codes before any caller sees them: QT_ERR_NETWORK,
 *   QT_ERR_TIMEOUT, QT_ERR_TLS, QT_ERR_PORTAL (other portal error),
 *   QT_ERR_PORTAL_REPLY (malformed), QT_ERR_PORTAL_NOT_FOUND,
 *   QT_ERR_PORTAL_DENIED, QT_ERR_PORTAL_CONFLICT, QT_ERR_CAPTCHA,
 *   QT_ERR_REGISTRY, and the validation codes (QT_ERR_IDNUM_*,
 *   QT_ERR_EMAIL) for what the portal refused in a field.  The portal's
 *   own stable code ("bin_checksum") and English sentence are kept:
 *   qt_portal_error_code(), qt_portal_error_message().
 * - A progress callback and a cancel flag let a screen show a call in
 *   flight and stop it (QT_ERR_CANCELLED).
 *
 * A qt_portal is used by one thread at a time.
 */
#ifndef QOLTANBA_PORTAL_H
#define QOLTANBA_PORTAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <openssl/types.h>
#include <qoltanba/config.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qt_portal qt_portal;

struct qt_portal_options {
	const char *url;            /* base URL, "https://portal.example.kz" (no /api/v1) */
	const char *ca_file;        /* PEM CA bundle; NULL: the system's CAs */
	long connect_timeout_ms;    /* 0: 5000 */
	long timeout_ms;            /* per attempt, 0: 30000 */
	int retries;                /* extra attempts for idempotent calls; -1: none, 0: 2 */
};

/* Opens a client.  QT_ERR_INVALID_ARG for a URL that is not http(s), or
 * http:// to anything other than a loopback address. */
qt_err qt_portal_open(const struct qt_portal_options *opt, qt_portal **out);
/* The same from the configuration: url (when not NULL) else "portal",
 * "portal.ca", "portal.timeout" (seconds), "portal.connect_timeout"
 * (seconds), "portal.retries".  QT_ERR_NOT_FOUND when no URL is known
 * (the caller then starts the local portal, localportal.h). */
qt_err qt_portal_open_config(const qt_config *cfg, const char *url, qt_portal **out);
void qt_portal_close(qt_portal *p);
const char *qt_portal_url(const qt_portal *p);
/* The name the journal records for this portal: the URL, unless set
 * (the local portal is "local", whatever port it has today). */
void qt_portal_set_id(qt_portal *p, const char *id);
const char *qt_portal_id(const qt_portal *p);

/* Progress of the call in flight: bytes sent/received so far (totals 0
 * when unknown).  Return false to cancel it. */
typedef bool (*qt_portal_progress_fn)(void *data, size_t sent, size_t sent_total,
                                      size_t received, size_t received_total);
void qt_portal_set_progress(qt_portal *p, qt_portal_progress_fn fn, void *data);
/* When *flag becomes non-zero (a signal handler, another thread), the
 * call in flight stops within ~100 ms with QT_ERR_CANCELLED, and the
 * retry loop ends. */
void qt_portal_set_cancel(qt_portal *p, volatile sig_atomic_t *flag);

/* After a failed call: the portal's stable code ("bin_checksum", "" when
 * the failure was not the portal's answer), its English sentence, and
 * the HTTP status (0 when there was none). */
const char *qt_portal_error_code(const qt_portal *p);
const char *qt_portal_error_message(const qt_portal *p);
int qt_portal_http_status(const qt_portal *p);

/* GET /api/v1/health: QT_OK when the portal answers {"status":"ok"}. */
qt_err qt_portal_health(qt_portal *p);

/* ---- Catalog ---------------------------------------------------------- */

struct qt_i18n {                /* a name in the three languages, UTF-8 */
	char en[256], ru[256], kk[256];
};
/* The name in lang ("kk", "ru", anything else: "en"), falling back to en. */
const char *qt_i18n_get(const struct qt_i18n *n, const char *lang);

struct qt_subject_type {
	char id[32];                /* "individual", "chairman", "signing_right", ... */
	struct qt_i18n label;
	bool legal_entity, requires_bin, must_be_head;
	char role_oid[64];
};

struct qt_storage_type {
	char id[32];                /* "pkcs12", "idcard", "kaztoken", ... */
	char label[64];
	char default_pin[32];       /* "" when none */
	char warning[256];          /* "" when none */
	bool individuals_only, file;
	int validity_days;
};

struct qt_region {
	char iso[8];                /* "KZ-75" */
	struct qt_i18n name;
	size_t city_count;
	struct qt_i18n *cities;
};

struct qt_catalog {
	size_t subject_type_count, storage_count, region_count;
	struct qt_subject_type *subject_types;
	struct qt_storage_type *storages;
	struct qt_region *regions;
	int password_min, password_max;
	char password_specials[64];
	char password_note[512];
	int file_days, token_days, verify_within_days;
	bool captcha_required;
};

qt_err qt_portal_catalog(qt_portal *p, struct qt_catalog **out);
void qt_catalog_free(struct qt_catalog *c);
/* Lookups (NULL when absent).  A city matches any of its names, case as
 * written. */
const struct qt_subject_type *qt_catalog_subject_type(const struct qt_catalog *c, const char *id);
const struct qt_storage_type *qt_catalog_storage(const struct qt_catalog *c, const char *id);
const struct qt_region *qt_catalog_region(const struct qt_catalog *c, const char *iso);
const struct qt_i18n *qt_catalog_city(const struct qt_region *r, const char *name);

/* ---- Captcha and registry checks -------------------------------------- */

struct qt_captcha {
	bool required;              /* false: the portal has it off; the rest is empty */
	char id[80];
	int length;                 /* digits in the answer */
	time_t expires_at;
	char art[2048];             /* 7 lines of ASCII art; print as is */
};
qt_err qt_portal_captcha(qt_portal *p, struct qt_captcha *out);

/* What the portal's captcha-protected calls carry.  Both NULL (or "")
 * when the captcha is off. */
struct qt_captcha_answer {
	const char *id;
	const char *answer;
};

struct qt_person {
	char iin[13];
	char surname[128], given_name[128], patronymic[128];
	char full_name[400];
};
struct qt_entity {
	char bin[13];
	char name[256];
	char head_full_name[400];
};
/* The number is checked here first (QT_ERR_IDNUM_*: a typo costs no
 * captcha), then by the portal: QT_ERR_REGISTRY when it is valid but not
 * in the registry, QT_ERR_CAPTCHA for a wrong, expired or spent captcha
 * (get a new one). */
qt_err qt_portal_check_iin(qt_portal *p, const char *iin, const struct qt_captcha_answer *ca,
                           struct qt_person *out);
qt_err qt_portal_check_bin(qt_portal *p, const char *bin, const struct qt_captcha_answer *ca,
                           struct qt_entity *out);

/* ---- Applications ------------------------------------------------------ */

struct qt_application {
	const char *subject_type;   /* catalog subject_types[].id */
	const char *iin;
	const char *bin;            /* legal-entity types only, else NULL */
	const char *email;          /* NULL or "" when none */
	const char *region;         /* ISO 3166-2 */
	const char *city;
	const char *storage;        /* catalog storages[].id ("pkcs12", "kaztoken", ...) */
	const char *auth_csr_pem, *sign_csr_pem;
	const char *idempotency_key;/* the journal record id (32 hex); NULL: none, no retry */
	struct qt_captcha_answer captcha;
};

struct qt_submission {
	char number[40];
	char access_token[128];     /* shown once by the portal: keep it (journal) */
	char status[24];            /* "pending" */
	time_t created_at, verify_by;
	bool replayed;              /* the portal already had this idempotency key */
};

/* POST /api/v1/applications.  With an idempotency key the call is
 * retried like a GET, and sending it again after any failure returns the
 * same application number (with a fresh access token) instead of a
 * second application. */
qt_err qt_portal_submit(qt_portal *p, const struct qt_application *a, struct qt_submission *out);

/* The portal's statuses.  QT_APP_PENDING is shown to people and scripts
 * as "submitted" (awaiting the Registration Authority). */
enum qt_app_status {
	QT_APP_UNKNOWN = 0,
	QT_APP_PENDING,
	QT_APP_ISSUED,
	QT_APP_INSTALLED,
	QT_APP_REJECTED,
	QT_APP_CANCELLED
};
const char *qt_app_status_name(enum qt_app_status s);   /* "submitted", "issued", ... */
const char *qt_app_status_label(enum qt_app_status s);  /* translated sentence */
enum qt_app_status qt_app_status_parse(const char *portal_name);  /* "pending" -> PENDING */

struct qt_app_cert {
	char purpose[8];            /* "auth", "sign" */
	char serial[80];
	char status[16];            /* "valid", "revoked" */
	time_t not_before, not_after;
};

struct qt_app_info {
	char number[40];
	enum qt_app_status status;
	char status_text[128];      /* the portal's English sentence */
	char subject_type[32];
	char iin[13], bin[13];
	char email[256];
	char region[8];
	char city[128];
	char storage[32];
	char full_name[400];        /* RA views only, else "" */
	char organization[256];     /* RA views only, else "" */
	char reason[512];           /* rejected */
	char decided_by[256];       /* RA views only */
	char install_nonce[128];    /* issued: for the proof of possession */
	time_t created_at, updated_at, verify_by;   /* 0 when absent */
	size_t cert_count;
	struct qt_app_cert certs[2];
};

/* GET /api/v1/applications/{number} with the access token.
 * QT_ERR_PORTAL_NOT_FOUND for an unknown number or a wrong token. */
qt_err qt_portal_status(qt_portal *p, const char *number, const char *access_token,
                        struct qt_app_info *out);

struct qt_app_certs {
	X509 *auth, *sign;          /* owned; qt_app_certs_clear() */
	STACK_OF(X509) *chain;      /* issuing CA first */
	char install_nonce[128];
};
/* GET .../certificates.  QT_ERR_PORTAL_CONFLICT when not issued (yet). */
qt_err qt_portal_certificates(qt_portal *p, const char *number, const char *access_token,
                              struct qt_app_certs *out);
void qt_app_certs_clear(struct qt_app_certs *c);

/* The text a key signs to prove possession at installation:
 * "qoltanbad-install:<number>:<nonce>". */
qt_err qt_install_proof_text(const char *number, const char *nonce, char *buf, size_t size);
/* POST .../install with the two signatures (raw bytes; base64 here).
 * QT_ERR_PORTAL_CONFLICT with code "already_installed" when done before. */
qt_err qt_portal_install(qt_portal *p, const char *number, const char *access_token,
                         const unsigned char *auth_sig, size_t auth_len,
                         const unsigned char *sign_sig, size_t sign_len,
                         struct qt_app_info *out);

/* ---- Registration Authority (operators) ------------------------------- */

/* Signs in: challenge, signature with key (SHA-256), session.  The
 * bearer token is kept in p for the calls below.  operator_name (may be
 * NULL) receives the portal's name for the operator.
 * QT_ERR_PORTAL_DENIED for an unregistered or invalid certificate. */
qt_err qt_portal_ra_login(qt_portal *p, EVP_PKEY *key, X509 *cert,
                          char *operator_name, size_t size);
/* The same with the operator's key file from `qoltanbad operator add`
 * (QT_ERR_BAD_PASSWORD for a wrong password). */
qt_err qt_portal_ra_login_file(qt_portal *p, const char *p12_path, const char *password,
                               char *operator_name, size_t size);
bool qt_portal_ra_signed_in(const qt_portal *p);

/* GET /api/v1/ra/applications.  status: "pending", "issued",
 * "installed", "rejected", "cancelled" or "all" (NULL: pending); query:
 * a number, IIN, BIN or e-mail (NULL: none); limit 1..500 (0: 50).
 * *out is an array of *count; free() it. */
qt_err qt_portal_ra_list(qt_portal *p, const char *status, const char *query,
                         int limit, int offset, struct qt_app_info **out, size_t *count);
/* GET /api/v1/ra/applications/{number}: the fields above and, when
 * details is not NULL, the whole answer as indented JSON (requests,
 * registry rows, audit trail); free() it. */
qt_err qt_portal_ra_view(qt_portal *p, const char *number, struct qt_app_info *out,
                         char **details);
qt_err qt_portal_ra_approve(qt_portal *p, const char *number, struct qt_app_info *out);
/* reason: non-empty, at most 1000 bytes. */
qt_err qt_portal_ra_reject(qt_portal *p, const char *number, const char *reason,
                           struct qt_app_info *out);

#ifdef __cplusplus
}
#endif
#endif
