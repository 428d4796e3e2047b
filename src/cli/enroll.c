/* Enrollment from the command line (doc/cli.md): apply, status, install,
 * applications, form, ra.  Same engine as the screens (enroll.h). */
#include <config.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <qoltanba/config.h>
#include <qoltanba/enroll.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/localportal.h>
#include <qoltanba/password.h>
#include <qoltanba/portal.h>
#include <qoltanba/secret.h>
#include <qoltanba/token.h>
#include "cli/cli.h"
#include "cli/keyinfo.h"
#include "i18n.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	qt_localportal_kill_all();
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* The portal to talk to: --portal, else the application's own portal,
 * else the configuration's, else the local one. */
struct conn {
	qt_config *cfg;
	qt_portal *p;
	qt_localportal *local;
};

static int connect_portal(struct conn *c, const char *url, const struct qt_app_record *rec)
{
	qt_err rc;

	memset(c, 0, sizeof *c);
	rc = qt_config_load(&c->cfg);
	if (rc != QT_OK)
		return qt_cli_fail(rc, NULL);
	if (url == NULL && rec != NULL && rec->portal[0] != '\0' && strcmp(rec->portal, "local") != 0)
		url = rec->portal;
	rc = qt_portal_connect(c->cfg, url, &c->p, &c->local);
	if (rc != QT_OK) {
		qt_config_free(c->cfg);
		c->cfg = NULL;
		return qt_cli_fail(rc, _("portal"));
	}
	qt_portal_set_cancel(c->p, &interrupted);
	if (c->local != NULL)
		fprintf(stderr, _("qoltanba: using the local portal at %s (data in %s)\n"),
		        qt_localportal_url(c->local), qt_localportal_data_dir(c->local));
	return QT_EXIT_OK;
}

static void disconnect(struct conn *c)
{
	qt_portal_close(c->p);
	qt_localportal_stop(c->local);
	qt_config_free(c->cfg);
	memset(c, 0, sizeof *c);
}

/* A failure that came from the portal: our sentence, then the portal's. */
static int portal_fail(struct conn *c, qt_err rc, const char *context)
{
	int ex = qt_cli_fail(rc, context);

	if (rc == QT_ERR_NETWORK || rc == QT_ERR_TIMEOUT)
		fprintf(stderr, _("qoltanba: the portal at %s did not answer\n"), qt_portal_url(c->p));
	return ex;
}

/* The options of all the enrollment commands.  Each command's table
 * names the ones it takes (getopt_long refuses the others); the values
 * are the same in every table. */
struct opts {
	const char *url, *batch, *keys, *token, *pwfile, *pinfile, *module;
	const char *key, *status, *query, *reason, *outfile;
	bool json, resume, html;
};

static bool parse_opts(int argc, char **argv, const struct option *table, struct opts *o)
{
	int ch;

	memset(o, 0, sizeof *o);
	while ((ch = getopt_long(argc, argv, "", table, NULL)) != -1) {
		switch (ch) {
		case 'p': o->url = optarg; break;
		case 'b': o->batch = optarg; break;
		case 'k': o->keys = optarg; break;
		case 't': o->token = optarg; break;
		case 'w': o->pwfile = optarg; break;
		case 'P': o->pinfile = optarg; break;
		case 'm': o->module = optarg; break;
		case 'K': o->key = optarg; break;
		case 's': o->status = optarg; break;
		case 'q': o->query = optarg; break;
		case 'r': o->reason = optarg; break;
		case 'o': o->outfile = optarg; break;
		case 'j': o->json = true; break;
		case 'R': o->resume = true; break;
		case 'h': o->html = true; break;
		default: return false;
		}
	}
	return true;
}

/* ---- Captcha ------------------------------------------------------------ */

static qt_err read_line_tty(const char *prompt, char *buf, size_t size)
{
	FILE *in = fopen("/dev/tty", "r+");
	FILE *use = in ? in : stdin;
	size_t n;

	fputs(prompt, in ? in : stderr);
	fflush(in ? in : stderr);
	if (fgets(buf, (int)size, use) == NULL) {
		if (in)
			fclose(in);
		return qt_error(QT_ERR_CANCELLED, _("no answer"));
	}
	if (in)
		fclose(in);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return QT_OK;
}

struct cap {
	struct qt_captcha c;
	char answer[64];
	struct qt_captcha_answer a;
};

