/* The one loop: a stack of screens, keys from the terminal (or from a
 * script in headless mode), and the flags the screens return
 * (STYLE.md rule 3, after htop's ScreenManager and tig's view ops). */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <qoltanba/secret.h>
#include "tui/tui.h"
#include "tui/tui-int.h"
#include "i18n.h"

struct tui *tui_current;
void (*tui_on_exit)(void);

struct screen *tui_screen_new(const struct screen_ops *ops, void *priv)
{
	struct screen *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ops = ops;
	s->priv = priv;
	return s;
}

/* ---- Key scripts (headless mode) ---------------------------------------
 * Text is typed as it is; newlines in the file are ignored; <Name> is a
 * special key: Enter Tab BTab Esc Up Down Left Right Home End PgUp PgDn
 * Backspace Delete Space lt F1..F12 C-a..C-z, <Resize COLSxROWS>,
 * <Rep N c> (c typed N times), <Dump> (write the screen now),
 * <Signal TERM|INT|HUP|QUIT>. */
struct script {
	wchar_t *text;
	size_t len, pos;
	int rep_left;
	wchar_t rep_ch;
};

enum { SK_KEY, SK_RESIZE, SK_DUMP, SK_SIGNAL, SK_IDLE, SK_END };

static int script_next(struct script *sc, int *code, wchar_t *ch, int *a, int *b)
{
	static const struct { const char *name; int code; wchar_t ch; } names[] = {
		{ "Enter", 0, '\r' }, { "Tab", 0, '\t' }, { "BTab", KEY_BTAB, 0 },
		{ "Esc", 0, 27 }, { "Up", KEY_UP, 0 }, { "Down", KEY_DOWN, 0 },
		{ "Left", KEY_LEFT, 0 }, { "Right", KEY_RIGHT, 0 }, { "Home", KEY_HOME, 0 },
		{ "End", KEY_END, 0 }, { "PgUp", KEY_PPAGE, 0 }, { "PgDn", KEY_NPAGE, 0 },
		{ "Backspace", KEY_BACKSPACE, 0 }, { "Delete", KEY_DC, 0 },
		{ "Space", 0, ' ' }, { "lt", 0, '<' },
	};

	if (sc->rep_left > 0) {
		sc->rep_left--;
		*code = 0;
		*ch = sc->rep_ch;
		return SK_KEY;
	}
	while (sc->pos < sc->len && (sc->text[sc->pos] == '\n' || sc->text[sc->pos] == '\r'))
		sc->pos++;
	if (sc->pos >= sc->len)
		return SK_END;
	if (sc->text[sc->pos] == '<') {
		size_t e = sc->pos + 1;
		char tok[64];
		size_t n = 0, i;

		while (e < sc->len && sc->text[e] != '>' && n + 1 < sizeof(tok))
			tok[n++] = (char)sc->text[e++];
		tok[n] = '\0';
		if (e < sc->len && sc->text[e] == '>') {
			sc->pos = e + 1;
			*code = 0;
			*ch = 0;
			for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
				if (strcmp(tok, names[i].name) == 0) {
					*code = names[i].code;
					*ch = names[i].ch;
					return SK_KEY;
				}
			}
			if (tok[0] == 'F' && tok[1] >= '1' && tok[1] <= '9') {
				*code = KEY_F(strtol(tok + 1, NULL, 10));
				return SK_KEY;
			}
			if (tok[0] == 'C' && tok[1] == '-' && tok[2] && !tok[3]) {
				*ch = tok[2] & 0x1f;
				return SK_KEY;
			}
			if (sscanf(tok, "Resize %dx%d", a, b) == 2)
				return SK_RESIZE;
			/* <Idle N>: N seconds pass without a key. */
			if (sscanf(tok, "Idle %d", a) == 1)
				return SK_IDLE;
			if (strcmp(tok, "Dump") == 0)
				return SK_DUMP;
			if (strncmp(tok, "Signal ", 7) == 0) {
				const char *s = tok + 7;
				*a = strcmp(s, "INT") == 0 ? SIGINT : strcmp(s, "HUP") == 0 ? SIGHUP :
				     strcmp(s, "QUIT") == 0 ? SIGQUIT : SIGTERM;
				return SK_SIGNAL;
			}
			{
				int cnt;
				wchar_t c = 0;
				char cc[8];

				if (sscanf(tok, "Rep %d %7s", &cnt, cc) == 2 && cnt > 0) {
					wchar_t w[8];
					tui_utf8_to_wcs(cc, w, 8);
					c = w[0];
					sc->rep_left = cnt - 1;
					sc->rep_ch = c;
					*ch = c;
					return SK_KEY;
				}
			}
			fprintf(stderr, "qoltanba: key script: unknown <%s>\n", tok);
			return script_next(sc, code, ch, a, b);
		}
	}
	*code = 0;
	*ch = sc->text[sc->pos++];
	return SK_KEY;
}

