/* The local journal of applications: JSON, written atomically, locked. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/rand.h>

#include <qoltanba/config.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/journal.h>
#include <qoltanba/secret.h>
#include "i18n.h"

#define JOURNAL_MAX_BYTES (8 * 1024 * 1024)

static const char *const step_names[] = {
	"keys_generated", "submitted", "issued", "installed", "rejected", "cancelled"
};

const char *qt_app_step_name(enum qt_app_step s)
{
	return (unsigned)s < sizeof step_names / sizeof step_names[0] ? step_names[s] : "unknown";
}

qt_err qt_app_step_parse(const char *name, enum qt_app_step *out)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof step_names / sizeof step_names[0]; i++) {
		if (strcmp(step_names[i], name) == 0) {
			*out = (enum qt_app_step)i;
			return QT_OK;
		}
	}
	return qt_error(QT_ERR_INVALID_ARG, "step \"%s\"", name ? name : "");
}

static char *default_path(void)
{
	char *dir = qt_state_dir(), *p;
	size_t n;

	if (dir == NULL)
		return NULL;
	n = strlen(dir) + sizeof "/applications.json";
	p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%s/applications.json", dir);
	free(dir);
	return p;
}

void qt_journal_free(struct qt_journal *j)
{
	if (j == NULL)
		return;
	/* Records carry access proofs: wipe them. */
	qt_free_secret(j->records, j->count * sizeof *j->records);
	free(j);
}

static void get_str(const cJSON *o, const char *name, char *dst, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	dst[0] = '\0';
	if (cJSON_IsString(v) && v->valuestring != NULL)
		snprintf(dst, size, "%s", v->valuestring);
}

static time_t get_time(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) ? (time_t)v->valuedouble : 0;
}

static qt_err parse(const char *path, const char *text, struct qt_journal *j)
{
	cJSON *root = cJSON_Parse(text), *arr, *it;
	size_t n, i = 0;

	if (root == NULL || !cJSON_IsObject(root))
		goto bad;
	arr = cJSON_GetObjectItemCaseSensitive(root, "applications");
	if (!cJSON_IsArray(arr))
		goto bad;
	n = (size_t)cJSON_GetArraySize(arr);
	j->records = OPENSSL_zalloc(n ? n * sizeof *j->records : 1);
	if (j->records == NULL) {
		cJSON_Delete(root);
		return QT_ERR_NOMEM;
	}
	cJSON_ArrayForEach(it, arr) {
		struct qt_app_record *r = &j->records[i];
		char step[32];
		if (!cJSON_IsObject(it))
			goto bad;
		get_str(it, "id", r->id, sizeof r->id);
		get_str(it, "number", r->number, sizeof r->number);
		get_str(it, "access", r->access, sizeof r->access);
		get_str(it, "portal", r->portal, sizeof r->portal);
		get_str(it, "subject_type", r->subject_type, sizeof r->subject_type);
		get_str(it, "iin", r->iin, sizeof r->iin);
		get_str(it, "bin", r->bin, sizeof r->bin);
		get_str(it, "storage", r->storage, sizeof r->storage);
		get_str(it, "folder", r->folder, sizeof r->folder);
		get_str(it, "auth_keyid", r->auth_keyid, sizeof r->auth_keyid);
		get_str(it, "sign_keyid", r->sign_keyid, sizeof r->sign_keyid);
		get_str(it, "step", step, sizeof step);
		r->created = get_time(it, "created");
		r->updated = get_time(it, "updated");
		r->not_after = get_time(it, "not_after");
		if (r->id[0] == '\0' || qt_app_step_parse(step, &r->step) != QT_OK)
			goto bad;
		i++;
	}
	j->count = i;
	cJSON_Delete(root);
	return QT_OK;
bad:
	cJSON_Delete(root);
	return qt_error(QT_ERR_CONFIG, _("%s: the journal of applications is damaged; it was left as it is"),
	                path);
}

static qt_err load(const char *path, struct qt_journal **out)
{
	struct qt_journal *j = calloc(1, sizeof *j);
	unsigned char *buf;
	size_t len;
	qt_err rc;

	*out = NULL;
	if (j == NULL)
		return QT_ERR_NOMEM;
	rc = qt_read_file(path, JOURNAL_MAX_BYTES, &buf, &len);
	if (rc == QT_ERR_NOT_FOUND) {
		qt_error_clear();
		*out = j;
		return QT_OK;
	}
	if (rc != QT_OK) {
		free(j);
		return rc;
	}
	rc = parse(path, (const char *)buf, j);
	qt_free_secret(buf, len);
	if (rc != QT_OK) {
		qt_journal_free(j);
		return rc;
	}
	*out = j;
	return QT_OK;
}

qt_err qt_journal_load(const char *path, struct qt_journal **out)
{
	char *def = NULL;
	qt_err rc;

	if (path == NULL && (path = def = default_path()) == NULL)
		return QT_ERR_NOMEM;
	rc = load(path, out);
	free(def);
	return rc;
}

