/* A folder of keys: what is in it, without asking for anything the
 * user has not given.
 *
 * Without a password nothing is decrypted.  A .p12 is described from
 * the certificate file beside it with the same keyid (NCA's folders
 * hold both), else from its name; either way its structure is parsed,
 * so a damaged file shows up as such.  Folders of thousands of files
 * stay fast: one readdir, one read per file, certificates matched to
 * key files by a sorted index, not by pairs. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <qoltanba/cert.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/keystore.h>
#include <qoltanba/secret.h>
#include "engine/p12_internal.h"
#include "i18n.h"

#define P12_FILE_MAX (4 * 1024 * 1024)

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcasecmp(s + n - m, suffix) == 0;
}

static int classify(const char *name)
{
	if (name[0] == '.')
		return -1;
	if (strncmp(name, "PENDING_", 8) == 0 && ends_with(name, ".key"))
		return QT_KD_PENDING;
	if (ends_with(name, ".p12") || ends_with(name, ".pfx"))
		return QT_KD_P12;
	if (ends_with(name, ".cer") || ends_with(name, ".crt") || ends_with(name, ".pem") ||
	    ends_with(name, ".der"))
		return QT_KD_CERT;
	return -1;
}

static bool is_keyid(const char *s, size_t n)
{
	size_t i;

	if (n != 40)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

/* "AUTH_RSA256_<keyid>.p12" -> keyid and purpose, as NCA names files. */
static void from_name(const char *name, char keyid[41], enum qt_purpose *purpose)
{
	const char *dot = strrchr(name, '.'), *us;
	size_t i;

	keyid[0] = '\0';
	*purpose = QT_PURPOSE_UNKNOWN;
	if (dot == NULL)
		return;
	for (us = dot; us > name && us[-1] != '_'; us--)
		;
	if (us > name && is_keyid(us, (size_t)(dot - us))) {
		for (i = 0; i < 40; i++)
			keyid[i] = (char)(us[i] >= 'A' && us[i] <= 'F' ? us[i] - 'A' + 'a' : us[i]);
		keyid[40] = '\0';
	}
	if (strncmp(name, "AUTH_", 5) == 0 || strncmp(name, "PENDING_AUTH_", 13) == 0)
		*purpose = QT_PURPOSE_AUTH;
	else if (strncmp(name, "RSA256_", 7) == 0 || strncmp(name, "GOSTKNCA_", 9) == 0 ||
	         strncmp(name, "ECP256_", 7) == 0 || strncmp(name, "PENDING_SIGN_", 13) == 0)
		*purpose = QT_PURPOSE_SIGN;
}

static qt_err set_status(struct qt_keydir_entry *e, qt_err rc)
{
	e->status = rc;
	free(e->status_detail);
	e->status_detail = strdup(rc == QT_OK ? "" : qt_error_detail());
	return e->status_detail != NULL ? QT_OK : QT_ERR_NOMEM;
}

