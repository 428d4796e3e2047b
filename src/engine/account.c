/* The personal-account client (include/qoltanba/account.h) on top of the
 * portal client: every call goes through call(), which signs in again
 * and repeats the call once when the portal says the session expired. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <qoltanba/account.h>
#include <qoltanba/cert.h>
#include <qoltanba/enroll.h>
#include <qoltanba/keystore.h>
#include <qoltanba/secret.h>
#include "i18n.h"
#include "portal_internal.h"

struct qt_account {
	qt_portal *p;
	EVP_PKEY *key;              /* file signer */
	qt_token *token;            /* or token signer */
	char keyid[129];
	X509 *cert;
	bool signed_in;
	struct qt_account_holder holder;
};

qt_err qt_account_open(qt_portal *p, qt_account **out)
{
	qt_account *a;

	*out = NULL;
	if (p == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "no portal");
	if ((a = calloc(1, sizeof *a)) == NULL)
		return QT_ERR_NOMEM;
	a->p = p;
	*out = a;
	return QT_OK;
}

static void drop_signer(qt_account *a)
{
	EVP_PKEY_free(a->key);
	X509_free(a->cert);
	a->key = NULL;
	a->cert = NULL;
	a->token = NULL;
	a->keyid[0] = '\0';
}

void qt_account_free(qt_account *a)
{
	if (a == NULL)
		return;
	if (a->signed_in)
		(void)qt_account_sign_out(a);
	qt_portal_set_bearer_(a->p, NULL);
	drop_signer(a);
	free(a);
}

qt_err qt_account_use_key(qt_account *a, EVP_PKEY *key, X509 *cert)
{
	if (key == NULL || cert == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "no key or certificate");
	drop_signer(a);
	EVP_PKEY_up_ref(key);
	X509_up_ref(cert);
	a->key = key;
	a->cert = cert;
	return QT_OK;
}

qt_err qt_account_use_keyfile(qt_account *a, const char *path, const char *password)
{
	qt_keyfile *kf;
	qt_err rc = qt_keyfile_open(path, password, &kf);

	if (rc != QT_OK)
		return rc;
	if (qt_keyfile_key(kf) == NULL)
		rc = qt_error(QT_ERR_NO_KEY, "%s", path);
	else if (qt_keyfile_cert(kf) == NULL)
		rc = qt_error(QT_ERR_NO_CERT, "%s", path);
	else
		rc = qt_account_use_key(a, qt_keyfile_key(kf), qt_keyfile_cert(kf));
	qt_keyfile_free(kf);
	return rc;
}

qt_err qt_account_token_auth_key(qt_token *t, const char *keyid, char *out, size_t size,
                                 X509 **cert)
{
	struct qt_token_object *objs = NULL;
	size_t n = 0;
	qt_err rc = qt_token_list(t, &objs, &n);

	*cert = NULL;
	if (rc != QT_OK)
		return rc;
	for (size_t i = 0; i < n && *cert == NULL; i++) {
		X509 *x = objs[i].cert;

		if (x == NULL || !objs[i].has_private_key)
			continue;
		if (keyid != NULL ? strcmp(objs[i].keyid, keyid) == 0 :
		    (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) &&
		    (X509_get_extended_key_usage(x) & XKU_SSL_CLIENT)) {
			X509_up_ref(x);
			*cert = x;
			snprintf(out, size, "%s", objs[i].keyid);
		}
	}
	qt_token_objects_free(objs, n);
	if (*cert == NULL)
		return qt_error(QT_ERR_NO_KEY, keyid ? _("no key %s with a certificate on the token") :
		                _("no AUTH key (a certificate with clientAuth) on the token"),
		                keyid ? keyid : "");
	return QT_OK;
}

qt_err qt_account_use_token(qt_account *a, qt_token *t, const char *keyid, X509 *cert)
{
	if (t == NULL || keyid == NULL || cert == NULL || strlen(keyid) >= sizeof a->keyid)
		return qt_error(QT_ERR_INVALID_ARG, "no token key or certificate");
	drop_signer(a);
	X509_up_ref(cert);
	a->token = t;
	a->cert = cert;
	snprintf(a->keyid, sizeof a->keyid, "%s", keyid);
	return QT_OK;
}

