/* The engine's token API as the screens use it, against SoftHSM2 (run
 * by tests/tokens-softhsm.sh with a token "A" whose PIN is Kaztoken's
 * factory PIN 12345678):  token_api MODULE */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <qoltanba/token.h>
#include "tap.h"

int main(int argc, char **argv)
{
	struct qt_token_object *objs = NULL;
	struct qt_token_info ti;
	enum qt_pin_state st;
	char keyid[41];
	unsigned char *sig = NULL;
	size_t n = 0, i, siglen = 0;
	bool def = true, found = false;
	EVP_PKEY *pub = NULL;
	qt_token *t = NULL;
	qt_p11 *p = NULL;

	if (argc != 2)
		return 64;
	/* A module that is not there: QT_ERR_MODULE, and the path in the detail. */
	CHECK_EQ_INT(qt_p11_open_module("/nonexistent/libnothing.so", QT_STORAGE_UNKNOWN, &p),
	             QT_ERR_MODULE);
	CHECK(strstr(qt_error_detail(), "/nonexistent/libnothing.so") != NULL);
	qt_p11_close(p);

	CHECK_EQ_INT(qt_p11_open_module(argv[1], QT_STORAGE_KAZTOKEN, &p), QT_OK);
	CHECK_EQ_INT(qt_p11_find_token(p, "A", &t), QT_OK);
	CHECK_EQ_INT(qt_p11_find_token(p, "no such token", &t), QT_ERR_TOKEN_NOT_FOUND);
	if (qt_p11_find_token(p, "A", &t) != QT_OK)
		return tap_done();
	CHECK_EQ_INT(qt_token_info(t, &ti), QT_OK);
	CHECK_STR(ti.label, "A");
	CHECK_STR(ti.model, "SoftHSM v2");
	CHECK(ti.initialized && ti.login_required);
	CHECK_EQ_INT(ti.medium, QT_STORAGE_KAZTOKEN);
	CHECK_EQ_INT(ti.pin_state, QT_PIN_OK);

	/* Generation needs a login. */
	CHECK_EQ_INT(qt_token_keygen(t, QT_KEY_EC_P256, "x", keyid, NULL), QT_ERR_TOKEN);
	CHECK_STR(keyid, "");

	/* A wrong PIN: the state for the next attempt comes back with it. */
	CHECK_EQ_INT(qt_token_login(t, "00000000", &st, &def), QT_ERR_PIN_INCORRECT);
	CHECK_EQ_INT(st, QT_PIN_COUNT_LOW);
	CHECK(!def);
	CHECK_EQ_INT(qt_token_info(t, &ti), QT_OK);
	CHECK_EQ_INT(ti.pin_state, QT_PIN_COUNT_LOW);

	/* The factory PIN works, and is flagged. */
	CHECK_EQ_INT(qt_token_login(t, "12345678", &st, &def), QT_OK);
	CHECK(def);
	CHECK(qt_token_pin_is_default(t, "12345678"));
	CHECK(!qt_token_pin_is_default(t, "1234567890"));   /* that is eToken's */

	/* Generation, then the listing shows it; signing with it verifies. */
	CHECK_EQ_INT(qt_token_keygen(t, QT_KEY_EC_P256, "screen key", keyid, &pub), QT_OK);
	CHECK_EQ_INT(strlen(keyid), 40);
	CHECK_EQ_INT(qt_token_list(t, &objs, &n), QT_OK);
	for (i = 0; i < n; i++) {
		if (strcmp(objs[i].keyid, keyid) == 0) {
			found = true;
			CHECK(objs[i].has_private_key && objs[i].has_public_key);
			CHECK(!objs[i].incomplete);
			CHECK(objs[i].cert == NULL);
			CHECK_STR(objs[i].label, "screen key");
			CHECK_STR(objs[i].key_type, "EC");
		}
	}
	CHECK(found);
	qt_token_objects_free(objs, n);
	CHECK_EQ_INT(qt_token_sign(t, keyid, (const unsigned char *)"abc", 3, &sig, &siglen), QT_OK);
	if (sig != NULL && pub != NULL) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();

		CHECK(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
		      EVP_DigestVerify(md, sig, siglen, (const unsigned char *)"abc", 3) == 1);
		EVP_MD_CTX_free(md);
	}
	OPENSSL_free(sig);
	EVP_PKEY_free(pub);
	CHECK_EQ_INT(qt_token_sign(t, "00112233", (const unsigned char *)"abc", 3, &sig, &siglen),
	             QT_ERR_NO_KEY);
	CHECK_EQ_INT(qt_token_sign(t, "xyz", (const unsigned char *)"abc", 3, &sig, &siglen),
	             QT_ERR_INVALID_ARG);

	/* Change of PIN: a wrong old PIN is refused, the right one works. */
	CHECK_EQ_INT(qt_token_change_pin(t, "11111111", "24682468"), QT_ERR_PIN_INCORRECT);
	CHECK_EQ_INT(qt_token_change_pin(t, "12345678", "24682468"), QT_OK);
	qt_token_logout(t);
	CHECK_EQ_INT(qt_token_login(t, "12345678", &st, &def), QT_ERR_PIN_INCORRECT);
	CHECK_EQ_INT(qt_token_login(t, "24682468", &st, &def), QT_OK);
	CHECK(!def);

	/* After a refresh (a token connected or removed) it is found again. */
	CHECK_EQ_INT(qt_p11_refresh(p), QT_OK);
	CHECK_EQ_INT(qt_p11_find_token(p, "A", &t), QT_OK);
	qt_p11_close(p);
	return tap_done();
}
