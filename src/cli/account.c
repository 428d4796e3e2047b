/* qoltanba account keys|revoke|reissue|approvals|requests|profile: the
 * personal account from the command line (doc/cli.md), on the engine's
 * account client (account.h), with the portal's own checks. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <qoltanba/account.h>
#include <qoltanba/cert.h>
#include <qoltanba/config.h>
#include <qoltanba/enroll.h>
#include <qoltanba/localportal.h>
#include <qoltanba/password.h>
#include <qoltanba/secret.h>
#include <qoltanba/token.h>
#include "cli/cli.h"
#include "cli/keyinfo.h"
#include "i18n.h"

struct opts {
	const char *url, *key, *pwfile, *token, *pinfile, *module, *keyid;
	const char *reason, *serial, *email, *folder, *newpw, *csv, *language;
	const char *notify_email, *notify_sms;
	const char *to_token, *to_pinfile;
	bool json, resume;
};

struct session {
	qt_config *cfg;
	qt_portal *p;
	qt_localportal *local;
	qt_p11 *p11;
	qt_token *tok;              /* the signing token, when --token */
	qt_account *a;
	X509 *tokcert;
};

static void close_session(struct session *s)
{
	qt_account_free(s->a);
	X509_free(s->tokcert);
	qt_p11_close(s->p11);
	qt_portal_close(s->p);
	qt_localportal_stop(s->local);
	qt_config_free(s->cfg);
	memset(s, 0, sizeof *s);
}

static void add_time(cJSON *o, const char *name, time_t t)
{
	char buf[32];

	if (t == 0)
		return;
	qt_time_iso8601(t, buf);
	cJSON_AddStringToObject(o, name, buf);
}

static cJSON *key_json(const struct qt_account_key *k)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "serial", k->serial);
	cJSON_AddStringToObject(o, "purpose", k->purpose);
	cJSON_AddStringToObject(o, "status", k->status);
	cJSON_AddStringToObject(o, "number", k->number);
	cJSON_AddStringToObject(o, "subject_type", k->subject_type);
	if (k->bin[0])
		cJSON_AddStringToObject(o, "bin", k->bin);
	cJSON_AddStringToObject(o, "storage", k->storage);
	add_time(o, "not_before", k->not_before);
	add_time(o, "not_after", k->not_after);
	cJSON_AddNumberToObject(o, "days_left", (double)k->days_left);
	add_time(o, "revoked_at", k->revoked_at);
	if (k->revocation_reason[0])
		cJSON_AddStringToObject(o, "revocation_reason", k->revocation_reason);
	return o;
}

static void expiry_notice(const struct qt_account_holder *h)
{
	for (size_t i = 0; i < h->expiring_count; i++) {
		const struct qt_account_key *k = &h->expiring[i];
		char date[32];

		qt_time_iso8601(k->not_after, date);
		date[10] = '\0';
		fprintf(stderr, _("qoltanba: notice: the %s key %s (application %s) expires in %ld "
		                  "day(s), on %s; re-issue it while it is valid: qoltanba account "
		                  "reissue\n"), k->purpose, k->serial, k->number, k->days_left, date);
	}
}

