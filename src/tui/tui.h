/* The terminal UI: the only part of qoltanba that talks to ncursesw
 * (STYLE.md rule 1).  Screens (screens/) draw with the helpers below,
 * return flags from their handlers, and one loop (loop.c) acts on them:
 * a screen never refreshes the terminal or switches screens itself. */
#ifndef QT_TUI_H
#define QT_TUI_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>
#include <stdatomic.h>

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24

/* ---- Actions: declared once (actions.c) ------------------------------ */
enum tui_action {
	ACT_NONE = 0,
	ACT_HELP,
	ACT_QUIT,
	ACT_BACK,
	ACT_SELECT,
	ACT_SUBMIT,
	ACT_NEXT,
	ACT_PREV,
	ACT_UP,
	ACT_DOWN,
	ACT_PGUP,
	ACT_PGDN,
	ACT_FIRST,
	ACT_LAST,
	ACT_SHOW_SECRET,
	ACT_BROWSE,
	ACT_CHANGE_PASSWORD,
	ACT_CLEAR,
	ACT_RELOAD,
	ACT_UNLOCK_ALL,
	ACT_REDRAW,
	ACT_CHANGE_PIN,
	ACT_SORT,
	ACT_COUNT
};

struct tui_action_def {
	enum tui_action id;
	const char *name;       /* stable, for scripts and the man page */
	const char *label;      /* N_(): short, for the status bar */
	const char *help;       /* N_(): one sentence, for the help screen */
	int fkey;               /* 0, or n for Fn */
	int ctrl;               /* 0, or the letter of Ctrl-letter */
	int other;              /* 0, or another curses key / character */
	const char *other_name; /* how to write `other` */
};

extern const struct tui_action_def tui_actions[];
const struct tui_action_def *tui_action_def(enum tui_action a);
/* "F1 ^G" or the like, into buf. */
void tui_action_keys(const struct tui_action_def *d, char *buf, size_t size);
/* Prints the key table (qoltanba --list-keys). */
void tui_print_keys(FILE *out);
/* The same as roff lines (.TP per action) for the manual's KEYS section
 * (qoltanba --list-keys --man); untranslated, as the page is English. */
void tui_print_keys_man(FILE *out);

/* ---- Keys ------------------------------------------------------------ */
struct tui_key {
	int code;              /* a KEY_* code, or 0 for a character */
	wchar_t ch;            /* the character when code == 0 */
	enum tui_action act;   /* what the action table makes of it */
};
/* A printable character (to be typed into a field or filter). */
bool tui_key_printable(const struct tui_key *k);

/* ---- Screens ----------------------------------------------------------- */
enum {
	TUI_HANDLED = 1 << 0,
	TUI_REDRAW  = 1 << 1,
	TUI_PUSH    = 1 << 2,   /* push tui->push (after a pop when both) */
	TUI_POP     = 1 << 3,
	TUI_QUIT    = 1 << 4,
	TUI_WORK    = 1 << 5    /* run tui->work with a "please wait" frame */
};

struct tui;
struct screen;

struct tui_result {
	int code;               /* screen-defined; 0 = cancelled */
	int tag;                /* the tag the screen was created with */
	char text[4096];
};

struct screen_ops {
	const char *name;
	bool modal;             /* drawn over the screen beneath */
	const char *(*title)(struct screen *s);
	int (*enter)(struct screen *s, struct tui *t);
	void (*draw)(struct screen *s, struct tui *t, int y, int x, int h, int w);
	int (*key)(struct screen *s, struct tui *t, const struct tui_key *k);
	int (*resize)(struct screen *s, struct tui *t);
	void (*leave)(struct screen *s, struct tui *t);   /* wipes and frees */
	/* The screen above popped with a result (optional). */
	int (*resume)(struct screen *s, struct tui *t, const struct tui_result *r);
	/* Actions for the status bar, ACT_NONE-terminated (optional). */
	const enum tui_action *(*bar)(struct screen *s);
	/* What an action does on this page, for the status bar, when the
	 * table's label says it too generally (F5 "Reload" that retries a
	 * portal call, or draws a new captcha); NULL: the table's. */
	const char *(*bar_label)(struct screen *s, enum tui_action a);
};

struct screen {
	const struct screen_ops *ops;
	void *priv;
	int tag;                /* which request of the screen beneath */
};

struct screen *tui_screen_new(const struct screen_ops *ops, void *priv);

#define TUI_STACK_MAX 16

