/* The account client renews an expired session by itself: signs in,
 * waits for a line on stdin (the test restarts qoltanbad with its clock
 * 20 minutes ahead meanwhile), then lists the keys.  Prints what a
 * person would notice; tests/account-cli.sh checks it.
 *   test_account URL KEY.p12 PASSWORD-FILE */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qoltanba/account.h>
#include <qoltanba/portal.h>
#include <qoltanba/secret.h>

int main(int argc, char **argv)
{
	struct qt_portal_options po = { 0 };
	struct qt_account_holder h1, h2;
	struct qt_account_key *k = NULL;
	qt_portal *p = NULL;
	qt_account *a = NULL;
	char *pw = NULL, line[64];
	size_t n = 0;
	qt_err rc;

	if (argc != 4) {
		fprintf(stderr, "usage: test_account URL KEY.p12 PASSWORD-FILE\n");
		return 2;
	}
	po.url = argv[1];
	po.retries = -1;
	if ((rc = qt_portal_open(&po, &p)) != QT_OK || (rc = qt_account_open(p, &a)) != QT_OK ||
	    (rc = qt_secret_from_file(argv[3], &pw)) != QT_OK ||
	    (rc = qt_account_use_keyfile(a, argv[2], pw)) != QT_OK ||
	    (rc = qt_account_sign_in(a, &h1)) != QT_OK) {
		printf("sign-in failed: %s (%s)\n", qt_strerror(rc), qt_error_detail());
		return 1;
	}
	qt_free_secret_str(pw);
	printf("signed in as %s\n", h1.iin);
	fflush(stdout);
	if (fgets(line, sizeof line, stdin) == NULL)
		return 1;
	rc = qt_account_keys(a, &k, &n);
	h2 = *qt_account_holder(a);
	if (rc != QT_OK) {
		printf("keys failed: %s (%s) [%s]\n", qt_strerror(rc), qt_error_detail(),
		       qt_portal_error_code(p));
		return 1;
	}
	printf("%zu keys; %s\n", n, h2.session_expires > h1.session_expires ?
	       "signed in again" : "same session");
	free(k);
	qt_account_free(a);
	qt_portal_close(p);
	return 0;
}