static qt_err ask_captcha(qt_portal *p, struct cap *cap)
{
	qt_err rc = qt_portal_captcha(p, &cap->c);

	memset(&cap->a, 0, sizeof cap->a);
	if (rc != QT_OK || !cap->c.required)
		return rc;
	fprintf(stderr, _("The portal asks for the code in this picture (%d digits):\n\n%s\n"),
	        cap->c.length, cap->c.art);
	rc = read_line_tty(_("Code: "), cap->answer, sizeof cap->answer);
	if (rc != QT_OK)
		return rc;
	cap->a.id = cap->c.id;
	cap->a.answer = cap->answer;
	return QT_OK;
}

/* ---- apply ------------------------------------------------------------------ */

static const char *const batch_fields[] = {
	"subject", "iin", "bin", "email", "region", "city", "storage", "folder", "medium",
	"key_type", NULL
};

static int batch_error(const char *file, const char *field, qt_err rc, const char *hint)
{
	const char *d = qt_error_detail();

	fprintf(stderr, _("qoltanba: %s: field \"%s\": %s"), file, field, qt_strerror(rc));
	if (d[0] != '\0')
		fprintf(stderr, " (%s)", d);
	fputc('\n', stderr);
	if (hint != NULL)
		fprintf(stderr, "qoltanba: %s\n", hint);
	return qt_cli_exit_code(rc) == QT_EXIT_OK ? QT_EXIT_FAIL : qt_cli_exit_code(rc);
}

static const char *field_hint(const char *field)
{
	if (strcmp(field, "iin") == 0)
		return _("An IIN is the 12 digits of the applicant's identity card, without spaces.");
	if (strcmp(field, "bin") == 0)
		return _("A BIN is the 12 digits of the organisation's registration, without spaces.");
	if (strcmp(field, "email") == 0)
		return _("Leave \"email\" out, or give one address such as name@example.kz.");
	if (strcmp(field, "region") == 0)
		return _("Regions are ISO 3166-2 codes: KZ-71 Astana, KZ-75 Almaty, KZ-79 Shymkent, KZ-10 Abai ... KZ-63 East Kazakhstan.");
	if (strcmp(field, "city") == 0)
		return _("Give the city in English, Russian or Kazakh as the portal lists it (the region's centre always is).");
	if (strcmp(field, "password") == 0)
		return qt_password_policy_text();
	return NULL;
}

static bool progress_cb(void *data, enum qt_enroll_phase ph, int pct)
{
	bool tty = *(bool *)data;

	if (interrupted)
		return false;
	if (tty) {
		fprintf(stderr, "\r%-48s %3d%%", qt_enroll_phase_label(ph), pct);
		if (ph == QT_ENROLL_DONE)
			fputc('\n', stderr);
	}
	return true;
}

static bool is_password_err(qt_err rc)
{
	return rc >= QT_ERR_PASSWORD_SHORT && rc <= QT_ERR_PASSWORD_MISMATCH;
}

/* The key password: from the file, or typed twice. */
static qt_err new_password(const char *file, char **out)
{
	char *again = NULL;
	qt_err rc;

	*out = NULL;
	if (file != NULL)
		return qt_secret_from_file(file, out);
	fprintf(stderr, "%s\n", qt_password_policy_text());
	rc = qt_secret_prompt(_("New password for the keys: "), out);
	if (rc == QT_OK && (rc = qt_password_check(*out)) == QT_OK) {
		rc = qt_secret_prompt(_("The same password again: "), &again);
		if (rc == QT_OK && strcmp(*out, again) != 0)
			rc = qt_error(QT_ERR_PASSWORD_MISMATCH, _("the two passwords differ"));
	}
	qt_free_secret_str(again);
	if (rc != QT_OK) {
		qt_free_secret_str(*out);
		*out = NULL;
	}
	return rc;
}

static qt_err open_token(const char *label, const char *module, const char *pin_file,
                         qt_p11 **p11, qt_token **tok)
{
	char prompt[128], *pin = NULL;
	enum qt_pin_state st;
	bool def = false;
	qt_err rc;

	*p11 = NULL;
	*tok = NULL;
	rc = module ? qt_p11_open_module(module, QT_STORAGE_UNKNOWN, p11) : qt_p11_open(p11);
	if (rc == QT_OK)
		rc = qt_p11_find_token(*p11, label, tok);
	if (rc == QT_OK) {
		snprintf(prompt, sizeof prompt, _("PIN of token \"%s\": "), label);
		rc = qt_cli_password(pin_file, prompt, &pin);
	}
	if (rc == QT_OK)
		rc = qt_token_login(*tok, pin, &st, &def);
	qt_free_secret_str(pin);
	if (rc == QT_OK && def)
		fprintf(stderr, _("qoltanba: warning: token \"%s\" still has its factory PIN; change it "
		                  "with: qoltanba pin %s\n"), label, label);
	if (rc != QT_OK) {
		qt_p11_close(*p11);
		*p11 = NULL;
		*tok = NULL;
	}
	return rc;
}

