/* IIN/BIN: the checksum and structure of domain.md section 5. */
#include <config.h>

#include <qoltanba/idnum.h>
#include "tap.h"

int main(void)
{
	struct qt_iin_info ii;
	struct qt_bin_info bi;

	/* The valid examples of domain.md. */
	CHECK(qt_idnum_checksum_ok("800416100254"));
	CHECK(qt_idnum_checksum_ok("871008401427"));
	CHECK(qt_idnum_checksum_ok("061211600012"));
	CHECK(qt_idnum_checksum_ok("940140000385"));
	CHECK(qt_idnum_checksum_ok("950341000052"));
	CHECK(!qt_idnum_checksum_ok("000813159890"));
	/* The NCA test certificates' numbers fail the checksum. */
	CHECK(!qt_idnum_checksum_ok("123456789011"));
	CHECK(!qt_idnum_checksum_ok("123456789021"));

	CHECK_EQ_INT(qt_iin_parse("800416100254", &ii), QT_OK);
	/* The 7th digit 1 means a man born in the 19th century: that is what
	 * this (synthetic) example encodes. */
	CHECK_EQ_INT(ii.year, 1880);
	CHECK_EQ_INT(ii.month, 4);
	CHECK_EQ_INT(ii.day, 16);
	CHECK_EQ_INT(ii.sex, QT_SEX_MALE);
	CHECK_EQ_INT(qt_iin_parse("871008401427", &ii), QT_OK);
	CHECK_EQ_INT(ii.sex, QT_SEX_FEMALE);
	CHECK_EQ_INT(ii.year, 1987);
	CHECK_EQ_INT(qt_iin_parse("061211600012", &ii), QT_OK);
	CHECK_EQ_INT(ii.year, 2006);
	CHECK_EQ_INT(ii.sex, QT_SEX_FEMALE);

	/* Each rule gets its own code. */
	CHECK_EQ_INT(qt_iin_parse("80041610025", NULL), QT_ERR_IDNUM_LENGTH);
	CHECK_EQ_INT(qt_iin_parse("8004161002545", NULL), QT_ERR_IDNUM_LENGTH);
	CHECK_EQ_INT(qt_iin_parse("", NULL), QT_ERR_IDNUM_LENGTH);
	CHECK_EQ_INT(qt_iin_parse(NULL, NULL), QT_ERR_IDNUM_LENGTH);
	CHECK_EQ_INT(qt_iin_parse("80041610025a", NULL), QT_ERR_IDNUM_DIGITS);
	CHECK_EQ_INT(qt_iin_parse("8004 6100254", NULL), QT_ERR_IDNUM_DIGITS);
	CHECK_EQ_INT(qt_iin_parse("800416100255", NULL), QT_ERR_IDNUM_CHECKSUM);
	CHECK(strstr(qt_error_detail(), "4") != NULL);
	CHECK_EQ_INT(qt_iin_parse("801316100254", NULL), QT_ERR_IDNUM_DATE);
	CHECK_EQ_INT(qt_iin_parse("800231100254", NULL), QT_ERR_IDNUM_DATE);
	CHECK_EQ_INT(qt_iin_parse("800416700254", NULL), QT_ERR_IDNUM_CENTURY);
	CHECK_EQ_INT(qt_iin_parse("000813159890", NULL), QT_ERR_IDNUM_CHECKSUM);

	CHECK_EQ_INT(qt_bin_parse("940140000385", &bi), QT_OK);
	CHECK_EQ_INT(bi.year, 1994);
	CHECK_EQ_INT(bi.month, 1);
	CHECK_EQ_INT(bi.type, QT_BIN_RESIDENT);
	CHECK_EQ_INT(bi.unit, QT_BIN_HEAD_OFFICE);
	CHECK_EQ_INT(qt_bin_parse("950341000052", &bi), QT_OK);
	CHECK_EQ_INT(bi.unit, QT_BIN_BRANCH);
	CHECK_EQ_INT(qt_bin_parse("940140000386", NULL), QT_ERR_IDNUM_CHECKSUM);
	CHECK_EQ_INT(qt_bin_parse("941340000385", NULL), QT_ERR_IDNUM_DATE);
	CHECK_EQ_INT(qt_bin_parse("940130000385", NULL), QT_ERR_IDNUM_TYPE);
	CHECK_EQ_INT(qt_bin_parse("940147000385", NULL), QT_ERR_IDNUM_UNIT);
	/* An IIN is not a BIN. */
	CHECK(qt_bin_parse("800416100254", NULL) != QT_OK);

	/* Sweep: every single-digit typo of a valid IIN is caught by some
	 * rule, except in the 11th digit: its weight, 11, is 0 modulo 11, so
	 * the check digit cannot see it (a property of the algorithm). */
	{
		char buf[13];
		int pos, d, missed = 0;
		for (pos = 0; pos < 12; pos++) {
			if (pos == 10)
				continue;
			for (d = 0; d < 10; d++) {
				memcpy(buf, "800416100254", 13);
				if (buf[pos] == '0' + d)
					continue;
				buf[pos] = (char)('0' + d);
				/* When the first sum is 10 the second weights decide,
				 * and they may agree by chance. */
				{
					int k, s1 = 0;
					for (k = 0; k < 11; k++)
						s1 += (buf[k] - '0') * (k + 1);
					if (s1 % 11 == 10)
						continue;
				}
				if (qt_iin_parse(buf, NULL) == QT_OK)
					missed++;
			}
		}
		CHECK_EQ_INT(missed, 0);
	}
	return tap_done();
}
