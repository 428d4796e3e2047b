/* PKCS#11 tokens through libp11.
 *
 * libp11 loads the modules, lists slots and tokens, logs in, changes
 * PINs and stores certificates.  Key-pair generation, listing
 * and fresh token flags go to the module's own function list (the same
 * loaded module, found with dlopen(RTLD_NOLOAD)), because the libp11 of
 * Debian 12 (0.4.12) has no PKCS11_keygen with attributes, cannot set
 * CKA_ID after generation (NCA's id is the SHA-1 of the public key,
 * known only afterwards), and caches its flags and object lists. */
#include <config.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ui.h>
#include <openssl/x509.h>

#include <libp11.h>
#include <p11-kit-1/p11-kit/pkcs11.h>

#include <qoltanba/atr.h>
#include <qoltanba/fsutil.h>
#include <qoltanba/token.h>
#include "engine/tokconf.h"
#include "i18n.h"

struct module {
	PKCS11_CTX *ctx;
	void *dl;                   /* our reference to the loaded module */
	CK_FUNCTION_LIST_PTR fl;
	PKCS11_SLOT *slots;
	unsigned nslots;
	bool loaded;
};

struct qt_token {
	qt_p11 *p;
	size_t mod;
	PKCS11_SLOT *slot;
	enum qt_storage medium;
};

struct qt_p11 {
	struct module *mods;
	struct qt_module_info *info;
	size_t n_mods;
	struct qt_token *tokens;
	size_t n_tokens;
	UI_METHOD *ui;
	qt_pin_fn pin_fn;
	void *pin_data;
	char problem[512];
};

/* ---- errors ---- */

qt_err qt_p11_map_ckr(unsigned long rv, const char *what)
{
	qt_err code;

	switch (rv) {
	case CKR_OK:
		return QT_OK;
	case CKR_HOST_MEMORY:
	case CKR_DEVICE_MEMORY:
		code = rv == CKR_HOST_MEMORY ? QT_ERR_NOMEM : QT_ERR_NOSPACE;
		break;
	case CKR_PIN_INCORRECT:
		code = QT_ERR_PIN_INCORRECT;
		break;
	case CKR_PIN_LOCKED:
		code = QT_ERR_PIN_LOCKED;
		break;
	case CKR_PIN_INVALID:
	case CKR_PIN_LEN_RANGE:
		code = QT_ERR_PIN_POLICY;
		break;
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_SESSION_CLOSED:
		code = QT_ERR_TOKEN_REMOVED;
		break;
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_SLOT_ID_INVALID:
		code = QT_ERR_TOKEN_NOT_FOUND;
		break;
	case CKR_FUNCTION_CANCELED:
		code = QT_ERR_CANCELLED;
		break;
	case CKR_MECHANISM_INVALID:
	case CKR_MECHANISM_PARAM_INVALID:
	case CKR_DOMAIN_PARAMS_INVALID:
	case CKR_CURVE_NOT_SUPPORTED:
		code = QT_ERR_UNSUPPORTED_ALG;
		break;
	default:
		code = QT_ERR_TOKEN;
		break;
	}
	return qt_error(code, "%s: CKR 0x%08lX", what, rv);
}

/* After a libp11 call failed: the CK_RV libp11 put in OpenSSL's queue,
 * else fallback. */
static qt_err p11_fail(qt_err fallback, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	qt_err rc;

	if (e != 0 && ERR_GET_LIB(e) == ERR_get_CKR_code()) {
		rc = qt_p11_map_ckr((unsigned long)ERR_GET_REASON(e), what);
		ERR_clear_error();
		return rc;
	}
	return qt_error_ssl(fallback, "%s", what);
}

const char *qt_pin_state_name(enum qt_pin_state s)
{
	switch (s) {
	case QT_PIN_OK: return "ok";
	case QT_PIN_COUNT_LOW: return "count_low";
	case QT_PIN_FINAL_TRY: return "final_try";
	case QT_PIN_LOCKED: return "locked";
	case QT_PIN_NOT_INITIALIZED: return "not_initialized";
	}
	return "unknown";
}

const char *qt_pin_state_label(enum qt_pin_state s)
{
	switch (s) {
	case QT_PIN_OK: return _("PIN ready");
	case QT_PIN_COUNT_LOW: return _("a wrong PIN was entered: few attempts are left");
	case QT_PIN_FINAL_TRY: return _("last attempt: one more wrong PIN locks the token");
	case QT_PIN_LOCKED: return _("PIN locked");
	case QT_PIN_NOT_INITIALIZED: return _("no PIN set: the token is not initialised");
	}
	return "";
}

/* ---- our UI_METHOD: libp11 asks us, never the terminal ---- */

static int ui_read(UI *ui, UI_STRING *uis)
{
	qt_p11 *p = UI_get0_user_data(ui);
	char buf[256];
	bool ok;

	if (UI_get_string_type(uis) != UIT_PROMPT && UI_get_string_type(uis) != UIT_VERIFY)
		return 1;
	if (p == NULL || p->pin_fn == NULL)
		return 0;   /* refuse: no terminal reading under curses */
	ok = p->pin_fn(UI_get0_output_string(uis), buf, sizeof buf, p->pin_data);
	if (ok)
		ok = UI_set_result(ui, uis, buf) == 0;
	OPENSSL_cleanse(buf, sizeof buf);
	return ok ? 1 : 0;
}

static int ui_write(UI *ui, UI_STRING *uis)
{
	return 1;   /* libp11's informational lines are not shown */
}

static UI_METHOD *make_ui(void)
{
	UI_METHOD *m = UI_create_method("qoltanba");

	if (m == NULL)
		return NULL;
	UI_method_set_reader(m, ui_read);
	UI_method_set_writer(m, ui_write);
	return m;
}

