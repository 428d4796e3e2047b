/* The local portal (include/qoltanba/localportal.h): qoltanbad run by
 * qoltanba on loopback when no portal is configured. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <openssl/rand.h>

#include <qoltanba/config.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/localportal.h>
#include <qoltanba/password.h>
#include <qoltanba/secret.h>
#include "i18n.h"

struct qt_localportal {
	pid_t pid;
	int port;
	char url[64];
	char data[PATH_MAX];
	char key[PATH_MAX + 32];
	char pwfile[PATH_MAX + 32];
	char pidfile[PATH_MAX + 32];
};

/* Daemons this process started, for qt_localportal_kill_all(). */
#define MAX_LOCAL 4
static volatile pid_t started[MAX_LOCAL];
static bool atexit_done;

void qt_localportal_kill_all(void)
{
	int i;

	for (i = 0; i < MAX_LOCAL; i++)
		if (started[i] > 0)
			kill(started[i], SIGTERM);
}

static void remember(pid_t pid, bool add)
{
	int i;

	for (i = 0; i < MAX_LOCAL; i++) {
		if (add && started[i] == 0) {
			started[i] = pid;
			return;
		}
		if (!add && started[i] == pid) {
			started[i] = 0;
			return;
		}
	}
}

static void at_exit(void)
{
	int i;

	qt_localportal_kill_all();
	for (i = 0; i < MAX_LOCAL; i++)
		if (started[i] > 0)
			waitpid(started[i], NULL, 0);
}

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool executable(const char *p)
{
	return is_file(p) && access(p, X_OK) == 0;
}

/* The folder of this program ("" when unknown). */
static void self_dir(char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	out[0] = '\0';
	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash != NULL) {
		*slash = '\0';
		snprintf(out, size, "%s", exe);
	}
}

static qt_err find_daemon(const char *given, char *out, size_t size)
{
	char dir[PATH_MAX];

	if (given != NULL) {
		if (!executable(given))
			return qt_error(QT_ERR_NOT_FOUND, _("%s is not an executable qoltanbad"), given);
		snprintf(out, size, "%s", given);
		return QT_OK;
	}
	self_dir(dir, sizeof dir);
	if (dir[0] && (size_t)snprintf(out, size, "%s/qoltanbad", dir) < size && executable(out))
		return QT_OK;
	if ((size_t)snprintf(out, size, "%s/qoltanbad", SBINDIR) < size && executable(out))
		return QT_OK;
	return qt_error(QT_ERR_NOT_FOUND,
	                _("qoltanbad (the local portal) is not installed beside qoltanba nor in %s; "
	                  "install it, or point qoltanba at a portal with --portal URL"), SBINDIR);
}

static qt_err find_demo(const char *given, char *out, size_t size)
{
	char dir[PATH_MAX], f[PATH_MAX + 32];

	const char *env = getenv("QOLTANBA_DATADIR");   /* as the token layer's data files */

	if (given != NULL) {
		snprintf(out, size, "%s", given);
		return QT_OK;
	}
	if (env != NULL && env[0] != '\0') {
		snprintf(f, sizeof f, "%s/demo-individuals.csv", env);
		if (is_file(f) && (size_t)snprintf(out, size, "%s", env) < size)
			return QT_OK;
	}
	self_dir(dir, sizeof dir);
	snprintf(f, sizeof f, "%s/data/demo-individuals.csv", dir);
	if (dir[0] && is_file(f) && (size_t)snprintf(out, size, "%s/data", dir) < size)
		return QT_OK;
	snprintf(out, size, "%s", PKGDATADIR);
	snprintf(f, sizeof f, "%s/demo-individuals.csv", PKGDATADIR);
	if (is_file(f))
		return QT_OK;
	return qt_error(QT_ERR_NOT_FOUND, _("the demo registry (demo-individuals.csv) is not in %s"),
	                PKGDATADIR);
}

