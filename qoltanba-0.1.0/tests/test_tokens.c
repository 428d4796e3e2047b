/* The token layer's pure parts: the ATR table (prefix match, longest
 * wins, files an administrator adds, bad lines), medium names and
 * factory PINs, and the mapping of PC/SC and PKCS#11 codes that no
 * real component here can produce on demand: polkit's refusal over SSH
 * (Debian 12's pcscd is built without polkit), a locked PIN (SoftHSM
 * has no retry counter) and a token pulled out during generation. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winscard.h>
#include <p11-kit-1/p11-kit/pkcs11.h>

#include <qoltanba/atr.h>
#include <qoltanba/pcsc.h>
#include <qoltanba/token.h>
#include "tap.h"

static const unsigned char kaztoken[] = {
	0x3B, 0x88, 0x01, 0x4B, 0x41, 0x5A, 0x54, 0x4F, 0x4B, 0x45, 0x4E, 0x82, 0xFF
};
static const unsigned char akey2[] = { 0x3B, 0x90, 0x95, 0x80, 0x1F, 0x03, 0x99, 0x00 };
static const unsigned char other[] = { 0x3B, 0x8F, 0x80, 0x01 };

int main(int argc, char **argv)
{
	const char *srcdir = getenv("top_srcdir");
	char data[4096], extra[4096];
	const char *paths[2] = { data, extra };
	qt_atr_table *t;
	enum qt_storage m;
	FILE *f;

	snprintf(data, sizeof data, "%s/data/atr.conf", srcdir ? srcdir : ".");
	snprintf(extra, sizeof extra, "%s/test_tokens_extra.conf", argc > 1 ? argv[1] : ".");

	/* The shipped table. */
	CHECK_EQ_INT(qt_atr_table_load_files(paths, 1, &t), QT_OK);
	CHECK_EQ_INT(qt_atr_table_size(t), 13);   /* domain.md 4 */
	CHECK_STR(qt_atr_table_problem(t), "");
	CHECK_EQ_INT(qt_atr_lookup(t, kaztoken, sizeof kaztoken), QT_STORAGE_KAZTOKEN);
	CHECK_EQ_INT(qt_atr_lookup(t, kaztoken, 5), QT_STORAGE_UNKNOWN);   /* shorter than the prefix */
	CHECK_EQ_INT(qt_atr_lookup(t, akey2, sizeof akey2), QT_STORAGE_AKEY);
	CHECK_EQ_INT(qt_atr_lookup(t, other, sizeof other), QT_STORAGE_UNKNOWN);
	qt_atr_table_free(t);

	/* An administrator's file: added, longest prefix wins, bad lines
	 * are skipped and reported with file and line. */
	f = fopen(extra, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return tap_done();
	fputs("# local\n"
	      "jacarta 3b:8f:80\n"
	      "idcard 3B88014B415A544F4B454E82FF   # a longer, more specific prefix\n"
	      "floppy 3B00\n"
	      "akey 3BXY\n", f);
	fclose(f);
	CHECK_EQ_INT(qt_atr_table_load_files(paths, 2, &t), QT_OK);
	CHECK_EQ_INT(qt_atr_table_size(t), 15);
	CHECK_EQ_INT(qt_atr_lookup(t, other, sizeof other), QT_STORAGE_JACARTA);
	CHECK_EQ_INT(qt_atr_lookup(t, kaztoken, sizeof kaztoken), QT_STORAGE_IDCARD);
	CHECK(strstr(qt_atr_table_problem(t), "test_tokens_extra.conf:4: unknown medium") != NULL);
	qt_atr_table_free(t);
	remove(extra);

	/* Media names, labels, factory PINs (domain.md 1). */
	CHECK_EQ_INT(qt_medium_from_name("etoken72k", &m), QT_OK);
	CHECK_EQ_INT(m, QT_STORAGE_ETOKEN72K);
	CHECK_EQ_INT(qt_medium_from_name("floppy", &m), QT_ERR_INVALID_ARG);
	CHECK_STR(qt_medium_default_pin(QT_STORAGE_KAZTOKEN), "12345678");
	CHECK_STR(qt_medium_default_pin(QT_STORAGE_ETOKEN72K), "1234567890");
	CHECK_STR(qt_medium_default_pin(QT_STORAGE_JACARTA), "1234567890");
	CHECK_STR(qt_medium_default_pin(QT_STORAGE_AKEY), "1234567890");
	CHECK(qt_medium_default_pin(QT_STORAGE_IDCARD) == NULL);
	CHECK_STR(qt_medium_label(QT_STORAGE_ETOKEN72K), "eToken PRO 72K");

	/* PC/SC: polkit refusing over SSH names the rule to add. */
	CHECK_EQ_INT(qt_pcsc_map_error(SCARD_W_SECURITY_VIOLATION, "SCardEstablishContext"),
	             QT_ERR_PCSC_DENIED);
	CHECK(strstr(qt_error_detail(), "Access denied") != NULL);
	CHECK(strstr(qt_strerror(QT_ERR_PCSC_DENIED), "org.debian.pcsc-lite.access_pcsc") != NULL);
	CHECK(strstr(qt_strerror(QT_ERR_PCSC_DENIED), "org.debian.pcsc-lite.access_card") != NULL);
	CHECK(strstr(qt_strerror(QT_ERR_PCSC_DENIED), "polkit") != NULL);
	CHECK_EQ_INT(qt_pcsc_map_error(SCARD_E_NO_ACCESS, "x"), QT_ERR_PCSC_DENIED);
	CHECK_EQ_INT(qt_pcsc_map_error(SCARD_E_NO_SERVICE, "x"), QT_ERR_PCSC);
	CHECK_EQ_INT(qt_pcsc_map_error(SCARD_E_NO_READERS_AVAILABLE, "x"), QT_ERR_NO_READER);
	CHECK_EQ_INT(qt_pcsc_map_error(SCARD_E_NO_SMARTCARD, "x"), QT_ERR_NO_CARD);
	CHECK_EQ_INT(qt_pcsc_map_error(SCARD_W_REMOVED_CARD, "x"), QT_ERR_NO_CARD);
	CHECK_EQ_INT(qt_pcsc_map_error(SCARD_E_CANCELLED, "x"), QT_ERR_CANCELLED);

	/* PKCS#11. */
	CHECK_EQ_INT(qt_p11_map_ckr(CKR_DEVICE_REMOVED, "C_GenerateKeyPair"), QT_ERR_TOKEN_REMOVED);
	CHECK(strstr(qt_error_detail(), "C_GenerateKeyPair") != NULL);
	CHECK_EQ_INT(qt_p11_map_ckr(CKR_TOKEN_NOT_PRESENT, "x"), QT_ERR_TOKEN_REMOVED);
	CHECK(strstr(qt_strerror(QT_ERR_TOKEN_REMOVED), "Nothing was saved") != NULL);
	CHECK_EQ_INT(qt_p11_map_ckr(CKR_PIN_INCORRECT, "x"), QT_ERR_PIN_INCORRECT);
	CHECK_EQ_INT(qt_p11_map_ckr(CKR_PIN_LOCKED, "x"), QT_ERR_PIN_LOCKED);
	CHECK_EQ_INT(qt_p11_map_ckr(CKR_PIN_LEN_RANGE, "x"), QT_ERR_PIN_POLICY);
	CHECK_EQ_INT(qt_p11_map_ckr(CKR_MECHANISM_INVALID, "x"), QT_ERR_UNSUPPORTED_ALG);
	CHECK_EQ_INT(qt_p11_map_ckr(CKR_GENERAL_ERROR, "x"), QT_ERR_TOKEN);
	CHECK_EQ_INT(qt_p11_map_ckr(CKR_OK, "x"), QT_OK);
	CHECK_STR(qt_pin_state_name(QT_PIN_FINAL_TRY), "final_try");
	CHECK(strstr(qt_pin_state_label(QT_PIN_FINAL_TRY), "one more wrong PIN") != NULL);
	return tap_done();
}