static int script_load(struct script *sc, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int c;

	memset(sc, 0, sizeof(*sc));
	if (!f) {
		fprintf(stderr, "qoltanba: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((c = fgetc(f)) != EOF) {
		if (n + 2 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -1;
			}
			buf = nb;
		}
		buf[n++] = (char)c;
	}
	if (f != stdin)
		fclose(f);
	sc->text = calloc(n + 1, sizeof(wchar_t));
	if (!sc->text) {
		free(buf);
		return -1;
	}
	if (buf) {
		buf[n] = '\0';
		sc->len = tui_utf8_to_wcs(buf, sc->text, n + 1);
	}
	free(buf);
	return 0;
}

/* ---- Drawing a frame ---------------------------------------------------- */

static void draw_too_small(struct tui *t)
{
	char buf[512];
	int y = LINES / 2 - 2;

	if (y < 0)
		y = 0;
	snprintf(buf, sizeof(buf), _("The terminal is %dx%d; qoltanba needs at least %dx%d."),
	         COLS, LINES, TUI_MIN_COLS, TUI_MIN_ROWS);
	y += tui_wrap(y, 1, LINES - y, COLS - 2, buf, R_ERROR);
	if (tui_kiosk_locked())
		y += tui_wrap(y, 1, LINES - y, COLS - 2,
		              _("Make the window larger and this page goes away by itself. "
		                "The kiosk stays locked."), R_NORMAL);
	else
		y += tui_wrap(y, 1, LINES - y, COLS - 2,
		              _("Make the window larger and this page goes away by itself. "
		                "F10 or Ctrl-X quits."), R_NORMAL);
}

