/* The action table (STYLE.md rule 4): each action's name, keys and help,
 * declared once.  The status bar, the help screen and the key list of
 * the manual (qoltanba --list-keys) are all made from it.  Every F-key
 * action also has a Ctrl key or another plain key, because F-keys get
 * lost over PuTTY, screen and some serial consoles.  Ctrl-S and Ctrl-Q
 * are avoided (XON/XOFF flow control), as are Ctrl-C and Ctrl-Z, which
 * keep their usual meaning (interrupt, suspend). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "tui/tui.h"
#include "i18n.h"

#define CTRL(c) ((c) & 0x1f)

const struct tui_action_def tui_actions[] = {
	{ ACT_HELP, "help", N_("Help"), N_("Show the keys and what they do"), 1, 'G', 0, NULL },
	{ ACT_QUIT, "quit", N_("Quit"), N_("Leave qoltanba"), 10, 'X', 0, NULL },
	{ ACT_BACK, "back", N_("Back"), N_("Go back to the previous page, or cancel a dialog"),
	  3, 0, 27, "Esc" },
	{ ACT_SELECT, "select", N_("Open"), N_("Open the selected item"), 0, 0, '\n', "Enter" },
	{ ACT_SUBMIT, "submit", N_("OK"), N_("Confirm the form (Enter on the last field does the same)"),
	  2, 'O', 0, NULL },
	{ ACT_NEXT, "next-field", N_("Next"), N_("Move to the next field"), 0, 0, '\t', "Tab" },
	{ ACT_PREV, "prev-field", N_("Previous"), N_("Move to the previous field"), 0, 0,
	  KEY_BTAB, "Shift-Tab" },
	{ ACT_UP, "up", N_("Up"), N_("Move up"), 0, 'P', KEY_UP, "Up" },
	{ ACT_DOWN, "down", N_("Down"), N_("Move down"), 0, 'N', KEY_DOWN, "Down" },
	{ ACT_PGUP, "page-up", N_("Page up"), N_("Move one page up"), 0, 0, KEY_PPAGE, "PgUp" },
	{ ACT_PGDN, "page-down", N_("Page down"), N_("Move one page down"), 0, 0, KEY_NPAGE, "PgDn" },
	{ ACT_FIRST, "first", N_("First"), N_("Go to the first item"), 0, 'A', KEY_HOME, "Home" },
	{ ACT_LAST, "last", N_("Last"), N_("Go to the last item"), 0, 'E', KEY_END, "End" },
	{ ACT_SHOW_SECRET, "show-password", N_("Show"),
	  N_("Show or hide the password being typed"), 4, 'T', 0, NULL },
	{ ACT_BROWSE, "browse", N_("Browse"), N_("Choose a folder from a list"), 7, 'F', 0, NULL },
	{ ACT_CHANGE_PASSWORD, "change-password", N_("Password"),
	  N_("Change the password of this key file"), 6, 'W', 0, NULL },
	{ ACT_CLEAR, "clear", N_("Clear"), N_("Clear the field or the filter"), 8, 'U', 0, NULL },
	{ ACT_RELOAD, "reload", N_("Reload"), N_("Read the folder again"), 5, 'R', 0, NULL },
	{ ACT_UNLOCK_ALL, "unlock-all", N_("Unlock all"),
	  N_("Open every key file of the folder with one password"), 9, 'K', 0, NULL },
	{ ACT_REDRAW, "redraw", N_("Redraw"), N_("Redraw the screen"), 0, 'L', 0, NULL },
	{ ACT_NONE, NULL, NULL, NULL, 0, 0, 0, NULL }
};

const struct tui_action_def *tui_action_def(enum tui_action a)
{
	const struct tui_action_def *d;

	for (d = tui_actions; d->name != NULL; d++)
		if (d->id == a)
			return d;
	return NULL;
}

void tui_action_keys(const struct tui_action_def *d, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (d->fkey)
		n += (size_t)snprintf(buf + n, size - n, "F%d", d->fkey);
	if (d->ctrl && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%s^%c", n ? " " : "", d->ctrl);
	if (d->other_name && n < size)
		snprintf(buf + n, size - n, "%s%s", n ? " " : "", d->other_name);
}

void tui_print_keys(FILE *out)
{
	const struct tui_action_def *d;
	char keys[64];

	fprintf(out, "%-16s %-18s %s\n", _("ACTION"), _("KEYS"), _("WHAT IT DOES"));
	for (d = tui_actions; d->name != NULL; d++) {
		tui_action_keys(d, keys, sizeof(keys));
		fprintf(out, "%-16s %-18s %s\n", d->name, keys, _(d->help));
	}
	fprintf(out, "\n%s\n", _("^X means Ctrl+X.  In lists, typing filters the list; "
	                         "in forms, it fills the field."));
}

bool tui_key_printable(const struct tui_key *k)
{
	return k->code == 0 && k->ch >= 0x20 && k->ch != 0x7f && k->act == ACT_NONE;
}

/* Maps a key to an action: used by the loop for every key. */
enum tui_action tui_key_action(int code, wchar_t ch);
enum tui_action tui_key_action(int code, wchar_t ch)
{
	const struct tui_action_def *d;

	for (d = tui_actions; d->name != NULL; d++) {
		if (code) {
			if (d->fkey && code == KEY_F(d->fkey))
				return d->id;
			if (d->other > 0xff && code == d->other)
				return d->id;
			if (d->id == ACT_SELECT && code == KEY_ENTER)
				return d->id;
		} else {
			if (d->ctrl && ch == CTRL(d->ctrl))
				return d->id;
			if (d->other && d->other <= 0xff && ch == (wchar_t)d->other)
				return d->id;
			if (d->id == ACT_SELECT && ch == '\r')
				return d->id;
		}
	}
	return ACT_NONE;
}
