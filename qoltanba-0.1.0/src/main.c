/* qoltanba: terminal software for NCA RK digital-signature keys.
 * Without a command it opens the terminal interface; with one it runs
 * that command (src/cli/). */
#include <config.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qoltanba/error.h>
#include "cli/cli.h"
#include "tui/tui-main.h"
#include "i18n.h"

int main(int argc, char **argv)
{
	const struct qt_command *c;

	setlocale(LC_ALL, "");
	/* QOLTANBA_LOCALEDIR: catalogues outside the installed place
	 * (tests compile the po files into a private folder). */
	bindtextdomain(PACKAGE, getenv("QOLTANBA_LOCALEDIR") ? getenv("QOLTANBA_LOCALEDIR")
	                                                     : LOCALEDIR);
	bind_textdomain_codeset(PACKAGE, "UTF-8");

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return qt_cmd_help(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "--version") == 0)
		return qt_cmd_version(argc, argv);
	/* No command (options only): the terminal interface. */
	if (argc < 2 || argv[1][0] == '-')
		return tui_main(argc, argv);
	for (c = qt_commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, _("qoltanba: unknown command \"%s\". Try 'qoltanba help'.\n"), argv[1]);
	return QT_EXIT_USAGE;
}
