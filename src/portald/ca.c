/* qoltanbad's certification authority (see ca.h for the decisions). */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <qoltanba/fsutil.h>
#include <qoltanba/idnum.h>
#include <qoltanba/keygen.h>
#include <qoltanba/oids.h>
#include <qoltanba/secret.h>
#include "i18n.h"
#include "portald/ca.h"

#define ROOT_BITS        4096
#define ISSUING_BITS     2048
#define ROOT_DAYS        (20 * 365 + 5)
#define ISSUING_DAYS     (10 * 365 + 2)
#define ROOT_CRL_PERIOD  (30L * 24 * 60 * 60)
#define DAY              (24L * 60 * 60)
#define MAX_FIELD        255     /* bytes of one subject string */
#define MAX_URL          512
#define URL_BUF          (MAX_URL + 64)  /* base URL + one of our paths */
#define MAX_OCSP_IDS     32      /* certificates asked in one OCSP request */

#define ROOT_CN_PREFIX    "НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) qoltanbad "
#define ISSUING_CN_PREFIX "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) qoltanbad "
#define PORTAL_NAME_MAX   20     /* characters: keeps each CN within 64 */

struct pd_ca {
	X509 *root, *issuing;
	EVP_PKEY *root_key, *issuing_key;
	char base_url[MAX_URL];
	char *chain_pem;
	unsigned char *chain_p7c;
	size_t chain_p7c_len;
	time_t issuing_not_before, issuing_not_after;
};

/* ---- small helpers ---------------------------------------------------- */

static qt_err nomem(void)
{
	return qt_error(QT_ERR_NOMEM, "out of memory");
}

/* Copies a DER encoding made by i2d into a malloc()ed buffer. */
static qt_err der_out(int n, unsigned char *tmp, unsigned char **der, size_t *len)
{
	unsigned char *copy;

	if (n <= 0 || tmp == NULL) {
		OPENSSL_free(tmp);
		return qt_error_ssl(QT_ERR_CRYPTO, "DER encoding");
	}
	copy = malloc((size_t)n);
	if (copy == NULL) {
		OPENSSL_free(tmp);
		return nomem();
	}
	memcpy(copy, tmp, (size_t)n);
	OPENSSL_free(tmp);
	*der = copy;
	*len = (size_t)n;
	return QT_OK;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* Decodes one UTF-8 sequence; returns its length, 0 when invalid
 * (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static size_t utf8_put(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Upper case of Latin, Latin-1, Cyrillic and Cyrillic Supplement
 * letters (which hold the Kazakh ones: Ә Ғ Қ Ң Ө Ұ Ү Һ І), without
 * depending on the process's locale. */
static uint32_t upper(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return c - 0x20;
	if (c >= 0xe0 && c <= 0xfe && c != 0xf7)
		return c - 0x20;
	if (c == 0xff)
		return 0x178;
	if (c >= 0x430 && c <= 0x44f)
		return c - 0x20;
	if (c >= 0x450 && c <= 0x45f)
		return c - 0x50;
	if (((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf) ||
	     (c >= 0x4d0 && c <= 0x52f)) && (c & 1))
		return c - 1;
	if (c >= 0x4c1 && c <= 0x4ce && !(c & 1))
		return c - 1;
	if (c == 0x4cf)
		return 0x4c0;
	return c;
}

/* Checks that s is UTF-8 without control characters, at most max
 * bytes, and (when up) writes its upper case to out (size > max * 2,
 * as no mapping here grows a character by more than one byte). */
static bool clean_utf8(const char *s, size_t max, bool up, char *out, size_t outsize,
                       size_t *chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n = 0, len;
	uint32_t c;

	if (strlen(s) > max)
		return false;
	while (*p != '\0') {
		len = utf8_next(p, &c);
		if (len == 0 || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
			return false;
		if (out != NULL) {
			if (o + 5 > outsize)
				return false;
			if (up)
				o += utf8_put(upper(c), out + o);
			else {
				memcpy(out + o, p, len);
				o += len;
			}
		}
		p += len;
		n++;
	}
	if (out != NULL)
		out[o] = '\0';
	if (chars != NULL)
		*chars = n;
	return true;
}

static bool email_ok(const char *e)
{
	const char *at = strchr(e, '@');
	size_t i, n = strlen(e);

	if (n < 3 || n > 254 || at == NULL || at == e || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)e[i] <= 0x20 || (unsigned char)e[i] >= 0x7f ||
		    e[i] == ',' || e[i] == '<' || e[i] == '>' || e[i] == '"')
			return false;
	return true;
}

static bool url_ok(const char *u)
{
	size_t i, n = strlen(u);

	if (n < 8 || n >= MAX_URL - 40 ||
	    (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0))
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f ||
		    u[i] == '"' || u[i] == '<' || u[i] == '>' || u[i] == '\\' ||
		    u[i] == ',' || u[i] == '?' || u[i] == '#')
			return false;
	return true;
}

static qt_err set_base_url(char out[MAX_URL], const char *base_url)
{
	size_t n;

	if (base_url == NULL || !url_ok(base_url))
		return qt_error(QT_ERR_CONFIG,
		                _("the portal's base URL \"%s\" must be http:// or https://, "
		                  "without spaces, query or fragment"),
		                base_url != NULL ? base_url : "");
	snprintf(out, MAX_URL, "%s", base_url);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	return QT_OK;
}

/* 20 random bytes, first one 0x01..0x7f: positive and encoded on all
 * 20 bytes (a leading zero byte would shorten the DER INTEGER). */
static qt_err random_serial(ASN1_INTEGER **out)
{
	unsigned char b[PD_CA_SERIAL_LEN];
	BIGNUM *bn;

	if (RAND_bytes(b, sizeof b) != 1)
		return qt_error_ssl(QT_ERR_CRYPTO, "RAND_bytes");
	b[0] &= 0x7f;
	while (b[0] == 0) {
		if (RAND_bytes(b, 1) != 1)
			return qt_error_ssl(QT_ERR_CRYPTO, "RAND_bytes");
		b[0] &= 0x7f;
	}
	bn = BN_bin2bn(b, sizeof b, NULL);
	*out = bn != NULL ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	BN_free(bn);
	return *out != NULL ? QT_OK : qt_error_ssl(QT_ERR_CRYPTO, "serial");
}

static GENERAL_NAME *gn_ia5(int type, const char *value)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();

	if (gn == NULL || s == NULL || !ASN1_STRING_set(s, value, (int)strlen(value))) {
		GENERAL_NAME_free(gn);
		ASN1_IA5STRING_free(s);
		return NULL;
	}
	GENERAL_NAME_set0_value(gn, type, s);
	return gn;
}

/* SHA-1 of the subjectPublicKey BIT STRING (RFC 5280 4.2.1.2 (1)). */
static bool keyid_of(X509_PUBKEY *pk, unsigned char md[SHA_DIGEST_LENGTH])
{
	const unsigned char *bits;
	int len;
	unsigned int mdlen = 0;

	if (pk == NULL || !X509_PUBKEY_get0_param(NULL, &bits, &len, NULL, pk))
		return false;
	return EVP_Digest(bits, (size_t)len, md, &mdlen, EVP_sha1(), NULL) == 1 &&
	       mdlen == SHA_DIGEST_LENGTH;
}

static void hex_lower(const unsigned char *b, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* A SubjectPublicKeyInfo as found in a request, borrowed from it: the
 * algorithm, its parameters and the key's BIT STRING, never decoded into
 * a key object. */
struct spki {
	const ASN1_OBJECT *alg;
	int ptype;                 /* V_ASN1_NULL, V_ASN1_UNDEF or V_ASN1_OBJECT */
	const void *pval;          /* the named curve for EC */
	const unsigned char *bits;
	int len;
	bool ec;
};

static bool spki_of_x509_pubkey(X509_PUBKEY *pk, struct spki *k)
{
	ASN1_OBJECT *alg;
	X509_ALGOR *a;
	const ASN1_OBJECT *palg;

	memset(k, 0, sizeof *k);
	if (pk == NULL || !X509_PUBKEY_get0_param(&alg, &k->bits, &k->len, &a, pk) ||
	    k->len <= 0)
		return false;
	X509_ALGOR_get0(&palg, &k->ptype, &k->pval, a);
	k->alg = alg;
	k->ec = OBJ_obj2nid(alg) == NID_X9_62_id_ecPublicKey;
	return true;
}

/* Copies the request's SubjectPublicKeyInfo into the certificate as it
 * is.  X509_set_pubkey() would re-encode the key through OpenSSL 3's
 * encoders and decode it back, a third of the cost of an issuance, and
 * could change the encoding (a compressed EC point) and so the keyid
 * the applicant computed from the request. */
static bool copy_pubkey(X509 *x, const struct spki *k)
{
	X509_PUBKEY *to = X509_get_X509_PUBKEY(x);
	unsigned char *copy;
	ASN1_OBJECT *param = NULL;

	if (to == NULL || k->len <= 0)
		return false;
	if (k->ptype == V_ASN1_OBJECT) {        /* EC: the named curve */
		param = OBJ_dup(k->pval);
		if (param == NULL)
			return false;
	} else if (k->ptype != V_ASN1_NULL && k->ptype != V_ASN1_UNDEF) {
		return false;                   /* explicit parameters: not ours */
	}
	copy = OPENSSL_memdup(k->bits, (size_t)k->len);
	if (copy == NULL ||
	    !X509_PUBKEY_set0_param(to, OBJ_dup(k->alg), k->ptype, k->ptype == V_ASN1_OBJECT
	                            ? (void *)param : NULL, copy, k->len)) {
		OPENSSL_free(copy);
		ASN1_OBJECT_free(param);
		return false;
	}
	return true;
}

/* ---- extensions ------------------------------------------------------- */

static bool add_ext(X509 *x, int nid, void *value, int crit)
{
	return X509_add1_ext_i2d(x, nid, value, crit, X509V3_ADD_APPEND) == 1;
}

static bool add_key_usage(X509 *x, const int *bits, size_t n)
{
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	bool ok = ku != NULL;
	size_t i;

	for (i = 0; ok && i < n; i++)
		ok = ASN1_BIT_STRING_set_bit(ku, bits[i], 1) == 1;
	ok = ok && add_ext(x, NID_key_usage, ku, 1);
	ASN1_BIT_STRING_free(ku);
	return ok;
}

static bool add_basic_constraints(X509 *x, bool ca, long pathlen)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	bool ok = bc != NULL;

	if (ok) {
		bc->ca = ca ? 0xff : 0;
		if (pathlen >= 0) {
			bc->pathlen = ASN1_INTEGER_new();
			ok = bc->pathlen != NULL && ASN1_INTEGER_set(bc->pathlen, pathlen);
		}
	}
	ok = ok && add_ext(x, NID_basic_constraints, bc, 1);
	BASIC_CONSTRAINTS_free(bc);
	return ok;
}

static bool add_ski(X509 *x)
{
	unsigned char md[SHA_DIGEST_LENGTH];
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	bool ok = os != NULL && keyid_of(X509_get_X509_PUBKEY(x), md) &&
	          ASN1_OCTET_STRING_set(os, md, sizeof md) &&
	          add_ext(x, NID_subject_key_identifier, os, 0);

	ASN1_OCTET_STRING_free(os);
	return ok;
}

static AUTHORITY_KEYID *akid_of(X509 *issuer)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(issuer);
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();

	if (akid == NULL || ski == NULL ||
	    (akid->keyid = ASN1_OCTET_STRING_dup(ski)) == NULL) {
		AUTHORITY_KEYID_free(akid);
		return NULL;
	}
	return akid;
}