static void print_submitted(const struct qt_app_record *rec, bool json, const char *journal)
{
	if (json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "number", rec->number);
		cJSON_AddStringToObject(o, "status", "submitted");
		cJSON_AddStringToObject(o, "id", rec->id);
		cJSON_AddStringToObject(o, "storage", rec->storage);
		if (rec->folder[0])
			cJSON_AddStringToObject(o, "folder", rec->folder);
		cJSON_AddStringToObject(o, "auth_keyid", rec->auth_keyid);
		cJSON_AddStringToObject(o, "sign_keyid", rec->sign_keyid);
		qt_cli_json_line(o);
		return;
	}
	printf(_("Application number: %s\n"), rec->number);
	printf(_("Remember it. Take the application form to a Registration Authority within 30 days:\n"
	         "  qoltanba form %s   (--html for a page to print)\n"
	         "Then check its status with: qoltanba status %s\n"), rec->number, rec->number);
	(void)journal;
}

/* Records that need a captcha before they can be sent again. */
struct resume_state {
	char ids[64][33];
	size_t n;
	bool failed;
};

static void report_resume(void *data, const struct qt_app_record *rec, qt_err rc)
{
	struct resume_state *rs = data;

	if (rc == QT_ERR_CAPTCHA && rec->step == QT_STEP_KEYS_GENERATED) {
		if (rs->n < 64)
			memcpy(rs->ids[rs->n++], rec->id, 33);
		return;
	}
	if (rc != QT_OK)
		rs->failed = true;
	if (rc == QT_OK)
		fprintf(stderr, _("qoltanba: application %s: %s\n"),
		        rec->number[0] ? rec->number : rec->id, qt_app_step_name(rec->step));
	else
		fprintf(stderr, _("qoltanba: application %s: %s (%s)\n"),
		        rec->number[0] ? rec->number : rec->id, qt_strerror(rc), qt_error_detail());
}

static int apply_resume(struct conn *c, bool json)
{
	struct qt_journal *j;
	qt_err rc;
	size_t i;
	int ex = QT_EXIT_OK;

	struct resume_state rs;
	size_t k;

	memset(&rs, 0, sizeof rs);
	rc = qt_enroll_resume(c->p, NULL, report_resume, &rs);
	if (rc != QT_OK)
		return portal_fail(c, rc, _("resume"));
	if (rs.failed)
		ex = QT_EXIT_FAIL;
	if (rs.n == 0)
		return ex;
	/* Those that need a captcha. */
	if ((rc = qt_journal_load(NULL, &j)) != QT_OK)
		return qt_cli_fail(rc, NULL);
	for (i = 0; i < j->count; i++) {
		struct qt_app_record rec = j->records[i];
		struct cap cap;
		int tries;

		bool wanted = false;

		for (k = 0; k < rs.n; k++)
			if (strcmp(rs.ids[k], rec.id) == 0)
				wanted = true;
		if (!wanted || rec.step != QT_STEP_KEYS_GENERATED)
			continue;
		for (tries = 0; tries < 3; tries++) {
			if ((rc = ask_captcha(c->p, &cap)) != QT_OK)
				break;
			rc = qt_enroll_submit(c->p, NULL, &rec, &cap.a, NULL);
			if (rc != QT_ERR_CAPTCHA)
				break;
			fprintf(stderr, _("qoltanba: %s Try the new picture.\n"), qt_strerror(rc));
		}
		if (rc != QT_OK) {
			ex = portal_fail(c, rc, rec.id);
			continue;
		}
		print_submitted(&rec, json, NULL);
	}
	qt_journal_free(j);
	return ex;
}