void qt_p11_set_pin_callback(qt_p11 *p, qt_pin_fn fn, void *data)
{
	p->pin_fn = fn;
	p->pin_data = data;
}

/* ---- loading ---- */

static void fixed_str(char *out, size_t size, const CK_UTF8CHAR *in, size_t len)
{
	while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\0'))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(out, in, len);
	out[len] = '\0';
}

static qt_err load_module(qt_p11 *p, size_t i)
{
	struct module *m = &p->mods[i];
	struct qt_module_info *mi = &p->info[i];
	CK_RV (*get_list)(CK_FUNCTION_LIST_PTR_PTR);
	CK_INFO ck;
	void *probe;

	/* Say clearly what is wrong before libp11's generic failure. */
	probe = dlopen(mi->path, RTLD_NOW | RTLD_LOCAL);
	if (probe == NULL) {
		const char *why = dlerror();

		mi->status = QT_ERR_MODULE;
		snprintf(mi->error, sizeof mi->error, "%s", why ? why : mi->path);
		return mi->status;
	}
	if (dlsym(probe, "C_GetFunctionList") == NULL) {
		dlclose(probe);
		mi->status = QT_ERR_MODULE;
		snprintf(mi->error, sizeof mi->error, _("%s is a library but not a PKCS#11 module "
		         "(it has no C_GetFunctionList)"), mi->path);
		return mi->status;
	}
	m->ctx = PKCS11_CTX_new();
	if (m->ctx == NULL) {
		dlclose(probe);
		return QT_ERR_NOMEM;
	}
	if (p->ui != NULL)
		PKCS11_set_ui_method(m->ctx, p->ui, p);
	if (PKCS11_CTX_load(m->ctx, mi->path) != 0) {
		dlclose(probe);
		p11_fail(QT_ERR_MODULE, mi->path);
		mi->status = QT_ERR_MODULE;
		snprintf(mi->error, sizeof mi->error, _("%s: the module failed to start (%s)"),
		         mi->path, qt_error_detail());
		PKCS11_CTX_free(m->ctx);
		m->ctx = NULL;
		return mi->status;
	}
	m->loaded = true;
	m->dl = probe;
	*(void **)&get_list = dlsym(probe, "C_GetFunctionList");
	if (get_list == NULL || get_list(&m->fl) != CKR_OK)
		m->fl = NULL;
	if (m->fl != NULL && m->fl->C_GetInfo(&ck) == CKR_OK)
		fixed_str(mi->description, sizeof mi->description, ck.libraryDescription,
		          sizeof ck.libraryDescription);
	mi->status = QT_OK;
	return QT_OK;
}

static void release_slots(qt_p11 *p)
{
	size_t i;

	for (i = 0; i < p->n_mods; i++) {
		struct module *m = &p->mods[i];

		if (m->slots != NULL)
			PKCS11_release_all_slots(m->ctx, m->slots, m->nslots);
		m->slots = NULL;
		m->nslots = 0;
	}
	free(p->tokens);
	p->tokens = NULL;
	p->n_tokens = 0;
}

qt_err qt_p11_refresh(qt_p11 *p)
{
	size_t i, n = 0;
	unsigned j;

	release_slots(p);
	for (i = 0; i < p->n_mods; i++) {
		struct module *m = &p->mods[i];

		if (!m->loaded)
			continue;
		if (PKCS11_enumerate_slots(m->ctx, &m->slots, &m->nslots) != 0) {
			m->slots = NULL;
			m->nslots = 0;
			p11_fail(QT_ERR_MODULE, "C_GetSlotList");
			snprintf(p->info[i].error, sizeof p->info[i].error, "%s", qt_error_detail());
			continue;
		}
		for (j = 0; j < m->nslots; j++)
			if (m->slots[j].token != NULL)
				n++;
	}
	p->tokens = calloc(n ? n : 1, sizeof *p->tokens);
	if (p->tokens == NULL)
		return QT_ERR_NOMEM;
	for (i = 0; i < p->n_mods; i++) {
		struct module *m = &p->mods[i];

		for (j = 0; j < m->nslots; j++) {
			struct qt_token *t;

			if (m->slots[j].token == NULL)
				continue;
			t = &p->tokens[p->n_tokens++];
			t->p = p;
			t->mod = i;
			t->slot = &m->slots[j];
			t->medium = p->info[i].medium;
		}
	}
	return QT_OK;
}

static qt_err p11_new(const struct qt_tokconf *c, qt_p11 **out)
{
	qt_p11 *p = calloc(1, sizeof *p);
	size_t i;

	*out = NULL;
	if (p == NULL)
		return QT_ERR_NOMEM;
	p->n_mods = c->n_modules;
	p->mods = calloc(c->n_modules ? c->n_modules : 1, sizeof *p->mods);
	p->info = calloc(c->n_modules ? c->n_modules : 1, sizeof *p->info);
	p->ui = make_ui();
	if (p->mods == NULL || p->info == NULL || p->ui == NULL) {
		qt_p11_close(p);
		return QT_ERR_NOMEM;
	}
	snprintf(p->problem, sizeof p->problem, "%s", c->problem);
	for (i = 0; i < c->n_modules; i++) {
		struct qt_module_info *mi = &p->info[i];

		snprintf(mi->path, sizeof mi->path, "%s", c->modules[i].path);
		snprintf(mi->source, sizeof mi->source, "%s", c->modules[i].source);
		mi->medium = c->modules[i].medium;
		mi->from_p11kit = c->modules[i].from_p11kit;
		if (load_module(p, i) == QT_ERR_NOMEM) {
			qt_p11_close(p);
			return QT_ERR_NOMEM;
		}
	}
	*out = p;
	return qt_p11_refresh(p);
}

