/* The table of commands, and the small ones. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <qoltanba/idnum.h>
#include "cli/cli.h"
#include "i18n.h"

const struct qt_command qt_commands[] = {
	{ "help", qt_cmd_help, N_("list the commands"), "" },
	{ "version", qt_cmd_version, N_("print the version"), "" },
	{ "idcheck", qt_cmd_idcheck, N_("check an IIN or BIN and say what it encodes"),
	  N_("[--bin|--iin] NUMBER...") },
	{ "inspect", qt_cmd_inspect, N_("show what a key file or certificate says"),
	  N_("[--json] [--password-file FILE] PATH... | [--json] [--pin-file F] --token LABEL") },
	{ "keys", qt_cmd_keys, N_("list the key files of a folder"),
	  N_("[--json] [--password-file FILE] FOLDER") },
	{ "passwd", qt_cmd_passwd, N_("change a key file's password"),
	  N_("[--password-file FILE] [--new-password-file FILE] KEYFILE") },
	{ "tokens", qt_cmd_tokens, N_("list readers, the media in them, and PKCS#11 tokens"),
	  N_("[--json] [--wait SECONDS] [--module PATH]") },
	{ "pin", qt_cmd_pin, N_("change the PIN of a token"),
	  N_("[--pin-file F --new-pin-file F] [--module PATH] LABEL") },
	{ "token-keygen", qt_cmd_token_keygen, N_("generate a key pair on a token"),
	  N_("[--key-type rsa2048|ecdsa-p256] [--key-label L] [--pubout F] [--pin-file F] LABEL") },
	{ "token-store", qt_cmd_token_store, N_("store a certificate on a token, next to its key"),
	  N_("[--label L] [--pin-file F] LABEL CERT") },
	{ "token-sign", qt_cmd_token_sign, N_("sign a file with a key on a token (SHA-256)"),
	  N_("--in F --out F [--pin-file F] LABEL KEYID") },
	{ "token-inspect", qt_cmd_token_inspect, N_("the keys and certificates on a token"),
	  N_("[--json] [--pin-file F] LABEL") },
	{ "apply", qt_cmd_apply, N_("apply for keys: generate them, send the application"),
	  N_("--batch FILE.json [--portal URL] [--json] [--password-file F] [--pin-file F] | --resume") },
	{ "status", qt_cmd_status, N_("the status of an application"),
	  N_("[--json] [--portal URL] NUMBER") },
	{ "install", qt_cmd_install, N_("install issued certificates beside their keys"),
	  N_("NUMBER --keys DIR [--password-file F] | NUMBER --token LABEL [--pin-file F] [--portal URL]") },
	{ "applications", qt_cmd_applications, N_("the applications made on this computer"),
	  N_("[--json]") },
	{ "form", qt_cmd_form, N_("the application form to take to the Registration Authority"),
	  N_("[--html] [--out FILE] NUMBER") },
	{ "ra", qt_cmd_ra, N_("Registration Authority: list, view, approve or reject applications"),
	  N_("list [--status S] [--query Q] | view N | approve N | reject N --reason TEXT "
	     "[--operator-key FILE --password-file F] [--portal URL] [--json]") },
	{ "account", qt_cmd_account, N_("personal account: your keys, revocation, re-issuance, approvals"),
	  N_("keys [--csv FILE] | revoke SERIAL [--reason R] | reissue --folder DIR "
	     "[--new-password-file F] | --to-token LABEL [--to-pin-file F] [--serial S] [--email E] | reissue --resume | requests | approvals [approve|decline NUMBER "
	     "[--reason R]] | profile [--language kk|ru|en] [--notify-email on|off] "
	     "[--notify-sms on|off]  with --key FILE [--password-file F] | --token LABEL "
	     "[--pin-file F] [--keyid HEX] [--module M], [--portal URL] [--json]") },
	{ "kiosk-code", qt_cmd_kiosk_code,
	  N_("hash an operator code for kiosk.operator_code in the system configuration"),
	  N_("[--code-file F] [--iterations N]") },
	{ NULL, NULL, NULL, NULL }
};

int qt_cmd_help(int argc, char **argv)
{
	const struct qt_command *c;

	printf(_("Usage: qoltanba [COMMAND [OPTIONS] [ARGS]]\n"
	         "Without a command, qoltanba opens its terminal interface.\n\n"
	         "Commands:\n"));
	for (c = qt_commands; c->name != NULL; c++)
		printf("  %-14s %s\n", c->name, _(c->summary));
	printf(_("\nPasswords are read from the terminal or from --password-file, never\n"
	         "from the command line or the environment.\n"));
	return QT_EXIT_OK;
}

int qt_cmd_version(int argc, char **argv)
{
	printf("qoltanba %s\n", PACKAGE_VERSION);
	return QT_EXIT_OK;
}

/* qoltanba idcheck [--iin|--bin] NUMBER...: exit 0 when all are valid. */
int qt_cmd_idcheck(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iin", no_argument, NULL, 'i' },
		{ "bin", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	int c, i, kind = 0, status = QT_EXIT_OK;

	while ((c = getopt_long(argc, argv, "ib", opts, NULL)) != -1) {
		switch (c) {
		case 'i': kind = 'i'; break;
		case 'b': kind = 'b'; break;
		default: return qt_cli_usage("idcheck");
		}
	}
	if (optind >= argc)
		return qt_cli_usage("idcheck");
	for (i = optind; i < argc; i++) {
		struct qt_iin_info ii;
		struct qt_bin_info bi;
		const char *n = argv[i];
		qt_err rc;
		/* Without --iin/--bin: the 5th digit of a BIN is 4-6, which
		 * in an IIN would be the day's tens digit (0-3). */
		int k = kind ? kind : (strlen(n) == 12 && n[4] >= '4' && n[4] <= '6' ? 'b' : 'i');

		if (k == 'i') {
			rc = qt_iin_parse(n, &ii);
			if (rc == QT_OK) {
				printf(_("%s: valid IIN; born %04d-%02d-%02d, %s\n"), n, ii.year,
				       ii.month, ii.day, ii.sex == QT_SEX_MALE ? _("male") : _("female"));
				continue;
			}
		} else {
			rc = qt_bin_parse(n, &bi);
			if (rc == QT_OK) {
				printf(_("%s: valid BIN; registered %04d-%02d, %s, %s\n"), n, bi.year,
				       bi.month, qt_bin_type_name(bi.type), qt_bin_unit_name(bi.unit));
				continue;
			}
		}
		fprintf(stderr, "%s: %s %s (%s)\n", n, k == 'i' ? _("invalid IIN:") : _("invalid BIN:"),
		        qt_strerror(rc), qt_error_detail());
		status = QT_EXIT_FAIL;
	}
	return status;
}