X509 *qt_account_cert(const qt_account *a) { return a->cert; }
bool qt_account_signed_in(const qt_account *a) { return a->signed_in; }
const struct qt_account_holder *qt_account_holder(const qt_account *a) { return &a->holder; }

/* SHA-256 signature of text with the signer, base64 (malloc()ed). */
static qt_err sign_b64(qt_account *a, const char *text, char **out)
{
	unsigned char *sig = NULL;
	size_t len = 0;
	qt_err rc;

	*out = NULL;
	if (a->cert == NULL)
		return qt_error(QT_ERR_INVALID_ARG, _("no AUTH key to sign in with"));
	if (a->token != NULL)
		rc = qt_token_sign(a->token, a->keyid, (const unsigned char *)text, strlen(text),
		                   &sig, &len);
	else
		rc = qt_portal_sign_text_(a->key, text, &sig, &len, "signing for the personal account");
	if (rc != QT_OK)
		return rc;
	if ((*out = qt_portal_b64_(sig, len)) == NULL)
		rc = QT_ERR_NOMEM;
	OPENSSL_free(sig);
	return rc;
}

/* Portal codes the account gives their own meaning. */
static qt_err remap(qt_portal *p, qt_err rc)
{
	static const struct { const char *code; qt_err rc; } map[] = {
		{ "certificate_expired", QT_ERR_CERT_EXPIRED }, { "key_expired", QT_ERR_CERT_EXPIRED },
		{ "certificate_revoked", QT_ERR_CERT_REVOKED }, { "key_revoked", QT_ERR_CERT_REVOKED },
		{ "certificate_not_yet_valid", QT_ERR_CERT_NOT_YET_VALID },
		{ "not_head", QT_ERR_PORTAL_DENIED }, { "chain_invalid", QT_ERR_PORTAL_DENIED },
		{ "certificate_unknown", QT_ERR_PORTAL_DENIED }, { "not_auth_key", QT_ERR_PORTAL_DENIED },
		{ "session_expired", QT_ERR_PORTAL_DENIED }, { "awaiting_head", QT_ERR_PORTAL_CONFLICT },
	};
	const char *code = qt_portal_error_code(p);

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(code, map[i].code) == 0)
			return qt_error(map[i].rc, "%s (%s)", qt_portal_error_message(p), code);
	return rc;
}