qt_err qt_p11_open(qt_p11 **out)
{
	struct qt_tokconf c;
	qt_err rc;

	*out = NULL;
	rc = qt_tokconf_load(&c);
	if (rc != QT_OK)
		return rc;
	rc = p11_new(&c, out);
	qt_tokconf_free(&c);
	return rc;
}

qt_err qt_p11_open_module(const char *path, enum qt_storage medium, qt_p11 **out)
{
	struct qt_tokconf c;
	struct qt_tokconf_module m;
	qt_err rc;

	memset(&c, 0, sizeof c);
	memset(&m, 0, sizeof m);
	snprintf(m.path, sizeof m.path, "%s", path);
	snprintf(m.source, sizeof m.source, "%s", "--module");
	m.medium = medium;
	c.modules = &m;
	c.n_modules = 1;
	rc = p11_new(&c, out);
	if (rc == QT_OK && (*out)->info[0].status != QT_OK)
		return qt_error(QT_ERR_MODULE, "%s", (*out)->info[0].error);
	return rc;
}

void qt_p11_close(qt_p11 *p)
{
	size_t i;

	if (p == NULL)
		return;
	release_slots(p);
	for (i = 0; i < p->n_mods && p->mods != NULL; i++) {
		struct module *m = &p->mods[i];

		if (m->ctx != NULL) {
			if (m->loaded)
				PKCS11_CTX_unload(m->ctx);
			PKCS11_CTX_free(m->ctx);
		}
		if (m->dl != NULL)
			dlclose(m->dl);
	}
	if (p->ui != NULL)
		UI_destroy_method(p->ui);
	free(p->mods);
	free(p->info);
	free(p);
}

const char *qt_p11_config_problem(const qt_p11 *p)
{
	return p->problem;
}

size_t qt_p11_module_count(const qt_p11 *p)
{
	return p->n_mods;
}

const struct qt_module_info *qt_p11_module(const qt_p11 *p, size_t i)
{
	return i < p->n_mods ? &p->info[i] : NULL;
}

size_t qt_p11_token_count(const qt_p11 *p)
{
	return p->n_tokens;
}

qt_token *qt_p11_token(qt_p11 *p, size_t i)
{
	return i < p->n_tokens ? &p->tokens[i] : NULL;
}

qt_err qt_p11_find_token(qt_p11 *p, const char *label_or_serial, qt_token **out)
{
	size_t i;

	*out = NULL;
	for (i = 0; i < p->n_tokens; i++) {
		PKCS11_TOKEN *tk = p->tokens[i].slot->token;

		if ((tk->label != NULL && strcmp(tk->label, label_or_serial) == 0) ||
		    (tk->serialnr != NULL && strcmp(tk->serialnr, label_or_serial) == 0)) {
			*out = &p->tokens[i];
			return QT_OK;
		}
	}
	return qt_error(QT_ERR_TOKEN_NOT_FOUND, _("no token labelled \"%s\""), label_or_serial);
}

/* ---- information ---- */

static CK_FUNCTION_LIST_PTR fl_of(const qt_token *t)
{
	return t->p->mods[t->mod].fl;
}

static CK_SLOT_ID slot_id(const qt_token *t)
{
	return PKCS11_get_slotid_from_slot(t->slot);
}

static enum qt_pin_state pin_state_of(CK_FLAGS f)
{
	if (f & CKF_USER_PIN_LOCKED)
		return QT_PIN_LOCKED;
	if (f & CKF_USER_PIN_FINAL_TRY)
		return QT_PIN_FINAL_TRY;
	if (f & CKF_USER_PIN_COUNT_LOW)
		return QT_PIN_COUNT_LOW;
	if (!(f & CKF_USER_PIN_INITIALIZED))
		return QT_PIN_NOT_INITIALIZED;
	return QT_PIN_OK;
}

qt_err qt_token_info(qt_token *t, struct qt_token_info *out)
{
	CK_FUNCTION_LIST_PTR fl = fl_of(t);
	PKCS11_TOKEN *tk = t->slot->token;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	memset(out, 0, sizeof *out);
	out->module = t->p->info[t->mod].path;
	out->slot_id = slot_id(t);
	out->medium = t->medium;
	snprintf(out->slot_description, sizeof out->slot_description, "%s",
	         t->slot->description ? t->slot->description : "");
	if (fl == NULL) {   /* libp11's copy, read when the slots were listed */
		snprintf(out->label, sizeof out->label, "%s", tk->label ? tk->label : "");
		snprintf(out->manufacturer, sizeof out->manufacturer, "%s",
		         tk->manufacturer ? tk->manufacturer : "");
		snprintf(out->model, sizeof out->model, "%s", tk->model ? tk->model : "");
		snprintf(out->serial, sizeof out->serial, "%s", tk->serialnr ? tk->serialnr : "");
		out->initialized = tk->initialized;
		out->login_required = tk->loginRequired;
		out->protected_auth_path = tk->secureLogin;
		out->read_only = tk->readOnly;
		out->pin_to_be_changed = tk->userPinToBeChanged;
		out->pin_state = tk->userPinLocked ? QT_PIN_LOCKED : tk->userPinFinalTry ?
		                 QT_PIN_FINAL_TRY : tk->userPinCountLow ? QT_PIN_COUNT_LOW : QT_PIN_OK;
		return QT_OK;
	}
	rv = fl->C_GetTokenInfo(out->slot_id, &ti);
	if (rv != CKR_OK)
		return qt_p11_map_ckr(rv, "C_GetTokenInfo");
	fixed_str(out->label, sizeof out->label, ti.label, sizeof ti.label);
	fixed_str(out->manufacturer, sizeof out->manufacturer, ti.manufacturerID,
	          sizeof ti.manufacturerID);
	fixed_str(out->model, sizeof out->model, ti.model, sizeof ti.model);
	fixed_str(out->serial, sizeof out->serial, ti.serialNumber, sizeof ti.serialNumber);
	out->initialized = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
	out->login_required = (ti.flags & CKF_LOGIN_REQUIRED) != 0;
	out->protected_auth_path = (ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
	out->read_only = (ti.flags & CKF_WRITE_PROTECTED) != 0;
	out->pin_to_be_changed = (ti.flags & CKF_USER_PIN_TO_BE_CHANGED) != 0;
	out->pin_state = pin_state_of(ti.flags);
	return QT_OK;
}

void qt_token_set_medium(qt_token *t, enum qt_storage m)
{
	t->medium = m;
}

/* ---- login and PIN ---- */

bool qt_token_pin_is_default(const qt_token *t, const char *pin)
{
	static const enum qt_storage all[] = {
		QT_STORAGE_KAZTOKEN, QT_STORAGE_ETOKEN72K, QT_STORAGE_JACARTA, QT_STORAGE_AKEY
	};
	const char *d;
	size_t i;

	if (pin == NULL)
		return false;
	if (t->medium != QT_STORAGE_UNKNOWN) {
		d = qt_medium_default_pin(t->medium);
		return d != NULL && strcmp(d, pin) == 0;
	}
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		d = qt_medium_default_pin(all[i]);
		if (d != NULL && strcmp(d, pin) == 0)
			return true;
	}
	return false;
}

