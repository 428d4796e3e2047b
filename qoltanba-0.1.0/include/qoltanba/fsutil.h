/* Files written atomically and privately (STYLE.md rule 7).
 *
 * qt_atomic_write(): temp file in the same folder (mode 0600, O_EXCL),
 * write, fsync, close (checked), rename over the target, fsync the
 * folder.  A crash at any instant leaves either the old file or the
 * new one, never a mix, and a private key is never written anywhere but
 * its final folder.
 */
#ifndef QOLTANBA_FSUTIL_H
#define QOLTANBA_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <qoltanba/error.h>

#ifdef __cplusplus
extern "C" {
#endif

enum qt_write_flags {
	QT_WRITE_REPLACE = 0,     /* replace an existing file */
	QT_WRITE_EXCL = 1 << 0    /* fail with QT_ERR_EXISTS if it exists */
};

/* Writes data to path atomically with the given mode (0600 for keys). */
qt_err qt_atomic_write(const char *path, const void *data, size_t len,
                       mode_t mode, unsigned flags);

/* Reads a whole file (at most max bytes; QT_ERR_INVALID_ARG if larger).
 * *out is NUL-terminated for convenience; free it with
 * qt_free_secret(*out, *len), which wipes it first. */
qt_err qt_read_file(const char *path, size_t max, unsigned char **out,
                    size_t *len);

/* fsync() of a folder, so a rename in it is durable. */
qt_err qt_fsync_dir(const char *dir);

/* mkdir -p with the given mode for created folders. */
qt_err qt_mkdir_p(const char *path, mode_t mode);

/* Test hook: when the environment variable QT_TEST_CRASH_AT names a step
 * of qt_atomic_write ("open", "write", "fsync", "close", "rename",
 * "dirsync"), the process kills itself with SIGKILL right after that
 * step.  A test hook: harmless, as it can only stop the process at a
 * point where the old or the new file is complete. */
void qt_crashpoint(const char *step);

#ifdef __cplusplus
}
#endif
#endif