static qt_err parse_key(const cJSON *o, struct qt_account_key *k)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "days_left");
	qt_err rc;

	memset(k, 0, sizeof *k);
	if ((rc = qt_portal_jstr_(o, "serial", k->serial, sizeof k->serial, true)) != QT_OK ||
	    (rc = qt_portal_jstr_(o, "purpose", k->purpose, sizeof k->purpose, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(o, "status", k->status, sizeof k->status, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(o, "number", k->number, sizeof k->number, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(o, "subject_type", k->subject_type, sizeof k->subject_type,
	                          false)) != QT_OK ||
	    (rc = qt_portal_jstr_(o, "bin", k->bin, sizeof k->bin, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(o, "storage", k->storage, sizeof k->storage, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(o, "revocation_reason", k->revocation_reason,
	                          sizeof k->revocation_reason, false)) != QT_OK ||
	    (rc = qt_portal_jtime_(o, "not_before", &k->not_before, false)) != QT_OK ||
	    (rc = qt_portal_jtime_(o, "not_after", &k->not_after, false)) != QT_OK ||
	    (rc = qt_portal_jtime_(o, "revoked_at", &k->revoked_at, false)) != QT_OK)
		return rc;
	if (cJSON_IsNumber(d) && d->valuedouble >= 0 && d->valuedouble < 1e6)
		k->days_left = (long)d->valuedouble;
	return QT_OK;
}

qt_err qt_account_sign_in(qt_account *a, struct qt_account_holder *out)
{
	cJSON *j = NULL, *b = NULL;
	const cJSON *h, *ex, *e;
	char cid[80], sign_this[256], token[256], *sig = NULL;
	qt_err rc;

	a->signed_in = false;
	memset(&a->holder, 0, sizeof a->holder);
	qt_portal_set_bearer_(a->p, NULL);
	if (a->cert == NULL)
		return qt_error(QT_ERR_INVALID_ARG, _("no AUTH key to sign in with"));
	if ((rc = qt_portal_call_(a->p, "POST", "/api/v1/account/challenge", NULL, false, &j)) !=
	    QT_OK)
		return remap(a->p, rc);
	if ((rc = qt_portal_jstr_(j, "challenge_id", cid, sizeof cid, true)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "sign_this", sign_this, sizeof sign_this, true)) != QT_OK)
		goto out;
	/* Sign only the portal's account sign-in text, never whatever it asks. */
	if (strncmp(sign_this, "qoltanbad-account-login:", 24) != 0) {
		rc = qt_error(QT_ERR_PORTAL_REPLY, _("the portal's challenge is not a sign-in text"));
		goto out;
	}
	if ((rc = sign_b64(a, sign_this, &sig)) != QT_OK)
		goto out;
	if ((rc = qt_portal_sign_in_body_(cid, a->cert, sig, &b)) != QT_OK)
		goto out;
	cJSON_Delete(j);
	j = NULL;
	if ((rc = qt_portal_call_(a->p, "POST", "/api/v1/account/session", b, false, &j)) != QT_OK) {
		rc = remap(a->p, rc);
		goto out;
	}
	h = cJSON_GetObjectItemCaseSensitive(j, "holder");
	if ((rc = qt_portal_jstr_(j, "token", token, sizeof token, true)) != QT_OK ||
	    (rc = qt_portal_jtime_(j, "expires_at", &a->holder.session_expires, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(h, "iin", a->holder.iin, sizeof a->holder.iin, true)) != QT_OK ||
	    (rc = qt_portal_jstr_(h, "full_name", a->holder.full_name, sizeof a->holder.full_name,
	                          false)) != QT_OK ||
	    (rc = qt_portal_jstr_(h, "subject_type", a->holder.subject_type,
	                          sizeof a->holder.subject_type, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(h, "bin", a->holder.bin, sizeof a->holder.bin, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(h, "organization", a->holder.organization,
	                          sizeof a->holder.organization, false)) != QT_OK)
		goto out;
	ex = cJSON_GetObjectItemCaseSensitive(j, "expiring");
	cJSON_ArrayForEach(e, ex) {
		if (a->holder.expiring_count >= sizeof a->holder.expiring / sizeof a->holder.expiring[0])
			break;
		if (parse_key(e, &a->holder.expiring[a->holder.expiring_count]) == QT_OK)
			a->holder.expiring_count++;
	}
	qt_portal_set_bearer_(a->p, token);
	a->signed_in = true;
	if (out != NULL)
		*out = a->holder;
out:
	OPENSSL_cleanse(token, sizeof token);
	cJSON_Delete(j);
	cJSON_Delete(b);
	free(sig);
	return rc;
}

/* One account call; signs in first when needed, and again (once) when
 * the session has expired meanwhile. */
static qt_err call(qt_account *a, const char *method, const char *path, const cJSON *body,
                   cJSON **out)
{
	qt_err rc;

	*out = NULL;
	if (!a->signed_in && (rc = qt_account_sign_in(a, NULL)) != QT_OK)
		return rc;
	rc = qt_portal_call_(a->p, method, path, body, strcmp(method, "GET") == 0, out);
	if (rc == QT_ERR_PORTAL_DENIED && a->cert != NULL &&
	    (strcmp(qt_portal_error_code(a->p), "session_expired") == 0 ||
	     strcmp(qt_portal_error_code(a->p), "unauthorized") == 0)) {
		if ((rc = qt_account_sign_in(a, NULL)) != QT_OK)
			return rc;
		rc = qt_portal_call_(a->p, method, path, body, strcmp(method, "GET") == 0, out);
	}
	return rc == QT_OK ? rc : remap(a->p, rc);
}

qt_err qt_account_sign_out(qt_account *a)
{
	cJSON *j = NULL;
	qt_err rc = QT_OK;

	if (a->signed_in)
		rc = qt_portal_call_(a->p, "POST", "/api/v1/account/logout", NULL, false, &j);
	cJSON_Delete(j);
	a->signed_in = false;
	qt_portal_set_bearer_(a->p, NULL);
	return rc;
}

static qt_err parse_profile(const cJSON *j, struct qt_account_profile *o)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "certificate");
	qt_err rc;

	memset(o, 0, sizeof *o);
	if ((rc = qt_portal_jstr_(j, "iin", o->iin, sizeof o->iin, true)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "full_name", o->full_name, sizeof o->full_name, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "surname", o->surname, sizeof o->surname, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "given_name", o->given_name, sizeof o->given_name, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "patronymic", o->patronymic, sizeof o->patronymic, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "subject_type", o->subject_type, sizeof o->subject_type,
	                          false)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "bin", o->bin, sizeof o->bin, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "organization", o->organization, sizeof o->organization,
	                          false)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "phone", o->phone, sizeof o->phone, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "email", o->email, sizeof o->email, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "language", o->language, sizeof o->language, false)) != QT_OK ||
	    (rc = qt_portal_jbool_(j, "notify_email", &o->notify_email, false)) != QT_OK ||
	    (rc = qt_portal_jbool_(j, "notify_sms", &o->notify_sms, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(c, "serial", o->serial, sizeof o->serial, false)) != QT_OK ||
	    (rc = qt_portal_jtime_(c, "not_after", &o->not_after, false)) != QT_OK)
		return rc;
	return QT_OK;
}

qt_err qt_account_profile(qt_account *a, struct qt_account_profile *out)
{
	cJSON *j;
	qt_err rc = call(a, "GET", "/api/v1/account/profile", NULL, &j);

	if (rc == QT_OK)
		rc = parse_profile(j, out);
	cJSON_Delete(j);
	return rc;
}

qt_err qt_account_profile_set(qt_account *a, const char *language, int notify_email,
                              int notify_sms, struct qt_account_profile *out)
{
	struct qt_account_profile local;
	cJSON *b = cJSON_CreateObject(), *j = NULL;
	qt_err rc;

	if (b == NULL)
		return QT_ERR_NOMEM;
	if (language != NULL) {
		if (strcmp(language, "kk") && strcmp(language, "ru") && strcmp(language, "en")) {
			cJSON_Delete(b);
			return qt_error(QT_ERR_INVALID_ARG, _("language must be kk, ru or en"));
		}
		cJSON_AddStringToObject(b, "language", language);
	}
	if (notify_email >= 0)
		cJSON_AddBoolToObject(b, "notify_email", notify_email != 0);
	if (notify_sms >= 0)
		cJSON_AddBoolToObject(b, "notify_sms", notify_sms != 0);
	rc = call(a, "POST", "/api/v1/account/profile", b, &j);
	if (rc == QT_OK)
		rc = parse_profile(j, out != NULL ? out : &local);
	cJSON_Delete(b);
	cJSON_Delete(j);
	return rc;
}

qt_err qt_account_keys(qt_account *a, struct qt_account_key **out, size_t *count)
{
	cJSON *j;
	const cJSON *arr, *e;
	size_t n = 0;
	qt_err rc = call(a, "GET", "/api/v1/account/keys", NULL, &j);

	*out = NULL;
	*count = 0;
	if (rc != QT_OK)
		return rc;
	arr = cJSON_GetObjectItemCaseSensitive(j, "keys");
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(j);
		return qt_error(QT_ERR_PORTAL_REPLY, _("the portal's reply has no valid \"%s\""), "keys");
	}
	*out = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **out);
	if (*out == NULL) {
		cJSON_Delete(j);
		return QT_ERR_NOMEM;
	}
	cJSON_ArrayForEach(e, arr) {
		if ((rc = parse_key(e, &(*out)[n])) != QT_OK)
			break;
		n++;
	}
	cJSON_Delete(j);
	if (rc != QT_OK) {
		free(*out);
		*out = NULL;
		return rc;
	}
	*count = n;
	return QT_OK;
}

