/* Commands for readers and tokens: tokens, pin, token-keygen,
 * token-store, token-sign, and the token part of inspect. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <qoltanba/atr.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/keygen.h>
#include <qoltanba/pcsc.h>
#include <qoltanba/secret.h>
#include <qoltanba/token.h>
#include "cli/cli.h"
#include "cli/keyinfo.h"
#include "i18n.h"

/* Options every token command takes. */
struct tok_opts {
	const char *module;         /* --module: this module only */
	const char *pin_file;
	bool json;
};

static qt_err open_p11(const struct tok_opts *o, qt_p11 **p)
{
	if (o->module != NULL)
		return qt_p11_open_module(o->module, QT_STORAGE_UNKNOWN, p);
	return qt_p11_open(p);
}

/* Modules that did not load: said on stderr for people.  Returns true
 * when one of them was named in qoltanba's own configuration. */
static bool report_modules(qt_p11 *p)
{
	bool configured_failed = false;
	size_t i;

	if (qt_p11_config_problem(p)[0] != '\0')
		fprintf(stderr, _("qoltanba: configuration: %s\n"), qt_p11_config_problem(p));
	for (i = 0; i < qt_p11_module_count(p); i++) {
		const struct qt_module_info *m = qt_p11_module(p, i);

		if (m->status == QT_OK)
			continue;
		fprintf(stderr, _("qoltanba: %s (%s, from %s)\n"), qt_strerror(m->status), m->error,
		        m->source);
		if (!m->from_p11kit)
			configured_failed = true;
	}
	return configured_failed;
}

/* A reader whose name begins the slot description (OpenSC names slots
 * after readers) lends its ATR's medium to the token. */
static void media_from_readers(qt_p11 *p, const struct qt_reader *r, size_t nr)
{
	size_t i, j;

	for (i = 0; i < qt_p11_token_count(p); i++) {
		qt_token *t = qt_p11_token(p, i);
		struct qt_token_info ti;

		if (qt_token_info(t, &ti) != QT_OK || ti.medium != QT_STORAGE_UNKNOWN)
			continue;
		for (j = 0; j < nr; j++)
			if (r[j].medium != QT_STORAGE_UNKNOWN && r[j].name[0] != '\0' &&
			    strncmp(ti.slot_description, r[j].name, strlen(r[j].name)) == 0)
				qt_token_set_medium(t, r[j].medium);
	}
}

static void print_unknown_atr(const char *atr_hex)
{
	char user[4096], sys[4096];

	qt_atr_user_file(user, sizeof user);
	qt_atr_system_file(sys, sizeof sys);
	printf(_("      This ATR is not in qoltanba's table.  If the card is a key medium, add\n"
	         "      the line \"MEDIUM %s\" to %s (for you)\n"
	         "      or %s (for everyone), where MEDIUM is one of\n"
	         "      idcard, kaztoken, etoken72k, etoken5110, jacarta, akey.\n"),
	       atr_hex, user, sys);
}

static cJSON *json_reader(const struct qt_reader *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddBoolToObject(o, "card_present", r->card_present);
	if (r->card_present) {
		cJSON_AddStringToObject(o, "atr", r->atr_hex);
		if (r->medium != QT_STORAGE_UNKNOWN) {
			cJSON_AddStringToObject(o, "medium", qt_medium_name(r->medium));
			cJSON_AddStringToObject(o, "medium_label", qt_medium_label(r->medium));
		} else {
			cJSON_AddNullToObject(o, "medium");
		}
	}
	return o;
}

