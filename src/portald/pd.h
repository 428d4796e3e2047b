/* qoltanbad internals shared by its modules. */
#ifndef PD_H
#define PD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "portald/store.h"

struct pd_ca;

#define PD_BODY_LIMIT        (64 * 1024)   /* bytes of a request body */
#define PD_VERIFY_DAYS       30            /* RA visit deadline */
#define PD_CAPTCHA_TTL       300           /* seconds */
#define PD_CAPTCHA_CHECKS    4             /* registry checks per captcha */
#define PD_CHALLENGE_TTL     120           /* operator sign-in nonce */
#define PD_TOKEN_BYTES       32
#define PD_EXPIRY_NOTICE_DAYS 30           /* the account warns from here on */

/* DIR/qoltanbad.conf, "key = value" lines; see doc/api.md. */
struct pd_config {
	char data_dir[1024];
	char name[65];
	char base_url[256];
	char listen[128];            /* default ADDR:PORT */
	char tls_cert[1024];         /* PEM chain; "" for plain HTTP */
	char tls_key[1024];
	char log_file[1024];         /* "" for stderr */
	bool captcha;
	bool test_mode;              /* allows --test-clock-offset */
	bool sync_full;              /* "synchronous = full" (default) or "normal" */
	int captcha_per_minute;      /* new captchas per client address */
	int session_minutes;         /* operator session lifetime */
	int threads;                 /* HTTP threads; 0: one per CPU */
	int write_threads;           /* the write pool; 0: four per CPU */
	/* Expiry notices (notify.c). */
	char smtp_url[512];          /* "smtp://127.0.0.1:25"; "" : no e-mail */
	char mail_from[256];
	char sms_gateway[512];       /* "http://..." POST {"phone","text"}; "" : no SMS */
	int notify_minutes;          /* period of the check; 0: only "qoltanbad notify" */
};

void pd_config_defaults(struct pd_config *c);
/* Reads DIR/qoltanbad.conf.  Returns 0, or -1 with a message on stderr. */
int pd_config_load(const char *dir, struct pd_config *c);
int pd_config_write(const struct pd_config *c);

/* The clock: real time plus the test offset. */
extern long pd_clock_offset;
time_t pd_now(void);
/* The SECONDS of --test-clock-offset: whether s is a whole number, in *v. */
bool pd_clock_offset_parse(const char *s, long *v);

/* Random and hashing helpers. */
int pd_random_hex(char *out, size_t bytes);           /* out: 2*bytes+1 */
int pd_random_token(char *out, size_t size);          /* base64url of 32 bytes */
void pd_sha256_hex(const void *data, size_t len, char out[65]);
int pd_new_app_number(char out[13]);                  /* 12 digits */
bool pd_app_number_valid(const char *s);
void pd_time_iso(time_t t, char out[32]);
/* Constant-time comparison of two NUL-terminated strings. */
bool pd_streq_ct(const char *a, const char *b);

/* Base64 (standard alphabet); out is malloc()ed. */
unsigned char *pd_base64_decode(const char *in, size_t *len);
char *pd_base64_encode(const unsigned char *in, size_t len);

/* Captcha art (captcha.c). */
void pd_captcha_make(char answer[8], char **art);

/* The running daemon. */
struct pd_server {
	struct pd_config cfg;
	struct pd_store *store;
	struct pd_ca *ca;
};

/* Admin commands (admin.c). */
int pd_cmd_init(int argc, char **argv);
int pd_cmd_registry(int argc, char **argv);
int pd_cmd_operator(int argc, char **argv);
int pd_cmd_ra(int argc, char **argv);
int pd_cmd_serve(int argc, char **argv);
int pd_cmd_notify(int argc, char **argv);

/* Expiry notices (notify.c): one pass at now; returns how many notices
 * were sent, or -1 when the database failed. */
int pd_notify_pass(struct pd_server *srv, time_t now);

/* Opens DIR's config, store and CA. */
int pd_server_open(struct pd_server *srv, const char *dir);
void pd_server_close(struct pd_server *srv);

#endif
