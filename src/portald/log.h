/* qoltanbad's structured log: one line per event, key=value pairs, to
 * stderr or to the log file of the configuration.  Values with spaces
 * or quotes are quoted.  Secrets (tokens, passwords, keys, captcha
 * answers) are never passed here. */
#ifndef PD_LOG_H
#define PD_LOG_H

#include <stdio.h>

/* Opens path for appending (NULL: stderr).  Returns 0 or -1. */
int pd_log_open(const char *path);
void pd_log_close(void);
/* Opens the log file again (after logrotate moved it; SIGHUP). */
int pd_log_reopen(void);

/* One request: method, path (without the query), status, duration,
 * client address, error code ("" when none), and an extra key=value
 * string (may be NULL). */
void pd_log_request(const char *method, const char *path, unsigned status,
                    double ms, const char *client, const char *code,
                    const char *extra);

void pd_log_info(const char *event, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pd_log_error(const char *event, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
