/* Certificates: the NCA profile (domain.md section 2) read into a
 * summary a person can use.
 *
 * Nothing here decodes the subject's public key unless the algorithm is
 * one OpenSSL knows: NCA's GOST keys (1.2.398.3.10.1.1.1.1,
 * 1.2.398.3.10.1.1.2.2) make X509_get0_pubkey() fail, so the algorithm
 * is read from the SubjectPublicKeyInfo OID and the extensions are
 * decoded one by one with X509_get_ext_d2i(), which never touches the
 * key. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <qoltanba/cert.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/keygen.h>
#include <qoltanba/oids.h>
#include <qoltanba/secret.h>
#include "i18n.h"

/* Certificates are small; anything larger is not one. */
#define CERT_FILE_MAX (1024 * 1024)

static void hex_lower(const unsigned char *p, size_t n, char *out, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < n && o + 2 < size; i++) {
		out[o++] = digits[p[i] >> 4];
		out[o++] = digits[p[i] & 15];
	}
	if (size > 0)
		out[o] = '\0';
}

/* The UTF-8 value of the first entry with nid in name (or "" ). When
 * prefix is given, takes the first entry that starts with it and
 * strips it. */
static void name_entry(const X509_NAME *name, int nid, const char *prefix,
                       char *out, size_t size)
{
	int idx = -1;

	out[0] = '\0';
	while ((idx = X509_NAME_get_index_by_NID(name, nid, idx)) >= 0) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, idx);
		unsigned char *utf8 = NULL;
		int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
		size_t skip = 0;

		if (n < 0)
			continue;
		if (prefix != NULL) {
			size_t pl = strlen(prefix);
			if ((size_t)n < pl || memcmp(utf8, prefix, pl) != 0) {
				OPENSSL_free(utf8);
				continue;
			}
			skip = pl;
		}
		snprintf(out, size, "%.*s", n - (int)skip, (const char *)utf8 + skip);
		OPENSSL_free(utf8);
		return;
	}
}

/* Copies src into dst, cut to fit (at a byte; callers pass ASCII). */
static void set_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool obj_is(const ASN1_OBJECT *o, const char *oid)
{
	char txt[96];

	if (OBJ_obj2txt(txt, sizeof txt, o, 1) <= 0)
		return false;
	return strcmp(txt, oid) == 0;
}

/* Converts an ASN1_TIME to time_t (UTC). */
static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return (time_t)0;
	return timegm(&tm);
}

static void summarize_key(X509 *cert, struct qt_cert_summary *s)
{
	X509_PUBKEY *xpk = X509_get_X509_PUBKEY(cert);
	ASN1_OBJECT *alg = NULL;
	X509_ALGOR *pa = NULL;
	char txt[96];
	int nid;

	s->key_alg = QT_KEYALG_UNKNOWN;
	s->key_bits = 0;
	snprintf(s->key_algorithm, sizeof s->key_algorithm, "%s", _("unknown"));
	if (xpk == NULL || !X509_PUBKEY_get0_param(&alg, NULL, NULL, &pa, xpk) || alg == NULL)
		return;
	nid = OBJ_obj2nid(alg);
	if (nid == NID_rsaEncryption || nid == NID_rsassaPss) {
		EVP_PKEY *pk = X509_get0_pubkey(cert);
		s->key_alg = QT_KEYALG_RSA;
		s->key_bits = pk != NULL ? EVP_PKEY_get_bits(pk) : 0;
		snprintf(s->key_algorithm, sizeof s->key_algorithm, "RSA %d", s->key_bits);
		return;
	}
	if (nid == NID_X9_62_id_ecPublicKey) {
		EVP_PKEY *pk = X509_get0_pubkey(cert);
		char group[64] = "";
		const char *nist = NULL;
		size_t glen = 0;

		s->key_alg = QT_KEYALG_EC;
		if (pk != NULL) {
			s->key_bits = EVP_PKEY_get_bits(pk);
			if (EVP_PKEY_get_group_name(pk, group, sizeof group, &glen))
				nist = EC_curve_nid2nist(OBJ_sn2nid(group));
		}
		snprintf(s->key_algorithm, sizeof s->key_algorithm, "EC %s",
		         nist != NULL ? nist : group[0] ? group : "?");
		return;
	}
	if (nid == NID_ED25519 || nid == NID_ED448) {
		/* Not in NCA's profile; named, not used. */
		snprintf(s->key_algorithm, sizeof s->key_algorithm, "%s", OBJ_nid2sn(nid));
		return;
	}
	if (OBJ_obj2txt(txt, sizeof txt, alg, 1) <= 0)
		return;
	if (strcmp(txt, QT_OID_GOST2004_KEY) == 0) {
		s->key_alg = QT_KEYALG_GOST2004;
		s->key_bits = 256;
		snprintf(s->key_algorithm, sizeof s->key_algorithm, "GOST 34.310-2004");
	} else if (strcmp(txt, QT_OID_GOST2015_512_KEY) == 0) {
		s->key_alg = QT_KEYALG_GOST2015_512;
		s->key_bits = 512;
		snprintf(s->key_algorithm, sizeof s->key_algorithm, "GOST 34.10-2015 512");
	} else {
		set_str(s->key_algorithm, sizeof s->key_algorithm, txt);
	}
}

