/* What the personal-account client (account.c) needs from the portal
 * client (portal.c): its one exchange function, with the session's
 * bearer token.  Not part of the engine's API. */
#ifndef QT_PORTAL_INTERNAL_H
#define QT_PORTAL_INTERNAL_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <qoltanba/portal.h>

/* method "GET"/"POST"; body NULL sends {} for POST.  The bearer token
 * set below goes with it.  *out: the reply object (cJSON_Delete). */
qt_err qt_portal_call_(qt_portal *p, const char *method, const char *path, const cJSON *body,
                       bool idempotent, cJSON **out);
/* NULL clears it (wiped). */
void qt_portal_set_bearer_(qt_portal *p, const char *token);

/* The strict readers and the application parser of portal.c. */
qt_err qt_portal_parse_app_(const cJSON *j, struct qt_app_info *out);
qt_err qt_portal_jstr_(const cJSON *o, const char *name, char *dst, size_t size, bool required);
qt_err qt_portal_jtime_(const cJSON *o, const char *name, time_t *dst, bool required);
qt_err qt_portal_jbool_(const cJSON *o, const char *name, bool *dst, bool required);
/* A SHA-256 signature of text (OPENSSL_free *sig); "what" names it in
 * the error.  The RA and account sign-ins, enroll.c's proof of
 * possession. */
qt_err qt_portal_sign_text_(EVP_PKEY *key, const char *text, unsigned char **sig, size_t *len,
                            const char *what);
/* Base64 of n bytes (free()); NULL when memory runs out. */
char *qt_portal_b64_(const unsigned char *d, size_t n);
/* The second step of the RA and account sign-ins: *out is
 * {challenge_id, certificate (cert as PEM), signature (sig64)}
 * (cJSON_Delete). */
qt_err qt_portal_sign_in_body_(const char *challenge_id, X509 *cert, const char *sig64,
                               cJSON **out);

/* From enroll.c: the two requests, the storage id and the e-mail of a
 * journal record's application (malloc()ed; email may be NULL). */
qt_err qt_enroll_request_fields_(const char *journal, const char *id, char **auth_csr,
                                 char **sign_csr, char **storage, char **email);
#endif
