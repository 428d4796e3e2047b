/* Starting and stopping the terminal (STYLE.md rules 1 and 11):
 * newterm() with a clear message when terminfo does not know $TERM, the
 * terminal restored on every exit path (signals included), colours on
 * the default background with a monochrome fallback and NO_COLOR, a
 * short ESCDELAY, and the function keys of PuTTY, screen and rxvt. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/tui.h"
#include "tui/tui-int.h"
#include "i18n.h"

static SCREEN *term_screen;
static FILE *term_out, *term_in;
static bool term_active;
volatile sig_atomic_t tui_signal_caught;

static void on_quit_signal(int sig)
{
	/* The loop notices within one input timeout, wipes the secrets of
	 * every screen and restores the terminal. */
	tui_signal_caught = sig;
}

static void on_fatal_signal(int sig)
{
	/* Not async-signal-safe, like htop's CRT_handleSIGSEGV: a crash
	 * already lost; leaving the terminal in raw mode loses more. */
	if (term_active)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	static const int quit_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read returns so the loop can leave. */
	sa.sa_handler = on_quit_signal;
	for (i = 0; i < sizeof(quit_sigs) / sizeof(quit_sigs[0]); i++)
		sigaction(quit_sigs[i], &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		sigaction(fatal_sigs[i], &sa, NULL);
	/* SIGTSTP and SIGWINCH are left to ncurses, which installs its own
	 * handlers (endwin on Ctrl-Z, restore on SIGCONT, KEY_RESIZE). */
	signal(SIGPIPE, SIG_IGN);
}

static void define_extra_keys(void)
{
	static const struct { const char *seq; int key; } extra[] = {
		/* PuTTY (ESC[n~ mode) and rxvt: F1-F4 as ESC [ 11..14 ~ */
		{ "\033[11~", KEY_F(1) }, { "\033[12~", KEY_F(2) },
		{ "\033[13~", KEY_F(3) }, { "\033[14~", KEY_F(4) },
		/* Linux console: ESC [ [ A..E */
		{ "\033[[A", KEY_F(1) }, { "\033[[B", KEY_F(2) }, { "\033[[C", KEY_F(3) },
		{ "\033[[D", KEY_F(4) }, { "\033[[E", KEY_F(5) },
		/* xterm and screen: SS3 P..S, and F5-F10 */
		{ "\033OP", KEY_F(1) }, { "\033OQ", KEY_F(2) }, { "\033OR", KEY_F(3) },
		{ "\033OS", KEY_F(4) }, { "\033[15~", KEY_F(5) }, { "\033[17~", KEY_F(6) },
		{ "\033[18~", KEY_F(7) }, { "\033[19~", KEY_F(8) }, { "\033[20~", KEY_F(9) },
		{ "\033[21~", KEY_F(10) },
		/* Home/End: PuTTY and screen (1~ 4~), rxvt (7~ 8~), xterm */
		{ "\033[1~", KEY_HOME }, { "\033[4~", KEY_END }, { "\033[7~", KEY_HOME },
		{ "\033[8~", KEY_END }, { "\033[H", KEY_HOME }, { "\033[F", KEY_END },
		{ "\033OH", KEY_HOME }, { "\033OF", KEY_END },
		/* Shift-Tab */
		{ "\033[Z", KEY_BTAB },
	};
	size_t i;

	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (key_defined(extra[i].seq) == 0)
			define_key(extra[i].seq, extra[i].key);
}

/* Colours: pairs on the default background (-1). */
void tui_apply_colors(struct tui *t)
{
	t->color = false;
	if (!t->color_wanted || t->no_color_forced || !has_colors())
		return;
	if (start_color() == ERR)
		return;
	if (use_default_colors() == ERR)
		assume_default_colors(COLOR_WHITE, COLOR_BLACK);
	init_pair(1, COLOR_CYAN, -1);      /* title, headings */
	init_pair(2, COLOR_BLACK, COLOR_CYAN); /* status bar */
	init_pair(3, COLOR_YELLOW, -1);    /* key names */
	init_pair(4, COLOR_RED, -1);       /* errors */
	init_pair(5, COLOR_GREEN, -1);     /* fine */
	init_pair(6, COLOR_MAGENTA, -1);   /* warnings */
	init_pair(7, COLOR_BLUE, -1);      /* frames */
	t->color = true;
}

attr_t tui_attr(enum tui_role r)
{
	/* Selection and focus are reverse/bold/underline, so they show
	 * without colour (and to the colour-blind); colour only adds. */
	switch (r) {
	case R_TITLE: return A_BOLD | (tui_current->color ? 0 : A_REVERSE);
	case R_BAR: return tui_current->color ? 0 : A_REVERSE;
	case R_KEY: return A_BOLD | (tui_current->color ? 0 : A_REVERSE);
	case R_SELECTED: return A_REVERSE | A_BOLD;
	case R_DIM: return A_DIM;
	case R_ERROR: return A_BOLD;
	case R_GOOD: return 0;
	case R_WARN: return A_BOLD;
	case R_FIELD: return A_UNDERLINE;
	case R_FIELD_FOCUS: return A_REVERSE;
	case R_HEADING: return A_BOLD;
	case R_FRAME: return 0;
	default: return 0;
	}
}

short tui_pair(enum tui_role r)
{
	if (!tui_current->color)
		return 0;
	switch (r) {
	case R_TITLE: case R_HEADING: return 1;
	case R_BAR: return 2;
	case R_KEY: return 2;
	case R_ERROR: return 4;
	case R_GOOD: return 5;
	case R_WARN: return 6;
	case R_FRAME: return 7;
	default: return 0;
	}
}

int tui_term_start(struct tui *t, const struct tui_options *o)
{
	const char *term = getenv("TERM");
	const char *cs = nl_langinfo(CODESET);

	t->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	t->no_color_forced = o->no_color || (getenv("NO_COLOR") && *getenv("NO_COLOR"));
	install_signals();
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);

	if (o->headless_cols) {
		/* A virtual screen: the same drawing code, output thrown
		 * away, the cells read back by tui_dump(). */
		term_out = fopen("/dev/null", "w");
		term_in = fopen("/dev/null", "r");
		if (!term_out || !term_in) {
			fprintf(stderr, "qoltanba: /dev/null: %s\n", strerror(errno));
			return -1;
		}
		term_screen = newterm("xterm-256color", term_out, term_in);
		if (!term_screen)
			term_screen = newterm("vt100", term_out, term_in);
		if (!term_screen) {
			fprintf(stderr, _("qoltanba: no terminfo entry for the virtual screen "
			                  "(xterm-256color or vt100); install ncurses-base.\n"));
			return -1;
		}
		resize_term(o->headless_rows, o->headless_cols);
		t->headless = true;
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			fprintf(stderr, _("qoltanba: the terminal interface needs a terminal; "
			                  "see 'qoltanba help' for the commands.\n"));
			return -1;
		}
		if (!term || !*term) {
			fprintf(stderr, _("qoltanba: TERM is not set. Set it to your terminal's type, "
			                  "for example: export TERM=xterm-256color\n"));
			return -1;
		}
		term_screen = newterm(NULL, stdout, stdin);
		if (!term_screen) {
			fprintf(stderr, _("qoltanba: the terminal type \"%s\" is not in the terminfo "
			                  "database. Try TERM=xterm-256color (or TERM=vt100, or "
			                  "TERM=linux on a console), or install the ncurses-term "
			                  "package.\n"), term);
			return -1;
		}
	}
	set_term(term_screen);
	term_active = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	intrflush(stdscr, FALSE);
	curs_set(0);
	define_extra_keys();
	/* Wake up a few times a second: spinner, and signals caught while
	 * waiting for a key. */
	wtimeout(stdscr, 200);
	t->color_wanted = tui_cfg.colors;
	tui_apply_colors(t);
	t->rows = LINES;
	t->cols = COLS;
	return 0;
}