static enum qt_pin_state fresh_pin_state(qt_token *t)
{
	struct qt_token_info ti;

	if (qt_token_info(t, &ti) != QT_OK)
		return QT_PIN_OK;
	return ti.pin_state;
}

qt_err qt_token_login(qt_token *t, const char *pin, enum qt_pin_state *state, bool *default_pin)
{
	struct qt_token_info ti;
	int logged = 0;
	qt_err rc;

	if (default_pin != NULL)
		*default_pin = false;
	if (state != NULL)
		*state = QT_PIN_OK;
	if (qt_token_info(t, &ti) == QT_OK && ti.pin_state == QT_PIN_LOCKED) {
		if (state != NULL)
			*state = QT_PIN_LOCKED;
		return qt_error(QT_ERR_PIN_LOCKED, "%s", ti.label);
	}
	if (PKCS11_is_logged_in(t->slot, 0, &logged) == 0 && logged)
		PKCS11_logout(t->slot);
	/* Read-write sessions: changing the PIN and storing certificates
	 * need them.  A write-protected token gets read-only ones. */
	if (PKCS11_open_session(t->slot, 1) != 0) {
		ERR_clear_error();
		PKCS11_open_session(t->slot, 0);
	}
	if (PKCS11_login(t->slot, 0, pin) != 0) {
		rc = p11_fail(QT_ERR_TOKEN, "C_Login");
		if (state != NULL)
			*state = rc == QT_ERR_PIN_LOCKED ? QT_PIN_LOCKED : fresh_pin_state(t);
		if (rc == QT_ERR_PIN_INCORRECT && state != NULL && *state == QT_PIN_LOCKED)
			rc = qt_error(QT_ERR_PIN_LOCKED, "%s", ti.label);
		return rc;
	}
	if (default_pin != NULL)
		*default_pin = qt_token_pin_is_default(t, pin) ||
		               (qt_token_info(t, &ti) == QT_OK && ti.pin_to_be_changed);
	if (state != NULL)
		*state = fresh_pin_state(t);
	return QT_OK;
}

void qt_token_logout(qt_token *t)
{
	PKCS11_logout(t->slot);
}

qt_err qt_token_change_pin(qt_token *t, const char *old_pin, const char *new_pin)
{
	qt_err rc;

	rc = qt_token_login(t, old_pin, NULL, NULL);
	if (rc != QT_OK)
		return rc;
	if (PKCS11_change_pin(t->slot, old_pin, new_pin) != 0)
		return p11_fail(QT_ERR_TOKEN, "C_SetPIN");
	return QT_OK;
}

/* ---- raw sessions for generation and listing ---- */

static qt_err open_session(qt_token *t, bool rw, CK_SESSION_HANDLE *h)
{
	CK_FUNCTION_LIST_PTR fl = fl_of(t);
	CK_FLAGS flags = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);
	CK_RV rv;

	if (fl == NULL)
		return qt_error(QT_ERR_MODULE, "%s", _("the module gives no function list"));
	rv = fl->C_OpenSession(slot_id(t), flags, NULL, NULL, h);
	if (rv != CKR_OK)
		return qt_p11_map_ckr(rv, "C_OpenSession");
	return QT_OK;
}

static void to_hex(const unsigned char *p, size_t len, char *out, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len && 2 * i + 2 < size; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[size ? 2 * i : 0] = '\0';
}

static int from_hex(const char *s, unsigned char *out, size_t max, size_t *len)
{
	size_t n = strlen(s), i;

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	*len = n / 2;
	return 0;
}

/* An attribute as a new buffer (NULL, 0 when absent). */
static CK_RV get_attr(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
                      CK_ATTRIBUTE_TYPE type, unsigned char **val, CK_ULONG *len)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_RV rv;

	*val = NULL;
	*len = 0;
	rv = fl->C_GetAttributeValue(h, o, &a, 1);
	if (rv != CKR_OK || a.ulValueLen == (CK_ULONG)-1)
		return rv == CKR_OK ? CKR_ATTRIBUTE_TYPE_INVALID : rv;
	a.pValue = malloc(a.ulValueLen ? a.ulValueLen : 1);
	if (a.pValue == NULL)
		return CKR_HOST_MEMORY;
	rv = fl->C_GetAttributeValue(h, o, &a, 1);
	if (rv != CKR_OK) {
		free(a.pValue);
		return rv;
	}
	*val = a.pValue;
	*len = a.ulValueLen;
	return CKR_OK;
}