qt_err qt_account_keys_csv(const struct qt_account_key *k, size_t n, FILE *f)
{
	char nb[32], na[32], ra[32];

	fputs("serial,purpose,status,application,subject_type,bin,storage,not_before,not_after,"
	      "days_left,revoked_at,revocation_reason\r\n", f);
	for (size_t i = 0; i < n; i++) {
		qt_time_iso8601(k[i].not_before, nb);
		qt_time_iso8601(k[i].not_after, na);
		ra[0] = '\0';
		if (k[i].revoked_at)
			qt_time_iso8601(k[i].revoked_at, ra);
		/* Hex, digits, ids and timestamps: nothing needs quoting. */
		fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%ld,%s,%s\r\n", k[i].serial, k[i].purpose,
		        k[i].status, k[i].number, k[i].subject_type, k[i].bin, k[i].storage, nb, na,
		        k[i].days_left, ra, k[i].revocation_reason);
	}
	return ferror(f) ? qt_error(QT_ERR_IO, "CSV") : QT_OK;
}

bool qt_account_reason_valid(const char *r)
{
	static const char *const ok[] = { "unspecified", "key_compromise", "affiliation_changed",
	                                  "superseded", "cessation_of_operation",
	                                  "privilege_withdrawn" };

	for (size_t i = 0; r != NULL && i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(r, ok[i]) == 0)
			return true;
	return false;
}