static void draw_frame(struct tui *t)
{
	int i, base, h = LINES - 3;
	struct screen *top;
	const enum tui_action *bar = NULL;
	char title[512];

	t->cursor_y = t->cursor_x = -1;
	erase();
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) {
		draw_too_small(t);
		wnoutrefresh(stdscr);
		return;
	}
	top = t->stack[t->depth - 1];
	base = t->depth - 1;
	while (base > 0 && t->stack[base]->ops->modal)
		base--;
	/* Title bar: program, then the page. */
	snprintf(title, sizeof(title), " qoltanba %s %s", t->utf8 ? "\xe2\x80\x94" : "-",
	         t->stack[base]->ops->title ? t->stack[base]->ops->title(t->stack[base]) : "");
	tui_put(0, 0, COLS, title, R_TITLE, true);
	if (!t->utf8) {
		const char *note = _("ASCII mode: the locale is not UTF-8");
		int nw = tui_width(note);
		tui_put(0, COLS - nw - 1, nw, note, R_TITLE, false);
	} else if (t->status_note[0]) {
		/* Which portal the pages talk to (the bottom line is full of
		 * keys at 80 columns): at the right end of the top line. */
		int nw = tui_width(t->status_note), tw = tui_width(title);

		if (tw + nw + 3 <= COLS)
			tui_put(0, COLS - nw - 1, nw, t->status_note, R_TITLE, false);
	}
	for (i = base; i < t->depth; i++)
		t->stack[i]->ops->draw(t->stack[i], t, 1, 0, h, COLS);
	if (t->message[0])
		tui_put(LINES - 2, 1, COLS - 2, t->message, t->message_error ? R_ERROR : R_GOOD, false);
	if (top->ops->bar)
		bar = top->ops->bar(top);
	t->bar_owner = top;
	tui_status_draw(t, bar);
	t->bar_owner = NULL;
	if (t->cursor_y >= 0) {
		move(t->cursor_y, t->cursor_x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	wnoutrefresh(stdscr);
}

static void draw_work(struct tui *t, bool cancellable)
{
	const char *label = t->work_label ? t->work_label : _("Working");
	const char *esc = _("Esc cancels");
	int w = tui_width(label) + 8, x, y = LINES / 2 - 1, h = cancellable ? 4 : 3;
	char buf[512];

	if (cancellable && tui_width(esc) + 8 > w)
		w = tui_width(esc) + 8;
	if (w > COLS - 4)
		w = COLS - 4;
	x = (COLS - w) / 2;
	tui_fill(y, x, h, w, R_NORMAL);
	tui_box(y, x, h, w, NULL, R_FRAME);
	snprintf(buf, sizeof(buf), "%s %s%s", tui_spinner_glyph(t->tick), label,
	         tui_glyph_ellipsis());
	tui_put(y + 1, x + 2, w - 4, buf, R_NORMAL, false);
	if (cancellable)
		tui_put(y + 2, x + 4, w - 6, esc, R_DIM, false);
	if (atomic_load(&t->work_permille) >= 0) {
		/* A long step that knows how far it is: a wider box with a
		 * progress bar and what it is doing now. */
		const char *phase = atomic_load(&t->work_phase);
		int bw = COLS - 10 > 64 ? 64 : COLS - 10, by = y + h;

		x = (COLS - bw) / 2;
		tui_fill(by, x, 4, bw, R_NORMAL);
		tui_box(by - 1, x, 5, bw, NULL, R_FRAME);
		tui_put(by, x + 2, bw - 4, phase ? phase : "", R_NORMAL, true);
		tui_progress_draw(by + 1, x + 2, bw - 4, atomic_load(&t->work_permille) / 1000.0,
		                  NULL);
		tui_put(by + 2, x + 2, bw - 4, "", R_NORMAL, true);
	}
	curs_set(0);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- Long work --------------------------------------------------------------
 * A page's slow engine call (a folder of 10,000 files, a password
 * change) runs in a worker thread while this thread turns the spinner.
 * The work function never touches curses; keys wait in the input queue
 * until it is done.  Headless runs call it directly, for reproducible
 * screens. */
/* Keys typed while a cancellable work runs, in order. */
static struct { int code; wchar_t ch; } ahead[64];
static size_t ahead_n, ahead_at;

static void ahead_push(int code, wchar_t ch)
{
	if (ahead_n < sizeof(ahead) / sizeof(ahead[0])) {
		ahead[ahead_n].code = code;
		ahead[ahead_n].ch = ch;
		ahead_n++;
	}
}

static bool ahead_pop(int *code, wchar_t *ch)
{
	if (ahead_at >= ahead_n) {
		ahead_at = ahead_n = 0;
		return false;
	}
	*code = ahead[ahead_at].code;
	*ch = ahead[ahead_at].ch;
	ahead_at++;
	return true;
}

struct work_run {
	int (*fn)(struct screen *, struct tui *);
	struct screen *s;
	struct tui *t;
	int flags;
	atomic_int done;
};

static void *work_thread(void *arg)
{
	struct work_run *w = arg;

	w->flags = w->fn(w->s, w->t);
	atomic_store(&w->done, 1);
	return NULL;
}

static void on_resize(struct tui *t);

static int run_work(struct tui *t, int (*fn)(struct screen *, struct tui *), struct screen *s,
                    void (*cancel)(struct screen *, struct tui *))
{
	struct work_run w = { fn, s, t, 0, 0 };
	pthread_t th;
	bool cancelled = false, resized = false;
	sigset_t async, old;
	int err;

	if (t->headless)
		return fn(s, t);
	/* The worker starts with the asynchronous signals blocked, so they
	 * reach this thread only: ncurses' Ctrl-Z handler (endwin, stop,
	 * restore) must not run in the worker while this thread draws, and
	 * Ctrl-C must interrupt this thread's waits.  Crash signals stay
	 * open: they go to the thread that crashed. */
	sigemptyset(&async);
	sigaddset(&async, SIGINT);
	sigaddset(&async, SIGTERM);
	sigaddset(&async, SIGHUP);
	sigaddset(&async, SIGQUIT);
	sigaddset(&async, SIGTSTP);
	sigaddset(&async, SIGCONT);
	sigaddset(&async, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &async, &old);
	err = pthread_create(&th, NULL, work_thread, &w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0)
		return fn(s, t);
	if (cancel)
		wtimeout(stdscr, 80);
	while (!atomic_load(&w.done)) {
		int code;
		wchar_t ch;

		if (!cancel) {
			napms(80);
		} else if (tui_term_getkey(&code, &ch)) {
			/* Only Esc (or F3) means something while waiting;
			 * other keys are typed ahead (the page gets them when
			 * the work is done), a resize redraws the box. */
			if (!cancelled && tui_key_action(code, ch) == ACT_BACK) {
				cancelled = true;
				cancel(s, t);
			} else if (code == KEY_RESIZE) {
				/* The pages hear of it when the work is done:
				 * their state belongs to the worker until then. */
				resized = true;
				erase();
			} else {
				ahead_push(code, ch);
			}
		}
		if (tui_suspend_caught)
			tui_term_suspend();
		t->tick++;
		draw_work(t, cancel != NULL && !cancelled);
	}
	if (cancel)
		wtimeout(stdscr, 200);
	pthread_join(th, NULL);
	if (resized)
		on_resize(t);
	return w.flags;
}

/* ---- The stack ------------------------------------------------------------ */

static void pop_screen(struct tui *t)
{
	struct screen *s = t->stack[--t->depth];

	if (s->ops->leave)
		s->ops->leave(s, t);
	free(s);
}

static int push_screen(struct tui *t, struct screen *s)
{
	if (!s) {
		snprintf(t->message, sizeof(t->message), "%s", _("Out of memory."));
		t->message_error = true;
		return 0;
	}
	if (t->depth >= TUI_STACK_MAX) {
		if (s->ops->leave)
			s->ops->leave(s, t);
		free(s);
		return 0;
	}
	t->stack[t->depth++] = s;
	return s->ops->enter ? s->ops->enter(s, t) : 0;
}

/* Acts on the flags of a handler; handlers may chain (an entered
 * screen asks for work, a resumed one pushes another). */
static void apply(struct tui *t, int flags)
{
	int guard = 0;

	while (flags && guard++ < 32) {
		int next = 0;

		if ((flags & TUI_QUIT) && tui_kiosk_locked()) {
			/* No way out of a locked kiosk but the operator's. */
			flags &= ~TUI_QUIT;
			continue;
		}
		if (flags & TUI_QUIT) {
			t->quitting = true;
			return;
		}
		if (flags & TUI_WORK) {
			struct screen *top = t->stack[t->depth - 1];
			int (*fn)(struct screen *, struct tui *) = t->work;
			void (*cancel)(struct screen *, struct tui *) = t->work_cancel;

			atomic_store(&t->work_permille, -1);
			atomic_store(&t->work_phase, NULL);
			draw_frame(t);
			draw_work(t, cancel != NULL);
			t->work = NULL;
			t->work_cancel = NULL;
			if (fn)
				next |= run_work(t, fn, top, cancel);
			t->work_label = NULL;
			flags &= ~TUI_WORK;
			flags |= next;
			next = 0;
			continue;
		}
		if (flags & TUI_POP) {
			if (t->depth > 1) {
				struct tui_result r;
				bool has = t->has_result;
				struct screen *below;

				if (has)
					memcpy(&r, &t->result, sizeof(r));
				t->has_result = false;
				OPENSSL_cleanse(&t->result, sizeof(t->result));
				pop_screen(t);
				below = t->stack[t->depth - 1];
				if (below->ops->resume) {
					if (!has)
						memset(&r, 0, sizeof(r));
					next |= below->ops->resume(below, t, &r);
				}
				OPENSSL_cleanse(&r, sizeof(r));
			} else if (!tui_kiosk_locked()) {
				t->quitting = true;
				return;
			}
		}
		if (flags & TUI_PUSH) {
			struct screen *s = t->push;
			t->push = NULL;
			next |= push_screen(t, s);
		}
		flags = next;
	}
}

static void on_resize(struct tui *t)
{
	int i;

	t->rows = LINES;
	t->cols = COLS;
	for (i = 0; i < t->depth; i++)
		if (t->stack[i]->ops->resize)
			t->stack[i]->ops->resize(t->stack[i], t);
	clearok(curscr, TRUE);
}

static void handle_key(struct tui *t, int code, wchar_t ch)
{
	struct tui_key k;
	struct screen *top = t->stack[t->depth - 1];
	int flags = 0;

	if (code == KEY_RESIZE) {
		on_resize(t);
		return;
	}
	k.code = code;
	k.ch = ch;
	k.act = tui_key_action(code, ch);
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) {
		if (k.act == ACT_QUIT && !tui_kiosk_locked())
			t->quitting = true;
		return;
	}
	t->message[0] = '\0';
	t->message_error = false;
	flags = top->ops->key(top, t, &k);
	if (!(flags & TUI_HANDLED) && !(flags & (TUI_PUSH | TUI_POP | TUI_QUIT | TUI_WORK))) {
		switch (k.act) {
		case ACT_HELP:
			if (strcmp(top->ops->name, "help") != 0) {
				t->push = tui_help_new();
				flags |= TUI_PUSH;
			}
			break;
		case ACT_QUIT:
			flags |= TUI_QUIT;
			break;
		case ACT_BACK:
			flags |= TUI_POP;
			break;
		case ACT_REDRAW:
			clearok(curscr, TRUE);
			break;
		default:
			break;
		}
	}
	apply(t, flags);
}