/* The public key of a token key object, as an EVP_PKEY. */
static qt_err public_key_of(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
                            CK_KEY_TYPE kt, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *a = NULL, *b = NULL;
	CK_ULONG alen, blen;
	BIGNUM *n = NULL, *e = NULL;
	qt_err rc = QT_ERR_CRYPTO;
	CK_RV rv;

	*out = NULL;
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL)
		return QT_ERR_NOMEM;
	if (kt == CKK_RSA) {
		if ((rv = get_attr(fl, h, o, CKA_MODULUS, &a, &alen)) != CKR_OK ||
		    (rv = get_attr(fl, h, o, CKA_PUBLIC_EXPONENT, &b, &blen)) != CKR_OK) {
			rc = qt_p11_map_ckr(rv, "C_GetAttributeValue(CKA_MODULUS)");
			goto done;
		}
		n = BN_bin2bn(a, (int)alen, NULL);
		e = BN_bin2bn(b, (int)blen, NULL);
		if (n == NULL || e == NULL || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto done;
		pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	} else if (kt == CKK_EC) {
		static const unsigned char p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
		const unsigned char *pt;
		size_t ptlen;

		if ((rv = get_attr(fl, h, o, CKA_EC_PARAMS, &a, &alen)) != CKR_OK ||
		    (rv = get_attr(fl, h, o, CKA_EC_POINT, &b, &blen)) != CKR_OK) {
			rc = qt_p11_map_ckr(rv, "C_GetAttributeValue(CKA_EC_POINT)");
			goto done;
		}
		if (alen != sizeof p256 || memcmp(a, p256, alen) != 0) {
			rc = qt_error(QT_ERR_UNSUPPORTED_ALG, "%s", _("an EC curve other than P-256"));
			goto done;
		}
		/* CKA_EC_POINT is a DER OCTET STRING (some modules give the
		 * raw point). */
		pt = b;
		ptlen = blen;
		if (blen == 67 && b[0] == 0x04 && b[1] == 65) {
			pt = b + 2;
			ptlen = 65;
		}
		if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, ptlen))
			goto done;
		pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	} else {
		rc = qt_error(QT_ERR_UNSUPPORTED_ALG, "CKK 0x%lx", (unsigned long)kt);
		goto done;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	if (pctx == NULL || params == NULL || EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, out, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		rc = qt_error_ssl(QT_ERR_CRYPTO, "%s", _("the token's public key"));
		goto done;
	}
	rc = QT_OK;
done:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	free(a);
	free(b);
	return rc;
}

/* keyid = SHA-1 of the subjectPublicKey BIT STRING (RFC 5280 4.2.1.2
 * method 1), as cert.h qt_keyid_of_key(), but from the certificate's
 * X509_PUBKEY: it works for keys OpenSSL cannot decode (GOST). */
static qt_err keyid_of(X509_PUBKEY *xp, unsigned char id[SHA_DIGEST_LENGTH])
{
	const unsigned char *pk;
	int pklen;

	if (!X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, xp))
		return qt_error_ssl(QT_ERR_CRYPTO, "%s", "subjectPublicKey");
	SHA1(pk, (size_t)pklen, id);
	return QT_OK;
}

/* Handles of objects of class cls with this id (at most max). */
static CK_RV find_by_id(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls,
                        const unsigned char *id, size_t idlen, CK_OBJECT_HANDLE *found,
                        CK_ULONG max, CK_ULONG *n)
{
	CK_ATTRIBUTE tmpl[2] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_ID, (void *)id, idlen },
	};
	CK_RV rv;

	*n = 0;
	rv = fl->C_FindObjectsInit(h, tmpl, id != NULL ? 2 : 1);
	if (rv != CKR_OK)
		return rv;
	rv = fl->C_FindObjects(h, found, max, n);
	fl->C_FindObjectsFinal(h);
	return rv;
}

#define PENDING_ID "QT-PENDING-"
#define PENDING_LEN 11

static bool is_pending(const unsigned char *id, size_t len)
{
	return len == SHA_DIGEST_LENGTH && memcmp(id, PENDING_ID, PENDING_LEN) == 0;
}

/* Destroys key objects left by an interrupted generation. */
static void remove_pending(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE h)
{
	static const CK_OBJECT_CLASS classes[] = { CKO_PRIVATE_KEY, CKO_PUBLIC_KEY };
	size_t c;

	for (c = 0; c < 2; c++) {
		CK_OBJECT_HANDLE found[64];
		CK_ULONG n = 0, i;

		if (find_by_id(fl, h, classes[c], NULL, 0, found, 64, &n) != CKR_OK)
			continue;
		for (i = 0; i < n; i++) {
			unsigned char *id = NULL;
			CK_ULONG idlen = 0;

			if (get_attr(fl, h, found[i], CKA_ID, &id, &idlen) == CKR_OK &&
			    is_pending(id, idlen))
				fl->C_DestroyObject(h, found[i]);
			free(id);
		}
	}
}

