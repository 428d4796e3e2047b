/* PKCS#12 key files: NCA's legacy ones and our modern ones.
 *
 * Files are taken apart at the level of safe bags rather than with
 * PKCS12_parse(), for two reasons: a GOST private key (which stock
 * OpenSSL cannot decode) must not stop us from returning the
 * certificate, and a password change must re-encrypt a key bag it
 * cannot decode.  The PKCS#8 structure is decrypted and re-encrypted
 * as it is; the key inside is never interpreted for that.
 *
 * NCA's files use pbeWithSHA1And40BitRC2-CBC for the certificate bag,
 * which OpenSSL 3 keeps in its "legacy" provider.  That provider is
 * loaded, once and only when a file needs it, into a library context
 * of its own, so that the rest of the process never sees RC2 and
 * friends.
 */
#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include <qoltanba/cert.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/keystore.h>
#include <qoltanba/password.h>
#include <qoltanba/secret.h>
#include "engine/p12_internal.h"
#include "i18n.h"

/* PBKDF2-HMAC-SHA256 iterations of modern files; see doc/keystores.md
 * for the measurement behind it. */
const int QT_P12_DEFAULT_ITER = 100000;

/* NCA's legacy parameters (domain.md section 3). */
#define LEGACY_ITER 1024
#define LEGACY_SALT 20
#define MODERN_SALT 16
/* Key files are a few kilobytes; refuse anything absurd. */
#define P12_FILE_MAX (4 * 1024 * 1024)

struct qt_keyfile {
	X509 *cert;
	EVP_PKEY *key;
	bool has_key;                /* a key bag is present (decoded or not) */
	enum qt_p12_format format;
	char key_oid[80];            /* algorithm of the private key bag */
	struct qt_cert_summary summary;
};

/* ---- The legacy provider, in its own library context ---------------- */

static CRYPTO_ONCE legacy_once = CRYPTO_ONCE_STATIC_INIT;
static OSSL_LIB_CTX *legacy_ctx;

static void legacy_init(void)
{
	OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();

	if (ctx == NULL)
		return;
	if (OSSL_PROVIDER_load(ctx, "default") == NULL ||
	    OSSL_PROVIDER_load(ctx, "legacy") == NULL) {
		OSSL_LIB_CTX_free(ctx);
		return;
	}
	legacy_ctx = ctx;
}

static qt_err get_legacy_ctx(OSSL_LIB_CTX **out)
{
	*out = NULL;
	if (!CRYPTO_THREAD_run_once(&legacy_once, legacy_init) || legacy_ctx == NULL)
		return qt_error_ssl(QT_ERR_UNSUPPORTED_ALG,
		                    _("this file uses NCA's old algorithms (RC2), and OpenSSL's "
		                      "\"legacy\" provider could not be loaded"));
	*out = legacy_ctx;
	return QT_OK;
}

bool qt_p12_legacy_loaded(void)
{
	return legacy_ctx != NULL;
}

/* Whether the cipher of a PBE algorithm (PBES1 or PBES2) is missing
 * from the default provider, so the legacy one is needed. */
static bool cipher_nid_needs_legacy(int cnid)
{
	EVP_CIPHER *c;

	if (cnid == NID_undef)
		return false;
	ERR_set_mark();
	c = EVP_CIPHER_fetch(NULL, OBJ_nid2sn(cnid), NULL);
	ERR_pop_to_mark();
	if (c == NULL)
		return true;
	EVP_CIPHER_free(c);
	return false;
}

static bool pbe_nid_needs_legacy(int pbe_nid)
{
	int cnid = NID_undef, mnid = NID_undef;

	if (EVP_PBE_find(EVP_PBE_TYPE_OUTER, pbe_nid, &cnid, &mnid, NULL))
		return cipher_nid_needs_legacy(cnid);
	/* A plain cipher NID means PBES2 with that cipher. */
	return cipher_nid_needs_legacy(pbe_nid);
}

static bool algor_needs_legacy(const X509_ALGOR *alg)
{
	int nid;

	if (alg == NULL)
		return false;
	nid = OBJ_obj2nid(alg->algorithm);
	if (nid == NID_pbes2) {
		const ASN1_TYPE *t = alg->parameter;
		PBE2PARAM *p;
		bool r = false;

		if (t == NULL || t->type != V_ASN1_SEQUENCE)
			return false;
		p = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), t);
		if (p != NULL && p->encryption != NULL)
			r = cipher_nid_needs_legacy(OBJ_obj2nid(p->encryption->algorithm));
		PBE2PARAM_free(p);
		return r;
	}
	return pbe_nid_needs_legacy(nid);
}

