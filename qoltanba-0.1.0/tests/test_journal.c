/* The configuration files and the journal of applications. */
#include <config.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <qoltanba/config.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/journal.h>
#include <qoltanba/secret.h>
#include "tap.h"

static char dir[256];

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static char *slurp(const char *path)
{
	unsigned char *b;
	size_t n;
	return qt_read_file(path, 1 << 20, &b, &n) == QT_OK ? (char *)b : NULL;
}

static void test_config(void)
{
	char sys[512], user[512], home[512];
	qt_config *cfg = NULL;
	struct stat st;
	char *text;

	snprintf(home, sizeof home, "%s/cfg", dir);
	snprintf(sys, sizeof sys, "%s/system.conf", dir);
	snprintf(user, sizeof user, "%s/cfg/qoltanba/config", dir);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("QOLTANBA_SYSCONF", sys, 1);
	write_text(sys, "# system\nlanguage = ru\nkiosk = yes\nmodule.kaztoken = /opt/kt/lib.so\n");

	CHECK_EQ_INT(qt_config_load(&cfg), QT_OK);
	CHECK_STR(qt_config_get(cfg, "language"), "ru");
	CHECK(qt_config_get_bool(cfg, "kiosk", false));
	CHECK(qt_config_get(cfg, "portal") == NULL);

	/* The user's setting is written to the user's file only. */
	CHECK_EQ_INT(qt_config_set(cfg, "language", "kk"), QT_OK);
	CHECK_STR(qt_config_get(cfg, "language"), "kk");
	CHECK(stat(user, &st) == 0 && (st.st_mode & 0777) == 0600);
	text = slurp(sys);
	CHECK(text != NULL && strstr(text, "language = ru") != NULL);
	free(text);
	qt_config_free(cfg);

	/* Comments and other lines of the user's file survive a change. */
	write_text(user, "# my settings\ncolor = no\nlanguage = en\n\nportal = \"http://127.0.0.1:8080\"\n");
	CHECK_EQ_INT(qt_config_load(&cfg), QT_OK);
	CHECK_STR(qt_config_get(cfg, "language"), "en");
	CHECK_STR(qt_config_get(cfg, "portal"), "http://127.0.0.1:8080");
	CHECK(!qt_config_get_bool(cfg, "color", true));
	CHECK_EQ_INT(qt_config_set(cfg, "language", "ru"), QT_OK);
	CHECK_EQ_INT(qt_config_set(cfg, "color", NULL), QT_OK);
	CHECK(qt_config_get(cfg, "color") == NULL);
	text = slurp(user);
	CHECK(text != NULL && strcmp(text, "# my settings\nlanguage = ru\n\nportal = \"http://127.0.0.1:8080\"\n") == 0);
	if (text != NULL)
		fprintf(stderr, "user file now:\n%s", text);
	free(text);
	qt_config_free(cfg);

	/* A malformed line names the file and the line. */
	write_text(user, "language = en\nthis is not a setting\n");
	cfg = NULL;
	CHECK_EQ_INT(qt_config_load(&cfg), QT_ERR_CONFIG);
	CHECK(strstr(qt_error_detail(), "config:2") != NULL);
	CHECK(cfg == NULL);
	write_text(user, "Language = en\n");
	CHECK_EQ_INT(qt_config_load(&cfg), QT_ERR_CONFIG);
	unsetenv("QOLTANBA_SYSCONF");
}

static void test_journal(void)
{
	char path[512];
	struct qt_app_record r;
	struct qt_journal *j = NULL;
	const struct qt_app_record *f;
	struct stat st;
	pid_t pids[2];
	int k, status;
	char *before, *after;

	snprintf(path, sizeof path, "%s/state/qoltanba/applications.json", dir);

	/* Missing: empty. */
	CHECK_EQ_INT(qt_journal_load(path, &j), QT_OK);
	CHECK(j != NULL && j->count == 0);
	qt_journal_free(j);

	memset(&r, 0, sizeof r);
	snprintf(r.subject_type, sizeof r.subject_type, "chairman");
	snprintf(r.folder, sizeof r.folder, "/media/флешка/keys dir");
	snprintf(r.auth_keyid, sizeof r.auth_keyid, "%040d", 1);
	r.step = QT_STEP_KEYS_GENERATED;
	CHECK_EQ_INT(qt_journal_put(path, &r), QT_OK);
	CHECK_EQ_INT(strlen(r.id), 32);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);

	snprintf(r.number, sizeof r.number, "240000123456");
	r.step = QT_STEP_SUBMITTED;
	CHECK_EQ_INT(qt_journal_put(path, &r), QT_OK);
	CHECK_EQ_INT(qt_journal_load(path, &j), QT_OK);
	CHECK_EQ_INT(j->count, 1);
	f = qt_journal_find_number(j, "240000123456");
	CHECK(f != NULL && f->step == QT_STEP_SUBMITTED);
	CHECK(f != NULL && strcmp(f->folder, "/media/флешка/keys dir") == 0);
	CHECK(qt_journal_find_id(j, r.id) == f);
	qt_journal_free(j);

	/* Two processes writing at once lose nothing. */
	for (k = 0; k < 2; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			int i;
			for (i = 0; i < 25; i++) {
				struct qt_app_record x;
				memset(&x, 0, sizeof x);
				snprintf(x.number, sizeof x.number, "%d%04d", k + 1, i);
				if (qt_journal_put(path, &x) != QT_OK)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (k = 0; k < 2; k++) {
		waitpid(pids[k], &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK_EQ_INT(qt_journal_load(path, &j), QT_OK);
	CHECK_EQ_INT(j->count, 51);
	CHECK(qt_journal_find_number(j, "10024") != NULL);
	CHECK(qt_journal_find_number(j, "20000") != NULL);
	qt_journal_free(j);

	/* Killed while writing: the previous journal is intact. */
	before = slurp(path);
	if (fork() == 0) {
		setenv("QT_TEST_CRASH_AT", "write", 1);
		qt_journal_remove(path, r.id);
		_exit(0);
	}
	wait(&status);
	CHECK(WIFSIGNALED(status));
	after = slurp(path);
	CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
	free(after);

	/* A damaged journal is reported and not overwritten. */
	write_text(path, "{\"applications\": [ {\"id\": 5 } ]}");
	CHECK_EQ_INT(qt_journal_load(path, &j), QT_ERR_CONFIG);
	CHECK_EQ_INT(qt_journal_put(path, &r), QT_ERR_CONFIG);
	after = slurp(path);
	CHECK(after != NULL && strstr(after, "\"id\": 5") != NULL);
	free(after);
	free(before);

	CHECK_EQ_INT(qt_journal_remove(path, "nope"), QT_ERR_CONFIG);
}

int main(void)
{
	enum qt_app_step s;
	char cmd[300];

	snprintf(dir, sizeof dir, "/tmp/qt-journal-XXXXXX");
	if (mkdtemp(dir) == NULL)
		SKIP("cannot make a temporary folder");
	test_config();
	test_journal();
	CHECK_EQ_INT(qt_app_step_parse("issued", &s), QT_OK);
	CHECK_EQ_INT(s, QT_STEP_ISSUED);
	CHECK_STR(qt_app_step_name(QT_STEP_CANCELLED), "cancelled");
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
	return tap_done();
}
