/* Text-art captcha that reads in any terminal: five digits drawn with
 * '#' in a 5x5 font, each shifted up or down at random, with sparse
 * noise.  Plain ASCII, 7 lines of at most 40 columns. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

#include "portald/pd.h"

static const char *const FONT[10][5] = {
	{ " ### ", "#   #", "#   #", "#   #", " ### " },
	{ "  #  ", " ##  ", "  #  ", "  #  ", " ### " },
	{ " ### ", "#   #", "  ## ", " #   ", "#####" },
	{ "#### ", "    #", " ### ", "    #", "#### " },
	{ "#   #", "#   #", "#####", "    #", "    #" },
	{ "#####", "#    ", "#### ", "    #", "#### " },
	{ " ### ", "#    ", "#### ", "#   #", " ### " },
	{ "#####", "    #", "   # ", "  #  ", "  #  " },
	{ " ### ", "#   #", " ### ", "#   #", " ### " },
	{ " ### ", "#   #", " ####", "    #", " ### " },
};

#define DIGITS 5
#define ROWS 7
#define COLS (DIGITS * 7 + 1)

static unsigned rnd(unsigned n)
{
	unsigned char b[2];

	if (RAND_bytes(b, 2) != 1)
		abort();
	return ((unsigned)b[0] << 8 | b[1]) % n;
}

void pd_captcha_make(char answer[8], char **art)
{
	char grid[ROWS][COLS + 1];
	char *out;
	size_t o = 0;

	memset(grid, ' ', sizeof(grid));
	for (int i = 0; i < DIGITS; i++) {
		int d = (int)rnd(10), dy = (int)rnd(3), x0 = 1 + i * 7 + (int)rnd(2);

		answer[i] = (char)('0' + d);
		for (int y = 0; y < 5; y++)
			for (int x = 0; x < 5; x++)
				if (FONT[d][y][x] == '#')
					grid[y + dy][x0 + x] = '#';
	}
	answer[DIGITS] = '\0';
	/* Noise that does not touch the glyphs. */
	for (int k = 0; k < 12; k++) {
		int y = (int)rnd(ROWS), x = (int)rnd(COLS);

		if (grid[y][x] == ' ')
			grid[y][x] = ".'`,"[rnd(4)];
	}
	out = malloc(ROWS * (COLS + 1) + 1);
	if (!out)
		abort();
	for (int y = 0; y < ROWS; y++) {
		int end = COLS;

		while (end > 0 && grid[y][end - 1] == ' ')
			end--;
		memcpy(out + o, grid[y], (size_t)end);
		o += (size_t)end;
		out[o++] = '\n';
	}
	out[o] = '\0';
	*art = out;
}
