/* The SQLite store: one database file in the data folder, WAL mode,
 * synchronous=FULL (an answered request survives a crash or power
 * loss), one connection per thread with its statements prepared once. */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "portald/store.h"
#include "portald/log.h"

static const char SCHEMA[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS person(iin TEXT PRIMARY KEY CHECK(length(iin)=12),"
	" surname TEXT NOT NULL, given_name TEXT NOT NULL, patronymic TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS entity(bin TEXT PRIMARY KEY CHECK(length(bin)=12),"
	" name TEXT NOT NULL, head_iin TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS captcha(id TEXT PRIMARY KEY, answer TEXT NOT NULL,"
	" client TEXT NOT NULL, expires INTEGER NOT NULL, checks_used INTEGER NOT NULL,"
	" solved INTEGER NOT NULL, spent INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS application(number TEXT PRIMARY KEY,"
	" token_hash TEXT NOT NULL, subject_type TEXT NOT NULL, iin TEXT NOT NULL,"
	" bin TEXT NOT NULL, email TEXT NOT NULL, region TEXT NOT NULL, city TEXT NOT NULL,"
	" storage TEXT NOT NULL, auth_csr TEXT NOT NULL, sign_csr TEXT NOT NULL,"
	" status INTEGER NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,"
	" decided_by TEXT NOT NULL, reason TEXT NOT NULL, install_nonce TEXT NOT NULL,"
	" client TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS application_status ON application(status, created);"
	"CREATE INDEX IF NOT EXISTS application_iin ON application(iin);"
	/* A public key belongs to one application, forever. */
	"CREATE TABLE IF NOT EXISTS app_key(key_hash TEXT PRIMARY KEY,"
	" number TEXT NOT NULL REFERENCES application(number));"
	/* One certificate per purpose per application: a second issuance
	 * is refused by the database itself. */
	"CREATE TABLE IF NOT EXISTS certificate(serial TEXT PRIMARY KEY,"
	" number TEXT NOT NULL REFERENCES application(number), purpose TEXT NOT NULL,"
	" pem TEXT NOT NULL, not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,"
	" revoked_at INTEGER NOT NULL DEFAULT 0, reason INTEGER NOT NULL DEFAULT -1,"
	" UNIQUE(number, purpose));"
	"CREATE TABLE IF NOT EXISTS operator(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" cert_sha256 TEXT NOT NULL UNIQUE, cert_pem TEXT NOT NULL, created INTEGER NOT NULL,"
	" disabled INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS challenge(id TEXT PRIMARY KEY, nonce TEXT NOT NULL,"
	" expires INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS session(token_hash TEXT PRIMARY KEY,"
	" operator_id INTEGER NOT NULL REFERENCES operator(id), expires INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS audit(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
	" number TEXT NOT NULL, detail TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS audit_number ON audit(number);"
	"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	/* Personal account (issue 7). */
	"CREATE TABLE IF NOT EXISTS holder_session(token_hash TEXT PRIMARY KEY, iin TEXT NOT NULL,"
	" bin TEXT NOT NULL, subject_type TEXT NOT NULL, serial TEXT NOT NULL,"
	" expires INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS holder_pref(iin TEXT PRIMARY KEY, language TEXT NOT NULL,"
	" notify_email INTEGER NOT NULL, notify_sms INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS reissue(number TEXT PRIMARY KEY REFERENCES application(number),"
	" prev_serial TEXT NOT NULL, bin TEXT NOT NULL, head_state INTEGER NOT NULL,"
	" head_iin TEXT NOT NULL, decided INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS reissue_bin ON reissue(bin, head_state);"
	/* Each expiry notice once: the database refuses a second row. */
	"CREATE TABLE IF NOT EXISTS notice(serial TEXT NOT NULL REFERENCES certificate(serial),"
	" kind TEXT NOT NULL, created INTEGER NOT NULL, state INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL, PRIMARY KEY(serial, kind));"
	"CREATE INDEX IF NOT EXISTS certificate_expiry ON certificate(not_after);"
	"INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '1');";

enum stmt_id {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_PERSON_GET, S_PERSON_PUT, S_ENTITY_GET, S_ENTITY_PUT, S_COUNTS,
	S_CAPTCHA_PUT, S_CAPTCHA_GET, S_CAPTCHA_UPDATE, S_CAPTCHA_PURGE,
	S_APP_INSERT, S_APP_GET, S_APP_BRIEF, S_APP_UPDATE, S_APP_LIST, S_APP_STALE,
	S_KEY_CLAIM,
	S_CERT_INSERT, S_CERT_GET, S_CERT_LIST, S_CERT_REVOKED, S_CERT_REVOKE,
	S_OP_ADD, S_OP_BY_FP, S_OP_LIST,
	S_CH_PUT, S_CH_TAKE,
	S_SESS_PUT, S_SESS_GET,
	S_AUDIT_ADD, S_AUDIT_LIST, S_AUDIT_ALL,
	S_META_GET, S_META_SET,
	S_HS_PUT, S_HS_GET, S_HS_DEL, S_PREF_GET, S_PREF_PUT,
	S_CERT_IIN, S_CERT_EXPIRING, S_APP_IIN,
	S_RI_PUT, S_RI_GET, S_RI_AWAITING, S_NOTICE_GET, S_NOTICE_PUT,
	S_COUNT
};

#define APP_COLS "number, token_hash, subject_type, iin, bin, email, region, city," \
	" storage, auth_csr, sign_csr, status, created, updated, decided_by, reason," \
	" install_nonce, client"
#define CERT_COLS "serial, number, purpose, pem, not_before, not_after, revoked_at, reason"

static const char *const SQL[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_PERSON_GET] = "SELECT iin, surname, given_name, patronymic, phone FROM person WHERE iin=?",
	[S_PERSON_PUT] = "INSERT OR REPLACE INTO person(iin, surname, given_name, patronymic, phone)"
	                 " VALUES(?,?,?,?,?)",
	[S_ENTITY_GET] = "SELECT bin, name, head_iin FROM entity WHERE bin=?",
	[S_ENTITY_PUT] = "INSERT OR REPLACE INTO entity VALUES(?,?,?)",
	[S_COUNTS] = "SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM entity)",
	[S_CAPTCHA_PUT] = "INSERT INTO captcha VALUES(?,?,?,?,?,?,?)",
	[S_CAPTCHA_GET] = "SELECT id, answer, client, expires, checks_used, solved, spent"
	                  " FROM captcha WHERE id=?",
	[S_CAPTCHA_UPDATE] = "UPDATE captcha SET checks_used=?, solved=?, spent=? WHERE id=?",
	[S_CAPTCHA_PURGE] = "DELETE FROM captcha WHERE expires < ?",
	[S_APP_INSERT] = "INSERT INTO application(" APP_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,"
	                 "?,?,?,?,?,?,?,?)",
	[S_APP_GET] = "SELECT " APP_COLS " FROM application WHERE number=?",
	[S_APP_BRIEF] = "SELECT number, token_hash, subject_type, iin, bin, email, region, city,"
	                " storage, '', '', status, created, updated, decided_by, reason,"
	                " install_nonce, client FROM application WHERE number=?",
	[S_APP_UPDATE] = "UPDATE application SET status=?, updated=?, decided_by=?, reason=?,"
	                 " install_nonce=? WHERE number=?",
	[S_APP_LIST] = "SELECT " APP_COLS " FROM application WHERE (?1 < 0 OR status=?1)"
	               " AND (?2 IS NULL OR number=?2 OR iin=?2 OR bin=?2 OR email=?2)"
	               " ORDER BY created, rowid LIMIT ?3 OFFSET ?4",
	[S_APP_STALE] = "SELECT " APP_COLS " FROM application WHERE status=0 AND created < ?",
	[S_KEY_CLAIM] = "INSERT INTO app_key VALUES(?,?)",
	[S_CERT_INSERT] = "INSERT INTO certificate(" CERT_COLS ") VALUES(?,?,?,?,?,?,?,?)",
	[S_CERT_GET] = "SELECT " CERT_COLS " FROM certificate WHERE serial=?",
	[S_CERT_LIST] = "SELECT " CERT_COLS " FROM certificate WHERE number=? ORDER BY purpose",
	[S_CERT_REVOKED] = "SELECT " CERT_COLS " FROM certificate WHERE revoked_at > 0"
	                   " ORDER BY revoked_at, serial",
	[S_CERT_REVOKE] = "UPDATE certificate SET revoked_at=?, reason=? WHERE serial=?"
	                  " AND revoked_at=0",
	[S_OP_ADD] = "INSERT INTO operator(name, cert_sha256, cert_pem, created) VALUES(?,?,?,?)",
	[S_OP_BY_FP] = "SELECT id, name, cert_sha256, cert_pem, created, disabled FROM operator"
	               " WHERE cert_sha256=?",
	[S_OP_LIST] = "SELECT id, name, cert_sha256, cert_pem, created, disabled FROM operator"
	              " ORDER BY id",
	[S_CH_PUT] = "INSERT INTO challenge(id, nonce, expires) VALUES(?,?,?)",
	[S_CH_TAKE] = "UPDATE challenge SET used=1 WHERE id=? AND used=0 AND expires >= ?"
	              " RETURNING id, nonce, expires",
	[S_SESS_PUT] = "INSERT INTO session VALUES(?,?,?)",
	[S_SESS_GET] = "SELECT s.token_hash, s.operator_id, o.name, s.expires FROM session s"
	               " JOIN operator o ON o.id=s.operator_id"
	               " WHERE s.token_hash=? AND s.expires >= ? AND o.disabled=0",
	[S_AUDIT_ADD] = "INSERT INTO audit(at, actor, action, number, detail) VALUES(?,?,?,?,?)",
	[S_AUDIT_LIST] = "SELECT id, at, actor, action, number, detail FROM audit WHERE number=?"
	                 " ORDER BY id DESC LIMIT ?",
	[S_AUDIT_ALL] = "SELECT id, at, actor, action, number, detail FROM audit"
	                " ORDER BY id DESC LIMIT ?",
	[S_META_GET] = "SELECT value FROM meta WHERE key=?",
	[S_META_SET] = "INSERT OR REPLACE INTO meta VALUES(?,?)",
	[S_HS_PUT] = "INSERT INTO holder_session VALUES(?,?,?,?,?,?)",
	[S_HS_GET] = "SELECT token_hash, iin, bin, subject_type, serial, expires FROM holder_session"
	             " WHERE token_hash=?",
	[S_HS_DEL] = "DELETE FROM holder_session WHERE token_hash=?",
	[S_PREF_GET] = "SELECT iin, language, notify_email, notify_sms FROM holder_pref WHERE iin=?",
	[S_PREF_PUT] = "INSERT OR REPLACE INTO holder_pref VALUES(?,?,?,?)",
	[S_CERT_IIN] = "SELECT c.serial, c.number, c.purpose, c.pem, c.not_before, c.not_after,"
	               " c.revoked_at, c.reason, a.subject_type, a.bin, a.storage, a.email, a.iin,"
	               " a.status, a.created FROM certificate c JOIN application a ON a.number=c.number"
	               " WHERE a.iin=? ORDER BY c.not_before DESC, a.number, c.purpose",
	[S_CERT_EXPIRING] = "SELECT c.serial, c.number, c.purpose, c.pem, c.not_before, c.not_after,"
	               " c.revoked_at, c.reason, a.subject_type, a.bin, a.storage, a.email, a.iin,"
	               " a.status, a.created FROM certificate c JOIN application a ON a.number=c.number"
	               " WHERE c.revoked_at=0 AND c.not_after > ? AND c.not_after <= ?"
	               " ORDER BY c.not_after, a.number, c.purpose",
	[S_APP_IIN] = "SELECT number, token_hash, subject_type, iin, bin, email, region, city,"
	              " storage, '', '', status, created, updated, decided_by, reason,"
	              " install_nonce, client FROM application WHERE iin=? ORDER BY created DESC, rowid DESC",
	[S_RI_PUT] = "INSERT OR REPLACE INTO reissue VALUES(?,?,?,?,?,?)",
	[S_RI_GET] = "SELECT number, prev_serial, bin, head_state, head_iin, decided FROM reissue"
	             " WHERE number=?",
	[S_RI_AWAITING] = "SELECT a.number, a.token_hash, a.subject_type, a.iin, a.bin, a.email,"
	                  " a.region, a.city, a.storage, '', '', a.status, a.created, a.updated,"
	                  " a.decided_by, a.reason, a.install_nonce, a.client FROM reissue r"
	                  " JOIN application a ON a.number=r.number WHERE r.bin=? AND r.head_state=1"
	                  " AND a.status=0 ORDER BY a.created, a.rowid",
	[S_NOTICE_GET] = "SELECT serial, kind, created, state, attempts FROM notice"
	                 " WHERE serial=? AND kind=?",
	[S_NOTICE_PUT] = "INSERT OR REPLACE INTO notice VALUES(?,?,?,?,?)",
};

struct conn {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	struct conn *next;
};

#define RESULTS 1024

struct sq {
	char *path;
	bool full_sync;
	pthread_key_t key;
	pthread_mutex_t lock;
	struct conn *all;        /* every connection, closed at the end */

	/* Group commit.  Every write transaction runs on one connection,
	 * the writer, as a savepoint inside an outer transaction that is
	 * committed (one fsync) when no other thread is queued for it, or
	 * when it holds BATCH_MAX of them.  A thread's commit() returns
	 * only once its batch is on disk, with the batch's result. */
	struct conn *writer;
	pthread_mutex_t wlock;
	pthread_cond_t wdone;
	int waiting;             /* threads queued in begin() (atomic) */
	bool open;               /* the outer transaction is open */
	unsigned long batch;     /* number of the open (or last) batch */
	unsigned long done;      /* batches up to this one are finished */
	int members;             /* committed savepoints in the open batch */
	unsigned char ok[RESULTS];   /* outcome of batch n at n % RESULTS */
};

#define BATCH_MAX 64

/* Inside begin() .. commit()/rollback() on this thread. */
static __thread bool in_tx;

static struct conn *conn_open(struct sq *q)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (sqlite3_open_v2(q->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		pd_log_error("sqlite", "cannot open %s: %s", q->path,
		             c->db ? sqlite3_errmsg(c->db) : "out of memory");
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	sqlite3_busy_timeout(c->db, 10000);
	sqlite3_exec(c->db, q->full_sync ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	             " PRAGMA foreign_keys=ON;" : "PRAGMA journal_mode=WAL;"
	             " PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", NULL, NULL, NULL);
	pthread_mutex_lock(&q->lock);
	c->next = q->all;
	q->all = c;
	pthread_mutex_unlock(&q->lock);
	return c;
}

/* The connection for this thread: the writer inside a transaction,
 * else the thread's own (reads see committed data only). */
static struct conn *conn_get(struct pd_store *s)
{
	struct sq *q = s->priv;
	struct conn *c;

	if (in_tx)
		return q->writer;
	c = pthread_getspecific(q->key);
	if (c)
		return c;
	c = conn_open(q);
	if (c)
		pthread_setspecific(q->key, c);
	return c;
}

static sqlite3_stmt *stmt(struct pd_store *s, enum stmt_id id, struct conn **cp)
{
	struct conn *c = conn_get(s);

	if (!c)
		return NULL;
	if (cp)
		*cp = c;
	if (!c->st[id]) {
		if (sqlite3_prepare_v3(c->db, SQL[id], -1, SQLITE_PREPARE_PERSISTENT,
		                       &c->st[id], NULL) != SQLITE_OK) {
			pd_log_error("sqlite", "prepare: %s", sqlite3_errmsg(c->db));
			return NULL;
		}
	}
	return c->st[id];
}

static enum pd_st fail(sqlite3_stmt *st, int rc)
{
	sqlite3 *db = sqlite3_db_handle(st);

	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT)
		return PD_EXISTS;
	pd_log_error("sqlite", "%s", sqlite3_errmsg(db));
	return PD_FAIL;
}

/* Ends a statement whose last step returned rc: resets it and clears
 * its parameters, or logs the failure. */
static enum pd_st finish(sqlite3_stmt *st, int rc)
{
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail(st, rc);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return PD_OK;
}

/* Runs a statement that returns no rows. */
static enum pd_st run(sqlite3_stmt *st)
{
	return finish(st, sqlite3_step(st));
}

static void bt(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

static void col(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t ? strlen((const char *)t) : 0;

	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(buf, t, n);
	buf[n] = '\0';
}

static char *coldup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return strdup(t ? (const char *)t : "");
}

/* Each store operation states only its statement and its parameters:
 * fmt has one letter per parameter, in order from 1: 't' a string (NULL
 * binds ""), 'i' an int, 'l' a sqlite3_int64 (cast times and ids). */
static void bind_va(sqlite3_stmt *st, const char *fmt, va_list ap)
{
	int i;

	for (i = 1; *fmt; fmt++, i++) {
		switch (*fmt) {
		case 't':
			bt(st, i, va_arg(ap, const char *));
			break;
		case 'i':
			sqlite3_bind_int(st, i, va_arg(ap, int));
			break;
		case 'l':
			sqlite3_bind_int64(st, i, va_arg(ap, sqlite3_int64));
			break;
		}
	}
}

/* The prepared statement id with its parameters bound, or NULL. */
static sqlite3_stmt *q_bind(struct pd_store *s, enum stmt_id id, struct conn **cp,
                            const char *fmt, ...)
{
	sqlite3_stmt *st = stmt(s, id, cp);
	va_list ap;

	if (!st)
		return NULL;
	va_start(ap, fmt);
	bind_va(st, fmt, ap);
	va_end(ap);
	return st;
}

/* Binds and runs a statement that returns no rows. */
static enum pd_st q_run(struct pd_store *s, enum stmt_id id, const char *fmt, ...)
{
	sqlite3_stmt *st = stmt(s, id, NULL);
	va_list ap;

	if (!st)
		return PD_FAIL;
	va_start(ap, fmt);
	bind_va(st, fmt, ap);
	va_end(ap);
	return run(st);
}

/* A row iterator's caller: its callback (of the store type the rows are)
 * and its context. */
struct each {
	union {
		pd_app_cb app;
		pd_cert_cb cert;
		pd_operator_cb op;
		pd_audit_cb audit;
		pd_holder_cert_cb holder;
	} cb;
	void *ctx;
};

/* Steps through the rows of st (bound; NULL when it could not be
 * prepared), handing each to row() until one asks to stop (nonzero) or
 * the rows end. */
static enum pd_st each_row(sqlite3_stmt *st, int (*row)(sqlite3_stmt *, const struct each *),
                           const struct each *e)
{
	int rc;

	if (!st)
		return PD_FAIL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (row(st, e)) {
			rc = SQLITE_DONE;
			break;
		}
	return finish(st, rc);
}

/* A one-row lookup: st (bound; NULL when it could not be prepared) hands
 * its row to read(), which fills the store type out points to. */
static enum pd_st get_row(sqlite3_stmt *st, void (*read)(sqlite3_stmt *, void *), void *out)
{
	enum pd_st r;
	int rc;

	if (!st)
		return PD_FAIL;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read(st, out);
	r = finish(st, rc);
	return r == PD_OK && rc != SQLITE_ROW ? PD_NOTFOUND : r;
}

static void sq_close(struct pd_store *s)
{
	struct sq *q;
	struct conn *c, *n;

	if (!s)
		return;
	q = s->priv;
	for (c = q->all; c; c = n) {
		n = c->next;
		for (int i = 0; i < S_COUNT; i++)
			sqlite3_finalize(c->st[i]);
		sqlite3_close(c->db);
		free(c);
	}
	pthread_key_delete(q->key);
	pthread_mutex_destroy(&q->lock);
	pthread_mutex_destroy(&q->wlock);
	pthread_cond_destroy(&q->wdone);
	free(q->path);
	free(q);
	free(s);
}

/* Databases made before the registry had phones get the column. */
static int add_phone_column(sqlite3 *db, char **err)
{
	sqlite3_stmt *st = NULL;
	int has = 0;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('person')"
	                       " WHERE name='phone'", -1, &st, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	if (sqlite3_step(st) == SQLITE_ROW)
		has = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (has)
		return SQLITE_OK;
	return sqlite3_exec(db, "ALTER TABLE person ADD COLUMN phone TEXT NOT NULL DEFAULT ''",
	                    NULL, NULL, err);
}

static enum pd_st sq_init_schema(struct pd_store *s)
{
	struct conn *c = conn_get(s);
	char *err = NULL;

	if (!c)
		return PD_FAIL;
	/* Under the write lock (BEGIN IMMEDIATE waits for the busy
	 * timeout), so that a command beside a running daemon waits its
	 * turn instead of failing. */
	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(c->db, SCHEMA, NULL, NULL, &err) != SQLITE_OK ||
	    add_phone_column(c->db, &err) != SQLITE_OK ||
	    sqlite3_exec(c->db, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
		pd_log_error("sqlite", "schema: %s", err ? err : "?");
		sqlite3_free(err);
		if (!sqlite3_get_autocommit(c->db))
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		return PD_FAIL;
	}
	return PD_OK;
}

static int wexec(struct sq *q, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(q->writer->db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		pd_log_error("sqlite", "%s: %s", sql, err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
	}
	return rc;
}

/* Ends the open batch (under wlock): COMMIT, or ROLLBACK when it has
 * no member.  Wakes the members waiting for it. */
static void batch_end(struct sq *q)
{
	bool ok;

	if (sqlite3_get_autocommit(q->writer->db))
		ok = false;        /* SQLite rolled the transaction back itself */
	else if (q->members == 0)
		ok = wexec(q, "ROLLBACK") == SQLITE_OK;
	else if (!(ok = wexec(q, "COMMIT") == SQLITE_OK) &&
	         !sqlite3_get_autocommit(q->writer->db))
		wexec(q, "ROLLBACK");
	q->ok[q->batch % RESULTS] = ok && q->members > 0;
	q->open = false;
	q->members = 0;
	q->done = q->batch;
	pthread_cond_broadcast(&q->wdone);
}

static enum pd_st sq_begin(struct pd_store *s)
{
	struct sq *q = s->priv;

	if (in_tx)
		return PD_FAIL;    /* no nesting */
	__atomic_add_fetch(&q->waiting, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&q->wlock);
	__atomic_sub_fetch(&q->waiting, 1, __ATOMIC_SEQ_CST);
	if (!q->open) {
		/* Waits for other processes (busy timeout) like any writer. */
		if (wexec(q, "BEGIN IMMEDIATE") != SQLITE_OK) {
			pthread_mutex_unlock(&q->wlock);
			return PD_FAIL;
		}
		q->open = true;
		q->batch++;
		q->members = 0;
	}
	if (wexec(q, "SAVEPOINT pd") != SQLITE_OK) {
		if (q->members == 0 && __atomic_load_n(&q->waiting, __ATOMIC_SEQ_CST) == 0)
			batch_end(q);
		pthread_mutex_unlock(&q->wlock);
		return PD_FAIL;
	}
	in_tx = true;
	return PD_OK;      /* wlock stays held until commit() or rollback() */
}

static enum pd_st sq_commit(struct pd_store *s)
{
	struct sq *q = s->priv;
	unsigned long mine;
	bool ok;

	if (!in_tx)
		return PD_FAIL;
	in_tx = false;
	if (wexec(q, "RELEASE pd") != SQLITE_OK) {
		if (!sqlite3_get_autocommit(q->writer->db)) {
			wexec(q, "ROLLBACK TO pd");
			wexec(q, "RELEASE pd");
		}
		if (!q->open || sqlite3_get_autocommit(q->writer->db) ||
		    __atomic_load_n(&q->waiting, __ATOMIC_SEQ_CST) == 0)
			batch_end(q);
		pthread_mutex_unlock(&q->wlock);
		return PD_FAIL;
	}
	q->members++;
	mine = q->batch;
	if (__atomic_load_n(&q->waiting, __ATOMIC_SEQ_CST) == 0 || q->members >= BATCH_MAX)
		batch_end(q);
	while (q->done < mine)
		pthread_cond_wait(&q->wdone, &q->wlock);
	ok = q->ok[mine % RESULTS];
	pthread_mutex_unlock(&q->wlock);
	return ok ? PD_OK : PD_FAIL;
}

static void sq_rollback(struct pd_store *s)
{
	struct sq *q = s->priv;

	if (!in_tx)
		return;
	in_tx = false;
	if (!sqlite3_get_autocommit(q->writer->db)) {
		wexec(q, "ROLLBACK TO pd");
		wexec(q, "RELEASE pd");
	}
	/* The others' work in this batch still gets committed. */
	if (sqlite3_get_autocommit(q->writer->db) ||
	    __atomic_load_n(&q->waiting, __ATOMIC_SEQ_CST) == 0)
		batch_end(q);
	pthread_mutex_unlock(&q->wlock);
}

/* Write operations called outside begin()..commit() get a transaction
 * of their own (so they too go through the writer and its batches). */
#define AUTO_TX(call) \
	do { \
		enum pd_st r_; \
		if (in_tx) \
			return call; \
		if ((r_ = sq_begin(s)) != PD_OK) \
			return r_; \
		r_ = call; \
		if (r_ != PD_OK) { \
			sq_rollback(s); \
			return r_; \
		} \
		return sq_commit(s); \
	} while (0)

/* ---- Registries, captchas ------------------------------------------ */

static void person_read(sqlite3_stmt *st, void *out)
{
	struct pd_person *o = out;

	col(st, 0, o->iin, sizeof(o->iin));
	col(st, 1, o->surname, sizeof(o->surname));
	col(st, 2, o->given_name, sizeof(o->given_name));
	col(st, 3, o->patronymic, sizeof(o->patronymic));
	col(st, 4, o->phone, sizeof(o->phone));
}

static enum pd_st sq_person_get(struct pd_store *s, const char *iin, struct pd_person *o)
{
	return get_row(q_bind(s, S_PERSON_GET, NULL, "t", iin), person_read, o);
}

static enum pd_st sq_person_put(struct pd_store *s, const struct pd_person *p)
{
	AUTO_TX(q_run(s, S_PERSON_PUT, "ttttt", p->iin, p->surname, p->given_name,
		      p->patronymic, p->phone));
}

static void entity_read(sqlite3_stmt *st, void *out)
{
	struct pd_entity *o = out;

	col(st, 0, o->bin, sizeof(o->bin));
	col(st, 1, o->name, sizeof(o->name));
	col(st, 2, o->head_iin, sizeof(o->head_iin));
}

static enum pd_st sq_entity_get(struct pd_store *s, const char *bin, struct pd_entity *o)
{
	return get_row(q_bind(s, S_ENTITY_GET, NULL, "t", bin), entity_read, o);
}

static enum pd_st sq_entity_put(struct pd_store *s, const struct pd_entity *e)
{
	AUTO_TX(q_run(s, S_ENTITY_PUT, "ttt", e->bin, e->name, e->head_iin));
}

static enum pd_st sq_registry_counts(struct pd_store *s, long *people, long *entities)
{
	sqlite3_stmt *st = stmt(s, S_COUNTS, NULL);
	int rc;

	if (!st)
		return PD_FAIL;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return fail(st, rc);
	*people = (long)sqlite3_column_int64(st, 0);
	*entities = (long)sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return PD_OK;
}

static void captcha_read(sqlite3_stmt *st, void *out)
{
	struct pd_captcha *o = out;

	col(st, 0, o->id, sizeof(o->id));
	col(st, 1, o->answer, sizeof(o->answer));
	col(st, 2, o->client, sizeof(o->client));
	o->expires = (time_t)sqlite3_column_int64(st, 3);
	o->checks_used = sqlite3_column_int(st, 4);
	o->solved = sqlite3_column_int(st, 5);
	o->spent = sqlite3_column_int(st, 6);
}

static enum pd_st sq_captcha_get(struct pd_store *s, const char *id, struct pd_captcha *o)
{
	return get_row(q_bind(s, S_CAPTCHA_GET, NULL, "t", id), captcha_read, o);
}

static enum pd_st sq_captcha_put(struct pd_store *s, const struct pd_captcha *c)
{
	AUTO_TX(q_run(s, S_CAPTCHA_PUT, "tttliii", c->id, c->answer, c->client,
		      (sqlite3_int64)c->expires, c->checks_used, c->solved, c->spent));
}

static enum pd_st sq_captcha_update(struct pd_store *s, const struct pd_captcha *c)
{
	AUTO_TX(q_run(s, S_CAPTCHA_UPDATE, "iiit", c->checks_used, c->solved, c->spent, c->id));
}

static enum pd_st sq_captcha_purge(struct pd_store *s, time_t now)
{
	AUTO_TX(q_run(s, S_CAPTCHA_PURGE, "l", (sqlite3_int64)now));
}

/* ---- Applications, keys, certificates ------------------------------ */

static void app_bind(sqlite3_stmt *st, const struct pd_app *a)
{
	bt(st, 1, a->number);
	bt(st, 2, a->token_hash);
	bt(st, 3, a->subject_type);
	bt(st, 4, a->iin);
	bt(st, 5, a->bin);
	bt(st, 6, a->email);
	bt(st, 7, a->region);
	bt(st, 8, a->city);
	bt(st, 9, a->storage);
	bt(st, 10, a->auth_csr);
	bt(st, 11, a->sign_csr);
	sqlite3_bind_int(st, 12, (int)a->status);
	sqlite3_bind_int64(st, 13, a->created);
	sqlite3_bind_int64(st, 14, a->updated);
	bt(st, 15, a->decided_by);
	bt(st, 16, a->reason);
	bt(st, 17, a->install_nonce);
	bt(st, 18, a->client);
}

static void app_read(sqlite3_stmt *st, void *out)
{
	struct pd_app *a = out;

	memset(a, 0, sizeof(*a));
	col(st, 0, a->number, sizeof(a->number));
	col(st, 1, a->token_hash, sizeof(a->token_hash));
	col(st, 2, a->subject_type, sizeof(a->subject_type));
	col(st, 3, a->iin, sizeof(a->iin));
	col(st, 4, a->bin, sizeof(a->bin));
	col(st, 5, a->email, sizeof(a->email));
	col(st, 6, a->region, sizeof(a->region));
	col(st, 7, a->city, sizeof(a->city));
	col(st, 8, a->storage, sizeof(a->storage));
	a->auth_csr = coldup(st, 9);
	a->sign_csr = coldup(st, 10);
	a->status = (enum pd_app_status)sqlite3_column_int(st, 11);
	a->created = (time_t)sqlite3_column_int64(st, 12);
	a->updated = (time_t)sqlite3_column_int64(st, 13);
	col(st, 14, a->decided_by, sizeof(a->decided_by));
	col(st, 15, a->reason, sizeof(a->reason));
	col(st, 16, a->install_nonce, sizeof(a->install_nonce));
	col(st, 17, a->client, sizeof(a->client));
}

static int app_row(sqlite3_stmt *st, const struct each *e)
{
	struct pd_app a;
	int stop;

	app_read(st, &a);
	stop = e->cb.app(e->ctx, &a);
	pd_app_clear(&a);
	return stop;
}

static enum pd_st do_app_insert(struct pd_store *s, const struct pd_app *a)
{
	sqlite3_stmt *st = stmt(s, S_APP_INSERT, NULL);

	if (!st)
		return PD_FAIL;
	app_bind(st, a);
	return run(st);
}

static enum pd_st sq_app_insert(struct pd_store *s, const struct pd_app *a)
{
	AUTO_TX(do_app_insert(s, a));
}

static enum pd_st sq_app_get(struct pd_store *s, const char *number, struct pd_app *o)
{
	return get_row(q_bind(s, S_APP_GET, NULL, "t", number), app_read, o);
}

static enum pd_st sq_app_get_brief(struct pd_store *s, const char *number, struct pd_app *o)
{
	return get_row(q_bind(s, S_APP_BRIEF, NULL, "t", number), app_read, o);
}

static enum pd_st sq_app_update(struct pd_store *s, const struct pd_app *a)
{
	AUTO_TX(q_run(s, S_APP_UPDATE, "iltttt", (int)a->status, (sqlite3_int64)a->updated,
		      a->decided_by, a->reason, a->install_nonce, a->number));
}

static enum pd_st sq_app_list(struct pd_store *s, const struct pd_app_filter *f,
                              pd_app_cb cb, void *ctx)
{
	sqlite3_stmt *st = q_bind(s, S_APP_LIST, NULL, "i", f->status);
	struct each e = { .cb.app = cb, .ctx = ctx };

	if (!st)
		return PD_FAIL;
	if (f->query && *f->query)
		bt(st, 2, f->query);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int(st, 3, f->limit > 0 ? f->limit : 100);
	sqlite3_bind_int(st, 4, f->offset > 0 ? f->offset : 0);
	return each_row(st, app_row, &e);
}

static enum pd_st sq_app_list_stale(struct pd_store *s, time_t before, pd_app_cb cb, void *ctx)
{
	struct each e = { .cb.app = cb, .ctx = ctx };

	return each_row(q_bind(s, S_APP_STALE, NULL, "l", (sqlite3_int64)before), app_row, &e);
}

static enum pd_st sq_key_claim(struct pd_store *s, const char *hash, const char *number)
{
	AUTO_TX(q_run(s, S_KEY_CLAIM, "tt", hash, number));
}

static void cert_read(sqlite3_stmt *st, void *out)
{
	struct pd_cert *c = out;

	memset(c, 0, sizeof(*c));
	col(st, 0, c->serial, sizeof(c->serial));
	col(st, 1, c->number, sizeof(c->number));
	col(st, 2, c->purpose, sizeof(c->purpose));
	c->pem = coldup(st, 3);
	c->not_before = (time_t)sqlite3_column_int64(st, 4);
	c->not_after = (time_t)sqlite3_column_int64(st, 5);
	c->revoked_at = (time_t)sqlite3_column_int64(st, 6);
	c->reason = sqlite3_column_int(st, 7);
}

static int cert_row(sqlite3_stmt *st, const struct each *e)
{
	struct pd_cert c;
	int stop;

	cert_read(st, &c);
	stop = e->cb.cert(e->ctx, &c);
	pd_cert_clear(&c);
	return stop;
}

static enum pd_st sq_cert_insert(struct pd_store *s, const struct pd_cert *c)
{
	AUTO_TX(q_run(s, S_CERT_INSERT, "ttttllli", c->serial, c->number, c->purpose, c->pem,
		      (sqlite3_int64)c->not_before, (sqlite3_int64)c->not_after,
		      (sqlite3_int64)c->revoked_at, c->reason));
}

static enum pd_st sq_cert_get(struct pd_store *s, const char *serial, struct pd_cert *o)
{
	return get_row(q_bind(s, S_CERT_GET, NULL, "t", serial), cert_read, o);
}

static enum pd_st sq_cert_list(struct pd_store *s, const char *number, pd_cert_cb cb, void *ctx)
{
	struct each e = { .cb.cert = cb, .ctx = ctx };

	return each_row(q_bind(s, S_CERT_LIST, NULL, "t", number), cert_row, &e);
}

static enum pd_st sq_cert_list_revoked(struct pd_store *s, pd_cert_cb cb, void *ctx)
{
	struct each e = { .cb.cert = cb, .ctx = ctx };

	return each_row(stmt(s, S_CERT_REVOKED, NULL), cert_row, &e);
}

static enum pd_st do_cert_revoke(struct pd_store *s, const char *serial, int reason, time_t when)
{
	struct conn *c;
	sqlite3_stmt *st = q_bind(s, S_CERT_REVOKE, &c, "lit", (sqlite3_int64)when, reason, serial);
	enum pd_st r;

	if (!st)
		return PD_FAIL;
	r = run(st);
	if (r == PD_OK && sqlite3_changes(c->db) == 0)
		return PD_NOTFOUND;
	return r;
}

static enum pd_st sq_cert_revoke(struct pd_store *s, const char *serial, int reason, time_t when)
{
	AUTO_TX(do_cert_revoke(s, serial, reason, when));
}

/* ---- Operators, their sign-in, the audit log, meta ----------------- */

static void op_read(sqlite3_stmt *st, void *out)
{
	struct pd_operator *o = out;

	memset(o, 0, sizeof(*o));
	o->id = (long)sqlite3_column_int64(st, 0);
	col(st, 1, o->name, sizeof(o->name));
	col(st, 2, o->cert_sha256, sizeof(o->cert_sha256));
	o->cert_pem = coldup(st, 3);
	o->created = (time_t)sqlite3_column_int64(st, 4);
	o->disabled = sqlite3_column_int(st, 5);
}

static int op_row(sqlite3_stmt *st, const struct each *e)
{
	struct pd_operator o;
	int stop;

	op_read(st, &o);
	stop = e->cb.op(e->ctx, &o);
	pd_operator_clear(&o);
	return stop;
}

static enum pd_st do_operator_add(struct pd_store *s, struct pd_operator *o)
{
	struct conn *c;
	sqlite3_stmt *st = q_bind(s, S_OP_ADD, &c, "tttl", o->name, o->cert_sha256, o->cert_pem,
				  (sqlite3_int64)o->created);
	enum pd_st r;

	if (!st)
		return PD_FAIL;
	r = run(st);
	if (r == PD_OK)
		o->id = (long)sqlite3_last_insert_rowid(c->db);
	return r;
}

static enum pd_st sq_operator_add(struct pd_store *s, struct pd_operator *o)
{
	AUTO_TX(do_operator_add(s, o));
}

static enum pd_st sq_operator_by_fp(struct pd_store *s, const char *fp, struct pd_operator *o)
{
	return get_row(q_bind(s, S_OP_BY_FP, NULL, "t", fp), op_read, o);
}

static enum pd_st sq_operator_list(struct pd_store *s, pd_operator_cb cb, void *ctx)
{
	struct each e = { .cb.op = cb, .ctx = ctx };

	return each_row(stmt(s, S_OP_LIST, NULL), op_row, &e);
}

static enum pd_st sq_challenge_put(struct pd_store *s, const struct pd_challenge *c)
{
	AUTO_TX(q_run(s, S_CH_PUT, "ttl", c->id, c->nonce, (sqlite3_int64)c->expires));
}

/* The row S_CH_TAKE returns; then steps the UPDATE to its end. */
static void challenge_read(sqlite3_stmt *st, void *out)
{
	struct pd_challenge *o = out;

	memset(o, 0, sizeof(*o));
	col(st, 0, o->id, sizeof(o->id));
	col(st, 1, o->nonce, sizeof(o->nonce));
	o->expires = (time_t)sqlite3_column_int64(st, 2);
	o->used = true;
	(void)sqlite3_step(st);
}

static enum pd_st sq_challenge_take(struct pd_store *s, const char *id, time_t now,
                                    struct pd_challenge *o)
{
	AUTO_TX(get_row(q_bind(s, S_CH_TAKE, NULL, "tl", id, (sqlite3_int64)now),
			challenge_read, o));
}

static enum pd_st sq_session_put(struct pd_store *s, const struct pd_session *ss)
{
	AUTO_TX(q_run(s, S_SESS_PUT, "tll", ss->token_hash, (sqlite3_int64)ss->operator_id,
		      (sqlite3_int64)ss->expires));
}

static void session_read(sqlite3_stmt *st, void *out)
{
	struct pd_session *o = out;

	memset(o, 0, sizeof(*o));
	col(st, 0, o->token_hash, sizeof(o->token_hash));
	o->operator_id = (long)sqlite3_column_int64(st, 1);
	col(st, 2, o->operator_name, sizeof(o->operator_name));
	o->expires = (time_t)sqlite3_column_int64(st, 3);
}

static enum pd_st sq_session_get(struct pd_store *s, const char *hash, time_t now,
                                 struct pd_session *o)
{
	return get_row(q_bind(s, S_SESS_GET, NULL, "tl", hash, (sqlite3_int64)now),
		       session_read, o);
}

static enum pd_st sq_audit_append(struct pd_store *s, const struct pd_audit *a)
{
	AUTO_TX(q_run(s, S_AUDIT_ADD, "ltttt", (sqlite3_int64)a->at, a->actor, a->action,
		      a->number, a->detail));
}

static int audit_row(sqlite3_stmt *st, const struct each *e)
{
	struct pd_audit a;

	memset(&a, 0, sizeof(a));
	a.id = (long)sqlite3_column_int64(st, 0);
	a.at = (time_t)sqlite3_column_int64(st, 1);
	col(st, 2, a.actor, sizeof(a.actor));
	col(st, 3, a.action, sizeof(a.action));
	col(st, 4, a.number, sizeof(a.number));
	col(st, 5, a.detail, sizeof(a.detail));
	return e->cb.audit(e->ctx, &a);
}

static enum pd_st sq_audit_list(struct pd_store *s, const char *number, int limit,
                                pd_audit_cb cb, void *ctx)
{
	struct each e = { .cb.audit = cb, .ctx = ctx };

	if (limit <= 0)
		limit = 100;
	return each_row(number ? q_bind(s, S_AUDIT_LIST, NULL, "ti", number, limit)
	                       : q_bind(s, S_AUDIT_ALL, NULL, "i", limit), audit_row, &e);
}

/* A text buffer that get_row() fills from a one-column row. */
struct text_buf {
	char *buf;
	size_t size;
};

static void text_read(sqlite3_stmt *st, void *out)
{
	struct text_buf *t = out;

	col(st, 0, t->buf, t->size);
}

static enum pd_st sq_meta_get(struct pd_store *s, const char *key, char *buf, size_t size)
{
	struct text_buf t = { buf, size };

	return get_row(q_bind(s, S_META_GET, NULL, "t", key), text_read, &t);
}

static enum pd_st sq_meta_set(struct pd_store *s, const char *key, const char *value)
{
	AUTO_TX(q_run(s, S_META_SET, "tt", key, value));
}

/* ---- Personal account ---------------------------------------------- */

static enum pd_st sq_hs_put(struct pd_store *s, const struct pd_holder_session *h)
{
	AUTO_TX(q_run(s, S_HS_PUT, "tttttl", h->token_hash, h->iin, h->bin, h->subject_type,
		      h->serial, (sqlite3_int64)h->expires));
}

static void hs_read(sqlite3_stmt *st, void *out)
{
	struct pd_holder_session *o = out;

	memset(o, 0, sizeof(*o));
	col(st, 0, o->token_hash, sizeof(o->token_hash));
	col(st, 1, o->iin, sizeof(o->iin));
	col(st, 2, o->bin, sizeof(o->bin));
	col(st, 3, o->subject_type, sizeof(o->subject_type));
	col(st, 4, o->serial, sizeof(o->serial));
	o->expires = (time_t)sqlite3_column_int64(st, 5);
}

static enum pd_st sq_hs_get(struct pd_store *s, const char *hash, struct pd_holder_session *o)
{
	return get_row(q_bind(s, S_HS_GET, NULL, "t", hash), hs_read, o);
}

static enum pd_st sq_hs_del(struct pd_store *s, const char *hash)
{
	AUTO_TX(q_run(s, S_HS_DEL, "t", hash));
}

static void pref_read(sqlite3_stmt *st, void *out)
{
	struct pd_pref *o = out;

	memset(o, 0, sizeof(*o));
	col(st, 0, o->iin, sizeof(o->iin));
	col(st, 1, o->language, sizeof(o->language));
	o->notify_email = sqlite3_column_int(st, 2);
	o->notify_sms = sqlite3_column_int(st, 3);
}

static enum pd_st sq_pref_get(struct pd_store *s, const char *iin, struct pd_pref *o)
{
	return get_row(q_bind(s, S_PREF_GET, NULL, "t", iin), pref_read, o);
}

static enum pd_st sq_pref_put(struct pd_store *s, const struct pd_pref *p)
{
	AUTO_TX(q_run(s, S_PREF_PUT, "ttii", p->iin, p->language, p->notify_email,
		      p->notify_sms));
}

/* A row of S_CERT_IIN or S_CERT_EXPIRING: the certificate, then what the
 * holder's screens show of its application. */
static int holder_cert_row(sqlite3_stmt *st, const struct each *e)
{
	struct pd_cert c;
	struct pd_app a;
	int stop;

	cert_read(st, &c);
	memset(&a, 0, sizeof(a));
	col(st, 1, a.number, sizeof(a.number));
	col(st, 8, a.subject_type, sizeof(a.subject_type));
	col(st, 9, a.bin, sizeof(a.bin));
	col(st, 10, a.storage, sizeof(a.storage));
	col(st, 11, a.email, sizeof(a.email));
	col(st, 12, a.iin, sizeof(a.iin));
	a.status = (enum pd_app_status)sqlite3_column_int(st, 13);
	a.created = (time_t)sqlite3_column_int64(st, 14);
	stop = e->cb.holder(e->ctx, &c, &a);
	pd_cert_clear(&c);
	return stop;
}

static enum pd_st sq_cert_list_iin(struct pd_store *s, const char *iin, pd_holder_cert_cb cb,
                                   void *ctx)
{
	struct each e = { .cb.holder = cb, .ctx = ctx };

	return each_row(q_bind(s, S_CERT_IIN, NULL, "t", iin), holder_cert_row, &e);
}

static enum pd_st sq_cert_list_expiring(struct pd_store *s, time_t from, time_t to,
                                        pd_holder_cert_cb cb, void *ctx)
{
	struct each e = { .cb.holder = cb, .ctx = ctx };

	return each_row(q_bind(s, S_CERT_EXPIRING, NULL, "ll", (sqlite3_int64)from,
			       (sqlite3_int64)to), holder_cert_row, &e);
}

static enum pd_st sq_app_list_iin(struct pd_store *s, const char *iin, pd_app_cb cb, void *ctx)
{
	struct each e = { .cb.app = cb, .ctx = ctx };

	return each_row(q_bind(s, S_APP_IIN, NULL, "t", iin), app_row, &e);
}

static enum pd_st sq_ri_put(struct pd_store *s, const struct pd_reissue *r)
{
	AUTO_TX(q_run(s, S_RI_PUT, "tttitl", r->number, r->prev_serial, r->bin,
		      (int)r->head_state, r->head_iin, (sqlite3_int64)r->decided));
}

static void ri_read(sqlite3_stmt *st, void *out)
{
	struct pd_reissue *o = out;

	memset(o, 0, sizeof(*o));
	col(st, 0, o->number, sizeof(o->number));
	col(st, 1, o->prev_serial, sizeof(o->prev_serial));
	col(st, 2, o->bin, sizeof(o->bin));
	o->head_state = (enum pd_head_state)sqlite3_column_int(st, 3);
	col(st, 4, o->head_iin, sizeof(o->head_iin));
	o->decided = (time_t)sqlite3_column_int64(st, 5);
}

static enum pd_st sq_ri_get(struct pd_store *s, const char *number, struct pd_reissue *o)
{
	return get_row(q_bind(s, S_RI_GET, NULL, "t", number), ri_read, o);
}

static enum pd_st sq_ri_awaiting(struct pd_store *s, const char *bin, pd_app_cb cb, void *ctx)
{
	struct each e = { .cb.app = cb, .ctx = ctx };

	return each_row(q_bind(s, S_RI_AWAITING, NULL, "t", bin), app_row, &e);
}

static void notice_read(sqlite3_stmt *st, void *out)
{
	struct pd_notice *o = out;

	memset(o, 0, sizeof(*o));
	col(st, 0, o->serial, sizeof(o->serial));
	col(st, 1, o->kind, sizeof(o->kind));
	o->created = (time_t)sqlite3_column_int64(st, 2);
	o->state = sqlite3_column_int(st, 3);
	o->attempts = sqlite3_column_int(st, 4);
}

static enum pd_st sq_notice_get(struct pd_store *s, const char *serial, const char *kind,
                                struct pd_notice *o)
{
	return get_row(q_bind(s, S_NOTICE_GET, NULL, "tt", serial, kind), notice_read, o);
}

static enum pd_st sq_notice_put(struct pd_store *s, const struct pd_notice *n)
{
	AUTO_TX(q_run(s, S_NOTICE_PUT, "ttlii", n->serial, n->kind, (sqlite3_int64)n->created,
		      n->state, n->attempts));
}

static const struct pd_store_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.init_schema = sq_init_schema,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.person_get = sq_person_get,
	.person_put = sq_person_put,
	.entity_get = sq_entity_get,
	.entity_put = sq_entity_put,
	.registry_counts = sq_registry_counts,
	.captcha_put = sq_captcha_put,
	.captcha_get = sq_captcha_get,
	.captcha_update = sq_captcha_update,
	.captcha_purge = sq_captcha_purge,
	.app_insert = sq_app_insert,
	.app_get = sq_app_get,
	.app_get_brief = sq_app_get_brief,
	.app_update = sq_app_update,
	.app_list = sq_app_list,
	.app_list_stale = sq_app_list_stale,
	.key_claim = sq_key_claim,
	.cert_insert = sq_cert_insert,
	.cert_get = sq_cert_get,
	.cert_list = sq_cert_list,
	.cert_list_revoked = sq_cert_list_revoked,
	.cert_revoke = sq_cert_revoke,
	.operator_add = sq_operator_add,
	.operator_by_fp = sq_operator_by_fp,
	.operator_list = sq_operator_list,
	.challenge_put = sq_challenge_put,
	.challenge_take = sq_challenge_take,
	.session_put = sq_session_put,
	.session_get = sq_session_get,
	.audit_append = sq_audit_append,
	.audit_list = sq_audit_list,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
	.holder_session_put = sq_hs_put,
	.holder_session_get = sq_hs_get,
	.holder_session_delete = sq_hs_del,
	.pref_get = sq_pref_get,
	.pref_put = sq_pref_put,
	.cert_list_iin = sq_cert_list_iin,
	.cert_list_expiring = sq_cert_list_expiring,
	.app_list_iin = sq_app_list_iin,
	.reissue_put = sq_ri_put,
	.reissue_get = sq_ri_get,
	.reissue_list_awaiting = sq_ri_awaiting,
	.notice_get = sq_notice_get,
	.notice_put = sq_notice_put,
};

static void conn_forget(void *p)
{
	(void)p;   /* closed in sq_close(); MHD's threads end before it */
}

struct pd_store *pd_store_sqlite_open(const char *path, bool full_sync)
{
	struct pd_store *s = calloc(1, sizeof(*s));
	struct sq *q = calloc(1, sizeof(*q));

	if (!s || !q || !(q->path = strdup(path))) {
		free(s);
		free(q);
		return NULL;
	}
	q->full_sync = full_sync;
	pthread_key_create(&q->key, conn_forget);
	pthread_mutex_init(&q->lock, NULL);
	pthread_mutex_init(&q->wlock, NULL);
	pthread_cond_init(&q->wdone, NULL);
	s->ops = &sqlite_ops;
	s->priv = q;
	if (!(q->writer = conn_open(q)) || !conn_get(s)) {
		sq_close(s);
		return NULL;
	}
	return s;
}

void pd_app_clear(struct pd_app *a)
{
	free(a->auth_csr);
	free(a->sign_csr);
	a->auth_csr = a->sign_csr = NULL;
}

void pd_cert_clear(struct pd_cert *c)
{
	free(c->pem);
	c->pem = NULL;
}

void pd_operator_clear(struct pd_operator *o)
{
	free(o->cert_pem);
	o->cert_pem = NULL;
}

static const char *const STATUS[] = {
	[PD_APP_PENDING] = "pending",
	[PD_APP_ISSUED] = "issued",
	[PD_APP_INSTALLED] = "installed",
	[PD_APP_REJECTED] = "rejected",
	[PD_APP_CANCELLED] = "cancelled",
};

const char *pd_app_status_name(enum pd_app_status st)
{
	return (unsigned)st < sizeof(STATUS) / sizeof(STATUS[0]) ? STATUS[st] : "unknown";
}

int pd_app_status_parse(const char *name)
{
	for (unsigned i = 0; i < sizeof(STATUS) / sizeof(STATUS[0]); i++)
		if (!strcmp(STATUS[i], name))
			return (int)i;
	return -1;
}
