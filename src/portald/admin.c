/* qoltanbad's administration commands: init, registry import, operator
 * add, ra list/approve/reject.  They run on the server machine against
 * the data folder, beside a running daemon if need be (SQLite WAL lets
 * both write). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/idnum.h>
#include <qoltanba/keygen.h>
#include <qoltanba/keystore.h>
#include <qoltanba/password.h>
#include <qoltanba/secret.h>

#include "portald/ca.h"
#include "portald/log.h"
#include "portald/pd.h"
#include "portald/service.h"
#include "i18n.h"

int pd_server_open(struct pd_server *srv, const char *dir)
{
	char path[1100];
	qt_err e;

	memset(srv, 0, sizeof(*srv));
	if (pd_config_load(dir, &srv->cfg))
		return -1;
	snprintf(path, sizeof(path), "%s/qoltanbad.db", dir);
	srv->store = pd_store_sqlite_open(path, srv->cfg.sync_full);
	if (!srv->store || srv->store->ops->init_schema(srv->store) != PD_OK) {
		fprintf(stderr, _("qoltanbad: cannot open the database %s\n"), path);
		return -1;
	}
	e = pd_ca_open(dir, srv->cfg.base_url, &srv->ca);
	if (e != QT_OK) {
		fprintf(stderr, _("qoltanbad: cannot open the CA in %s/ca: %s (%s)\n"), dir,
		        qt_strerror(e), qt_error_detail());
		return -1;
	}
	return 0;
}

void pd_server_close(struct pd_server *srv)
{
	if (srv->store)
		srv->store->ops->close(srv->store);
	if (srv->ca)
		pd_ca_free(srv->ca);
	memset(srv, 0, sizeof(*srv));
}

static const char *admin_actor(void)
{
	static char actor[160];
	struct passwd *pw = getpwuid(getuid());

	snprintf(actor, sizeof(actor), "admin:%s", pw ? pw->pw_name : "?");
	return actor;
}

/* ---- init ----------------------------------------------------------- */

