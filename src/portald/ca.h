/* qoltanbad's certification authority: a root CA and an issuing CA of
 * this portal's own, issuing AUTH and SIGN certificates with NCA RK's
 * profiles (domain.md section 2), CRLs and OCSP answers.
 *
 * Keys and sizes.  The root is RSA-4096, valid 20 years: it signs a few
 * objects in its life (the issuing CA, the root CRL) and anchors all of
 * them, so it gets the margin.  The issuing CA is RSA-2048, valid 10
 * years: the certificates it signs carry RSA-2048 keys (NCA's RSA
 * profile), so a larger issuing key would not make a chain stronger
 * than its leaf, while it would cost about three times the signing
 * time on every certificate, CRL and OCSP answer.  All signatures are
 * sha256WithRSAEncryption.
 *
 * Files, under DIR/ca/ (the folder is 0700):
 *   root.key, issuing.key   PKCS#8 PEM, unencrypted, mode 0600, written
 *                           only by qt_atomic_write into this folder;
 *   root.crt, issuing.crt   PEM, mode 0644.
 * pd_ca_create() refuses to run when DIR/ca exists: a CA is never
 * overwritten.  When it fails it removes what it made; only a crash can
 * leave a partial DIR/ca (pd_ca_open() then names the missing file):
 * remove DIR/ca and run it again.
 *
 * URLs.  Every URL in a certificate is base_url followed by one of the
 * paths below; the daemon must serve them (plain HTTP GET, no
 * authentication, cacheable):
 *   PD_CA_PATH_CRL          the issuing CA's CRL, DER, from pd_ca_crl()
 *                           (Content-Type application/pkix-crl);
 *   PD_CA_PATH_ROOT_CRL     the root's CRL (ARL), DER, pd_ca_root_crl(),
 *                           named in the issuing CA's certificate;
 *   PD_CA_PATH_CA_ISSUERS   the chain (issuing + root) as a certs-only
 *                           CMS, DER, from pd_ca_chain_p7c()
 *                           (application/pkcs7-mime).  RFC 5280 4.2.2.1
 *                           allows a DER certificate or this form behind
 *                           caIssuers; PEM is not allowed there, so the
 *                           PEM chain has its own API path below;
 *   PD_CA_PATH_CHAIN_PEM    the same chain as PEM, pd_ca_chain_pem(),
 *                           for people and scripts (application/x-pem-file);
 *   PD_CA_PATH_OCSP         OCSP over HTTP POST (RFC 6960 A.1, request
 *                           application/ocsp-request, answer
 *                           application/ocsp-response), pd_ca_ocsp();
 *   PD_CA_PATH_CPS          the practice statement named in the
 *                           certificate policies (text/plain).
 * base_url is given without a trailing slash ("http://127.0.0.1:8080");
 * a trailing slash is dropped.  It is written into the issuing CA's
 * certificate at creation and into every certificate at issue time.
 *
 * Threads.  After pd_ca_open() a struct pd_ca is read-only: pd_ca_issue,
 * pd_ca_crl, pd_ca_ocsp and the others may run in several threads at
 * once on the same handle.
 *
 * Errors are qt_err codes with a detail (qt_error_detail()).  Buffers
 * returned through pointers are malloc()ed: free() them.
 */
#ifndef PORTALD_CA_H
#define PORTALD_CA_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <openssl/types.h>
#include <qoltanba/cert.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PD_CA_PATH_CRL          "/crl/qoltanbad.crl"
#define PD_CA_PATH_ROOT_CRL     "/crl/qoltanbad-root.crl"
#define PD_CA_PATH_CA_ISSUERS   "/ca/chain.p7c"
#define PD_CA_PATH_CHAIN_PEM    "/api/v1/ca/chain.pem"
#define PD_CA_PATH_OCSP         "/ocsp"
#define PD_CA_PATH_CPS          "/cps"

#define PD_CA_SERIAL_LEN        20              /* bytes of a serial */
#define PD_CA_CRL_PERIOD        (24L * 60 * 60) /* nextUpdate - thisUpdate */
#define PD_CA_DAYS_FILE         365             /* PKCS#12 storage */
#define PD_CA_DAYS_TOKEN        1095            /* any token or ID card */

