/* What the personal-account pages share (screens/account.h): the
 * signed-in account, its key or token, and the labels and sentences
 * every page uses. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <qoltanba/cert.h>
#include "screens/account.h"
#include "screens/enroll.h"
#include "i18n.h"

struct acct acc = { .is_head = -1 };

static void forget(void)
{
	if (acc.a)
		qt_account_free(acc.a);     /* signs out when signed in */
	if (acc.tok)
		qt_token_logout(acc.tok);
	if (acc.p11)
		qt_p11_close(acc.p11);
	OPENSSL_cleanse(&acc, sizeof(acc));
	acc.is_head = -1;
}

void acct_sign_out(void)
{
	forget();
}

void acct_on_idle(void)
{
	acct_sign_out();
	enr_app_free();
}

bool acct_signed_in(void)
{
	return acc.a && qt_account_signed_in(acc.a);
}

static qt_err opened(qt_err rc, struct qt_cert_summary *sum, char *buf, size_t size)
{
	X509 *cert;

	if (rc == QT_OK && (cert = qt_account_cert(acc.a)) != NULL && sum)
		rc = qt_cert_summarize(cert, time(NULL), sum);
	if (rc != QT_OK) {
		acct_explain(rc, buf, size);
		forget();
	}
	return rc;
}

qt_err acct_open_file(const char *path, const char *password, struct qt_cert_summary *sum,
                      char *buf, size_t size)
{
	qt_err rc;

	forget();
	if ((rc = enr_connect(buf, size)) != QT_OK)
		return rc;
	rc = qt_account_open(enr.portal, &acc.a);
	if (rc == QT_OK)
		rc = qt_account_use_keyfile(acc.a, path, password);
	if (rc == QT_OK) {
		acc.storage = QT_STORAGE_PKCS12;
		snprintf(acc.keyfile, sizeof(acc.keyfile), "%s", path);
	}
	return opened(rc, sum, buf, size);
}

qt_err acct_open_token(const char *label, const char *pin, struct qt_cert_summary *sum,
                       char *buf, size_t size)
{
	struct qt_token_info ti;
	X509 *cert = NULL;
	qt_err rc;

	forget();
	if ((rc = enr_connect(buf, size)) != QT_OK)
		return rc;
	rc = enr_token_login(label, pin, &acc.p11, &acc.tok, buf, size);
	if (rc != QT_OK) {
		forget();           /* buf already says what to do */
		return rc;
	}
	rc = qt_account_open(enr.portal, &acc.a);
	if (rc == QT_OK)
		rc = qt_account_token_auth_key(acc.tok, NULL, acc.keyid, sizeof(acc.keyid), &cert);
	if (rc == QT_OK)
		rc = qt_account_use_token(acc.a, acc.tok, acc.keyid, cert);
	X509_free(cert);    /* the account holds its own reference */
	if (rc == QT_OK && qt_token_info(acc.tok, &ti) == QT_OK) {
		acc.storage = ti.medium;
		snprintf(acc.token_label, sizeof(acc.token_label), "%s", ti.label);
	}
	if (rc == QT_OK && acc.storage == QT_STORAGE_PKCS12)
		acc.storage = QT_STORAGE_UNKNOWN;   /* a token all the same */
	return opened(rc, sum, buf, size);
}

qt_err acct_sign(char *buf, size_t size)
{
	qt_err rc;

	if (!acc.a)
		return QT_ERR_INVALID_ARG;
	rc = qt_account_sign_in(acc.a, &acc.holder);
	if (rc != QT_OK)
		acct_explain(rc, buf, size);
	return rc;
}

void acct_explain(qt_err rc, char *buf, size_t size)
{
	char portal[600];

	enr_explain(rc, portal, sizeof(portal));
	switch (rc) {
	case QT_ERR_CERT_EXPIRED:
		snprintf(buf, size, "%s %s", _("This key has expired: it can no longer sign in or be "
		                               "re-issued. Apply for new keys (Home, \"Obtain DS "
		                               "keys\")."), portal);
		return;
	case QT_ERR_CERT_REVOKED:
		snprintf(buf, size, "%s %s", _("This key has been revoked: it can no longer sign in "
		                               "or be re-issued. Apply for new keys (Home, \"Obtain "
		                               "DS keys\")."), portal);
		return;
	case QT_ERR_BAD_PASSWORD:
		snprintf(buf, size, "%s", _("Wrong password for this key file. Type it again."));
		return;
	case QT_ERR_PORTAL_DENIED:
		if (enr.portal && *qt_portal_error_message(enr.portal)) {
			snprintf(buf, size, "%s %s", _("The portal refused:"),
			         qt_portal_error_message(enr.portal));
			return;
		}
		break;
	case QT_ERR_NO_KEY:
		snprintf(buf, size, "%s", _("No AUTH key here: sign in with the AUTH_RSA256_... file "
		                            "(or the token) that holds the key with its "
		                            "certificate."));
		return;
	default:
		break;
	}
	snprintf(buf, size, "%s", portal);
}

const char *acct_status_label(const char *status)
{
	if (strcmp(status, "valid") == 0)
		return _("valid");
	if (strcmp(status, "expired") == 0)
		return _("expired");
	if (strcmp(status, "revoked") == 0)
		return _("revoked");
	if (strcmp(status, "not_yet_valid") == 0)
		return _("not yet valid");
	return status;
}