int qt_cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", required_argument, NULL, 'b' },
		{ "portal", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "password-file", required_argument, NULL, 'w' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "module", required_argument, NULL, 'm' },
		{ "resume", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	bool tty = isatty(2);
	struct opts opt;
	struct qt_enroll_request r;
	struct qt_catalog *cat = NULL;
	struct qt_person person;
	struct qt_entity entity;
	struct qt_app_record rec;
	struct conn c = { 0 };
	unsigned char *data = NULL;
	size_t len = 0;
	cJSON *b = NULL;
	const cJSON *v;
	const char *field, *storage;
	char *password = NULL;
	qt_p11 *p11 = NULL;
	qt_token *tok = NULL;
	struct cap cap;
	qt_err rc;
	int ex = QT_EXIT_FAIL, i, tries;

	if (!parse_opts(argc, argv, opts, &opt))
		return qt_cli_usage("apply");
	if (optind != argc || (opt.batch == NULL) == !opt.resume)
		return qt_cli_usage("apply");
	catch_signals();
	if (opt.resume) {
		if ((ex = connect_portal(&c, opt.url, NULL)) != QT_EXIT_OK)
			return ex;
		ex = apply_resume(&c, opt.json);
		disconnect(&c);
		return ex;
	}

	/* The batch file, strictly: known fields, strings only. */
	rc = qt_read_file(opt.batch, 64 * 1024, &data, &len);
	if (rc != QT_OK)
		return qt_cli_fail(rc, opt.batch);
	b = cJSON_ParseWithLength((const char *)data, len);
	qt_free_secret(data, len);
	if (!cJSON_IsObject(b)) {
		fprintf(stderr, _("qoltanba: %s is not a JSON object such as {\"subject\": \"individual\", "
		                  "\"iin\": \"...\", ...}\n"), opt.batch);
		cJSON_Delete(b);
		return QT_EXIT_USAGE;
	}
	cJSON_ArrayForEach(v, b) {
		bool known = false;

		for (i = 0; batch_fields[i]; i++)
			if (strcmp(v->string, batch_fields[i]) == 0)
				known = true;
		if (!known || !cJSON_IsString(v)) {
			fprintf(stderr, known ? _("qoltanba: %s: field \"%s\" must be a string\n")
			                      : _("qoltanba: %s: unknown field \"%s\" (known: subject, iin, "
			                          "bin, email, region, city, storage, folder, medium)\n"),
			        opt.batch, v->string);
			cJSON_Delete(b);
			return QT_EXIT_USAGE;
		}
	}
#define BF(n) (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(b, n)) ? \
	cJSON_GetObjectItemCaseSensitive(b, n)->valuestring : NULL)
	memset(&r, 0, sizeof r);
	r.subject_type = BF("subject");
	r.iin = BF("iin");
	r.bin = BF("bin");
	r.email = BF("email");
	r.region = BF("region");
	r.city = BF("city");
	storage = BF("storage");
	r.folder = BF("folder");
	r.storage = BF("medium");
	if (BF("key_type") != NULL && (rc = qt_keytype_parse(BF("key_type"), &r.keytype)) != QT_OK) {
		ex = batch_error(opt.batch, "key_type", rc,
		                 _("Use rsa2048 (what NCA issues) or ecdsa-p256."));
		goto out;
	}
	if (storage == NULL) {
		ex = batch_error(opt.batch, "storage", qt_error(QT_ERR_INVALID_ARG, _("missing")),
		                 _("\"storage\" is \"pc\" (a folder) or the label of a token."));
		goto out;
	}
	if (strcmp(storage, "pc") != 0) {
		r.folder = NULL;
		r.token_label = storage;
	} else if (r.folder == NULL) {
		ex = batch_error(opt.batch, "folder", qt_error(QT_ERR_INVALID_ARG, _("missing")),
		                 _("PC storage needs \"folder\": where the key files will be."));
		goto out;
	}
	/* The fields that need no portal, before anything else. */
	r.password = "placeholder1";
	rc = qt_enroll_validate(&r, NULL, &field);
	if (rc != QT_OK && strcmp(field, "password") != 0 &&
	    !(r.token_label != NULL && strcmp(field, "storage") == 0)) {
		ex = batch_error(opt.batch, strcmp(field, "subject_type") == 0 ? "subject" : field, rc,
		                 field_hint(field));
		goto out;
	}
	r.password = NULL;

	if ((ex = connect_portal(&c, opt.url, NULL)) != QT_EXIT_OK)
		goto out;
	ex = QT_EXIT_FAIL;
	if ((rc = qt_portal_catalog(c.p, &cat)) != QT_OK) {
		ex = portal_fail(&c, rc, _("catalog"));
		goto out;
	}
	if (r.token_label != NULL) {
		if ((rc = open_token(r.token_label, opt.module, opt.pinfile, &p11, &tok)) != QT_OK) {
			ex = qt_cli_fail(rc, r.token_label);
			goto out;
		}
		r.token = tok;
	} else {
		rc = new_password(opt.pwfile, &password);
		if (rc == QT_OK)
			rc = qt_password_check(password);
		if (rc != QT_OK) {
			ex = is_password_err(rc) ? batch_error(opt.pwfile ? opt.pwfile : _("terminal"),
			                                        "password", rc, qt_password_policy_text())
			                         : qt_cli_fail(rc, NULL);
			goto out;
		}
		r.password = password;
	}
	rc = qt_enroll_validate(&r, cat, &field);
	if (rc != QT_OK) {
		ex = batch_error(opt.batch, strcmp(field, "subject_type") == 0 ? "subject" : field, rc,
		                 field_hint(field));
		goto out;
	}

	/* Registry checks (names for the requests), with the captcha. */
	for (tries = 0;; tries++) {
		if ((rc = ask_captcha(c.p, &cap)) != QT_OK) {
			ex = portal_fail(&c, rc, _("captcha"));
			goto out;
		}
		rc = qt_portal_check_iin(c.p, r.iin, &cap.a, &person);
		if (rc == QT_OK && r.bin != NULL && *r.bin)
			rc = qt_portal_check_bin(c.p, r.bin, &cap.a, &entity);
		if (rc != QT_ERR_CAPTCHA || tries >= 2 || !isatty(0))
			break;
		fprintf(stderr, _("qoltanba: %s Try the new picture.\n"), qt_strerror(rc));
	}
	if (rc != QT_OK) {
		if (rc == QT_ERR_REGISTRY || (rc >= QT_ERR_IDNUM_LENGTH && rc <= QT_ERR_EMAIL))
			ex = batch_error(opt.batch, strncmp(qt_portal_error_code(c.p), "bin", 3) == 0 ||
			                        strcmp(qt_portal_error_code(c.p), "not_head") == 0 ? "bin" : "iin",
			                 rc, NULL);
		else
			ex = portal_fail(&c, rc, NULL);
		goto out;
	}
	r.person = &person;
	if (r.bin != NULL && *r.bin)
		r.entity = &entity;
	if (!opt.json)
		fprintf(stderr, _("Applicant: %s%s%s\n"), person.full_name,
		        r.entity ? ", " : "", r.entity ? entity.name : "");

	rc = qt_enroll_generate(NULL, &r, qt_portal_id(c.p), progress_cb, &tty, &rec);
	if (tty)
		fputc('\n', stderr);
	if (rc != QT_OK) {
		ex = qt_cli_fail(rc, NULL);
		goto out;
	}
	rc = qt_enroll_submit(c.p, NULL, &rec, &cap.a, NULL);
	if (rc == QT_ERR_CAPTCHA && isatty(0) && ask_captcha(c.p, &cap) == QT_OK)
		rc = qt_enroll_submit(c.p, NULL, &rec, &cap.a, NULL);
	if (rc != QT_OK) {
		ex = portal_fail(&c, rc, NULL);
		fprintf(stderr, _("qoltanba: nothing is lost: the keys are in %s and the application is "
		                  "in the journal (%s). Send it again with: qoltanba apply --resume\n"),
		        rec.folder[0] ? rec.folder : rec.storage, rec.id);
		goto out;
	}
	print_submitted(&rec, opt.json, NULL);
	ex = QT_EXIT_OK;
