/* IIN (individual) and BIN (legal entity) numbers: 12 digits with a
 * check digit (domain.md section 5). */
#ifndef QOLTANBA_IDNUM_H
#define QOLTANBA_IDNUM_H

#include <stdbool.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

enum qt_sex { QT_SEX_UNKNOWN = 0, QT_SEX_MALE, QT_SEX_FEMALE };

struct qt_iin_info {
	int year, month, day;   /* date of birth, full year */
	enum qt_sex sex;
};

enum qt_bin_type {
	QT_BIN_RESIDENT = 4,      /* resident legal entity */
	QT_BIN_NON_RESIDENT = 5,
	QT_BIN_JOINT_IE = 6       /* joint individual entrepreneurship */
};

enum qt_bin_unit {
	QT_BIN_HEAD_OFFICE = 0,
	QT_BIN_BRANCH = 1,
	QT_BIN_REPRESENTATIVE = 2,
	QT_BIN_FARM = 3
};

struct qt_bin_info {
	int year, month;          /* registration, full year */
	enum qt_bin_type type;
	enum qt_bin_unit unit;
};

/* Only the check digit: true when the 12 digits pass the checksum. */
bool qt_idnum_checksum_ok(const char *digits12);

/* Full validation.  On failure the code says which rule failed and
 * qt_error_detail() says where (e.g. "check digit is 4, expected 7").
 * info may be NULL. */
qt_err qt_iin_parse(const char *iin, struct qt_iin_info *info);
qt_err qt_bin_parse(const char *bin, struct qt_bin_info *info);

/* Names for display (translated). */
const char *qt_bin_type_name(enum qt_bin_type t);
const char *qt_bin_unit_name(enum qt_bin_unit u);

#ifdef __cplusplus
}
#endif
#endif