/* Runs argv to completion, output appended to log; QT_OK when it exits 0. */
static qt_err run(char *const argv[], const char *log)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return qt_error(QT_ERR_INTERNAL, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		int nul = open("/dev/null", O_RDONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (nul >= 0)
			dup2(nul, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return qt_error(QT_ERR_INTERNAL, _("\"%s %s\" failed; see %s"), argv[0], argv[1], log);
	return QT_OK;
}

static int free_port(void)
{
	/* A port from the kernel's ephemeral range that is free now; the
	 * daemon binds it for good (and falls back to port 0 if taken). */
	unsigned char r[2];

	if (RAND_bytes(r, 2) != 1)
		return 47000;
	return 20000 + ((r[0] << 8 | r[1]) % 20000);
}

static qt_err write_password(const char *path)
{
	static const char set[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char r[16];
	char pw[24];
	qt_err rc;
	int i;

	do {
		if (RAND_bytes(r, sizeof r) != 1)
			return qt_error(QT_ERR_CRYPTO, "RAND_bytes");
		for (i = 0; i < 16; i++)
			pw[i] = set[r[i] % (sizeof set - 1)];
		pw[16] = '\n';
		pw[17] = '\0';
		pw[16] = '\0';
		rc = qt_password_check(pw);
		pw[16] = '\n';
	} while (rc != QT_OK);
	rc = qt_atomic_write(path, pw, 17, 0600, QT_WRITE_EXCL);
	OPENSSL_cleanse(pw, sizeof pw);
	OPENSSL_cleanse(r, sizeof r);
	return rc;
}

/* First use: everything in DATA.new, renamed to DATA when complete, so an
 * interrupted set-up is started again rather than half used. */
static qt_err initialise(const char *daemon, const char *data, const char *demo,
                         bool no_captcha, const char *log)
{
	char tmp[PATH_MAX + 16], listen[32], ind[PATH_MAX + 32], ent[PATH_MAX + 32];
	char key[PATH_MAX + 64], pw[PATH_MAX + 64];
	qt_err rc;

	snprintf(tmp, sizeof tmp, "%s.new", data);
	if (access(tmp, F_OK) == 0) {
		/* Leftover of an interrupted set-up: nothing of value in it. */
		char *const rm[] = { (char *)"/bin/rm", (char *)"-rf", tmp, NULL };

		if ((rc = run(rm, log)) != QT_OK)
			return rc;
	}
	snprintf(listen, sizeof listen, "127.0.0.1:%d", free_port());
	{
		char *const argv[] = { (char *)daemon, (char *)"init", (char *)"--data", tmp,
		                       (char *)"--name", (char *)"local", (char *)"--listen", listen,
		                       no_captcha ? (char *)"--no-captcha" : NULL, NULL };

		if ((rc = run(argv, log)) != QT_OK)
			return rc;
	}
	snprintf(ind, sizeof ind, "%s/demo-individuals.csv", demo);
	snprintf(ent, sizeof ent, "%s/demo-entities.csv", demo);
	{
		char *const argv[] = { (char *)daemon, (char *)"registry", (char *)"import",
		                       (char *)"--data", tmp, (char *)"--individuals", ind,
		                       (char *)"--entities", ent, NULL };

		if ((rc = run(argv, log)) != QT_OK)
			return rc;
	}
	snprintf(key, sizeof key, "%s/operator.p12", tmp);
	snprintf(pw, sizeof pw, "%s/operator.password", tmp);
	if ((rc = write_password(pw)) != QT_OK)
		return rc;
	{
		char *const argv[] = { (char *)daemon, (char *)"operator", (char *)"add",
		                       (char *)"--data", tmp, (char *)"--name",
		                       (char *)"RA operator (local)", (char *)"--out", key,
		                       (char *)"--password-file", pw, NULL };

		if ((rc = run(argv, log)) != QT_OK)
			return rc;
	}
	if (rename(tmp, data) != 0)
		return qt_error(qt_err_from_errno(errno), "%s: %s", data, strerror(errno));
	return QT_OK;
}

static int conf_port(const char *data)
{
	char path[PATH_MAX + 32], line[512];
	FILE *f;
	int port = 0;

	snprintf(path, sizeof path, "%s/qoltanbad.conf", data);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		char *c = strstr(line, "127.0.0.1:");

		if (strncmp(line, "listen", 6) == 0 && c != NULL) {
			long l = strtol(c + 10, NULL, 10);

			if (l > 0 && l < 65536)
				port = (int)l;
		}
	}
	fclose(f);
	return port;
}

static bool answers(const char *url, long timeout_ms)
{
	struct qt_portal_options o = { url, NULL, timeout_ms, timeout_ms, -1 };
	qt_portal *p;
	bool ok;

	if (qt_portal_open(&o, &p) != QT_OK)
		return false;
	ok = qt_portal_health(p) == QT_OK;
	qt_portal_close(p);
	return ok;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Is pid a qoltanbad serving data?  (So a recycled pid is never killed.) */
static bool is_our_daemon(pid_t pid, const char *data)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;
	bool daemon = false, dir = false;
	char *p;

	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (p = buf; p < buf + n; p += strlen(p) + 1) {
		const char *base = strrchr(p, '/');

		if (strcmp(base ? base + 1 : p, "qoltanbad") == 0)
			daemon = true;
		if (strcmp(p, data) == 0)
			dir = true;
	}
	return daemon && dir;
}

static qt_err spawn(struct qt_localportal *lp, const char *daemon, const char *log, int port,
                    int wait_ms)
{
	char listen[32], portfile[PATH_MAX + 32];
	pid_t pid, parent = getpid();
	int elapsed = 0, st;

	snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
	snprintf(portfile, sizeof portfile, "%s/port", lp->data);
	unlink(portfile);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return qt_error(QT_ERR_INTERNAL, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		int nul = open("/dev/null", O_RDONLY);
		char *const argv[] = { (char *)daemon, (char *)"serve", (char *)"--data", lp->data,
		                       (char *)"--listen", listen, (char *)"--port-file", portfile,
		                       NULL };

#ifdef __linux__
		/* Goes when qoltanba goes, even by kill -9. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(0);
#endif
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (nul >= 0)
			dup2(nul, 0);
		setpgid(0, 0);   /* a Ctrl-C in the terminal is ours to pass on */
		execv(daemon, argv);
		_exit(127);
	}
	(void)parent;
	lp->pid = pid;
	remember(pid, true);
	for (;;) {
		FILE *f;
		int got = 0;

		if (waitpid(pid, &st, WNOHANG) == pid) {
			remember(pid, false);
			lp->pid = 0;
			return qt_error(QT_ERR_NETWORK, _("qoltanbad stopped at once; see %s"), log);
		}
		f = fopen(portfile, "r");
		if (f != NULL) {
			if (fscanf(f, "%d", &got) != 1)
				got = 0;
			fclose(f);
		}
		if (got > 0) {
			lp->port = got;
			snprintf(lp->url, sizeof lp->url, "http://127.0.0.1:%d", got);
			if (answers(lp->url, 1000))
				return QT_OK;
		}
		if (elapsed >= wait_ms)
			break;
		sleep_ms(50);
		elapsed += 50;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	remember(pid, false);
	lp->pid = 0;
	return qt_error(QT_ERR_TIMEOUT, _("qoltanbad did not answer within %d ms; see %s"), wait_ms, log);
}

qt_err qt_localportal_start(const struct qt_localportal_options *opt, qt_localportal **out)
{
	struct qt_localportal_options o;
	struct qt_localportal *lp;
	char daemon[PATH_MAX], demo[PATH_MAX], log[PATH_MAX + 32], conf[PATH_MAX + 32];
	char *base = NULL;
	qt_err rc;
	FILE *f;

	*out = NULL;
	memset(&o, 0, sizeof o);
	if (opt != NULL)
		o = *opt;
	if (o.wait_ms <= 0)
		o.wait_ms = 10000;
	lp = calloc(1, sizeof *lp);
	if (lp == NULL)
		return QT_ERR_NOMEM;
	if (o.data_dir != NULL) {
		snprintf(lp->data, sizeof lp->data, "%s", o.data_dir);
	} else {
		base = qt_data_dir();
		if (base == NULL) {
			free(lp);
			return QT_ERR_NOMEM;
		}
		snprintf(lp->data, sizeof lp->data, "%s/portal", base);
		free(base);
	}
	snprintf(log, sizeof log, "%s.log", lp->data);
	snprintf(lp->key, sizeof lp->key, "%s/operator.p12", lp->data);
	snprintf(lp->pwfile, sizeof lp->pwfile, "%s/operator.password", lp->data);
	snprintf(lp->pidfile, sizeof lp->pidfile, "%s/qoltanbad.pid", lp->data);
	snprintf(conf, sizeof conf, "%s/qoltanbad.conf", lp->data);
	{
		char parent[PATH_MAX];
		char *slash;

		snprintf(parent, sizeof parent, "%s", lp->data);
		slash = strrchr(parent, '/');
		if (slash != NULL && slash != parent) {
			*slash = '\0';
			if ((rc = qt_mkdir_p(parent, 0700)) != QT_OK)
				goto fail;
		}
	}
	if ((rc = find_daemon(o.daemon, daemon, sizeof daemon)) != QT_OK)
		goto fail;
	if (!is_file(conf)) {
		if ((rc = find_demo(o.demo_dir, demo, sizeof demo)) != QT_OK ||
		    (rc = initialise(daemon, lp->data, demo, o.no_captcha, log)) != QT_OK)
			goto fail;
	}
	/* A daemon left by a qoltanba that crashed: reuse it when it answers. */
	f = fopen(lp->pidfile, "r");
	if (f != NULL) {
		long pid = 0;
		int port = 0;

		if (fscanf(f, "%ld %d", &pid, &port) == 2 && pid > 1 &&
		    is_our_daemon((pid_t)pid, lp->data)) {
			snprintf(lp->url, sizeof lp->url, "http://127.0.0.1:%d", port);
			if (answers(lp->url, 1000)) {
				fclose(f);
				lp->pid = (pid_t)pid;
				lp->port = port;
				remember(lp->pid, true);
				goto ready;
			}
			kill((pid_t)pid, SIGKILL);
		}
		fclose(f);
		unlink(lp->pidfile);
	}
	rc = spawn(lp, daemon, log, conf_port(lp->data), o.wait_ms);
	if (rc == QT_ERR_NETWORK)   /* its port is taken: any free one */
		rc = spawn(lp, daemon, log, 0, o.wait_ms);
	if (rc != QT_OK)
		goto fail;
	{
		char line[64];
		int n = snprintf(line, sizeof line, "%ld %d\n", (long)lp->pid, lp->port);

		(void)qt_atomic_write(lp->pidfile, line, (size_t)n, 0600, QT_WRITE_REPLACE);
	}
ready:
	if (!atexit_done) {
		atexit(at_exit);
		atexit_done = true;
	}
	*out = lp;
	return QT_OK;
fail:
	free(lp);
	return rc;
}

void qt_localportal_stop(qt_localportal *lp)
{
	int i, st;

	if (lp == NULL)
		return;
	if (lp->pid > 0) {
		kill(lp->pid, SIGTERM);
		for (i = 0; i < 100; i++) {
			pid_t r = waitpid(lp->pid, &st, WNOHANG);

			if (r == lp->pid || (r < 0 && errno == ECHILD && kill(lp->pid, 0) != 0))
				break;
			sleep_ms(50);
		}
		if (i == 100) {
			kill(lp->pid, SIGKILL);
			waitpid(lp->pid, NULL, 0);
		}
		remember(lp->pid, false);
		unlink(lp->pidfile);
	}
	free(lp);
}

const char *qt_localportal_url(const qt_localportal *lp) { return lp->url; }
const char *qt_localportal_data_dir(const qt_localportal *lp) { return lp->data; }
const char *qt_localportal_operator_key(const qt_localportal *lp) { return lp->key; }
const char *qt_localportal_operator_password_file(const qt_localportal *lp) { return lp->pwfile; }

qt_err qt_portal_connect(const qt_config *cfg, const char *url, qt_portal **out,
                         qt_localportal **local)
{
	struct qt_localportal_options o;
	qt_err rc;

	*out = NULL;
	*local = NULL;
	if (url != NULL || (cfg != NULL && qt_config_get(cfg, "portal") != NULL))
		return qt_portal_open_config(cfg, url, out);
	memset(&o, 0, sizeof o);
	o.no_captcha = cfg != NULL && !qt_config_get_bool(cfg, "portal.local.captcha", true);
	if ((rc = qt_localportal_start(&o, local)) != QT_OK)
		return rc;
	rc = qt_portal_open_config(cfg, qt_localportal_url(*local), out);
	if (rc != QT_OK) {
		qt_localportal_stop(*local);
		*local = NULL;
		return rc;
	}
	qt_portal_set_id(*out, "local");
	return QT_OK;
}

bool qt_portal_is_local(const qt_portal *p)
{
	return p != NULL && strcmp(qt_portal_id(p), "local") == 0;
}