qt_err qt_token_keygen(qt_token *t, enum qt_keytype type, const char *label,
                       char keyid[41], EVP_PKEY **pub)
{
	static const unsigned char p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	static const unsigned char f4[] = { 0x01, 0x00, 0x01 };
	CK_FUNCTION_LIST_PTR fl = fl_of(t);
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG bits = 2048, n;
	CK_MECHANISM mech = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_OBJECT_HANDLE pubh = CK_INVALID_HANDLE, privh = CK_INVALID_HANDLE, found;
	CK_SESSION_HANDLE h;
	unsigned char tmpid[SHA_DIGEST_LENGTH], id[SHA_DIGEST_LENGTH];
	size_t idlen;
	CK_ULONG lablen = (CK_ULONG)strlen(label);
	EVP_PKEY *k = NULL;
	CK_RV rv;
	qt_err rc;
	CK_ATTRIBUTE pub_rsa[] = {
		{ CKA_TOKEN, &yes, sizeof yes },
		{ CKA_PRIVATE, &no, sizeof no },
		{ CKA_LABEL, (void *)label, lablen },
		{ CKA_ID, tmpid, sizeof tmpid },
		{ CKA_VERIFY, &yes, sizeof yes },
		{ CKA_ENCRYPT, &yes, sizeof yes },
		{ CKA_MODULUS_BITS, &bits, sizeof bits },
		{ CKA_PUBLIC_EXPONENT, (void *)f4, sizeof f4 },
	};
	CK_ATTRIBUTE pub_ec[] = {
		{ CKA_TOKEN, &yes, sizeof yes },
		{ CKA_PRIVATE, &no, sizeof no },
		{ CKA_LABEL, (void *)label, lablen },
		{ CKA_ID, tmpid, sizeof tmpid },
		{ CKA_VERIFY, &yes, sizeof yes },
		{ CKA_EC_PARAMS, (void *)p256, sizeof p256 },
	};
	CK_ATTRIBUTE priv[] = {
		{ CKA_TOKEN, &yes, sizeof yes },
		{ CKA_PRIVATE, &yes, sizeof yes },
		{ CKA_SENSITIVE, &yes, sizeof yes },
		{ CKA_EXTRACTABLE, &no, sizeof no },
		{ CKA_LABEL, (void *)label, lablen },
		{ CKA_ID, tmpid, sizeof tmpid },
		{ CKA_SIGN, &yes, sizeof yes },
		{ CKA_DECRYPT, &yes, sizeof yes },
	};
	CK_ATTRIBUTE set_id = { CKA_ID, id, sizeof id };

	keyid[0] = '\0';
	if (pub != NULL)
		*pub = NULL;
	if (fl == NULL)
		return qt_error(QT_ERR_MODULE, "%s", _("the module gives no function list"));
	/* Until its id is set the pair carries a recognisable pending id,
	 * so a generation cut short (token pulled, process killed) is never
	 * mistaken for a key: listings mark it incomplete and the next
	 * generation removes it. */
	memcpy(tmpid, PENDING_ID, PENDING_LEN);
	if (RAND_bytes(tmpid + PENDING_LEN, sizeof tmpid - PENDING_LEN) != 1)
		return qt_error_ssl(QT_ERR_CRYPTO, "RAND_bytes");
	rc = open_session(t, true, &h);
	if (rc != QT_OK)
		return rc;
	remove_pending(fl, h);
	if (type == QT_KEY_EC_P256) {
		mech.mechanism = CKM_EC_KEY_PAIR_GEN;
		rv = fl->C_GenerateKeyPair(h, &mech, pub_ec, sizeof pub_ec / sizeof pub_ec[0],
		                           priv, 7 /* no CKA_DECRYPT for EC */, &pubh, &privh);
	} else {
		rv = fl->C_GenerateKeyPair(h, &mech, pub_rsa, sizeof pub_rsa / sizeof pub_rsa[0],
		                           priv, sizeof priv / sizeof priv[0], &pubh, &privh);
	}
	if (rv != CKR_OK) {
		rc = qt_p11_map_ckr(rv, "C_GenerateKeyPair");
		if (rv == CKR_USER_NOT_LOGGED_IN)
			rc = qt_error(QT_ERR_TOKEN, "%s", _("log in to the token first"));
		goto fail;
	}
	qt_crashpoint("token-keygen-generated");
	rc = public_key_of(fl, h, pubh, type == QT_KEY_EC_P256 ? CKK_EC : CKK_RSA, &k);
	if (rc != QT_OK)
		goto fail;
	rc = qt_keyid_of_key(k, keyid);
	if (rc != QT_OK || from_hex(keyid, id, sizeof id, &idlen) != 0 || idlen != sizeof id) {
		rc = rc != QT_OK ? rc : qt_error(QT_ERR_INTERNAL, "keyid %s", keyid);
		goto fail;
	}
	rv = fl->C_SetAttributeValue(h, pubh, &set_id, 1);
	if (rv == CKR_OK)
		rv = fl->C_SetAttributeValue(h, privh, &set_id, 1);
	if (rv != CKR_OK) {
		rc = qt_p11_map_ckr(rv, "C_SetAttributeValue(CKA_ID)");
		goto fail;
	}
	/* Both halves must be there under the new id before we say so. */
	rv = find_by_id(fl, h, CKO_PRIVATE_KEY, id, sizeof id, &found, 1, &n);
	if (rv == CKR_OK && n != 1)
		rv = CKR_DEVICE_REMOVED;
	if (rv == CKR_OK)
		rv = find_by_id(fl, h, CKO_PUBLIC_KEY, id, sizeof id, &found, 1, &n);
	if (rv == CKR_OK && n != 1)
		rv = CKR_DEVICE_REMOVED;
	if (rv != CKR_OK) {
		rc = qt_p11_map_ckr(rv, "C_FindObjects");
		goto fail;
	}
	fl->C_CloseSession(h);
	if (pub != NULL)
		*pub = k;
	else
		EVP_PKEY_free(k);
	return QT_OK;
fail:
	keyid[0] = '\0';
	/* Leave nothing half-made behind (ignored if the token is gone). */
	if (privh != CK_INVALID_HANDLE)
		fl->C_DestroyObject(h, privh);
	if (pubh != CK_INVALID_HANDLE)
		fl->C_DestroyObject(h, pubh);
	fl->C_CloseSession(h);
	EVP_PKEY_free(k);
	return rc;
}

/* ---- listing ---- */