static bool add_aki(X509 *x, X509 *issuer)
{
	AUTHORITY_KEYID *akid = akid_of(issuer);
	bool ok = akid != NULL && add_ext(x, NID_authority_key_identifier, akid, 0);

	AUTHORITY_KEYID_free(akid);
	return ok;
}

/* certificatePolicies: one policy, with a CPS qualifier when cps. */
static bool add_policy(X509 *x, const char *oid, const char *cps)
{
	CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
	POLICYINFO *pi = POLICYINFO_new();
	POLICYQUALINFO *q = NULL;
	bool ok = false;

	if (pols == NULL || pi == NULL || !sk_POLICYINFO_push(pols, pi)) {
		POLICYINFO_free(pi);
		goto done;
	}
	ASN1_OBJECT_free(pi->policyid);
	pi->policyid = OBJ_txt2obj(oid, 1);
	if (pi->policyid == NULL)
		goto done;
	if (cps != NULL) {
		pi->qualifiers = sk_POLICYQUALINFO_new_null();
		q = POLICYQUALINFO_new();
		if (pi->qualifiers == NULL || q == NULL ||
		    !sk_POLICYQUALINFO_push(pi->qualifiers, q)) {
			POLICYQUALINFO_free(q);
			goto done;
		}
		q->pqualid = OBJ_nid2obj(NID_id_qt_cps);
		q->d.cpsuri = ASN1_IA5STRING_new();
		if (q->d.cpsuri == NULL ||
		    !ASN1_STRING_set(q->d.cpsuri, cps, (int)strlen(cps)))
			goto done;
	}
	ok = add_ext(x, NID_certificate_policies, pols, 0);
done:
	sk_POLICYINFO_pop_free(pols, POLICYINFO_free);
	return ok;
}

static bool add_cdp(X509 *x, const char *url)
{
	CRL_DIST_POINTS *dps = sk_DIST_POINT_new_null();
	DIST_POINT *dp = DIST_POINT_new();
	GENERAL_NAMES *names = NULL;
	GENERAL_NAME *gn = NULL;
	bool ok = false;

	if (dps == NULL || dp == NULL || !sk_DIST_POINT_push(dps, dp)) {
		DIST_POINT_free(dp);
		goto done;
	}
	dp->distpoint = DIST_POINT_NAME_new();
	names = sk_GENERAL_NAME_new_null();
	gn = gn_ia5(GEN_URI, url);
	if (dp->distpoint == NULL || names == NULL || gn == NULL ||
	    !sk_GENERAL_NAME_push(names, gn)) {
		GENERAL_NAME_free(gn);
		sk_GENERAL_NAME_free(names);
		goto done;
	}
	dp->distpoint->type = 0;
	dp->distpoint->name.fullname = names;
	ok = add_ext(x, NID_crl_distribution_points, dps, 0);
done:
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	return ok;
}

static bool push_access(AUTHORITY_INFO_ACCESS *aia, int method, const char *url)
{
	ACCESS_DESCRIPTION *ad = ACCESS_DESCRIPTION_new();
	GENERAL_NAME *gn = gn_ia5(GEN_URI, url);

	if (ad == NULL || gn == NULL || !sk_ACCESS_DESCRIPTION_push(aia, ad)) {
		ACCESS_DESCRIPTION_free(ad);
		GENERAL_NAME_free(gn);
		return false;
	}
	ASN1_OBJECT_free(ad->method);
	ad->method = OBJ_nid2obj(method);
	GENERAL_NAME_free(ad->location);
	ad->location = gn;
	return true;
}

static bool add_aia(X509 *x, const char *ca_issuers, const char *ocsp)
{
	AUTHORITY_INFO_ACCESS *aia = sk_ACCESS_DESCRIPTION_new_null();
	bool ok = aia != NULL &&
	          (ca_issuers == NULL || push_access(aia, NID_ad_ca_issuers, ca_issuers)) &&
	          (ocsp == NULL || push_access(aia, NID_ad_OCSP, ocsp)) &&
	          add_ext(x, NID_info_access, aia, 0);

	sk_ACCESS_DESCRIPTION_pop_free(aia, ACCESS_DESCRIPTION_free);
	return ok;
}

static bool add_eku(X509 *x, int usage_nid, const char *const *roles, size_t n)
{
	EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
	ASN1_OBJECT *o;
	bool ok = eku != NULL;
	size_t i;

	if (ok) {
		o = OBJ_nid2obj(usage_nid);
		ok = o != NULL && sk_ASN1_OBJECT_push(eku, o);
	}
	for (i = 0; ok && i < n; i++) {
		o = OBJ_txt2obj(roles[i], 1);
		ok = o != NULL && sk_ASN1_OBJECT_push(eku, o);
		if (!ok)
			ASN1_OBJECT_free(o);
	}
	ok = ok && add_ext(x, NID_ext_key_usage, eku, 0);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return ok;
}

static bool add_email(X509 *x, const char *email)
{
	GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gn = gn_ia5(GEN_EMAIL, email);
	bool ok = names != NULL && gn != NULL && sk_GENERAL_NAME_push(names, gn);

	if (!ok)
		GENERAL_NAME_free(gn);
	ok = ok && add_ext(x, NID_subject_alt_name, names, 0);
	sk_GENERAL_NAME_pop_free(names, GENERAL_NAME_free);
	return ok;
}

/* 1.2.398.3.3.5, non-critical: SEQUENCE { OBJECT IDENTIFIER }, as the
 * engine puts it in requests. */
static bool add_storage(X509 *x, enum qt_storage s)
{
	X509_EXTENSION *ext = qt_storage_extension(s);
	bool ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok;
}

/* ---- names ------------------------------------------------------------ */

static bool add_rdn(X509_NAME *n, int nid, int type, const char *value)
{
	return X509_NAME_add_entry_by_NID(n, nid, type, (const unsigned char *)value,
	                                  (int)strlen(value), -1, 0) == 1;
}