static qt_err ctx_for_algor(const X509_ALGOR *alg, OSSL_LIB_CTX **ctx)
{
	*ctx = NULL;
	if (algor_needs_legacy(alg))
		return get_legacy_ctx(ctx);
	return QT_OK;
}

static bool algor_is_pbes1(const X509_ALGOR *alg)
{
	return alg != NULL && OBJ_obj2nid(alg->algorithm) != NID_pbes2;
}

/* ---- Taking a file apart ------------------------------------------------ */

void qt_p12_contents_free(struct qt_p12_contents *c)
{
	if (c == NULL)
		return;
	sk_PKCS12_SAFEBAG_pop_free(c->keybags, PKCS12_SAFEBAG_free);
	sk_PKCS12_SAFEBAG_pop_free(c->otherbags, PKCS12_SAFEBAG_free);
	memset(c, 0, sizeof *c);
}

/* Copies the attributes of one bag to another (friendlyName,
 * localKeyID and whatever else the file carries). */
static int copy_attrs(PKCS12_SAFEBAG *to, const PKCS12_SAFEBAG *from)
{
	const STACK_OF(X509_ATTRIBUTE) *attrs = PKCS12_SAFEBAG_get0_attrs(from);
	int i;

	for (i = 0; i < sk_X509_ATTRIBUTE_num(attrs); i++) {
		X509_ATTRIBUTE *a = sk_X509_ATTRIBUTE_value(attrs, i);
		ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(a, 0);
		char oid[96];

		if (t == NULL || t->type == V_ASN1_BOOLEAN || t->type == V_ASN1_OBJECT ||
		    t->type == V_ASN1_NULL)
			continue;
		if (OBJ_obj2txt(oid, sizeof oid, X509_ATTRIBUTE_get0_object(a), 1) <= 0)
			return 0;
		if (!PKCS12_add1_attr_by_txt(to, oid, t->type,
		                             ASN1_STRING_get0_data(t->value.asn1_string),
		                             ASN1_STRING_length(t->value.asn1_string)))
			return 0;
	}
	return 1;
}

static qt_err take_bags(const STACK_OF(PKCS12_SAFEBAG) *bags, const char *pass,
                        struct qt_p12_contents *c, int depth);

/* A shrouded key bag, decrypted into a plain keyBag with the same
 * attributes.  The PKCS#8 structure is not decoded. */
static qt_err take_shrouded(const PKCS12_SAFEBAG *bag, const char *pass,
                            struct qt_p12_contents *c)
{
	const X509_SIG *sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
	const X509_ALGOR *alg = NULL;
	PKCS8_PRIV_KEY_INFO *p8;
	PKCS12_SAFEBAG *plain;
	OSSL_LIB_CTX *ctx;
	qt_err rc;

	if (sig == NULL)
		return qt_error(QT_ERR_NOT_KEYSTORE, "empty key bag");
	X509_SIG_get0(sig, &alg, NULL);
	if (algor_is_pbes1(alg))
		c->legacy_algs = true;
	rc = ctx_for_algor(alg, &ctx);
	if (rc != QT_OK)
		return rc;
	p8 = PKCS12_decrypt_skey_ex(bag, pass, (int)strlen(pass), ctx, NULL);
	if (p8 == NULL)
		return qt_error_ssl(c->mac_verified ? QT_ERR_CRYPTO : QT_ERR_BAD_PASSWORD,
		                    _("the private key could not be decrypted"));
	plain = PKCS12_SAFEBAG_create0_p8inf(p8);
	if (plain == NULL) {
		PKCS8_PRIV_KEY_INFO_free(p8);
		return QT_ERR_NOMEM;
	}
	if (!copy_attrs(plain, bag) || !sk_PKCS12_SAFEBAG_push(c->keybags, plain)) {
		PKCS12_SAFEBAG_free(plain);
		return qt_error_ssl(QT_ERR_NOMEM, "key bag");
	}
	return QT_OK;
}

static qt_err take_bag(const PKCS12_SAFEBAG *bag, const char *pass,
                       struct qt_p12_contents *c, int depth)
{
	PKCS12_SAFEBAG *copy;

