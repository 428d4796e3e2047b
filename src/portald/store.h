/* qoltanbad's storage interface.
 *
 * Handlers see only this table of operations; the SQLite store
 * (store_sqlite.c) is the embedded default, and another back end
 * (PostgreSQL) can be added by filling the same table.  Rules every
 * back end keeps:
 *   - begin() opens a write transaction that serialises against other
 *     writers (SQLite: BEGIN IMMEDIATE; PostgreSQL: SERIALIZABLE or row
 *     locks); everything between begin() and commit() is all-or-nothing;
 *   - a call outside begin()/commit() is its own transaction;
 *   - the audit log is append-only (the database refuses UPDATE and
 *     DELETE on it, not just this code);
 *   - a public key hash and an application number are unique forever.
 * A store object is shared by all threads; the back end keeps one
 * connection per thread.
 */
#ifndef PD_STORE_H
#define PD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum pd_st {
	PD_OK = 0,
	PD_NOTFOUND,     /* no such row */
	PD_EXISTS,       /* a unique key is already taken */
	PD_FAIL          /* the database failed; see the log */
};

struct pd_person {
	char iin[13];
	char surname[128];
	char given_name[128];
	char patronymic[128];
	char phone[32];          /* "" when the registry has none */
};

struct pd_entity {
	char bin[13];
	char name[512];
	char head_iin[13];
};

struct pd_captcha {
	char id[40];
	char answer[16];
	char client[64];
	time_t expires;
	int checks_used;         /* registry checks made with it */
	bool solved;             /* answered right once */
	bool spent;              /* used by a submission or answered wrong */
};

/* Application states (stable strings in the API). */
enum pd_app_status {
	PD_APP_PENDING = 0,   /* submitted, waiting for the RA */
	PD_APP_ISSUED,        /* approved, certificates issued */
	PD_APP_INSTALLED,     /* holder proved possession */
	PD_APP_REJECTED,
	PD_APP_CANCELLED      /* not verified within 30 days */
};

struct pd_app {
	char number[16];
	char token_hash[65];       /* SHA-256 of the access token, hex */
	char subject_type[24];
	char iin[13];
	char bin[13];              /* "" for individuals */
	char email[256];
	char region[8];
	char city[96];
	char storage[24];
	char *auth_csr;            /* PEM, owned */
	char *sign_csr;
	enum pd_app_status status;
	time_t created, updated;
	char decided_by[128];      /* operator name, "" while pending */
	char reason[1024];         /* rejection reason, at most 1000 bytes */
	char install_nonce[48];    /* set at issuance */
	char client[64];           /* submitter address */
};

struct pd_cert {
	char serial[48];           /* lower-case hex */
	char number[16];
	char purpose[8];           /* "auth" / "sign" */
	char *pem;                 /* owned */
	time_t not_before, not_after;
	time_t revoked_at;         /* 0 when valid */
	int reason;                /* RFC 5280 CRLReason, -1 when valid */
};

struct pd_operator {
	long id;
	char name[128];
	char cert_sha256[65];
	char *cert_pem;            /* owned */
	time_t created;
	bool disabled;
};

struct pd_challenge {
	char id[40];
	char nonce[48];
	time_t expires;
	bool used;
};

struct pd_session {
	char token_hash[65];
	long operator_id;
	char operator_name[128];
	time_t expires;
};

struct pd_audit {
	long id;
	time_t at;
	char actor[160];
	char action[32];
	char number[16];
	char detail[1200];
};

/* A key holder's session in the personal account (bound to the IIN
 * of the AUTH certificate that signed in). */
struct pd_holder_session {
	char token_hash[65];
	char iin[13];
	char bin[13];              /* of the signing certificate's application */
	char subject_type[24];
	char serial[48];           /* the AUTH certificate that signed in */
	time_t expires;
};

struct pd_pref {
	char iin[13];
	char language[4];          /* "kk", "ru", "en" */
	bool notify_email, notify_sms;
};