static X509_NAME *ca_name(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	if (n == NULL || !add_rdn(n, NID_countryName, V_ASN1_PRINTABLESTRING, "KZ") ||
	    !add_rdn(n, NID_organizationName, V_ASN1_UTF8STRING, "qoltanbad") ||
	    !add_rdn(n, NID_commonName, V_ASN1_UTF8STRING, cn)) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

const char *pd_subject_type_name(enum pd_subject_type t)
{
	static const char *const names[PD_SUBJECT_TYPE_COUNT] = {
		"individual", "chairman", "signing_right", "financial", "hr", "employee"
	};

	return (unsigned)t < PD_SUBJECT_TYPE_COUNT ? names[t] : "unknown";
}

bool pd_subject_type_parse(const char *name, enum pd_subject_type *out)
{
	int t;

	for (t = 0; name != NULL && t < PD_SUBJECT_TYPE_COUNT; t++)
		if (strcmp(name, pd_subject_type_name((enum pd_subject_type)t)) == 0) {
			*out = (enum pd_subject_type)t;
			return true;
		}
	return false;
}

bool pd_subject_type_is_legal(enum pd_subject_type t)
{
	return t >= PD_CHAIRMAN && t <= PD_EMPLOYEE;
}

/* The subject, from the registry's data only, in NCA's RDN order. */
static qt_err subject_name(const struct pd_subject *s, enum pd_subject_type type,
                           X509_NAME **out)
{
	char surname[2 * MAX_FIELD + 8], given[2 * MAX_FIELD + 8];
	char patronymic[2 * MAX_FIELD + 8], org[MAX_FIELD + 8];
	char cn[sizeof surname + sizeof given], sn[20], ou[20];
	bool legal = pd_subject_type_is_legal(type);
	X509_NAME *n;

	*out = NULL;
	if ((unsigned)type >= PD_SUBJECT_TYPE_COUNT)
		return qt_error(QT_ERR_INVALID_ARG, "subject type %d", (int)type);
	if (empty(s->surname) || empty(s->given_name))
		return qt_error(QT_ERR_INVALID_ARG, _("the subject has no surname or given name"));
	if (!all_digits(s->iin, 12) || !qt_idnum_checksum_ok(s->iin))
		return qt_error(QT_ERR_IDNUM_CHECKSUM, _("IIN \"%s\" is not valid"),
		                s->iin != NULL ? s->iin : "");
	if (legal) {
		if (!all_digits(s->bin, 12) || !qt_idnum_checksum_ok(s->bin))
			return qt_error(QT_ERR_IDNUM_CHECKSUM, _("BIN \"%s\" is not valid"),
			                s->bin != NULL ? s->bin : "");
		if (empty(s->organization))
			return qt_error(QT_ERR_INVALID_ARG,
			                _("a legal entity's certificate needs the organisation's name"));
	} else if (!empty(s->bin) || !empty(s->organization)) {
		return qt_error(QT_ERR_INVALID_ARG,
		                _("an individual's certificate names no organisation"));
	}
	if (!clean_utf8(s->surname, MAX_FIELD, true, surname, sizeof surname, NULL) ||
	    !clean_utf8(s->given_name, MAX_FIELD, true, given, sizeof given, NULL) ||
	    !clean_utf8(empty(s->patronymic) ? "" : s->patronymic, MAX_FIELD, true,
	                patronymic, sizeof patronymic, NULL) ||
	    (legal && !clean_utf8(s->organization, MAX_FIELD, false, org, sizeof org, NULL)))
		return qt_error(QT_ERR_INVALID_ARG,
		                _("a name is too long or is not valid UTF-8 text"));
	snprintf(cn, sizeof cn, "%s %s", surname, given);
	if (strlen(cn) > MAX_FIELD)
		return qt_error(QT_ERR_INVALID_ARG, _("a name is too long or is not valid UTF-8 text"));
	snprintf(sn, sizeof sn, "IIN%s", s->iin);

	n = X509_NAME_new();
	if (n == NULL ||
	    !add_rdn(n, NID_commonName, V_ASN1_UTF8STRING, cn) ||
	    !add_rdn(n, NID_surname, V_ASN1_UTF8STRING, surname) ||
	    !add_rdn(n, NID_serialNumber, V_ASN1_PRINTABLESTRING, sn) ||
	    !add_rdn(n, NID_countryName, V_ASN1_PRINTABLESTRING, "KZ"))
		goto fail;
	if (legal) {
		snprintf(ou, sizeof ou, "BIN%s", s->bin);
		if (!add_rdn(n, NID_organizationName, V_ASN1_UTF8STRING, org) ||
		    !add_rdn(n, NID_organizationalUnitName, V_ASN1_UTF8STRING, ou))
			goto fail;
	}
	if (patronymic[0] != '\0' &&
	    !add_rdn(n, NID_givenName, V_ASN1_UTF8STRING, patronymic))
		goto fail;
	*out = n;
	return QT_OK;
fail:
	X509_NAME_free(n);
	return qt_error_ssl(QT_ERR_CRYPTO, "subject name");
}

/* ---- requests --------------------------------------------------------- */

static qt_err req_fail(qt_err code, const char *slug, char *err, size_t errlen,
                       const char *detail)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", slug);
	ERR_clear_error();
	return qt_error(code, "%s", detail);
}

qt_err pd_ca_check_request(X509_REQ *req, char *err, size_t errlen)
{
	EVP_PKEY *pk;
	int bits;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	pk = req != NULL ? X509_REQ_get0_pubkey(req) : NULL;
	if (pk == NULL)
		return req_fail(QT_ERR_INVALID_ARG, "bad_request", err, errlen,
		                _("the request has no public key that can be read"));
	bits = EVP_PKEY_get_bits(pk);
	if (EVP_PKEY_is_a(pk, "RSA")) {
		BIGNUM *e = NULL;
		bool e_ok;

		if (bits > 8192)
			return req_fail(QT_ERR_UNSUPPORTED_ALG, "unsupported_key", err, errlen,
			                _("RSA keys larger than 8192 bits are not accepted"));
		if (bits < 2048)
			return req_fail(QT_ERR_WEAK_KEY, "weak_key", err, errlen,
			                _("the request's RSA key is shorter than 2048 bits"));
		if (!EVP_PKEY_get_bn_param(pk, "e", &e))
			return req_fail(QT_ERR_INVALID_ARG, "bad_request", err, errlen,
			                _("the request has no public key that can be read"));
		e_ok = BN_is_odd(e) && BN_num_bits(e) >= 17;
		BN_free(e);
		if (!e_ok)
			return req_fail(QT_ERR_WEAK_KEY, "weak_key", err, errlen,
			                _("the request's RSA public exponent is even or smaller than 65537"));
	} else if (EVP_PKEY_is_a(pk, "EC")) {
		char curve[64];

		if (!EVP_PKEY_get_utf8_string_param(pk, "group", curve, sizeof curve, NULL) ||
		    (strcmp(curve, "prime256v1") != 0 && strcmp(curve, "P-256") != 0))
			return req_fail(QT_ERR_UNSUPPORTED_ALG, "unsupported_key", err, errlen,
			                _("only EC keys on the P-256 curve are accepted"));
	} else {
		return req_fail(QT_ERR_UNSUPPORTED_ALG, "unsupported_key", err, errlen,
		                _("only RSA and EC P-256 keys are accepted"));
	}
	/* The request's signature proves possession of the key; one made
	 * with a broken hash proves little. */
	{
		int sig = X509_REQ_get_signature_nid(req), md = NID_undef, pkn = NID_undef;

		if (!OBJ_find_sigid_algs(sig, &md, &pkn) ||
		    (md == NID_undef ? sig != NID_rsassaPss
		                     : md != NID_sha256 && md != NID_sha384 && md != NID_sha512 &&
		                       md != NID_sha3_256 && md != NID_sha3_384 && md != NID_sha3_512))
			return req_fail(QT_ERR_BAD_SIGNATURE, "weak_signature", err, errlen,
			                _("the request is signed with a weak hash (SHA-1 or older); "
			                  "sign it with SHA-256"));
	}
	if (X509_REQ_verify(req, pk) != 1)
		return req_fail(QT_ERR_BAD_SIGNATURE, "bad_signature", err, errlen,
		                _("the request's signature does not verify with its key"));
	return QT_OK;
}

qt_err pd_ca_request_keyid(X509_REQ *req, char out[41])
{
	unsigned char md[SHA_DIGEST_LENGTH];

	out[0] = '\0';
	if (req == NULL || !keyid_of(X509_REQ_get_X509_PUBKEY(req), md))
		return qt_error_ssl(QT_ERR_INVALID_ARG,
		                    _("the request has no public key that can be read"));
	hex_lower(md, sizeof md, out);
	return QT_OK;
}

int pd_ca_validity_days(enum qt_storage storage)
{
	switch (storage) {
	case QT_STORAGE_PKCS12:
		return PD_CA_DAYS_FILE;
	case QT_STORAGE_IDCARD:
	case QT_STORAGE_KAZTOKEN:
	case QT_STORAGE_ETOKEN72K:
	case QT_STORAGE_ETOKEN5110:
	case QT_STORAGE_JACARTA:
	case QT_STORAGE_AKEY:
		return PD_CA_DAYS_TOKEN;
	default:
		return 0;
	}
}

/* ---- issuing ---------------------------------------------------------- */

static void url_of(const struct pd_ca *ca, const char *path, char *out, size_t size)
{
	snprintf(out, size, "%s%s", ca->base_url, path);
}

