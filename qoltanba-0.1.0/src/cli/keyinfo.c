/* Shared by inspect and keys: summaries as JSON and text. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <qoltanba/cert.h>
#include "cli/cli.h"
#include "cli/keyinfo.h"
#include "i18n.h"

static bool add_str(cJSON *o, const char *k, const char *v)
{
	return cJSON_AddStringToObject(o, k, v) != NULL;
}

bool qt_cli_summary_json(cJSON *obj, const struct qt_cert_summary *s)
{
	char nb[32], na[32];
	cJSON *roles;
	unsigned bit;
	bool ok = true;

	qt_time_iso8601(s->not_before, nb);
	qt_time_iso8601(s->not_after, na);
	ok &= add_str(obj, "purpose", qt_purpose_name(s->purpose));
	ok &= add_str(obj, "key_algorithm", s->key_algorithm);
	ok &= cJSON_AddBoolToObject(obj, "signing_supported", s->signing_supported) != NULL;
	ok &= add_str(obj, "common_name", s->common_name);
	ok &= add_str(obj, "surname", s->surname);
	ok &= add_str(obj, "given_name", s->given_name);
	ok &= add_str(obj, "iin", s->iin);
	ok &= add_str(obj, "bin", s->bin);
	ok &= add_str(obj, "organization", s->organization);
	ok &= add_str(obj, "email", s->email);
	roles = cJSON_AddArrayToObject(obj, "roles");
	ok &= roles != NULL;
	for (bit = 0; roles != NULL && bit < QT_ROLE_COUNT; bit++)
		if (s->roles & (1u << bit))
			cJSON_AddItemToArray(roles,
			                     cJSON_CreateString(qt_role_name((enum qt_role)(1u << bit))));
	ok &= add_str(obj, "issuer", s->issuer);
	ok &= add_str(obj, "serial", s->serial);
	ok &= add_str(obj, "not_before", nb);
	ok &= add_str(obj, "not_after", na);
	ok &= cJSON_AddNumberToObject(obj, "days_left", (double)s->days_left) != NULL;
	ok &= cJSON_AddBoolToObject(obj, "expired", s->expired) != NULL;
	ok &= cJSON_AddBoolToObject(obj, "not_yet_valid", s->not_yet_valid) != NULL;
	ok &= add_str(obj, "keyid", s->keyid);
	ok &= add_str(obj, "storage", qt_storage_name(s->storage));
	return ok;
}

void qt_cli_validity_text(const struct qt_cert_summary *s, char *buf, size_t size)
{
	if (s->not_yet_valid)
		snprintf(buf, size, "%s", _("not valid yet"));
	else if (s->expired)
		snprintf(buf, size, dngettext(PACKAGE, "expired %ld day ago", "expired %ld days ago",
		                              (unsigned long)-s->days_left), -s->days_left);
	else
		snprintf(buf, size, dngettext(PACKAGE, "valid, %ld day left", "valid, %ld days left",
		                              (unsigned long)s->days_left), s->days_left);
}

static void line(FILE *f, const char *label, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	fprintf(f, "  ");
	qt_cli_pad(f, label, 16);
	fprintf(f, " %s\n", value);
}

void qt_cli_summary_text(FILE *f, const struct qt_cert_summary *s)
{
	char buf[512], nb[32], na[32], v[96];
	size_t n = 0;
	unsigned bit;

	line(f, _("Purpose:"), qt_purpose_label(s->purpose));
	snprintf(buf, sizeof buf, "%s%s%s", s->common_name,
	         s->given_name[0] ? " " : "", s->given_name);
	line(f, _("Owner:"), buf);
	line(f, _("IIN:"), s->iin);
	line(f, _("Organization:"), s->organization);
	line(f, _("BIN:"), s->bin);
	buf[0] = '\0';
	for (bit = 0; bit < QT_ROLE_COUNT; bit++)
		if (s->roles & (1u << bit)) {
			int w = snprintf(buf + n, sizeof buf - n, "%s%s", n ? ", " : "",
			                 qt_role_label((enum qt_role)(1u << bit)));
			if (w < 0 || (size_t)w >= sizeof buf - n)
				break;
			n += (size_t)w;
		}
	line(f, _("Roles:"), buf);
	line(f, _("E-mail:"), s->email);
	snprintf(buf, sizeof buf, "%s (%s)", s->key_algorithm,
	         s->signing_supported ? _("can sign")
	                              : _("not supported for signing by qoltanba"));
	line(f, _("Key:"), buf);
	line(f, _("Issuer:"), s->issuer);
	line(f, _("Serial:"), s->serial);
	qt_time_iso8601(s->not_before, nb);
	qt_time_iso8601(s->not_after, na);
	qt_cli_validity_text(s, v, sizeof v);
	snprintf(buf, sizeof buf, "%s .. %s (%s)", nb, na, v);
	line(f, _("Valid:"), buf);
	line(f, _("Key ID:"), s->keyid);
	if (s->storage != QT_STORAGE_UNKNOWN)
		line(f, _("Key storage:"), qt_storage_label(s->storage));
}

const char *qt_cli_error_name(qt_err rc)
{
	switch (rc) {
	case QT_OK: return "ok";
	case QT_ERR_BAD_PASSWORD: return "bad_password";
	case QT_ERR_NOT_KEYSTORE: return "not_keystore";
	case QT_ERR_NO_CERT: return "no_certificate";
	case QT_ERR_NO_KEY: return "no_key";
	case QT_ERR_KEY_MISMATCH: return "key_mismatch";
	case QT_ERR_NOT_FOUND: return "not_found";
	case QT_ERR_PERMISSION: return "permission";
	case QT_ERR_NOSPACE: return "no_space";
	case QT_ERR_UNSUPPORTED_ALG: return "unsupported_algorithm";
	default: return "error";
	}
}

void qt_cli_json_line(cJSON *obj)
{
	char *text = cJSON_PrintUnformatted(obj);

	if (text != NULL) {
		puts(text);
		cJSON_free(text);
	}
	cJSON_Delete(obj);
}

void qt_cli_pad(FILE *f, const char *s, int width)
{
	wchar_t ws[256];
	size_t n = mbstowcs(ws, s, sizeof ws / sizeof ws[0] - 1);
	int w = -1;

	if (n != (size_t)-1) {
		ws[n] = L'\0';
		w = wcswidth(ws, n);
	}
	if (w < 0)
		w = (int)strlen(s);
	fputs(s, f);
	for (; w < width; w++)
		fputc(' ', f);
}
