#!/usr/bin/env python3
"""Reads qoltanbad's text-art captcha from a captured terminal screen and
prints its digits, as a person would read them.  Usage:
captcha-solve.py COLUMN < screen   (COLUMN: where the picture starts).
The font is qoltanbad's (src/portald/captcha.c): five digits drawn with
'#' in a 5x5 font, each shifted right by 0-1 and down by 0-2, in 7 rows;
noise never uses '#'."""
import sys

FONT = [
    [" ### ", "#   #", "#   #", "#   #", " ### "],
    ["  #  ", " ##  ", "  #  ", "  #  ", " ### "],
    [" ### ", "#   #", "  ## ", " #   ", "#####"],
    ["#### ", "    #", " ### ", "    #", "#### "],
    ["#   #", "#   #", "#####", "    #", "    #"],
    ["#####", "#    ", "#### ", "    #", "#### "],
    [" ### ", "#    ", "#### ", "#   #", " ### "],
    ["#####", "    #", "   # ", "  #  ", "  #  "],
    [" ### ", "#   #", " ### ", "#   #", " ### "],
    [" ### ", "#   #", " ####", "    #", " ### "],
]

col = int(sys.argv[1])
rows = [l.rstrip("\n")[col:] for l in sys.stdin]
# The picture: the first run of 7 lines that hold '#'.
start = next(i for i, l in enumerate(rows) if "#" in l)
art = [(rows[i] if i < len(rows) else "").ljust(40) for i in range(max(0, start - 2), start + 7)]
cells = {(y, x) for y, l in enumerate(art) for x, c in enumerate(l) if c == "#"}
answer = ""
for i in range(5):
    band = {(y, x) for (y, x) in cells if 1 + i * 7 <= x <= 6 + i * 7}
    found = None
    for d, glyph in enumerate(FONT):
        for dx in (0, 1):
            for dy in range(9):
                x0 = 1 + i * 7 + dx
                want = {(dy + y, x0 + x) for y in range(5) for x in range(5) if glyph[y][x] == "#"}
                if want == band:
                    found = d
    if found is None:
        sys.exit("captcha-solve: digit %d not recognised" % (i + 1))
    answer += str(found)
print(answer)