static const char *role_oid(enum pd_subject_type t)
{
	switch (t) {
	case PD_CHAIRMAN:
		return QT_OID_ROLE_FIRST_HEAD;
	case PD_SIGNING_RIGHT:
		return QT_OID_ROLE_SIGNING_RIGHT;
	case PD_FINANCIAL:
		return QT_OID_ROLE_FINANCIAL;
	case PD_HR:
		return QT_OID_ROLE_HR;
	case PD_EMPLOYEE:
		return QT_OID_ROLE_EMPLOYEE;
	default:
		return QT_OID_ROLE_INDIVIDUAL;
	}
}

/* Builds and signs a certificate for the key k.  Its public key is left
 * undecoded (see copy_pubkey()): callers encode it, they do not use it.
 * k's policy must have been checked (pd_ca_check_request() or
 * spki_check()).  storage must be known.  *days gets its validity. */
static qt_err build_and_sign(struct pd_ca *ca, const struct spki *k,
                             const struct pd_subject *subject, enum pd_subject_type type,
                             enum qt_purpose purpose, enum qt_storage storage,
                             time_t now, X509 **out, int *days_out)
{
	static const int ku_auth[] = { 0, 2 };     /* digitalSignature, keyEncipherment */
	static const int ku_auth_ec[] = { 0, 4 };  /* digitalSignature, keyAgreement */
	static const int ku_sign[] = { 0, 1 };     /* digitalSignature, nonRepudiation */
	char url_crl[URL_BUF], url_ocsp[URL_BUF], url_ca[URL_BUF], url_cps[URL_BUF];
	const char *roles[2];
	const char *policy;
	size_t nroles;
	bool legal = pd_subject_type_is_legal(type);
	X509_NAME *name = NULL;
	ASN1_INTEGER *serial = NULL;
	X509 *x = NULL;
	int days;
	qt_err rc;

	*out = NULL;
	days = pd_ca_validity_days(storage);
	if (days == 0)
		return qt_error(QT_ERR_INVALID_ARG,
		                _("neither the application nor the request says where the key is stored"));
	if (now < ca->issuing_not_before)
		return qt_error(QT_ERR_CONFIG,
		                _("the clock is before the issuing CA's start of validity; "
		                  "check the system time"));
	if (now + (time_t)days * DAY > ca->issuing_not_after)
		return qt_error(QT_ERR_CONFIG,
		                _("the issuing CA expires before a %d-day certificate would; "
		                  "renew the CA"), days);
	rc = subject_name(subject, type, &name);
	if (rc != QT_OK)
		return rc;
	if (!empty(subject->email) && !email_ok(subject->email)) {
		X509_NAME_free(name);
		return qt_error(QT_ERR_EMAIL, "%s", subject->email);
	}
	rc = random_serial(&serial);
	if (rc != QT_OK) {
		X509_NAME_free(name);
		return rc;
	}

	url_of(ca, PD_CA_PATH_CRL, url_crl, sizeof url_crl);
	url_of(ca, PD_CA_PATH_OCSP, url_ocsp, sizeof url_ocsp);
	url_of(ca, PD_CA_PATH_CA_ISSUERS, url_ca, sizeof url_ca);
	url_of(ca, PD_CA_PATH_CPS, url_cps, sizeof url_cps);
	if (legal) {
		roles[0] = QT_OID_ROLE_LEGAL_ENTITY;
		roles[1] = role_oid(type);
		nroles = 2;
		policy = purpose == QT_PURPOSE_AUTH ? QT_OID_POLICY_LE_AUTH : QT_OID_POLICY_LE_SIGN;
	} else {
		roles[0] = QT_OID_ROLE_INDIVIDUAL;
		nroles = 1;
		policy = purpose == QT_PURPOSE_AUTH ? QT_OID_POLICY_IND_AUTH : QT_OID_POLICY_IND_SIGN;
	}
	x = X509_new();
	if (x == NULL || !X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_serialNumber(x, serial) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(ca->issuing)) ||
	    !X509_set_subject_name(x, name) ||
	    ASN1_TIME_set(X509_getm_notBefore(x), now) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), now + (time_t)days * DAY) == NULL ||
	    !copy_pubkey(x, k))
		goto fail;
	/* Extensions in the order NCA's certificates carry them. */
	if (purpose == QT_PURPOSE_AUTH) {
		if (k->ec ? !add_key_usage(x, ku_auth_ec, 2)
		                            : !add_key_usage(x, ku_auth, 2))
			goto fail;
	} else if (!add_key_usage(x, ku_sign, 2)) {
		goto fail;
	}
	if (!add_eku(x, purpose == QT_PURPOSE_AUTH ? NID_client_auth : NID_email_protect,
	             roles, nroles) ||
	    !add_aki(x, ca->issuing) || !add_ski(x) ||
	    !add_policy(x, policy, url_cps) ||
	    !add_cdp(x, url_crl) ||
	    !add_aia(x, url_ca, url_ocsp) ||
	    (!empty(subject->email) && !add_email(x, subject->email)) ||
	    !add_storage(x, storage))
		goto fail;
	if (X509_sign(x, ca->issuing_key, EVP_sha256()) <= 0)
		goto fail;
	X509_NAME_free(name);
	ASN1_INTEGER_free(serial);
	*out = x;
	*days_out = days;
	return QT_OK;
fail:
	rc = qt_error_ssl(QT_ERR_CRYPTO, _("cannot build the certificate"));
	X509_free(x);
	X509_NAME_free(name);
	ASN1_INTEGER_free(serial);
	return rc;
}

/* The argument checks common to both paths, then the request's own:
 * storage from its extension when the caller does not know it, and
 * pd_ca_check_request(). */
static qt_err check_args(struct pd_ca *ca, const void *req, const struct pd_subject *subject,
                         enum qt_purpose purpose)
{
	if (ca == NULL || req == NULL || subject == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "pd_ca_issue: NULL argument");
	if (purpose != QT_PURPOSE_AUTH && purpose != QT_PURPOSE_SIGN)
		return qt_error(QT_ERR_INVALID_ARG, _("a certificate is either AUTH or SIGN"));
	return QT_OK;
}

static qt_err request_key(struct pd_ca *ca, X509_REQ *req, const struct pd_subject *subject,
                          enum qt_purpose purpose, enum qt_storage *storage, struct spki *k)
{
	qt_err rc = check_args(ca, req, subject, purpose);

	if (rc != QT_OK)
		return rc;
	if (*storage == QT_STORAGE_UNKNOWN)
		*storage = qt_csr_storage(req);
	rc = pd_ca_check_request(req, NULL, 0);
	if (rc != QT_OK)
		return rc;
	if (!spki_of_x509_pubkey(X509_REQ_get_X509_PUBKEY(req), k))
		return qt_error_ssl(QT_ERR_INVALID_ARG,
		                    _("the request has no public key that can be read"));
	return QT_OK;
}

qt_err pd_ca_issue(struct pd_ca *ca, X509_REQ *req,
                   const struct pd_subject *subject, enum pd_subject_type type,
                   enum qt_purpose purpose, enum qt_storage storage,
                   time_t now, X509 **out)
{
	unsigned char *der = NULL;
	const unsigned char *q;
	X509 *x = NULL, *parsed = NULL;
	struct spki k;
	int days, dlen;
	qt_err rc;

	*out = NULL;
	rc = request_key(ca, req, subject, purpose, &storage, &k);
	if (rc != QT_OK)
		return rc;
	rc = build_and_sign(ca, &k, subject, type, purpose, storage, now, &x, &days);
	if (rc != QT_OK)
		return rc;
	/* Parse what was signed, so the caller gets an object like any
	 * loaded certificate, its key decoded, built from the very bytes
	 * the signature covers. */
	dlen = i2d_X509(x, &der);
	q = der;
	parsed = dlen > 0 ? d2i_X509(NULL, &q, dlen) : NULL;
	OPENSSL_free(der);
	X509_free(x);
	if (parsed == NULL || X509_get0_pubkey(parsed) == NULL) {
		X509_free(parsed);
		return qt_error_ssl(QT_ERR_CRYPTO, _("cannot build the certificate"));
	}
	*out = parsed;
	return QT_OK;
}

/* ---- stored requests -------------------------------------------------
 * The daemon's approval path.  OpenSSL 3.0 decodes a request's public
 * key through its provider decoders whenever it parses the request
 * (d2i_X509_REQ, and d2i_X509_PUBKEY alike): that set-up costs more CPU
 * than the issuing CA's signature.  A stored request was parsed, its key
 * decoded and checked, and its signature verified, by
 * pd_ca_check_request() when the API received it; what is stored are
 * those very bytes.  So here the request is only walked down to its
 * SubjectPublicKeyInfo, which is read with a template of our own (an
 * AlgorithmIdentifier and a BIT STRING, no key decoding), and the key's
 * policy is checked again from those bytes. */

typedef struct {
	X509_ALGOR *algor;
	ASN1_BIT_STRING *key;
} PD_SPKI;

ASN1_SEQUENCE(PD_SPKI) = {
	ASN1_SIMPLE(PD_SPKI, algor, X509_ALGOR),
	ASN1_SIMPLE(PD_SPKI, key, ASN1_BIT_STRING)
} static_ASN1_SEQUENCE_END(PD_SPKI)