	switch (PKCS12_SAFEBAG_get_nid(bag)) {
	case NID_pkcs8ShroudedKeyBag:
		return take_shrouded(bag, pass, c);
	case NID_safeContentsBag:
		if (depth > 2)
			return qt_error(QT_ERR_NOT_KEYSTORE, "safe contents nested too deep");
		return take_bags(PKCS12_SAFEBAG_get0_safes(bag), pass, c, depth + 1);
	case NID_keyBag:
		copy = ASN1_item_dup(ASN1_ITEM_rptr(PKCS12_SAFEBAG), bag);
		if (copy == NULL || !sk_PKCS12_SAFEBAG_push(c->keybags, copy)) {
			PKCS12_SAFEBAG_free(copy);
			return QT_ERR_NOMEM;
		}
		return QT_OK;
	default:
		/* Certificates, CRLs, secrets: kept as they are. */
		copy = ASN1_item_dup(ASN1_ITEM_rptr(PKCS12_SAFEBAG), bag);
		if (copy == NULL || !sk_PKCS12_SAFEBAG_push(c->otherbags, copy)) {
			PKCS12_SAFEBAG_free(copy);
			return QT_ERR_NOMEM;
		}
		return QT_OK;
	}
}

static qt_err take_bags(const STACK_OF(PKCS12_SAFEBAG) *bags, const char *pass,
                        struct qt_p12_contents *c, int depth)
{
	int i;
	qt_err rc;

	for (i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		rc = take_bag(sk_PKCS12_SAFEBAG_value(bags, i), pass, c, depth);
		if (rc != QT_OK)
			return rc;
	}
	return QT_OK;
}

static qt_err verify_mac(PKCS12 *p12, const char **pass, struct qt_p12_contents *c)
{
	const X509_ALGOR *macalg = NULL;
	unsigned long e;

	ERR_clear_error();
	if (!PKCS12_mac_present(p12))
		return QT_OK;
	PKCS12_get0_mac(NULL, &macalg, NULL, NULL, p12);
	if (macalg != NULL && OBJ_obj2nid(macalg->algorithm) == NID_sha1)
		c->legacy_algs = true;
	if (PKCS12_verify_mac(p12, *pass, (int)strlen(*pass))) {
		c->mac_verified = true;
		return QT_OK;
	}
	e = ERR_peek_last_error();
	/* Some writers compute the MAC of an empty password over no bytes
	 * at all; OpenSSL's PKCS12_parse() tries both, so do we. */
	if ((*pass)[0] == '\0' && PKCS12_verify_mac(p12, NULL, 0)) {
		ERR_clear_error();
		c->mac_verified = true;
		return QT_OK;
	}
	/* A mismatch leaves no error on OpenSSL's queue (3.0), or says
	 * MAC_VERIFY_FAILURE; anything else means it could not compute. */
	if (e == 0 || (ERR_GET_LIB(e) == ERR_LIB_PKCS12 &&
	               ERR_GET_REASON(e) == PKCS12_R_MAC_VERIFY_FAILURE)) {
		ERR_clear_error();
		return qt_error(QT_ERR_BAD_PASSWORD, _("the integrity check (MAC) failed"));
	}
	return qt_error_ssl(QT_ERR_NOT_KEYSTORE, _("the integrity check (MAC) cannot be computed"));
}

qt_err qt_p12_decode(const unsigned char *der, size_t len, const char *pass,
                     struct qt_p12_contents *c)
{
	STACK_OF(PKCS7) *safes = NULL;
	const unsigned char *p = der;
	PKCS12 *p12;
	qt_err rc = QT_OK;
	int i;

	memset(c, 0, sizeof *c);
	if (pass == NULL)
		pass = "";
	if (der == NULL || len == 0)
		return qt_error(QT_ERR_NOT_KEYSTORE, _("the file is empty"));
	if (len > LONG_MAX)
		return qt_error(QT_ERR_NOT_KEYSTORE, "too large");
	p12 = d2i_PKCS12(NULL, &p, (long)len);
	if (p12 == NULL) {
		ERR_clear_error();
		return qt_error(QT_ERR_NOT_KEYSTORE, _("not a PKCS#12 structure (damaged or truncated?)"));
	}
	c->keybags = sk_PKCS12_SAFEBAG_new_null();
	c->otherbags = sk_PKCS12_SAFEBAG_new_null();
	if (c->keybags == NULL || c->otherbags == NULL) {
		rc = QT_ERR_NOMEM;
		goto done;
	}
	rc = verify_mac(p12, &pass, c);
	if (rc != QT_OK)
		goto done;
	safes = PKCS12_unpack_authsafes(p12);
	if (safes == NULL) {
		rc = qt_error_ssl(QT_ERR_NOT_KEYSTORE, _("the key store's contents are damaged"));
		goto done;
	}
	for (i = 0; i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
		int nid = OBJ_obj2nid(p7->type);

		if (nid == NID_pkcs7_data) {
			bags = PKCS12_unpack_p7data(p7);
			if (bags == NULL) {
				rc = qt_error_ssl(QT_ERR_NOT_KEYSTORE, _("the key store's contents are damaged"));
				goto done;
			}
		} else if (nid == NID_pkcs7_encrypted) {
			PKCS7_ENC_CONTENT *ec = p7->d.encrypted != NULL ? p7->d.encrypted->enc_data : NULL;
			OSSL_LIB_CTX *ctx;

			if (ec == NULL || ec->enc_data == NULL)
				continue;
			if (algor_is_pbes1(ec->algorithm))
				c->legacy_algs = true;
			rc = ctx_for_algor(ec->algorithm, &ctx);
			if (rc != QT_OK)
				goto done;
			bags = PKCS12_item_decrypt_d2i_ex(ec->algorithm, ASN1_ITEM_rptr(PKCS12_SAFEBAGS),
			                                  pass, (int)strlen(pass), ec->enc_data, 1,
			                                  ctx, NULL);
			if (bags == NULL) {
				rc = qt_error_ssl(c->mac_verified ? QT_ERR_NOT_KEYSTORE : QT_ERR_BAD_PASSWORD,
				                  _("the certificates could not be decrypted"));
				goto done;
			}
		} else {
			/* Public-key protected safes (enveloped data) are not
			 * used for key files; skip rather than fail. */
			continue;
		}
		rc = take_bags(bags, pass, c, 0);
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
		if (rc != QT_OK)
			goto done;
	}
	c->format = c->legacy_algs ? QT_P12_LEGACY : QT_P12_MODERN;
done:
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	if (rc != QT_OK)
		qt_p12_contents_free(c);
	return rc;
}