static qt_err save(const char *path, const struct qt_journal *j)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char *text;
	size_t i;
	qt_err rc;

	if (root == NULL)
		return QT_ERR_NOMEM;
	cJSON_AddNumberToObject(root, "version", 1);
	arr = cJSON_AddArrayToObject(root, "applications");
	for (i = 0; arr != NULL && i < j->count; i++) {
		const struct qt_app_record *r = &j->records[i];
		cJSON *o = cJSON_CreateObject();
		if (o == NULL)
			break;
		cJSON_AddStringToObject(o, "id", r->id);
		cJSON_AddStringToObject(o, "number", r->number);
		cJSON_AddStringToObject(o, "access", r->access);
		cJSON_AddStringToObject(o, "portal", r->portal);
		cJSON_AddStringToObject(o, "subject_type", r->subject_type);
		cJSON_AddStringToObject(o, "iin", r->iin);
		cJSON_AddStringToObject(o, "bin", r->bin);
		cJSON_AddStringToObject(o, "storage", r->storage);
		cJSON_AddStringToObject(o, "folder", r->folder);
		cJSON_AddStringToObject(o, "auth_keyid", r->auth_keyid);
		cJSON_AddStringToObject(o, "sign_keyid", r->sign_keyid);
		cJSON_AddStringToObject(o, "step", qt_app_step_name(r->step));
		cJSON_AddNumberToObject(o, "created", (double)r->created);
		cJSON_AddNumberToObject(o, "updated", (double)r->updated);
		if (r->not_after)
			cJSON_AddNumberToObject(o, "not_after", (double)r->not_after);
		cJSON_AddItemToArray(arr, o);
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (text == NULL)
		return QT_ERR_NOMEM;
	rc = qt_atomic_write(path, text, strlen(text), 0600, QT_WRITE_REPLACE);
	qt_free_secret_str(text);   /* cJSON uses malloc; OPENSSL_clear_free is free() + wipe */
	return rc;
}

/* Opens (creating) "<path>.lock" and takes an exclusive lock on it. */
static qt_err lock_journal(const char *path, int *fd_out)
{
	char lockpath[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;
	qt_err rc;

	if (slash != NULL && slash != path) {
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
		rc = qt_mkdir_p(dir, 0700);
		if (rc != QT_OK)
			return rc;
	}
	snprintf(lockpath, sizeof lockpath, "%s.lock", path);
	fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return qt_error(qt_err_from_errno(errno), "%s: %s", lockpath, strerror(errno));
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return qt_error(qt_err_from_errno(e), "%s: %s", lockpath, strerror(e));
		}
	}
	*fd_out = fd;
	return QT_OK;
}

static qt_err update(const char *path, struct qt_app_record *rec, const char *remove_id)
{
	struct qt_journal *j = NULL;
	char *def = NULL;
	int fd = -1;
	size_t i;
	qt_err rc;

	if (path == NULL && (path = def = default_path()) == NULL)
		return QT_ERR_NOMEM;
	rc = lock_journal(path, &fd);
	if (rc != QT_OK)
		goto done;
	rc = load(path, &j);
	if (rc != QT_OK)
		goto done;
	if (remove_id != NULL) {
		for (i = 0; i < j->count; i++) {
			if (strcmp(j->records[i].id, remove_id) == 0) {
				memmove(&j->records[i], &j->records[i + 1],
				        (j->count - i - 1) * sizeof *j->records);
				j->count--;
				break;
			}
		}
	} else {
		struct qt_app_record *slot = NULL;
		if (rec->id[0] == '\0') {
			unsigned char rnd[16];
			if (RAND_bytes(rnd, sizeof rnd) != 1) {
				rc = qt_error_ssl(QT_ERR_CRYPTO, "random");
				goto done;
			}
			for (i = 0; i < sizeof rnd; i++)
				snprintf(rec->id + 2 * i, 3, "%02x", rnd[i]);
			rec->created = time(NULL);
		}
		rec->updated = time(NULL);
		for (i = 0; i < j->count; i++)
			if (strcmp(j->records[i].id, rec->id) == 0)
				slot = &j->records[i];
		if (slot == NULL) {
			struct qt_app_record *nr = OPENSSL_zalloc((j->count + 1) * sizeof *nr);
			if (nr == NULL) {
				rc = QT_ERR_NOMEM;
				goto done;
			}
			if (j->count > 0)
				memcpy(nr, j->records, j->count * sizeof *nr);
			qt_free_secret(j->records, j->count * sizeof *nr);
			j->records = nr;
			slot = &j->records[j->count++];
		}
		*slot = *rec;
	}
	rc = save(path, j);
done:
	qt_journal_free(j);
	if (fd >= 0)
		close(fd);   /* releases the lock */
	free(def);
	return rc;
}

qt_err qt_journal_put(const char *path, struct qt_app_record *rec)
{
	return update(path, rec, NULL);
}

qt_err qt_journal_remove(const char *path, const char *id)
{
	return update(path, NULL, id);
}

const struct qt_app_record *qt_journal_find_number(const struct qt_journal *j, const char *number)
{
	size_t i;

	for (i = 0; j != NULL && number != NULL && number[0] && i < j->count; i++)
		if (strcmp(j->records[i].number, number) == 0)
			return &j->records[i];
	return NULL;
}

const struct qt_app_record *qt_journal_find_id(const struct qt_journal *j, const char *id)
{
	size_t i;

	for (i = 0; j != NULL && id != NULL && i < j->count; i++)
		if (strcmp(j->records[i].id, id) == 0)
			return &j->records[i];
	return NULL;
}