/* RSAPublicKey (RFC 8017 A.1.1). */
typedef struct {
	ASN1_INTEGER *n;
	ASN1_INTEGER *e;
} PD_RSAPUB;

ASN1_SEQUENCE(PD_RSAPUB) = {
	ASN1_SIMPLE(PD_RSAPUB, n, ASN1_INTEGER),
	ASN1_SIMPLE(PD_RSAPUB, e, ASN1_INTEGER)
} static_ASN1_SEQUENCE_END(PD_RSAPUB)

struct stored_req {
	unsigned char *der;
	long der_len;
	PD_SPKI *spki;
	struct spki k;
};

static void stored_req_clear(struct stored_req *sr)
{
	ASN1_item_free((ASN1_VALUE *)sr->spki, ASN1_ITEM_rptr(PD_SPKI));
	OPENSSL_free(sr->der);
	memset(sr, 0, sizeof *sr);
}

/* One DER header at *p (at most end - *p bytes): definite length, the
 * given tag, universal class; *p is left at the contents. */
static bool der_enter(const unsigned char **p, const unsigned char *end, int want,
                      long *len)
{
	int tag, cls, r;

	if (*p >= end)
		return false;
	r = ASN1_get_object(p, len, &tag, &cls, (long)(end - *p));
	return !(r & 0x80) && !(r & 1) && tag == want && cls == V_ASN1_UNIVERSAL &&
	       *len <= (long)(end - *p);
}

static qt_err stored_req_parse(const char *pem, struct stored_req *sr)
{
	const unsigned char *p, *end, *spki_at, *q;
	char *name = NULL, *header = NULL;
	BIO *b;
	long len;
	int ok;

	memset(sr, 0, sizeof *sr);
	b = BIO_new_mem_buf(pem, -1);
	ok = b != NULL && PEM_read_bio(b, &name, &header, &sr->der, &sr->der_len) == 1 &&
	     (strcmp(name, PEM_STRING_X509_REQ) == 0 || strcmp(name, PEM_STRING_X509_REQ_OLD) == 0);
	BIO_free(b);
	OPENSSL_free(name);
	OPENSSL_free(header);
	if (!ok)
		goto bad;
	/* CertificationRequest { CertificationRequestInfo { version,
	 * subject, subjectPKInfo, ... }, ... } */
	p = sr->der;
	end = p + sr->der_len;
	if (!der_enter(&p, end, V_ASN1_SEQUENCE, &len) || p + len != end ||
	    !der_enter(&p, end, V_ASN1_SEQUENCE, &len))
		goto bad;
	end = p + len;
	if (!der_enter(&p, end, V_ASN1_INTEGER, &len))
		goto bad;
	p += len;
	if (!der_enter(&p, end, V_ASN1_SEQUENCE, &len))
		goto bad;
	p += len;
	spki_at = p;
	if (!der_enter(&p, end, V_ASN1_SEQUENCE, &len))
		goto bad;
	q = spki_at;
	len += (long)(p - spki_at);
	sr->spki = (PD_SPKI *)ASN1_item_d2i(NULL, &q, len, ASN1_ITEM_rptr(PD_SPKI));
	if (sr->spki == NULL || q != spki_at + len)
		goto bad;
	/* A key is whole bytes: no unused bits. */
	if ((sr->spki->key->flags & ASN1_STRING_FLAG_BITS_LEFT) && (sr->spki->key->flags & 7))
		goto bad;
	X509_ALGOR_get0(&sr->k.alg, &sr->k.ptype, &sr->k.pval, sr->spki->algor);
	sr->k.bits = ASN1_STRING_get0_data(sr->spki->key);
	sr->k.len = ASN1_STRING_length(sr->spki->key);
	sr->k.ec = OBJ_obj2nid(sr->k.alg) == NID_X9_62_id_ecPublicKey;
	if (sr->k.len <= 0)
		goto bad;
	return QT_OK;
bad:
	stored_req_clear(sr);
	return req_fail(QT_ERR_INVALID_ARG, "bad_request", NULL, 0,
	                _("the request has no public key that can be read"));
}

/* Significant bits of a non-negative ASN1_INTEGER; -1 for a negative. */
static int int_bits(const ASN1_INTEGER *i)
{
	const unsigned char *d = ASN1_STRING_get0_data(i);
	int n = ASN1_STRING_length(i), bits;
	unsigned c;

	if (ASN1_STRING_type(i) != V_ASN1_INTEGER)
		return -1;
	while (n > 0 && *d == 0) {
		d++;
		n--;
	}
	if (n == 0)
		return 0;
	for (bits = 0, c = d[0]; c; c >>= 1)
		bits++;
	return (n - 1) * 8 + bits;
}

/* pd_ca_check_request()'s key policy, on the undecoded key. */
static qt_err spki_check(const struct spki *k)
{
	int nid = OBJ_obj2nid(k->alg);

	if (nid == NID_rsaEncryption) {
		const unsigned char *q = k->bits;
		PD_RSAPUB *rsa;
		int nbits, ebits;
		bool e_odd;

		if (k->ptype != V_ASN1_NULL && k->ptype != V_ASN1_UNDEF)
			goto bad;
		rsa = (PD_RSAPUB *)ASN1_item_d2i(NULL, &q, k->len, ASN1_ITEM_rptr(PD_RSAPUB));
		if (rsa == NULL || q != k->bits + k->len) {
			ASN1_item_free((ASN1_VALUE *)rsa, ASN1_ITEM_rptr(PD_RSAPUB));
			goto bad;
		}
		nbits = int_bits(rsa->n);
		ebits = int_bits(rsa->e);
		e_odd = ebits > 0 &&
		        (ASN1_STRING_get0_data(rsa->e)[ASN1_STRING_length(rsa->e) - 1] & 1);
		ASN1_item_free((ASN1_VALUE *)rsa, ASN1_ITEM_rptr(PD_RSAPUB));
		if (nbits < 0 || ebits < 0)
			goto bad;
		if (nbits > 8192)
			return req_fail(QT_ERR_UNSUPPORTED_ALG, "unsupported_key", NULL, 0,
			                _("RSA keys larger than 8192 bits are not accepted"));
		if (nbits < 2048)
			return req_fail(QT_ERR_WEAK_KEY, "weak_key", NULL, 0,
			                _("the request's RSA key is shorter than 2048 bits"));
		if (!e_odd || ebits < 17)
			return req_fail(QT_ERR_WEAK_KEY, "weak_key", NULL, 0,
			                _("the request's RSA public exponent is even or smaller than 65537"));
		return QT_OK;
	}
	if (nid == NID_X9_62_id_ecPublicKey) {
		if (k->ptype != V_ASN1_OBJECT ||
		    OBJ_obj2nid(k->pval) != NID_X9_62_prime256v1)
			return req_fail(QT_ERR_UNSUPPORTED_ALG, "unsupported_key", NULL, 0,
			                _("only EC keys on the P-256 curve are accepted"));
		/* An uncompressed or compressed point of P-256. */
		if (!(k->len == 65 && k->bits[0] == 4) &&
		    !(k->len == 33 && (k->bits[0] == 2 || k->bits[0] == 3)))
			goto bad;
		return QT_OK;
	}
	return req_fail(QT_ERR_UNSUPPORTED_ALG, "unsupported_key", NULL, 0,
	                _("only RSA and EC P-256 keys are accepted"));
bad:
	return req_fail(QT_ERR_INVALID_ARG, "bad_request", NULL, 0,
	                _("the request has no public key that can be read"));
}

/* PEM of a DER certificate, as PEM_write_bio() writes it: 64 base64
 * characters a line, without a BIO. */
static qt_err pem_of(const unsigned char *der, size_t len, char **out)
{
	static const char head[] = "-----BEGIN CERTIFICATE-----\n";
	static const char tail[] = "-----END CERTIFICATE-----\n";
	size_t lines = (len + 47) / 48, cap, at, i;
	char *pem;

	cap = sizeof head - 1 + lines * 65 + sizeof tail;
	pem = malloc(cap);
	if (pem == NULL)
		return nomem();
	memcpy(pem, head, sizeof head - 1);
	at = sizeof head - 1;
	for (i = 0; i < len; i += 48) {
		size_t n = len - i < 48 ? len - i : 48;

		at += (size_t)EVP_EncodeBlock((unsigned char *)pem + at, der + i, (int)n);
		pem[at++] = '\n';
	}
	memcpy(pem + at, tail, sizeof tail);
	*out = pem;
	return QT_OK;
}

