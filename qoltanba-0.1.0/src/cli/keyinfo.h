/* What inspect and keys share: a certificate summary as JSON and as
 * text, and exit codes ranked. */
#ifndef QT_CLI_KEYINFO_H
#define QT_CLI_KEYINFO_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <cJSON.h>
#include <qoltanba/cert.h>
#include <qoltanba/keystore.h>

/* Adds the fields of doc/cli.md ("purpose" ... "storage") to obj. */
bool qt_cli_summary_json(cJSON *obj, const struct qt_cert_summary *s);
/* "Label: value" lines, indented. */
void qt_cli_summary_text(FILE *f, const struct qt_cert_summary *s);
/* "expired 3 days ago", "valid, 120 days left", ... */
void qt_cli_validity_text(const struct qt_cert_summary *s, char *buf, size_t size);
/* Stable name of an error for JSON ("bad_password", ...). */
const char *qt_cli_error_name(qt_err rc);
/* Prints one JSON object on its own line and frees it. */
void qt_cli_json_line(cJSON *obj);
/* Prints s padded with spaces to width terminal columns (UTF-8 aware). */
void qt_cli_pad(FILE *f, const char *s, int width);

#endif