out:
#undef BF
	qt_catalog_free(cat);
	qt_free_secret_str(password);
	if (p11 != NULL)
		qt_p11_close(p11);
	disconnect(&c);
	cJSON_Delete(b);
	return ex;
}

/* ---- status ---------------------------------------------------------------- */

static cJSON *app_json(const struct qt_app_record *rec, const struct qt_app_info *info)
{
	cJSON *o = cJSON_CreateObject(), *a;
	char t[32];
	size_t i;

	cJSON_AddStringToObject(o, "number", rec->number);
	if (info != NULL) {
		cJSON_AddStringToObject(o, "status", qt_app_status_name(info->status));
		cJSON_AddStringToObject(o, "status_text", info->status_text);
	} else {
		cJSON_AddStringToObject(o, "status", rec->step == QT_STEP_KEYS_GENERATED ? "not_sent" :
		                        qt_app_step_name(rec->step));
	}
	cJSON_AddStringToObject(o, "step", qt_app_step_name(rec->step));
	cJSON_AddStringToObject(o, "subject_type", rec->subject_type);
	cJSON_AddStringToObject(o, "iin", rec->iin);
	if (rec->bin[0])
		cJSON_AddStringToObject(o, "bin", rec->bin);
	cJSON_AddStringToObject(o, "storage", rec->storage);
	if (rec->folder[0])
		cJSON_AddStringToObject(o, "folder", rec->folder);
	cJSON_AddStringToObject(o, "portal", rec->portal);
	qt_time_iso8601(rec->created, t);
	cJSON_AddStringToObject(o, "created_at", t);
	if (info != NULL) {
		if (info->verify_by) {
			qt_time_iso8601(info->verify_by, t);
			cJSON_AddStringToObject(o, "verify_by", t);
		}
		if (info->reason[0])
			cJSON_AddStringToObject(o, "reason", info->reason);
		a = cJSON_AddArrayToObject(o, "certificates");
		for (i = 0; i < info->cert_count; i++) {
			cJSON *c = cJSON_CreateObject();

			cJSON_AddStringToObject(c, "purpose", info->certs[i].purpose);
			cJSON_AddStringToObject(c, "serial", info->certs[i].serial);
			qt_time_iso8601(info->certs[i].not_after, t);
			cJSON_AddStringToObject(c, "not_after", t);
			cJSON_AddItemToArray(a, c);
		}
	}
	return o;
}

