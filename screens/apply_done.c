/* The application number (domain.md 1, step 7): "remember it".  Save
 * writes the application form as text and HTML into the keys folder (or
 * another folder typed or picked with F7/^F); Print sends the text to
 * lpr when this computer has it, and says so when it does not. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <qoltanba/fsutil.h>
#include "screens/screens.h"
#include "screens/enroll.h"
#include "i18n.h"

enum { F_FOLDER, F_SAVE, F_PRINT, F_DONE, F_COUNT };
enum { TAG_FOLDER = 1 };

struct done {
	struct qt_app_record rec;
	struct tui_field fields[F_COUNT];
	struct tui_form form;
	char note[1200];
	bool note_error;
};

static const char *dn_title(struct screen *s) { return _("Application submitted"); }

static void dn_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct done *d = s->priv;
	int mw = w - 4, row = y + 1;
	char buf[512];

	tui_put(row++, 2, mw, _("Your application is accepted. Its number:"), R_NORMAL, false);
	row++;
	tui_put(row++, 6, mw - 4, d->rec.number, R_HEADING, false);
	row++;
	row += tui_wrap(row, 2, 3, mw,
	                _("Remember it (or save the form): you need it to check the status and to "
	                  "install the certificates. Take the form and your identity document to a "
	                  "Registration Authority within 30 days, or the application is "
	                  "cancelled."), R_WARN);
	row++;
	if (enr_rec_is_pc(&d->rec)) {
		snprintf(buf, sizeof(buf), _("The keys wait in %s."), d->rec.folder);
		row += tui_wrap(row, 2, 2, mw, buf, R_DIM);
		row++;
	}
	tui_form_draw(&d->form, row, 2, 7, mw);
	row += 8;
	if (d->note[0])
		tui_wrap(row, 2, y + h - row, mw, d->note, d->note_error ? R_ERROR : R_GOOD);
	(void)t;
	(void)x;
}

static void save_form(struct done *d)
{
	char folder[TUI_FIELD_MAX * 4 + 1], txt[PATH_MAX + 64], html[PATH_MAX + 64];
	char *text = NULL, *page = NULL;
	qt_err rc;

	tui_field_get(&d->fields[F_FOLDER], folder, sizeof(folder));
	if (tui_kiosk_folder_check(folder)) {
		/* A kiosk: only folders on its removable media. */
		snprintf(d->note, sizeof(d->note), "%s", tui_kiosk_folder_check(folder));
		d->note_error = true;
		return;
	}
	snprintf(txt, sizeof(txt), "%s/application-%s.txt", folder, d->rec.number);
	snprintf(html, sizeof(html), "%s/application-%s.html", folder, d->rec.number);
	rc = qt_mkdir_p(folder, 0700);
	if (rc == QT_OK)
		rc = qt_application_form_text(NULL, &d->rec, &text);
	if (rc == QT_OK)
		rc = qt_application_form_html(NULL, &d->rec, &page);
	if (rc == QT_OK)
		rc = qt_atomic_write(txt, text, strlen(text), 0600, 0);
	if (rc == QT_OK)
		rc = qt_atomic_write(html, page, strlen(page), 0600, 0);
	free(text);
	free(page);
	d->note_error = rc != QT_OK;
	if (rc == QT_OK)
		snprintf(d->note, sizeof(d->note), _("Saved %s and %s."), txt, html);
	else
		snprintf(d->note, sizeof(d->note), _("Could not save the form in %s: %s %s"), folder,
		         qt_strerror(rc), qt_error_detail());
}

static bool have_lpr(char *path, size_t size)
{
	const char *p = getenv("PATH");
	char dir[PATH_MAX];

	if (!p)
		p = "/usr/bin:/bin";
	while (*p) {
		const char *c = strchr(p, ':');
		size_t n = c ? (size_t)(c - p) : strlen(p);

		snprintf(dir, sizeof(dir), "%.*s", (int)n, p);
		snprintf(path, size, "%s/lpr", n ? dir : ".");
		if (access(path, X_OK) == 0)
			return true;
		if (!c)
			break;
		p = c + 1;
	}
	return false;
}

