/* Starting and stopping the terminal (STYLE.md rules 1 and 11):
 * newterm() with a clear message when terminfo does not know $TERM, the
 * terminal restored on every exit path (signals included), colours on
 * the default background with a monochrome fallback and NO_COLOR, a
 * short ESCDELAY, and the function keys of PuTTY, screen and rxvt. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui/tui.h"
#include "tui/tui-int.h"
#include "i18n.h"

static SCREEN *term_screen;
static FILE *term_out, *term_in;
static bool term_active;
static struct sigaction term_tstp_before;
volatile sig_atomic_t tui_signal_caught, tui_suspend_caught;

static void on_quit_signal(int sig)
{
	/* The loop notices within one input timeout, wipes the secrets of
	 * every screen and restores the terminal. */
	tui_signal_caught = sig;
}

static void on_suspend_signal(int sig)
{
	/* Ctrl-Z: the loop suspends within one input timeout
	 * (tui_term_suspend), between two screen updates. */
	(void)sig;
	tui_suspend_caught = 1;
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
	if (tui_kiosk.on) {
		/* A kiosk: Ctrl-C, Ctrl-\ and Ctrl-Z reach us as keys (raw
		 * mode) and mean nothing; the signals, sent from elsewhere,
		 * are ignored too (ncurses installs no SIGTSTP handler over
		 * SIG_IGN).  SIGHUP (the line dropped) and SIGTERM still end
		 * qoltanba cleanly. */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		signal(SIGTSTP, SIG_IGN);
		signal(SIGTTIN, SIG_IGN);
		signal(SIGTTOU, SIG_IGN);
	}
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		sigaction(fatal_sigs[i], &sa, NULL);
	/* SIGWINCH is left to ncurses (KEY_RESIZE); SIGTSTP is caught by
	 * catch_suspend.  */
	signal(SIGPIPE, SIG_IGN);
}

/* Ctrl-Z is ours, not ncurses': its handler is switched to SIG_IGN
 * for the length of every doupdate(), so a Ctrl-Z that comes while the
 * screen is being written (a paste, the spinner) was lost.  Ours only
 * sets a flag; the loop suspends between updates.  Installed before
 * newterm, which then leaves SIGTSTP alone; an inherited SIG_IGN is
 * kept (as ncurses would). */
static void catch_suspend(void)
{
	struct sigaction sa;

	if (term_tstp_before.sa_handler != SIG_DFL)
		return;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_suspend_signal;
	sigaction(SIGTSTP, &sa, NULL);
}

void tui_term_suspend(void)
{
	struct sigaction dfl, ours;
	sigset_t tstp, old;

	tui_suspend_caught = 0;
	if (!term_active || tui_current->headless)
		return;
	/* The settings as the program has them now, then the shell's
	 * (and out of the alternate screen). */
	def_prog_mode();
	endwin();
	memset(&dfl, 0, sizeof(dfl));
	sigemptyset(&dfl.sa_mask);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &dfl, &ours);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	pthread_sigmask(SIG_UNBLOCK, &tstp, &old);
	/* Stops the process here until fg (SIGCONT). */
	kill(getpid(), SIGTSTP);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGTSTP, &ours, NULL);
	/* Settings the user changed while we were stopped are the ones to
	 * restore at the end; keys typed to the shell are not ours.  The
	 * next doupdate puts the program settings and the screen back. */
	def_shell_mode();
	flushinp();
	clearok(curscr, TRUE);
}

/* Waits until our process group is the terminal's foreground job; false
 * when a quit signal came first.  A job started in the background must
 * not take the terminal: newterm() would save the settings of whoever
 * has it (a shell, or another program) as the ones to restore at the
 * end, cbreak() would change them under that program, and bash's fg
 * would then take our settings for its own and put them back after we
 * restored ours.  Reads from the background fail, too.  With SIGTTOU at
 * its default the kernel stops a background job at its first tcsetattr;
 * but a parent may have left SIGTTIN/SIGTTOU ignored (tmux's panes do,
 * and a non-interactive shell passes that on), so we stop ourselves as
 * a background read would, and look again when continued (fg).  An
 * orphaned process group is not stopped by SIGTTIN: it polls. */
static bool wait_foreground(void)
{
	static const struct timespec poll = { 0, 100 * 1000 * 1000 };
	pid_t fg;

	while (!tui_signal_caught && (fg = tcgetpgrp(STDIN_FILENO)) != -1 &&
	       fg != getpgrp()) {
		struct sigaction dfl, old;

		memset(&dfl, 0, sizeof(dfl));
		sigemptyset(&dfl.sa_mask);
		dfl.sa_handler = SIG_DFL;
		sigaction(SIGTTIN, &dfl, &old);
		kill(0, SIGTTIN);
		sigaction(SIGTTIN, &old, NULL);
		fg = tcgetpgrp(STDIN_FILENO);
		if (fg != -1 && fg != getpgrp())
			nanosleep(&poll, NULL);
	}
	return !tui_signal_caught;
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
	if (!t->color_wanted || t->no_color_forced || tui_theme_hc || !has_colors())
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
	if (tui_theme_hc) {
		/* High contrast: no colour, no dim; everything bold, bars and
		 * focus reversed, selection also underlined. */
		switch (r) {
		case R_TITLE: case R_BAR: case R_KEY: case R_FIELD_FOCUS:
			return A_BOLD | A_REVERSE;
		case R_SELECTED: return A_BOLD | A_REVERSE | A_UNDERLINE;
		case R_ERROR: case R_WARN: case R_FIELD: return A_BOLD | A_UNDERLINE;
		default: return A_BOLD;
		}
	}
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
	/* newterm installs ncurses' Ctrl-Z handler if SIGTSTP is at its
	 * default; tui_term_stop puts back what was there. */
	sigaction(SIGTSTP, NULL, &term_tstp_before);

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
		if (!wait_foreground())
			return -1;
		catch_suspend();
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
	if (tui_kiosk.on)
		raw();
	else
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
	sigset_t tstp, old;

	if (!term_active)
		return;
	term_active = false;
	/* A Ctrl-Z from here on waits until the terminal is restored, then
	 * acts as it did before we started (it stops us).  Without this,
	 * with ncurses' own handler, a Ctrl-Z between endwin and delscreen
	 * saved the restored settings as the program's, stopped, and on fg
	 * switched to the alternate screen and drew the pages again, to be
	 * left there in program mode. */
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &tstp, &old);
	curs_set(1);
	endwin();
	delscreen(term_screen);
	sigaction(SIGTSTP, &term_tstp_before, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
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

	if (rc == ERR) {
		/* The line dropped without a SIGHUP for us (a wrapper that
		 * ignores it, nohup): the terminal reads end of file or EIO
		 * at once, for ever.  Leave as on SIGHUP, wiping the pages. */
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

		if (term_in == NULL && poll(&pfd, 1, 0) == 1 &&
		    (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
			tui_signal_caught = SIGHUP;
		return false;
	}
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