static void print_status_text(const struct qt_app_record *rec, const struct qt_app_info *info)
{
	char t[32];

	printf(_("Application %s: %s\n"), rec->number, qt_app_status_label(info->status));
	if (info->status == QT_APP_PENDING && info->verify_by) {
		qt_time_iso8601(info->verify_by, t);
		printf(_("Verify it at a Registration Authority by %.10s.\n"), t);
	}
	if (info->status == QT_APP_REJECTED && info->reason[0])
		printf(_("Reason: %s\n"), info->reason);
	if (info->status == QT_APP_ISSUED)
		printf(strcmp(rec->storage, "pc") == 0 ?
		       _("Install it with: qoltanba install %s --keys %s\n") :
		       _("Install it with: qoltanba install %s --token %s\n"),
		       rec->number, strcmp(rec->storage, "pc") == 0 ? rec->folder : rec->storage);
	if (info->status == QT_APP_INSTALLED && rec->folder[0])
		printf(_("The key files are in %s\n"), rec->folder);
}

int qt_cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "portal", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts opt;
	struct qt_app_record rec;
	struct qt_app_info info;
	struct conn c;
	qt_err rc;
	int ex;

	if (!parse_opts(argc, argv, opts, &opt))
		return qt_cli_usage("status");
	if (optind + 1 != argc)
		return qt_cli_usage("status");
	if ((rc = qt_enroll_find(NULL, argv[optind], &rec)) != QT_OK)
		return qt_cli_fail(rc, NULL);
	if (rec.step == QT_STEP_KEYS_GENERATED) {
		if (opt.json) {
			qt_cli_json_line(app_json(&rec, NULL));
		} else {
			printf(_("Application %s was not sent yet: its keys are in %s. Send it with: "
			         "qoltanba apply --resume\n"), rec.id, rec.folder[0] ? rec.folder : rec.storage);
		}
		return QT_EXIT_OK;
	}
	catch_signals();
	if ((ex = connect_portal(&c, opt.url, &rec)) != QT_EXIT_OK)
		return ex;
	rc = qt_enroll_refresh(c.p, NULL, &rec, &info);
	if (rc != QT_OK) {
		ex = portal_fail(&c, rc, rec.number);
	} else {
		if (opt.json)
			qt_cli_json_line(app_json(&rec, &info));
		else
			print_status_text(&rec, &info);
		ex = QT_EXIT_OK;
	}
	disconnect(&c);
	return ex;
}

/* ---- install ---------------------------------------------------------------- */

