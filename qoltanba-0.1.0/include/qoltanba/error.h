/* qoltanba engine: error codes, grouped by layer.
 *
 * Every engine function that can fail returns a qt_err.  The code says
 * what kind of failure it was (a range per layer, as in OpenSC's
 * errors.h); qt_error_detail() gives the detail of the most recent
 * failure in this thread (a file name, an OpenSSL reason, a field), and
 * qt_strerror() turns a code into a translated sentence for the user.
 */
#ifndef QOLTANBA_ERROR_H
#define QOLTANBA_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum qt_err {
	QT_OK = 0,

	/* General, 1..99. */
	QT_ERR_NOMEM = 1,
	QT_ERR_INVALID_ARG,
	QT_ERR_IO,              /* read or write failed */
	QT_ERR_NOSPACE,         /* disk full or quota */
	QT_ERR_PERMISSION,      /* permission denied, read-only */
	QT_ERR_NOT_FOUND,       /* no such file or object */
	QT_ERR_EXISTS,          /* refuses to overwrite */
	QT_ERR_INTERNAL,
	QT_ERR_CANCELLED,       /* the user cancelled */
	QT_ERR_CONFIG,          /* bad configuration */

	/* Input validation, 100..199. */
	QT_ERR_IDNUM_LENGTH = 100,  /* IIN/BIN is not 12 digits */
	QT_ERR_IDNUM_DIGITS,        /* contains something other than digits */
	QT_ERR_IDNUM_CHECKSUM,      /* check digit does not match */
	QT_ERR_IDNUM_DATE,          /* birth/registration date impossible */
	QT_ERR_IDNUM_CENTURY,       /* IIN century/sex digit not 1-6 */
	QT_ERR_IDNUM_TYPE,          /* BIN type digit not 4, 5 or 6 */
	QT_ERR_IDNUM_UNIT,          /* BIN unit digit not 0-3 */
	QT_ERR_PASSWORD_SHORT,      /* fewer than 6 characters */
	QT_ERR_PASSWORD_LONG,       /* more than 32 characters */
	QT_ERR_PASSWORD_NO_LETTER,  /* no Latin letter */
	QT_ERR_PASSWORD_NO_DIGIT,   /* no digit */
	QT_ERR_PASSWORD_CHAR,       /* a character outside the allowed set */
	QT_ERR_PASSWORD_MISMATCH,   /* confirmation differs */
	QT_ERR_EMAIL,               /* not an e-mail address */

	/* Crypto, 200..299. */
	QT_ERR_CRYPTO = 200,        /* an OpenSSL call failed */
	QT_ERR_KEYGEN,
	QT_ERR_UNSUPPORTED_ALG,     /* key type we cannot use (GOST) */
	QT_ERR_BAD_SIGNATURE,
	QT_ERR_WEAK_KEY,

	/* Key stores and certificates, 300..399. */
	QT_ERR_BAD_PASSWORD = 300,  /* MAC or decryption failed */
	QT_ERR_NOT_KEYSTORE,        /* neither a key store nor a certificate */
	QT_ERR_NO_KEY,              /* key store without a private key */
	QT_ERR_NO_CERT,             /* key store without a certificate */
	QT_ERR_KEY_MISMATCH,        /* certificate and key do not match */
	QT_ERR_CERT_EXPIRED,
	QT_ERR_CERT_NOT_YET_VALID,
	QT_ERR_CERT_REVOKED,
	QT_ERR_PENDING_NOT_FOUND,   /* no pending key for this certificate */

	/* Tokens, 400..499. */
	QT_ERR_NO_READER = 400,
	QT_ERR_NO_CARD,
	QT_ERR_PCSC_DENIED,         /* pcscd refused (polkit over SSH) */
	QT_ERR_PCSC,                /* other PC/SC failure */
	QT_ERR_MODULE,              /* PKCS#11 module missing or failing */
	QT_ERR_TOKEN_NOT_FOUND,
	QT_ERR_PIN_INCORRECT,
	QT_ERR_PIN_LOCKED,
	QT_ERR_PIN_POLICY,          /* new PIN rejected by the token */
	QT_ERR_TOKEN_REMOVED,
	QT_ERR_TOKEN,               /* other PKCS#11 failure */

	/* Network, 500..599. */
	QT_ERR_NETWORK = 500,       /* cannot connect */
	QT_ERR_TIMEOUT,
	QT_ERR_TLS,                 /* certificate verification failed */

	/* Portal, 600..699. */
	QT_ERR_PORTAL = 600,        /* the portal answered with an error */
	QT_ERR_PORTAL_REPLY,        /* malformed reply */
	QT_ERR_PORTAL_NOT_FOUND,    /* unknown application number */
	QT_ERR_PORTAL_DENIED,       /* not authorised */
	QT_ERR_PORTAL_CONFLICT,     /* already done / wrong state */
	QT_ERR_CAPTCHA,
	QT_ERR_REGISTRY             /* not found in the national registry */
} qt_err;

/* A translated sentence that says what went wrong and, where it can,
 * how to fix it.  Never NULL. */
const char *qt_strerror(qt_err code);

/* Detail of the last failure in this thread ("" when none). */
const char *qt_error_detail(void);

/* Records a failure: code plus a printf-style detail.  Returns code so
 * that callers can write `return qt_error(QT_ERR_IO, "%s: %s", ...)`. */
qt_err qt_error(qt_err code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like qt_error(), and appends the reason of the newest OpenSSL error
 * (then clears OpenSSL's error queue). */
qt_err qt_error_ssl(qt_err code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Maps errno to a code (ENOSPC -> QT_ERR_NOSPACE, EACCES -> ...). */
qt_err qt_err_from_errno(int errnum);

void qt_error_clear(void);

#ifdef __cplusplus
}
#endif
#endif
