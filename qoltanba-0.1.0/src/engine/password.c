/* The NCA key password policy (domain.md section 1), exactly. */
#include <config.h>

#include <string.h>

#include <qoltanba/password.h>
#include "i18n.h"

qt_err qt_password_check(const char *pw)
{
	bool letter = false, digit = false;
	size_t i, n;

	if (pw == NULL)
		pw = "";
	n = strlen(pw);
	/* Characters first: a Cyrillic letter typed in the wrong layout is
	 * the most common mistake, and it also makes strlen() lie. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			letter = true;
		} else if (c >= '0' && c <= '9') {
			digit = true;
		} else if (c == '\0' || strchr(QT_PASSWORD_SPECIALS, c) == NULL) {
			if (c >= 0x80)
				return qt_error(QT_ERR_PASSWORD_CHAR,
				                _("character %zu is not Latin (check the keyboard layout)"),
				                i + 1);
			if (c == ' ')
				return qt_error(QT_ERR_PASSWORD_CHAR,
				                _("character %zu is a space"), i + 1);
			return qt_error(QT_ERR_PASSWORD_CHAR,
			                _("character %zu (%c) is not allowed"), i + 1,
			                c >= 0x20 && c < 0x7f ? c : '?');
		}
	}
	if (n < QT_PASSWORD_MIN)
		return qt_error(QT_ERR_PASSWORD_SHORT, _("%zu characters"), n);
	if (n > QT_PASSWORD_MAX)
		return qt_error(QT_ERR_PASSWORD_LONG, _("%zu characters"), n);
	if (!letter)
		return qt_error(QT_ERR_PASSWORD_NO_LETTER, NULL);
	if (!digit)
		return qt_error(QT_ERR_PASSWORD_NO_DIGIT, NULL);
	qt_error_clear();
	return QT_OK;
}

const char *qt_password_policy_text(void)
{
	return _("6 to 32 characters: Latin letters and digits (at least one of each); "
	         "the characters #$^+=!*()@%&_?-. are also allowed.");
}
