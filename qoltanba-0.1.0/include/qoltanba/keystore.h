/* Key stores in a folder: PKCS#12 files (NCA's legacy ones and modern
 * ones), loose certificates, and pending keys waiting for their
 * certificate. */
#ifndef QOLTANBA_KEYSTORE_H
#define QOLTANBA_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <openssl/types.h>
#include <qoltanba/cert.h>
#include <qoltanba/error.h>
#include <qoltanba/fsutil.h>   /* QT_WRITE_* for qt_p12_write() */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- PKCS#12 files ------------------------------------------------ */

enum qt_p12_format {
	/* AES-256-CBC with PBKDF2-HMAC-SHA256 for the key and the
	 * certificate, a SHA-256 MAC, 16-byte salts. */
	QT_P12_MODERN = 0,
	/* What NCA writes: 3DES key bag, RC2-40 certificate bag, SHA-1 MAC,
	 * 1024 iterations, 20-byte salt. */
	QT_P12_LEGACY
};

struct qt_p12_params {
	enum qt_p12_format format;
	int iterations;            /* 0: the format's default */
};

/* Default iteration count of modern files (see doc/keystores.md). */
extern const int QT_P12_DEFAULT_ITER;

typedef struct qt_keyfile qt_keyfile;

/* Opens a PKCS#12 file.  Returns QT_ERR_BAD_PASSWORD for a wrong
 * password, QT_ERR_NOT_KEYSTORE for anything that is not PKCS#12,
 * QT_ERR_NO_CERT when it holds no certificate.  A key OpenSSL cannot
 * decode (GOST) is not an error: the file opens with its certificate,
 * qt_keyfile_key() is NULL and summary.signing_supported is false. */
qt_err qt_keyfile_open(const char *path, const char *password, qt_keyfile **out);
/* The same from memory. */
qt_err qt_keyfile_open_mem(const unsigned char *der, size_t len,
                           const char *password, qt_keyfile **out);
void qt_keyfile_free(qt_keyfile *kf);

X509 *qt_keyfile_cert(const qt_keyfile *kf);          /* borrowed */
EVP_PKEY *qt_keyfile_key(const qt_keyfile *kf);       /* borrowed; may be NULL */
const struct qt_cert_summary *qt_keyfile_summary(const qt_keyfile *kf);
enum qt_p12_format qt_keyfile_format(const qt_keyfile *kf);
/* Whether the file holds a private key at all (true also for a GOST
 * key that qt_keyfile_key() cannot give).  A file with a certificate
 * and no key opens, with this false and signing_supported false. */
bool qt_keyfile_has_key(const qt_keyfile *kf);
/* The private key's algorithm OID as it is in the file ("" if none). */
const char *qt_keyfile_key_oid(const qt_keyfile *kf);

/* Encodes key + cert as PKCS#12 with friendlyName and localKeyID set to
 * the keyid.  Free *der with qt_free_secret(). */
qt_err qt_p12_encode(EVP_PKEY *key, X509 *cert, const char *password,
                     const struct qt_p12_params *params,
                     unsigned char **der, size_t *len);

/* Encodes and writes atomically with mode 0600 (flags: QT_WRITE_*). */
qt_err qt_p12_write(const char *path, EVP_PKEY *key, X509 *cert,
                    const char *password, const struct qt_p12_params *params,
                    unsigned flags);

/* NCA's file name for a certificate: "AUTH_RSA256_<keyid>.p12",
 * "RSA256_<keyid>.p12", "GOSTKNCA_<keyid>.p12", "GOST512_<keyid>.p12"
 * (EC keys: "AUTH_ECP256_<keyid>.p12", "ECP256_<keyid>.p12"). */
qt_err qt_p12_filename(const struct qt_cert_summary *s, char *buf, size_t size);

/* Changes the password of a key file: decrypt, re-encrypt in the same
 * format, replace atomically.  Works for GOST files too (the key bag is
 * re-encrypted without being decoded).  The new password must satisfy
 * the policy.  On any failure the file is untouched. */
qt_err qt_keyfile_change_password(const char *path, const char *old_password,
                                  const char *new_password);

/* ---- A folder of keys --------------------------------------------- */

enum qt_keydir_kind {
	QT_KD_P12 = 0,       /* .p12 / .pfx */
	QT_KD_CERT,          /* .cer / .crt / .pem / .der */
	QT_KD_PENDING        /* a pending key (see below) */
};

struct qt_keydir_entry {
	char *path;
	const char *name;          /* the base name, inside path */
	enum qt_keydir_kind kind;
	qt_err status;             /* QT_OK, or why the file could not be read */
	char *status_detail;       /* "" when none */
	bool has_summary;          /* summary is filled in */
	bool needs_password;       /* details need the key file's password */
	enum qt_purpose purpose;   /* from the summary, else from the name */
	char keyid[41];            /* from the summary, else from the name */
	struct qt_cert_summary summary;
};

struct qt_keydir {
	size_t count;
	struct qt_keydir_entry *entries;   /* sorted by name */
};

/* Lists the key files of a folder (not recursive).  Without a password,
 * a .p12 is described from the certificate file beside it with the
 * same keyid, when there is one, and from its name otherwise.  With a
 * password, each .p12 is opened with it (a wrong one is that entry's
 * status).  Files of other types are skipped. */
qt_err qt_keydir_scan(const char *dir, const char *password, time_t now,
                      struct qt_keydir **out);
void qt_keydir_free(struct qt_keydir *kd);

/* ---- Pending keys ------------------------------------------------- */
/* A key pair generated for an application waits in the folder the user
 * chose, as "PENDING_AUTH_<keyid>.key" / "PENDING_SIGN_<keyid>.key":
 * PKCS#8 encrypted with the key password (PBES2, AES-256-CBC), mode
 * 0600, written atomically.  When the certificate arrives it is found
 * again by keyid and turned into the NCA-named .p12. */

qt_err qt_pending_save(const char *dir, EVP_PKEY *key, enum qt_purpose purpose,
                       const char *password, char **path_out);
/* Finds the pending key for keyid in dir; QT_ERR_PENDING_NOT_FOUND. */
qt_err qt_pending_find(const char *dir, const char *keyid, char **path_out);
qt_err qt_pending_load(const char *path, const char *password, EVP_PKEY **out);
/* Installs cert: finds its pending key by the certificate's keyid,
 * checks that key and certificate match, writes the .p12 (named as NCA
 * names it, protected with password), and only then removes the
 * pending file.  Running it again after a crash finishes the job. */
qt_err qt_pending_install(const char *dir, X509 *cert, const char *password,
                          const struct qt_p12_params *params, char **p12_path_out);

#ifdef __cplusplus
}
#endif
#endif
