/* Error codes and the sentence each one means to a user. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include <qoltanba/error.h>
#include "i18n.h"

static _Thread_local char detail[512];

const char *qt_error_detail(void)
{
	return detail;
}

void qt_error_clear(void)
{
	detail[0] = '\0';
}

static void set_detail(const char *fmt, va_list ap)
{
	if (fmt == NULL) {
		detail[0] = '\0';
		return;
	}
	vsnprintf(detail, sizeof detail, fmt, ap);
}

qt_err qt_error(qt_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_detail(fmt, ap);
	va_end(ap);
	return code;
}

qt_err qt_error_ssl(qt_err code, const char *fmt, ...)
{
	va_list ap;
	unsigned long e;
	size_t n;

	va_start(ap, fmt);
	set_detail(fmt, ap);
	va_end(ap);
	e = ERR_peek_last_error();
	if (e != 0) {
		const char *reason = ERR_reason_error_string(e);
		n = strlen(detail);
		snprintf(detail + n, sizeof detail - n, "%s(OpenSSL: %s)",
		         n > 0 ? " " : "", reason != NULL ? reason : "unknown");
	}
	ERR_clear_error();
	return code;
}

qt_err qt_err_from_errno(int errnum)
{
	switch (errnum) {
	case 0:
		return QT_OK;
	case ENOMEM:
		return QT_ERR_NOMEM;
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return QT_ERR_NOSPACE;
	case EACCES:
	case EPERM:
	case EROFS:
		return QT_ERR_PERMISSION;
	case ENOENT:
	case ENOTDIR:
		return QT_ERR_NOT_FOUND;
	case EEXIST:
		return QT_ERR_EXISTS;
	case EINVAL:
		return QT_ERR_INVALID_ARG;
	default:
		return QT_ERR_IO;
	}
}

const char *qt_strerror(qt_err code)
{
	switch (code) {
	case QT_OK: return _("Success.");
	case QT_ERR_NOMEM: return _("Out of memory.");
	case QT_ERR_INVALID_ARG: return _("Invalid input.");
	case QT_ERR_IO: return _("A file could not be read or written.");
	case QT_ERR_NOSPACE: return _("The disk is full. Free some space and try again; nothing was changed.");
	case QT_ERR_PERMISSION: return _("Permission denied: the folder or file is read-only or belongs to someone else.");
	case QT_ERR_NOT_FOUND: return _("No such file or folder.");
	case QT_ERR_EXISTS: return _("The file already exists and was left as it is.");
	case QT_ERR_INTERNAL: return _("Internal error in qoltanba. Please report it.");
	case QT_ERR_CANCELLED: return _("Cancelled.");
	case QT_ERR_CONFIG: return _("The configuration is not valid.");

	case QT_ERR_IDNUM_LENGTH: return _("An IIN or BIN has exactly 12 digits.");
	case QT_ERR_IDNUM_DIGITS: return _("An IIN or BIN contains digits only.");
	case QT_ERR_IDNUM_CHECKSUM: return _("The check digit (the last one) does not match: check the number for a typo.");
	case QT_ERR_IDNUM_DATE: return _("The date in the first digits of the number is not a real date.");
	case QT_ERR_IDNUM_CENTURY: return _("The 7th digit of an IIN (century and sex) must be 1 to 6.");
	case QT_ERR_IDNUM_TYPE: return _("The 5th digit of a BIN (entity type) must be 4, 5 or 6.");
	case QT_ERR_IDNUM_UNIT: return _("The 6th digit of a BIN (head office, branch, ...) must be 0 to 3.");
	case QT_ERR_PASSWORD_SHORT: return _("The password is too short: use at least 6 characters.");
	case QT_ERR_PASSWORD_LONG: return _("The password is too long: use at most 32 characters.");
	case QT_ERR_PASSWORD_NO_LETTER: return _("The password needs at least one Latin letter (a-z, A-Z).");
	case QT_ERR_PASSWORD_NO_DIGIT: return _("The password needs at least one digit (0-9).");
	case QT_ERR_PASSWORD_CHAR: return _("The password may contain only Latin letters, digits and #$^+=!*()@%&_?-.");
	case QT_ERR_PASSWORD_MISMATCH: return _("The two passwords differ: type the same password twice.");
	case QT_ERR_EMAIL: return _("This is not an e-mail address: it should look like name@example.kz.");

	case QT_ERR_CRYPTO: return _("A cryptographic operation failed.");
	case QT_ERR_KEYGEN: return _("The key pair could not be generated.");
	case QT_ERR_UNSUPPORTED_ALG: return _("This key type is not supported for signing (GOST keys need NCA's own software).");
	case QT_ERR_BAD_SIGNATURE: return _("The signature does not verify.");
	case QT_ERR_WEAK_KEY: return _("The key is too weak: RSA keys need at least 2048 bits.");

	case QT_ERR_BAD_PASSWORD: return _("Wrong password for this key file. Check the keyboard layout and Caps Lock, and try again.");
	case QT_ERR_NOT_KEYSTORE: return _("This file is neither a key store (.p12) nor a certificate.");
	case QT_ERR_NO_KEY: return _("The key store holds no private key.");
	case QT_ERR_NO_CERT: return _("The key store holds no certificate.");
	case QT_ERR_KEY_MISMATCH: return _("The certificate does not belong to this private key.");
	case QT_ERR_CERT_EXPIRED: return _("The certificate has expired. Apply for new keys.");
	case QT_ERR_CERT_NOT_YET_VALID: return _("The certificate is not valid yet. Check the computer's clock.");
	case QT_ERR_CERT_REVOKED: return _("The certificate has been revoked.");
	case QT_ERR_PENDING_NOT_FOUND: return _("The private keys of this application are not in this folder. Choose the folder where the keys were generated.");

	case QT_ERR_NO_READER: return _("No smart-card reader or token is connected.");
	case QT_ERR_NO_CARD: return _("The reader is empty: insert the card or connect the token.");
	case QT_ERR_PCSC_DENIED: return _("The smart-card service refused access. Over SSH, polkit allows only local sessions: add a polkit rule for org.debian.pcsc-lite.access_pcsc and org.debian.pcsc-lite.access_card.");
	case QT_ERR_PCSC: return _("The smart-card service (pcscd) is not running or failed.");
	case QT_ERR_MODULE: return _("The PKCS#11 module of this token could not be loaded. Check the module path in the configuration.");
	case QT_ERR_TOKEN_NOT_FOUND: return _("The token was not found. Check that it is connected.");
	case QT_ERR_PIN_INCORRECT: return _("Wrong PIN.");
	case QT_ERR_PIN_LOCKED: return _("The PIN is locked after too many wrong attempts. Unlock it with the PUK or contact the token's issuer.");
	case QT_ERR_PIN_POLICY: return _("The token refused the new PIN: check its length and characters.");
	case QT_ERR_TOKEN_REMOVED: return _("The token was removed during the operation. Nothing was saved on it.");
	case QT_ERR_TOKEN: return _("The token reported an error.");

	case QT_ERR_NETWORK: return _("Cannot reach the portal. Check the network and try again; your data is kept.");
	case QT_ERR_TIMEOUT: return _("The portal did not answer in time. Try again; your data is kept.");
	case QT_ERR_TLS: return _("The portal's certificate could not be verified. Check the portal address and CA settings.");

	case QT_ERR_PORTAL: return _("The portal reported an error.");
	case QT_ERR_PORTAL_REPLY: return _("The portal sent a reply qoltanba does not understand.");
	case QT_ERR_PORTAL_NOT_FOUND: return _("No application has this number. Check the number.");
	case QT_ERR_PORTAL_DENIED: return _("The portal refused: you are not allowed to do this, or your session has expired.");
	case QT_ERR_PORTAL_CONFLICT: return _("The portal refused: the application is not in a state that allows this.");
	case QT_ERR_CAPTCHA: return _("The captcha code is wrong or has expired. Type the new code.");
	case QT_ERR_REGISTRY: return _("The number was not found in the national registry.");
	}
	return _("Unknown error.");
}