/* A re-issuance: an application made online from a valid certificate. */
enum pd_head_state {
	PD_HEAD_NOT_NEEDED = 0,    /* individual or chairman: issued at once */
	PD_HEAD_AWAITING,          /* waits for the first head of the BIN */
	PD_HEAD_APPROVED,
	PD_HEAD_DECLINED
};
struct pd_reissue {
	char number[16];
	char prev_serial[48];
	char bin[13];
	enum pd_head_state head_state;
	char head_iin[13];         /* who decided, "" while awaiting */
	time_t decided;
};

/* Expiry notices: one row per certificate and kind. */
enum pd_notice_state { PD_NOTICE_PENDING = 0, PD_NOTICE_SENT, PD_NOTICE_SUPERSEDED,
                       PD_NOTICE_NO_ADDRESS };
struct pd_notice {
	char serial[48];
	char kind[16];             /* "email30", "email14", "email7", "sms10" */
	time_t created;
	int state;                 /* enum pd_notice_state */
	int attempts;
};

struct pd_app_filter {
	int status;                /* enum pd_app_status, or -1 for all */
	const char *query;         /* matches number, IIN, BIN, e-mail; NULL */
	int limit, offset;
};

struct pd_store;

typedef int (*pd_app_cb)(void *ctx, const struct pd_app *a);
typedef int (*pd_cert_cb)(void *ctx, const struct pd_cert *c);
typedef int (*pd_audit_cb)(void *ctx, const struct pd_audit *a);
typedef int (*pd_operator_cb)(void *ctx, const struct pd_operator *o);
/* A certificate with (the brief of) its application. */
typedef int (*pd_holder_cert_cb)(void *ctx, const struct pd_cert *c, const struct pd_app *a);

struct pd_store_ops {
	const char *name;
	void (*close)(struct pd_store *s);
	/* Creates the schema when missing (idempotent). */
	enum pd_st (*init_schema)(struct pd_store *s);

	enum pd_st (*begin)(struct pd_store *s);
	enum pd_st (*commit)(struct pd_store *s);
	void (*rollback)(struct pd_store *s);

	/* Registries (put = insert or replace). */
	enum pd_st (*person_get)(struct pd_store *s, const char *iin, struct pd_person *out);
	enum pd_st (*person_put)(struct pd_store *s, const struct pd_person *p);
	enum pd_st (*entity_get)(struct pd_store *s, const char *bin, struct pd_entity *out);
	enum pd_st (*entity_put)(struct pd_store *s, const struct pd_entity *e);
	enum pd_st (*registry_counts)(struct pd_store *s, long *people, long *entities);

	enum pd_st (*captcha_put)(struct pd_store *s, const struct pd_captcha *c);
	enum pd_st (*captcha_get)(struct pd_store *s, const char *id, struct pd_captcha *out);
	enum pd_st (*captcha_update)(struct pd_store *s, const struct pd_captcha *c);
	enum pd_st (*captcha_purge)(struct pd_store *s, time_t now);

	/* EXISTS when the number is taken. */
	enum pd_st (*app_insert)(struct pd_store *s, const struct pd_app *a);
	enum pd_st (*app_get)(struct pd_store *s, const char *number, struct pd_app *out);
	/* The same without the requests (auth_csr and sign_csr are ""):
	 * what status lookups need, a third of the bytes. */
	enum pd_st (*app_get_brief)(struct pd_store *s, const char *number, struct pd_app *out);
	enum pd_st (*app_update)(struct pd_store *s, const struct pd_app *a);
	enum pd_st (*app_list)(struct pd_store *s, const struct pd_app_filter *f,
	                       pd_app_cb cb, void *ctx);
	/* Lists pending applications created before `before`. */
	enum pd_st (*app_list_stale)(struct pd_store *s, time_t before,
	                             pd_app_cb cb, void *ctx);
	/* Claims a public key (SHA-256 of its SubjectPublicKeyInfo) for an
	 * application: EXISTS when another application already has it. */
	enum pd_st (*key_claim)(struct pd_store *s, const char *key_hash, const char *number);

	enum pd_st (*cert_insert)(struct pd_store *s, const struct pd_cert *c);
	enum pd_st (*cert_get)(struct pd_store *s, const char *serial, struct pd_cert *out);
	enum pd_st (*cert_list)(struct pd_store *s, const char *number, pd_cert_cb cb, void *ctx);
	enum pd_st (*cert_list_revoked)(struct pd_store *s, pd_cert_cb cb, void *ctx);
	enum pd_st (*cert_revoke)(struct pd_store *s, const char *serial, int reason, time_t when);

