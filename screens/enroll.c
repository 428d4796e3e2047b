/* What the enrollment pages share: the portal connection, the catalog,
 * the application being filled in (screens/enroll.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <qoltanba/config.h>
#include "screens/account.h"
#include "screens/enroll.h"
#include "i18n.h"

struct enr enr;

void enr_set_portal_url(const char *url)
{
	enr.url = url;
}

void enr_shutdown(void)
{
	acct_sign_out();     /* the account borrows the portal */
	enr_app_free();
	if (enr.catalog)
		qt_catalog_free(enr.catalog);
	enr.catalog = NULL;
	if (enr.portal)
		qt_portal_close(enr.portal);
	enr.portal = NULL;
	if (enr.local)
		qt_localportal_stop(enr.local);
	enr.local = NULL;
}

void enr_explain(qt_err rc, char *buf, size_t size)
{
	const char *pm = enr.portal ? qt_portal_error_message(enr.portal) : "";
	const char *detail = qt_error_detail();

	switch (rc) {
	case QT_ERR_CANCELLED:
		snprintf(buf, size, "%s", _("Stopped. Nothing is lost: press F5 (or Ctrl-R) to try "
		                            "again."));
		return;
	case QT_ERR_NETWORK:
	case QT_ERR_TIMEOUT:
		snprintf(buf, size, "%s %s %s", qt_strerror(rc), detail ? detail : "",
		         _("Nothing is lost: press F5 (or Ctrl-R) to try again when the portal "
		           "answers."));
		return;
	default:
		break;
	}
	if (pm && *pm)
		snprintf(buf, size, "%s %s", qt_strerror(rc), pm);
	else
		snprintf(buf, size, "%s %s", qt_strerror(rc), detail ? detail : "");
}

qt_err enr_connect(char *buf, size_t size)
{
	qt_config *cfg = NULL;
	qt_err rc;

	if (enr.portal)
		return QT_OK;
	rc = qt_config_load(&cfg);
	if (rc != QT_OK) {
		enr_explain(rc, buf, size);
		return rc;
	}
	rc = qt_portal_connect(cfg, enr.url, &enr.portal, &enr.local);
	qt_config_free(cfg);
	if (rc == QT_OK && tui_current)
		enr_status_note(tui_current);   /* the loop waits for us */
	if (rc == QT_OK)
		qt_portal_set_cancel(enr.portal, &enr.cancel);
	if (rc != QT_OK) {
		if (rc == QT_ERR_NOT_FOUND && !enr.url)
			snprintf(buf, size, "%s", _("No portal is configured and qoltanbad (the local "
			                            "portal) is not installed. Start qoltanba with "
			                            "--portal URL, or set \"portal = URL\" in "
			                            "~/.config/qoltanba/config."));
		else
			enr_explain(rc, buf, size);
		enr.portal = NULL;
		enr.local = NULL;
	}
	return rc;
}

qt_err enr_load_catalog(char *buf, size_t size)
{
	qt_err rc = enr_connect(buf, size);

	if (rc != QT_OK || enr.catalog)
		return rc;
	rc = qt_portal_catalog(enr.portal, &enr.catalog);
	if (rc != QT_OK) {
		enr.catalog = NULL;
		enr_explain(rc, buf, size);
	}
	return rc;
}

static void cancel_work(struct screen *s, struct tui *t)
{
	enr.cancel = 1;
}

void enr_cancellable(struct tui *t)
{
	enr.cancel = 0;
	t->work_cancel = cancel_work;
}

void enr_status_note(struct tui *t)
{
	if (!enr.portal)
		return;
	if (qt_portal_is_local(enr.portal))
		snprintf(t->status_note, sizeof(t->status_note), "%s", _("Local portal"));
	else
		snprintf(t->status_note, sizeof(t->status_note), _("Portal %s"),
		         strncmp(qt_portal_url(enr.portal), "http://", 7) == 0 ?
		         qt_portal_url(enr.portal) + 7 : qt_portal_url(enr.portal));
}

const char *enr_lang(void)
{
	const char *v = tui_cfg.language[0] ? tui_cfg.language : getenv("LANGUAGE");

	if (!v || !*v)
		v = getenv("LC_ALL");
	if (!v || !*v)
		v = getenv("LC_MESSAGES");
	if (!v || !*v)
		v = getenv("LANG");
	if (v && strncmp(v, "kk", 2) == 0)
		return "kk";
	if (v && strncmp(v, "ru", 2) == 0)
		return "ru";
	return "en";
}

struct enr_app *enr_app_new(void)
{
	enr_app_free();
	enr.app = calloc(1, sizeof(*enr.app));
	return enr.app;
}

void enr_app_free(void)
{
	if (!enr.app)
		return;
	if (enr.app->token)
		qt_token_logout(enr.app->token);
	if (enr.app->p11)
		qt_p11_close(enr.app->p11);
	OPENSSL_cleanse(enr.app, sizeof(*enr.app));
	free(enr.app);
	enr.app = NULL;
}

int enr_finish(struct tui *t)
{
	memset(&t->result, 0, sizeof(t->result));
	t->result.code = ENR_FINISHED;
	t->has_result = true;
	return TUI_HANDLED | TUI_POP;
}

bool enr_finishing(struct tui *t, const struct tui_result *r, int *flags)
{
	if (r->code != ENR_FINISHED)
		return false;
	*flags = enr_finish(t);
	return true;
}

const char *enr_storage_id(enum qt_storage k)
{
	return qt_storage_name(k);
}

const char *enr_type_label(const struct qt_subject_type *st)
{
	return qt_i18n_get(&st->label, enr_lang());
}

bool enr_rec_is_pc(const struct qt_app_record *rec)
{
	return strcmp(rec->storage, "pc") == 0 || strcmp(rec->storage, "pkcs12") == 0;
}

qt_err enr_token_login(const char *label, const char *pin, qt_p11 **p11, qt_token **tok,
                       char *buf, size_t size)
{
	enum qt_pin_state state = 0;
	bool def = false;
	qt_err rc;

	*tok = NULL;
	rc = *p11 ? QT_OK : qt_p11_open(p11);
	if (rc == QT_OK)
		rc = qt_p11_refresh(*p11);
	if (rc == QT_OK) {
		if (label && *label)
			rc = qt_p11_find_token(*p11, label, tok);
		else if (qt_p11_token_count(*p11) == 1)
			*tok = qt_p11_token(*p11, 0);
		else
			rc = QT_ERR_TOKEN_NOT_FOUND;
	}
	if (rc == QT_ERR_TOKEN_NOT_FOUND) {
		snprintf(buf, size, "%s", label && *label ?
		         _("No connected token has this label. Connect it (its module must be in "
		           "the configuration), or type the label `qoltanba tokens` shows.") :
		         _("Type the token's label: `qoltanba tokens` lists the connected ones."));
		return rc;
	}
	if (rc == QT_OK)
		rc = qt_token_login(*tok, pin, &state, &def);
	if (rc == QT_ERR_PIN_INCORRECT) {
		snprintf(buf, size, "%s %s", _("Wrong PIN."), qt_pin_state_label(state));
		return rc;
	}
	if (rc != QT_OK)
		snprintf(buf, size, "%s %s", qt_strerror(rc), qt_error_detail());
	return rc;
}
