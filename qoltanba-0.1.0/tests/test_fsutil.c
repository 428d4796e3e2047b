/* Atomic writes: mode, exclusivity, a full disk, and a kill at every
 * step leaving the old file or the new one, never neither. */
#include <config.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <qoltanba/fsutil.h>
#include <qoltanba/secret.h>
#include "tap.h"

static char dir[256];

static char *slurp(const char *path)
{
	unsigned char *buf;
	size_t len;

	if (qt_read_file(path, 1 << 20, &buf, &len) != QT_OK)
		return NULL;
	return (char *)buf;
}

static void crash_at(const char *step, const char *path)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		setenv("QT_TEST_CRASH_AT", step, 1);
		qt_atomic_write(path, "NEW CONTENT", 11, 0600, QT_WRITE_REPLACE);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

int main(void)
{
	static const char *steps[] = { "open", "write", "fsync", "close", "rename", "dirsync" };
	char path[512], *s;
	struct stat st;
	struct rlimit rl;
	size_t i;

	snprintf(dir, sizeof dir, "%s/qt-fsutil-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		SKIP("cannot make a temporary folder");
	snprintf(path, sizeof path, "%s/key file ключ.p12", dir);

	umask(022);
	CHECK_EQ_INT(qt_atomic_write(path, "OLD", 3, 0600, QT_WRITE_EXCL), QT_OK);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	s = slurp(path);
	CHECK_STR(s, "OLD");
	qt_free_secret(s, 3);
	CHECK_EQ_INT(qt_atomic_write(path, "X", 1, 0600, QT_WRITE_EXCL), QT_ERR_EXISTS);

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		const char *want_old = i < 4 ? "OLD" : "NEW CONTENT";
		crash_at(steps[i], path);
		s = slurp(path);
		if (s == NULL || strcmp(s, want_old) != 0) {
			fprintf(stderr, "after a kill at '%s' the file holds \"%s\"\n",
			        steps[i], s ? s : "(nothing)");
		}
		CHECK(s != NULL && strcmp(s, want_old) == 0);
		free(s);
		qt_atomic_write(path, "OLD", 3, 0600, QT_WRITE_REPLACE);
	}

	/* A full disk (the file-size limit gives the same failure): the old
	 * file stays, no temporary file is left, the error says so. */
	{
		static char big[65536];
		pid_t pid;
		int status;
		memset(big, 'x', sizeof big);
		pid = fork();
		if (pid == 0) {
			signal(SIGXFSZ, SIG_IGN);
			rl.rlim_cur = rl.rlim_max = 4096;
			setrlimit(RLIMIT_FSIZE, &rl);
			_exit(qt_atomic_write(path, big, sizeof big, 0600, QT_WRITE_REPLACE));
		}
		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == QT_ERR_NOSPACE);
		s = slurp(path);
		CHECK_STR(s, "OLD");
		free(s);
	}

	/* No stray temporary files from the clean failures above. */
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -le 7", dir);
		CHECK(system(cmd) == 0);
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}

	CHECK_EQ_INT(qt_atomic_write("/nonexistent-dir/x", "a", 1, 0600, 0), QT_ERR_NOT_FOUND);
	return tap_done();
}