/* A serial as the portal writes it: 1..64 lower-case hex digits. */
static qt_err check_serial(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > 64 || strspn(s, "0123456789abcdef") != n)
		return qt_error(QT_ERR_INVALID_ARG, _("\"%.70s\" is not a certificate serial number "
		                                      "(lower-case hex, as \"account keys\" lists it)"),
		                s ? s : "");
	return QT_OK;
}

qt_err qt_account_revoke(qt_account *a, const char *serial, const char *reason)
{
	char path[160];
	cJSON *b, *j = NULL;
	qt_err rc;

	if ((rc = check_serial(serial)) != QT_OK)
		return rc;
	if (!qt_account_reason_valid(reason))
		return qt_error(QT_ERR_INVALID_ARG, _("the reason must be one of unspecified, "
		                "key_compromise, affiliation_changed, superseded, "
		                "cessation_of_operation, privilege_withdrawn"));
	if ((b = cJSON_CreateObject()) == NULL)
		return QT_ERR_NOMEM;
	cJSON_AddStringToObject(b, "reason", reason);
	snprintf(path, sizeof path, "/api/v1/account/keys/%s/revoke", serial);
	rc = call(a, "POST", path, b, &j);
	cJSON_Delete(b);
	cJSON_Delete(j);
	return rc;
}

static qt_err parse_request(const cJSON *o, struct qt_account_request *r)
{
	const cJSON *ri = cJSON_GetObjectItemCaseSensitive(o, "reissue");
	qt_err rc;

	memset(r, 0, sizeof *r);
	if ((rc = qt_portal_parse_app_(o, &r->info)) != QT_OK)
		return rc;
	(void)qt_portal_jstr_(o, "full_name", r->full_name, sizeof r->full_name, false);
	if (cJSON_IsObject(ri)) {
		r->online = true;
		if ((rc = qt_portal_jstr_(ri, "previous_serial", r->previous_serial,
		                          sizeof r->previous_serial, false)) != QT_OK ||
		    (rc = qt_portal_jstr_(ri, "approval", r->approval, sizeof r->approval, false)) !=
		    QT_OK)
			return rc;
	}
	return QT_OK;
}

static qt_err request_list(qt_account *a, const char *path, const char *member,
                           struct qt_account_request **out, size_t *count)
{
	cJSON *j;
	const cJSON *arr, *e;
	size_t n = 0;
	qt_err rc = call(a, "GET", path, NULL, &j);

	*out = NULL;
	*count = 0;
	if (rc != QT_OK)
		return rc;
	arr = cJSON_GetObjectItemCaseSensitive(j, member);
	if (!cJSON_IsArray(arr) ||
	    (*out = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **out)) == NULL) {
		cJSON_Delete(j);
		return cJSON_IsArray(arr) ? QT_ERR_NOMEM :
		       qt_error(QT_ERR_PORTAL_REPLY, _("the portal's reply has no valid \"%s\""), member);
	}
	cJSON_ArrayForEach(e, arr) {
		if ((rc = parse_request(e, &(*out)[n])) != QT_OK)
			break;
		n++;
	}
	cJSON_Delete(j);
	if (rc != QT_OK) {
		free(*out);
		*out = NULL;
		return rc;
	}
	*count = n;
	return QT_OK;
}

qt_err qt_account_requests(qt_account *a, struct qt_account_request **out, size_t *count)
{
	return request_list(a, "/api/v1/account/requests", "requests", out, count);
}