struct pd_ca;

/* Creates DIR/ca with a new root and issuing CA.  portal_name marks the
 * CA names as this portal's own (1..64 bytes of UTF-8):
 *   root:    C=KZ, O=qoltanbad,
 *            CN=НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) qoltanbad <name>
 *   issuing: C=KZ, O=qoltanbad,
 *            CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) qoltanbad <name>
 * QT_ERR_EXISTS when DIR/ca exists. */
qt_err pd_ca_create(const char *dir, const char *portal_name,
                    const char *base_url, time_t now);

/* Loads DIR/ca: both keys, both certificates; checks that each key
 * matches its certificate and that the issuing CA verifies under the
 * root. */
qt_err pd_ca_open(const char *dir, const char *base_url, struct pd_ca **out);
void pd_ca_free(struct pd_ca *ca);

/* Borrowed pointers, valid until pd_ca_free(). */
X509 *pd_ca_root_cert(const struct pd_ca *ca);
X509 *pd_ca_issuing_cert(const struct pd_ca *ca);

/* "SHA256:AB:CD:..." of the root certificate, for operators to compare
 * out of band. */
void pd_ca_root_fingerprint(const struct pd_ca *ca, char out[110]);

/* Who a certificate is for.  The daemon fills it from the registries,
 * never from the request.  surname, given_name and iin are required;
 * bin and organization are required for legal-entity types and must be
 * empty for PD_INDIVIDUAL; patronymic and email may be NULL or "".
 * Names are upper-cased (Latin, Cyrillic and Kazakh letters) as NCA
 * writes them; the organisation name is kept as given.  Each string is
 * at most 255 bytes of UTF-8 without control characters. */
struct pd_subject {
	const char *surname;
	const char *given_name;
	const char *patronymic;    /* goes in G (givenName), as NCA does */
	const char *iin;           /* 12 digits */
	const char *bin;           /* 12 digits */
	const char *organization;
	const char *email;         /* subjectAltName rfc822Name */
};

enum pd_subject_type {
	PD_INDIVIDUAL = 0,         /* 1.2.398.3.3.4.1.1 */
	PD_CHAIRMAN,               /* 1.2.398.3.3.4.1.2 + .2.1 first head */
	PD_SIGNING_RIGHT,          /* 1.2.398.3.3.4.1.2 + .2.2 */
	PD_FINANCIAL,              /* 1.2.398.3.3.4.1.2 + .2.3 */
	PD_HR,                     /* 1.2.398.3.3.4.1.2 + .2.4 */
	PD_EMPLOYEE                /* 1.2.398.3.3.4.1.2 + .2.5 */
};
#define PD_SUBJECT_TYPE_COUNT 6

/* Stable names for JSON: "individual", "chairman", "signing_right",
 * "financial", "hr", "employee". */
const char *pd_subject_type_name(enum pd_subject_type t);
bool pd_subject_type_parse(const char *name, enum pd_subject_type *out);
bool pd_subject_type_is_legal(enum pd_subject_type t);

/* Checks a PKCS#10 request as the API receives it: the key is RSA of
 * 2048..8192 bits with an odd public exponent >= 65537, or EC on P-256;
 * the request is signed with SHA-256/384/512 (or SHA-3, or RSA-PSS), and
 * its signature verifies with that key.  On failure err (if not NULL)
 * gets a stable code for the JSON error:
 *   "bad_request"      no public key, or one OpenSSL cannot decode
 *   "unsupported_key"  another algorithm or curve, RSA > 8192 bits
 *   "weak_key"         RSA < 2048 bits or a small/even exponent
 *   "weak_signature"   signed with SHA-1, MD5 or another weak hash
 *   "bad_signature"    the request's signature does not verify
 * and the return value is QT_ERR_INVALID_ARG, QT_ERR_UNSUPPORTED_ALG,
 * QT_ERR_WEAK_KEY, QT_ERR_BAD_SIGNATURE (both signature codes)
 * respectively.  Codes are at most 31 bytes. */
qt_err pd_ca_check_request(X509_REQ *req, char *err, size_t errlen);