/* Signs for k and fills out: DER, PEM, serial, keyid, dates. */
static qt_err issue_der(struct pd_ca *ca, const struct spki *k,
                        const struct pd_subject *subject, enum pd_subject_type type,
                        enum qt_purpose purpose, enum qt_storage storage,
                        time_t now, struct pd_issued *out)
{
	unsigned char md[SHA_DIGEST_LENGTH], *der = NULL;
	X509 *x = NULL;
	int days, dlen;
	qt_err rc;

	rc = build_and_sign(ca, k, subject, type, purpose, storage, now, &x, &days);
	if (rc != QT_OK)
		return rc;
	dlen = i2d_X509(x, &der);
	rc = der_out(dlen, der, &out->der, &out->der_len);
	if (rc != QT_OK)
		goto done;
	rc = pem_of(out->der, out->der_len, &out->pem);
	if (rc != QT_OK)
		goto done;
	pd_ca_serial_hex(x, out->serial);
	if (!keyid_of(X509_get_X509_PUBKEY(x), md)) {
		rc = qt_error_ssl(QT_ERR_CRYPTO, "keyid");
		goto done;
	}
	hex_lower(md, sizeof md, out->keyid);
	out->not_before = now;
	out->not_after = now + (time_t)days * DAY;
done:
	X509_free(x);
	if (rc != QT_OK)
		pd_issued_clear(out);
	return rc;
}

qt_err pd_ca_issue_der(struct pd_ca *ca, X509_REQ *req,
                       const struct pd_subject *subject, enum pd_subject_type type,
                       enum qt_purpose purpose, enum qt_storage storage,
                       time_t now, struct pd_issued *out)
{
	struct spki k;
	qt_err rc;

	memset(out, 0, sizeof *out);
	rc = request_key(ca, req, subject, purpose, &storage, &k);
	if (rc != QT_OK)
		return rc;
	return issue_der(ca, &k, subject, type, purpose, storage, now, out);
}

qt_err pd_ca_issue_stored(struct pd_ca *ca, const char *csr_pem,
                          const struct pd_subject *subject, enum pd_subject_type type,
                          enum qt_purpose purpose, enum qt_storage storage,
                          time_t now, struct pd_issued *out)
{
	struct stored_req sr;
	qt_err rc;

	memset(out, 0, sizeof *out);
	rc = check_args(ca, csr_pem, subject, purpose);
	if (rc != QT_OK)
		return rc;
	if (storage == QT_STORAGE_UNKNOWN)
		return qt_error(QT_ERR_INVALID_ARG,
		                _("neither the application nor the request says where the key is stored"));
	rc = stored_req_parse(csr_pem, &sr);
	if (rc != QT_OK)
		return rc;
	rc = spki_check(&sr.k);
	if (rc == QT_OK)
		rc = issue_der(ca, &sr.k, subject, type, purpose, storage, now, out);
	stored_req_clear(&sr);
	return rc;
}

void pd_issued_clear(struct pd_issued *is)
{
	if (is == NULL)
		return;
	free(is->der);
	free(is->pem);
	memset(is, 0, sizeof *is);
}

size_t pd_ca_serial(X509 *cert, unsigned char out[PD_CA_SERIAL_LEN])
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	int n = bn != NULL && !BN_is_negative(bn) ? BN_num_bytes(bn) : -1;

	if (n < 0 || n > PD_CA_SERIAL_LEN || BN_bn2bin(bn, out) != n)
		n = 0;
	BN_free(bn);
	return (size_t)n;
}

void pd_ca_serial_hex(X509 *cert, char out[2 * PD_CA_SERIAL_LEN + 1])
{
	unsigned char b[PD_CA_SERIAL_LEN];
	size_t n = pd_ca_serial(cert, b);

	hex_lower(b, n, out);
}

qt_err pd_ca_serial_from_hex(const char *hex, unsigned char out[PD_CA_SERIAL_LEN])
{
	size_t i;

	if (hex == NULL || strlen(hex) != 2 * PD_CA_SERIAL_LEN)
		return qt_error(QT_ERR_INVALID_ARG, _("a serial number is 40 hexadecimal digits"));
	for (i = 0; i < 2 * PD_CA_SERIAL_LEN; i++) {
		int c = hex[i], v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return qt_error(QT_ERR_INVALID_ARG,
			                _("a serial number is 40 hexadecimal digits"));
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return QT_OK;
}

/* ---- CRLs ------------------------------------------------------------- */

static const struct {
	int code;
	const char *name;
} reasons[] = {
	{ PD_REASON_UNSPECIFIED, "unspecified" },
	{ PD_REASON_KEY_COMPROMISE, "key_compromise" },
	{ PD_REASON_CA_COMPROMISE, "ca_compromise" },
	{ PD_REASON_AFFILIATION_CHANGED, "affiliation_changed" },
	{ PD_REASON_SUPERSEDED, "superseded" },
	{ PD_REASON_CESSATION_OF_OPERATION, "cessation_of_operation" },
	{ PD_REASON_CERTIFICATE_HOLD, "certificate_hold" },
	{ PD_REASON_PRIVILEGE_WITHDRAWN, "privilege_withdrawn" },
};

const char *pd_crl_reason_name(int reason)
{
	size_t i;

	for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i].code == reason)
			return reasons[i].name;
	return NULL;
}

bool pd_crl_reason_parse(const char *name, int *out)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof reasons / sizeof reasons[0]; i++)
		if (strcmp(reasons[i].name, name) == 0) {
			*out = reasons[i].code;
			return true;
		}
	return false;
}

static bool crl_add_revoked(X509_CRL *crl, const struct pd_revocation *r)
{
	X509_REVOKED *rev = X509_REVOKED_new();
	BIGNUM *bn = BN_bin2bn(r->serial, PD_CA_SERIAL_LEN, NULL);
	ASN1_INTEGER *serial = bn != NULL ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	ASN1_TIME *when = ASN1_TIME_set(NULL, r->when);
	ASN1_ENUMERATED *reason = NULL;
	bool ok = rev != NULL && serial != NULL && when != NULL &&
	          X509_REVOKED_set_serialNumber(rev, serial) &&
	          X509_REVOKED_set_revocationDate(rev, when);

	if (ok && r->reason != PD_REASON_UNSPECIFIED) {
		reason = ASN1_ENUMERATED_new();
		ok = reason != NULL && ASN1_ENUMERATED_set(reason, r->reason) &&
		     X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, 0, 0) == 1;
	}
	ok = ok && X509_CRL_add0_revoked(crl, rev);
	if (!ok)
		X509_REVOKED_free(rev);
	ASN1_ENUMERATED_free(reason);
	ASN1_TIME_free(when);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	return ok;
}

static qt_err make_crl(X509 *signer_cert, EVP_PKEY *signer_key,
                       const struct pd_revocation *list, size_t n,
                       time_t now, long period, long crl_number,
                       unsigned char **der, size_t *len)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t1 = ASN1_TIME_set(NULL, now), *t2 = ASN1_TIME_set(NULL, now + period);
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	AUTHORITY_KEYID *akid = akid_of(signer_cert);
	unsigned char *tmp = NULL;
	size_t i;
	qt_err rc;
	int dlen;

	*der = NULL;
	*len = 0;
	if (crl_number < 0) {
		rc = qt_error(QT_ERR_INVALID_ARG, "CRL number %ld", crl_number);
		goto done;
	}
	for (i = 0; i < n; i++)
		if (pd_crl_reason_name(list[i].reason) == NULL) {
			rc = qt_error(QT_ERR_INVALID_ARG, "revocation reason %d", list[i].reason);
			goto done;
		}
	if (crl == NULL || t1 == NULL || t2 == NULL || num == NULL || akid == NULL ||
	    !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(signer_cert)) ||
	    !X509_CRL_set1_lastUpdate(crl, t1) || !X509_CRL_set1_nextUpdate(crl, t2) ||
	    !ASN1_INTEGER_set(num, crl_number) ||
	    X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0, 0) != 1 ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1)
		goto fail;
	for (i = 0; i < n; i++)
		if (!crl_add_revoked(crl, &list[i]))
			goto fail;
	if (!X509_CRL_sort(crl) || X509_CRL_sign(crl, signer_key, EVP_sha256()) <= 0)
		goto fail;
	dlen = i2d_X509_CRL(crl, &tmp);
	rc = der_out(dlen, tmp, der, len);
	goto done;
fail:
	rc = qt_error_ssl(QT_ERR_CRYPTO, _("cannot build the CRL"));
done:
	AUTHORITY_KEYID_free(akid);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(t1);
	ASN1_TIME_free(t2);
	X509_CRL_free(crl);
	return rc;
}

qt_err pd_ca_crl(struct pd_ca *ca, const struct pd_revocation *list, size_t n,
                 time_t now, long crl_number, unsigned char **der, size_t *len)
{
	return make_crl(ca->issuing, ca->issuing_key, list, n, now, PD_CA_CRL_PERIOD,
	                crl_number, der, len);
}

qt_err pd_ca_root_crl(struct pd_ca *ca, time_t now, long crl_number,
                      unsigned char **der, size_t *len)
{
	return make_crl(ca->root, ca->root_key, NULL, 0, now, ROOT_CRL_PERIOD,
	                crl_number, der, len);
}

/* ---- chain ------------------------------------------------------------ */

