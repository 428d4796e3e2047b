/* Kiosk mode (doc/kiosk.md): the settings, read from the system
 * configuration only; the folder roots; the operator code with its
 * growing lock-out, every wrong code logged. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <qoltanba/config.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/passhash.h>
#include "tui/tui.h"
#include "tui/tui-int.h"
#include "i18n.h"

struct tui_kiosk tui_kiosk;
void (*tui_kiosk_on_idle)(void);
bool tui_theme_hc;
/* Seconds added by <Idle N> in headless runs. */
double tui_clock_offset;

/* Decision: three wrong codes in a row lock the unlock page for 30 s;
 * every further wrong code after a lock-out doubles the delay, up to an
 * hour.  A right code resets both counts. */
#define KIOSK_TRIES 3
#define KIOSK_LOCK_FIRST 30
#define KIOSK_LOCK_MAX 3600

double tui_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9 + tui_clock_offset;
}

bool tui_kiosk_locked(void)
{
	return tui_kiosk.on && !tui_kiosk.unlocked;
}

static void add_root(const char *r, size_t n)
{
	while (n > 1 && r[n - 1] == '/')
		n--;
	if (n == 0 || tui_kiosk.nroots >= TUI_KIOSK_ROOTS || n >= TUI_KIOSK_PATH)
		return;
	memcpy(tui_kiosk.roots[tui_kiosk.nroots], r, n);
	tui_kiosk.roots[tui_kiosk.nroots][n] = '\0';
	tui_kiosk.nroots++;
}

static void lock_load(void);

/* A line of the file that sets a kiosk key ("kiosk =", "kiosk.x ="). */
static bool mentions_kiosk(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	bool found = false;

	if (!f)
		return true;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		found = strncmp(p, "kiosk", 5) == 0 &&
		        (p[5] == '.' || p[5] == '=' || p[5] == ' ' || p[5] == '\t');
	}
	fclose(f);
	return found;
}

int tui_kiosk_load(bool forced, char *err, size_t size)
{
	qt_config *sys = qt_config_new();
	const char *v, *path = qt_config_system_path();
	qt_err rc;

	memset(&tui_kiosk, 0, sizeof(tui_kiosk));
	err[0] = '\0';
	if (!sys)
		return -1;
	rc = qt_config_load_file(sys, path);
	if (rc != QT_OK && rc != QT_ERR_NOT_FOUND &&
	    (forced || rc != QT_ERR_CONFIG || mentions_kiosk(path))) {
		/* Fail closed: a system file that cannot be read (or read to
		 * the end) might turn the kiosk on.  A malformed file that does
		 * not speak of the kiosk is left to the settings' own message. */
		snprintf(err, size, _("qoltanba: the system configuration cannot be read: %s (%s)\n"),
		         qt_strerror(rc), qt_error_detail());
		qt_config_free(sys);
		return -1;
	}
	tui_kiosk.on = forced || qt_config_get_bool(sys, "kiosk", false);
	v = qt_config_get(sys, "theme");
	if (v && strcmp(v, "high-contrast") == 0)
		tui_theme_hc = true;
	if (!tui_kiosk.on) {
		qt_config_free(sys);
		return 0;
	}
	v = qt_config_get(sys, "kiosk.operator_code");
	if (v)
		snprintf(tui_kiosk.code, sizeof(tui_kiosk.code), "%s", v);
	/* A code that cannot be checked would leave no way out: refuse to
	 * start, naming the command that makes one. */
	if (!v || qt_passhash_check(NULL, v) != QT_OK) {
		snprintf(err, size, _("qoltanba: kiosk mode needs an operator code: run "
		                      "'qoltanba kiosk-code' and put the line it prints into %s\n"),
		         path);
		qt_config_free(sys);
		return -1;
	}
	v = qt_config_get(sys, "kiosk.roots");
	if (v) {
		const char *p = v, *c;

		while (*p) {
			c = strchr(p, ':');
			add_root(p, c ? (size_t)(c - p) : strlen(p));
			if (!c)
				break;
			p = c + 1;
		}
	}
	v = qt_config_get(sys, "kiosk.idle");
	tui_kiosk.idle = 120;
	if (v) {
		char *end;
		long n;

		errno = 0;
		n = strtol(v, &end, 10);
		if (!errno && end != v && !*end && n >= 0 && n <= 86400)
			tui_kiosk.idle = (int)n;
	}
	v = qt_config_get(sys, "kiosk.log");
	if (v)
		snprintf(tui_kiosk.log, sizeof(tui_kiosk.log), "%s", v);
	qt_config_free(sys);
	lock_load();
	return 0;
}

