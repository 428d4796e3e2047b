/* Drawing helpers: widths measured in cells with wcwidth (never bytes),
 * wide-character boxes, and ASCII glyphs when the locale is not UTF-8
 * (STYLE.md rule 10). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "tui/tui.h"
#include "i18n.h"

size_t tui_utf8_to_wcs(const char *s, wchar_t *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	if (max == 0)
		return 0;
	while (*p && n + 1 < max) {
		unsigned c = *p, need, v;

		if (c < 0x80) { v = c; need = 0; }
		else if ((c & 0xe0) == 0xc0) { v = c & 0x1f; need = 1; }
		else if ((c & 0xf0) == 0xe0) { v = c & 0x0f; need = 2; }
		else if ((c & 0xf8) == 0xf0) { v = c & 0x07; need = 3; }
		else { p++; out[n++] = 0xfffd; continue; }
		p++;
		while (need && (*p & 0xc0) == 0x80) {
			v = (v << 6) | (*p & 0x3f);
			p++;
			need--;
		}
		out[n++] = need ? 0xfffd : (wchar_t)v;
	}
	out[n] = 0;
	return n;
}

size_t tui_wcs_to_utf8(const wchar_t *w, size_t n, char *out, size_t max)
{
	size_t o = 0, i;

	if (max == 0)
		return 0;
	for (i = 0; i < n && w[i]; i++) {
		unsigned long c = (unsigned long)w[i];
		unsigned char b[4];
		size_t k;

		if (c < 0x80) { b[0] = (unsigned char)c; k = 1; }
		else if (c < 0x800) { b[0] = 0xc0 | (c >> 6); b[1] = 0x80 | (c & 0x3f); k = 2; }
		else if (c < 0x10000) {
			b[0] = 0xe0 | (c >> 12); b[1] = 0x80 | ((c >> 6) & 0x3f);
			b[2] = 0x80 | (c & 0x3f); k = 3;
		} else {
			b[0] = 0xf0 | (c >> 18); b[1] = 0x80 | ((c >> 12) & 0x3f);
			b[2] = 0x80 | ((c >> 6) & 0x3f); b[3] = 0x80 | (c & 0x3f); k = 4;
		}
		if (o + k + 1 > max)
			break;
		memcpy(out + o, b, k);
		o += k;
	}
	out[o] = '\0';
	return o;
}

int tui_wcwidth(wchar_t c)
{
	int w;

	if (c < 0x20 || c == 0x7f)
		return 1;              /* drawn as '?' */
	w = wcwidth(c);
	if (w < 0)
		return 1;              /* not UTF-8 locale: one cell, '?' */
	return w;
}

int tui_width(const char *s)
{
	wchar_t buf[1024];
	size_t n = tui_utf8_to_wcs(s, buf, 1024), i;
	int w = 0;

	for (i = 0; i < n; i++)
		w += tui_wcwidth(buf[i]);
	return w;
}

static void put_wch(int y, int x, wchar_t c, attr_t a, short pair)
{
	cchar_t cc;
	wchar_t s[2] = { c, 0 };

	if (c < 0x20 || c == 0x7f || (!tui_current->utf8 && c > 0x7e) || wcwidth(c) < 0)
		s[0] = '?';
	setcchar(&cc, s, a, pair, NULL);
	mvadd_wch(y, x, &cc);
}

int tui_putw(int y, int x, int w, const wchar_t *s, size_t n, enum tui_role r, bool pad)
{
	attr_t a = tui_attr(r);
	short pair = tui_pair(r);
	int used = 0, total = 0;
	size_t i;

	if (w <= 0 || y < 0 || y >= LINES)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	for (i = 0; i < n; i++)
		total += tui_wcwidth(s[i]);
	for (i = 0; i < n; i++) {
		int cw = tui_wcwidth(s[i]);

		if (total > w && used + cw > w - 1) {
			/* cut: the ellipsis takes the last cell */
			if (tui_current->utf8)
				put_wch(y, x + used, 0x2026, a, pair);
			else
				put_wch(y, x + used, '~', a, pair);
			used++;
			break;
		}
		if (cw == 0)
			continue;  /* combining marks are not drawn alone */
		put_wch(y, x + used, s[i], a, pair);
		used += cw;
	}
	if (pad)
		while (used < w)
			put_wch(y, x + used++, ' ', a, pair);
	return used;
}