const char *acct_purpose_label(const char *purpose)
{
	if (strcmp(purpose, "auth") == 0)
		return _("AUTH");
	if (strcmp(purpose, "sign") == 0)
		return _("SIGN");
	return purpose;
}

const char *acct_storage_label(const char *storage)
{
	static const enum qt_storage all[] = {
		QT_STORAGE_PKCS12, QT_STORAGE_IDCARD, QT_STORAGE_KAZTOKEN, QT_STORAGE_ETOKEN72K,
		QT_STORAGE_ETOKEN5110, QT_STORAGE_JACARTA, QT_STORAGE_AKEY,
	};

	if (strcmp(storage, "pc") == 0)
		return qt_storage_label(QT_STORAGE_PKCS12);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(storage, qt_storage_name(all[i])) == 0)
			return qt_storage_label(all[i]);
	return storage;
}

const char *acct_approval_label(const char *approval)
{
	if (strcmp(approval, "not_needed") == 0)
		return _("no approval needed");
	if (strcmp(approval, "awaiting_head") == 0)
		return _("awaiting the first head");
	if (strcmp(approval, "approved") == 0)
		return _("approved by the first head");
	if (strcmp(approval, "declined") == 0)
		return _("declined by the first head");
	return approval;
}

const char *acct_request_status_label(enum qt_app_status st)
{
	switch (st) {
	case QT_APP_PENDING: return _("awaiting");
	case QT_APP_ISSUED: return _("issued: install it");
	case QT_APP_INSTALLED: return _("installed");
	case QT_APP_REJECTED: return _("rejected");
	case QT_APP_CANCELLED: return _("cancelled");
	case QT_APP_UNKNOWN: break;
	}
	return _("unknown");
}

const char *const acct_reasons[ACCT_NREASONS] = {
	"key_compromise", "affiliation_changed", "superseded", "cessation_of_operation",
	"privilege_withdrawn", "unspecified",
};

const char *acct_reason_label(const char *reason)
{
	if (strcmp(reason, "key_compromise") == 0)
		return _("The key is compromised (lost, stolen, disclosed)");
	if (strcmp(reason, "affiliation_changed") == 0)
		return _("My data or organisation changed");
	if (strcmp(reason, "superseded") == 0)
		return _("Replaced by new keys");
	if (strcmp(reason, "cessation_of_operation") == 0)
		return _("I no longer need it");
	if (strcmp(reason, "privilege_withdrawn") == 0)
		return _("The right to sign was withdrawn");
	if (strcmp(reason, "unspecified") == 0)
		return _("No reason given");
	return reason;
}

void acct_date(time_t t, char *buf)
{
	char iso[32];

	qt_time_iso8601(t, iso);
	memcpy(buf, iso, 10);
	buf[10] = '\0';
}

void acct_expiry_notice(const struct qt_account_holder *h, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < h->expiring_count && off < size; i++) {
		const struct qt_account_key *k = &h->expiring[i];
		char date[11], serial[17];

		acct_date(k->not_after, date);
		snprintf(serial, sizeof(serial), "%s", k->serial);
		off += (size_t)snprintf(buf + off, size - off,
		                        dngettext(PACKAGE, "%sThe %s key %s expires in %ld day, on %s: "
		                                 "re-issue it while it is valid.",
		                                 "%sThe %s key %s expires in %ld days, on %s: "
		                                 "re-issue it while it is valid.",
		                                 (unsigned long)k->days_left),
		                        off ? " " : "", acct_purpose_label(k->purpose), serial,
		                        k->days_left, date);
	}
}

int acct_leave_signed_out(struct tui *t)
{
	memset(&t->result, 0, sizeof(t->result));
	t->result.code = ACCT_SIGNED_OUT;
	t->has_result = true;
	return TUI_HANDLED | TUI_POP;
}

bool acct_signing_out(struct tui *t, const struct tui_result *r, int *flags)
{
	if (r->code != ACCT_SIGNED_OUT)
		return false;
	*flags = acct_leave_signed_out(t);
	return true;
}

/* Lower-case hex serials compare without leading zeros (BN_bn2hex pads
 * to whole bytes, the portal may not). */
static const char *hex_digits(const char *s)
{
	while (*s == '0' && s[1])
		s++;
	return s;
}

bool acct_is_signer(const char *serial)
{
	struct qt_cert_summary sum;
	X509 *cert = acc.a ? qt_account_cert(acc.a) : NULL;

	if (!cert || !serial || qt_cert_summarize(cert, time(NULL), &sum) != QT_OK)
		return false;
	return strcmp(hex_digits(sum.serial), hex_digits(serial)) == 0;
}

const char *acct_subject_type_label(const char *t)
{
	if (strcmp(t, "individual") == 0)
		return _("individual");
	if (strcmp(t, "chairman") == 0)
		return _("first head");
	if (strcmp(t, "signing_right") == 0)
		return _("signing right");
	if (strcmp(t, "financial") == 0)
		return _("financial");
	if (strcmp(t, "hr") == 0)
		return _("HR");
	if (strcmp(t, "employee") == 0)
		return _("employee");
	return t;
}