	enum pd_st (*operator_add)(struct pd_store *s, struct pd_operator *o);
	enum pd_st (*operator_by_fp)(struct pd_store *s, const char *sha256, struct pd_operator *out);
	enum pd_st (*operator_list)(struct pd_store *s, pd_operator_cb cb, void *ctx);

	enum pd_st (*challenge_put)(struct pd_store *s, const struct pd_challenge *c);
	/* Marks the challenge used; NOTFOUND if unknown, used or expired. */
	enum pd_st (*challenge_take)(struct pd_store *s, const char *id, time_t now,
	                             struct pd_challenge *out);

	enum pd_st (*session_put)(struct pd_store *s, const struct pd_session *ss);
	enum pd_st (*session_get)(struct pd_store *s, const char *token_hash, time_t now,
	                          struct pd_session *out);

	enum pd_st (*audit_append)(struct pd_store *s, const struct pd_audit *a);
	enum pd_st (*audit_list)(struct pd_store *s, const char *number, int limit,
	                         pd_audit_cb cb, void *ctx);

	/* Personal account. */
	enum pd_st (*holder_session_put)(struct pd_store *s, const struct pd_holder_session *ss);
	/* Returns the session even when expired: the caller compares. */
	enum pd_st (*holder_session_get)(struct pd_store *s, const char *token_hash,
	                                 struct pd_holder_session *out);
	enum pd_st (*holder_session_delete)(struct pd_store *s, const char *token_hash);
	/* NOTFOUND: the defaults apply. */
	enum pd_st (*pref_get)(struct pd_store *s, const char *iin, struct pd_pref *out);
	enum pd_st (*pref_put)(struct pd_store *s, const struct pd_pref *p);
	/* Every certificate of applications with this IIN, newest first. */
	enum pd_st (*cert_list_iin)(struct pd_store *s, const char *iin, pd_holder_cert_cb cb,
	                            void *ctx);
	/* Valid (not revoked) certificates with from < not_after <= to. */
	enum pd_st (*cert_list_expiring)(struct pd_store *s, time_t from, time_t to,
	                                 pd_holder_cert_cb cb, void *ctx);
	/* Applications of an IIN, newest first (requests are "" ). */
	enum pd_st (*app_list_iin)(struct pd_store *s, const char *iin, pd_app_cb cb, void *ctx);
	enum pd_st (*reissue_put)(struct pd_store *s, const struct pd_reissue *r);  /* upsert */
	enum pd_st (*reissue_get)(struct pd_store *s, const char *number, struct pd_reissue *out);
	/* Applications of re-issuances awaiting the first head of bin. */
	enum pd_st (*reissue_list_awaiting)(struct pd_store *s, const char *bin, pd_app_cb cb,
	                                    void *ctx);
	enum pd_st (*notice_get)(struct pd_store *s, const char *serial, const char *kind,
	                         struct pd_notice *out);
	enum pd_st (*notice_put)(struct pd_store *s, const struct pd_notice *n);   /* upsert */

	/* Small named values: CRL number, time of the last CRL. */
	enum pd_st (*meta_get)(struct pd_store *s, const char *key, char *buf, size_t size);
	enum pd_st (*meta_set)(struct pd_store *s, const char *key, const char *value);
};

struct pd_store {
	const struct pd_store_ops *ops;
	void *priv;
};

/* The SQLite store: one file in WAL mode.  full_sync: synchronous=FULL,
 * every commit is on disk before the answer (survives power loss);
 * otherwise synchronous=NORMAL, commits survive a crash of the process
 * (kill -9) but the last ones may be lost with the machine's power. */
struct pd_store *pd_store_sqlite_open(const char *path, bool full_sync);

void pd_app_clear(struct pd_app *a);
void pd_cert_clear(struct pd_cert *c);
void pd_operator_clear(struct pd_operator *o);
const char *pd_app_status_name(enum pd_app_status st);
int pd_app_status_parse(const char *name);   /* -1 when unknown */

#endif