/* Work: lpr reads the form on its standard input. */
static int dn_print(struct screen *s, struct tui *t)
{
	struct done *d = s->priv;
	char lpr[PATH_MAX + 8];
	char *text = NULL;
	int fds[2], status = 0;
	pid_t pid;
	qt_err rc;

	d->note_error = true;
	if (!have_lpr(lpr, sizeof(lpr))) {
		snprintf(d->note, sizeof(d->note), "%s",
		         _("This computer has no printer command (lpr). Save the form (it is an "
		           "HTML page too) and print it from a browser or another computer."));
		return TUI_REDRAW;
	}
	rc = qt_application_form_text(NULL, &d->rec, &text);
	if (rc != QT_OK || pipe(fds) != 0) {
		snprintf(d->note, sizeof(d->note), "%s %s", qt_strerror(rc ? rc : QT_ERR_IO),
		         qt_error_detail());
		free(text);
		return TUI_REDRAW;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fds[0], 0);
		if (null >= 0) {
			/* lpr must not write over the screen. */
			dup2(null, 1);
			dup2(null, 2);
		}
		close(fds[0]);
		close(fds[1]);
		execl(lpr, "lpr", "-T", "qoltanba application", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	if (pid > 0) {
		size_t n = strlen(text), off = 0;

		while (off < n) {
			ssize_t wr = write(fds[1], text + off, n - off);
			if (wr <= 0)
				break;
			off += (size_t)wr;
		}
	}
	close(fds[1]);
	free(text);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		snprintf(d->note, sizeof(d->note), _("lpr (%s) could not print the form (is a printer "
		                                     "set up?). Save it and print it elsewhere."),
		         lpr);
		return TUI_REDRAW;
	}
	d->note_error = false;
	snprintf(d->note, sizeof(d->note), "%s", _("The form went to the printer."));
	return TUI_REDRAW;
}

static int dn_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct done *d = s->priv;
	char path[TUI_FIELD_MAX * 4 + 1];
	bool submit;
	int r;

	if (k->act == ACT_BACK)
		return enr_finish(t);
	if (k->act == ACT_BROWSE) {
		tui_field_get(&d->fields[F_FOLDER], path, sizeof(path));
		t->push = tui_folder_picker_new(path, TAG_FOLDER);
		return TUI_HANDLED | TUI_PUSH;
	}
	r = tui_form_key(&d->form, k, &submit);
	if (!submit)
		return r;
	switch (d->form.focus) {
	case F_PRINT:
		t->work = dn_print;
		t->work_label = _("Printing");
		return TUI_HANDLED | TUI_WORK;
	case F_DONE:
		return enr_finish(t);
	default:
		if (tui_form_check(&d->form, true) >= 0)
			return TUI_HANDLED | TUI_REDRAW;
		save_form(d);
		return TUI_HANDLED | TUI_REDRAW;
	}
}

static int dn_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct done *d = s->priv;

	if (r->tag == TAG_FOLDER && r->code == 1) {
		tui_field_set(&d->fields[F_FOLDER], r->text);
		d->form.focus = F_SAVE;
	}
	return TUI_REDRAW;
}

static void dn_leave(struct screen *s, struct tui *t) { free(s->priv); }
static int dn_resize(struct screen *s, struct tui *t) { return TUI_REDRAW; }

static const enum tui_action dn_bar_acts[] = { ACT_SELECT, ACT_NEXT, ACT_BROWSE, ACT_BACK,
                                               ACT_NONE };
static const enum tui_action *dn_bar(struct screen *s) { return dn_bar_acts; }

static const struct screen_ops dn_ops = {
	.name = "apply-done", .title = dn_title, .draw = dn_draw, .key = dn_key,
	.resize = dn_resize, .resume = dn_resume, .leave = dn_leave, .bar = dn_bar,
};

struct screen *screen_apply_done_new(const struct qt_app_record *rec)
{
	struct done *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->rec = *rec;
	d->fields[F_FOLDER].kind = TF_TEXT;
	d->fields[F_FOLDER].label = N_("Save the form in");
	d->fields[F_FOLDER].required = true;
	tui_field_set(&d->fields[F_FOLDER], rec->folder[0] ? rec->folder : getenv("HOME") ?
	              getenv("HOME") : ".");
	d->fields[F_SAVE].kind = TF_BUTTON;
	d->fields[F_SAVE].label = N_("Save the form");
	d->fields[F_PRINT].kind = TF_BUTTON;
	d->fields[F_PRINT].label = N_("Print");
	d->fields[F_DONE].kind = TF_BUTTON;
	d->fields[F_DONE].label = N_("Done");
	d->form.fields = d->fields;
	d->form.n = F_COUNT;
	d->form.label_w = 18;
	d->form.ctx = d;
	d->form.focus = F_SAVE;
	return tui_screen_new(&dn_ops, d);
}