static const struct {
	const char *oid;
	enum qt_role role;
	const char *name;
	const char *label;
} roles[QT_ROLE_COUNT] = {
	{ QT_OID_ROLE_INDIVIDUAL, QT_ROLE_INDIVIDUAL, "individual", N_("individual") },
	{ QT_OID_ROLE_LEGAL_ENTITY, QT_ROLE_LEGAL_ENTITY, "legal_entity", N_("legal entity") },
	{ QT_OID_ROLE_FIRST_HEAD, QT_ROLE_FIRST_HEAD, "first_head", N_("first head") },
	{ QT_OID_ROLE_SIGNING_RIGHT, QT_ROLE_SIGNING_RIGHT, "signing_right", N_("person with signing right") },
	{ QT_OID_ROLE_FINANCIAL, QT_ROLE_FINANCIAL, "financial_signing_right",
	  N_("person with signing right for financial documents") },
	{ QT_OID_ROLE_HR, QT_ROLE_HR, "hr", N_("HR officer") },
	{ QT_OID_ROLE_EMPLOYEE, QT_ROLE_EMPLOYEE, "employee", N_("employee") },
};

static void summarize_usage(X509 *cert, struct qt_cert_summary *s)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
	ASN1_BIT_STRING *ku = X509_get_ext_d2i(cert, NID_key_usage, NULL, NULL);
	bool client_auth = false, email_prot = false;
	int i;
	size_t r;

	for (i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++) {
		ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		int nid = OBJ_obj2nid(o);

		if (nid == NID_client_auth) {
			client_auth = true;
			continue;
		}
		if (nid == NID_email_protect) {
			email_prot = true;
			continue;
		}
		for (r = 0; r < QT_ROLE_COUNT; r++)
			if (obj_is(o, roles[r].oid))
				s->roles |= roles[r].role;
	}
	/* EKU first (what NCA's profile says), then key usage: AUTH keys
	 * may encipher keys (TLS), SIGN keys carry nonRepudiation. */
	if (client_auth && !email_prot)
		s->purpose = QT_PURPOSE_AUTH;
	else if (email_prot && !client_auth)
		s->purpose = QT_PURPOSE_SIGN;
	else if (ku != NULL && ASN1_BIT_STRING_get_bit(ku, 1))
		s->purpose = QT_PURPOSE_SIGN;       /* nonRepudiation */
	else if (ku != NULL && ASN1_BIT_STRING_get_bit(ku, 2))
		s->purpose = QT_PURPOSE_AUTH;       /* keyEncipherment */
	else
		s->purpose = QT_PURPOSE_UNKNOWN;
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	ASN1_BIT_STRING_free(ku);
}

static void summarize_storage(X509 *cert, struct qt_cert_summary *s)
{
	int i, n = X509_get_ext_count(cert);

	s->storage = QT_STORAGE_UNKNOWN;
	for (i = 0; i < n; i++) {
		X509_EXTENSION *e = X509_get_ext(cert, i);
		const ASN1_OCTET_STRING *v;
		const unsigned char *p;
		ASN1_OBJECT *o;
		char txt[96];
		long len;
		int tag, cls;

		if (!obj_is(X509_EXTENSION_get_object(e), QT_OID_KEY_STORAGE))
			continue;
		/* SEQUENCE { OBJECT IDENTIFIER } */
		v = X509_EXTENSION_get_data(e);
		p = ASN1_STRING_get0_data(v);
		if (ASN1_get_object(&p, &len, &tag, &cls, ASN1_STRING_length(v)) & 0x80 ||
		    tag != V_ASN1_SEQUENCE)
			return;
		o = d2i_ASN1_OBJECT(NULL, &p, len);
		if (o != NULL && OBJ_obj2txt(txt, sizeof txt, o, 1) > 0)
			s->storage = qt_storage_from_oid(txt);
		ASN1_OBJECT_free(o);
		return;
	}
}

