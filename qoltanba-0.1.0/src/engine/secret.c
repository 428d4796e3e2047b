/* Secrets: read without echo, never from argv or the environment, and
 * wiped as soon as they are used. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <qoltanba/fsutil.h>
#include <qoltanba/secret.h>

void qt_free_secret(void *p, size_t len)
{
	if (p != NULL)
		OPENSSL_clear_free(p, len);
}

void qt_free_secret_str(char *s)
{
	if (s != NULL)
		OPENSSL_clear_free(s, strlen(s));
}

/* Cuts the first line out of buf (in place). */
static void first_line(char *s, size_t len)
{
	size_t cut = strcspn(s, "\r\n");

	OPENSSL_cleanse(s + cut, len - cut);
}

qt_err qt_secret_from_file(const char *path, char **out)
{
	unsigned char *buf;
	size_t len;
	qt_err rc;

	*out = NULL;
	rc = qt_read_file(path, 4096, &buf, &len);
	if (rc != QT_OK)
		return rc;
	first_line((char *)buf, len);
	*out = (char *)buf;   /* allocated by OPENSSL_zalloc: qt_free_secret_str */
	return QT_OK;
}

qt_err qt_secret_prompt(const char *prompt, char **out)
{
	struct termios old, noecho;
	char *buf;
	size_t cap = 256, n = 0;
	int fd, c;
	FILE *tty;

	*out = NULL;
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return qt_error(QT_ERR_INVALID_ARG,
		                "no terminal to ask for the password on; use --password-file");
	tty = fdopen(fd, "r+");
	if (tty == NULL) {
		close(fd);
		return QT_ERR_NOMEM;
	}
	buf = OPENSSL_zalloc(cap);
	if (buf == NULL) {
		fclose(tty);
		return QT_ERR_NOMEM;
	}
	if (tcgetattr(fd, &old) != 0) {
		qt_free_secret(buf, cap);
		fclose(tty);
		return qt_error(QT_ERR_INVALID_ARG, "not a terminal");
	}
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	noecho.c_lflag |= ICANON;
	tcsetattr(fd, TCSAFLUSH, &noecho);
	/* The prompt only once echo is off and old typeahead is flushed:
	 * what is typed after it appears is neither echoed nor discarded. */
	fputs(prompt, tty);
	fflush(tty);
	setvbuf(tty, NULL, _IONBF, 0);
	while ((c = fgetc(tty)) != EOF && c != '\n' && c != '\r') {
		if (n + 1 >= cap)
			continue;   /* longer than any allowed password: drop the rest */
		buf[n++] = (char)c;
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	fputs("\n", tty);
	fclose(tty);
	if (c == EOF && n == 0) {
		qt_free_secret(buf, cap);
		return qt_error(QT_ERR_CANCELLED, "end of input");
	}
	buf[n] = '\0';
	*out = buf;
	return QT_OK;
}
