/* qoltanba passwd [--password-file F] [--new-password-file F] FILE
 * Changes a key file's password; the file is untouched if anything
 * fails. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <qoltanba/keystore.h>
#include <qoltanba/password.h>
#include <qoltanba/secret.h>
#include "cli/cli.h"
#include "i18n.h"

#define TRIES 3

/* Asks for the new password until it meets the policy and is typed the
 * same twice, naming the rule it breaks each time. */
static qt_err ask_new_password(char **out)
{
	int i;

	*out = NULL;
	fprintf(stderr, "%s\n", qt_password_policy_text());
	for (i = 0; i < TRIES; i++) {
		char *a = NULL, *b = NULL;
		qt_err rc = qt_secret_prompt(_("New password: "), &a);

		if (rc != QT_OK)
			return rc;
		rc = qt_password_check(a);
		if (rc != QT_OK) {
			fprintf(stderr, "%s\n", qt_strerror(rc));
			qt_free_secret_str(a);
			continue;
		}
		rc = qt_secret_prompt(_("Repeat the new password: "), &b);
		if (rc != QT_OK) {
			qt_free_secret_str(a);
			return rc;
		}
		if (strcmp(a, b) != 0) {
			fprintf(stderr, "%s\n", qt_strerror(QT_ERR_PASSWORD_MISMATCH));
			qt_free_secret_str(a);
			qt_free_secret_str(b);
			continue;
		}
		qt_free_secret_str(b);
		*out = a;
		return QT_OK;
	}
	return qt_error(QT_ERR_CANCELLED, _("no acceptable password after %d tries"), TRIES);
}

int qt_cmd_passwd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password-file", required_argument, NULL, 'p' },
		{ "new-password-file", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char *old_file = NULL, *new_file = NULL, *path;
	char *old_pw = NULL, *new_pw = NULL;
	struct stat st;
	int opt, status;
	qt_err rc;

	while ((opt = getopt_long(argc, argv, "p:n:", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': old_file = optarg; break;
		case 'n': new_file = optarg; break;
		default: return qt_cli_usage("passwd");
		}
	}
	if (optind != argc - 1)
		return qt_cli_usage("passwd");
	path = argv[optind];
	if (stat(path, &st) != 0)
		return qt_cli_fail(qt_error(qt_err_from_errno(errno), "%s", strerror(errno)), path);

	rc = qt_cli_password(old_file, _("Current password: "), &old_pw);
	if (rc != QT_OK)
		return qt_cli_fail(rc, old_file != NULL ? old_file : path);
	if (new_file == NULL) {
		/* Check the current password before asking for a new one. */
		qt_keyfile *kf = NULL;

		rc = qt_keyfile_open(path, old_pw, &kf);
		qt_keyfile_free(kf);
		if (rc != QT_OK)
			goto out;
		rc = ask_new_password(&new_pw);
	} else {
		rc = qt_secret_from_file(new_file, &new_pw);
		if (rc == QT_OK && (rc = qt_password_check(new_pw)) != QT_OK)
			qt_error(rc, _("the new password (%s)"), new_file);
	}
	if (rc != QT_OK)
		goto out;
	rc = qt_keyfile_change_password(path, old_pw, new_pw);
out:
	qt_free_secret_str(old_pw);
	qt_free_secret_str(new_pw);
	if (rc != QT_OK) {
		status = qt_cli_fail(rc, path);
		fprintf(stderr, _("qoltanba: %s was left as it was.\n"), path);
		return status;
	}
	printf(_("The password of %s has been changed.\n"), path);
	return QT_EXIT_OK;
}
