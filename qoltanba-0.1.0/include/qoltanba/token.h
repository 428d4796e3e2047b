/* PKCS#11 tokens through libp11: the modules to load (configuration and
 * p11-kit, see doc/tokens.md), slots and tokens, PIN login with the PIN
 * state shown before the next attempt, key-pair generation on the token
 * with id = keyid, certificates stored next to their keys, and change
 * of PIN.
 *
 * PINs come from the caller (the TUI's masked field, or a file on the
 * command line); OpenSSL never reads the terminal: libp11 gets our
 * UI_METHOD, which asks qt_pin_fn or refuses. */
#ifndef QOLTANBA_TOKEN_H
#define QOLTANBA_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/types.h>
#include <openssl/x509.h>   /* keygen.h needs X509_REQ */
#include <qoltanba/cert.h>
#include <qoltanba/error.h>
#include <qoltanba/keygen.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qt_p11 qt_p11;       /* the loaded modules and their tokens */
typedef struct qt_token qt_token;   /* one token; owned by its qt_p11 */

struct qt_module_info {
	char path[4096];
	char source[4200];          /* "FILE:LINE" of the configuration, or "p11-kit FILE" */
	enum qt_storage medium;     /* from module.MEDIUM; UNKNOWN for "module =" */
	bool from_p11kit;
	qt_err status;              /* QT_OK, or QT_ERR_MODULE when it did not load */
	char error[4700];           /* why, when status != QT_OK */
	char description[65];       /* the module's own description, when loaded */
};

enum qt_pin_state {
	QT_PIN_OK = 0,
	QT_PIN_COUNT_LOW,           /* a wrong PIN was entered since the last good one */
	QT_PIN_FINAL_TRY,           /* one more wrong PIN locks it */
	QT_PIN_LOCKED,
	QT_PIN_NOT_INITIALIZED      /* the token has no user PIN yet */
};

struct qt_token_info {
	char label[33];
	char manufacturer[33];
	char model[17];
	char serial[17];
	char slot_description[65];
	const char *module;         /* path, owned by the qt_p11 */
	unsigned long slot_id;
	enum qt_storage medium;     /* from the module's configuration or the reader's ATR */
	bool initialized;           /* false: a blank token (or SoftHSM's free slot) */
	bool login_required;
	bool protected_auth_path;   /* PIN pad on the reader */
	bool read_only;
	bool pin_to_be_changed;     /* the token asks for a new PIN */
	enum qt_pin_state pin_state;
};

/* Called by our UI_METHOD when libp11 needs a PIN on its own (for
 * example to re-login after the token's session was lost).  Writes at
 * most size-1 bytes and a NUL; returns false to refuse. */
typedef bool (*qt_pin_fn)(const char *prompt, char *buf, size_t size, void *data);

/* Loads every configured module and lists their tokens.  A module that
 * is missing or fails to load does not stop the others: it is reported
 * by qt_p11_module() with status QT_ERR_MODULE.  Returns an error only
 * when nothing can be done (out of memory). */
qt_err qt_p11_open(qt_p11 **out);
/* The same with exactly one module (tests, --module); QT_ERR_MODULE when
 * it does not load. */
qt_err qt_p11_open_module(const char *path, enum qt_storage medium, qt_p11 **out);
void qt_p11_close(qt_p11 *p);
void qt_p11_set_pin_callback(qt_p11 *p, qt_pin_fn fn, void *data);
/* A configuration line that was not understood, or "". */
const char *qt_p11_config_problem(const qt_p11 *p);

size_t qt_p11_module_count(const qt_p11 *p);
const struct qt_module_info *qt_p11_module(const qt_p11 *p, size_t i);

/* Re-reads the slots (after a token was connected or removed).  Tokens
 * from earlier calls become invalid, and are logged out (their sessions
 * are closed). */
qt_err qt_p11_refresh(qt_p11 *p);
size_t qt_p11_token_count(const qt_p11 *p);
qt_token *qt_p11_token(qt_p11 *p, size_t i);
/* By label, or by serial number; QT_ERR_TOKEN_NOT_FOUND. */
qt_err qt_p11_find_token(qt_p11 *p, const char *label_or_serial, qt_token **out);

/* Fresh information: flags are read from the token each time, so the
 * PIN state is the one for the next attempt. */