/* The keyid of the request's public key: SHA-1 of its BIT STRING, 40
 * lower-case hex; it will be the certificate's SKI and the key file's
 * name.  Store it with a UNIQUE constraint to refuse a key already used
 * in another application. */
qt_err pd_ca_request_keyid(X509_REQ *req, char out[41]);

/* Validity of a certificate on this storage, in days: 365 for PKCS#12,
 * 1095 for tokens and the ID card, 0 for QT_STORAGE_UNKNOWN. */
int pd_ca_validity_days(enum qt_storage storage);

/* Issues one certificate (RFC 5280 v3, domain.md section 2):
 *   serial    20 random bytes, first byte 0x01..0x7f (positive, full length)
 *   subject   CN="SURNAME GIVENNAME", SURNAME, SERIALNUMBER="IIN"+iin
 *             (PrintableString), C=KZ (PrintableString), [O, OU="BIN"+bin],
 *             [G=patronymic]; the others UTF8String
 *   validity  now .. now + pd_ca_validity_days(storage)
 *   keyUsage  critical; AUTH: digitalSignature, keyEncipherment (EC keys:
 *             digitalSignature, keyAgreement, as RFC 5480 section 3
 *             forbids keyEncipherment for them); SIGN: digitalSignature,
 *             nonRepudiation
 *   EKU       clientAuth (AUTH) or emailProtection (SIGN), then the role
 *             OIDs of the subject type
 *   policies  1.2.398.3.3.2.1-.4 by purpose and subject type, with the
 *             CPS URI base_url + PD_CA_PATH_CPS
 *   AKI, SKI (SHA-1 of the key's BIT STRING), CDP, AIA (caIssuers, OCSP),
 *   subjectAltName rfc822Name when the subject has an e-mail, and the
 *   key-storage extension 1.2.398.3.3.5.
 * storage is the application's; QT_STORAGE_UNKNOWN means "take it from
 * the request's 1.2.398.3.3.5 extension"; it is an error when neither
 * says.  When both say and differ, the application wins (the daemon
 * should compare them with qt_csr_storage() at submission).  Nothing
 * else is taken from the request but its public key: its subject and
 * its other extensions are ignored.  The request is checked with
 * pd_ca_check_request() first.  QT_ERR_CONFIG when the issuing CA
 * expires before the certificate would, or now is before the issuing
 * CA's notBefore (a wrong clock).  Thread-safe.  The returned X509 has
 * been parsed back from the signed DER: i2d_X509() gives exactly what
 * was signed and X509_get0_pubkey() works on it. */
qt_err pd_ca_issue(struct pd_ca *ca, X509_REQ *req,
                   const struct pd_subject *subject, enum pd_subject_type type,
                   enum qt_purpose purpose, enum qt_storage storage,
                   time_t now, X509 **out);

/* The same, giving everything the daemon stores about the certificate,
 * without an X509 object (the daemon's approval uses pd_ca_issue_stored()
 * below).  It skips parsing the signed
 * certificate back, which in OpenSSL 3.0 costs about a quarter of an
 * issuance (see doc/performance.md).  Free with pd_issued_clear(). */
struct pd_issued {
	unsigned char *der;        /* the certificate, DER */
	size_t der_len;
	char *pem;                 /* the same, PEM */
	char serial[2 * PD_CA_SERIAL_LEN + 1];   /* 40 lower-case hex */
	char keyid[41];            /* SKI, 40 lower-case hex */
	time_t not_before, not_after;
};
qt_err pd_ca_issue_der(struct pd_ca *ca, X509_REQ *req,
                       const struct pd_subject *subject, enum pd_subject_type type,
                       enum qt_purpose purpose, enum qt_storage storage,
                       time_t now, struct pd_issued *out);
void pd_issued_clear(struct pd_issued *is);

/* The same for a request the daemon stored after pd_ca_check_request()
 * accepted it (PEM, as received), on the approval path.  OpenSSL 3.0
 * decodes a request's key through its provider decoders on every parse,
 * which costs more than the CA's signature; this walks the stored request
 * to its SubjectPublicKeyInfo instead and copies that into the
 * certificate without decoding it.  The key policy (RSA 2048..8192 bits
 * with an odd exponent >= 65537, or an EC point on P-256 by its encoding)
 * is checked again from the bytes; the request's signature is not
 * verified again: it was at submission, over these very bytes.  storage
 * must be known (the application's).  Errors as pd_ca_issue(). */
