/* qoltanba inspect [--json] [--password-file FILE] PATH...
 *        inspect [--json] [--pin-file FILE] --token LABEL
 * What a key file or certificate says about its owner and its key. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/x509.h>

#include <qoltanba/cert.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/keystore.h>
#include <qoltanba/secret.h>
#include "cli/cli.h"
#include "cli/keyinfo.h"
#include "i18n.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static bool is_p12_name(const char *path)
{
	return ends_with(path, ".p12") || ends_with(path, ".pfx");
}

struct inspect_ctx {
	bool json;
	const char *password_file;
	char *password;          /* asked once, used for every key file */
};

static qt_err get_password(struct inspect_ctx *c)
{
	if (c->password != NULL)
		return QT_OK;
	return qt_cli_password(c->password_file, _("Key file password: "), &c->password);
}

static int report_error(struct inspect_ctx *c, const char *path, qt_err rc)
{
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		char msg[1024];

		snprintf(msg, sizeof msg, "%s%s%s%s", qt_strerror(rc),
		         qt_error_detail()[0] ? " (" : "", qt_error_detail(),
		         qt_error_detail()[0] ? ")" : "");
		cJSON_AddStringToObject(o, "file", path);
		cJSON_AddStringToObject(o, "error", qt_cli_error_name(rc));
		cJSON_AddStringToObject(o, "message", msg);
		qt_cli_json_line(o);
	}
	return qt_cli_fail(rc, path);
}

static void report(struct inspect_ctx *c, const char *path, const char *format,
                   const struct qt_cert_summary *s, int has_key)
{
	if (c->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "file", path);
		cJSON_AddStringToObject(o, "format", format);
		qt_cli_summary_json(o, s);
		if (has_key >= 0)
			cJSON_AddBoolToObject(o, "has_private_key", has_key);
		qt_cli_json_line(o);
		return;
	}
	printf("%s\n", path);
	printf("  ");
	qt_cli_pad(stdout, _("Format:"), 16);
	if (strcmp(format, "pkcs12-legacy") == 0)
		printf(" %s\n", _("key file, NCA's format (3DES, RC2-40, SHA-1 MAC)"));
	else if (strcmp(format, "pkcs12") == 0)
		printf(" %s\n", _("key file (AES-256, PBKDF2, SHA-256 MAC)"));
	else
		printf(" %s\n", _("certificate"));
	qt_cli_summary_text(stdout, s);
	if (has_key == 0)
		printf("  %s\n", _("This key file holds no private key: it cannot sign."));
	printf("\n");
}

static int inspect_p12(struct inspect_ctx *c, const char *path)
{
	qt_keyfile *kf = NULL;
	struct stat st;
	qt_err rc;

	/* Do not ask for a password for a file that is not there. */
	if (stat(path, &st) != 0)
		return report_error(c, path, qt_error(qt_err_from_errno(errno), "%s", strerror(errno)));
	if (S_ISDIR(st.st_mode))
		return report_error(c, path, qt_error(QT_ERR_INVALID_ARG, _("this is a folder; "
		                    "'qoltanba keys' lists the key files of a folder")));
	if (st.st_size == 0)
		return report_error(c, path, qt_error(QT_ERR_NOT_KEYSTORE, _("the file is empty")));
	rc = get_password(c);
	if (rc != QT_OK)
		return qt_cli_fail(rc, path);
	rc = qt_keyfile_open(path, c->password, &kf);
	if (rc != QT_OK)
		return report_error(c, path, rc);
	report(c, path, qt_keyfile_format(kf) == QT_P12_LEGACY ? "pkcs12-legacy" : "pkcs12",
	       qt_keyfile_summary(kf), qt_keyfile_has_key(kf));
	qt_keyfile_free(kf);
	return QT_EXIT_OK;
}

static int inspect_one(struct inspect_ctx *c, const char *path)
{
	struct qt_cert_summary s;
	X509 *x = NULL;
	qt_err rc;

	if (is_p12_name(path))
		return inspect_p12(c, path);
	rc = qt_cert_load(path, &x);
	if (rc == QT_ERR_NOT_KEYSTORE) {
		/* Whatever its name, it may be a key file. */
		unsigned char *d = NULL;
		size_t n = 0;
		qt_keyfile *kf = NULL;
		qt_err peek;
		char detail[512];

		snprintf(detail, sizeof detail, "%s", qt_error_detail());
		if (qt_read_file(path, 4 * 1024 * 1024, &d, &n) == QT_OK) {
			peek = qt_keyfile_open_mem(d, n, "", &kf);
			qt_free_secret(d, n + 1);
			qt_keyfile_free(kf);
			if (peek != QT_ERR_NOT_KEYSTORE)
				return inspect_p12(c, path);
		}
		qt_error(rc, "%s", detail);
	}
	if (rc != QT_OK)
		return report_error(c, path, rc);
	rc = qt_cert_summarize(x, time(NULL), &s);
	X509_free(x);
	if (rc != QT_OK)
		return report_error(c, path, rc);
	report(c, path, "certificate", &s, -1);
	return QT_EXIT_OK;
}

int qt_cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "token", required_argument, NULL, 't' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	struct inspect_ctx c = { false, NULL, NULL };
	const char *token = NULL, *pin_file = NULL;
	int opt, i, status = QT_EXIT_OK;

	while ((opt = getopt_long(argc, argv, "jp:t:P:", opts, NULL)) != -1) {
		switch (opt) {
		case 'j': c.json = true; break;
		case 'p': c.password_file = optarg; break;
		case 't': token = optarg; break;
		case 'P': pin_file = optarg; break;
		default: return qt_cli_usage("inspect");
		}
	}
	/* The certificates on a token (src/cli/tokens.c). */
	if (token != NULL) {
		if (optind != argc)
			return qt_cli_usage("inspect");
		return qt_cli_inspect_token(token, c.json, pin_file, NULL);
	}
	if (optind >= argc)
		return qt_cli_usage("inspect");
	for (i = optind; i < argc; i++) {
		int r = inspect_one(&c, argv[i]);
		/* Several files: the largest exit code (doc/cli.md). */
		if (r > status)
			status = r;
	}
	qt_free_secret_str(c.password);
	return status;
}