static void summarize_email(X509 *cert, struct qt_cert_summary *s)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	int i;

	s->email[0] = '\0';
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_EMAIL) {
			snprintf(s->email, sizeof s->email, "%.*s",
			         ASN1_STRING_length(g->d.rfc822Name),
			         (const char *)ASN1_STRING_get0_data(g->d.rfc822Name));
			break;
		}
	}
	GENERAL_NAMES_free(gens);
}

static void summarize_keyid(X509 *cert, struct qt_cert_summary *s)
{
	ASN1_OCTET_STRING *ski = X509_get_ext_d2i(cert, NID_subject_key_identifier, NULL, NULL);

	s->keyid[0] = '\0';
	if (ski != NULL) {
		hex_lower(ASN1_STRING_get0_data(ski), (size_t)ASN1_STRING_length(ski),
		          s->keyid, sizeof s->keyid);
		ASN1_OCTET_STRING_free(ski);
		return;
	}
	/* No SKI: method 1 of RFC 5280 over the key as it is, which works
	 * whatever the algorithm. */
	{
		const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(cert);
		unsigned char md[SHA_DIGEST_LENGTH];

		if (bits == NULL)
			return;
		SHA1(ASN1_STRING_get0_data(bits), (size_t)ASN1_STRING_length(bits), md);
		hex_lower(md, sizeof md, s->keyid, sizeof s->keyid);
	}
}

qt_err qt_cert_summarize(X509 *cert, time_t now, struct qt_cert_summary *out)
{
	const X509_NAME *subj, *iss;
	const ASN1_INTEGER *serial;
	char buf[128];
	double diff;

	if (cert == NULL || out == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "no certificate");
	memset(out, 0, sizeof *out);
	subj = X509_get_subject_name(cert);
	iss = X509_get_issuer_name(cert);
	if (subj == NULL || iss == NULL)
		return qt_error(QT_ERR_NOT_KEYSTORE, "certificate without names");

	name_entry(subj, NID_commonName, NULL, out->common_name, sizeof out->common_name);
	name_entry(subj, NID_surname, NULL, out->surname, sizeof out->surname);
	name_entry(subj, NID_givenName, NULL, out->given_name, sizeof out->given_name);
	name_entry(subj, NID_organizationName, NULL, out->organization, sizeof out->organization);
	name_entry(iss, NID_commonName, NULL, out->issuer, sizeof out->issuer);

	/* SERIALNUMBER=IIN123456789011; OU=BIN123456789021.  Keep the
	 * digits only; a certificate with anything else there gets none. */
	name_entry(subj, NID_serialNumber, "IIN", buf, sizeof buf);
	if (all_digits(buf) && strlen(buf) < sizeof out->iin)
		set_str(out->iin, sizeof out->iin, buf);
	name_entry(subj, NID_organizationalUnitName, "BIN", buf, sizeof buf);
	if (all_digits(buf) && strlen(buf) < sizeof out->bin)
		set_str(out->bin, sizeof out->bin, buf);

	serial = X509_get0_serialNumber(cert);
	if (serial != NULL)
		hex_lower(ASN1_STRING_get0_data(serial), (size_t)ASN1_STRING_length(serial),
		          out->serial, sizeof out->serial);

	summarize_email(cert, out);
	summarize_keyid(cert, out);
	summarize_key(cert, out);
	summarize_usage(cert, out);
	summarize_storage(cert, out);

	out->not_before = asn1_time(X509_get0_notBefore(cert));
	out->not_after = asn1_time(X509_get0_notAfter(cert));
	out->expired = now > out->not_after;
	out->not_yet_valid = now < out->not_before;
	/* Whole days, rounded towards minus infinity: -1 on the day after
	 * expiry, 0 on the last day. */
	diff = difftime(out->not_after, now);
	out->days_left = (long)(diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400));
	out->signing_supported = out->key_alg == QT_KEYALG_RSA || out->key_alg == QT_KEYALG_EC;
	return QT_OK;
}

