/* Salted hashes of short secrets an administrator stores in a
 * configuration file (the kiosk's operator code):
 *
 *     pbkdf2-sha256$ITERATIONS$SALT$HASH
 *
 * SALT (16 bytes) and HASH (32 bytes) in lower-case hex.  The format
 * names its algorithm so that a stronger one can be added later. */
#ifndef QOLTANBA_PASSHASH_H
#define QOLTANBA_PASSHASH_H

#include <stddef.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Iterations of new hashes (OWASP 2023 for PBKDF2-HMAC-SHA256). */
#define QT_PASSHASH_ITER 600000
/* A stored hash with fewer iterations is refused as malformed. */
#define QT_PASSHASH_ITER_MIN 1000
#define QT_PASSHASH_MAX 160

/* Hashes secret with a fresh random salt into out (at least
 * QT_PASSHASH_MAX bytes).  iter 0: QT_PASSHASH_ITER. */
qt_err qt_passhash_make(const char *secret, unsigned iter, char *out, size_t size);
/* QT_OK when secret matches; QT_ERR_BAD_PASSWORD when it does not;
 * QT_ERR_CONFIG when stored is not a hash in the format above.  The
 * comparison takes the same time wherever the hashes differ.  secret
 * NULL: only checks that stored is well-formed (QT_OK or QT_ERR_CONFIG). */
qt_err qt_passhash_check(const char *secret, const char *stored);

#ifdef __cplusplus
}
#endif
#endif