/* ---- Putting a file together -------------------------------------------- */

qt_err qt_p12_build(const STACK_OF(PKCS12_SAFEBAG) *keybags,
                    const STACK_OF(PKCS12_SAFEBAG) *otherbags, const char *pass,
                    const struct qt_p12_params *params, int mac_iter_override,
                    unsigned char **der, size_t *len)
{
	STACK_OF(PKCS12_SAFEBAG) *shrouded = NULL;
	STACK_OF(PKCS7) *safes = NULL;
	PKCS7 *p7 = NULL;
	PKCS12 *p12 = NULL;
	OSSL_LIB_CTX *cert_ctx = NULL;
	const EVP_MD *md;
	int key_nid, cert_nid, iter, mac_iter, salt_len, mac_salt_len, n, i;
	int passlen = (int)strlen(pass);
	unsigned char *buf = NULL, *q;
	qt_err rc = QT_ERR_CRYPTO;

	*der = NULL;
	*len = 0;
	if (params != NULL && params->format == QT_P12_LEGACY) {
		key_nid = NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
		cert_nid = NID_pbe_WithSHA1And40BitRC2_CBC;
		md = EVP_sha1();
		iter = params->iterations > 0 ? params->iterations : LEGACY_ITER;
		mac_iter = iter;
		salt_len = mac_salt_len = LEGACY_SALT;
		rc = get_legacy_ctx(&cert_ctx);
		if (rc != QT_OK)
			return rc;
		rc = QT_ERR_CRYPTO;
	} else {
		/* A cipher NID (not a PBE one) means PBES2: PBKDF2 with
		 * hmacWithSHA256, AES-256-CBC. */
		key_nid = cert_nid = NID_aes_256_cbc;
		md = EVP_sha256();
		iter = params != NULL && params->iterations > 0 ? params->iterations
		                                                : QT_P12_DEFAULT_ITER;
		mac_iter = qt_p12_mac_iter(iter);
		salt_len = mac_salt_len = MODERN_SALT;
	}
	if (mac_iter_override > 0)
		mac_iter = mac_iter_override;

	shrouded = sk_PKCS12_SAFEBAG_new_null();
	safes = sk_PKCS7_new_null();
	if (shrouded == NULL || safes == NULL)
		goto fail;
	for (i = 0; i < sk_PKCS12_SAFEBAG_num(keybags); i++) {
		const PKCS12_SAFEBAG *kb = sk_PKCS12_SAFEBAG_value(keybags, i);
		const PKCS8_PRIV_KEY_INFO *p8 = PKCS12_SAFEBAG_get0_p8inf(kb);
		PKCS12_SAFEBAG *sb;

		if (p8 == NULL)
			goto fail;
		/* NULL salt: a fresh random one of salt_len bytes. */
		sb = PKCS12_SAFEBAG_create_pkcs8_encrypt_ex(key_nid, pass, passlen, NULL, salt_len,
		                                            iter, (PKCS8_PRIV_KEY_INFO *)p8,
		                                            NULL, NULL);
		if (sb == NULL || !copy_attrs(sb, kb) || !sk_PKCS12_SAFEBAG_push(shrouded, sb)) {
			PKCS12_SAFEBAG_free(sb);
			goto fail;
		}
	}
	/* NCA's order: the key's safe first, then the certificates'. */
	if (sk_PKCS12_SAFEBAG_num(shrouded) > 0) {
		p7 = PKCS12_pack_p7data(shrouded);
		if (p7 == NULL || !sk_PKCS7_push(safes, p7))
			goto fail;
		p7 = NULL;
	}
	if (sk_PKCS12_SAFEBAG_num(otherbags) > 0) {
		p7 = PKCS12_pack_p7encdata_ex(cert_nid, pass, passlen, NULL, salt_len, iter,
		                              (STACK_OF(PKCS12_SAFEBAG) *)otherbags, cert_ctx, NULL);
		if (p7 == NULL || !sk_PKCS7_push(safes, p7))
			goto fail;
		p7 = NULL;
	}
	p12 = PKCS12_add_safes_ex(safes, 0, NULL, NULL);
	if (p12 == NULL)
		goto fail;
	if (!PKCS12_set_mac(p12, pass, passlen, NULL, mac_salt_len, mac_iter, md))
		goto fail;
	n = i2d_PKCS12(p12, NULL);
	if (n <= 0)
		goto fail;
	buf = OPENSSL_malloc((size_t)n);
	if (buf == NULL) {
		rc = QT_ERR_NOMEM;
		goto fail;
	}
	q = buf;
	if (i2d_PKCS12(p12, &q) != n)
		goto fail;
	*der = buf;
	*len = (size_t)n;
	buf = NULL;
	rc = QT_OK;
fail:
	if (rc == QT_ERR_CRYPTO)
		rc = qt_error_ssl(QT_ERR_CRYPTO, _("cannot build the key file"));
	OPENSSL_free(buf);
	PKCS7_free(p7);
	PKCS12_free(p12);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	sk_PKCS12_SAFEBAG_pop_free(shrouded, PKCS12_SAFEBAG_free);
	return rc;
}