/* ---- Folder roots ------------------------------------------------------- */

static bool under(const char *real, const char *root)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return true;
	return strncmp(real, root, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

int tui_kiosk_root_of(const char *path)
{
	char *real = realpath(path, NULL);
	int i, found = -1;

	if (!real)
		return -1;
	for (i = 0; i < tui_kiosk.nroots && found < 0; i++) {
		char *rr = realpath(tui_kiosk.roots[i], NULL);

		if (rr && under(real, rr))
			found = i;
		free(rr);
	}
	free(real);
	return found;
}

const char *tui_kiosk_first_root(void)
{
	struct stat st;
	int i;

	for (i = 0; i < tui_kiosk.nroots; i++)
		if (stat(tui_kiosk.roots[i], &st) == 0 && S_ISDIR(st.st_mode))
			return tui_kiosk.roots[i];
	return NULL;
}

const char *tui_kiosk_roots_text(void)
{
	static char buf[1024];
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < tui_kiosk.nroots && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? ", " : "",
		                        tui_kiosk.roots[i]);
	return buf;
}

const char *tui_kiosk_folder_check(const char *path)
{
	static char msg[1200];
	char probe[PATH_MAX];
	size_t n;
	const char *rest;

	if (!tui_kiosk.on)
		return NULL;
	if (tui_kiosk.nroots == 0)
		return _("This kiosk allows no folders (kiosk.roots is empty).");
	n = strlen(path);
	if (path[0] != '/' || n >= sizeof(probe))
		goto outside;
	/* The nearest existing folder decides; what is left to create may
	 * not climb with "..". */
	memcpy(probe, path, n + 1);
	for (;;) {
		struct stat st;

		if (stat(probe, &st) == 0)
			break;
		{
			char *slash = strrchr(probe, '/');
			if (!slash || slash == probe) {
				probe[1] = '\0';
				break;
			}
			*slash = '\0';
		}
	}
	rest = path + strlen(probe);
	while (*rest) {
		const char *e;
		size_t len;

		while (*rest == '/')
			rest++;
		e = strchr(rest, '/');
		len = e ? (size_t)(e - rest) : strlen(rest);
		if ((len == 1 && rest[0] == '.') || (len == 2 && rest[0] == '.' && rest[1] == '.'))
			goto outside;
		rest += len;
	}
	if (tui_kiosk_root_of(probe) >= 0)
		return NULL;
outside:
	snprintf(msg, sizeof(msg), _("Only folders on %s can be used here."),
	         tui_kiosk_roots_text());
	return msg;
}

const char *tui_kiosk_field_check(struct tui_field *f, void *ctx)
{
	char path[TUI_FIELD_MAX * 4 + 1];

	if (!tui_kiosk.on)
		return NULL;
	tui_field_get(f, path, sizeof(path));
	/* Short, beside the field; the picker (F7) shows the roots. */
	return tui_kiosk_folder_check(path) ? _("Not on the removable media") : NULL;
}

/* ---- Operator code ------------------------------------------------------- */

/* The lock-out survives a restart of qoltanba (closing the terminal, a
 * crash): $XDG_STATE_HOME/qoltanba/kiosk-lock holds the counts and the
 * end of the lock-out as wall-clock seconds. */
static char *lock_path(void)
{
	char *dir = qt_state_dir(), *p;
	size_t n;

	if (!dir)
		return NULL;
	n = strlen(dir) + sizeof("/kiosk-lock");
	p = malloc(n);
	if (p)
		snprintf(p, n, "%s/kiosk-lock", dir);
	free(dir);
	return p;
}