static struct qt_token_object *obj_for(struct qt_token_object **objs, size_t *n, size_t *cap,
                                       const unsigned char *id, size_t idlen)
{
	char hex[129];
	size_t i;

	to_hex(id, idlen, hex, sizeof hex);
	for (i = 0; i < *n; i++)
		if (strcmp((*objs)[i].keyid, hex) == 0)
			return &(*objs)[i];
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 8;
		struct qt_token_object *no = realloc(*objs, nc * sizeof *no);

		if (no == NULL)
			return NULL;
		*objs = no;
		*cap = nc;
	}
	memset(&(*objs)[*n], 0, sizeof **objs);
	snprintf((*objs)[*n].keyid, sizeof (*objs)[*n].keyid, "%s", hex);
	return &(*objs)[(*n)++];
}

qt_err qt_token_list(qt_token *t, struct qt_token_object **objs, size_t *n)
{
	static const CK_OBJECT_CLASS classes[] = { CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE };
	CK_FUNCTION_LIST_PTR fl = fl_of(t);
	CK_SESSION_HANDLE h;
	size_t cap = 0, c;
	qt_err rc = QT_OK;

	*objs = NULL;
	*n = 0;
	rc = open_session(t, false, &h);
	if (rc != QT_OK)
		return rc;
	for (c = 0; c < 3 && rc == QT_OK; c++) {
		CK_OBJECT_HANDLE found[64];
		CK_ULONG nf = 0, i;
		CK_RV rv;

		rv = find_by_id(fl, h, classes[c], NULL, 0, found, 64, &nf);
		if (rv != CKR_OK) {
			rc = qt_p11_map_ckr(rv, "C_FindObjects");
			break;
		}
		for (i = 0; i < nf; i++) {
			unsigned char *id = NULL, *lab = NULL, *val = NULL;
			CK_ULONG idlen = 0, lablen = 0, vallen = 0;
			struct qt_token_object *o;

			get_attr(fl, h, found[i], CKA_ID, &id, &idlen);
			get_attr(fl, h, found[i], CKA_LABEL, &lab, &lablen);
			o = obj_for(objs, n, &cap, id ? id : (const unsigned char *)"", idlen);
			if (o == NULL) {
				free(id);
				free(lab);
				rc = QT_ERR_NOMEM;
				break;
			}
			if (id != NULL && is_pending(id, idlen))
				o->incomplete = true;
			if (classes[c] == CKO_CERTIFICATE) {
				if (get_attr(fl, h, found[i], CKA_VALUE, &val, &vallen) == CKR_OK &&
				    o->cert == NULL) {
					const unsigned char *q = val;

					o->cert = d2i_X509(NULL, &q, (long)vallen);
				}
				if (lab != NULL)
					snprintf(o->cert_label, sizeof o->cert_label, "%.*s",
					         (int)lablen, (char *)lab);
			} else {
				unsigned char *kt = NULL, *mb = NULL;
				CK_ULONG ktlen = 0, mblen = 0;

				if (classes[c] == CKO_PRIVATE_KEY)
					o->has_private_key = true;
				else
					o->has_public_key = true;
				if (lab != NULL && o->label[0] == '\0')
					snprintf(o->label, sizeof o->label, "%.*s", (int)lablen, (char *)lab);
				if (o->key_type[0] == '\0' &&
				    get_attr(fl, h, found[i], CKA_KEY_TYPE, &kt, &ktlen) == CKR_OK &&
				    ktlen == sizeof(CK_KEY_TYPE)) {
					CK_KEY_TYPE k;

					memcpy(&k, kt, sizeof k);
					if (k == CKK_RSA && get_attr(fl, h, found[i], CKA_MODULUS, &mb,
					                             &mblen) == CKR_OK)
						snprintf(o->key_type, sizeof o->key_type, "RSA %lu",
						         (unsigned long)mblen * 8);
					else if (k == CKK_RSA)
						snprintf(o->key_type, sizeof o->key_type, "RSA");
					else if (k == CKK_EC)
						snprintf(o->key_type, sizeof o->key_type, "EC");
				}
				free(kt);
				free(mb);
			}
			free(id);
			free(lab);
			free(val);
		}
	}
	fl->C_CloseSession(h);
	if (rc != QT_OK) {
		qt_token_objects_free(*objs, *n);
		*objs = NULL;
		*n = 0;
	}
	return rc;
}

void qt_token_objects_free(struct qt_token_object *objs, size_t n)
{
	size_t i;

	for (i = 0; i < n && objs != NULL; i++)
		X509_free(objs[i].cert);
	free(objs);
}

/* ---- certificates and signing ---- */

