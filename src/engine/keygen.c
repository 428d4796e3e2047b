/* Key pairs and PKCS#10 requests. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <qoltanba/keygen.h>
#include <qoltanba/oids.h>
#include "i18n.h"

qt_err qt_keygen(enum qt_keytype type, EVP_PKEY **out)
{
	EVP_PKEY *k = NULL;

	*out = NULL;
	switch (type) {
	case QT_KEY_RSA2048:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		break;
	case QT_KEY_EC_P256:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	default:
		return qt_error(QT_ERR_INVALID_ARG, "key type %d", (int)type);
	}
	if (k == NULL)
		return qt_error_ssl(QT_ERR_KEYGEN, "%s", qt_keytype_name(type));
	*out = k;
	return QT_OK;
}

qt_err qt_keytype_parse(const char *name, enum qt_keytype *out)
{
	if (strcasecmp(name, "rsa") == 0 || strcasecmp(name, "rsa2048") == 0) {
		*out = QT_KEY_RSA2048;
		return QT_OK;
	}
	if (strcasecmp(name, "ec") == 0 || strcasecmp(name, "p256") == 0 ||
	    strcasecmp(name, "p-256") == 0 || strcasecmp(name, "ecdsa-p256") == 0) {
		*out = QT_KEY_EC_P256;
		return QT_OK;
	}
	return qt_error(QT_ERR_INVALID_ARG,
	                _("unknown key type \"%s\": use rsa2048 or ecdsa-p256"), name);
}

const char *qt_keytype_name(enum qt_keytype type)
{
	return type == QT_KEY_EC_P256 ? "ecdsa-p256" : "rsa2048";
}

static const struct {
	enum qt_storage storage;
	const char *oid;
} storage_oids[] = {
	{ QT_STORAGE_PKCS12, QT_OID_STORAGE_PKCS12 },
	{ QT_STORAGE_IDCARD, QT_OID_STORAGE_IDCARD },
	{ QT_STORAGE_KAZTOKEN, QT_OID_STORAGE_KAZTOKEN },
	{ QT_STORAGE_ETOKEN72K, QT_OID_STORAGE_ETOKEN72K },
	{ QT_STORAGE_ETOKEN5110, QT_OID_STORAGE_ETOKEN5110 },
	{ QT_STORAGE_JACARTA, QT_OID_STORAGE_JACARTA },
	{ QT_STORAGE_AKEY, QT_OID_STORAGE_AKEY },
};

const char *qt_storage_oid(enum qt_storage s)
{
	size_t i;

	for (i = 0; i < sizeof storage_oids / sizeof storage_oids[0]; i++)
		if (storage_oids[i].storage == s)
			return storage_oids[i].oid;
	return NULL;
}

enum qt_storage qt_storage_from_oid(const char *oid)
{
	size_t i;

	for (i = 0; oid != NULL && i < sizeof storage_oids / sizeof storage_oids[0]; i++)
		if (strcmp(storage_oids[i].oid, oid) == 0)
			return storage_oids[i].storage;
	return QT_STORAGE_UNKNOWN;
}

static int add_rdn(X509_NAME *n, int nid, const char *prefix, const char *value)
{
	char buf[320];

	if (value == NULL || value[0] == '\0')
		return 1;
	snprintf(buf, sizeof buf, "%s%s", prefix, value);
	return X509_NAME_add_entry_by_NID(n, nid, MBSTRING_UTF8,
	                                  (const unsigned char *)buf, -1, -1, 0);
}

/* The value of 1.2.398.3.3.5: SEQUENCE { OBJECT IDENTIFIER }.  The
 * portal's CA puts the same extension in the certificates it issues. */
X509_EXTENSION *qt_storage_extension(enum qt_storage s)
{
	const char *oid = qt_storage_oid(s);
	ASN1_OBJECT *ext_obj = NULL, *val_obj = NULL;
	ASN1_OCTET_STRING *os = NULL;
	X509_EXTENSION *ext = NULL;
	unsigned char der[64], *p;
	int olen;

	if (oid == NULL)
		return NULL;
	val_obj = OBJ_txt2obj(oid, 1);
	ext_obj = OBJ_txt2obj(QT_OID_KEY_STORAGE, 1);
	if (val_obj == NULL || ext_obj == NULL)
		goto done;
	olen = i2d_ASN1_OBJECT(val_obj, NULL);
	if (olen <= 0 || olen + 2 > (int)sizeof der || olen > 127)
		goto done;
	der[0] = 0x30;
	der[1] = (unsigned char)olen;
	p = der + 2;
	i2d_ASN1_OBJECT(val_obj, &p);
	os = ASN1_OCTET_STRING_new();
	if (os == NULL || !ASN1_OCTET_STRING_set(os, der, olen + 2))
		goto done;
	ext = X509_EXTENSION_create_by_OBJ(NULL, ext_obj, 0, os);
done:
	ASN1_OBJECT_free(val_obj);
	ASN1_OBJECT_free(ext_obj);
	ASN1_OCTET_STRING_free(os);
	return ext;
}

