/* The form widget's rules, key by key (no terminal needed: keys go
 * straight to tui_form_key): digits-only fields refuse letters, e-mail
 * fields check the address, long pastes are cut and said so, tick boxes
 * and choice lists, Enter moving on and submitting, the show toggle. */
#include <config.h>

#include <locale.h>
#include <string.h>

#include "tui/tui.h"
#include "tap.h"

static struct tui fake;

static void type(struct tui_form *f, const char *s)
{
	bool submit;
	wchar_t w[4096];
	size_t n = tui_utf8_to_wcs(s, w, 4096), i;

	for (i = 0; i < n; i++) {
		struct tui_key k = { 0, w[i], ACT_NONE };
		tui_form_key(f, &k, &submit);
	}
}

static bool act(struct tui_form *f, enum tui_action a)
{
	struct tui_key k = { 0, 0, a };
	bool submit;

	tui_form_key(f, &k, &submit);
	return submit;
}

int main(void)
{
	static const char *const choices[] = { "one", "two", "three" };
	struct tui_field fl[6];
	struct tui_form f;
	char buf[2048];
	int i;

	setlocale(LC_ALL, "C.UTF-8");
	tui_current = &fake;
	memset(fl, 0, sizeof(fl));
	fl[0].kind = TF_DIGITS; fl[0].label = "IIN"; fl[0].max = 12; fl[0].required = true;
	fl[1].kind = TF_EMAIL; fl[1].label = "E-mail";
	fl[2].kind = TF_PASSWORD; fl[2].label = "Password"; fl[2].max = 64;
	fl[3].kind = TF_TICK; fl[3].label = "Agree";
	fl[4].kind = TF_CHOICE; fl[4].label = "Choice"; fl[4].choices = choices; fl[4].nchoices = 3;
	fl[5].kind = TF_BUTTON; fl[5].label = "OK";
	memset(&f, 0, sizeof(f));
	f.fields = fl;
	f.n = 6;

	/* Digits only: letters are refused with a message. */
	type(&f, "80a");
	CHECK_STR(fl[0].msg, "Digits only");
	type(&f, "0416");
	tui_field_get(&fl[0], buf, sizeof(buf));
	CHECK_STR(buf, "800416");
	type(&f, "1002549999");          /* cut at 12 */
	tui_field_get(&fl[0], buf, sizeof(buf));
	CHECK_STR(buf, "800416100254");
	CHECK(fl[0].overflow);
	CHECK(strstr(fl[0].msg, "Cut at 12") != NULL);

	/* Enter moves on (not the last field). */
	CHECK(!act(&f, ACT_SELECT));
	CHECK_EQ_INT(f.focus, 1);

	/* E-mail: checked as typed. */
	type(&f, "name@example");
	CHECK(fl[1].msg != NULL);
	type(&f, ".kz");
	CHECK(fl[1].msg == NULL);
	type(&f, " x");
	CHECK(fl[1].msg != NULL);

	/* Password: Cyrillic is kept as typed (the policy check is the
	 * page's); a 10 kB paste is cut at 64. */
	act(&f, ACT_NEXT);
	CHECK_EQ_INT(f.focus, 2);
	type(&f, "пароль1");
	CHECK_EQ_INT(fl[2].len, 7);
	act(&f, ACT_CLEAR);
	CHECK_EQ_INT(fl[2].len, 0);
	for (i = 0; i < 10240; i++)
		type(&f, "a");
	CHECK_EQ_INT(fl[2].len, 64);
	CHECK(fl[2].overflow);
	CHECK(!fl[2].show);
	act(&f, ACT_SHOW_SECRET);
	CHECK(fl[2].show);
	tui_field_wipe(&fl[2]);
	CHECK_EQ_INT(fl[2].len, 0);
	CHECK_EQ_INT(fl[2].text[0], 0);

	/* Tick box: Space toggles. */
	act(&f, ACT_NEXT);
	type(&f, " ");
	CHECK(fl[3].checked);
	type(&f, " ");
	CHECK(!fl[3].checked);

	/* Choice list: Space or Right moves on, wrapping. */
	act(&f, ACT_NEXT);
	type(&f, " ");
	CHECK_EQ_INT(fl[4].choice, 1);
	{
		struct tui_key k = { KEY_LEFT, 0, ACT_NONE };
		bool submit;
		tui_form_key(&f, &k, &submit);
		tui_form_key(&f, &k, &submit);
	}
	CHECK_EQ_INT(fl[4].choice, 2);

	/* Enter on the last field submits; so does F2 anywhere. */
	CHECK(act(&f, ACT_SELECT));
	f.focus = 0;
	CHECK(act(&f, ACT_SUBMIT));

	/* A required field left empty is the first bad one. */
	tui_field_wipe(&fl[0]);
	fl[0].overflow = false;
	CHECK_EQ_INT(tui_form_check(&f, true), 0);
	CHECK_STR(fl[0].msg, "Required");

	/* Widths are cells, not bytes. */
	CHECK_EQ_INT(tui_width("ТЕСТОВ ТЕСТ"), 11);
	CHECK_EQ_INT(tui_width("ҰКО 3.0"), 7);
	CHECK_EQ_INT(tui_width("漢字"), 4);
	return tap_done();
}