qt_err qt_account_approvals(qt_account *a, struct qt_account_request **out, size_t *count)
{
	return request_list(a, "/api/v1/account/approvals", "approvals", out, count);
}

static qt_err check_number(const char *n)
{
	if (n == NULL || strlen(n) != 12 || strspn(n, "0123456789") != 12)
		return qt_error(QT_ERR_INVALID_ARG, _("\"%.40s\" is not an application number "
		                                      "(12 digits)"), n ? n : "");
	return QT_OK;
}

qt_err qt_account_decide(qt_account *a, const char *number, bool approve, const char *reason,
                         struct qt_account_request *out)
{
	struct qt_account_request local;
	char path[128];
	cJSON *b = NULL, *j = NULL;
	qt_err rc;

	if ((rc = check_number(number)) != QT_OK)
		return rc;
	if (!approve && reason != NULL && *reason) {
		if ((b = cJSON_CreateObject()) == NULL)
			return QT_ERR_NOMEM;
		cJSON_AddStringToObject(b, "reason", reason);
	}
	snprintf(path, sizeof path, "/api/v1/account/approvals/%s/%s", number,
	         approve ? "approve" : "decline");
	rc = call(a, "POST", path, b, &j);
	if (rc == QT_OK)
		rc = parse_request(j, out != NULL ? out : &local);
	cJSON_Delete(b);
	cJSON_Delete(j);
	return rc;
}

/* The certificate's serial as the portal writes it: lower-case hex. */
static void serial_hex(X509 *x, char *out, size_t size)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *h = bn != NULL ? BN_bn2hex(bn) : NULL;

	snprintf(out, size, "%s", h != NULL ? h : "");
	for (char *c = out; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	OPENSSL_free(h);
	BN_free(bn);
}

qt_err qt_account_reissue_base(qt_account *a, const char *serial, struct qt_reissue_base *out)
{
	struct qt_account_key *keys = NULL;
	const struct qt_account_key *k = NULL;
	char own[48], path[128];
	cJSON *j = NULL;
	size_t n = 0;
	qt_err rc;

	memset(out, 0, sizeof *out);
	if (serial == NULL) {
		if (a->cert == NULL)
			return qt_error(QT_ERR_INVALID_ARG, _("no AUTH key to sign in with"));
		serial_hex(a->cert, own, sizeof own);
		serial = own;
	}
	if ((rc = check_serial(serial)) != QT_OK || (rc = qt_account_keys(a, &keys, &n)) != QT_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i].serial, serial) == 0)
			k = &keys[i];
	if (k == NULL) {
		rc = qt_error(QT_ERR_PORTAL_NOT_FOUND, _("you have no certificate %s"), serial);
		goto out;
	}
	if (strcmp(k->status, "revoked") == 0) {
		rc = qt_error(QT_ERR_CERT_REVOKED, _("certificate %s is revoked: re-issuance needs a "
		              "valid key; apply for new keys"), serial);
		goto out;
	}
	if (strcmp(k->status, "expired") == 0) {
		rc = qt_error(QT_ERR_CERT_EXPIRED, _("certificate %s has expired: re-issuance needs a "
		              "valid key; apply for new keys (qoltanba apply) and visit a Registration "
		              "Authority"), serial);
		goto out;
	}
	snprintf(path, sizeof path, "/api/v1/account/requests/%s", k->number);
	if ((rc = call(a, "GET", path, NULL, &j)) != QT_OK)
		goto out;
	snprintf(out->serial, sizeof out->serial, "%s", serial);
	out->not_after = k->not_after;
	if ((rc = qt_portal_jstr_(j, "subject_type", out->subject_type, sizeof out->subject_type,
	                          true)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "iin", out->iin, sizeof out->iin, true)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "bin", out->bin, sizeof out->bin, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "region", out->region, sizeof out->region, true)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "city", out->city, sizeof out->city, true)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "email", out->email, sizeof out->email, false)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "storage", out->storage, sizeof out->storage, false)) != QT_OK)
		goto out;
out:
	cJSON_Delete(j);
	free(keys);
	return rc;
}