qt_err qt_csr_create(EVP_PKEY *key, const struct qt_csr_params *p, X509_REQ **out)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_EXTENSION *ext;
	X509V3_CTX ctx;
	X509_REQ *req = NULL;
	X509_NAME *name;
	qt_err rc = QT_ERR_CRYPTO;
	char san[300];

	*out = NULL;
	if (key == NULL || p == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "no key");
	req = X509_REQ_new();
	exts = sk_X509_EXTENSION_new_null();
	if (req == NULL || exts == NULL)
		goto fail;
	if (!X509_REQ_set_version(req, X509_REQ_VERSION_1))
		goto fail;

	/* NCA's RDN order: CN, SURNAME, SERIALNUMBER, C, O, OU, G. */
	name = X509_REQ_get_subject_name(req);
	if (!add_rdn(name, NID_commonName, "", p->common_name) ||
	    !add_rdn(name, NID_surname, "", p->surname) ||
	    !add_rdn(name, NID_serialNumber, "IIN", p->iin) ||
	    !add_rdn(name, NID_countryName, "", "KZ") ||
	    !add_rdn(name, NID_organizationName, "", p->organization) ||
	    !add_rdn(name, NID_organizationalUnitName, "BIN", p->bin) ||
	    !add_rdn(name, NID_givenName, "", p->given_name)) {
		rc = qt_error_ssl(QT_ERR_INVALID_ARG, _("a name does not fit a certificate"));
		goto fail;
	}
	if (!X509_REQ_set_pubkey(req, key))
		goto fail;

	X509V3_set_ctx(&ctx, NULL, NULL, req, NULL, 0);
	if (p->purpose != QT_PURPOSE_UNKNOWN) {
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage,
		                          p->purpose == QT_PURPOSE_AUTH
		                          ? "critical,digitalSignature,keyEncipherment"
		                          : "critical,digitalSignature,nonRepudiation");
		if (ext == NULL || !sk_X509_EXTENSION_push(exts, ext)) {
			X509_EXTENSION_free(ext);
			goto fail;
		}
	}
	if (p->email != NULL && p->email[0] != '\0') {
		if (strchr(p->email, ',') != NULL || strlen(p->email) > 254) {
			rc = qt_error(QT_ERR_EMAIL, "%s", p->email);
			goto fail;
		}
		snprintf(san, sizeof san, "email:%s", p->email);
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
		if (ext == NULL || !sk_X509_EXTENSION_push(exts, ext)) {
			X509_EXTENSION_free(ext);
			rc = qt_error_ssl(QT_ERR_EMAIL, "%s", p->email);
			goto fail;
		}
	}
	if (p->storage != QT_STORAGE_UNKNOWN) {
		ext = qt_storage_extension(p->storage);
		if (ext == NULL || !sk_X509_EXTENSION_push(exts, ext)) {
			X509_EXTENSION_free(ext);
			goto fail;
		}
	}
	if (sk_X509_EXTENSION_num(exts) > 0 && !X509_REQ_add_extensions(req, exts))
		goto fail;
	if (X509_REQ_sign(req, key, EVP_sha256()) <= 0)
		goto fail;
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	*out = req;
	return QT_OK;

fail:
	if (rc == QT_ERR_CRYPTO)
		rc = qt_error_ssl(QT_ERR_CRYPTO, _("cannot build the request"));
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	return rc;
}

qt_err qt_csr_pem(X509_REQ *req, char **out)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *copy;
	long n;

	*out = NULL;
	if (b == NULL)
		return QT_ERR_NOMEM;
	if (!PEM_write_bio_X509_REQ(b, req)) {
		BIO_free(b);
		return qt_error_ssl(QT_ERR_CRYPTO, "PEM");
	}
	n = BIO_get_mem_data(b, &data);
	copy = malloc((size_t)n + 1);
	if (copy == NULL) {
		BIO_free(b);
		return QT_ERR_NOMEM;
	}
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	BIO_free(b);
	*out = copy;
	return QT_OK;
}

enum qt_storage qt_csr_storage(X509_REQ *req)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	enum qt_storage s = QT_STORAGE_UNKNOWN;
	ASN1_OBJECT *want = OBJ_txt2obj(QT_OID_KEY_STORAGE, 1);
	int i;

	for (i = 0; want != NULL && i < sk_X509_EXTENSION_num(exts); i++) {
		X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, i);
		const ASN1_OCTET_STRING *v;
		const unsigned char *q;
		ASN1_OBJECT *o;
		char txt[80];

		if (OBJ_cmp(X509_EXTENSION_get_object(e), want) != 0)
			continue;
		v = X509_EXTENSION_get_data(e);
		if (ASN1_STRING_length(v) < 4 || ASN1_STRING_get0_data(v)[0] != 0x30)
			break;
		q = ASN1_STRING_get0_data(v) + 2;
		o = d2i_ASN1_OBJECT(NULL, &q, ASN1_STRING_length(v) - 2);
		if (o != NULL && OBJ_obj2txt(txt, sizeof txt, o, 1) > 0)
			s = qt_storage_from_oid(txt);
		ASN1_OBJECT_free(o);
		break;
	}
	ASN1_OBJECT_free(want);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return s;
}