static cJSON *json_token(const struct qt_token_info *ti)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "label", ti->label);
	cJSON_AddStringToObject(o, "manufacturer", ti->manufacturer);
	cJSON_AddStringToObject(o, "model", ti->model);
	cJSON_AddStringToObject(o, "serial", ti->serial);
	if (ti->medium != QT_STORAGE_UNKNOWN)
		cJSON_AddStringToObject(o, "medium", qt_medium_name(ti->medium));
	else
		cJSON_AddNullToObject(o, "medium");
	cJSON_AddBoolToObject(o, "initialized", ti->initialized);
	cJSON_AddStringToObject(o, "pin_state", qt_pin_state_name(ti->pin_state));
	cJSON_AddBoolToObject(o, "pin_to_be_changed", ti->pin_to_be_changed);
	cJSON_AddBoolToObject(o, "protected_auth_path", ti->protected_auth_path);
	cJSON_AddStringToObject(o, "slot", ti->slot_description);
	cJSON_AddStringToObject(o, "module", ti->module);
	return o;
}

/* qoltanba tokens [--json] [--module PATH] */
int qt_cmd_tokens(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "module", required_argument, NULL, 'm' },
		{ "wait", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	struct tok_opts o = { 0 };
	long wait_s = -1;
	struct qt_reader *readers = NULL;
	size_t nr = 0, i;
	qt_pcsc *pcsc = NULL;
	qt_p11 *p11 = NULL;
	qt_err prc, rc;
	char pcsc_detail[512] = "";
	cJSON *root = NULL, *arr;
	bool cfg_failed;
	int c;

	while ((c = getopt_long(argc, argv, "jm:w:", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'j': o.json = true; break;
		case 'm': o.module = optarg; break;
		case 'w':
			wait_s = strtol(optarg, &end, 10);
			if (*end != '\0' || wait_s < 0 || wait_s > 86400)
				return qt_cli_usage("tokens");
			break;
		default: return qt_cli_usage("tokens");
		}
	}
	if (optind != argc)
		return qt_cli_usage("tokens");

	prc = qt_pcsc_open(&pcsc);
	if (prc == QT_OK && wait_s >= 0) {
		/* "Connect the media": wait for a card or token first. */
		struct qt_reader r;

		fprintf(stderr, _("Connect the key medium (waiting up to %ld s)...\n"), wait_s);
		prc = qt_pcsc_wait_card(pcsc, NULL, (int)(wait_s * 1000), NULL, NULL, &r);
		if (prc != QT_OK) {
			qt_pcsc_close(pcsc);
			return qt_cli_fail(prc, NULL);
		}
	}
	if (prc == QT_OK)
		prc = qt_pcsc_list(pcsc, &readers, &nr);
	if (prc != QT_OK)
		snprintf(pcsc_detail, sizeof pcsc_detail, "%s", qt_error_detail());
	if (prc == QT_OK && qt_atr_table_problem(qt_pcsc_atr_table(pcsc))[0] != '\0')
		fprintf(stderr, _("qoltanba: ATR table: %s (line skipped)\n"),
		        qt_atr_table_problem(qt_pcsc_atr_table(pcsc)));

	rc = open_p11(&o, &p11);
	if (rc != QT_OK && p11 == NULL) {
		free(readers);
		qt_pcsc_close(pcsc);
		return qt_cli_fail(rc, NULL);
	}
	cfg_failed = report_modules(p11);
	media_from_readers(p11, readers, nr);

	if (o.json) {
		root = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(root, "readers");
		for (i = 0; i < nr; i++)
			cJSON_AddItemToArray(arr, json_reader(&readers[i]));
		if (prc != QT_OK) {
			cJSON *e = cJSON_AddObjectToObject(root, "pcsc_error");

			cJSON_AddNumberToObject(e, "code", prc);
			cJSON_AddStringToObject(e, "message", qt_strerror(prc));
			cJSON_AddStringToObject(e, "detail", pcsc_detail);
		} else {
			cJSON_AddNullToObject(root, "pcsc_error");
		}
		arr = cJSON_AddArrayToObject(root, "tokens");
	} else {
		printf(_("Readers:\n"));
		if (prc != QT_OK)
			printf("  %s (%s)\n", qt_strerror(prc), pcsc_detail);
		for (i = 0; i < nr; i++) {
			const struct qt_reader *r = &readers[i];

			if (!r->card_present)
				printf(_("  %s: empty\n"), r->name);
			else if (r->medium != QT_STORAGE_UNKNOWN)
				printf(_("  %s: %s (ATR %s)\n"), r->name, qt_medium_label(r->medium),
				       r->atr_hex);
			else {
				printf(_("  %s: unknown card, ATR %s\n"), r->name, r->atr_hex);
				print_unknown_atr(r->atr_hex);
			}
		}
		printf(_("Tokens:\n"));
		if (qt_p11_token_count(p11) == 0)
			printf(_("  none found by the PKCS#11 modules\n"));
		arr = NULL;
	}
	for (i = 0; i < qt_p11_token_count(p11); i++) {
		struct qt_token_info ti;

		if (qt_token_info(qt_p11_token(p11, i), &ti) != QT_OK)
			continue;
		if (arr != NULL) {
			cJSON_AddItemToArray(arr, json_token(&ti));
			continue;
		}
		if (!ti.initialized) {
			printf(_("  (a blank token: %s %s in \"%s\")\n"), ti.manufacturer, ti.model,
			       ti.slot_description);
			continue;
		}
		printf("  \"%s\": %s %s, %s %s", ti.label, ti.manufacturer, ti.model,
		       _("serial"), ti.serial);
		if (ti.medium != QT_STORAGE_UNKNOWN)
			printf(" [%s]", qt_medium_label(ti.medium));
		printf("\n    %s: %s%s\n", _("PIN"), qt_pin_state_label(ti.pin_state),
		       ti.pin_to_be_changed ? _("; the token asks for a new PIN") : "");
		printf("    %s: %s\n", _("module"), ti.module);
	}
	if (root != NULL) {
		cJSON *mods = cJSON_AddArrayToObject(root, "modules");
		char *text;

		for (i = 0; i < qt_p11_module_count(p11); i++) {
			const struct qt_module_info *m = qt_p11_module(p11, i);
			cJSON *mo = cJSON_CreateObject();

			cJSON_AddStringToObject(mo, "path", m->path);
			cJSON_AddStringToObject(mo, "source", m->source);
			cJSON_AddBoolToObject(mo, "loaded", m->status == QT_OK);
			if (m->status != QT_OK)
				cJSON_AddStringToObject(mo, "error", m->error);
			cJSON_AddItemToArray(mods, mo);
		}
		text = cJSON_Print(root);
		if (text != NULL)
			puts(text);
		free(text);
		cJSON_Delete(root);
	}
	free(readers);
	qt_pcsc_close(pcsc);
	qt_p11_close(p11);
	return cfg_failed ? QT_EXIT_FAIL : QT_EXIT_OK;
}

/* Finds the token, or says why not. */
static int find_token(const struct tok_opts *o, const char *label, qt_p11 **p, qt_token **t)
{
	qt_err rc;

	*t = NULL;
	rc = open_p11(o, p);
	if (rc != QT_OK) {
		int ex = qt_cli_fail(rc, NULL);

		qt_p11_close(*p);
		*p = NULL;
		return ex;
	}
	report_modules(*p);
	rc = qt_p11_find_token(*p, label, t);
	if (rc != QT_OK) {
		qt_p11_close(*p);
		*p = NULL;
		return qt_cli_fail(rc, NULL);
	}
	return QT_EXIT_OK;
}

static void warn_default_pin(const char *label)
{
	fprintf(stderr, _("qoltanba: warning: token \"%s\" still has its factory PIN, which anyone "
	                  "who knows the make of the token knows. Change it now: qoltanba pin %s\n"),
	        label, label);
}

/* Logs in with the PIN from --pin-file or the terminal; the prompt
 * shows the PIN state first (STYLE: state before the next attempt). */
static int login(qt_token *t, const struct tok_opts *o)
{
	struct qt_token_info ti;
	enum qt_pin_state st;
	char prompt[256], *pin = NULL;
	bool def = false;
	qt_err rc;

	rc = qt_token_info(t, &ti);
	if (rc != QT_OK)
		return qt_cli_fail(rc, NULL);
	if (ti.pin_state == QT_PIN_LOCKED)
		return qt_cli_fail(qt_error(QT_ERR_PIN_LOCKED, "%s", ti.label), NULL);
	if (ti.pin_state == QT_PIN_COUNT_LOW || ti.pin_state == QT_PIN_FINAL_TRY)
		fprintf(stderr, "qoltanba: %s: %s\n", ti.label, qt_pin_state_label(ti.pin_state));
	if (ti.protected_auth_path && o->pin_file == NULL) {
		/* A PIN pad: the PIN never passes through this computer. */
		fprintf(stderr, _("Type the PIN of token \"%s\" on the reader's keypad.\n"), ti.label);
	} else {
		snprintf(prompt, sizeof prompt, _("PIN of token \"%s\": "), ti.label);
		rc = qt_cli_password(o->pin_file, prompt, &pin);
		if (rc != QT_OK)
			return qt_cli_fail(rc, NULL);
	}
	rc = qt_token_login(t, pin, &st, &def);
	qt_free_secret_str(pin);
	if (rc == QT_ERR_PIN_INCORRECT && st != QT_PIN_OK) {
		/* Say what the next attempt risks. */
		int ex = qt_cli_fail(rc, NULL);

		fprintf(stderr, "qoltanba: %s: %s\n", ti.label, qt_pin_state_label(st));
		return ex;
	}
	if (rc != QT_OK)
		return qt_cli_fail(rc, NULL);
	if (def)
		warn_default_pin(ti.label);
	return QT_EXIT_OK;
}

/* qoltanba pin LABEL [--pin-file F] [--new-pin-file F] [--module PATH] */
int qt_cmd_pin(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin-file", required_argument, NULL, 'p' },
		{ "new-pin-file", required_argument, NULL, 'n' },
		{ "module", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct tok_opts o = { 0 };
	const char *new_file = NULL;
	char *old = NULL, *new1 = NULL, *new2 = NULL, prompt[256];
	struct qt_token_info ti;
	qt_p11 *p = NULL;
	qt_token *t;
	qt_err rc;
	int c, ex;

	while ((c = getopt_long(argc, argv, "p:n:m:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o.pin_file = optarg; break;
		case 'n': new_file = optarg; break;
		case 'm': o.module = optarg; break;
		default: return qt_cli_usage("pin");
		}
	}
	if (optind + 1 != argc)
		return qt_cli_usage("pin");
	ex = find_token(&o, argv[optind], &p, &t);
	if (ex != QT_EXIT_OK)
		return ex;
	rc = qt_token_info(t, &ti);
	if (rc == QT_OK && ti.pin_state == QT_PIN_LOCKED)
		rc = qt_error(QT_ERR_PIN_LOCKED, "%s", ti.label);
	if (rc != QT_OK)
		goto out;
	if (ti.pin_state == QT_PIN_COUNT_LOW || ti.pin_state == QT_PIN_FINAL_TRY)
		fprintf(stderr, "qoltanba: %s: %s\n", ti.label, qt_pin_state_label(ti.pin_state));
	snprintf(prompt, sizeof prompt, _("Current PIN of token \"%s\": "), ti.label);
	rc = qt_cli_password(o.pin_file, prompt, &old);
	if (rc != QT_OK)
		goto out;
	rc = qt_cli_password(new_file, _("New PIN: "), &new1);
	if (rc != QT_OK)
		goto out;
	if (new_file != NULL)
		rc = qt_secret_from_file(new_file, &new2);
	else
		rc = qt_secret_prompt(_("New PIN again: "), &new2);
	if (rc != QT_OK)
		goto out;
	if (strcmp(new1, new2) != 0) {
		rc = qt_error(QT_ERR_PASSWORD_MISMATCH, "%s", "");
		goto out;
	}
	if (new1[0] == '\0') {
		rc = qt_error(QT_ERR_PIN_POLICY, "%s", _("the new PIN is empty"));
		goto out;
	}
	if (qt_token_pin_is_default(t, new1)) {
		rc = qt_error(QT_ERR_PIN_POLICY, "%s", _("the new PIN is a factory PIN: choose another"));
		goto out;
	}
	rc = qt_token_change_pin(t, old, new1);
	if (rc == QT_OK)
		printf(_("The PIN of token \"%s\" was changed.\n"), ti.label);
out:
	qt_free_secret_str(old);
	qt_free_secret_str(new1);
	qt_free_secret_str(new2);
	ex = QT_EXIT_OK;
	if (rc != QT_OK) {
		enum qt_pin_state st = QT_PIN_OK;

		ex = qt_cli_fail(rc, NULL);
		if (rc == QT_ERR_PIN_INCORRECT && qt_token_info(t, &ti) == QT_OK)
			st = ti.pin_state;
		if (st != QT_PIN_OK)
			fprintf(stderr, "qoltanba: %s: %s\n", ti.label, qt_pin_state_label(st));
	}
	qt_p11_close(p);
	return ex;
}

/* qoltanba token-keygen LABEL [--key-type T] [--key-label L] [--pubout F]
 *                             [--pin-file F] [--module PATH] */
int qt_cmd_token_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key-type", required_argument, NULL, 't' },
		{ "key-label", required_argument, NULL, 'l' },
		{ "pubout", required_argument, NULL, 'o' },
		{ "pin-file", required_argument, NULL, 'p' },
		{ "module", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct tok_opts o = { 0 };
	enum qt_keytype type = QT_KEY_RSA2048;
	const char *key_label = NULL, *pubout = NULL;
	char keyid[41];
	EVP_PKEY *pub = NULL;
	qt_p11 *p = NULL;
	qt_token *t;
	qt_err rc;
	int c, ex;

	while ((c = getopt_long(argc, argv, "t:l:o:p:m:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (qt_keytype_parse(optarg, &type) != QT_OK)
				return qt_cli_fail(QT_ERR_INVALID_ARG, NULL);
			break;
		case 'l': key_label = optarg; break;
		case 'o': pubout = optarg; break;
		case 'p': o.pin_file = optarg; break;
		case 'm': o.module = optarg; break;
		default: return qt_cli_usage("token-keygen");
		}
	}
	if (optind + 1 != argc)
		return qt_cli_usage("token-keygen");
	ex = find_token(&o, argv[optind], &p, &t);
	if (ex != QT_EXIT_OK)
		return ex;
	ex = login(t, &o);
	if (ex != QT_EXIT_OK)
		goto out;
	rc = qt_token_keygen(t, type, key_label ? key_label : "qoltanba", keyid, &pub);
	if (rc != QT_OK) {
		ex = qt_cli_fail(rc, NULL);
		goto out;
	}
	if (pubout != NULL) {
		BIO *b = BIO_new(BIO_s_mem());
		char *data;
		long len;

		if (b == NULL || !PEM_write_bio_PUBKEY(b, pub)) {
			BIO_free(b);
			ex = qt_cli_fail(qt_error_ssl(QT_ERR_CRYPTO, "PEM"), NULL);
			goto out;
		}
		len = BIO_get_mem_data(b, &data);
		rc = qt_atomic_write(pubout, data, (size_t)len, 0644, QT_WRITE_REPLACE);
		BIO_free(b);
		if (rc != QT_OK) {
			ex = qt_cli_fail(rc, pubout);
			goto out;
		}
	}
	printf("%s\n", keyid);
out:
	EVP_PKEY_free(pub);
	qt_p11_close(p);
	return ex;
}

/* qoltanba token-store LABEL CERT [--label L] [--pin-file F] [--module PATH] */
int qt_cmd_token_store(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "pin-file", required_argument, NULL, 'p' },
		{ "module", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct tok_opts o = { 0 };
	const char *label = NULL;
	X509 *cert = NULL;
	qt_p11 *p = NULL;
	qt_token *t;
	BIO *b;
	qt_err rc;
	int c, ex;

	while ((c = getopt_long(argc, argv, "l:p:m:", opts, NULL)) != -1) {
		switch (c) {
		case 'l': label = optarg; break;
		case 'p': o.pin_file = optarg; break;
		case 'm': o.module = optarg; break;
		default: return qt_cli_usage("token-store");
		}
	}
	if (optind + 2 != argc)
		return qt_cli_usage("token-store");
	b = BIO_new_file(argv[optind + 1], "rb");
	if (b == NULL)
		return qt_cli_fail(qt_error_ssl(QT_ERR_NOT_FOUND, "%s", argv[optind + 1]), NULL);
	cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (cert == NULL) {
		(void)BIO_reset(b);
		cert = d2i_X509_bio(b, NULL);
	}
	BIO_free(b);
	if (cert == NULL)
		return qt_cli_fail(qt_error_ssl(QT_ERR_NOT_KEYSTORE, "%s", argv[optind + 1]), NULL);
	ex = find_token(&o, argv[optind], &p, &t);
	if (ex != QT_EXIT_OK) {
		X509_free(cert);
		return ex;
	}
	ex = login(t, &o);
	if (ex == QT_EXIT_OK) {
		rc = qt_token_store_cert(t, cert, label);
		if (rc != QT_OK)
			ex = qt_cli_fail(rc, NULL);
		else
			printf(_("The certificate was stored on the token.\n"));
	}
	X509_free(cert);
	qt_p11_close(p);
	return ex;
}

/* A signature can be made again: written like openssl writes one, without
 * the fsyncs of qt_atomic_write (kept for keys). */
static qt_err write_plain(const char *path, const unsigned char *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return qt_error(qt_err_from_errno(errno), "%s: %s", path, strerror(errno));
	if (fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		int e = errno;

		return qt_error(qt_err_from_errno(e), "%s: %s", path, strerror(e));
	}
	return QT_OK;
}

/* qoltanba token-sign LABEL KEYID --in F --out F [--pin-file F] [--module PATH] */
int qt_cmd_token_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "pin-file", required_argument, NULL, 'p' },
		{ "module", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct tok_opts o = { 0 };
	const char *in = NULL, *outp = NULL;
	unsigned char *data = NULL, *sig = NULL;
	size_t len = 0, siglen = 0;
	qt_p11 *p = NULL;
	qt_token *t;
	qt_err rc;
	int c, ex;

	while ((c = getopt_long(argc, argv, "i:o:p:m:", opts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': outp = optarg; break;
		case 'p': o.pin_file = optarg; break;
		case 'm': o.module = optarg; break;
		default: return qt_cli_usage("token-sign");
		}
	}
	if (optind + 2 != argc || in == NULL || outp == NULL)
		return qt_cli_usage("token-sign");
	rc = qt_read_file(in, 64u << 20, &data, &len);
	if (rc != QT_OK)
		return qt_cli_fail(rc, in);
	ex = find_token(&o, argv[optind], &p, &t);
	if (ex == QT_EXIT_OK)
		ex = login(t, &o);
	if (ex == QT_EXIT_OK) {
		rc = qt_token_sign(t, argv[optind + 1], data, len, &sig, &siglen);
		if (rc == QT_OK)
			rc = write_plain(outp, sig, siglen);
		if (rc != QT_OK)
			ex = qt_cli_fail(rc, NULL);
	}
	OPENSSL_free(sig);
	OPENSSL_free(data);
	qt_p11_close(p);
	return ex;
}

/* The certificates on a token: the token part of `qoltanba inspect
 * --token LABEL`, in the same words as inspect uses for files (keyinfo.h).
 * pin_file, when given, logs in so that private keys show too.  JSON:
 * one object per line, as inspect prints one per file. */
int qt_cli_inspect_token(const char *label, bool json, const char *pin_file, const char *module)
{
	struct tok_opts o = { module, pin_file, json };
	struct qt_token_object *objs = NULL;
	size_t n = 0, i, ncerts = 0;
	qt_p11 *p = NULL;
	qt_token *t;
	qt_err rc;
	int ex;

	ex = find_token(&o, label, &p, &t);
	if (ex != QT_EXIT_OK)
		return ex;
	if (pin_file != NULL && (ex = login(t, &o)) != QT_EXIT_OK)
		goto out;
	rc = qt_token_list(t, &objs, &n);
	if (rc != QT_OK) {
		ex = qt_cli_fail(rc, NULL);
		goto out;
	}
	if (!json)
		printf(_("Token \"%s\":\n"), label);
	for (i = 0; i < n; i++) {
		struct qt_token_object *ob = &objs[i];
		struct qt_cert_summary sum;
		bool have_sum = ob->cert != NULL &&
		                qt_cert_summarize(ob->cert, time(NULL), &sum) == QT_OK;

		if (ob->cert != NULL)
			ncerts++;
		if (json) {
			cJSON *jo = cJSON_CreateObject();

			cJSON_AddStringToObject(jo, "token", label);
			cJSON_AddStringToObject(jo, "id", ob->keyid);
			cJSON_AddStringToObject(jo, "label", ob->label[0] ? ob->label : ob->cert_label);
			cJSON_AddStringToObject(jo, "key_type", ob->key_type);
			cJSON_AddBoolToObject(jo, "has_private_key", ob->has_private_key);
			cJSON_AddBoolToObject(jo, "has_public_key", ob->has_public_key);
			cJSON_AddBoolToObject(jo, "incomplete", ob->incomplete);
			cJSON_AddBoolToObject(jo, "has_certificate", ob->cert != NULL);
			if (have_sum)
				qt_cli_summary_json(jo, &sum);
			qt_cli_json_line(jo);
			continue;
		}
		if (ob->incomplete) {
			printf(_("  incomplete key pair (a generation was cut short; the next "
			         "token-keygen removes it)\n\n"));
			continue;
		}
		printf("  %s  %s", ob->keyid, ob->label[0] ? ob->label : ob->cert_label);
		if (ob->key_type[0] != '\0')
			printf("  (%s)", ob->key_type);
		putchar('\n');
		if (ob->has_private_key)
			printf("  %s\n", _("The private key is on the token."));
		if (have_sum)
			qt_cli_summary_text(stdout, &sum);
		else if (ob->cert != NULL)
			printf("  %s\n", _("A certificate qoltanba cannot read."));
		else
			printf("  %s\n", _("No certificate yet."));
		putchar('\n');
	}
	if (!json && ncerts == 0)
		printf(_("  no certificates on this token\n"));
out:
	qt_token_objects_free(objs, n);
	qt_p11_close(p);
	return ex;
}

/* qoltanba token-inspect LABEL [--json] [--pin-file F] [--module PATH]:
 * the same as inspect --token LABEL. */
int qt_cmd_token_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pin-file", required_argument, NULL, 'p' },
		{ "module", required_argument, NULL, 'm' },
		{ "token", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pin_file = NULL, *module = NULL, *label = NULL;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "jp:m:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'p': pin_file = optarg; break;
		case 'm': module = optarg; break;
		case 't': label = optarg; break;
		default: return qt_cli_usage("token-inspect");
		}
	}
	if (label == NULL && optind + 1 == argc)
		label = argv[optind++];
	if (label == NULL || optind != argc)
		return qt_cli_usage("token-inspect");
	return qt_cli_inspect_token(label, json, pin_file, module);
}