qt_err pd_ca_issue_stored(struct pd_ca *ca, const char *csr_pem,
                          const struct pd_subject *subject, enum pd_subject_type type,
                          enum qt_purpose purpose, enum qt_storage storage,
                          time_t now, struct pd_issued *out);

/* Serial of a certificate: raw bytes (at most PD_CA_SERIAL_LEN; returns
 * how many, 0 when it does not fit) and 40 lower-case hex. */
size_t pd_ca_serial(X509 *cert, unsigned char out[PD_CA_SERIAL_LEN]);
void pd_ca_serial_hex(X509 *cert, char out[2 * PD_CA_SERIAL_LEN + 1]);
qt_err pd_ca_serial_from_hex(const char *hex,
                             unsigned char out[PD_CA_SERIAL_LEN]);

/* RFC 5280 CRLReason values.  Unspecified is written without a
 * reasonCode extension, as RFC 5280 5.3.1 asks. */
enum pd_crl_reason {
	PD_REASON_UNSPECIFIED = 0,
	PD_REASON_KEY_COMPROMISE = 1,
	PD_REASON_CA_COMPROMISE = 2,
	PD_REASON_AFFILIATION_CHANGED = 3,
	PD_REASON_SUPERSEDED = 4,
	PD_REASON_CESSATION_OF_OPERATION = 5,
	PD_REASON_CERTIFICATE_HOLD = 6,
	PD_REASON_PRIVILEGE_WITHDRAWN = 9
};
/* Stable names for JSON: "unspecified", "key_compromise",
 * "ca_compromise", "affiliation_changed", "superseded",
 * "cessation_of_operation", "certificate_hold", "privilege_withdrawn". */
const char *pd_crl_reason_name(int reason);
bool pd_crl_reason_parse(const char *name, int *out);

struct pd_revocation {
	unsigned char serial[PD_CA_SERIAL_LEN];
	time_t when;
	int reason;                /* enum pd_crl_reason */
};

/* The issuing CA's CRL (v2, DER): thisUpdate now, nextUpdate now +
 * PD_CA_CRL_PERIOD, cRLNumber crl_number (the daemon keeps it and must
 * increase it on each new CRL), AKI, one entry per revocation with its
 * reasonCode.  The daemon regenerates it on every revocation and at
 * least every PD_CA_CRL_PERIOD / 2. */
qt_err pd_ca_crl(struct pd_ca *ca, const struct pd_revocation *list, size_t n,
                 time_t now, long crl_number, unsigned char **der, size_t *len);

/* The root's CRL (ARL), empty: the root has revoked nothing.  Valid
 * for 30 days; regenerate it daily with the same crl_number rules. */
qt_err pd_ca_root_crl(struct pd_ca *ca, time_t now, long crl_number,
                      unsigned char **der, size_t *len);

/* The chain for AIA and the API: issuing CA then root. */
qt_err pd_ca_chain_pem(struct pd_ca *ca, char **pem);
qt_err pd_ca_chain_p7c(struct pd_ca *ca, unsigned char **der, size_t *len);

/* OCSP.  The daemon tells the status of one serial of this issuing CA:
 * return 0 for good, 1 for revoked (fill *revoked_at and *reason), -1
 * for unknown (never issued). */
typedef int (*pd_ca_status_fn)(void *arg, const unsigned char *serial,
                               size_t serial_len, time_t *revoked_at,
                               int *reason);

/* Answers a DER OCSP request (RFC 6960): a response signed by the
 * issuing CA itself, thisUpdate now, nextUpdate now + PD_CA_CRL_PERIOD,
 * the nonce echoed when the request has one.  Requests for another
 * issuer get "unknown"; a request that does not parse gets a
 * malformedRequest response (still QT_OK: the response is the answer). */
qt_err pd_ca_ocsp(struct pd_ca *ca, const unsigned char *req, size_t req_len,
                  pd_ca_status_fn status, void *arg, time_t now,
                  unsigned char **der, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
