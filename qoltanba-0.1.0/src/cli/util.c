/* Shared pieces of the commands. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <qoltanba/secret.h>
#include "cli/cli.h"
#include "i18n.h"

int qt_cli_exit_code(qt_err rc)
{
	switch (rc) {
	case QT_OK:
		return QT_EXIT_OK;
	case QT_ERR_BAD_PASSWORD:
	case QT_ERR_PIN_INCORRECT:
	case QT_ERR_PIN_LOCKED:
		return QT_EXIT_BAD_PASSWORD;
	case QT_ERR_NOT_KEYSTORE:
		return QT_EXIT_NOT_KEYSTORE;
	default:
		return QT_EXIT_FAIL;
	}
}

int qt_cli_fail(qt_err rc, const char *context)
{
	const char *detail = qt_error_detail();

	fprintf(stderr, "qoltanba: %s%s%s", context ? context : "", context ? ": " : "",
	        qt_strerror(rc));
	if (detail[0] != '\0')
		fprintf(stderr, " (%s)", detail);
	fputc('\n', stderr);
	return qt_cli_exit_code(rc);
}

int qt_cli_usage(const char *command)
{
	const struct qt_command *c;

	for (c = qt_commands; c->name != NULL; c++) {
		if (strcmp(c->name, command) == 0) {
			fprintf(stderr, _("Usage: qoltanba %s %s\n"), c->name, c->usage[0] ? _(c->usage) : "");
			fprintf(stderr, _("Try 'qoltanba help' for the list of commands.\n"));
			return QT_EXIT_USAGE;
		}
	}
	return QT_EXIT_USAGE;
}

qt_err qt_cli_password(const char *file, const char *prompt, char **out)
{
	if (file != NULL)
		return qt_secret_from_file(file, out);
	return qt_secret_prompt(prompt, out);
}