qt_err qt_token_info(qt_token *t, struct qt_token_info *out);
/* The medium, when the caller knows it better (a reader's ATR). */
void qt_token_set_medium(qt_token *t, enum qt_storage m);

/* Logs in as the user.  pin NULL: on the reader's PIN pad (when
 * protected_auth_path).  On QT_ERR_PIN_INCORRECT or QT_ERR_PIN_LOCKED,
 * *state (when not NULL) is the state for the next attempt.  When the
 * PIN is the medium's factory PIN (atr.h qt_medium_default_pin; any
 * factory PIN when the medium is unknown) or the token asks for a new
 * one, *default_pin is set: warn and offer qt_token_change_pin(). */
qt_err qt_token_login(qt_token *t, const char *pin, enum qt_pin_state *state, bool *default_pin);
void qt_token_logout(qt_token *t);
/* Is pin a factory PIN for this token's medium? */
bool qt_token_pin_is_default(const qt_token *t, const char *pin);

/* Changes the user PIN (logs in with the old one first when needed).
 * QT_ERR_PIN_INCORRECT, QT_ERR_PIN_LOCKED, QT_ERR_PIN_POLICY. */
qt_err qt_token_change_pin(qt_token *t, const char *old_pin, const char *new_pin);

/* What a token holds, grouped by CKA_ID.  keyid is the id in lower-case
 * hex (40 characters for keys made by qoltanba or NCA). */
struct qt_token_object {
	char keyid[129];
	char label[129];
	bool has_private_key;       /* seen only after login on most tokens */
	bool has_public_key;
	char key_type[16];          /* "RSA 2048", "EC P-256", "" */
	bool incomplete;            /* left by a generation that was cut short:
	                             * not a usable key; the next generation
	                             * removes it */
	X509 *cert;                 /* NULL when no certificate has this id */
	char cert_label[129];
};

qt_err qt_token_list(qt_token *t, struct qt_token_object **objs, size_t *n);
void qt_token_objects_free(struct qt_token_object *objs, size_t n);

/* Generates a key pair on the token (logged in), with CKA_LABEL label
 * and CKA_ID = the keyid of the public key (SHA-1 of its BIT STRING, as
 * NCA names keys).  The pair is checked to exist afterwards: if the
 * token was removed or refused half-way, nothing is left behind that
 * can be taken for a key, and QT_ERR_TOKEN_REMOVED (or the error) is
 * returned.  Until its id is set the pair has a pending id (listed as
 * incomplete); pending pairs of earlier, interrupted generations are
 * removed first.
 * keyid (41 bytes) and pub (optional, EVP_PKEY_free) describe the key. */
qt_err qt_token_keygen(qt_token *t, enum qt_keytype type, const char *label,
                       char keyid[41], EVP_PKEY **pub);

/* Stores a certificate with CKA_ID = the keyid of its public key and
 * the label of the key with that id (or label, when given).
 * QT_ERR_KEY_MISMATCH when no key on the token has that id;
 * QT_ERR_EXISTS when the certificate is there already. */
qt_err qt_token_store_cert(qt_token *t, X509 *cert, const char *label);

/* Signs data with the key whose id is keyid (hex): SHA-256 with RSA
 * PKCS#1 v1.5, or ECDSA.  *sig is OPENSSL_malloc'ed. */
qt_err qt_token_sign(qt_token *t, const char *keyid, const unsigned char *data, size_t len,
                     unsigned char **sig, size_t *siglen);

/* A PKCS#11 return value (CK_RV) as an engine error:
 * CKR_PIN_INCORRECT -> QT_ERR_PIN_INCORRECT, CKR_PIN_LOCKED ->
 * QT_ERR_PIN_LOCKED, CKR_DEVICE_REMOVED / CKR_TOKEN_NOT_PRESENT ->
 * QT_ERR_TOKEN_REMOVED, ... */
qt_err qt_p11_map_ckr(unsigned long rv, const char *what);
/* Stable names for JSON: "ok", "count_low", "final_try", "locked",
 * "not_initialized"; and a translated sentence for people. */
const char *qt_pin_state_name(enum qt_pin_state s);
const char *qt_pin_state_label(enum qt_pin_state s);

#ifdef __cplusplus
}
#endif
#endif
