/* Internal to the engine: PKCS#12 files at the level of safe bags,
 * shared by p12.c, keydir.c and pending.c. */
#ifndef QT_ENGINE_P12_INTERNAL_H
#define QT_ENGINE_P12_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/pkcs12.h>
#include <qoltanba/keystore.h>

struct qt_p12_contents {
	/* Decrypted private keys as plain keyBags, with their attributes. */
	STACK_OF(PKCS12_SAFEBAG) *keybags;
	/* Certificate bags and anything else, as they were. */
	STACK_OF(PKCS12_SAFEBAG) *otherbags;
	enum qt_p12_format format;
	bool legacy_algs;    /* PBES1 somewhere or a SHA-1 MAC: NCA's format */
	bool mac_verified;
};

/* Verifies the MAC and decrypts every bag (never decoding the keys). */
qt_err qt_p12_decode(const unsigned char *der, size_t len, const char *pass,
                     struct qt_p12_contents *c);
void qt_p12_contents_free(struct qt_p12_contents *c);

/* Encrypts keybags (plain keyBags) and otherbags with pass.
 * mac_iter_override > 0 replaces the format's MAC iteration count. */
qt_err qt_p12_build(const STACK_OF(PKCS12_SAFEBAG) *keybags,
                    const STACK_OF(PKCS12_SAFEBAG) *otherbags, const char *pass,
                    const struct qt_p12_params *params, int mac_iter_override,
                    unsigned char **der, size_t *len);

/* qt_p12_encode() with the MAC's iteration count set (0: the format's).
 * For bench/qt-bench, to time the same work as `openssl pkcs12 -iter N`,
 * which uses N for the MAC too. */
qt_err qt_p12_encode_ex(EVP_PKEY *key, X509 *cert, const char *password,
                        const struct qt_p12_params *params, int mac_iter,
                        unsigned char **der, size_t *len);

/* MAC iterations that cost as much as iter PBKDF2-HMAC-SHA256 ones. */
int qt_p12_mac_iter(int iter);

/* Without the password: whether der is a PKCS#12 structure, and the
 * localKeyID of its key bag when that is readable (NCA puts the key
 * bag in an unencrypted safe), as 40 hex digits, or "". */
qt_err qt_p12_peek(const unsigned char *der, size_t len, char keyid[41]);

/* Whether the legacy provider has been loaded (into its own library
 * context) by this process: only NCA-style files should cause it. */
bool qt_p12_legacy_loaded(void);

#endif