struct tui {
	int rows, cols;
	bool headless;
	bool color;             /* colours in use now */
	bool color_wanted;      /* settings say so (NO_COLOR/--no-color clear it) */
	bool no_color_forced;
	bool utf8;              /* the locale is UTF-8: Unicode glyphs */
	struct screen *stack[TUI_STACK_MAX];
	int depth;
	/* Set by a handler together with its flag. */
	struct screen *push;
	struct tui_result result;       /* filled by a screen that pops */
	bool has_result;
	int (*work)(struct screen *s, struct tui *t);
	const char *work_label;
	/* Optional, set with work: called from the loop's thread when the
	 * user presses Esc (ACT_BACK) while the work runs; it must make the
	 * work return soon (qt_pcsc_cancel, an atomic flag).  The frame then
	 * says that Esc cancels. */
	void (*work_cancel)(struct screen *s, struct tui *t);
	/* Optional: the work may report how far it is (0..1000, -1: unknown,
	 * a spinner only) and what it is doing (a static translated
	 * string); the loop then draws a progress bar.  Written by the
	 * worker thread, read by the loop's; reset before each work. */
	_Atomic int work_permille;
	_Atomic(const char *) work_phase;
	/* Right end of the title line (which portal), or "". */
	char status_note[160];
	/* One line for the status area, cleared on the next key. */
	char message[512];
	bool message_error;
	int tick;               /* spinner frame */
	bool spinning;          /* a screen wants the spinner to move */
	int cursor_y, cursor_x; /* where the text cursor goes, or -1 */
	bool quitting;
	struct screen *bar_owner;   /* the top page, while the bar is drawn */
};

extern struct tui *tui_current;

/* ---- Drawing (draw.c) ------------------------------------------------- */
enum tui_role {
	R_NORMAL = 0, R_TITLE, R_BAR, R_KEY, R_SELECTED, R_DIM, R_ERROR,
	R_GOOD, R_WARN, R_FIELD, R_FIELD_FOCUS, R_FRAME, R_HEADING, R_ROLE_COUNT
};
attr_t tui_attr(enum tui_role r);
short tui_pair(enum tui_role r);

/* UTF-8 to wide characters (independent of the locale); returns the
 * count written, at most max-1, NUL-terminated. */
size_t tui_utf8_to_wcs(const char *s, wchar_t *out, size_t max);
/* Wide to UTF-8; returns bytes written, NUL-terminated. */
size_t tui_wcs_to_utf8(const wchar_t *w, size_t n, char *out, size_t max);
int tui_wcwidth(wchar_t c);
/* Display width of a UTF-8 string. */
int tui_width(const char *s);

/* Draws s at (y, x) in at most w cells, cut with an ellipsis when too
 * long and padded with spaces to w when pad.  Returns cells used. */
