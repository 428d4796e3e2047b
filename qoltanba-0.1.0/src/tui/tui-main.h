/* Entry point of the terminal UI, for src/main.c (no curses here). */
#ifndef QT_TUI_MAIN_H
#define QT_TUI_MAIN_H

/* qoltanba [--lang=LL] [--no-color] [--headless=COLSxROWS --keys=FILE
 * [--dump=FILE]] [--list-keys]; returns the exit code. */
int tui_main(int argc, char **argv);

#endif