int pd_cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "base-url", required_argument, NULL, 'b' },
		{ "listen", required_argument, NULL, 'l' },
		{ "no-captcha", no_argument, NULL, 'C' },
		{ "test-mode", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	struct pd_config c;
	struct pd_store *s;
	char path[1100], fp[110];
	struct stat st;
	const char *dir = NULL;
	bool base_set = false;
	struct pd_ca *ca;
	qt_err e;
	int o;

	pd_config_defaults(&c);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': dir = optarg; break;
		case 'n': snprintf(c.name, sizeof(c.name), "%s", optarg); break;
		case 'b':
			snprintf(c.base_url, sizeof(c.base_url), "%s", optarg);
			base_set = true;
			break;
		case 'l': snprintf(c.listen, sizeof(c.listen), "%s", optarg); break;
		case 'C': c.captcha = false; break;
		case 'T': c.test_mode = true; break;
		default: return 2;
		}
	}
	if (!dir || optind != argc) {
		fprintf(stderr, _("Usage: qoltanbad init --data DIR [--name NAME] [--base-url URL] "
		                  "[--listen ADDR:PORT] [--no-captcha] [--test-mode]\n"));
		return 2;
	}
	if (!base_set)
		snprintf(c.base_url, sizeof(c.base_url), "http://%s", c.listen);
	snprintf(c.data_dir, sizeof(c.data_dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/qoltanbad.conf", dir);
	if (stat(path, &st) == 0) {
		fprintf(stderr, _("qoltanbad: %s already holds a portal; refusing to overwrite it\n"), dir);
		return 1;
	}
	if (qt_mkdir_p(dir, 0700) != QT_OK) {
		fprintf(stderr, "qoltanbad: %s: %s\n", dir, qt_error_detail());
		return 1;
	}
	e = pd_ca_create(dir, c.name, c.base_url, time(NULL));
	if (e != QT_OK) {
		fprintf(stderr, _("qoltanbad: cannot create the CA: %s (%s)\n"), qt_strerror(e),
		        qt_error_detail());
		return 1;
	}
	snprintf(path, sizeof(path), "%s/qoltanbad.db", dir);
	s = pd_store_sqlite_open(path, true);
	if (!s || s->ops->init_schema(s) != PD_OK) {
		fprintf(stderr, _("qoltanbad: cannot create the database %s\n"), path);
		if (s)
			s->ops->close(s);
		return 1;
	}
	s->ops->close(s);
	if (pd_config_write(&c))
		return 1;
	if (pd_ca_open(dir, c.base_url, &ca) == QT_OK) {
		pd_ca_root_fingerprint(ca, fp);
		pd_ca_free(ca);
	} else {
		snprintf(fp, sizeof(fp), "?");
	}
	printf(_("Created portal \"%s\" in %s\n"), c.name, dir);
	printf(_("  base URL:  %s\n  captcha:   %s\n  root CA:   %s\n"), c.base_url,
	       c.captcha ? _("on") : _("off"), fp);
	printf(_("Next: qoltanbad registry import --data %s --individuals F.csv --entities F.csv\n"),
	       dir);
	return 0;
}

/* ---- registry import -------------------------------------------------- */

/* One CSV record (RFC 4180: quotes, doubled quotes, CRLF).  Returns the
 * number of fields, 0 at end of file, -1 for a broken record. */
static int csv_record(FILE *f, char fields[][512], int max, int *lineno)
{
	int n = 0, ch;
	size_t len = 0;
	bool quoted = false, any = false;

	fields[0][0] = '\0';
	for (;;) {
		ch = getc(f);
		if (ch == EOF) {
			if (quoted)
				return -1;
			if (!any)
				return 0;
			fields[n][len] = '\0';
			return n + 1;
		}
		any = true;
		if (quoted) {
			if (ch == '"') {
				int nx = getc(f);

				if (nx == '"') {
					ch = '"';
				} else {
					if (nx != EOF)
						ungetc(nx, f);
					quoted = false;
					continue;
				}
			} else if (ch == '\n') {
				(*lineno)++;
			}
		} else if (ch == '"' && len == 0) {
			quoted = true;
			continue;
		} else if (ch == ',') {
			fields[n][len] = '\0';
			if (++n >= max)
				return -1;
			len = 0;
			continue;
		} else if (ch == '\r') {
			continue;
		} else if (ch == '\n') {
			(*lineno)++;
			fields[n][len] = '\0';
			return n + 1;
		}
		if (len + 1 >= 512)
			return -1;
		fields[n][len++] = (char)ch;
	}
}

static bool text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Opens a registry CSV and reads its header record into f (a UTF-8 BOM
 * dropped); *n is csv_record's count. NULL, said on stderr, if it cannot
 * be opened. */
static FILE *csv_open(const char *path, char f[][512], int *lineno, int *n)
{
	FILE *fp = fopen(path, "r");

	if (!fp) {
		fprintf(stderr, "qoltanbad: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	*n = csv_record(fp, f, 8, lineno);
	if (*n > 0 && !strncmp(f[0], "\xef\xbb\xbf", 3))
		memmove(f[0], f[0] + 3, strlen(f[0]) - 2);
	return fp;
}

/* Room for one more element in an array of n holding *cap: doubles it,
 * starting at first; aborts when memory runs out, as before. */
static void *grow(void *v, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t c;

	if (n < *cap)
		return v;
	c = *cap ? *cap * 2 : first;
	v = realloc(v, c * size);
	if (!v)
		abort();
	*cap = c;
	return v;
}

/* The next record of a registry CSV that is not a blank line: its
 * number of fields as csv_record() counts them, 0 at the end; *line is
 * the line it starts on. */
static int csv_next(FILE *fp, char f[][512], int *lineno, int *line)
{
	int n;

	do {
		*line = *lineno;
		n = csv_record(fp, f, 8, lineno);
	} while (n == 1 && !f[0][0]);
	return n;
}

/* Says what is wrong with a registry row on stderr and counts it. */
static void bad_row(int *bad, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad_row(int *bad, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	(*bad)++;
}

/* Whether one of n records of size bytes holds key in its key field,
 * the one at off (the IIN of a person, the BIN of an entity). */
static bool listed(const void *v, size_t n, size_t size, size_t off, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp((const char *)v + i * size + off, key))
			return true;
	return false;
}

struct people {
	struct pd_person *v;
	size_t n, cap;
};

/* E.164: "+" then 10..15 digits ("+77011234567"). */
static bool phone_ok(const char *s)
{
	size_t n = 0;

	if (*s++ != '+')
		return false;
	for (; *s; s++, n++)
		if (*s < '0' || *s > '9')
			return false;
	return n >= 10 && n <= 15;
}

static int load_people(const char *path, struct people *pp, int *bad)
{
	char f[8][512];
	int lineno = 1, n, line, cols;
	FILE *fp = csv_open(path, f, &lineno, &n);

	if (!fp)
		return -1;
	/* A fifth column, phone, is optional (for the SMS expiry notice). */
	cols = n;
	if ((n != 4 && n != 5) || strcmp(f[0], "iin") || strcmp(f[1], "surname") ||
	    strcmp(f[2], "given_name") || strcmp(f[3], "patronymic") ||
	    (n == 5 && strcmp(f[4], "phone"))) {
		fprintf(stderr, _("%s:1: the header must be \"iin,surname,given_name,patronymic\""
		                  " (and optionally \",phone\")\n"), path);
		fclose(fp);
		return -1;
	}
	while ((n = csv_next(fp, f, &lineno, &line)) != 0) {
		struct pd_person p;
		qt_err e;

		if (n != cols) {
			bad_row(bad, _("%s:%d: expected %d fields, found %s\n"), path, line, cols,
			        n < 0 ? _("a broken record") : n > cols ? _("more") : _("fewer"));
			if (n < 0)
				break;
			continue;
		}
		if ((e = qt_iin_parse(f[0], NULL)) != QT_OK) {
			bad_row(bad, _("%s:%d: IIN %s: %s (%s)\n"), path, line, f[0], qt_strerror(e),
			        qt_error_detail());
			continue;
		}
		if (!text_ok(f[1], 128) || !text_ok(f[2], 128) ||
		    (f[3][0] && !text_ok(f[3], 128))) {
			bad_row(bad, _("%s:%d: names must be 1..127 bytes without control characters "
			               "(patronymic may be empty)\n"), path, line);
			continue;
		}
		if (listed(pp->v, pp->n, sizeof(*pp->v), offsetof(struct pd_person, iin), f[0])) {
			bad_row(bad, _("%s:%d: IIN %s appears twice\n"), path, line, f[0]);
			continue;
		}
		memset(&p, 0, sizeof(p));
		snprintf(p.iin, sizeof(p.iin), "%.12s", f[0]);
		snprintf(p.surname, sizeof(p.surname), "%.127s", f[1]);
		snprintf(p.given_name, sizeof(p.given_name), "%.127s", f[2]);
		snprintf(p.patronymic, sizeof(p.patronymic), "%.127s", f[3]);
		if (cols == 5 && f[4][0]) {
			if (!phone_ok(f[4])) {
				bad_row(bad, _("%s:%d: phone \"%.40s\" must be + and 10..15 digits\n"),
				        path, line, f[4]);
				continue;
			}
			snprintf(p.phone, sizeof(p.phone), "%.16s", f[4]);
		}
		pp->v = grow(pp->v, pp->n, &pp->cap, sizeof(*pp->v), 64);
		pp->v[pp->n++] = p;
	}
	fclose(fp);
	return 0;
}

struct ents {
	struct pd_entity *v;
	size_t n, cap;
};

static int load_entities(const char *path, struct ents *ee, const struct people *pp,
                         struct pd_store *s, int *bad)
{
	char f[8][512];
	int lineno = 1, n, line;
	FILE *fp = csv_open(path, f, &lineno, &n);

	if (!fp)
		return -1;
	if (n != 3 || strcmp(f[0], "bin") || strcmp(f[1], "name") || strcmp(f[2], "head_iin")) {
		fprintf(stderr, _("%s:1: the header must be \"bin,name,head_iin\"\n"), path);
		fclose(fp);
		return -1;
	}
	while ((n = csv_next(fp, f, &lineno, &line)) != 0) {
		struct pd_entity e;
		struct pd_person p;
		qt_err err;

		if (n != 3) {
			bad_row(bad, _("%s:%d: expected 3 fields\n"), path, line);
			if (n < 0)
				break;
			continue;
		}
		if ((err = qt_bin_parse(f[0], NULL)) != QT_OK) {
			bad_row(bad, _("%s:%d: BIN %s: %s (%s)\n"), path, line, f[0], qt_strerror(err),
			        qt_error_detail());
			continue;
		}
		if (!text_ok(f[1], 256)) {
			bad_row(bad, _("%s:%d: the name must be 1..255 bytes without control "
			               "characters\n"), path, line);
			continue;
		}
		if ((err = qt_iin_parse(f[2], NULL)) != QT_OK) {
			bad_row(bad, _("%s:%d: head IIN %s: %s (%s)\n"), path, line, f[2],
			        qt_strerror(err), qt_error_detail());
			continue;
		}
		if (!listed(pp->v, pp->n, sizeof(*pp->v), offsetof(struct pd_person, iin), f[2]) &&
		    s->ops->person_get(s, f[2], &p) != PD_OK) {
			bad_row(bad, _("%s:%d: head IIN %s is not in the individuals registry\n"),
			        path, line, f[2]);
			continue;
		}
		if (listed(ee->v, ee->n, sizeof(*ee->v), offsetof(struct pd_entity, bin), f[0])) {
			bad_row(bad, _("%s:%d: BIN %s appears twice\n"), path, line, f[0]);
			continue;
		}
		memset(&e, 0, sizeof(e));
		snprintf(e.bin, sizeof(e.bin), "%.12s", f[0]);
		snprintf(e.name, sizeof(e.name), "%.511s", f[1]);
		snprintf(e.head_iin, sizeof(e.head_iin), "%.12s", f[2]);
		ee->v = grow(ee->v, ee->n, &ee->cap, sizeof(*ee->v), 32);
		ee->v[ee->n++] = e;
	}
	fclose(fp);
	return 0;
}

int pd_cmd_registry(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "individuals", required_argument, NULL, 'i' },
		{ "entities", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *ind = NULL, *ent = NULL;
	struct people pp = { NULL, 0, 0 };
	struct ents ee = { NULL, 0, 0 };
	struct pd_config cfg;
	struct pd_store *s;
	char path[1100];
	int o, bad = 0, rc = 1;

	if (argc < 2 || strcmp(argv[1], "import")) {
usage:
		fprintf(stderr, _("Usage: qoltanbad registry import --data DIR [--individuals F.csv] "
		                  "[--entities F.csv]\n"));
		return 2;
	}
	argc--;
	argv++;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': dir = optarg; break;
		case 'i': ind = optarg; break;
		case 'e': ent = optarg; break;
		default: return 2;
		}
	}
	if (!dir || (!ind && !ent) || optind != argc)
		goto usage;
	if (pd_config_load(dir, &cfg))
		return 1;
	snprintf(path, sizeof(path), "%s/qoltanbad.db", dir);
	s = pd_store_sqlite_open(path, true);
	if (!s || s->ops->init_schema(s) != PD_OK) {
		fprintf(stderr, _("qoltanbad: cannot open the database %s\n"), path);
		return 1;
	}
	if (ind && load_people(ind, &pp, &bad))
		goto out;
	if (ent && load_entities(ent, &ee, &pp, s, &bad))
		goto out;
	if (bad) {
		fprintf(stderr, _("qoltanbad: %d bad row(s); nothing was imported\n"), bad);
		goto out;
	}
	/* All or nothing. */
	if (s->ops->begin(s) != PD_OK)
		goto dberr;
	for (size_t i = 0; i < pp.n; i++)
		if (s->ops->person_put(s, &pp.v[i]) != PD_OK)
			goto dberr;
	for (size_t i = 0; i < ee.n; i++)
		if (s->ops->entity_put(s, &ee.v[i]) != PD_OK)
			goto dberr;
	{
		struct pd_audit a;

		memset(&a, 0, sizeof(a));
		a.at = time(NULL);
		snprintf(a.actor, sizeof(a.actor), "%s", admin_actor());
		snprintf(a.action, sizeof(a.action), "registry_import");
		snprintf(a.detail, sizeof(a.detail), "%zu individual(s), %zu legal entit(ies)", pp.n, ee.n);
		if (s->ops->audit_append(s, &a) != PD_OK)
			goto dberr;
	}
	if (s->ops->commit(s) != PD_OK)
		goto dberr;
	printf(_("Imported %zu individual(s) and %zu legal entit(ies).\n"), pp.n, ee.n);
	rc = 0;
	goto out;
dberr:
	s->ops->rollback(s);
	fprintf(stderr, _("qoltanbad: database error; nothing was imported\n"));
out:
	free(pp.v);
	free(ee.v);
	s->ops->close(s);
	return rc;
}

/* ---- operator add ------------------------------------------------------ */

int pd_cmd_operator(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "iin", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "password-file", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *name = NULL, *iin = NULL, *out = NULL, *pwfile = NULL;
	struct pd_server srv;
	struct pd_person p;
	struct pd_subject subj;
	struct pd_operator op;
	struct qt_csr_params cp;
	char *pass = NULL, *pass2 = NULL, surname[128], given[128];
	EVP_PKEY *key = NULL;
	X509_REQ *req = NULL;
	X509 *cert = NULL;
	unsigned char *der = NULL;
	int o, len, rc = 1;
	qt_err e;

	if (argc < 2 || strcmp(argv[1], "add")) {
usage:
		fprintf(stderr, _("Usage: qoltanbad operator add --data DIR --name NAME --out FILE.p12 "
		                  "[--iin IIN] [--password-file FILE]\n"));
		return 2;
	}
	argc--;
	argv++;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': dir = optarg; break;
		case 'n': name = optarg; break;
		case 'i': iin = optarg; break;
		case 'o': out = optarg; break;
		case 'p': pwfile = optarg; break;
		default: return 2;
		}
	}
	if (!dir || !name || !out || optind != argc || !text_ok(name, 100))
		goto usage;
	if (iin && qt_iin_parse(iin, NULL) != QT_OK) {
		fprintf(stderr, _("qoltanbad: %s is not a valid IIN: %s\n"), iin, qt_error_detail());
		return 2;
	}
	if (pwfile)
		e = qt_secret_from_file(pwfile, &pass);
	else if ((e = qt_secret_prompt(_("Password for the operator's key store: "), &pass)) == QT_OK &&
	         (e = qt_secret_prompt(_("Repeat the password: "), &pass2)) == QT_OK &&
	         strcmp(pass, pass2))
		e = qt_error(QT_ERR_PASSWORD_MISMATCH, "the passwords differ");
	qt_free_secret_str(pass2);
	if (e == QT_OK)
		e = qt_password_check(pass);
	if (e != QT_OK) {
		fprintf(stderr, "qoltanbad: %s (%s)\n", qt_strerror(e), qt_error_detail());
		qt_free_secret_str(pass);
		return 1;
	}
	if (pd_server_open(&srv, dir))
		goto out;
	/* The operator's names: from the registry when the IIN is there. */
	memset(&p, 0, sizeof(p));
	if (iin && srv.store->ops->person_get(srv.store, iin, &p) == PD_OK) {
		snprintf(surname, sizeof(surname), "%s", p.surname);
		snprintf(given, sizeof(given), "%s", p.given_name);
	} else {
		const char *sp = strchr(name, ' ');

		if (sp) {
			snprintf(surname, sizeof(surname), "%.*s", (int)(sp - name), name);
			snprintf(given, sizeof(given), "%s", sp + 1);
		} else {
			snprintf(surname, sizeof(surname), "%s", name);
			snprintf(given, sizeof(given), "RA");
		}
	}
	memset(&subj, 0, sizeof(subj));
	subj.surname = surname;
	subj.given_name = given;
	subj.patronymic = p.patronymic;
	/* Without --iin the certificate carries IIN000000000000: an RA
	 * account, not a person of the registry. */
	subj.iin = iin ? iin : "000000000000";
	memset(&cp, 0, sizeof(cp));
	cp.common_name = name;
	cp.purpose = QT_PURPOSE_AUTH;
	cp.storage = QT_STORAGE_PKCS12;
	if ((e = qt_keygen(QT_KEY_RSA2048, &key)) != QT_OK ||
	    (e = qt_csr_create(key, &cp, &req)) != QT_OK ||
	    (e = pd_ca_issue(srv.ca, req, &subj, PD_INDIVIDUAL, QT_PURPOSE_AUTH, QT_STORAGE_PKCS12,
	                     time(NULL), &cert)) != QT_OK) {
		fprintf(stderr, _("qoltanbad: cannot issue the operator's certificate: %s (%s)\n"),
		        qt_strerror(e), qt_error_detail());
		goto out;
	}
	memset(&op, 0, sizeof(op));
	snprintf(op.name, sizeof(op.name), "%s", name);
	len = i2d_X509(cert, &der);
	if (len <= 0)
		goto out;
	pd_sha256_hex(der, (size_t)len, op.cert_sha256);
	{
		BIO *b = BIO_new(BIO_s_mem());
		char *data;
		long n;

		PEM_write_bio_X509(b, cert);
		n = BIO_get_mem_data(b, &data);
		op.cert_pem = strndup(data, (size_t)n);
		BIO_free(b);
	}
	op.created = time(NULL);
	/* The key store first: an operator row without its key is useless,
	 * a key store without its row is harmless. */
	/* The engine's modern PKCS#12 (AES-256-CBC/PBKDF2 bags, SHA-256 MAC),
	 * friendlyName and localKeyID = keyid, mode 0600, atomic, no
	 * overwrite. */
	if ((e = qt_p12_write(out, key, cert, pass, &(struct qt_p12_params){ QT_P12_MODERN, 0 },
	                      QT_WRITE_EXCL)) != QT_OK) {
		fprintf(stderr, _("qoltanbad: cannot write %s: %s (%s)\n"), out, qt_strerror(e),
		        qt_error_detail());
		pd_operator_clear(&op);
		goto out;
	}
	if (srv.store->ops->begin(srv.store) != PD_OK ||
	    srv.store->ops->operator_add(srv.store, &op) != PD_OK ||
	    pd_audit(&srv, admin_actor(), "operator_add", "", "operator \"%s\" certificate sha256 %s",
	             op.name, op.cert_sha256) != PD_OK ||
	    srv.store->ops->commit(srv.store) != PD_OK) {
		srv.store->ops->rollback(srv.store);
		fprintf(stderr, _("qoltanbad: cannot register operator \"%s\" (is the name taken?)\n"),
		        name);
		unlink(out);
		pd_operator_clear(&op);
		goto out;
	}
	printf(_("Operator \"%s\" registered; key store written to %s\n"), name, out);
	printf(_("  certificate SHA-256: %s\n"), op.cert_sha256);
	pd_operator_clear(&op);
	rc = 0;