int tui_put(int y, int x, int w, const char *s, enum tui_role r, bool pad);
int tui_putw(int y, int x, int w, const wchar_t *s, size_t n, enum tui_role r, bool pad);
int tui_putf(int y, int x, int w, enum tui_role r, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Centred in w cells starting at x. */
void tui_put_center(int y, int x, int w, const char *s, enum tui_role r);
void tui_fill(int y, int x, int h, int w, enum tui_role r);
void tui_box(int y, int x, int h, int w, const char *title, enum tui_role r);
void tui_hline(int y, int x, int w, enum tui_role r);
/* Glyphs that fall back to ASCII when the locale is not UTF-8. */
const char *tui_glyph_ellipsis(void);
const char *tui_glyph_pointer(void);
/* Word-wraps text into the box; returns the lines used. */
int tui_wrap(int y, int x, int h, int w, const char *text, enum tui_role r);
/* Lines tui_wrap() would use at width w. */
int tui_wrap_count(int w, const char *text);

/* ---- Widgets (widgets.c) ------------------------------------------------ */

/* Menu: a vertical list of items, numbers as shortcuts. */
struct tui_menu {
	const char *const *items;  /* N_() strings */
	const char *const *hints;  /* N_() strings or NULL */
	int n, sel;
};
void tui_menu_draw(struct tui_menu *m, int y, int x, int h, int w);
/* Returns the chosen index on Enter, -1 when only moved, -2 unhandled. */
int tui_menu_key(struct tui_menu *m, const struct tui_key *k);

/* List with type-to-filter over any number of rows. */
struct tui_list {
	size_t count;              /* rows in the model */
	char **hay;                /* lower-case UTF-8 search text per row */
	size_t *shown;             /* indices that pass the filter */
	size_t nshown;
	size_t sel, top;           /* in shown[] */
	wchar_t filter[128];
	size_t filter_len;
	int page;                  /* rows visible, set by draw */
	void (*draw_row)(void *ctx, size_t row, int y, int x, int w, bool selected);
	void *ctx;
};
/* text(ctx, i) gives row i's searchable text (UTF-8). */
int tui_list_init(struct tui_list *l, size_t count,
                  const char *(*text)(void *ctx, size_t i, char *buf, size_t size),
                  void *ctx);
void tui_list_free(struct tui_list *l);
/* Row i's searchable text changed. */
void tui_list_update(struct tui_list *l, size_t i,
                     const char *(*text)(void *ctx, size_t i, char *buf, size_t size));
void tui_list_refilter(struct tui_list *l);
/* Draws rows and a filter line at the bottom (y+h-1). */
void tui_list_draw(struct tui_list *l, int y, int x, int h, int w);
/* TUI_HANDLED|TUI_REDRAW when it used the key; 0 otherwise. */
int tui_list_key(struct tui_list *l, const struct tui_key *k);
/* The model row selected, or (size_t)-1. */
size_t tui_list_selected(const struct tui_list *l);

/* Forms. */
enum tui_field_kind {
	TF_TEXT, TF_PASSWORD, TF_DIGITS, TF_EMAIL, TF_TICK, TF_CHOICE, TF_BUTTON
};
#define TUI_FIELD_MAX 256

struct tui_field;
/* Returns NULL when fine, or a short translated message. */
typedef const char *(*tui_validate_fn)(struct tui_field *f, void *ctx);

struct tui_field {
	enum tui_field_kind kind;
	const char *label;         /* N_() */
	wchar_t text[TUI_FIELD_MAX + 1];
	size_t len, cur, scroll;
	size_t max;                /* characters; 0: TUI_FIELD_MAX */
	bool show;                 /* password shown */
	bool checked;              /* tick box */
	const char *const *choices;/* N_() strings */
	int nchoices, choice;
	bool disabled;
	bool touched;              /* typed into: show validation */
	bool required;
	tui_validate_fn validate;
	const char *msg;           /* last validation message, or NULL */
	bool msg_ok;               /* msg is a positive note */
	bool overflow;             /* input was cut at max */
};

struct tui_form {
	struct tui_field *fields;
	int n, focus;
	int label_w;
	void *ctx;                 /* for validate */
};
void tui_form_draw(struct tui_form *f, int y, int x, int h, int w);
/* TUI_HANDLED|TUI_REDRAW when used.  Enter on a button or the last
 * field, or ACT_SUBMIT, sets *submit. */
int tui_form_key(struct tui_form *f, const struct tui_key *k, bool *submit);
/* Runs every validation; returns the index of the first bad field or -1. */
int tui_form_check(struct tui_form *f, bool touch_all);
/* The field's text as UTF-8 into buf (wipe it after use for secrets). */
void tui_field_get(const struct tui_field *f, char *buf, size_t size);
void tui_field_set(struct tui_field *f, const char *utf8);
void tui_field_wipe(struct tui_field *f);
void tui_form_wipe(struct tui_form *f);
/* A new password's field checked against the NCA policy as it is typed:
 * the failing rule, short enough to stand beside the field (which
 * character, and which rule it breaks), or "Meets the policy" with
 * msg_ok set.  rule: the caller's buffer for the formatted messages. */
const char *tui_password_rule(struct tui_field *f, char *rule, size_t size);

/* One table row of n columns: column i is cw[i] cells wide (0: hidden),
 * its text cut with an ellipsis in cw[i]-1 cells in role[i], then one
 * blank cell in gap. */
void tui_cells(int y, int x, int n, const int *cw, const char *const *text,
               const enum tui_role *role, enum tui_role gap);
/* A form validator for an e-mail field (qt_email_check): "Looks right"
 * or what is wrong. */
const char *tui_email_check(struct tui_field *f, void *ctx);

/* Progress bar (fraction in 0..1) and spinner glyph. */
void tui_progress_draw(int y, int x, int w, double fraction, const char *label);
const char *tui_spinner_glyph(int tick);

/* Status bar with the hints of the top screen. */
void tui_status_draw(struct tui *t, const enum tui_action *acts);

/* Modal dialog: a message with buttons.  The screen beneath gets the
 * chosen button index + 1 in result.code (0 when cancelled). */
struct screen *tui_dialog_new(const char *title, const char *text,
                              const char *const *buttons, int nbuttons, int tag);
/* Folder picker: returns the chosen folder in result.text, code 1. */
struct screen *tui_folder_picker_new(const char *start, int tag);
/* Modal password prompt: the password in result.text, code 1 (the loop
 * wipes the result after the screen beneath has used it). */
struct screen *tui_password_dialog_new(const char *title, const char *text, int tag);
/* Help screen built from the action table. */
struct screen *tui_help_new(void);

/* ---- Settings (config.c) ---------------------------------------------- */
struct tui_config {
	char language[16];         /* "", "en", "ru", "kk" */
	bool colors;
	char last_folder[TUI_FIELD_MAX * 4 + 2];
	char problem[480];         /* why the settings could not be read, or "" */
};
extern struct tui_config tui_cfg;
void tui_config_load(void);
/* Writes the settings to $XDG_CONFIG_HOME/qoltanba/config (qt_config_set:
 * atomic, mode 0600, other lines kept); 0 or -1 (message in tui->message). */
int tui_config_save(struct tui *t);
/* Switches the interface language now ("" = from the environment). */
void tui_set_language(const char *lang);
/* Applies colours on/off now. */
void tui_apply_colors(struct tui *t);

/* ---- Terminal (term.c) ------------------------------------------------- */
struct tui_options {
	const char *lang;
	bool no_color;
	int headless_cols, headless_rows;   /* 0: a real terminal */
	const char *keys_file;
	const char *dump_file;
	const char *start_folder;
	const char *portal;        /* --portal URL, or NULL */
	bool kiosk;                /* --kiosk */
};
/* The caller has read the settings (tui_config_load) and set the
 * language (--lang, else the settings'), before anything it prints. */
int tui_run(const struct tui_options *o, struct screen *first);
/* Called once when the loop ends, on every path (a signal too), after
 * the pages have left and before the terminal is restored: the pages'
 * shared resources (the portal connection, a local portal) go here. */
extern void (*tui_on_exit)(void);

/* ---- Kiosk (kiosk.c; doc/kiosk.md) -----------------------------------------
 * On with --kiosk or "kiosk = yes" in the system configuration; every
 * kiosk.* key is read from the system file alone, so a user's file can
 * neither turn the kiosk off nor change its code, roots or timeout. */
#define TUI_KIOSK_ROOTS 16
#define TUI_KIOSK_PATH 1024
struct tui_kiosk {
	bool on;
	bool unlocked;             /* the operator code was given */
	char code[200];            /* kiosk.operator_code (a passhash) */
	char roots[TUI_KIOSK_ROOTS][TUI_KIOSK_PATH];
	int nroots;
	int idle;                  /* kiosk.idle seconds; 0: no timeout */
	char log[TUI_KIOSK_PATH];  /* kiosk.log, or "" (syslog only) */
	int failures;              /* wrong codes since the last lock-out */
	int lockouts;              /* lock-outs since the last good code */
	double locked_until;       /* tui_now() */
};
extern struct tui_kiosk tui_kiosk;
/* Reads the system configuration; forced: --kiosk.  Returns 0, or -1
 * with the reason in err (kiosk on without a usable operator code). */
int tui_kiosk_load(bool forced, char *err, size_t size);
/* The kiosk is on and the operator has not unlocked it. */
bool tui_kiosk_locked(void);
/* Seconds on a monotonic clock (headless runs add <Idle N>). */
double tui_now(void);
/* NULL when the folder may be used (always outside the kiosk), else a
 * translated reason.  Symlinks and ".." are resolved (realpath) before
 * the folder is compared with the roots; a folder that does not exist
 * yet is judged by its nearest existing parent. */
const char *tui_kiosk_folder_check(const char *path);
/* The same as a form validator for a folder field. */
const char *tui_kiosk_field_check(struct tui_field *f, void *ctx);
/* The root a path lies in (index), or -1. */
int tui_kiosk_root_of(const char *path);
/* A root that exists, or NULL. */
const char *tui_kiosk_first_root(void);
/* "/media, /mnt/usb" for messages. */
const char *tui_kiosk_roots_text(void);
/* The operator code: 0 right (unlocked), 1 wrong, 2 locked out (*wait
 * seconds left).  Wrong codes and lock-outs are logged. */
int tui_kiosk_try_code(const char *code, int *wait);
/* Called by the idle timeout after the pages have been left: shared
 * state of the pages (the application being filled in) goes here. */
extern void (*tui_kiosk_on_idle)(void);
/* High contrast theme (theme = high-contrast): bold, reverse, no colour. */
extern bool tui_theme_hc;

#endif
