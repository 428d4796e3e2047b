/* `qoltanba` without a command: option parsing and the first screen. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"
#include "tui/tui-main.h"
#include "screens/screens.h"
#include "screens/account.h"
#include "screens/enroll.h"
#include "i18n.h"

static void usage(FILE *out)
{
	fprintf(out, _("Usage: qoltanba [--lang=en|ru|kk] [--no-color] [--portal=URL] [--list-keys]\n"
	               "       qoltanba --headless=COLSxROWS --keys=FILE [--dump=FILE]\n"
	               "       qoltanba COMMAND ...   (see 'qoltanba help')\n\n"
	               "Without a command qoltanba opens its terminal interface.\n"
	               "  --lang=LL        interface language for this run\n"
	               "  --no-color       no colours (so does a non-empty NO_COLOR)\n"
	               "  --portal=URL     the portal to apply to (default: the configuration's\n"
	               "                   \"portal\", else a local portal started on loopback)\n"
	               "  --list-keys      print the keys of the interface and exit\n"
	               "  --headless=WxH   draw into a virtual WxH screen, take the keys from\n"
	               "                   --keys=FILE and write the screen as text to --dump\n"
	               "                   (default: standard output); for tests\n"));
	fprintf(out, _("  --kiosk          kiosk mode: the applicant's pages only, until the operator\n"
	               "                   unlocks (also \"kiosk = yes\" in the system configuration)\n"
	               "  --list-keys --man  the key list as roff, for the manual page\n"));
}

int tui_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lang", required_argument, NULL, 'l' },
		{ "no-color", no_argument, NULL, 'n' },
		{ "no-colour", no_argument, NULL, 'n' },
		{ "headless", required_argument, NULL, 'H' },
		{ "keys", required_argument, NULL, 'k' },
		{ "dump", required_argument, NULL, 'd' },
		{ "list-keys", no_argument, NULL, 'K' },
		{ "portal", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "kiosk", no_argument, NULL, 'Z' },
		{ "man", no_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 }
	};
	struct tui_options o;
	char err[1200];
	int c, list_keys = 0, man = 0;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (strcmp(optarg, "en") && strcmp(optarg, "ru") && strcmp(optarg, "kk")) {
				fprintf(stderr, _("qoltanba: --lang must be en, ru or kk\n"));
				return 64;
			}
			o.lang = optarg;
			break;
		case 'n':
			o.no_color = true;
			break;
		case 'H':
			if (sscanf(optarg, "%dx%d", &o.headless_cols, &o.headless_rows) != 2 ||
			    o.headless_cols < 10 || o.headless_rows < 5 ||
			    o.headless_cols > 1000 || o.headless_rows > 1000) {
				fprintf(stderr, _("qoltanba: --headless wants COLSxROWS, such as 80x24\n"));
				return 64;
			}
			break;
		case 'k':
			o.keys_file = optarg;
			break;
		case 'd':
			o.dump_file = optarg;
			break;
		case 'p':
			o.portal = optarg;
			break;
		case 'K':
			list_keys = 1;
			break;
		case 'M':
			man = 1;
			break;
		case 'Z':
			o.kiosk = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("qoltanba: unknown command \"%s\". Try 'qoltanba help'.\n"),
		        argv[optind]);
		return 64;
	}
	if (list_keys) {
		if (man)
			tui_print_keys_man(stdout);
		else
			tui_print_keys(stdout);
		return 0;
	}
	if (man) {
		usage(stderr);
		return 64;
	}
	/* The settings and the language first, so that a refusal below is
	 * in it too; the pages use them as read here. */
	tui_config_load();
	if (o.lang)
		tui_set_language(o.lang);
	else if (tui_cfg.language[0])
		tui_set_language(tui_cfg.language);
	if (tui_kiosk_load(o.kiosk, err, sizeof(err)) < 0) {
		fputs(err, stderr);
		return 78;      /* EX_CONFIG */
	}
	enr_set_portal_url(o.portal);
	tui_on_exit = enr_shutdown;
	tui_kiosk_on_idle = acct_on_idle;
	return tui_run(&o, tui_kiosk.on ? screen_kiosk_new() : screen_home_new());
}