int qt_cmd_install(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "portal", required_argument, NULL, 'p' },
		{ "keys", required_argument, NULL, 'k' },
		{ "token", required_argument, NULL, 't' },
		{ "password-file", required_argument, NULL, 'w' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "module", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts opt;
	bool tty = isatty(2);
	struct qt_app_record rec;
	char *password = NULL, *paths[2] = { NULL, NULL };
	qt_p11 *p11 = NULL;
	qt_token *tok = NULL;
	struct conn c;
	qt_err rc;
	int ex;

	if (!parse_opts(argc, argv, opts, &opt))
		return qt_cli_usage("install");
	if (optind + 1 != argc || (opt.keys == NULL) == (opt.token == NULL))
		return qt_cli_usage("install");
	if ((rc = qt_enroll_find(NULL, argv[optind], &rec)) != QT_OK)
		return qt_cli_fail(rc, NULL);
	if (opt.keys != NULL) {
		rc = qt_cli_password(opt.pwfile, _("Password of the keys: "), &password);
		if (rc != QT_OK)
			return qt_cli_fail(rc, NULL);
	} else if ((rc = open_token(opt.token, opt.module, opt.pinfile, &p11, &tok)) != QT_OK) {
		return qt_cli_fail(rc, opt.token);
	}
	catch_signals();
	if ((ex = connect_portal(&c, opt.url, &rec)) != QT_EXIT_OK)
		goto out;
	if (opt.keys != NULL)
		rc = qt_enroll_install_pc(c.p, NULL, &rec, opt.keys, password, progress_cb, &tty, paths);
	else
		rc = qt_enroll_install_token(c.p, NULL, &rec, tok, progress_cb, &tty);
	if (tty)
		fputc('\n', stderr);
	if (rc != QT_OK) {
		ex = portal_fail(&c, rc, rec.number);
	} else if (opt.json) {
		cJSON *o = app_json(&rec, NULL);

		cJSON_ReplaceItemInObjectCaseSensitive(o, "status", cJSON_CreateString("installed"));
		if (paths[0] != NULL) {
			cJSON *f = cJSON_AddArrayToObject(o, "files");

			cJSON_AddItemToArray(f, cJSON_CreateString(paths[0]));
			cJSON_AddItemToArray(f, cJSON_CreateString(paths[1]));
		}
		qt_cli_json_line(o);
		ex = QT_EXIT_OK;
	} else {
		printf(_("Certificates installed (application %s).\n"), rec.number);
		if (paths[0] != NULL)
			printf("  %s\n  %s\n", paths[0], paths[1]);
		else
			printf(_("  on the token \"%s\"\n"), rec.storage);
		ex = QT_EXIT_OK;
	}
	disconnect(&c);
out:
	free(paths[0]);
	free(paths[1]);
	qt_free_secret_str(password);
	if (p11 != NULL)
		qt_p11_close(p11);
	return ex;
}

/* ---- applications, form ------------------------------------------------------ */

int qt_cmd_applications(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct qt_journal *j;
	struct opts opt;
	qt_err rc;
	size_t i;

	if (!parse_opts(argc, argv, opts, &opt))
		return qt_cli_usage("applications");
	if (optind != argc)
		return qt_cli_usage("applications");
	if ((rc = qt_journal_load(NULL, &j)) != QT_OK)
		return qt_cli_fail(rc, NULL);
	if (opt.json) {
		cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "applications");

		for (i = 0; i < j->count; i++)
			cJSON_AddItemToArray(a, app_json(&j->records[i], NULL));
		qt_cli_json_line(o);
	} else if (j->count == 0) {
		printf(_("No applications on this computer.\n"));
	} else {
		for (i = 0; i < j->count; i++) {
			const struct qt_app_record *r = &j->records[i];
			char t[32];

			qt_time_iso8601(r->created, t);
			printf("%-12s  %-15s  %.10s  %-13s  %s  %s\n",
			       r->number[0] ? r->number : "-", qt_app_step_name(r->step), t,
			       r->subject_type, r->bin[0] ? r->bin : r->iin,
			       r->folder[0] ? r->folder : r->storage);
		}
	}
	qt_journal_free(j);
	return QT_EXIT_OK;
}

int qt_cmd_form(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "html", no_argument, NULL, 'h' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct qt_app_record rec;
	struct opts opt;
	char *text = NULL;
	qt_err rc;

	if (!parse_opts(argc, argv, opts, &opt))
		return qt_cli_usage("form");
	if (optind + 1 != argc)
		return qt_cli_usage("form");
	if ((rc = qt_enroll_find(NULL, argv[optind], &rec)) != QT_OK)
		return qt_cli_fail(rc, NULL);
	rc = opt.html ? qt_application_form_html(NULL, &rec, &text) :
	     qt_application_form_text(NULL, &rec, &text);
	if (rc == QT_OK && opt.outfile != NULL)
		rc = qt_atomic_write(opt.outfile, text, strlen(text), 0644, QT_WRITE_REPLACE);
	else if (rc == QT_OK)
		fputs(text, stdout);
	free(text);
	return rc == QT_OK ? QT_EXIT_OK : qt_cli_fail(rc, NULL);
}

/* ---- ra ---------------------------------------------------------------------- */