/* Dies of the quit signal caught, so that the shell that started us
 * knows (and stops a script on Ctrl-C): cleanup first, then the default
 * action.  Returns 128 + the signal if that did not end the process. */
static int die_of_signal(void)
{
	int sig = tui_signal_caught;

	fflush(NULL);
	signal(sig, SIG_DFL);
	raise(sig);
	return 128 + sig;
}

/* The kiosk's idle timeout: every page above the kiosk's Home is left
 * (each wipes what was typed into it and its secrets), the pages' shared
 * state goes too, and the kiosk is locked again. */
static void kiosk_idle(struct tui *t, double *last)
{
	bool was = t->depth > 1 || tui_kiosk.unlocked;

	*last = tui_now();
	if (!was)
		return;
	while (t->depth > 1)
		pop_screen(t);
	t->has_result = false;
	OPENSSL_cleanse(&t->result, sizeof(t->result));
	tui_kiosk.unlocked = false;
	if (tui_kiosk_on_idle)
		tui_kiosk_on_idle();
	snprintf(t->message, sizeof(t->message), "%s",
	         _("Nothing was typed for a while: what was entered has been wiped."));
	t->message_error = false;
	clearok(curscr, TRUE);
}

static bool idle_due(double last)
{
	return tui_kiosk.on && tui_kiosk.idle > 0 && tui_now() - last >= tui_kiosk.idle;
}