static void sha256_hex(const char *s, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

qt_err qt_account_reissue(qt_account *a, const char *journal, struct qt_app_record *rec,
                          const char *serial, const char *email, struct qt_account_request *out)
{
	struct qt_account_request local;
	struct qt_reissue_base base;
	char *auth = NULL, *sign = NULL, *storage = NULL, *sig = NULL, *text = NULL, *kept = NULL;
	char ha[65], hs[65], access[128] = "";
	cJSON *b = NULL, *j = NULL;
	size_t n;
	qt_err rc;

	if (out == NULL)
		out = &local;
	if (rec->step != QT_STEP_KEYS_GENERATED)
		return qt_error(QT_ERR_INVALID_ARG, _("the keys of this re-issuance were sent already "
		                                      "(application %s)"), rec->number);
	if (serial == NULL && rec->reissue_of[0])
		serial = rec->reissue_of;     /* what the keys were made for */
	if ((rc = qt_account_reissue_base(a, serial, &base)) != QT_OK)
		return rc;
	if ((rc = qt_enroll_request_fields_(journal, rec->id, &auth, &sign, &storage,
	                                    &kept)) != QT_OK)
		return rc;
	if (email == NULL)
		email = rec->reissue_of[0] ? kept : base.email;
	if (*email && (rc = qt_email_check(email)) != QT_OK)
		goto out;
	sha256_hex(auth, ha);
	sha256_hex(sign, hs);
	n = strlen(base.serial) + strlen(storage) + strlen(email) + 200;
	if ((text = malloc(n)) == NULL || (b = cJSON_CreateObject()) == NULL) {
		rc = QT_ERR_NOMEM;
		goto out;
	}
	/* The current key confirms exactly this request (doc/api.md). */
	snprintf(text, n, "qoltanbad-reissue:%s:%s:%s:%s:%s", base.serial, storage, email, ha, hs);
	if ((rc = sign_b64(a, text, &sig)) != QT_OK)
		goto out;
	cJSON_AddStringToObject(b, "serial", base.serial);
	cJSON_AddStringToObject(b, "storage", storage);
	cJSON_AddStringToObject(b, "email", email);
	cJSON_AddStringToObject(b, "auth_csr", auth);
	cJSON_AddStringToObject(b, "sign_csr", sign);
	cJSON_AddStringToObject(b, "signature", sig);
	if ((rc = call(a, "POST", "/api/v1/account/reissue", b, &j)) != QT_OK ||
	    (rc = parse_request(j, out)) != QT_OK ||
	    (rc = qt_portal_jstr_(j, "access_token", access, sizeof access, true)) != QT_OK)
		goto out;
	snprintf(rec->number, sizeof rec->number, "%s", out->info.number);
	snprintf(rec->access, sizeof rec->access, "%s", access);
	if (rec->portal[0] == '\0')
		snprintf(rec->portal, sizeof rec->portal, "%s", qt_portal_id(a->p));
	rec->step = out->info.status == QT_APP_ISSUED ? QT_STEP_ISSUED : QT_STEP_SUBMITTED;
	rec->updated = time(NULL);
	rc = qt_journal_put(journal, rec);
out:
	OPENSSL_cleanse(access, sizeof access);
	cJSON_Delete(b);
	cJSON_Delete(j);
	free(auth);
	free(sign);
	free(storage);
	free(kept);
	free(sig);
	free(text);
	return rc;
}

size_t qt_account_expiring(const struct qt_account_key *keys, size_t count, int days,
                           struct qt_account_key *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < count && n < max; i++)
		if (strcmp(keys[i].status, "valid") == 0 && keys[i].days_left <= days)
			out[n++] = keys[i];
	return n;
}

long qt_cert_days_left(X509 *cert, time_t now, int days)
{
	const ASN1_TIME *na = X509_get0_notAfter(cert);
	int d = 0, s = 0;
	ASN1_TIME *t = ASN1_TIME_set(NULL, now);
	long left;

	if (t == NULL || ASN1_TIME_diff(&d, &s, t, na) != 1) {
		ASN1_TIME_free(t);
		return -1;
	}
	ASN1_TIME_free(t);
	if (d < 0 || (d == 0 && s <= 0))
		return 0;
	left = d + (s > 0 ? 1 : 0);
	return left <= days ? left : -1;
}