static qt_err build_chain(struct pd_ca *ca)
{
	BIO *b = BIO_new(BIO_s_mem());
	PKCS7 *p7 = PKCS7_new();
	unsigned char *tmp = NULL;
	char *data;
	long n;
	qt_err rc;

	if (b == NULL || p7 == NULL ||
	    !PEM_write_bio_X509(b, ca->issuing) || !PEM_write_bio_X509(b, ca->root))
		goto fail;
	n = BIO_get_mem_data(b, &data);
	ca->chain_pem = malloc((size_t)n + 1);
	if (ca->chain_pem == NULL) {
		rc = nomem();
		goto done;
	}
	memcpy(ca->chain_pem, data, (size_t)n);
	ca->chain_pem[n] = '\0';

	/* certs-only CMS, as `openssl crl2pkcs7 -nocrl` writes it. */
	if (!PKCS7_set_type(p7, NID_pkcs7_signed) ||
	    !PKCS7_content_new(p7, NID_pkcs7_data) ||
	    !PKCS7_add_certificate(p7, ca->issuing) ||
	    !PKCS7_add_certificate(p7, ca->root))
		goto fail;
	n = i2d_PKCS7(p7, &tmp);
	rc = der_out((int)n, tmp, &ca->chain_p7c, &ca->chain_p7c_len);
	goto done;
fail:
	rc = qt_error_ssl(QT_ERR_CRYPTO, "CA chain");
done:
	PKCS7_free(p7);
	BIO_free(b);
	return rc;
}

qt_err pd_ca_chain_pem(struct pd_ca *ca, char **pem)
{
	*pem = strdup(ca->chain_pem);
	return *pem != NULL ? QT_OK : nomem();
}

qt_err pd_ca_chain_p7c(struct pd_ca *ca, unsigned char **der, size_t *len)
{
	*der = malloc(ca->chain_p7c_len);
	if (*der == NULL)
		return nomem();
	memcpy(*der, ca->chain_p7c, ca->chain_p7c_len);
	*len = ca->chain_p7c_len;
	return QT_OK;
}

X509 *pd_ca_root_cert(const struct pd_ca *ca)
{
	return ca->root;
}

X509 *pd_ca_issuing_cert(const struct pd_ca *ca)
{
	return ca->issuing;
}

void pd_ca_root_fingerprint(const struct pd_ca *ca, char out[110])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	size_t o;

	o = (size_t)snprintf(out, 110, "SHA256");
	if (X509_digest(ca->root, EVP_sha256(), md, &n) != 1)
		n = 0;
	for (i = 0; i < n && o + 4 <= 110; i++)
		o += (size_t)snprintf(out + o, 110 - o, ":%02X", md[i]);
}

/* ---- OCSP ------------------------------------------------------------- */

static qt_err ocsp_out(OCSP_RESPONSE *resp, unsigned char **der, size_t *len)
{
	unsigned char *tmp = NULL;
	int n;

	if (resp == NULL)
		return qt_error_ssl(QT_ERR_CRYPTO, "OCSP response");
	n = i2d_OCSP_RESPONSE(resp, &tmp);
	OCSP_RESPONSE_free(resp);
	return der_out(n, tmp, der, len);
}

qt_err pd_ca_ocsp(struct pd_ca *ca, const unsigned char *req, size_t req_len,
                  pd_ca_status_fn status, void *arg, time_t now,
                  unsigned char **der, size_t *len)
{
	const unsigned char *p = req;
	OCSP_REQUEST *oreq = NULL;
	OCSP_BASICRESP *bs = NULL;
	ASN1_TIME *thisupd = ASN1_TIME_set(NULL, now);
	ASN1_TIME *nextupd = ASN1_TIME_set(NULL, now + PD_CA_CRL_PERIOD);
	qt_err rc;
	int i, n;

	*der = NULL;
	*len = 0;
	if (thisupd == NULL || nextupd == NULL) {
		rc = qt_error_ssl(QT_ERR_CRYPTO, "OCSP time");
		goto done;
	}
	if (req_len > 0 && req_len < 65536)
		oreq = d2i_OCSP_REQUEST(NULL, &p, (long)req_len);
	n = oreq != NULL ? OCSP_request_onereq_count(oreq) : 0;
	if (oreq == NULL || n <= 0 || n > MAX_OCSP_IDS || p != req + req_len) {
		ERR_clear_error();
		rc = ocsp_out(OCSP_response_create(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, NULL),
		              der, len);
		goto done;
	}
	bs = OCSP_BASICRESP_new();
	if (bs == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		OCSP_CERTID *cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(oreq, i));
		ASN1_OBJECT *md_obj = NULL;
		ASN1_INTEGER *serial = NULL;
		const EVP_MD *md;
		OCSP_CERTID *ours = NULL;
		int st = V_OCSP_CERTSTATUS_UNKNOWN, reason = OCSP_REVOKED_STATUS_NOSTATUS;
		ASN1_TIME *revtime = NULL;
		OCSP_SINGLERESP *single;

		OCSP_id_get0_info(NULL, &md_obj, NULL, &serial, cid);
		md = md_obj != NULL ? EVP_get_digestbyobj(md_obj) : NULL;
		if (md != NULL)
			ours = OCSP_cert_to_id(md, NULL, ca->issuing);
		if (ours != NULL && OCSP_id_issuer_cmp(ours, cid) == 0 && serial != NULL) {
			BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
			unsigned char b[PD_CA_SERIAL_LEN];
			int nb = bn != NULL && !BN_is_negative(bn) ? BN_num_bytes(bn) : -1;
			time_t at = 0;
			int why = 0, s;

			if (nb > 0 && nb <= PD_CA_SERIAL_LEN && BN_bn2bin(bn, b) == nb) {
				s = status(arg, b, (size_t)nb, &at, &why);
				if (s == 0) {
					st = V_OCSP_CERTSTATUS_GOOD;
				} else if (s == 1) {
					st = V_OCSP_CERTSTATUS_REVOKED;
					reason = why == PD_REASON_UNSPECIFIED ||
					         pd_crl_reason_name(why) == NULL
					         ? OCSP_REVOKED_STATUS_NOSTATUS : why;
					revtime = ASN1_TIME_set(NULL, at);
				}
			}
			BN_free(bn);
		}
		OCSP_CERTID_free(ours);
		ERR_clear_error();
		single = OCSP_basic_add1_status(bs, cid, st,
		                                st == V_OCSP_CERTSTATUS_REVOKED ? reason : 0,
		                                revtime, thisupd, nextupd);
		ASN1_TIME_free(revtime);
		if (single == NULL)
			goto fail;
	}
	if (OCSP_copy_nonce(bs, oreq) <= 0 ||
	    !OCSP_basic_sign(bs, ca->issuing, ca->issuing_key, EVP_sha256(), NULL,
	                     OCSP_RESPID_KEY))
		goto fail;
	rc = ocsp_out(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs), der, len);
	goto done;
fail:
	rc = qt_error_ssl(QT_ERR_CRYPTO, _("cannot build the OCSP response"));
done:
	OCSP_BASICRESP_free(bs);
	OCSP_REQUEST_free(oreq);
	ASN1_TIME_free(thisupd);
	ASN1_TIME_free(nextupd);
	return rc;
}

/* ---- creating and opening --------------------------------------------- */

static qt_err ca_cert(X509_NAME *subject, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                      time_t now, int days, const char *crl_url, X509 **out)
{
	static const int ku_root[] = { 5, 6 };        /* keyCertSign, cRLSign */
	static const int ku_issuing[] = { 0, 5, 6 };  /* + digitalSignature (OCSP) */
	ASN1_INTEGER *serial = NULL;
	X509 *x = X509_new();
	qt_err rc = random_serial(&serial);

	*out = NULL;
	if (rc != QT_OK) {
		X509_free(x);
		return rc;
	}
	if (x == NULL || !X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_serialNumber(x, serial) ||
	    !X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : subject) ||
	    !X509_set_subject_name(x, subject) ||
	    ASN1_TIME_set(X509_getm_notBefore(x), now) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), now + (time_t)days * DAY) == NULL ||
	    !X509_set_pubkey(x, key))
		goto fail;
	if (issuer == NULL) {
		if (!add_basic_constraints(x, true, -1) || !add_key_usage(x, ku_root, 2) ||
		    !add_ski(x))
			goto fail;
	} else {
		if (!add_basic_constraints(x, true, 0) || !add_key_usage(x, ku_issuing, 3) ||
		    !add_aki(x, issuer) || !add_ski(x) ||
		    !add_policy(x, "2.5.29.32.0", NULL) || !add_cdp(x, crl_url))
			goto fail;
	}
	if (X509_sign(x, issuer_key, EVP_sha256()) <= 0)
		goto fail;
	ASN1_INTEGER_free(serial);
	*out = x;
	return QT_OK;
fail:
	ASN1_INTEGER_free(serial);
	X509_free(x);
	return qt_error_ssl(QT_ERR_CRYPTO, _("cannot build the CA certificate"));
}