static int by_name(const void *a, const void *b)
{
	const struct qt_keydir_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

struct cert_index {
	const char *keyid;
	const struct qt_keydir_entry *entry;
};

static int by_keyid(const void *a, const void *b)
{
	return strcmp(((const struct cert_index *)a)->keyid, ((const struct cert_index *)b)->keyid);
}

static void scan_cert(struct qt_keydir_entry *e, time_t now)
{
	X509 *x = NULL;
	qt_err rc = qt_cert_load(e->path, &x);

	if (rc == QT_OK)
		rc = qt_cert_summarize(x, now, &e->summary);
	X509_free(x);
	set_status(e, rc);
	if (rc != QT_OK)
		return;
	e->has_summary = true;
	e->purpose = e->summary.purpose;
	memcpy(e->keyid, e->summary.keyid, sizeof e->keyid);
}

static void scan_p12_locked(struct qt_keydir_entry *e, const struct cert_index *idx, size_t nidx)
{
	unsigned char *der = NULL;
	size_t len = 0;
	char keyid[41];
	qt_err rc;

	e->needs_password = true;
	rc = qt_read_file(e->path, P12_FILE_MAX, &der, &len);
	if (rc == QT_ERR_INVALID_ARG)
		rc = qt_error(QT_ERR_NOT_KEYSTORE, _("too large for a key file"));
	if (rc == QT_OK) {
		rc = qt_p12_peek(der, len, keyid);
		/* What the file says beats what its name says. */
		if (rc == QT_OK && keyid[0] != '\0')
			memcpy(e->keyid, keyid, sizeof e->keyid);
	}
	qt_free_secret(der, len + 1);
	set_status(e, rc);
	if (rc != QT_OK || e->keyid[0] == '\0' || nidx == 0)
		return;
	{
		struct cert_index key = { e->keyid, NULL }, *hit;

		hit = bsearch(&key, idx, nidx, sizeof *idx, by_keyid);
		if (hit != NULL) {
			e->summary = hit->entry->summary;
			e->has_summary = true;
			e->purpose = e->summary.purpose;
		}
	}
}

static void scan_p12_open(struct qt_keydir_entry *e, const char *password)
{
	qt_keyfile *kf = NULL;
	qt_err rc = qt_keyfile_open(e->path, password, &kf);

	set_status(e, rc);
	if (rc != QT_OK)
		return;
	e->summary = *qt_keyfile_summary(kf);
	e->has_summary = true;
	e->purpose = e->summary.purpose;
	memcpy(e->keyid, e->summary.keyid, sizeof e->keyid);
	qt_keyfile_free(kf);
}

qt_err qt_keydir_scan(const char *dir, const char *password, time_t now,
                      struct qt_keydir **out)
{
	struct qt_keydir *kd;
	struct cert_index *idx = NULL;
	size_t cap = 0, nidx = 0, i, dlen;
	struct dirent *de;
	DIR *d;
	qt_err rc = QT_OK;

	*out = NULL;
	if (dir == NULL)
		return qt_error(QT_ERR_INVALID_ARG, "no folder");
	d = opendir(dir);
	if (d == NULL)
		return qt_error(qt_err_from_errno(errno), "%s: %s", dir, strerror(errno));
	kd = calloc(1, sizeof *kd);
	if (kd == NULL) {
		closedir(d);
		return QT_ERR_NOMEM;
	}
	dlen = strlen(dir);
	while ((errno = 0, de = readdir(d)) != NULL) {
		struct qt_keydir_entry *e;
		int kind = classify(de->d_name);
		size_t plen;

		if (kind < 0 || de->d_type == DT_DIR)
			continue;
		if (kd->count == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct qt_keydir_entry *ne = realloc(kd->entries, ncap * sizeof *ne);
			if (ne == NULL) {
				rc = QT_ERR_NOMEM;
				break;
			}
			kd->entries = ne;
			cap = ncap;
		}
		e = &kd->entries[kd->count];
		memset(e, 0, sizeof *e);
		plen = dlen + 1 + strlen(de->d_name) + 1;
		e->path = malloc(plen);
		if (e->path == NULL) {
			rc = QT_ERR_NOMEM;
			break;
		}
		snprintf(e->path, plen, "%s/%s", dir, de->d_name);
		e->name = e->path + dlen + 1;
		e->kind = (enum qt_keydir_kind)kind;
		from_name(e->name, e->keyid, &e->purpose);
		kd->count++;
	}
	if (rc == QT_OK && errno != 0)
		rc = qt_error(qt_err_from_errno(errno), "%s: %s", dir, strerror(errno));
	closedir(d);
	if (rc != QT_OK)
		goto fail;
	if (kd->count > 0)
		qsort(kd->entries, kd->count, sizeof *kd->entries, by_name);

	/* Certificates first: they describe the key files beside them. */
	for (i = 0; i < kd->count; i++) {
		if (kd->entries[i].kind == QT_KD_CERT) {
			scan_cert(&kd->entries[i], now);
			if (kd->entries[i].has_summary)
				nidx++;
		}
	}
	if (nidx > 0 && password == NULL) {
		idx = calloc(nidx, sizeof *idx);
		if (idx == NULL) {
			rc = QT_ERR_NOMEM;
			goto fail;
		}
		nidx = 0;
		for (i = 0; i < kd->count; i++)
			if (kd->entries[i].kind == QT_KD_CERT && kd->entries[i].has_summary) {
				idx[nidx].keyid = kd->entries[i].keyid;
				idx[nidx].entry = &kd->entries[i];
				nidx++;
			}
		qsort(idx, nidx, sizeof *idx, by_keyid);
	}
	for (i = 0; i < kd->count; i++) {
		struct qt_keydir_entry *e = &kd->entries[i];

		if (e->kind == QT_KD_P12) {
			if (password != NULL)
				scan_p12_open(e, password);
			else
				scan_p12_locked(e, idx, nidx);
		} else if (e->kind == QT_KD_PENDING) {
			e->needs_password = true;
			set_status(e, QT_OK);
		}
		if (e->status_detail == NULL) {
			rc = QT_ERR_NOMEM;
			goto fail;
		}
	}
	free(idx);
	qt_error_clear();
	*out = kd;
	return QT_OK;
fail:
	free(idx);
	qt_keydir_free(kd);
	return rc;
}

void qt_keydir_free(struct qt_keydir *kd)
{
	size_t i;

	if (kd == NULL)
		return;
	for (i = 0; i < kd->count; i++) {
		free(kd->entries[i].path);
		free(kd->entries[i].status_detail);
	}
	free(kd->entries);
	free(kd);
}
