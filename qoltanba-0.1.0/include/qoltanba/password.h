/* The NCA key password policy (domain.md section 1):
 * 6 to 32 characters; at least one Latin letter and one digit; only
 * Latin letters, digits and #$^+=!*()@%&_?-. are allowed. */
#ifndef QOLTANBA_PASSWORD_H
#define QOLTANBA_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QT_PASSWORD_MIN 6
#define QT_PASSWORD_MAX 32
#define QT_PASSWORD_SPECIALS "#$^+=!*()@%&_?-."

/* QT_OK, or the code of the first rule the password breaks
 * (QT_ERR_PASSWORD_SHORT, _LONG, _CHAR, _NO_LETTER, _NO_DIGIT).
 * Checking order is the order a user fixes things in while typing. */
qt_err qt_password_check(const char *password);

/* The whole policy as one translated sentence, for forms. */
const char *qt_password_policy_text(void);

#ifdef __cplusplus
}
#endif
#endif