qt_err qt_cert_load(const char *path, X509 **out)
{
	unsigned char *data = NULL;
	size_t len = 0;
	X509 *x = NULL;
	qt_err rc;

	*out = NULL;
	rc = qt_read_file(path, CERT_FILE_MAX, &data, &len);
	if (rc == QT_ERR_INVALID_ARG)
		return qt_error(QT_ERR_NOT_KEYSTORE, _("%s: too large for a certificate"), path);
	if (rc != QT_OK)
		return rc;
	if (len == 0) {
		OPENSSL_free(data);
		return qt_error(QT_ERR_NOT_KEYSTORE, _("%s: the file is empty"), path);
	}
	/* Parsed with d2i_X509 / PEM_read_bio_X509 directly: the decoder
	 * path of `openssl x509` refuses GOST certificates. */
	if (strstr((const char *)data, "-----BEGIN") != NULL) {
		BIO *b = BIO_new_mem_buf(data, (int)len);
		if (b != NULL)
			x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		const unsigned char *p = data;
		x = d2i_X509(NULL, &p, (long)len);
		if (x != NULL && p != data + len) {
			/* Trailing bytes: a truncated or concatenated file is not
			 * a certificate we should trust to be what it says. */
			X509_free(x);
			x = NULL;
		}
	}
	OPENSSL_free(data);
	if (x == NULL)
		return qt_error_ssl(QT_ERR_NOT_KEYSTORE, _("%s: no certificate in the file"), path);
	*out = x;
	return QT_OK;
}

const char *qt_purpose_name(enum qt_purpose p)
{
	switch (p) {
	case QT_PURPOSE_AUTH: return "auth";
	case QT_PURPOSE_SIGN: return "sign";
	default: return "unknown";
	}
}

const char *qt_purpose_label(enum qt_purpose p)
{
	switch (p) {
	case QT_PURPOSE_AUTH: return _("authentication (AUTH)");
	case QT_PURPOSE_SIGN: return _("signing (SIGN)");
	default: return _("unknown purpose");
	}
}

const char *qt_role_name(enum qt_role r)
{
	size_t i;

	for (i = 0; i < QT_ROLE_COUNT; i++)
		if (roles[i].role == r)
			return roles[i].name;
	return "unknown";
}

const char *qt_role_label(enum qt_role r)
{
	size_t i;

	for (i = 0; i < QT_ROLE_COUNT; i++)
		if (roles[i].role == r)
			return _(roles[i].label);
	return _("unknown role");
}

const char *qt_storage_name(enum qt_storage s)
{
	switch (s) {
	case QT_STORAGE_PKCS12: return "pkcs12";
	case QT_STORAGE_IDCARD: return "idcard";
	case QT_STORAGE_KAZTOKEN: return "kaztoken";
	case QT_STORAGE_ETOKEN72K: return "etoken72k";
	case QT_STORAGE_ETOKEN5110: return "etoken5110";
	case QT_STORAGE_JACARTA: return "jacarta";
	case QT_STORAGE_AKEY: return "akey";
	default: return "unknown";
	}
}

const char *qt_storage_label(enum qt_storage s)
{
	switch (s) {
	case QT_STORAGE_PKCS12: return _("key file (PKCS#12)");
	case QT_STORAGE_IDCARD: return _("ID card");
	case QT_STORAGE_KAZTOKEN: return "Kaztoken";
	case QT_STORAGE_ETOKEN72K: return "eToken PRO 72K";
	case QT_STORAGE_ETOKEN5110: return "eToken 5110";
	case QT_STORAGE_JACARTA: return "JaCarta";
	case QT_STORAGE_AKEY: return "AKey";
	default: return _("not stated");
	}
}

qt_err qt_keyid_of_key(const EVP_PKEY *key, char out[41])
{
	X509_PUBKEY *xpk = NULL;
	const unsigned char *pk;
	unsigned char md[SHA_DIGEST_LENGTH];
	int pklen;

	out[0] = '\0';
	if (key == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "no key");
	/* X509_PUBKEY_set() takes a non-const key but only reads it. */
	if (!X509_PUBKEY_set(&xpk, (EVP_PKEY *)key) ||
	    !X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, xpk)) {
		X509_PUBKEY_free(xpk);
		return qt_error_ssl(QT_ERR_CRYPTO, "public key");
	}
	SHA1(pk, (size_t)pklen, md);
	X509_PUBKEY_free(xpk);
	hex_lower(md, sizeof md, out, 41);
	return QT_OK;
}

void qt_time_iso8601(time_t t, char out[32])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(out, 32, "?");
		return;
	}
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
