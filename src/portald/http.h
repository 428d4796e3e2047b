/* qoltanbad's HTTP layer: one pd_req per request, JSON replies and
 * errors, and strict JSON bodies. */
#ifndef PD_HTTP_H
#define PD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include <time.h>
#include <qoltanba/cert.h>

#include "portald/pd.h"

struct MHD_Connection;

struct pd_req {
	struct pd_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	char path[512];
	char client[64];
	char *body;
	size_t body_len;
	bool too_big;
	bool replied;
	unsigned status;
	char code[48];
	char extra[160];             /* key=value for the log line */
	double t0;
	/* Writes run on the worker pool while the connection is suspended;
	 * their reply waits here until MHD calls us back. */
	bool deferred;
	struct MHD_Response *resp;
	struct pd_req *next;         /* worker queue */
};

/* Replies; each may be called once per request. */
void pd_reply(struct pd_req *r, unsigned status, const char *ctype,
              const void *data, size_t len, const char *cache);
void pd_reply_json(struct pd_req *r, unsigned status, cJSON *obj);  /* frees obj */
void pd_reply_error(struct pd_req *r, unsigned status, const char *code,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Forgets a reply not yet sent (a deferred one), so that another can
 * be given: used when the answer turns out not to be durable. */
void pd_reply_reset(struct pd_req *r);

/* A header or query argument, or NULL. */
const char *pd_header(struct pd_req *r, const char *name);
const char *pd_query(struct pd_req *r, const char *name);

enum pd_jtype { PD_JSTR = 1, PD_JINT, PD_JBOOL };
struct pd_field {
	const char *name;
	enum pd_jtype type;
	bool required;
};

/* Parses the body as one JSON object whose members are all in fields
 * (NULL-terminated), of the right types, required ones present, none
 * twice.  On failure replies with the error and returns NULL. */
cJSON *pd_body_json(struct pd_req *r, const struct pd_field *fields);
/* A member's string ("" when absent). */
const char *pd_jstr(const cJSON *o, const char *name);

/* Routing (api.c). */
void pd_api_dispatch(struct pd_req *r);

/* The personal account (account.c) and what it shares with api.c. */
void pd_account_dispatch(struct pd_req *r);
/* The IIN of a valid account session in the Authorization header: 0,
 * or -1 (no reply is made). */
int pd_account_session_iin(struct pd_req *r, char iin[13]);
void pd_api_internal(struct pd_req *r);
void pd_api_add_time(cJSON *o, const char *name, time_t t);
/* "full_name": surname, given name and, when there is one, patronymic. */
void pd_api_add_full_name(cJSON *o, const struct pd_person *p);
bool pd_api_empty_body(struct pd_req *r);
struct pd_challenge;
/* A stored sign-in challenge and the start of its 201 answer (api.c). */
cJSON *pd_api_challenge(struct pd_req *r, const char *prefix, struct pd_challenge *c);
/* The start of POST .../session, a sign-in with a challenge: reads the
 * body (challenge_id, certificate, signature), spends the challenge and
 * reads the certificate.  0 with *b, *ch and *x set (the caller frees b
 * and x), or -1 after a reply. */
int pd_api_signin(struct pd_req *r, time_t now, cJSON **b, struct pd_challenge *ch, X509 **x);
bool pd_api_email_ok(const char *e);
bool pd_api_sig_ok(const char *cert_pem, const char *b64, const char *msg);
struct pd_storage_info;
/* What an application and a re-issuance check alike.  The catalog entry
 * of the body's "storage", which must allow a legal entity when legal:
 * NULL after a reply. */
const struct pd_storage_info *pd_api_storage(struct pd_req *r, const cJSON *b, bool legal);
/* The body's auth_csr and sign_csr, checked for storage, with their key
 * ids, which must differ: 0, or -1 after a reply. */
int pd_api_csr_pair(struct pd_req *r, const cJSON *b, enum qt_storage storage,
                    char auth_kid[41], char sign_kid[41]);
/* Inserts a (in the caller's transaction) under a new application
 * number, drawn again while it is taken, ten draws at most: app_insert's
 * answer, or PD_FAIL when no number could be drawn. */
enum pd_st pd_api_app_insert(struct pd_store *s, struct pd_app *a);
cJSON *pd_api_app_json(struct pd_server *srv, const struct pd_app *a, bool holder);
void pd_api_method_not_allowed(struct pd_req *r);
/* Splits a path after prefix into an id (its next segment, which must be
 * 1..idsize-1 bytes) and the rest: "/api/v1/applications/123/install"
 * after "/api/v1/applications/" gives "123" and "/install". */
bool pd_api_under(const char *path, const char *prefix, char *id, size_t idsize,
                  const char **rest);

/* Starts serving; returns when SIGTERM or SIGINT arrives (http.c). */
int pd_serve(struct pd_server *srv, const char *listen, const char *port_file);

/* Background duties (api.c): cancel stale applications and refresh the
 * CRLs; run at start, then the caller repeats it. */
void pd_maintenance(struct pd_server *srv, bool startup);
int pd_crl_refresh(struct pd_server *srv);

#endif
