/* qoltanba kiosk-code [--code-file F] [--iterations N]
 * Reads an operator code (from the terminal without echo, twice, or the
 * first line of --code-file) and prints the line for the system
 * configuration:  kiosk.operator_code = pbkdf2-sha256$ITER$SALT$HASH
 * The code itself is never printed, stored or put in argv. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qoltanba/passhash.h>
#include <qoltanba/secret.h>
#include "cli/cli.h"
#include "i18n.h"

/* Decision: at least 6 characters, like a key password, so that the
 * lock-out delays (not the hash) are what stops guessing at the kiosk
 * and the hash still resists an offline search for a while. */
#define CODE_MIN 6

int qt_cmd_kiosk_code(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "code-file", required_argument, NULL, 'f' },
		{ "iterations", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL;
	unsigned long iter = 0;
	char *code = NULL, *again = NULL, *end, line[QT_PASSHASH_MAX];
	qt_err rc;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'i':
			errno = 0;
			iter = strtoul(optarg, &end, 10);
			if (errno || *end || iter < QT_PASSHASH_ITER_MIN || iter > 100000000ul) {
				fprintf(stderr, _("qoltanba: --iterations wants a number from %d to %d\n"),
				        QT_PASSHASH_ITER_MIN, 100000000);
				return QT_EXIT_USAGE;
			}
			break;
		default:
			return qt_cli_usage("kiosk-code");
		}
	}
	if (optind < argc)
		return qt_cli_usage("kiosk-code");
	if (file) {
		rc = qt_secret_from_file(file, &code);
	} else {
		rc = qt_secret_prompt(_("Operator code: "), &code);
		if (rc == QT_OK)
			rc = qt_secret_prompt(_("Repeat the operator code: "), &again);
		if (rc == QT_OK && strcmp(code, again) != 0)
			rc = qt_error(QT_ERR_PASSWORD_MISMATCH, _("the two codes differ"));
		qt_free_secret_str(again);
	}
	if (rc == QT_OK && strlen(code) < CODE_MIN)
		rc = qt_error(QT_ERR_PASSWORD_SHORT, _("an operator code has at least %d characters"),
		              CODE_MIN);
	if (rc == QT_OK)
		rc = qt_passhash_make(code, (unsigned)iter, line, sizeof(line));
	qt_free_secret_str(code);
	if (rc != QT_OK)
		return qt_cli_fail(rc, "kiosk-code");
	printf("kiosk.operator_code = %s\n", line);
	return QT_EXIT_OK;
}
