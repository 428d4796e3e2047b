/* "Connect the media": waits (in the worker thread, Esc cancels, up to
 * a minute or media_wait seconds) for a card or token in a reader, then shows the readers and
 * what is in each: the medium recognised by its ATR, or an unknown ATR
 * in hex with the file to add it to.  No reader, pcscd not running and
 * a polkit refusal (SSH) each get their own words.  Enter goes on to the
 * PKCS#11 tokens, also when PC/SC is not there (a module may not need
 * pcscd, as SoftHSM does not). */
#include <config.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qoltanba/atr.h>
#include <qoltanba/config.h>
#include <qoltanba/pcsc.h>
#include "screens/screens.h"
#include "i18n.h"

/* How long to wait: media_wait = SECONDS in the configuration (a
 * kiosk may want longer), 60 by default. */
#define MEDIA_WAIT_S 60

struct media {
	enum qt_storage wanted;
	int wait_s;
	qt_pcsc *pcsc;
	atomic_bool cancel;
	bool done;                  /* a wait has finished */
	qt_err rc;                  /* of the wait */
	qt_err list_rc;             /* of the listing after it */
	char detail[512];
	struct qt_reader *readers;
	size_t nreaders;
	enum qt_storage seen;       /* the medium the wait found */
	char label[256];            /* the work label */
	char atr_problem[512];
};

static bool md_cancelled(void *data)
{
	struct media *m = data;

	return atomic_load(&m->cancel);
}

/* In the worker thread: no curses here. */
static int md_wait(struct screen *s, struct tui *t)
{
	struct media *m = s->priv;
	struct qt_reader r;

	free(m->readers);
	m->readers = NULL;
	m->nreaders = 0;
	m->detail[0] = '\0';
	m->seen = QT_STORAGE_UNKNOWN;
	m->list_rc = QT_OK;
	atomic_store(&m->cancel, false);
	m->rc = QT_OK;
	if (!m->pcsc)
		m->rc = qt_pcsc_open(&m->pcsc);
	if (m->rc == QT_OK) {
		m->rc = qt_pcsc_wait_card(m->pcsc, NULL, m->wait_s * 1000, md_cancelled, m, &r);
		if (m->rc == QT_OK)
			m->seen = r.medium;
	}
	if (m->rc != QT_OK)
		snprintf(m->detail, sizeof(m->detail), "%s", qt_error_detail());
	if (m->pcsc && m->rc != QT_ERR_PCSC && m->rc != QT_ERR_PCSC_DENIED) {
		const char *pb = qt_atr_table_problem(qt_pcsc_atr_table(m->pcsc));

		m->list_rc = qt_pcsc_list(m->pcsc, &m->readers, &m->nreaders);
		snprintf(m->atr_problem, sizeof(m->atr_problem), "%s", pb ? pb : "");
	}
	if (m->rc == QT_ERR_PCSC || m->rc == QT_ERR_PCSC_DENIED) {
		/* Open again next time: pcscd may have been started. */
		qt_pcsc_close(m->pcsc);
		m->pcsc = NULL;
	}
	m->done = true;
	return TUI_REDRAW;
}

static void md_cancel(struct screen *s, struct tui *t)
{
	struct media *m = s->priv;

	atomic_store(&m->cancel, true);
}

static int md_start(struct screen *s, struct tui *t)
{
	struct media *m = s->priv;

	snprintf(m->label, sizeof(m->label), _("Waiting for the %s"),
	         screen_storage_label(m->wanted));
	t->work = md_wait;
	t->work_cancel = md_cancel;
	t->work_label = m->label;
	return TUI_WORK;
}

static const char *md_title(struct screen *s) { return _("Connect the media"); }

/* One reader: its name and what is in it. */
static int draw_reader(const struct qt_reader *r, int y, int x, int h, int w)
{
	char buf[1200], user[1024], sys[1024];
	int used;

	if (!r->card_present) {
		snprintf(buf, sizeof(buf), "%s: %s", r->name, _("empty"));
		return tui_wrap(y, x, h, w, buf, R_DIM);
	}
	if (r->medium != QT_STORAGE_UNKNOWN) {
		snprintf(buf, sizeof(buf), "%s: %s (ATR %s)", r->name, qt_medium_label(r->medium),
		         r->atr_hex);
		return tui_wrap(y, x, h, w, buf, R_GOOD);
	}
	snprintf(buf, sizeof(buf), _("%s: unknown card, ATR %s"), r->name, r->atr_hex);
	used = tui_wrap(y, x, h, w, buf, R_WARN);
	qt_atr_user_file(user, sizeof(user));
	qt_atr_system_file(sys, sizeof(sys));
	snprintf(buf, sizeof(buf),
	         _("This ATR is not in qoltanba's table. If the card is a key medium, add the line "
	           "\"MEDIUM %s\" to %s (for you) or %s (for everyone), where MEDIUM is one of "
	           "idcard, kaztoken, etoken72k, etoken5110, jacarta, akey."),
	         r->atr_hex, user, sys);
	return used + tui_wrap(y + used, x + 2, h - used, w - 2, buf, R_NORMAL);
}

