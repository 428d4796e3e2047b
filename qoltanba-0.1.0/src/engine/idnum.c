/* IIN and BIN: structure and check digit (domain.md section 5). */
#include <config.h>

#include <string.h>

#include <qoltanba/idnum.h>
#include "i18n.h"

static int check_digit(const char *d)
{
	static const int w1[11] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	static const int w2[11] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2 };
	int i, sum = 0;

	for (i = 0; i < 11; i++)
		sum += (d[i] - '0') * w1[i];
	sum %= 11;
	if (sum == 10) {
		sum = 0;
		for (i = 0; i < 11; i++)
			sum += (d[i] - '0') * w2[i];
		sum %= 11;
	}
	return sum;   /* 10 means: no valid check digit exists */
}

static qt_err digits12(const char *s)
{
	size_t i, n;

	if (s == NULL)
		return qt_error(QT_ERR_IDNUM_LENGTH, "empty");
	n = strlen(s);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return qt_error(QT_ERR_IDNUM_DIGITS,
			                _("character %zu is not a digit"), i + 1);
	}
	if (n != 12)
		return qt_error(QT_ERR_IDNUM_LENGTH, _("%zu digits instead of 12"), n);
	return QT_OK;
}

bool qt_idnum_checksum_ok(const char *d)
{
	int c;

	if (digits12(d) != QT_OK)
		return false;
	c = check_digit(d);
	return c != 10 && c == d[11] - '0';
}

static qt_err check_sum(const char *d)
{
	int c = check_digit(d);

	if (c == 10)
		return qt_error(QT_ERR_IDNUM_CHECKSUM,
		                _("no check digit fits the first 11 digits"));
	if (c != d[11] - '0')
		return qt_error(QT_ERR_IDNUM_CHECKSUM,
		                _("the last digit is %c; the first 11 digits need %d"),
		                d[11], c);
	return QT_OK;
}

static int two(const char *d)
{
	return (d[0] - '0') * 10 + (d[1] - '0');
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

qt_err qt_iin_parse(const char *iin, struct qt_iin_info *info)
{
	int yy, mm, dd, c, year;
	qt_err rc;

	rc = digits12(iin);
	if (rc != QT_OK)
		return rc;
	yy = two(iin);
	mm = two(iin + 2);
	dd = two(iin + 4);
	c = iin[6] - '0';
	if (c < 1 || c > 6)
		return qt_error(QT_ERR_IDNUM_CENTURY, _("the 7th digit is %d"), c);
	year = 1800 + 100 * ((c - 1) / 2) + yy;
	if (mm < 1 || mm > 12 || dd < 1 || dd > days_in_month(year, mm))
		return qt_error(QT_ERR_IDNUM_DATE, _("%04d-%02d-%02d is not a date"),
		                year, mm, dd);
	rc = check_sum(iin);
	if (rc != QT_OK)
		return rc;
	if (info != NULL) {
		info->year = year;
		info->month = mm;
		info->day = dd;
		info->sex = c % 2 == 1 ? QT_SEX_MALE : QT_SEX_FEMALE;
	}
	qt_error_clear();
	return QT_OK;
}

qt_err qt_bin_parse(const char *bin, struct qt_bin_info *info)
{
	int yy, mm, type, unit;
	qt_err rc;

	rc = digits12(bin);
	if (rc != QT_OK)
		return rc;
	yy = two(bin);
	mm = two(bin + 2);
	type = bin[4] - '0';
	unit = bin[5] - '0';
	if (mm < 1 || mm > 12)
		return qt_error(QT_ERR_IDNUM_DATE, _("month %02d does not exist"), mm);
	if (type < 4 || type > 6)
		return qt_error(QT_ERR_IDNUM_TYPE, _("the 5th digit is %d"), type);
	if (unit > 3)
		return qt_error(QT_ERR_IDNUM_UNIT, _("the 6th digit is %d"), unit);
	rc = check_sum(bin);
	if (rc != QT_OK)
		return rc;
	if (info != NULL) {
		/* Registrations go back to the 1990s; two digits below 90 are
		 * this century. */
		info->year = yy >= 90 ? 1900 + yy : 2000 + yy;
		info->month = mm;
		info->type = (enum qt_bin_type)type;
		info->unit = (enum qt_bin_unit)unit;
	}
	qt_error_clear();
	return QT_OK;
}

const char *qt_bin_type_name(enum qt_bin_type t)
{
	switch (t) {
	case QT_BIN_RESIDENT: return _("resident legal entity");
	case QT_BIN_NON_RESIDENT: return _("non-resident legal entity");
	case QT_BIN_JOINT_IE: return _("joint individual entrepreneurship");
	}
	return "?";
}

const char *qt_bin_unit_name(enum qt_bin_unit u)
{
	switch (u) {
	case QT_BIN_HEAD_OFFICE: return _("head office");
	case QT_BIN_BRANCH: return _("branch");
	case QT_BIN_REPRESENTATIVE: return _("representative office");
	case QT_BIN_FARM: return _("peasant or farm enterprise");
	}
	return "?";
}