static void lock_load(void)
{
	char *path = lock_path();
	unsigned char *buf = NULL;
	size_t len;
	long long until = 0;
	int f = 0, l = 0;

	if (path && qt_read_file(path, 4096, &buf, &len) == QT_OK) {
		char *text = malloc(len + 1);

		if (text) {
			memcpy(text, buf, len);
			text[len] = '\0';
			if (sscanf(text, "failures %d lockouts %d until %lld", &f, &l, &until) == 3 &&
			    f >= 0 && l >= 0 && l < 64) {
				long long left = until - (long long)time(NULL);

				tui_kiosk.failures = f;
				tui_kiosk.lockouts = l;
				if (left > 0)
					tui_kiosk.locked_until = tui_now() +
						(double)(left < 7200 ? left : 7200);
			}
			free(text);
		}
		free(buf);
	}
	free(path);
}

static void lock_save(void)
{
	char *path = lock_path(), *slash, buf[128];
	double left = tui_kiosk.locked_until - tui_now();
	int n;

	if (!path)
		return;
	n = snprintf(buf, sizeof(buf), "failures %d lockouts %d until %lld\n", tui_kiosk.failures,
	             tui_kiosk.lockouts,
	             left > 0 ? (long long)time(NULL) + (long long)(left + 0.999) : 0LL);
	slash = strrchr(path, '/');
	if (slash) {
		*slash = '\0';
		qt_mkdir_p(path, 0700);
		*slash = '/';
	}
	/* Best effort: the log has every attempt in any case. */
	if (n > 0)
		qt_atomic_write(path, buf, (size_t)n, 0600, QT_WRITE_REPLACE);
	free(path);
}

static void kiosk_log(const char *what)
{
	char line[512], when[64];
	time_t now = time(NULL);
	struct tm tm;
	int fd, n;

	openlog("qoltanba", LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_WARNING, "kiosk: %s", what);
	closelog();
	if (!tui_kiosk.log[0])
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s qoltanba[%ld]: kiosk: %s\n", when, (long)getpid(),
	             what);
	fd = open(tui_kiosk.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (n > 0 && write(fd, line, (size_t)n) < 0) {
		/* Nothing better to do: syslog has it. */
	}
	close(fd);
}

int tui_kiosk_try_code(const char *code, int *wait)
{
	double now = tui_now();
	char what[160];
	qt_err rc;

	*wait = 0;
	if (now < tui_kiosk.locked_until) {
		*wait = (int)(tui_kiosk.locked_until - now + 0.999);
		kiosk_log("operator code refused: locked out");
		return 2;
	}
	rc = qt_passhash_check(code, tui_kiosk.code);
	if (rc == QT_OK) {
		tui_kiosk.failures = 0;
		tui_kiosk.lockouts = 0;
		tui_kiosk.unlocked = true;
		tui_kiosk.locked_until = 0;
		lock_save();
		kiosk_log("operator code accepted: unlocked");
		return 0;
	}
	tui_kiosk.failures++;
	/* After a first lock-out, every wrong code locks again, longer. */
	if (tui_kiosk.failures >= KIOSK_TRIES || tui_kiosk.lockouts > 0) {
		int secs = KIOSK_LOCK_FIRST, i;

		for (i = 0; i < tui_kiosk.lockouts && secs < KIOSK_LOCK_MAX; i++)
			secs *= 2;
		if (secs > KIOSK_LOCK_MAX)
			secs = KIOSK_LOCK_MAX;
		tui_kiosk.lockouts++;
		tui_kiosk.failures = 0;
		tui_kiosk.locked_until = now + secs;
		*wait = secs;
		lock_save();
		snprintf(what, sizeof(what), "wrong operator code; locked out for %d s (lock-out %d)",
		         secs, tui_kiosk.lockouts);
		kiosk_log(what);
		return 2;
	}
	lock_save();
	snprintf(what, sizeof(what), "wrong operator code (%d of %d)", tui_kiosk.failures,
	         KIOSK_TRIES);
	kiosk_log(what);
	return 1;
}
