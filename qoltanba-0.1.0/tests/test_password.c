/* The password policy of domain.md section 1, rule by rule. */
#include <config.h>

#include <qoltanba/password.h>
#include "tap.h"

int main(void)
{
	CHECK_EQ_INT(qt_password_check("Qwerty12"), QT_OK);
	CHECK_EQ_INT(qt_password_check("abc123"), QT_OK);                 /* 6: shortest */
	CHECK_EQ_INT(qt_password_check("a1234567890123456789012345678901"), QT_OK); /* 32 */
	CHECK_EQ_INT(qt_password_check("a1#$^+=!*()@%&_?-."), QT_OK);    /* every special */
	CHECK_EQ_INT(qt_password_check("ABC123"), QT_OK);                 /* upper case is fine */

	CHECK_EQ_INT(qt_password_check("ab12"), QT_ERR_PASSWORD_SHORT);
	CHECK_EQ_INT(qt_password_check(""), QT_ERR_PASSWORD_SHORT);
	CHECK_EQ_INT(qt_password_check(NULL), QT_ERR_PASSWORD_SHORT);
	CHECK_EQ_INT(qt_password_check("a12345678901234567890123456789012"), QT_ERR_PASSWORD_LONG);
	CHECK_EQ_INT(qt_password_check("1234567"), QT_ERR_PASSWORD_NO_LETTER);
	CHECK_EQ_INT(qt_password_check("#$^+=!*1"), QT_ERR_PASSWORD_NO_LETTER);
	CHECK_EQ_INT(qt_password_check("abcdefg"), QT_ERR_PASSWORD_NO_DIGIT);
	CHECK_EQ_INT(qt_password_check("abc 123"), QT_ERR_PASSWORD_CHAR);
	CHECK(strstr(qt_error_detail(), "space") != NULL);
	CHECK_EQ_INT(qt_password_check("abc,123"), QT_ERR_PASSWORD_CHAR);
	CHECK_EQ_INT(qt_password_check("abc~123"), QT_ERR_PASSWORD_CHAR);
	CHECK_EQ_INT(qt_password_check("abc/123"), QT_ERR_PASSWORD_CHAR);
	/* Cyrillic typed in the wrong layout: "йцукен12". */
	CHECK_EQ_INT(qt_password_check("йцук" "en12"), QT_ERR_PASSWORD_CHAR);
	CHECK(strstr(qt_error_detail(), "Latin") != NULL);
	/* Every printable ASCII character outside the set is refused. */
	{
		int c, wrong = 0;
		char pw[8];
		for (c = 0x20; c < 0x7f; c++) {
			bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			          (c >= '0' && c <= '9') || strchr("#$^+=!*()@%&_?-.", c);
			snprintf(pw, sizeof pw, "ab12%c9", c);
			if ((qt_password_check(pw) == QT_OK) != ok)
				wrong++;
		}
		CHECK_EQ_INT(wrong, 0);
	}
	CHECK(strlen(qt_password_policy_text()) > 20);
	return tap_done();
}