int tui_put(int y, int x, int w, const char *s, enum tui_role r, bool pad)
{
	wchar_t buf[2048];
	size_t n = tui_utf8_to_wcs(s ? s : "", buf, 2048);

	return tui_putw(y, x, w, buf, n, r, pad);
}

int tui_putf(int y, int x, int w, enum tui_role r, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tui_put(y, x, w, buf, r, false);
}

void tui_put_center(int y, int x, int w, const char *s, enum tui_role r)
{
	int sw = tui_width(s);

	if (sw > w)
		sw = w;
	tui_put(y, x + (w - sw) / 2, w - (w - sw) / 2, s, r, false);
}

void tui_fill(int y, int x, int h, int w, enum tui_role r)
{
	int i, j;

	for (i = 0; i < h; i++)
		for (j = 0; j < w; j++)
			put_wch(y + i, x + j, ' ', tui_attr(r), tui_pair(r));
}

void tui_hline(int y, int x, int w, enum tui_role r)
{
	int j;

	for (j = 0; j < w; j++) {
		if (tui_current->utf8) {
			put_wch(y, x + j, 0x2500, tui_attr(r), tui_pair(r));
		} else {
			put_wch(y, x + j, '-', tui_attr(r), tui_pair(r));
		}
	}
}

/* Boxes with the wide-character line glyphs (U+2500...) drawn as
 * characters, not with the alternate character set, so PuTTY with a
 * UTF-8 setting does not print "qqqq"; '+', '-', '|' without UTF-8. */
void tui_box(int y, int x, int h, int w, const char *title, enum tui_role r)
{
	bool u = tui_current->utf8;
	attr_t a = tui_attr(r);
	short p = tui_pair(r);
	int i;

	if (h < 2 || w < 2)
		return;
	put_wch(y, x, u ? 0x250c : '+', a, p);
	put_wch(y, x + w - 1, u ? 0x2510 : '+', a, p);
	put_wch(y + h - 1, x, u ? 0x2514 : '+', a, p);
	put_wch(y + h - 1, x + w - 1, u ? 0x2518 : '+', a, p);
	for (i = 1; i < w - 1; i++) {
		put_wch(y, x + i, u ? 0x2500 : '-', a, p);
		put_wch(y + h - 1, x + i, u ? 0x2500 : '-', a, p);
	}
	for (i = 1; i < h - 1; i++) {
		put_wch(y + i, x, u ? 0x2502 : '|', a, p);
		put_wch(y + i, x + w - 1, u ? 0x2502 : '|', a, p);
	}
	if (title && *title) {
		char buf[512];

		snprintf(buf, sizeof(buf), " %s ", title);
		tui_put(y, x + 2, w - 4, buf, R_HEADING, false);
	}
}

const char *tui_glyph_ellipsis(void)
{
	return tui_current->utf8 ? "\xe2\x80\xa6" : "...";
}

const char *tui_glyph_pointer(void)
{
	return tui_current->utf8 ? "\xe2\x96\xb8" : ">";
}

static int wrap(int y, int x, int h, int w, const char *text, enum tui_role r, bool draw)
{
	wchar_t buf[4096];
	size_t n = tui_utf8_to_wcs(text, buf, 4096), start = 0;
	int line = 0;

	while (start < n && line < h) {
		size_t i = start, brk = 0;
		int used = 0;
		bool hard = false;

		while (i < n) {
			int cw = tui_wcwidth(buf[i]);

			if (buf[i] == '\n') { hard = true; break; }
			if (used + cw > w)
				break;
			if (buf[i] == ' ')
				brk = i;
			used += cw;
			i++;
		}
		if (i < n && !hard && brk > start)
			i = brk;
		if (draw)
			tui_putw(y + line, x, w, buf + start, i - start, r, false);
		line++;
		start = i;
		if (hard)
			start++;
		else
			while (start < n && buf[start] == ' ')
				start++;
	}
	return line;
}

int tui_wrap(int y, int x, int h, int w, const char *text, enum tui_role r)
{
	return wrap(y, x, h, w, text, r, true);
}

int tui_wrap_count(int w, const char *text)
{
	return wrap(0, 0, 1000, w, text, R_NORMAL, false);
}
