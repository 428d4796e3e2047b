/* Small helpers: clock, random numbers and tokens, hashes, base64. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <qoltanba/idnum.h>

#include "portald/pd.h"

long pd_clock_offset;

time_t pd_now(void)
{
	return time(NULL) + pd_clock_offset;
}

bool pd_clock_offset_parse(const char *s, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return !errno && end != s && !*end;
}

int pd_random_hex(char *out, size_t bytes)
{
	unsigned char b[64];
	static const char hx[] = "0123456789abcdef";

	if (bytes > sizeof(b) || RAND_bytes(b, (int)bytes) != 1)
		return -1;
	for (size_t i = 0; i < bytes; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * bytes] = '\0';
	return 0;
}

int pd_random_token(char *out, size_t size)
{
	static const char b64u[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char b[PD_TOKEN_BYTES];
	size_t o = 0;

	if (size < 44 || RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	/* 32 bytes -> 43 characters, no padding. */
	for (size_t i = 0; i < sizeof(b); i += 3) {
		unsigned v = (unsigned)b[i] << 16;

		if (i + 1 < sizeof(b))
			v |= (unsigned)b[i + 1] << 8;
		if (i + 2 < sizeof(b))
			v |= b[i + 2];
		out[o++] = b64u[(v >> 18) & 63];
		out[o++] = b64u[(v >> 12) & 63];
		if (i + 1 < sizeof(b))
			out[o++] = b64u[(v >> 6) & 63];
		if (i + 2 < sizeof(b))
			out[o++] = b64u[v & 63];
	}
	out[o] = '\0';
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

/* OpenSSL 3 looks an algorithm up (under a lock) on every implicit
 * fetch; status lookups hash a token each, so fetch SHA-256 once. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void pd_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	static const char hx[] = "0123456789abcdef";

	pthread_once(&sha256_once, sha256_fetch);
	if (!sha256_md || !EVP_Digest(data, len, md, NULL, sha256_md, NULL))
		SHA256(data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[64] = '\0';
}

/* 11 random digits (the first not 0) and a check digit computed as for
 * IIN/BIN (domain.md section 5), so that a mistyped number is caught
 * before it reaches the database.  Numbers whose check digit would be
 * 10 are drawn again. */
int pd_new_app_number(char out[13])
{
	for (;;) {
		unsigned char b[11];

		if (RAND_bytes(b, sizeof(b)) != 1)
			return -1;
		for (int i = 0; i < 11; i++) {
			/* Rejection sampling keeps the digits uniform. */
			while (b[i] >= 250)
				if (RAND_bytes(&b[i], 1) != 1)
					return -1;
			out[i] = (char)('0' + b[i] % 10);
		}
		if (out[0] == '0')
			continue;
		for (char d = '0'; d <= '9'; d++) {
			out[11] = d;
			out[12] = '\0';
			if (qt_idnum_checksum_ok(out))
				return 0;
		}
	}
}

bool pd_app_number_valid(const char *s)
{
	if (strlen(s) != 12)
		return false;
	for (int i = 0; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return qt_idnum_checksum_ok(s);
}

void pd_time_iso(time_t t, char out[32])
{
	struct tm tm;
	int val[6], w[6] = { 4, 2, 2, 2, 2, 2 }, o = 0;
	static const char sep[6] = { '-', '-', 'T', ':', ':', 'Z' };

	gmtime_r(&t, &tm);
	val[0] = tm.tm_year + 1900;
	val[1] = tm.tm_mon + 1;
	val[2] = tm.tm_mday;
	val[3] = tm.tm_hour;
	val[4] = tm.tm_min;
	val[5] = tm.tm_sec;
	for (int i = 0; i < 6; i++) {
		unsigned x = (unsigned)val[i];

		for (int k = w[i] - 1; k >= 0; k--, x /= 10)
			out[o + k] = (char)('0' + x % 10);
		o += w[i];
		out[o++] = sep[i];
	}
	out[o] = '\0';
}

bool pd_streq_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

unsigned char *pd_base64_decode(const char *in, size_t *len)
{
	size_t n = strlen(in), cap = n / 4 * 3 + 3;
	unsigned char *out;
	int r;

	if (n == 0 || n % 4 || n > 16384)
		return NULL;
	out = malloc(cap);
	if (!out)
		return NULL;
	r = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (r < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts padding as zero bytes. */
	if (n >= 1 && in[n - 1] == '=')
		r--;
	if (n >= 2 && in[n - 2] == '=')
		r--;
	*len = (size_t)r;
	return out;
}

char *pd_base64_encode(const unsigned char *in, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}
