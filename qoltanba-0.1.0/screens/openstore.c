/* Open key store: where the keys are.  A folder on this computer now;
 * tokens come with the tokens issue. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>

#include "screens/screens.h"
#include "i18n.h"

enum { F_KIND, F_FOLDER, F_OPEN, F_COUNT };
enum { TAG_PICK = 1 };

static const char *const kinds[] = { N_("Folder on this computer"), N_("Token or ID card") };

struct openstore {
	struct tui_field fields[F_COUNT];
	struct tui_form form;
};

static const char *folder_check(struct tui_field *f, void *ctx)
{
	char path[TUI_FIELD_MAX * 4 + 1];
	struct stat st;

	tui_field_get(f, path, sizeof(path));
	if (stat(path, &st) != 0)
		return errno == EACCES ? _("Permission denied") : _("No such folder");
	if (!S_ISDIR(st.st_mode))
		return _("Not a folder");
	return NULL;
}

static const char *os_title(struct screen *s) { return _("Open key store"); }

static void os_draw(struct screen *s, struct tui *t, int y, int x, int h, int w)
{
	struct openstore *o = s->priv;

	tui_wrap(y + 1, 2, 2, w - 4,
	         _("Where are the keys? Type the folder, or press F7/^F to choose it from a list."),
	         R_NORMAL);
	tui_form_draw(&o->form, y + 4, 2, h - 8, w - 4);
	if (o->fields[F_KIND].choice == 1)
		tui_wrap(y + 9, 4, 2, w - 8, _("Tokens and ID cards come in a later version of qoltanba."),
		         R_WARN);
	(void)t;
}

static int os_submit(struct openstore *o, struct tui *t)
{
	char path[TUI_FIELD_MAX * 4 + 1];

	if (o->fields[F_KIND].choice == 1) {
		t->push = tui_dialog_new(_("Not yet"),
		                         _("Tokens and ID cards come in a later version of qoltanba. "
		                           "For now, choose a folder on this computer."), NULL, 0, 0);
		return TUI_HANDLED | TUI_PUSH;
	}
	if (tui_form_check(&o->form, true) >= 0) {
		o->form.focus = F_FOLDER;
		return TUI_HANDLED | TUI_REDRAW;
	}
	tui_field_get(&o->fields[F_FOLDER], path, sizeof(path));
	{
		/* Remembered as an absolute path, to work from anywhere. */
		char *abs = realpath(path, NULL);
		snprintf(tui_cfg.last_folder, sizeof(tui_cfg.last_folder), "%s", abs ? abs : path);
		free(abs);
	}
	tui_config_save(t);
	t->message[0] = '\0';   /* a failed save is not worth a word here */
	t->push = screen_keylist_new(path);
	return TUI_HANDLED | TUI_PUSH;
}

static int os_key(struct screen *s, struct tui *t, const struct tui_key *k)
{
	struct openstore *o = s->priv;
	bool submit;
	int r;

	if (k->act == ACT_BROWSE) {
		char path[TUI_FIELD_MAX * 4 + 1];

		tui_field_get(&o->fields[F_FOLDER], path, sizeof(path));
		t->push = tui_folder_picker_new(path, TAG_PICK);
		return TUI_HANDLED | TUI_PUSH;
	}
	r = tui_form_key(&o->form, k, &submit);
	if (submit)
		return os_submit(o, t);
	return r;
}

static int os_resume(struct screen *s, struct tui *t, const struct tui_result *r)
{
	struct openstore *o = s->priv;

	if (r->tag == TAG_PICK && r->code == 1) {
		tui_field_set(&o->fields[F_FOLDER], r->text);
		o->fields[F_FOLDER].touched = true;
		tui_form_check(&o->form, false);
		o->form.focus = F_OPEN;
	}
	return TUI_REDRAW;
}

static void os_leave(struct screen *s, struct tui *t) { free(s->priv); }

static const enum tui_action os_bar_acts[] = { ACT_SUBMIT, ACT_BROWSE, ACT_BACK, ACT_NONE };
static const enum tui_action *os_bar(struct screen *s) { return os_bar_acts; }

static const struct screen_ops os_ops = {
	.name = "open-store", .title = os_title, .draw = os_draw, .key = os_key,
	.resume = os_resume, .leave = os_leave, .bar = os_bar,
};

struct screen *screen_openstore_new(const char *folder)
{
	struct openstore *o = calloc(1, sizeof(*o));
	const char *start = folder;

	if (!o)
		return NULL;
	o->fields[F_KIND].kind = TF_CHOICE;
	o->fields[F_KIND].label = N_("Storage");
	o->fields[F_KIND].choices = kinds;
	o->fields[F_KIND].nchoices = 2;
	o->fields[F_FOLDER].kind = TF_TEXT;
	o->fields[F_FOLDER].label = N_("Folder");
	o->fields[F_FOLDER].required = true;
	o->fields[F_FOLDER].max = 1000 > TUI_FIELD_MAX ? TUI_FIELD_MAX : 1000;
	o->fields[F_FOLDER].validate = folder_check;
	o->fields[F_OPEN].kind = TF_BUTTON;
	o->fields[F_OPEN].label = N_("Open");
	if (!start || !*start)
		start = tui_cfg.last_folder[0] ? tui_cfg.last_folder : getenv("HOME");
	if (start)
		tui_field_set(&o->fields[F_FOLDER], start);
	o->form.fields = o->fields;
	o->form.n = F_COUNT;
	o->form.focus = F_FOLDER;
	o->form.label_w = 16;
	o->form.ctx = o;
	return tui_screen_new(&os_ops, o);
}