int qt_cmd_ra(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "portal", required_argument, NULL, 'p' },
		{ "operator-key", required_argument, NULL, 'K' },
		{ "password-file", required_argument, NULL, 'w' },
		{ "status", required_argument, NULL, 's' },
		{ "query", required_argument, NULL, 'q' },
		{ "reason", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts opt;
	const char *verb;
	char *password = NULL, name[256];
	struct qt_app_info info, *list = NULL;
	size_t n = 0, i;
	struct conn c;
	qt_err rc;
	int ex;

	if (!parse_opts(argc, argv, opts, &opt))
		return qt_cli_usage("ra");
	if (optind >= argc)
		return qt_cli_usage("ra");
	verb = argv[optind];
	if (strcmp(verb, "list") == 0 ? optind + 1 != argc :
	    (strcmp(verb, "approve") == 0 || strcmp(verb, "reject") == 0 || strcmp(verb, "view") == 0)
	    ? optind + 2 != argc : true)
		return qt_cli_usage("ra");
	if (strcmp(verb, "reject") == 0 && (opt.reason == NULL || *opt.reason == '\0')) {
		fprintf(stderr, _("qoltanba: a rejection needs --reason TEXT (the applicant sees it)\n"));
		return QT_EXIT_USAGE;
	}
	catch_signals();
	if ((ex = connect_portal(&c, opt.url, NULL)) != QT_EXIT_OK)
		return ex;
	if (opt.key == NULL && c.local != NULL) {
		opt.key = qt_localportal_operator_key(c.local);
		if (opt.pwfile == NULL)
			opt.pwfile = qt_localportal_operator_password_file(c.local);
	}
	if (opt.key == NULL) {
		fprintf(stderr, _("qoltanba: give the operator's key file with --operator-key FILE\n"));
		ex = QT_EXIT_USAGE;
		goto out;
	}
	rc = qt_cli_password(opt.pwfile, _("Password of the operator's key: "), &password);
	if (rc == QT_OK)
		rc = qt_portal_ra_login_file(c.p, opt.key, password, name, sizeof name);
	qt_free_secret_str(password);
	if (rc != QT_OK) {
		ex = portal_fail(&c, rc, _("operator sign-in"));
		goto out;
	}
	if (strcmp(verb, "list") == 0) {
		rc = qt_portal_ra_list(c.p, opt.status, opt.query, 500, 0, &list, &n);
		if (rc != QT_OK) {
			ex = portal_fail(&c, rc, NULL);
			goto out;
		}
		if (opt.json) {
			cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "applications");

			for (i = 0; i < n; i++) {
				cJSON *e = cJSON_CreateObject();

				cJSON_AddStringToObject(e, "number", list[i].number);
				cJSON_AddStringToObject(e, "status", qt_app_status_name(list[i].status));
				cJSON_AddStringToObject(e, "subject_type", list[i].subject_type);
				cJSON_AddStringToObject(e, "iin", list[i].iin);
				if (list[i].bin[0])
					cJSON_AddStringToObject(e, "bin", list[i].bin);
				cJSON_AddStringToObject(e, "full_name", list[i].full_name);
				cJSON_AddItemToArray(a, e);
			}
			qt_cli_json_line(o);
		} else {
			for (i = 0; i < n; i++)
				printf("%-12s  %-10s  %-13s  %s  %s\n", list[i].number,
				       qt_app_status_name(list[i].status), list[i].subject_type,
				       list[i].bin[0] ? list[i].bin : list[i].iin, list[i].full_name);
			if (n == 0)
				printf(_("No applications.\n"));
		}
		free(list);
		ex = QT_EXIT_OK;
		goto out;
	}
	if (strcmp(verb, "view") == 0) {
		char *details = NULL;

		rc = qt_portal_ra_view(c.p, argv[optind + 1], &info, &details);
		if (rc == QT_OK)
			puts(details);
		free(details);
	} else if (strcmp(verb, "approve") == 0) {
		rc = qt_portal_ra_approve(c.p, argv[optind + 1], &info);
	} else {
		rc = qt_portal_ra_reject(c.p, argv[optind + 1], opt.reason, &info);
	}
	if (rc != QT_OK) {
		ex = portal_fail(&c, rc, argv[optind + 1]);
		goto out;
	}
	if (strcmp(verb, "view") != 0) {
		if (opt.json) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "number", info.number);
			cJSON_AddStringToObject(o, "status", qt_app_status_name(info.status));
			qt_cli_json_line(o);
		} else {
			printf(_("Application %s: %s\n"), info.number, qt_app_status_label(info.status));
		}
	}
	ex = QT_EXIT_OK;
out:
	disconnect(&c);
	return ex;
}
