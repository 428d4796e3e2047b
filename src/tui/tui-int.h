/* Internal to src/tui. */
#ifndef QT_TUI_INT_H
#define QT_TUI_INT_H

#include <signal.h>
#include <stdio.h>
#include "tui/tui.h"

extern volatile sig_atomic_t tui_signal_caught, tui_suspend_caught;
/* Seconds added to tui_now() by <Idle N> in headless runs (kiosk.c). */
extern double tui_clock_offset;
int tui_term_start(struct tui *t, const struct tui_options *o);
void tui_term_stop(void);
void tui_term_suspend(void);
void tui_dump(FILE *out);
bool tui_term_getkey(int *code, wchar_t *ch);
void tui_term_resize(int rows, int cols);
enum tui_action tui_key_action(int code, wchar_t ch);

#endif
