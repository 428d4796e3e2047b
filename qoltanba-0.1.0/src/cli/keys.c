/* qoltanba keys [--json] [--password-file F] DIR
 * The key files of a folder, one line each. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qoltanba/cert.h>
#include <qoltanba/keystore.h>
#include <qoltanba/secret.h>
#include "cli/cli.h"
#include "cli/keyinfo.h"
#include "i18n.h"

static const char *kind_name(enum qt_keydir_kind k)
{
	switch (k) {
	case QT_KD_P12: return "pkcs12";
	case QT_KD_CERT: return "certificate";
	default: return "pending";
	}
}

static void state_text(const struct qt_keydir_entry *e, char *buf, size_t size)
{
	if (e->status != QT_OK) {
		snprintf(buf, size, "%s: %s", _("unreadable"), qt_strerror(e->status));
		return;
	}
	if (e->kind == QT_KD_PENDING) {
		snprintf(buf, size, "%s", _("pending: waiting for its certificate"));
		return;
	}
	if (!e->has_summary) {
		snprintf(buf, size, "%s", _("locked: details need the password (--password-file)"));
		return;
	}
	qt_cli_validity_text(&e->summary, buf, size);
	if (!e->summary.signing_supported && e->kind == QT_KD_P12) {
		size_t n = strlen(buf);
		snprintf(buf + n, size - n, "; %s", _("key type not supported for signing"));
	}
}

static void print_text(const struct qt_keydir_entry *e)
{
	const struct qt_cert_summary *s = &e->summary;
	char id[40], exp[16], state[512];

	snprintf(id, sizeof id, "%s", e->has_summary ? (s->bin[0] ? s->bin : s->iin) : "-");
	if (e->has_summary) {
		char iso[32];
		qt_time_iso8601(s->not_after, iso);
		snprintf(exp, sizeof exp, "%.10s", iso);
	} else {
		snprintf(exp, sizeof exp, "-");
	}
	state_text(e, state, sizeof state);
	qt_cli_pad(stdout, e->purpose == QT_PURPOSE_UNKNOWN ? "-" :
	           e->purpose == QT_PURPOSE_AUTH ? "AUTH" : "SIGN", 5);
	qt_cli_pad(stdout, e->has_summary && s->common_name[0] ? s->common_name : "?", 28);
	qt_cli_pad(stdout, id, 13);
	qt_cli_pad(stdout, exp, 11);
	printf("%s  %s\n", state, e->name);
}

static void print_json(const struct qt_keydir_entry *e)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "file", e->path);
	cJSON_AddStringToObject(o, "kind", kind_name(e->kind));
	cJSON_AddStringToObject(o, "status", qt_cli_error_name(e->status));
	if (e->status != QT_OK) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s%s%s%s", qt_strerror(e->status),
		         e->status_detail[0] ? " (" : "", e->status_detail,
		         e->status_detail[0] ? ")" : "");
		cJSON_AddStringToObject(o, "message", msg);
	}
	cJSON_AddBoolToObject(o, "needs_password", e->needs_password);
	if (e->has_summary) {
		qt_cli_summary_json(o, &e->summary);
	} else {
		cJSON_AddStringToObject(o, "purpose", qt_purpose_name(e->purpose));
		cJSON_AddStringToObject(o, "keyid", e->keyid);
	}
	qt_cli_json_line(o);
}

int qt_cmd_keys(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "password-file", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *password_file = NULL;
	char *password = NULL;
	struct qt_keydir *kd = NULL;
	bool json = false;
	int opt, status = QT_EXIT_OK;
	size_t i;
	qt_err rc;

	while ((opt = getopt_long(argc, argv, "jp:", opts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'p': password_file = optarg; break;
		default: return qt_cli_usage("keys");
		}
	}
	if (optind != argc - 1)
		return qt_cli_usage("keys");
	if (password_file != NULL) {
		rc = qt_secret_from_file(password_file, &password);
		if (rc != QT_OK)
			return qt_cli_fail(rc, password_file);
	}
	rc = qt_keydir_scan(argv[optind], password, time(NULL), &kd);
	qt_free_secret_str(password);
	if (rc != QT_OK)
		return qt_cli_fail(rc, argv[optind]);
	if (kd->count == 0 && !json)
		fprintf(stderr, _("qoltanba: %s: no key files or certificates in this folder\n"),
		        argv[optind]);
	for (i = 0; i < kd->count; i++) {
		const struct qt_keydir_entry *e = &kd->entries[i];
		int r = qt_cli_exit_code(e->status);

		if (json)
			print_json(e);
		else
			print_text(e);
		if (r > status)
			status = r;
	}
	qt_keydir_free(kd);
	return status;
}
