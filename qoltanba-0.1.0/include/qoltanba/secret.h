/* Passwords and PINs: read without echo, never from argv or the
 * environment, wiped after use (STYLE.md rule 8). */
#ifndef QOLTANBA_SECRET_H
#define QOLTANBA_SECRET_H

#include <stddef.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Wipes len bytes (OPENSSL_cleanse) and frees. NULL is fine. */
void qt_free_secret(void *p, size_t len);
/* Wipes a NUL-terminated secret and frees it. */
void qt_free_secret_str(char *s);

/* The first line of a file (without its newline) as a new string;
 * the file must not be larger than 4 KiB. */
qt_err qt_secret_from_file(const char *path, char **out);

/* Prompts on /dev/tty with echo off and reads one line.  Fails with
 * QT_ERR_INVALID_ARG when there is no terminal. */
qt_err qt_secret_prompt(const char *prompt, char **out);

#ifdef __cplusplus
}
#endif
#endif