out:
	OPENSSL_free(der);
	X509_free(cert);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	qt_free_secret_str(pass);
	pd_server_close(&srv);
	return rc;
}

/* ---- ra ---------------------------------------------------------------- */

static int print_app(void *ctx, const struct pd_app *a)
{
	char t[32];

	(void)ctx;
	pd_time_iso(a->created, t);
	printf("%-12s  %-9s  %-13s  %s  %-12s  %s  %s\n", a->number,
	       pd_app_overdue(a, pd_now()) ? "cancelled" : pd_app_status_name(a->status),
	       a->subject_type, a->iin, *a->bin ? a->bin : "-", t, a->region);
	return 0;
}

int pd_cmd_ra(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "reason", required_argument, NULL, 'r' },
		{ "status", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *reason = NULL, *status = "pending", *verb;
	struct pd_server srv;
	struct pd_result res;
	int o, rc = 1;

	memset(&srv, 0, sizeof(srv));
	if (argc < 2) {
usage:
		fprintf(stderr, _("Usage: qoltanbad ra list [--status STATUS|all] --data DIR\n"
		                  "       qoltanbad ra approve NUMBER --data DIR\n"
		                  "       qoltanbad ra reject NUMBER --reason TEXT --data DIR\n"));
		return 2;
	}
	verb = argv[1];
	argc--;
	argv++;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': dir = optarg; break;
		case 'r': reason = optarg; break;
		case 's': status = optarg; break;
		default: return 2;
		}
	}
	if (!dir)
		goto usage;
	if (!strcmp(verb, "list")) {
		struct pd_app_filter f = { PD_APP_PENDING, NULL, 100000, 0 };

		if (optind != argc)
			goto usage;
		if (!strcmp(status, "all"))
			f.status = -1;
		else if ((f.status = pd_app_status_parse(status)) < 0)
			goto usage;
		if (pd_server_open(&srv, dir))
			goto out;
		rc = srv.store->ops->app_list(srv.store, &f, print_app, NULL) == PD_OK ? 0 : 1;
		goto out;
	}
	if (optind + 1 != argc || (strcmp(verb, "approve") && strcmp(verb, "reject")))
		goto usage;
	if (!strcmp(verb, "reject") && !reason) {
		fprintf(stderr, _("qoltanbad: a rejection needs --reason TEXT\n"));
		return 2;
	}
	if (pd_server_open(&srv, dir))
		goto out;
	if (!strcmp(verb, "approve"))
		rc = pd_svc_approve(&srv, argv[optind], admin_actor(), &res);
	else
		rc = pd_svc_reject(&srv, argv[optind], admin_actor(), reason, &res);
	if (rc) {
		fprintf(stderr, "qoltanbad: %s: %s\n", res.code, res.msg);
		rc = 1;
	} else {
		printf(_("Application %s %s.\n"), argv[optind],
		       !strcmp(verb, "approve") ? _("approved; certificates issued") : _("rejected"));
	}
out:
	pd_server_close(&srv);
	return rc;
}