int tui_run(const struct tui_options *o, struct screen *first)
{
	double last_key;
	static struct tui tui;
	struct tui *t = &tui;
	struct script sc;
	FILE *dump = NULL;
	int rc = 0, dumps = 0;

	memset(t, 0, sizeof(*t));
	atomic_store(&t->work_permille, -1);
	tui_current = t;
	if (o->headless_cols) {
		if (!o->keys_file) {
			fprintf(stderr, "qoltanba: --headless needs --keys FILE\n");
			return 64;
		}
		if (script_load(&sc, o->keys_file) < 0)
			return 1;
		if (o->dump_file && strcmp(o->dump_file, "-") != 0) {
			dump = fopen(o->dump_file, "w");
			if (!dump) {
				fprintf(stderr, "qoltanba: %s: %s\n", o->dump_file, strerror(errno));
				return 1;
			}
		} else {
			dump = stdout;
		}
	}
	if (tui_term_start(t, o) < 0) {
		if (first && first->ops->leave)
			first->ops->leave(first, t);
		free(first);
		if (tui_signal_caught)
			die_of_signal();
		return 1;
	}
	if (tui_cfg.problem[0]) {
		snprintf(t->message, sizeof(t->message), "%s", tui_cfg.problem);
		t->message_error = true;
	}
	apply(t, push_screen(t, first) | 0);
	last_key = tui_now();

	while (!t->quitting && t->depth > 0 && !tui_signal_caught) {
		int code, a = 0, b = 0;
		wchar_t ch;

		if (tui_suspend_caught)
			tui_term_suspend();
		draw_frame(t);
		doupdate();
		if (t->headless) {
			int sk = script_next(&sc, &code, &ch, &a, &b);

			if (sk == SK_END)
				break;
			if (sk == SK_DUMP) {
				if (dumps++)
					fputs("\f\n", dump);
				tui_dump(dump);
				continue;
			}
			if (sk == SK_SIGNAL) {
				raise(a);
				continue;
			}
			if (sk == SK_IDLE) {
				tui_clock_offset += a;
				if (idle_due(last_key))
					kiosk_idle(t, &last_key);
				continue;
			}
			last_key = tui_now();
			if (sk == SK_RESIZE) {
				tui_term_resize(b, a);
				code = KEY_RESIZE;
				ch = 0;
			}
			handle_key(t, code, ch);
			continue;
		}
		if (!ahead_pop(&code, &ch) && !tui_term_getkey(&code, &ch)) {
			if (t->spinning) {
				t->tick++;
			}
			if (idle_due(last_key))
				kiosk_idle(t, &last_key);
			continue;
		}
		if (code != KEY_RESIZE)
			last_key = tui_now();
		handle_key(t, code, ch);
	}
	if (t->headless && !tui_signal_caught) {
		draw_frame(t);
		if (dumps++)
			fputs("\f\n", dump);
		tui_dump(dump);
	}
	/* Every exit path: screens wipe their secrets, then the terminal
	 * is restored. */
	while (t->depth > 0)
		pop_screen(t);
	if (tui_on_exit)
		tui_on_exit();
	tui_term_stop();
	if (dump && dump != stdout)
		fclose(dump);
	if (t->headless)
		free(sc.text);
	if (tui_signal_caught)
		rc = die_of_signal();
	return rc;
}