static qt_err write_pem(const char *dir, const char *file, X509 *cert, EVP_PKEY *key)
{
	char path[4096];
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	qt_err rc;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, file) >= sizeof path) {
		BIO_free(b);
		return qt_error(QT_ERR_INVALID_ARG, "%s: path too long", dir);
	}
	if (b == NULL)
		return nomem();
	if (key != NULL ? !PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL)
	                : !PEM_write_bio_X509(b, cert)) {
		BIO_free(b);
		return qt_error_ssl(QT_ERR_CRYPTO, "%s", path);
	}
	n = BIO_get_mem_data(b, &data);
	rc = qt_atomic_write(path, data, (size_t)n, key != NULL ? 0600 : 0644, QT_WRITE_EXCL);
	OPENSSL_cleanse(data, (size_t)n);
	BIO_free(b);
	return rc;
}

qt_err pd_ca_create(const char *dir, const char *portal_name, const char *base_url,
                    time_t now)
{
	char cadir[4096], url[MAX_URL], crl_url[URL_BUF], cn[256];
	EVP_PKEY *root_key = NULL, *issuing_key = NULL;
	X509 *root = NULL, *issuing = NULL;
	X509_NAME *name = NULL;
	size_t chars;
	qt_err rc;

	rc = set_base_url(url, base_url);
	if (rc != QT_OK)
		return rc;
	if (portal_name == NULL || portal_name[0] == '\0' ||
	    !clean_utf8(portal_name, 4 * PORTAL_NAME_MAX, false, NULL, 0, &chars) ||
	    chars > PORTAL_NAME_MAX)
		return qt_error(QT_ERR_CONFIG,
		                _("the portal's name must be 1 to %d characters of text"),
		                PORTAL_NAME_MAX);
	if ((size_t)snprintf(cadir, sizeof cadir, "%s/ca", dir) >= sizeof cadir)
		return qt_error(QT_ERR_INVALID_ARG, "%s: path too long", dir);
	rc = qt_mkdir_p(dir, 0700);
	if (rc != QT_OK)
		return rc;
	if (mkdir(cadir, 0700) != 0) {
		if (errno == EEXIST)
			return qt_error(QT_ERR_EXISTS,
			                _("%s already exists: a CA is never overwritten"), cadir);
		return qt_error(qt_err_from_errno(errno), "%s: %s", cadir, strerror(errno));
	}

	root_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)ROOT_BITS);
	issuing_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)ISSUING_BITS);
	if (root_key == NULL || issuing_key == NULL) {
		rc = qt_error_ssl(QT_ERR_KEYGEN, "CA keys");
		goto done;
	}
	snprintf(cn, sizeof cn, "%s%s", ROOT_CN_PREFIX, portal_name);
	name = ca_name(cn);
	rc = name != NULL ? ca_cert(name, root_key, NULL, root_key, now, ROOT_DAYS, NULL, &root)
	                  : qt_error_ssl(QT_ERR_CRYPTO, "root name");
	X509_NAME_free(name);
	if (rc != QT_OK)
		goto done;
	snprintf(cn, sizeof cn, "%s%s", ISSUING_CN_PREFIX, portal_name);
	snprintf(crl_url, sizeof crl_url, "%s%s", url, PD_CA_PATH_ROOT_CRL);
	name = ca_name(cn);
	rc = name != NULL ? ca_cert(name, issuing_key, root, root_key, now, ISSUING_DAYS,
	                            crl_url, &issuing)
	                  : qt_error_ssl(QT_ERR_CRYPTO, "issuing name");
	X509_NAME_free(name);
	if (rc != QT_OK)
		goto done;

	if ((rc = write_pem(cadir, "root.key", NULL, root_key)) != QT_OK ||
	    (rc = write_pem(cadir, "issuing.key", NULL, issuing_key)) != QT_OK ||
	    (rc = write_pem(cadir, "root.crt", root, NULL)) != QT_OK ||
	    (rc = write_pem(cadir, "issuing.crt", issuing, NULL)) != QT_OK)
		goto done;
	rc = qt_fsync_dir(dir);
done:
	/* On failure take back what this call made (the folder is ours: its
	 * mkdir succeeded above), so that the operator can simply run it
	 * again.  Only a crash leaves a partial folder, which pd_ca_open()
	 * refuses with the name of the missing file. */
	if (rc != QT_OK) {
		static const char *const files[] = {
			"root.key", "issuing.key", "root.crt", "issuing.crt"
		};
		char path[4096 + 16];
		size_t i;

		for (i = 0; i < sizeof files / sizeof files[0]; i++) {
			snprintf(path, sizeof path, "%s/%s", cadir, files[i]);
			unlink(path);
		}
		rmdir(cadir);
	}
	X509_free(root);
	X509_free(issuing);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(issuing_key);
	return rc;
}

static qt_err read_pem(const char *cadir, const char *file, bool is_key,
                       EVP_PKEY **key, X509 **cert)
{
	char path[4096];
	unsigned char *data = NULL;
	size_t len = 0;
	struct stat st;
	BIO *b;
	qt_err rc;

	snprintf(path, sizeof path, "%s/%s", cadir, file);
	if (is_key) {
		if (stat(path, &st) != 0)
			return qt_error(qt_err_from_errno(errno), "%s: %s", path, strerror(errno));
		if (st.st_mode & 077)
			return qt_error(QT_ERR_PERMISSION,
			                _("%s can be read by other users; run chmod 600 on it"),
			                path);
	}
	rc = qt_read_file(path, 1 << 16, &data, &len);
	if (rc != QT_OK)
		return rc;
	b = BIO_new_mem_buf(data, (int)len);
	if (b != NULL) {
		if (is_key)
			*key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		else
			*cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
	}
	BIO_free(b);
	qt_free_secret(data, len);
	if (is_key && *key == NULL)
		return qt_error_ssl(QT_ERR_CONFIG, _("%s is not a PEM private key"), path);
	if (!is_key && *cert == NULL)
		return qt_error_ssl(QT_ERR_CONFIG, _("%s is not a PEM certificate"), path);
	return QT_OK;
}

qt_err pd_ca_open(const char *dir, const char *base_url, struct pd_ca **out)
{
	char cadir[4096];
	struct pd_ca *ca;
	EVP_PKEY *root_pub;
	ASN1_TIME *epoch;
	qt_err rc;
	int day = 0, sec = 0, day2 = 0, sec2 = 0;

	*out = NULL;
	if ((size_t)snprintf(cadir, sizeof cadir, "%s/ca", dir) >= sizeof cadir)
		return qt_error(QT_ERR_INVALID_ARG, "%s: path too long", dir);
	ca = calloc(1, sizeof *ca);
	if (ca == NULL)
		return nomem();
	if ((rc = set_base_url(ca->base_url, base_url)) != QT_OK ||
	    (rc = read_pem(cadir, "root.crt", false, NULL, &ca->root)) != QT_OK ||
	    (rc = read_pem(cadir, "issuing.crt", false, NULL, &ca->issuing)) != QT_OK ||
	    (rc = read_pem(cadir, "root.key", true, &ca->root_key, NULL)) != QT_OK ||
	    (rc = read_pem(cadir, "issuing.key", true, &ca->issuing_key, NULL)) != QT_OK)
		goto fail;
	root_pub = X509_get0_pubkey(ca->root);
	if (X509_check_private_key(ca->root, ca->root_key) != 1 ||
	    X509_check_private_key(ca->issuing, ca->issuing_key) != 1) {
		rc = qt_error_ssl(QT_ERR_KEY_MISMATCH, _("%s: a CA key does not match its certificate"),
		                  cadir);
		goto fail;
	}
	if (root_pub == NULL || X509_verify(ca->issuing, root_pub) != 1 ||
	    X509_check_ca(ca->issuing) == 0 || X509_get0_subject_key_id(ca->issuing) == NULL) {
		rc = qt_error_ssl(QT_ERR_CONFIG,
		                  _("%s: the issuing CA is not a CA certified by the root"), cadir);
		goto fail;
	}
	/* The issuing CA's validity in seconds from the epoch. */
	epoch = ASN1_TIME_set(NULL, 0);
	if (epoch == NULL ||
	    !ASN1_TIME_diff(&day, &sec, epoch, X509_get0_notBefore(ca->issuing)) ||
	    !ASN1_TIME_diff(&day2, &sec2, epoch, X509_get0_notAfter(ca->issuing))) {
		ASN1_TIME_free(epoch);
		rc = qt_error_ssl(QT_ERR_CONFIG, "%s: issuing CA validity", cadir);
		goto fail;
	}
	ASN1_TIME_free(epoch);
	ca->issuing_not_before = (time_t)day * DAY + sec;
	ca->issuing_not_after = (time_t)day2 * DAY + sec2;
	rc = build_chain(ca);
	if (rc != QT_OK)
		goto fail;
	*out = ca;
	return QT_OK;
fail:
	pd_ca_free(ca);
	return rc;
}

void pd_ca_free(struct pd_ca *ca)
{
	if (ca == NULL)
		return;
	X509_free(ca->root);
	X509_free(ca->issuing);
	EVP_PKEY_free(ca->root_key);
	EVP_PKEY_free(ca->issuing_key);
	free(ca->chain_pem);
	free(ca->chain_p7c);
	free(ca);
}