void tui_term_stop(void)
{
	if (!term_active)
		return;
	term_active = false;
	curs_set(1);
	endwin();
	delscreen(term_screen);
	term_screen = NULL;
	if (term_out)
		fclose(term_out);
	if (term_in)
		fclose(term_in);
	term_out = term_in = NULL;
}

/* Writes the virtual screen as UTF-8 text, one line per row, trailing
 * blanks removed. */
void tui_dump(FILE *out)
{
	int y, x;

	for (y = 0; y < LINES; y++) {
		char line[4096];
		size_t n = 0, keep = 0;

		for (x = 0; x < COLS; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1];
			attr_t a;
			short pair;

			if (mvwin_wch(stdscr, y, x, &cc) == ERR)
				break;
			if (getcchar(&cc, wch, &a, &pair, NULL) == ERR)
				continue;
			if (wch[0] == 0)
				continue;      /* right half of a wide character */
			n += tui_wcs_to_utf8(wch, 1, line + n, sizeof(line) - n);
			if (wch[0] != ' ')
				keep = n;
		}
		line[keep] = '\0';
		fprintf(out, "%s\n", line);
	}
	fflush(out);
}

/* Reads one key, blocking up to the timeout; false when none. */
bool tui_term_getkey(int *code, wchar_t *ch)
{
	wint_t w;
	int rc = wget_wch(stdscr, &w);

	if (rc == ERR)
		return false;
	if (rc == KEY_CODE_YES) {
		*code = (int)w;
		*ch = 0;
	} else {
		*code = 0;
		*ch = (wchar_t)w;
	}
	return true;
}

void tui_term_resize(int rows, int cols)
{
	resize_term(rows, cols);
}
