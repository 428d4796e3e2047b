/* Key pairs and PKCS#10 requests for applications. */
#ifndef QOLTANBA_KEYGEN_H
#define QOLTANBA_KEYGEN_H

#include <openssl/types.h>
#include <openssl/x509.h>
#include <qoltanba/cert.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

enum qt_keytype {
	QT_KEY_RSA2048 = 0,   /* default: what NCA issues (AUTH_RSA256, RSA256) */
	QT_KEY_EC_P256
};

/* Generates a key pair in software. */
qt_err qt_keygen(enum qt_keytype type, EVP_PKEY **out);

/* Parses "rsa2048" / "rsa" / "ec" / "p256" / "ecdsa-p256". */
qt_err qt_keytype_parse(const char *name, enum qt_keytype *out);
const char *qt_keytype_name(enum qt_keytype type);

/* What goes into a request.  Strings may be NULL or "" when absent.
 * The CA builds the real subject from the registry; the request's
 * subject is informative and follows NCA's RDN order. */
struct qt_csr_params {
	const char *common_name;   /* "SURNAME GIVENNAME" */
	const char *surname;
	const char *given_name;    /* patronymic (G) */
	const char *iin;           /* 12 digits */
	const char *bin;           /* 12 digits, legal entities */
	const char *organization;
	const char *email;         /* goes in subjectAltName rfc822Name */
	enum qt_purpose purpose;   /* AUTH or SIGN: requested key usage */
	enum qt_storage storage;   /* 1.2.398.3.3.5 extension */
};

/* Builds and signs (SHA-256) a PKCS#10 request with an extensionRequest
 * holding subjectAltName (when email is set), keyUsage for the purpose,
 * and the key-storage extension 1.2.398.3.3.5. */
qt_err qt_csr_create(EVP_PKEY *key, const struct qt_csr_params *p, X509_REQ **out);

/* PEM text of a request; free() the result. */
qt_err qt_csr_pem(X509_REQ *req, char **out);

/* Reads the key-storage extension of a request (UNKNOWN when absent). */
enum qt_storage qt_csr_storage(X509_REQ *req);

/* OID <-> storage of the 1.2.398.3.3.5 extension. */
const char *qt_storage_oid(enum qt_storage s);
enum qt_storage qt_storage_from_oid(const char *oid);
/* The non-critical 1.2.398.3.3.5 extension naming storage s, for a
 * request or a certificate (X509_EXTENSION_free); NULL when s has no
 * OID or OpenSSL fails. */
X509_EXTENSION *qt_storage_extension(enum qt_storage s);

#ifdef __cplusplus
}
#endif
#endif
