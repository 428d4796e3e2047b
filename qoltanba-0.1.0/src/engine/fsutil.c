/* Atomic, private file writes (STYLE.md rule 7). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <qoltanba/fsutil.h>
#include <qoltanba/secret.h>

void qt_crashpoint(const char *step)
{
	const char *at = getenv("QT_TEST_CRASH_AT");

	if (at != NULL && strcmp(at, step) == 0)
		kill(getpid(), SIGKILL);
}

/* dirname without modifying the argument; "." when there is no slash. */
static void dir_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		snprintf(out, size, ".");
	} else if (slash == path) {
		snprintf(out, size, "/");
	} else {
		snprintf(out, size, "%.*s", (int)(slash - path), path);
	}
}

qt_err qt_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return qt_error(qt_err_from_errno(errno), "%s: %s", dir, strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL) {
		int e = errno;
		close(fd);
		return qt_error(qt_err_from_errno(e), "%s: fsync: %s", dir, strerror(e));
	}
	close(fd);
	return QT_OK;
}

static qt_err write_all(int fd, const unsigned char *p, size_t len, const char *path)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return qt_error(qt_err_from_errno(errno), "%s: %s", path, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return QT_OK;
}

qt_err qt_atomic_write(const char *path, const void *data, size_t len,
                       mode_t mode, unsigned flags)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	unsigned char rnd[6];
	struct stat st;
	qt_err rc;
	int fd, tries;

	if (path == NULL || (data == NULL && len > 0))
		return qt_error(QT_ERR_INVALID_ARG, "no path");
	if (strlen(path) + 24 >= sizeof tmp)
		return qt_error(QT_ERR_INVALID_ARG, "%s: path too long", path);
	dir_of(path, dir, sizeof dir);

	if ((flags & QT_WRITE_EXCL) && lstat(path, &st) == 0)
		return qt_error(QT_ERR_EXISTS, "%s", path);

	/* The temp file lives beside the target, so rename() is atomic and
	 * the secret never touches another file system. */
	fd = -1;
	for (tries = 0; tries < 16 && fd < 0; tries++) {
		if (RAND_bytes(rnd, sizeof rnd) != 1)
			return qt_error_ssl(QT_ERR_CRYPTO, "random");
		snprintf(tmp, sizeof tmp, "%s.tmp-%02x%02x%02x%02x%02x%02x", path,
		         rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd < 0 && errno != EEXIST)
			return qt_error(qt_err_from_errno(errno), "%s: %s", dir, strerror(errno));
	}
	if (fd < 0)
		return qt_error(QT_ERR_IO, "%s: cannot create a temporary file", dir);
	/* open() honours umask; make the mode exact. */
	if (fchmod(fd, mode) != 0) {
		rc = qt_error(qt_err_from_errno(errno), "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	qt_crashpoint("open");

	rc = write_all(fd, data, len, path);
	if (rc != QT_OK)
		goto fail;
	qt_crashpoint("write");

	if (fsync(fd) != 0) {
		rc = qt_error(qt_err_from_errno(errno), "%s: fsync: %s", path, strerror(errno));
		goto fail;
	}
	qt_crashpoint("fsync");

	if (close(fd) != 0) {
		fd = -1;
		rc = qt_error(qt_err_from_errno(errno), "%s: close: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	qt_crashpoint("close");

	if (flags & QT_WRITE_EXCL) {
		/* link() fails if the target appeared meanwhile; rename() would
		 * silently replace it. */
		if (link(tmp, path) != 0) {
			rc = qt_error(qt_err_from_errno(errno), "%s: %s", path, strerror(errno));
			goto fail;
		}
		unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		rc = qt_error(qt_err_from_errno(errno), "%s: %s", path, strerror(errno));
		goto fail;
	}
	qt_crashpoint("rename");

	rc = qt_fsync_dir(dir);
	qt_crashpoint("dirsync");
	return rc;

fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

qt_err qt_read_file(const char *path, size_t max, unsigned char **out, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;
	struct stat st;
	int fd;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return qt_error(qt_err_from_errno(errno), "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		return qt_error(S_ISDIR(st.st_mode) ? QT_ERR_INVALID_ARG : QT_ERR_IO,
		                "%s: not a regular file", path);
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return qt_error(QT_ERR_INVALID_ARG, "%s: larger than %zu bytes", path, max);
	}
	cap = (size_t)st.st_size + 1;
	buf = OPENSSL_zalloc(cap);
	if (buf == NULL) {
		close(fd);
		return QT_ERR_NOMEM;
	}
	for (;;) {
		ssize_t r;
		if (n + 1 >= cap) {
			unsigned char *nb;
			size_t ncap = cap * 2 + 64;
			if (n >= max) {
				close(fd);
				qt_free_secret(buf, cap);
				return qt_error(QT_ERR_INVALID_ARG, "%s: larger than %zu bytes", path, max);
			}
			nb = OPENSSL_zalloc(ncap);
			if (nb == NULL) {
				close(fd);
				qt_free_secret(buf, cap);
				return QT_ERR_NOMEM;
			}
			memcpy(nb, buf, n);
			qt_free_secret(buf, cap);
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			qt_free_secret(buf, cap);
			return qt_error(qt_err_from_errno(e), "%s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	if (len != NULL)
		*len = n;
	return QT_OK;
}

qt_err qt_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof buf)
		return qt_error(QT_ERR_INVALID_ARG, "bad folder name");
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];
			buf[i] = '\0';
			if (mkdir(buf, mode) != 0 && errno != EEXIST)
				return qt_error(qt_err_from_errno(errno), "%s: %s", buf, strerror(errno));
			buf[i] = c;
		}
	}
	return QT_OK;
}
