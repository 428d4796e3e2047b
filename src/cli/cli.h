/* The command line: one function per command, same engine, no curses. */
#ifndef QT_CLI_H
#define QT_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <qoltanba/error.h>

/* Exit codes shared by all commands (doc/cli.md). */
enum {
	QT_EXIT_OK = 0,
	QT_EXIT_FAIL = 1,          /* anything else; the message says what */
	QT_EXIT_BAD_PASSWORD = 2,  /* wrong password or PIN */
	QT_EXIT_NOT_KEYSTORE = 3,  /* neither a key store nor a certificate */
	QT_EXIT_USAGE = 64         /* wrong arguments */
};

struct qt_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;        /* N_() string */
	const char *usage;          /* N_() string, after "qoltanba NAME " */
};

extern const struct qt_command qt_commands[];

/* Prints "qoltanba: SENTENCE (DETAIL)" on stderr and returns the exit
 * code that fits rc. */
int qt_cli_fail(qt_err rc, const char *context);
int qt_cli_exit_code(qt_err rc);
int qt_cli_usage(const char *command);

/* A password: from --password-file when given, else asked on the
 * terminal.  Never from argv or the environment. */
qt_err qt_cli_password(const char *file, const char *prompt, char **out);

/* Commands. */
int qt_cmd_help(int argc, char **argv);
int qt_cmd_version(int argc, char **argv);
int qt_cmd_idcheck(int argc, char **argv);
int qt_cmd_inspect(int argc, char **argv);
int qt_cmd_keys(int argc, char **argv);
int qt_cmd_passwd(int argc, char **argv);

/* Tokens (src/cli/tokens.c). */
int qt_cmd_tokens(int argc, char **argv);
int qt_cmd_pin(int argc, char **argv);
int qt_cmd_token_keygen(int argc, char **argv);
int qt_cmd_token_store(int argc, char **argv);
int qt_cmd_token_sign(int argc, char **argv);
int qt_cmd_token_inspect(int argc, char **argv);
/* The certificates on a token, for `inspect --token LABEL`; module may
 * be NULL (the configured modules), pin_file NULL (no login). */
int qt_cli_inspect_token(const char *label, bool json, const char *pin_file, const char *module);

/* Enrollment (src/cli/enroll.c). */
int qt_cmd_apply(int argc, char **argv);
int qt_cmd_status(int argc, char **argv);
int qt_cmd_install(int argc, char **argv);
int qt_cmd_applications(int argc, char **argv);
int qt_cmd_form(int argc, char **argv);
int qt_cmd_ra(int argc, char **argv);

/* The personal account (src/cli/account.c). */
int qt_cmd_account(int argc, char **argv);
/* Kiosk (src/cli/kiosk.c). */
int qt_cmd_kiosk_code(int argc, char **argv);

#endif
