/* A tiny test harness: CHECK() prints what failed and where, and the
 * program exits 1 if anything failed (77 for "skipped, because ..."). */
#ifndef QT_TESTS_TAP_H
#define QT_TESTS_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_failures, tap_checks;

#define CHECK(cond) do { \
	tap_checks++; \
	if (!(cond)) { \
		tap_failures++; \
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ_INT(a, b) do { \
	long long tap_a = (long long)(a), tap_b = (long long)(b); \
	tap_checks++; \
	if (tap_a != tap_b) { \
		tap_failures++; \
		fprintf(stderr, "FAIL %s:%d: %s == %lld, expected %s == %lld\n", \
		        __FILE__, __LINE__, #a, tap_a, #b, tap_b); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *tap_a = (a), *tap_b = (b); \
	tap_checks++; \
	if (tap_a == NULL || tap_b == NULL || strcmp(tap_a, tap_b) != 0) { \
		tap_failures++; \
		fprintf(stderr, "FAIL %s:%d: %s is \"%s\", expected \"%s\"\n", \
		        __FILE__, __LINE__, #a, tap_a ? tap_a : "(null)", \
		        tap_b ? tap_b : "(null)"); \
	} \
} while (0)

#define SKIP(why) do { printf("SKIP: %s\n", why); exit(77); } while (0)

static inline int tap_done(void)
{
	printf("%d checks, %d failed\n", tap_checks, tap_failures);
	return tap_failures == 0 ? 0 : 1;
}

#endif