/* Connects and signs in with --key or --token. */
static int open_session(const struct opts *o, struct session *s)
{
	char *secret = NULL, prompt[160], keyid[130];
	qt_token *tok = NULL;
	qt_err rc;

	memset(s, 0, sizeof *s);
	if ((o->key == NULL) == (o->token == NULL)) {
		fprintf(stderr, _("qoltanba: account: sign in with --key FILE (AUTH_RSA256_*.p12) or "
		                  "--token LABEL\n"));
		return QT_EXIT_USAGE;
	}
	if ((rc = qt_config_load(&s->cfg)) != QT_OK)
		return qt_cli_fail(rc, NULL);
	if ((rc = qt_portal_connect(s->cfg, o->url, &s->p, &s->local)) != QT_OK) {
		close_session(s);
		return qt_cli_fail(rc, _("portal"));
	}
	if ((rc = qt_account_open(s->p, &s->a)) != QT_OK)
		goto fail;
	if (o->key != NULL) {
		snprintf(prompt, sizeof prompt, _("Password of %s: "), o->key);
		if ((rc = qt_cli_password(o->pwfile, prompt, &secret)) == QT_OK)
			rc = qt_account_use_keyfile(s->a, o->key, secret);
	} else {
		rc = o->module ? qt_p11_open_module(o->module, QT_STORAGE_UNKNOWN, &s->p11) :
		     qt_p11_open(&s->p11);
		if (rc == QT_OK)
			rc = qt_p11_find_token(s->p11, o->token, &tok);
		snprintf(prompt, sizeof prompt, _("PIN of token \"%s\": "), o->token);
		if (rc == QT_OK && (rc = qt_cli_password(o->pinfile, prompt, &secret)) == QT_OK)
			rc = qt_token_login(tok, secret, NULL, NULL);
		if (rc == QT_OK)
			rc = qt_account_token_auth_key(tok, o->keyid, keyid, sizeof keyid, &s->tokcert);
		if (rc == QT_OK)
			rc = qt_account_use_token(s->a, tok, keyid, s->tokcert);
		s->tok = tok;
	}
	qt_free_secret_str(secret);
	if (rc != QT_OK)
		goto fail;
	if ((rc = qt_account_sign_in(s->a, NULL)) != QT_OK)
		goto fail;
	expiry_notice(qt_account_holder(s->a));
	return QT_EXIT_OK;
fail:
	{
		int ex = qt_cli_fail(rc, _("personal account"));

		if (rc == QT_ERR_CERT_EXPIRED)
			fprintf(stderr, _("qoltanba: an expired key cannot sign in or be re-issued; apply "
			                  "for new keys: qoltanba apply\n"));
		close_session(s);
		return ex;
	}
}

static int do_keys(const struct opts *o, struct session *s)
{
	struct qt_account_key *k = NULL;
	size_t n = 0;
	qt_err rc = qt_account_keys(s->a, &k, &n);

	if (rc != QT_OK)
		return qt_cli_fail(rc, _("keys"));
	if (o->csv != NULL) {
		FILE *f = strcmp(o->csv, "-") == 0 ? stdout : fopen(o->csv, "w");

		if (f == NULL)
			rc = qt_error(QT_ERR_IO, "%s", o->csv);
		else {
			rc = qt_account_keys_csv(k, n, f);
			if (f != stdout && fclose(f) != 0 && rc == QT_OK)
				rc = qt_error(QT_ERR_IO, "%s", o->csv);
		}
		free(k);
		return rc == QT_OK ? QT_EXIT_OK : qt_cli_fail(rc, o->csv);
	}
	if (o->json) {
		cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, "keys");

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, key_json(&k[i]));
		cJSON_AddNumberToObject(j, "count", (double)n);
		qt_cli_json_line(j);
	} else {
		/* Translated headings padded by display width, not bytes. */
		qt_cli_pad(stdout, _("SERIAL"), 41);
		qt_cli_pad(stdout, _("KEY"), 5);
		qt_cli_pad(stdout, _("STATUS"), 14);
		qt_cli_pad(stdout, _("APPLICATION"), 13);
		qt_cli_pad(stdout, _("ROLE"), 14);
		qt_cli_pad(stdout, _("STORAGE"), 10);
		printf("%s\n", _("VALID UNTIL"));
		for (size_t i = 0; i < n; i++) {
			char d[32];

			qt_time_iso8601(k[i].not_after, d);
			d[10] = '\0';
			printf("%-40s %-4s %-13s %-12s %-13s %-9s %s\n", k[i].serial, k[i].purpose,
			       k[i].status, k[i].number, k[i].subject_type, k[i].storage, d);
		}
	}
	free(k);
	return QT_EXIT_OK;
}

static int do_revoke(const struct opts *o, struct session *s, const char *serial)
{
	qt_err rc = qt_account_revoke(s->a, serial, o->reason ? o->reason : "unspecified");

	if (rc != QT_OK)
		return qt_cli_fail(rc, serial);
	if (o->json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "serial", serial);
		cJSON_AddStringToObject(j, "status", "revoked");
		cJSON_AddStringToObject(j, "reason", o->reason ? o->reason : "unspecified");
		qt_cli_json_line(j);
	} else {
		printf(_("Certificate %s is revoked; the portal's CRL says so from now on.\n"), serial);
	}
	return QT_EXIT_OK;
}