static void md_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct media *m = s->priv;
	int row = y + 1, end = y + h - 1, mw = w - 4;
	char buf[1200];
	size_t i;

	snprintf(buf, sizeof(buf), _("Connect the %s to this computer (a card goes into its reader)."),
	         screen_storage_label(m->wanted));
	row += tui_wrap(row, 2, 2, mw, buf, R_HEADING);
	row++;
	if (!m->done)
		return;
	switch (m->rc) {
	case QT_OK:
		break;
	case QT_ERR_PCSC:
		row += tui_wrap(row, 2, end - row, mw, qt_strerror(m->rc), R_ERROR);
		row += tui_wrap(row, 2, end - row, mw,
		                _("Start it (systemctl start pcscd.socket, as root) and press F5/^R. "
		                  "A token whose module works without pcscd can still be used: "
		                  "press Enter."), R_NORMAL);
		return;
	case QT_ERR_PCSC_DENIED:
		row += tui_wrap(row, 2, end - row, mw, qt_strerror(m->rc), R_ERROR);
		row += tui_wrap(row, 2, end - row, mw,
		                _("The rule goes in /etc/polkit-1/rules.d/50-pcscd-ssh.rules; "
		                  "doc/tokens.md shows it. Log in at the computer itself, or ask "
		                  "its administrator to add the rule."), R_NORMAL);
		return;
	case QT_ERR_NO_CARD:
		if (m->list_rc == QT_ERR_NO_READER)
			break;
		snprintf(buf, sizeof(buf), dngettext(PACKAGE,
		         "Nothing was connected in %d second. Connect the media and press F5/^R "
		         "to wait again.", "Nothing was connected in %d seconds. Connect the media "
		         "and press F5/^R to wait again.", (unsigned long)m->wait_s), m->wait_s);
		row += tui_wrap(row, 2, end - row, mw, buf, R_WARN);
		break;
	case QT_ERR_CANCELLED:
		row += tui_wrap(row, 2, end - row, mw,
		                _("Waiting was cancelled. F5/^R waits again; Enter looks for tokens "
		                  "as they are."), R_WARN);
		break;
	default:
		snprintf(buf, sizeof(buf), "%s %s", qt_strerror(m->rc), m->detail);
		row += tui_wrap(row, 2, end - row, mw, buf, R_ERROR);
		break;
	}
	if (m->list_rc == QT_ERR_NO_READER) {
		row += tui_wrap(row, 2, end - row, mw, qt_strerror(m->list_rc), R_ERROR);
		tui_wrap(row, 2, end - row, mw,
		         _("Plug in the reader, or the token (a USB token is its own reader), and "
		           "press F5/^R."), R_NORMAL);
		return;
	}
	if (m->nreaders) {
		tui_put(row++, 2, mw, _("Readers"), R_HEADING, false);
		for (i = 0; i < m->nreaders && row < end; i++)
			row += draw_reader(&m->readers[i], row, 4, end - row, mw - 2);
		row++;
	}
	if (m->atr_problem[0] && row < end) {
		snprintf(buf, sizeof(buf), _("ATR table: %s (line skipped)"), m->atr_problem);
		row += tui_wrap(row, 2, end - row, mw, buf, R_WARN);
	}
	if (m->rc == QT_OK && row < end) {
		if (m->seen != QT_STORAGE_UNKNOWN && m->seen != m->wanted &&
		    m->wanted != QT_STORAGE_UNKNOWN) {
			snprintf(buf, sizeof(buf), _("This is a %s, not the %s you chose."),
			         qt_medium_label(m->seen), screen_storage_label(m->wanted));
			row += tui_wrap(row, 2, end - row, mw, buf, R_WARN);
		}
		tui_wrap(row, 2, end - row, mw,
		         _("Press Enter to choose the token and type its PIN."), R_NORMAL);
	}
	(void)t;
	(void)x;
}

static int md_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct media *m = s->priv;

	if (k->act == ACT_RELOAD)
		return md_start(s, t) | TUI_HANDLED;
	if (k->act == ACT_SELECT && m->done) {
		t->push = screen_tokens_new(m->seen != QT_STORAGE_UNKNOWN ? m->seen : m->wanted);
		return TUI_HANDLED | TUI_PUSH;
	}
	return 0;
}

static void md_leave(struct screen *s, struct tui *t)
{
	struct media *m = s->priv;

	free(m->readers);
	qt_pcsc_close(m->pcsc);
	free(m);
}

static const enum tui_action md_bar_acts[] = { ACT_SELECT, ACT_RELOAD, ACT_BACK, ACT_NONE };
static const enum tui_action *md_bar(struct screen *s) { return md_bar_acts; }

static const struct screen_ops md_ops = {
	.name = "media", .title = md_title, .enter = md_start, .draw = md_draw, .key = md_key,
	.leave = md_leave, .bar = md_bar,
};

struct screen *screen_media_new(enum qt_storage wanted)
{
	struct media *m = calloc(1, sizeof(*m));
	struct screen *s;

	if (!m)
		return NULL;
	m->wanted = wanted;
	m->wait_s = MEDIA_WAIT_S;
	{
		qt_config *cfg = NULL;
		const char *v;

		if (qt_config_load(&cfg) == QT_OK && (v = qt_config_get(cfg, "media_wait"))) {
			char *end;
			long n = strtol(v, &end, 10);

			if (*end == '\0' && n > 0 && n <= 3600)
				m->wait_s = (int)n;
		}
		qt_config_free(cfg);
		qt_error_clear();
	}
	atomic_init(&m->cancel, false);
	s = tui_screen_new(&md_ops, m);
	if (!s)
		free(m);
	return s;
}