/* See doc/keystores.md: the MAC's PKCS#12 KDF costs one SHA-256
 * compression per iteration, PBKDF2-HMAC-SHA256 two, so the MAC gets
 * twice the count to be no cheaper a target than the bags. */
int qt_p12_mac_iter(int iter)
{
	return iter > INT_MAX / 2 ? INT_MAX : iter * 2;
}

qt_err qt_p12_peek(const unsigned char *der, size_t len, char keyid[41])
{
	STACK_OF(PKCS7) *safes = NULL;
	const unsigned char *p = der;
	PKCS12 *p12;
	int i, j;

	keyid[0] = '\0';
	if (der == NULL || len == 0)
		return qt_error(QT_ERR_NOT_KEYSTORE, _("the file is empty"));
	if (len > LONG_MAX)
		return qt_error(QT_ERR_NOT_KEYSTORE, "too large");
	p12 = d2i_PKCS12(NULL, &p, (long)len);
	if (p12 == NULL) {
		ERR_clear_error();
		return qt_error(QT_ERR_NOT_KEYSTORE, _("not a PKCS#12 structure (damaged or truncated?)"));
	}
	ERR_set_mark();
	safes = PKCS12_unpack_authsafes(p12);
	for (i = 0; i < sk_PKCS7_num(safes) && keyid[0] == '\0'; i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags;

		if (OBJ_obj2nid(p7->type) != NID_pkcs7_data)
			continue;
		bags = PKCS12_unpack_p7data(p7);
		for (j = 0; j < sk_PKCS12_SAFEBAG_num(bags); j++) {
			const PKCS12_SAFEBAG *b = sk_PKCS12_SAFEBAG_value(bags, j);
			const ASN1_TYPE *t = PKCS12_SAFEBAG_get0_attr(b, NID_localKeyID);
			int nid = PKCS12_SAFEBAG_get_nid(b);

			if ((nid == NID_pkcs8ShroudedKeyBag || nid == NID_keyBag) && t != NULL &&
			    t->type == V_ASN1_OCTET_STRING &&
			    ASN1_STRING_length(t->value.octet_string) == 20) {
				const unsigned char *id = ASN1_STRING_get0_data(t->value.octet_string);
				int k;

				for (k = 0; k < 20; k++)
					snprintf(keyid + 2 * k, 3, "%02x", id[k]);
				break;
			}
		}
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	ERR_pop_to_mark();
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	return QT_OK;
}

/* ---- Opening ---------------------------------------------------------- */

static ASN1_TYPE *bag_attr(const PKCS12_SAFEBAG *bag, int nid)
{
	return (ASN1_TYPE *)PKCS12_SAFEBAG_get0_attr(bag, nid);
}

static bool same_local_key_id(const PKCS12_SAFEBAG *a, const PKCS12_SAFEBAG *b)
{
	const ASN1_TYPE *x = bag_attr(a, NID_localKeyID), *y = bag_attr(b, NID_localKeyID);

	return x != NULL && y != NULL && x->type == V_ASN1_OCTET_STRING &&
	       y->type == V_ASN1_OCTET_STRING &&
	       ASN1_STRING_cmp(x->value.octet_string, y->value.octet_string) == 0;
}

static qt_err keyfile_from_contents(struct qt_p12_contents *c, qt_keyfile **out)
{
	const PKCS12_SAFEBAG *keybag = NULL, *certbag = NULL;
	qt_keyfile *kf;
	qt_err rc;
	int i;

	kf = OPENSSL_zalloc(sizeof *kf);
	if (kf == NULL)
		return QT_ERR_NOMEM;
	kf->format = c->format;
	if (sk_PKCS12_SAFEBAG_num(c->keybags) > 0) {
		const PKCS8_PRIV_KEY_INFO *p8;
		const ASN1_OBJECT *obj = NULL;

		keybag = sk_PKCS12_SAFEBAG_value(c->keybags, 0);
		p8 = PKCS12_SAFEBAG_get0_p8inf(keybag);
		kf->has_key = true;
		if (p8 != NULL && PKCS8_pkey_get0(&obj, NULL, NULL, NULL, p8) && obj != NULL)
			OBJ_obj2txt(kf->key_oid, sizeof kf->key_oid, obj, 1);
		ERR_set_mark();
		kf->key = p8 != NULL ? EVP_PKCS82PKEY(p8) : NULL;
		/* GOST and other algorithms OpenSSL lacks: not an error. */
		ERR_pop_to_mark();
	}
	/* The certificate: the one with the key's localKeyID, else the one
	 * that matches the key, else the first. */
	for (i = 0; i < sk_PKCS12_SAFEBAG_num(c->otherbags); i++) {
		const PKCS12_SAFEBAG *b = sk_PKCS12_SAFEBAG_value(c->otherbags, i);

		if (PKCS12_SAFEBAG_get_nid(b) != NID_certBag ||
		    PKCS12_SAFEBAG_get_bag_nid(b) != NID_x509Certificate)
			continue;
		if (certbag == NULL)
			certbag = b;
		if (keybag != NULL && same_local_key_id(b, keybag)) {
			certbag = b;
			break;
		}
		if (kf->key != NULL) {
			X509 *x = PKCS12_SAFEBAG_get1_cert(b);
			bool match;

			ERR_set_mark();
			match = x != NULL && X509_check_private_key(x, kf->key) == 1;
			ERR_pop_to_mark();
			X509_free(x);
			if (match) {
				certbag = b;
				break;
			}
		}
	}
	if (certbag == NULL) {
		rc = qt_error(QT_ERR_NO_CERT, _("the key store holds no certificate"));
		goto fail;
	}
	kf->cert = PKCS12_SAFEBAG_get1_cert(certbag);
	if (kf->cert == NULL) {
		rc = qt_error_ssl(QT_ERR_NOT_KEYSTORE, _("the certificate in the key store is damaged"));
		goto fail;
	}
	if (kf->key != NULL) {
		bool match;

		ERR_set_mark();
		match = X509_check_private_key(kf->cert, kf->key) == 1;
		ERR_pop_to_mark();
		if (!match) {
			rc = qt_error(QT_ERR_KEY_MISMATCH, _("the key file's certificate and key differ"));
			goto fail;
		}
	}
	rc = qt_cert_summarize(kf->cert, time(NULL), &kf->summary);
	if (rc != QT_OK)
		goto fail;
	if (kf->key == NULL)
		kf->summary.signing_supported = false;
	*out = kf;
	return QT_OK;
fail:
	qt_keyfile_free(kf);
	return rc;
}

qt_err qt_keyfile_open_mem(const unsigned char *der, size_t len,
                           const char *password, qt_keyfile **out)
{
	struct qt_p12_contents c;
	qt_err rc;

	*out = NULL;
	rc = qt_p12_decode(der, len, password, &c);
	if (rc != QT_OK)
		return rc;
	rc = keyfile_from_contents(&c, out);
	qt_p12_contents_free(&c);
	return rc;
}

qt_err qt_keyfile_open(const char *path, const char *password, qt_keyfile **out)
{
	unsigned char *der = NULL;
	size_t len = 0;
	qt_err rc;

	*out = NULL;
	rc = qt_read_file(path, P12_FILE_MAX, &der, &len);
	if (rc == QT_ERR_INVALID_ARG)
		return qt_error(QT_ERR_NOT_KEYSTORE, _("%s: too large for a key file"), path);
	if (rc != QT_OK)
		return rc;
	/* The detail names what failed, not the file: callers know it. */
	rc = qt_keyfile_open_mem(der, len, password, out);
	qt_free_secret(der, len + 1);
	return rc;
}

void qt_keyfile_free(qt_keyfile *kf)
{
	if (kf == NULL)
		return;
	X509_free(kf->cert);
	EVP_PKEY_free(kf->key);
	OPENSSL_clear_free(kf, sizeof *kf);
}

X509 *qt_keyfile_cert(const qt_keyfile *kf)
{
	return kf->cert;
}

EVP_PKEY *qt_keyfile_key(const qt_keyfile *kf)
{
	return kf->key;
}

bool qt_keyfile_has_key(const qt_keyfile *kf)
{
	return kf->has_key;
}

const char *qt_keyfile_key_oid(const qt_keyfile *kf)
{
	return kf->key_oid;
}

const struct qt_cert_summary *qt_keyfile_summary(const qt_keyfile *kf)
{
	return &kf->summary;
}

enum qt_p12_format qt_keyfile_format(const qt_keyfile *kf)
{
	return kf->format;
}

/* ---- Writing -------------------------------------------------------------- */

static int hex_to_bytes(const char *hex, unsigned char *out, size_t size)
{
	size_t i, n = strlen(hex);

	if (n % 2 != 0 || n / 2 > size)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i]);
		int lo = OPENSSL_hexchar2int((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

/* friendlyName = keyid as text, localKeyID = keyid as bytes: what NCA
 * writes on both bags. */
static int add_keyid_attrs(PKCS12_SAFEBAG *bag, const char *keyid)
{
	unsigned char id[64];
	int n = hex_to_bytes(keyid, id, sizeof id);

	return n > 0 && PKCS12_add_localkeyid(bag, id, n) &&
	       PKCS12_add_friendlyname_asc(bag, keyid, -1);
}

qt_err qt_p12_encode(EVP_PKEY *key, X509 *cert, const char *password,
                     const struct qt_p12_params *params,
                     unsigned char **der, size_t *len)
{
	return qt_p12_encode_ex(key, cert, password, params, 0, der, len);
}

qt_err qt_p12_encode_ex(EVP_PKEY *key, X509 *cert, const char *password,
                        const struct qt_p12_params *params, int mac_iter,
                        unsigned char **der, size_t *len)
{
	STACK_OF(PKCS12_SAFEBAG) *keybags = NULL, *certbags = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	PKCS12_SAFEBAG *bag = NULL;
	struct qt_cert_summary s;
	qt_err rc;
	bool match;

	*der = NULL;
	*len = 0;
	if (key == NULL || cert == NULL || password == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "key, certificate and password are needed");
	ERR_set_mark();
	match = X509_check_private_key(cert, key) == 1;
	ERR_pop_to_mark();
	if (!match)
		return qt_error(QT_ERR_KEY_MISMATCH, _("the certificate does not belong to this key"));
	rc = qt_cert_summarize(cert, time(NULL), &s);
	if (rc != QT_OK)
		return rc;
	if (s.keyid[0] == '\0' && (rc = qt_keyid_of_key(key, s.keyid)) != QT_OK)
		return rc;

	rc = QT_ERR_CRYPTO;
	keybags = sk_PKCS12_SAFEBAG_new_null();
	certbags = sk_PKCS12_SAFEBAG_new_null();
	if (keybags == NULL || certbags == NULL)
		goto done;
	p8 = EVP_PKEY2PKCS8(key);
	if (p8 == NULL)
		goto done;
	bag = PKCS12_SAFEBAG_create0_p8inf(p8);
	if (bag == NULL)
		goto done;
	p8 = NULL;
	if (!add_keyid_attrs(bag, s.keyid) || !sk_PKCS12_SAFEBAG_push(keybags, bag))
		goto done;
	bag = PKCS12_SAFEBAG_create_cert(cert);
	if (bag == NULL || !add_keyid_attrs(bag, s.keyid) || !sk_PKCS12_SAFEBAG_push(certbags, bag))
		goto done;
	bag = NULL;
	rc = qt_p12_build(keybags, certbags, password, params, mac_iter, der, len);
done:
	if (rc == QT_ERR_CRYPTO)
		rc = qt_error_ssl(QT_ERR_CRYPTO, _("cannot build the key file"));
	PKCS8_PRIV_KEY_INFO_free(p8);
	PKCS12_SAFEBAG_free(bag);
	sk_PKCS12_SAFEBAG_pop_free(keybags, PKCS12_SAFEBAG_free);
	sk_PKCS12_SAFEBAG_pop_free(certbags, PKCS12_SAFEBAG_free);
	return rc;
}

qt_err qt_p12_write(const char *path, EVP_PKEY *key, X509 *cert,
                    const char *password, const struct qt_p12_params *params,
                    unsigned flags)
{
	unsigned char *der = NULL;
	size_t len = 0;
	qt_err rc;

	rc = qt_p12_encode(key, cert, password, params, &der, &len);
	if (rc != QT_OK)
		return rc;
	rc = qt_atomic_write(path, der, len, 0600, flags);
	qt_free_secret(der, len);
	return rc;
}

qt_err qt_p12_filename(const struct qt_cert_summary *s, char *buf, size_t size)
{
	const char *prefix = NULL;
	bool auth;
	size_t i;
	int n;

	if (s == NULL || strlen(s->keyid) != 40)
		return qt_error(QT_ERR_INVALID_ARG, _("the certificate has no key identifier"));
	for (i = 0; i < 40; i++)
		if (!((s->keyid[i] >= '0' && s->keyid[i] <= '9') ||
		      (s->keyid[i] >= 'a' && s->keyid[i] <= 'f')))
			return qt_error(QT_ERR_INVALID_ARG, "keyid %s", s->keyid);
	if (s->purpose == QT_PURPOSE_UNKNOWN && s->key_alg != QT_KEYALG_GOST2015_512)
		return qt_error(QT_ERR_INVALID_ARG,
		                _("the certificate says neither authentication nor signing"));
	auth = s->purpose == QT_PURPOSE_AUTH;
	switch (s->key_alg) {
	case QT_KEYALG_RSA:
		prefix = auth ? "AUTH_RSA256_" : "RSA256_";
		break;
	case QT_KEYALG_EC:
		prefix = auth ? "AUTH_ECP256_" : "ECP256_";
		break;
	case QT_KEYALG_GOST2004:
		/* NCA names only the signing file (GOSTKNCA_); an AUTH GOST
		 * key gets the AUTH_ prefix by analogy. */
		prefix = auth ? "AUTH_GOSTKNCA_" : "GOSTKNCA_";
		break;
	case QT_KEYALG_GOST2015_512:
		prefix = "GOST512_";   /* one key for both purposes */
		break;
	default:
		return qt_error(QT_ERR_UNSUPPORTED_ALG, "%s", s->key_algorithm);
	}
	n = snprintf(buf, size, "%s%s.p12", prefix, s->keyid);
	if (n < 0 || (size_t)n >= size)
		return qt_error(QT_ERR_INVALID_ARG, "buffer too small");
	return QT_OK;
}

/* ---- Changing the password ---------------------------------------------- */

qt_err qt_keyfile_change_password(const char *path, const char *old_password,
                                  const char *new_password)
{
	struct qt_p12_contents c, check;
	struct qt_p12_params params;
	unsigned char *der = NULL, *out = NULL;
	size_t len = 0, outlen = 0;
	char real[PATH_MAX];
	qt_err rc;

	if (path == NULL || old_password == NULL || new_password == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "missing argument");
	rc = qt_password_check(new_password);
	if (rc != QT_OK)
		return qt_error(rc, _("the new password"));
	/* A symbolic link stays one: the file it points to is replaced,
	 * in its own folder. */
	if (realpath(path, real) != NULL)
		path = real;
	rc = qt_read_file(path, P12_FILE_MAX, &der, &len);
	if (rc == QT_ERR_INVALID_ARG)
		return qt_error(QT_ERR_NOT_KEYSTORE, _("%s: too large for a key file"), path);
	if (rc != QT_OK)
		return rc;
	rc = qt_p12_decode(der, len, old_password, &c);
	qt_free_secret(der, len + 1);
	if (rc != QT_OK)
		return rc;
	if (sk_PKCS12_SAFEBAG_num(c.keybags) == 0) {
		qt_p12_contents_free(&c);
		return qt_error(QT_ERR_NO_KEY, "%s", path);
	}
	/* Same format as before: an NCA file stays readable by NCA's
	 * software. */
	params.format = c.format;
	params.iterations = 0;
	rc = qt_p12_build(c.keybags, c.otherbags, new_password, &params, 0, &out, &outlen);
	qt_p12_contents_free(&c);
	if (rc != QT_OK)
		return rc;
	/* Read it back before it replaces anything. */
	rc = qt_p12_decode(out, outlen, new_password, &check);
	if (rc != QT_OK) {
		qt_free_secret(out, outlen);
		return qt_error(QT_ERR_INTERNAL, _("the re-encrypted file does not read back"));
	}
	qt_p12_contents_free(&check);
	rc = qt_atomic_write(path, out, outlen, 0600, QT_WRITE_REPLACE);
	qt_free_secret(out, outlen);
	return rc;
}