qt_err qt_token_store_cert(qt_token *t, X509 *cert, const char *label)
{
	CK_FUNCTION_LIST_PTR fl = fl_of(t);
	unsigned char id[SHA_DIGEST_LENGTH];
	char hex[41], keylabel[129] = "";
	CK_OBJECT_HANDLE found[16];
	CK_SESSION_HANDLE h;
	CK_ULONG n = 0, i;
	CK_RV rv;
	qt_err rc;

	rc = keyid_of(X509_get_X509_PUBKEY(cert), id);
	if (rc != QT_OK)
		return rc;
	to_hex(id, sizeof id, hex, sizeof hex);
	rc = open_session(t, false, &h);
	if (rc != QT_OK)
		return rc;
	/* The key must be there: a certificate alone on a token is of no
	 * use and hides the mistake. */
	rv = find_by_id(fl, h, CKO_PUBLIC_KEY, id, sizeof id, found, 1, &n);
	if (rv == CKR_OK && n == 0)
		rv = find_by_id(fl, h, CKO_PRIVATE_KEY, id, sizeof id, found, 1, &n);
	if (rv == CKR_OK && n == 1) {
		unsigned char *lab = NULL;
		CK_ULONG lablen = 0;

		if (get_attr(fl, h, found[0], CKA_LABEL, &lab, &lablen) == CKR_OK)
			snprintf(keylabel, sizeof keylabel, "%.*s", (int)lablen, (char *)lab);
		free(lab);
	}
	if (rv == CKR_OK && n == 1) {
		CK_ULONG nc = 0;

		rv = find_by_id(fl, h, CKO_CERTIFICATE, id, sizeof id, found, 16, &nc);
		for (i = 0; rv == CKR_OK && i < nc; i++) {
			unsigned char *val = NULL;
			CK_ULONG vallen = 0;
			X509 *x = NULL;

			if (get_attr(fl, h, found[i], CKA_VALUE, &val, &vallen) == CKR_OK) {
				const unsigned char *q = val;

				x = d2i_X509(NULL, &q, (long)vallen);
			}
			free(val);
			if (x != NULL && X509_cmp(x, cert) == 0)
				n = 2;   /* already stored */
			X509_free(x);
		}
	}
	fl->C_CloseSession(h);
	if (rv != CKR_OK)
		return qt_p11_map_ckr(rv, "C_FindObjects");
	if (n == 0)
		return qt_error(QT_ERR_KEY_MISMATCH, _("no key on the token has the id %s"), hex);
	if (n == 2)
		return qt_error(QT_ERR_EXISTS, _("the certificate %s is on the token already"), hex);
	if (label == NULL || label[0] == '\0')
		label = keylabel[0] != '\0' ? keylabel : hex;
	{
		char lab[129];

		snprintf(lab, sizeof lab, "%s", label);
		if (PKCS11_store_certificate(t->slot->token, cert, lab, id, sizeof id, NULL) != 0)
			return p11_fail(QT_ERR_TOKEN, "C_CreateObject(certificate)");
	}
	return QT_OK;
}

/* Signing goes to the module directly: C_FindObjects by id costs the
 * same on a token with 2 keys or 200, where libp11 would read every
 * key's attributes first.  The hash is computed here and signed with
 * CKM_RSA_PKCS over the DigestInfo, or CKM_ECDSA: the two mechanisms
 * every token has, older eTokens included. */
qt_err qt_token_sign(qt_token *t, const char *keyid, const unsigned char *data, size_t len,
                     unsigned char **sig, size_t *siglen)
{
	static const unsigned char sha256_info[] = {
		0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
		0x01, 0x05, 0x00, 0x04, 0x20
	};
	CK_FUNCTION_LIST_PTR fl = fl_of(t);
	CK_MECHANISM mech = { CKM_RSA_PKCS, NULL, 0 };
	unsigned char id[64], in[sizeof sha256_info + SHA256_DIGEST_LENGTH], *kt = NULL;
	unsigned char raw[1024];
	CK_ULONG n = 0, ktlen = 0, rawlen = sizeof raw, inlen;
	CK_OBJECT_HANDLE key;
	CK_SESSION_HANDLE h;
	CK_KEY_TYPE type = CKK_RSA;
	size_t idlen;
	CK_RV rv;
	qt_err rc;

	*sig = NULL;
	*siglen = 0;
	if (from_hex(keyid, id, sizeof id, &idlen) != 0)
		return qt_error(QT_ERR_INVALID_ARG, _("\"%s\" is not a key id in hex"), keyid);
	rc = open_session(t, false, &h);
	if (rc != QT_OK)
		return rc;
	rv = find_by_id(fl, h, CKO_PRIVATE_KEY, id, idlen, &key, 1, &n);
	if (rv == CKR_OK && n == 0) {
		fl->C_CloseSession(h);
		return qt_error(QT_ERR_NO_KEY, _("no private key with the id %s (log in first?)"), keyid);
	}
	if (rv == CKR_OK && get_attr(fl, h, key, CKA_KEY_TYPE, &kt, &ktlen) == CKR_OK &&
	    ktlen == sizeof type)
		memcpy(&type, kt, sizeof type);
	free(kt);
	memcpy(in, sha256_info, sizeof sha256_info);
	SHA256(data, len, in + sizeof sha256_info);
	if (type == CKK_EC) {
		mech.mechanism = CKM_ECDSA;
		memmove(in, in + sizeof sha256_info, SHA256_DIGEST_LENGTH);
		inlen = SHA256_DIGEST_LENGTH;
	} else {
		inlen = sizeof in;
	}
	if (rv == CKR_OK)
		rv = fl->C_SignInit(h, &mech, key);
	if (rv == CKR_OK)
		rv = fl->C_Sign(h, in, inlen, raw, &rawlen);
	fl->C_CloseSession(h);
	OPENSSL_cleanse(in, sizeof in);
	if (rv != CKR_OK)
		return qt_p11_map_ckr(rv, "C_Sign");
	if (type == CKK_EC) {
		/* r || s -> DER ECDSA-Sig-Value, as OpenSSL and X.509 want it. */
		ECDSA_SIG *es = ECDSA_SIG_new();
		BIGNUM *r = BN_bin2bn(raw, (int)(rawlen / 2), NULL);
		BIGNUM *sv = BN_bin2bn(raw + rawlen / 2, (int)(rawlen / 2), NULL);
		unsigned char *der = NULL;
		int dlen = -1;

		if (es != NULL && r != NULL && sv != NULL && ECDSA_SIG_set0(es, r, sv) == 1) {
			r = sv = NULL;
			dlen = i2d_ECDSA_SIG(es, &der);
		}
		BN_free(r);
		BN_free(sv);
		ECDSA_SIG_free(es);
		if (dlen <= 0)
			return qt_error_ssl(QT_ERR_CRYPTO, "ECDSA-Sig-Value");
		*sig = der;
		*siglen = (size_t)dlen;
		return QT_OK;
	}
	*sig = OPENSSL_memdup(raw, rawlen);
	if (*sig == NULL)
		return QT_ERR_NOMEM;
	*siglen = rawlen;
	return QT_OK;
}
