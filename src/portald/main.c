/* qoltanbad: the reference portal (RA, CA, registries) of qoltanba. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "portald/http.h"
#include "portald/log.h"
#include "portald/pd.h"
#include "i18n.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: qoltanbad [serve] --data DIR [--listen ADDR:PORT] [--port-file FILE]\n"
	             "                 [--test-clock-offset SECONDS]\n"
	             "       qoltanbad init --data DIR [--name NAME] [--base-url URL] [--listen ADDR:PORT]\n"
	             "                 [--no-captcha] [--test-mode]\n"
	             "       qoltanbad registry import --data DIR --individuals F.csv --entities F.csv\n"
	             "       qoltanbad operator add --data DIR --name NAME --out FILE.p12 [--iin IIN]\n"
	             "                 [--password-file FILE]\n"
	             "       qoltanbad ra list|approve NUMBER|reject NUMBER --reason TEXT --data DIR\n"
	             "       qoltanbad notify --data DIR [--now] [--test-clock-offset SECONDS]\n"
	             "See doc/api.md for the API.\n"));
}

int pd_cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "test-clock-offset", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *listen = NULL, *port_file = NULL, *offset = NULL;
	struct pd_server srv;
	int o, rc;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': dir = optarg; break;
		case 'l': listen = optarg; break;
		case 'p': port_file = optarg; break;
		case 't': offset = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!dir || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (pd_server_open(&srv, dir)) {
		pd_server_close(&srv);
		return 1;
	}
	if (offset) {
		long v;

		if (!pd_clock_offset_parse(offset, &v)) {
			fprintf(stderr, _("qoltanbad: --test-clock-offset needs a number of seconds\n"));
			pd_server_close(&srv);
			return 2;
		}
		if (!srv.cfg.test_mode) {
			fprintf(stderr, _("qoltanbad: --test-clock-offset works only for a portal created "
			                  "with \"init --test-mode\"\n"));
			pd_server_close(&srv);
			return 2;
		}
		pd_clock_offset = v;
	}
	/* One daemon per data folder: two would publish CRLs with clashing
	 * numbers.  (The admin commands may run beside it.) */
	{
		char lp[1100];
		int fd;

		snprintf(lp, sizeof(lp), "%s/qoltanbad.lock", dir);
		fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB)) {
			fprintf(stderr, _("qoltanbad: another qoltanbad is serving %s\n"), dir);
			if (fd >= 0)
				close(fd);
			pd_server_close(&srv);
			return 1;
		}
		/* Kept open (and locked) until the process ends. */
	}
	if (pd_log_open(srv.cfg.log_file)) {
		fprintf(stderr, "qoltanbad: %s: %s\n", srv.cfg.log_file, strerror(errno));
		pd_server_close(&srv);
		return 1;
	}
	rc = pd_serve(&srv, listen ? listen : srv.cfg.listen, port_file);
	pd_server_close(&srv);
	pd_log_close();
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, LOCALEDIR);
	if (!strcmp(cmd, "init"))
		return pd_cmd_init(argc - 1, argv + 1);
	if (!strcmp(cmd, "registry"))
		return pd_cmd_registry(argc - 1, argv + 1);
	if (!strcmp(cmd, "operator"))
		return pd_cmd_operator(argc - 1, argv + 1);
	if (!strcmp(cmd, "ra"))
		return pd_cmd_ra(argc - 1, argv + 1);
	if (!strcmp(cmd, "notify"))
		return pd_cmd_notify(argc - 1, argv + 1);
	if (!strcmp(cmd, "serve"))
		return pd_cmd_serve(argc - 1, argv + 1);
	if (!strcmp(cmd, "--version")) {
		printf("qoltanbad %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strncmp(cmd, "--", 2))
		return pd_cmd_serve(argc, argv);
	usage(stderr);
	return 2;
}