static cJSON *request_json(const struct qt_account_request *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "number", r->info.number);
	cJSON_AddStringToObject(o, "status", qt_app_status_name(r->info.status));
	cJSON_AddStringToObject(o, "subject_type", r->info.subject_type);
	cJSON_AddStringToObject(o, "iin", r->info.iin);
	if (r->info.bin[0])
		cJSON_AddStringToObject(o, "bin", r->info.bin);
	cJSON_AddStringToObject(o, "storage", r->info.storage);
	if (r->full_name[0])
		cJSON_AddStringToObject(o, "full_name", r->full_name);
	add_time(o, "created_at", r->info.created_at);
	cJSON_AddBoolToObject(o, "online", r->online);
	if (r->online) {
		cJSON_AddStringToObject(o, "previous_serial", r->previous_serial);
		cJSON_AddStringToObject(o, "approval", r->approval);
	}
	if (r->info.reason[0])
		cJSON_AddStringToObject(o, "reason", r->info.reason);
	return o;
}

static void print_requests(const struct opts *o, const struct qt_account_request *r, size_t n,
                           const char *member)
{
	if (o->json) {
		cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, member);

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, request_json(&r[i]));
		cJSON_AddNumberToObject(j, "count", (double)n);
		qt_cli_json_line(j);
		return;
	}
	qt_cli_pad(stdout, _("APPLICATION"), 13);
	qt_cli_pad(stdout, _("STATUS"), 11);
	qt_cli_pad(stdout, _("ROLE"), 14);
	qt_cli_pad(stdout, _("STORAGE"), 10);
	qt_cli_pad(stdout, _("APPROVAL"), 15);
	printf("%s\n", _("NAME"));
	for (size_t i = 0; i < n; i++)
		printf("%-12s %-10s %-13s %-9s %-14s %s\n", r[i].info.number,
		       qt_app_status_name(r[i].info.status), r[i].info.subject_type, r[i].info.storage,
		       r[i].online ? r[i].approval : "-", r[i].full_name);
}

static int do_requests(const struct opts *o, struct session *s)
{
	struct qt_account_request *r = NULL;
	size_t n = 0;
	qt_err rc = qt_account_requests(s->a, &r, &n);

	if (rc != QT_OK)
		return qt_cli_fail(rc, _("requests"));
	print_requests(o, r, n, "requests");
	free(r);
	return QT_EXIT_OK;
}

static int do_approvals(const struct opts *o, struct session *s, const char *verb,
                        const char *number)
{
	struct qt_account_request *r = NULL, one;
	size_t n = 0;
	qt_err rc;

	if (verb == NULL) {
		if ((rc = qt_account_approvals(s->a, &r, &n)) != QT_OK)
			return qt_cli_fail(rc, _("approvals"));
		print_requests(o, r, n, "approvals");
		free(r);
		return QT_EXIT_OK;
	}
	rc = qt_account_decide(s->a, number, strcmp(verb, "approve") == 0, o->reason, &one);
	if (rc != QT_OK)
		return qt_cli_fail(rc, number);
	if (o->json)
		qt_cli_json_line(request_json(&one));
	else
		printf(_("Application %s: %s\n"), number, qt_app_status_name(one.info.status));
	return QT_EXIT_OK;
}

