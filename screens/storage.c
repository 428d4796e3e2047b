/* The storage-type choice, with the portal's labels (domain.md 1.6):
 * PC folder, eToken PRO 72K, JaCarta, Kaztoken, AKey, ID card, each
 * with the factory PIN the portal tells people about, and the warning
 * that a folder on a PC is not a secure store.
 *
 * A reusable page: it only asks.  It pops with result.code = the chosen
 * enum qt_storage (QT_STORAGE_PKCS12 for a PC folder; 0 = cancelled)
 * and the tag it was made with; the page beneath decides what follows
 * (Open key store now, the enrolment form later). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qoltanba/atr.h>
#include "screens/screens.h"
#include "i18n.h"

/* The portal's order. */
static const enum qt_storage kinds[] = {
	QT_STORAGE_PKCS12, QT_STORAGE_ETOKEN72K, QT_STORAGE_JACARTA, QT_STORAGE_KAZTOKEN,
	QT_STORAGE_AKEY, QT_STORAGE_IDCARD,
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct storage {
	char question[512];
	struct tui_menu menu;   /* navigation only: the rows are drawn here */
	int n;
	int tag;
};

const char *screen_storage_label(enum qt_storage k)
{
	if (k == QT_STORAGE_PKCS12)
		return _("PC folder");
	return qt_medium_label(k);
}

static const char *sg_title(struct screen *s) { return _("Key storage"); }

static void sg_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct storage *st = s->priv;
	int i, mw = w - 8 > 74 ? 74 : w - 8, row = y + 1;
	enum qt_storage k;
	char buf[600];

	row += tui_wrap(row, 4, 2, mw, st->question, R_HEADING);
	row += tui_wrap(row, 4, 2, mw, _("Choose with the arrows and Enter, or press the number."),
	                R_DIM);
	row++;
	for (i = 0; i < st->n; i++) {
		const char *pin;
		bool sel = i == st->menu.sel;
		enum tui_role r = sel ? R_SELECTED : R_NORMAL;

		k = kinds[i];
		pin = qt_medium_default_pin(k);
		snprintf(buf, sizeof(buf), "%s %d  %s", sel ? tui_glyph_pointer() : " ", i + 1,
		         screen_storage_label(k));
		tui_put(row, 4, 24, buf, r, true);
		if (k == QT_STORAGE_PKCS12)
			snprintf(buf, sizeof(buf), "%s", _("key files in a folder"));
		else if (pin)
			snprintf(buf, sizeof(buf), _("factory PIN %s"), pin);
		else
			snprintf(buf, sizeof(buf), "%s", _("the PIN given with the card"));
		tui_put(row, 28, mw - 24, buf, sel ? R_SELECTED : R_DIM, true);
		row++;
	}
	row++;
	k = kinds[st->menu.sel];
	if (k == QT_STORAGE_PKCS12) {
		tui_wrap(row, 4, y + h - row, mw,
		         _("Warning: a folder on a PC is not a secure key store. Anyone who copies "
		           "the key files and learns their password can sign in your name. On a "
		           "token the private key is made inside it and cannot be copied."), R_WARN);
	} else if (k == QT_STORAGE_IDCARD) {
		tui_wrap(row, 4, y + h - row, mw,
		         _("The ID card is read through a smart-card reader. It blocks after 3 "
		           "wrong PINs in a row."), R_DIM);
	} else {
		snprintf(buf, sizeof(buf),
		         _("The private key is made and kept on the token. If the token still has "
		           "its factory PIN (%s), change it: anyone who knows the factory PIN can "
		           "use a token found or taken."), qt_medium_default_pin(k));
		tui_wrap(row, 4, y + h - row, mw, buf, R_DIM);
	}
	(void)t;
	(void)x;
}

static int sg_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct storage *st = s->priv;
	int c = tui_menu_key(&st->menu, k);

	if (c == -2)
		return 0;
	if (c == -1)
		return TUI_HANDLED | TUI_REDRAW;
	t->result.code = (int)kinds[c];
	t->result.tag = st->tag;
	t->has_result = true;
	return TUI_HANDLED | TUI_POP;
}

static void sg_leave(struct screen *s, struct tui *t) { free(s->priv); }

static const enum tui_action sg_bar_acts[] = { ACT_SELECT, ACT_BACK, ACT_NONE };
static const enum tui_action *sg_bar(struct screen *s) { return sg_bar_acts; }

static const struct screen_ops sg_ops = {
	.name = "storage", .title = sg_title, .draw = sg_draw, .key = sg_key,
	.leave = sg_leave, .bar = sg_bar,
};

struct screen *screen_storage_new(const char *question, bool with_idcard, int tag)
{
	struct storage *st = calloc(1, sizeof(*st));
	struct screen *s;

	if (!st)
		return NULL;
	snprintf(st->question, sizeof(st->question), "%s",
	         question ? question : _("Where are the keys?"));
	st->n = with_idcard ? (int)NKINDS : (int)NKINDS - 1;
	st->menu.n = st->n;
	st->tag = tag;
	s = tui_screen_new(&sg_ops, st);
	if (!s)
		free(st);
	else
		s->tag = tag;
	return s;
}
