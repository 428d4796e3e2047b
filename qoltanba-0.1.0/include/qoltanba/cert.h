/* Certificates: what a person needs to know about one, read from the
 * NCA profile (domain.md section 2). */
#ifndef QOLTANBA_CERT_H
#define QOLTANBA_CERT_H

#include <stdbool.h>
#include <time.h>
#include <openssl/types.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

enum qt_purpose { QT_PURPOSE_UNKNOWN = 0, QT_PURPOSE_AUTH, QT_PURPOSE_SIGN };

/* Role bits, from the EKU role OIDs. */
enum qt_role {
	QT_ROLE_INDIVIDUAL    = 1u << 0,
	QT_ROLE_LEGAL_ENTITY  = 1u << 1,
	QT_ROLE_FIRST_HEAD    = 1u << 2,
	QT_ROLE_SIGNING_RIGHT = 1u << 3,
	QT_ROLE_FINANCIAL     = 1u << 4,
	QT_ROLE_HR            = 1u << 5,
	QT_ROLE_EMPLOYEE      = 1u << 6
};
#define QT_ROLE_COUNT 7

/* Where the key lives (extension 1.2.398.3.3.5, or what we know). */
enum qt_storage {
	QT_STORAGE_UNKNOWN = 0,
	QT_STORAGE_PKCS12,
	QT_STORAGE_IDCARD,
	QT_STORAGE_KAZTOKEN,
	QT_STORAGE_ETOKEN72K,
	QT_STORAGE_ETOKEN5110,
	QT_STORAGE_JACARTA,
	QT_STORAGE_AKEY
};

enum qt_keyalg {
	QT_KEYALG_UNKNOWN = 0,
	QT_KEYALG_RSA,
	QT_KEYALG_EC,
	QT_KEYALG_GOST2004,      /* GOST 34.310-2004 */
	QT_KEYALG_GOST2015_512   /* GOST 34.10-2015, 512 bit */
};

/* All strings are UTF-8 and NUL-terminated; empty when absent. */
struct qt_cert_summary {
	char common_name[256];
	char surname[128];
	char given_name[128];      /* G: the patronymic in NCA certificates */
	char iin[16];              /* digits only, without the "IIN" prefix */
	char bin[16];              /* digits only, without the "BIN" prefix */
	char organization[256];
	char email[256];           /* from subjectAltName rfc822Name */
	char issuer[256];          /* issuer's common name */
	char serial[80];           /* lower-case hex */
	char keyid[41];            /* SKI, 40 lower-case hex */
	char key_algorithm[48];    /* "RSA 2048", "EC P-256", "GOST 34.310-2004" */
	enum qt_keyalg key_alg;
	int key_bits;
	unsigned roles;            /* enum qt_role bits */
	enum qt_purpose purpose;
	enum qt_storage storage;   /* QT_STORAGE_UNKNOWN when not stated */
	time_t not_before, not_after;
	long days_left;            /* whole days until not_after; < 0 after */
	bool expired;
	bool not_yet_valid;
	bool signing_supported;    /* false for GOST and unknown key types */
};

/* Fills out from cert, with validity judged at now.  Works for
 * certificates whose public key OpenSSL cannot decode (GOST). */
qt_err qt_cert_summarize(X509 *cert, time_t now, struct qt_cert_summary *out);

/* Loads one certificate from a file: DER or PEM, .cer/.crt/.pem/.der.
 * QT_ERR_NOT_KEYSTORE when the file holds no certificate. */
qt_err qt_cert_load(const char *path, X509 **out);

/* Stable lower-case names for JSON and scripts. */
const char *qt_purpose_name(enum qt_purpose p);     /* "auth", "sign", "unknown" */
const char *qt_role_name(enum qt_role r);           /* "individual", "first_head", ... */
const char *qt_storage_name(enum qt_storage s);     /* "pkcs12", "kaztoken", ... */
/* Translated names for people. */
const char *qt_purpose_label(enum qt_purpose p);
const char *qt_role_label(enum qt_role r);
const char *qt_storage_label(enum qt_storage s);

/* keyid of a public key: SHA-1 of the subjectPublicKey BIT STRING
 * (RFC 5280 4.2.1.2 method 1), 40 lower-case hex.  This is what NCA
 * puts in the SKI, the file name, friendlyName and localKeyID. */
qt_err qt_keyid_of_key(const EVP_PKEY *key, char out[41]);

/* ISO 8601 UTC, "2021-01-27T05:43:20Z". */
void qt_time_iso8601(time_t t, char out[32]);

#ifdef __cplusplus
}
#endif
#endif