static int parse_onoff(const char *v, int *out)
{
	if (v == NULL)
		*out = -1;
	else if (strcmp(v, "on") == 0)
		*out = 1;
	else if (strcmp(v, "off") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int do_profile(const struct opts *o, struct session *s)
{
	struct qt_account_profile p;
	int ne, ns;
	qt_err rc;

	if (parse_onoff(o->notify_email, &ne) || parse_onoff(o->notify_sms, &ns)) {
		fprintf(stderr, _("qoltanba: --notify-email and --notify-sms take on or off\n"));
		return QT_EXIT_USAGE;
	}
	if (o->language || ne >= 0 || ns >= 0)
		rc = qt_account_profile_set(s->a, o->language, ne, ns, &p);
	else
		rc = qt_account_profile(s->a, &p);
	if (rc != QT_OK)
		return qt_cli_fail(rc, _("profile"));
	if (o->json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "iin", p.iin);
		cJSON_AddStringToObject(j, "full_name", p.full_name);
		cJSON_AddStringToObject(j, "subject_type", p.subject_type);
		if (p.bin[0]) {
			cJSON_AddStringToObject(j, "bin", p.bin);
			cJSON_AddStringToObject(j, "organization", p.organization);
		}
		cJSON_AddStringToObject(j, "email", p.email);
		cJSON_AddStringToObject(j, "phone", p.phone);
		cJSON_AddStringToObject(j, "serial", p.serial);
		add_time(j, "not_after", p.not_after);
		cJSON_AddStringToObject(j, "language", p.language);
		cJSON_AddBoolToObject(j, "notify_email", p.notify_email);
		cJSON_AddBoolToObject(j, "notify_sms", p.notify_sms);
		qt_cli_json_line(j);
		return QT_EXIT_OK;
	}
	printf(_("Name:            %s\nIIN:             %s\nRole:            %s\n"), p.full_name,
	       p.iin, p.subject_type);
	if (p.bin[0])
		printf(_("Organisation:    %s (BIN %s)\n"), p.organization, p.bin);
	printf(_("E-mail:          %s\nPhone:           %s\nLanguage:        %s\n"
	         "E-mail notices:  %s\nSMS notices:     %s\n"), p.email, p.phone, p.language,
	       p.notify_email ? _("on") : _("off"), p.notify_sms ? _("on") : _("off"));
	return QT_EXIT_OK;
}

/* The token that receives the new keys: the signing token itself when
 * it has that label, else opened and logged in here. */
static qt_err reissue_token(const struct opts *o, struct session *s, qt_token **out)
{
	char prompt[160], *pin = NULL;
	qt_err rc = QT_OK;

	*out = NULL;
	if (s->tok != NULL && strcmp(o->to_token, o->token) == 0) {
		*out = s->tok;
		return QT_OK;
	}
	if (s->p11 == NULL)
		rc = o->module ? qt_p11_open_module(o->module, QT_STORAGE_UNKNOWN, &s->p11) :
		     qt_p11_open(&s->p11);
	if (rc == QT_OK)
		rc = qt_p11_find_token(s->p11, o->to_token, out);
	snprintf(prompt, sizeof prompt, _("PIN of token \"%s\": "), o->to_token);
	if (rc == QT_OK && (rc = qt_cli_password(o->to_pinfile, prompt, &pin)) == QT_OK)
		rc = qt_token_login(*out, pin, NULL, NULL);
	qt_free_secret_str(pin);
	return rc;
}

/* What became of a re-issuance just sent; where: its folder or token. */
static void print_reissued(const struct opts *o, const struct qt_account_request *out,
                           const struct qt_app_record *rec, const char *where, const char *bin)
{
	bool pc = strcmp(rec->storage, "pc") == 0 || strcmp(rec->storage, "pkcs12") == 0;

	if (o->json) {
		cJSON *j = request_json(out);

		cJSON_AddStringToObject(j, pc ? "folder" : "token", where);
		cJSON_AddStringToObject(j, "auth_keyid", rec->auth_keyid);
		cJSON_AddStringToObject(j, "sign_keyid", rec->sign_keyid);
		qt_cli_json_line(j);
	} else if (out->info.status == QT_APP_ISSUED) {
		printf(_("Application %s: issued online. Install it: qoltanba install %s %s %s\n"),
		       out->info.number, out->info.number, pc ? "--keys" : "--token", where);
	} else {
		printf(_("Application %s: waiting for the first head of BIN %s to approve it "
		         "(qoltanba account requests shows when it is issued).\n"), out->info.number,
		       bin);
	}
}

/* --resume: the holder's re-issuances whose keys were made on this
 * computer but never reached the portal (the process killed, the portal
 * down), sent now with the requests kept in the journal: no password or
 * PIN is needed, and no new keys are made. */
static int reissue_resume(const struct opts *o, struct session *s)
{
	const struct qt_account_holder *h = qt_account_holder(s->a);
	struct qt_journal *j = NULL;
	size_t sent = 0;
	int ex = QT_EXIT_OK;
	qt_err rc;

	if ((rc = qt_journal_load(NULL, &j)) != QT_OK)
		return qt_cli_fail(rc, _("journal"));
	for (size_t i = 0; i < j->count; i++) {
		struct qt_app_record rec = j->records[i];
		struct qt_account_request out;

		if (rec.step != QT_STEP_KEYS_GENERATED || !rec.reissue_of[0] ||
		    strcmp(rec.iin, h->iin) != 0 ||
		    (rec.portal[0] && strcmp(rec.portal, qt_portal_id(s->p)) != 0))
			continue;
		rc = qt_account_reissue(s->a, NULL, &rec, NULL, NULL, &out);
		if (rc != QT_OK) {
			ex = qt_cli_fail(rc, _("re-issuance"));
			fprintf(stderr, _("qoltanba: the new keys stay in %s (journal record %s)\n"),
			        rec.folder[0] ? rec.folder : rec.storage, rec.id);
			continue;
		}
		sent++;
		print_reissued(o, &out, &rec, rec.folder[0] ? rec.folder : rec.storage, h->bin);
	}
	qt_journal_free(j);
	if (sent == 0 && ex == QT_EXIT_OK && !o->json)
		printf("%s\n", _("No re-issuance made on this computer waits to be sent."));
	return ex;
}

static int do_reissue(const struct opts *o, struct session *s)
{
	struct qt_reissue_base base;
	struct qt_enroll_request r;
	struct qt_app_record rec;
	struct qt_account_request out;
	char *password = NULL;
	qt_token *dest = NULL;
	qt_err rc;

	if (o->resume)
		return reissue_resume(o, s);
	if ((o->folder == NULL) == (o->to_token == NULL)) {
		fprintf(stderr, _("qoltanba: account reissue: give --folder DIR for new key files, or "
		                  "--to-token LABEL for new keys on a token\n"));
		return QT_EXIT_USAGE;
	}
	if ((rc = qt_account_reissue_base(s->a, o->serial, &base)) != QT_OK) {
		int ex = qt_cli_fail(rc, _("re-issuance"));

		if (rc == QT_ERR_CERT_EXPIRED)
			fprintf(stderr, _("qoltanba: apply for new keys instead: qoltanba apply\n"));
		return ex;
	}
	memset(&r, 0, sizeof r);
	if (o->folder != NULL) {
		if (o->newpw != NULL)
			rc = qt_secret_from_file(o->newpw, &password);
		else {
			fprintf(stderr, "%s\n", qt_password_policy_text());
			rc = qt_secret_prompt(_("New password for the keys: "), &password);
		}
		if (rc == QT_OK)
			rc = qt_password_check(password);
		if (rc != QT_OK) {
			qt_free_secret_str(password);
			return qt_cli_fail(rc, _("password"));
		}
		r.folder = o->folder;
		r.password = password;
		r.storage = "pkcs12";
	} else {
		if ((rc = reissue_token(o, s, &dest)) != QT_OK)
			return qt_cli_fail(rc, o->to_token);
		r.token = dest;
		r.token_label = o->to_token;
	}
	r.subject_type = base.subject_type;
	r.iin = base.iin;
	r.bin = base.bin[0] ? base.bin : NULL;
	r.email = o->email != NULL ? o->email : base.email;
	r.region = base.region;
	r.city = base.city;
	r.reissue_of = base.serial;   /* never resubmitted as an application */
	r.keytype = QT_KEY_RSA2048;
	memset(&rec, 0, sizeof rec);
	if ((rc = qt_enroll_validate(&r, NULL, NULL)) == QT_OK)
		rc = qt_enroll_generate(NULL, &r, qt_portal_id(s->p), NULL, NULL, &rec);
	qt_free_secret_str(password);
	if (rc != QT_OK)
		return qt_cli_fail(rc, _("re-issuance"));
	rc = qt_account_reissue(s->a, NULL, &rec, o->serial, r.email, &out);
	if (rc != QT_OK) {
		int ex = qt_cli_fail(rc, _("re-issuance"));

		fprintf(stderr, _("qoltanba: the new keys stay in %s (journal record %s)\n"),
		        o->folder ? o->folder : o->to_token, rec.id);
		return ex;
	}
	print_reissued(o, &out, &rec, o->folder ? o->folder : o->to_token, base.bin);
	return QT_EXIT_OK;
}

int qt_cmd_account(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "portal", required_argument, NULL, 'u' }, { "json", no_argument, NULL, 'j' },
		{ "key", required_argument, NULL, 'k' }, { "password-file", required_argument, NULL, 'w' },
		{ "token", required_argument, NULL, 't' }, { "pin-file", required_argument, NULL, 'P' },
		{ "module", required_argument, NULL, 'm' }, { "keyid", required_argument, NULL, 'i' },
		{ "reason", required_argument, NULL, 'r' }, { "serial", required_argument, NULL, 's' },
		{ "email", required_argument, NULL, 'e' }, { "folder", required_argument, NULL, 'f' },
		{ "new-password-file", required_argument, NULL, 'n' },
		{ "csv", required_argument, NULL, 'c' }, { "language", required_argument, NULL, 'l' },
		{ "notify-email", required_argument, NULL, 'E' },
		{ "notify-sms", required_argument, NULL, 'S' },
		{ "to-token", required_argument, NULL, 'T' },
		{ "to-pin-file", required_argument, NULL, 'Q' },
		{ "resume", no_argument, NULL, 'Z' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	struct session s;
	const char *sub;
	int ch, ex;

	memset(&o, 0, sizeof o);
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'u': o.url = optarg; break;
		case 'j': o.json = true; break;
		case 'k': o.key = optarg; break;
		case 'w': o.pwfile = optarg; break;
		case 't': o.token = optarg; break;
		case 'P': o.pinfile = optarg; break;
		case 'm': o.module = optarg; break;
		case 'i': o.keyid = optarg; break;
		case 'r': o.reason = optarg; break;
		case 's': o.serial = optarg; break;
		case 'e': o.email = optarg; break;
		case 'f': o.folder = optarg; break;
		case 'n': o.newpw = optarg; break;
		case 'c': o.csv = optarg; break;
		case 'l': o.language = optarg; break;
		case 'E': o.notify_email = optarg; break;
		case 'S': o.notify_sms = optarg; break;
		case 'T': o.to_token = optarg; break;
		case 'Q': o.to_pinfile = optarg; break;
		case 'Z': o.resume = true; break;
		default: return qt_cli_usage("account");
		}
	}
	if (optind >= argc)
		return qt_cli_usage("account");
	sub = argv[optind++];
	/* Checks that need no portal come first, as the portal makes them. */
	if (strcmp(sub, "revoke") == 0) {
		if (optind + 1 != argc)
			return qt_cli_usage("account");
		if (o.reason != NULL && !qt_account_reason_valid(o.reason)) {
			fprintf(stderr, _("qoltanba: --reason must be one of unspecified, key_compromise, "
			                  "affiliation_changed, superseded, cessation_of_operation, "
			                  "privilege_withdrawn\n"));
			return QT_EXIT_USAGE;
		}
	} else if (strcmp(sub, "approvals") == 0) {
		if (optind != argc && !(optind + 2 == argc && (strcmp(argv[optind], "approve") == 0 ||
		                                               strcmp(argv[optind], "decline") == 0)))
			return qt_cli_usage("account");
	} else if (strcmp(sub, "keys") && strcmp(sub, "reissue") && strcmp(sub, "requests") &&
	           strcmp(sub, "profile")) {
		return qt_cli_usage("account");
	} else if (optind != argc) {
		return qt_cli_usage("account");
	}
	if (o.resume && (strcmp(sub, "reissue") != 0 || o.folder != NULL || o.to_token != NULL))
		return qt_cli_usage("account");
	if (o.email != NULL && *o.email && qt_email_check(o.email) != QT_OK)
		return qt_cli_fail(QT_ERR_EMAIL, o.email);
	if ((ex = open_session(&o, &s)) != QT_EXIT_OK)
		return ex;
	if (strcmp(sub, "keys") == 0)
		ex = do_keys(&o, &s);
	else if (strcmp(sub, "revoke") == 0)
		ex = do_revoke(&o, &s, argv[optind]);
	else if (strcmp(sub, "reissue") == 0)
		ex = do_reissue(&o, &s);
	else if (strcmp(sub, "requests") == 0)
		ex = do_requests(&o, &s);
	else if (strcmp(sub, "approvals") == 0)
		ex = do_approvals(&o, &s, optind < argc ? argv[optind] : NULL,
		                  optind + 1 < argc ? argv[optind + 1] : NULL);
	else
		ex = do_profile(&o, &s);
	close_session(&s);
	return ex;
}
