/* The RA's decisions, shared by the HTTP API and the "qoltanbad ra"
 * commands.  Each runs in one write transaction and appends to the
 * audit log in that transaction: a decision is recorded exactly when
 * it takes effect. */
#ifndef PD_SERVICE_H
#define PD_SERVICE_H

#include "portald/pd.h"

struct pd_result {
	unsigned http;            /* 200 on success, else the error status */
	const char *code;         /* stable error code, NULL on success */
	char msg[256];
};

int pd_svc_approve(struct pd_server *srv, const char *number, const char *actor,
                   struct pd_result *res);
int pd_svc_reject(struct pd_server *srv, const char *number, const char *actor,
                  const char *reason, struct pd_result *res);
/* Revokes one certificate; refreshes the CRL afterwards. */
int pd_svc_revoke(struct pd_server *srv, const char *serial, int reason,
                  const char *actor, struct pd_result *res);
/* Cancels pending applications older than PD_VERIFY_DAYS; returns how
 * many, or -1. */
int pd_svc_cancel_stale(struct pd_server *srv);
/* True when a pending application is past its deadline at now. */
bool pd_app_overdue(const struct pd_app *a, time_t now);
time_t pd_app_deadline(const struct pd_app *a);

/* Appends one audit record (inside the caller's transaction). */
enum pd_st pd_audit(struct pd_server *srv, const char *actor, const char *action,
                    const char *number, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
