#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apierr.h"
#include "clock.h"
#include "embed.h"
#include "log.h"
#include "xmalloc.h"

/* Statements are cached by their SQL text (a hash, then the text compared): two copies of one
 * query share a statement, and an address reused for another string cannot find the wrong one.
 * The set of queries in the binary is fixed, so the cache never evicts (and never finalizes a
 * statement in use). In front of it, a table by the caller's address finds a query asked for
 * from the same place before without hashing its text; the text is still compared. */
#define DB_STMT_SLOTS 1024
#define DB_ADDR_SLOTS 512

/* The tables read, as db_watch needs them: what the authorizer saw while the statement was
 * prepared, and SQLite's count of its re-preparations then (the set is taken again when
 * the count moves: a schema change may have changed what the same text reads). */
struct db_reads {
	uint64_t tables;
	int reprepares;
};

struct db_slot {
	char *sql;              /* owned copy of the key */
	uint64_t hash;
	sqlite3_stmt *stmt;
	struct db_reads reads;
};

struct db_addr {
	const char *sql;        /* the caller's pointer, compared only */
	struct db_slot *slot;
};

/* Queries built at run time (list filters) are cached by their text in a small ring. */
#define DB_DYN_SLOTS 32

struct db_dyn {
	char *sql;
	sqlite3_stmt *stmt;
	struct db_reads reads;
};

struct db {
	sqlite3 *h;
	struct db_slot slots[DB_STMT_SLOTS];
	struct db_addr addrs[DB_ADDR_SLOTS];
	struct db_dyn dyn[DB_DYN_SLOTS];
	unsigned dyn_next;
	uint64_t seen;          /* what the authorizer saw since db_prepare cleared it */
	uint64_t watched;       /* between db_watch and db_watched: the tables read */
	bool watching;
};

static pthread_once_t db_configured = PTHREAD_ONCE_INIT;

static pthread_mutex_t db_tables_mu = PTHREAD_MUTEX_INITIALIZER;
static char db_tables[DB_TABLES_MAX][64];
static int db_ntables;

/* A table's bit, named for the process the first time it is seen. */
static uint64_t
db_table_bit(const char *name)
{
	uint64_t bit = DB_TABLES_OTHER;
	int i;

	pthread_mutex_lock(&db_tables_mu);
	for (i = 0; i < db_ntables && strcmp(db_tables[i], name) != 0; i++)
		;
	if (i == db_ntables && i < DB_TABLES_MAX && strlen(name) < sizeof(db_tables[i]))
		snprintf(db_tables[db_ntables++], sizeof(db_tables[i]), "%s", name);
	if (i < db_ntables)
		bit = 1ULL << i;
	pthread_mutex_unlock(&db_tables_mu);
	return bit;
}

int
db_table_names(uint64_t tables, const char **names)
{
	int i, n = 0;

	pthread_mutex_lock(&db_tables_mu);
	for (i = 0; i < db_ntables; i++)
		if (tables & (1ULL << i))
			names[n++] = db_tables[i];
	pthread_mutex_unlock(&db_tables_mu);
	return n;
}

/* The authorizer, installed once when the connection opens and never changed (setting one
 * expires every prepared statement of the connection, so changing it per request would make
 * SQLite prepare every cached statement again). SQLite calls it whenever it compiles a
 * statement: sqlite3_prepare_*, sqlite3_exec, and the automatic re-preparation of a statement
 * after a schema change inside sqlite3_step. Every table read goes into db->seen, the set
 * db_prepare takes for the statement it prepares, and, while a watch is on, into db->watched
 * at once: a statement compiled during a watch is seen whichever way it was compiled, and one
 * compiled before is seen through the set its cache slot kept (db_reads_of). */
static int
db_authorize(void *arg, int action, const char *table, const char *column, const char *schema,
    const char *via)
{
	struct db *db = arg;
	uint64_t bit;

	(void)column;
	(void)via;
	if (action != SQLITE_READ || table == NULL || strncmp(table, "sqlite_", 7) == 0 ||
	    (schema != NULL && strcmp(schema, "temp") == 0))
		return SQLITE_OK;
	bit = db_table_bit(table);
	db->seen |= bit;
	if (db->watching)
		db->watched |= bit;
	return SQLITE_OK;
}

void
db_watch(struct db *db)
{
	db->watched = 0;
	db->watching = true;
}

uint64_t
db_watched(struct db *db)
{
	db->watching = false;
	return db->watched;
}

/* Prepares sql with its reads recorded into *reads. */
static int
db_prepare(struct db *db, const char *sql, sqlite3_stmt **st, struct db_reads *reads)
{
	db->seen = 0;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) !=
	    SQLITE_OK) {
		log_msg("db: prepare failed: %s: %s", sqlite3_errmsg(db->h), sql);
		*st = NULL;
		return -1;
	}
	reads->tables = db->seen;
	reads->reprepares = sqlite3_stmt_status(*st, SQLITE_STMTSTATUS_REPREPARE, 0);
	return 0;
}

/* A cached statement handed out again: while watching, its reads join the watch. When SQLite
 * has re-prepared it since its set was taken, the set is taken again from a fresh copy of the
 * statement, compiled against the schema the re-preparation saw (or a newer one, which the
 * next re-preparation will meet): a set is never older than the program it describes. (A
 * re-preparation during a watch also reached db->watched through the authorizer.) */
static void
db_reads_of(struct db *db, const char *sql, sqlite3_stmt *st, struct db_reads *reads)
{
	int n = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_REPREPARE, 0);
	sqlite3_stmt *copy;
	struct db_reads fresh;

	if (n != reads->reprepares) {
		if (db_prepare(db, sql, &copy, &fresh) == 0) {
			reads->tables = fresh.tables;
			reads->reprepares = n;
		} else {
			/* Unknown: every table, so no watch misses one. */
			reads->tables = ~0ULL;
		}
		sqlite3_finalize(copy);
	}
	if (db->watching)
		db->watched |= reads->tables;
}

static const char *const db_pragmas =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	"PRAGMA foreign_keys=ON;"
	"PRAGMA busy_timeout=5000;"
	"PRAGMA temp_store=MEMORY;"
	"PRAGMA trusted_schema=OFF;"
	/* No memory map: each connection maps the file on its own, so a server that had read
	 * a million addresses showed the file once per thread in its resident memory (1.1 GB
	 * for a 630 MB database). Reads go through SQLite's 2 MB page cache per connection and
	 * the kernel's page cache, at the same speed in bench/run. */
	"PRAGMA mmap_size=0;";

/* Before SQLite starts: no global memory statistics (a mutex around every allocation, and
 * nothing reads them), and a larger per-connection lookaside for the many small allocations
 * of each statement. */
static void
db_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 1200, 1000);
}

/* The database holds password hashes and token ids. It is created 0600 whatever the umask,
 * and one found readable by others is made 0600 too: SQLite gives the -wal and -shm files it
 * (re)creates the database's own mode, so this keeps all three private. */
static void
db_private(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	struct stat st;
	char p[4096];
	size_t i;
	int fd;

	if (*path == '\0' || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return;
	/* Created only when missing: closing a descriptor of a file this process has open would
	 * drop every POSIX lock its other connections hold on it. When it cannot be created,
	 * SQLite says why. */
	if (stat(path, &st) == -1 && errno == ENOENT &&
	    (fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) != -1)
		close(fd);
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if ((size_t)snprintf(p, sizeof(p), "%s%s", path, suffixes[i]) >= sizeof(p))
			return;
		if (stat(p, &st) == 0 && (st.st_mode & 077) != 0 &&
		    chmod(p, st.st_mode & 0700) == -1)
			log_msg("db: %s is readable by others and cannot be made 0600: %s", p,
			    strerror(errno));
	}
}

int
db_open(const char *path, struct db **out, char *err, size_t errlen)
{
	struct db *db;
	char *msg = NULL;
	int rc = -1;

	*out = NULL;
	pthread_once(&db_configured, db_configure);
	db = xcalloc(1, sizeof(*db));
	db_private(path);
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(db->h, 1);
	/* Before any statement exists: nothing is expired by it, now or later. */
	sqlite3_set_authorizer(db->h, db_authorize, db);
	if (sqlite3_exec(db->h, db_pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "cannot use database %s: %s", path, msg ? msg : "?");
		goto out;
	}
	*out = db;
	db = NULL;
	rc = 0;
out:
	sqlite3_free(msg);
	db_close(db);
	return rc;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < DB_STMT_SLOTS; i++) {
		sqlite3_finalize(db->slots[i].stmt);
		free(db->slots[i].sql);
	}
	for (i = 0; i < DB_DYN_SLOTS; i++) {
		sqlite3_finalize(db->dyn[i].stmt);
		free(db->dyn[i].sql);
	}
	sqlite3_close(db->h);
	free(db);
}

sqlite3 *
db_handle(struct db *db)
{
	return db->h;
}

static pthread_key_t db_key;

static char *db_thread_path;

static void
db_thread_destroy(void *p)
{
	db_close(p);
}

int
db_thread_setup(const char *path)
{
	db_thread_path = xstrdup(path);
	return pthread_key_create(&db_key, db_thread_destroy) == 0 ? 0 : -1;
}

struct db *
db_thread(void)
{
	struct db *db = pthread_getspecific(db_key);
	char err[512];

	if (db != NULL)
		return db;
	if (db_open(db_thread_path, &db, err, sizeof(err)) == -1) {
		log_msg("db: %s", err);
		return NULL;
	}
	pthread_setspecific(db_key, db);
	return db;
}

int
db_thread_open(struct db **out)
{
	char err[512];

	if (db_thread_path == NULL)
		return -1;
	if (db_open(db_thread_path, out, err, sizeof(err)) == -1) {
		log_msg("db: %s", err);
		return -1;
	}
	return 0;
}

void
db_thread_teardown(void)
{
	db_close(pthread_getspecific(db_key));
	pthread_setspecific(db_key, NULL);
	free(db_thread_path);
	db_thread_path = NULL;
}

/* FNV-1a, 64 bits: cheap for the few hundred bytes of a query, and spread well enough that
 * linear probing rarely compares more than one string. */
static uint64_t
db_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static sqlite3_stmt *
db_hand_out(struct db *db, struct db_slot *s)
{
	sqlite3_reset(s->stmt);
	sqlite3_clear_bindings(s->stmt);
	db_reads_of(db, s->sql, s->stmt, &s->reads);
	return s->stmt;
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	struct db_addr *a = &db->addrs[((uintptr_t)sql >> 3) % DB_ADDR_SLOTS];
	uint64_t h;
	size_t i, n;
	struct db_slot *s;

	if (a->sql == sql && strcmp(a->slot->sql, sql) == 0)
		return db_hand_out(db, a->slot);
	h = db_hash(sql);
	for (n = 0, i = h % DB_STMT_SLOTS; n < DB_STMT_SLOTS; n++, i = (i + 1) % DB_STMT_SLOTS) {
		s = &db->slots[i];
		if (s->sql == NULL)
			break;
		if (s->hash == h && strcmp(s->sql, sql) == 0) {
			a->sql = sql;
			a->slot = s;
			return db_hand_out(db, s);
		}
	}
	if (n == DB_STMT_SLOTS) {
		log_msg("db: statement cache full");
		return NULL;
	}
	if (db_prepare(db, sql, &s->stmt, &s->reads) == -1)
		return NULL;
	s->sql = xstrdup(sql);
	s->hash = h;
	a->sql = sql;
	a->slot = s;
	return s->stmt;
}

sqlite3_stmt *
db_stmt_text(struct db *db, const char *sql)
{
	struct db_dyn *d;
	size_t i;

	for (i = 0; i < DB_DYN_SLOTS; i++) {
		d = &db->dyn[i];
		if (d->sql != NULL && strcmp(d->sql, sql) == 0) {
			sqlite3_reset(d->stmt);
			sqlite3_clear_bindings(d->stmt);
			db_reads_of(db, d->sql, d->stmt, &d->reads);
			return d->stmt;
		}
	}
	/* Round-robin replacement: the statement replaced is never the one being returned. */
	d = &db->dyn[db->dyn_next++ % DB_DYN_SLOTS];
	sqlite3_finalize(d->stmt);
	free(d->sql);
	d->sql = NULL;
	if (db_prepare(db, sql, &d->stmt, &d->reads) == -1)
		return NULL;
	d->sql = xstrdup(sql);
	return d->stmt;
}

int
db_begin(struct db *db, bool write)
{
	/* IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading. */
	return sqlite3_exec(db->h, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL) ==
	    SQLITE_OK ? 0 : -1;
}

/* A read transaction around all the reads of one GET: one snapshot (a list's count and page
 * agree) and one round of file locking instead of one per statement. */
int
db_read_begin(struct db *db)
{
	static const char sql[] = "BEGIN";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc = st != NULL && sqlite3_step(st) == SQLITE_DONE ? 0 : -1;

	if (st != NULL)
		sqlite3_reset(st);
	return rc;
}

void
db_read_end(struct db *db)
{
	static const char sql[] = "COMMIT";
	sqlite3_stmt *st;

	if (sqlite3_get_autocommit(db->h))
		return;
	if ((st = db_stmt(db, sql)) != NULL) {
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	db_rollback(db);
}

/* Told after each write commits (set before the server's threads start, cleared after). */
static void (*db_commit_hook)(void *);
static void *db_commit_arg;

void
db_on_commit(void (*fn)(void *), void *arg)
{
	db_commit_hook = fn;
	db_commit_arg = arg;
}

int
db_commit(struct db *db)
{
	if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (db_commit_hook != NULL)
		db_commit_hook(db_commit_arg);
	return 0;
}

long long
db_data_version(struct db *db)
{
	static const char sql[] = "PRAGMA data_version";
	sqlite3_stmt *st = db_stmt(db, sql);
	long long v = -1;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	if (st != NULL)
		sqlite3_reset(st);
	return v;
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int
db_fail(struct db *db, struct api_err *err, const char *what)
{
	log_msg("db: %s: %s", what, sqlite3_errmsg(db->h));
	if (sqlite3_errcode(db->h) == SQLITE_BUSY)
		return api_err_set(err, 503, "the database is busy, try again");
	return api_err_set(err, 500, "database error while %s", what);
}

static int
db_file_version(const char *name)
{
	return atoi(name);
}

int
db_latest_version(void)
{
	return embed_migrations_count ?
	    db_file_version(embed_migrations[embed_migrations_count - 1].name) : 0;
}

int
db_schema_version(struct db *db)
{
	static const char sql[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
	sqlite3_stmt *st;
	int v = -1;

	/* Cached: /healthz asks on every call. Reset at once so no read stays open. */
	if ((st = db_stmt(db, sql)) != NULL && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	if (st != NULL)
		sqlite3_reset(st);
	return v;
}

/* A migration that rebuilds a table other tables refer to starts with this line: it runs with
 * foreign keys off, since dropping the old table would otherwise delete its rows one by one
 * and fail on their referrers (SQLite's 12-step procedure). The switch works only outside a
 * transaction, so the whole run goes without them, and every reference is checked before the
 * commit instead. */
#define DB_MIGRATION_NO_FK "-- netsot: foreign_keys=off\n"

/* Whether a migration newer than have asks for foreign keys off. */
static bool
db_migrations_no_fk(int have)
{
	size_t i, n = strlen(DB_MIGRATION_NO_FK);

	for (i = 0; i < embed_migrations_count; i++)
		if (db_file_version(embed_migrations[i].name) > have &&
		    embed_migrations[i].len >= n &&
		    memcmp(embed_migrations[i].data, DB_MIGRATION_NO_FK, n) == 0)
			return true;
	return false;
}

/* The schema version before any migration ran: 0 without schema_migrations (asked apart, so
 * that a new database logs no failed statement); -1 on error. */
static int
db_version_before(struct db *db)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db->h, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
	    "name = 'schema_migrations'", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	return rc == SQLITE_ROW ? db_schema_version(db) : -1;
}

/* Every foreign key holds: the check a run without them owes before its commit. */
static int
db_migrate_fk_check(struct db *db, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db->h, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot check foreign keys: %s", sqlite3_errmsg(db->h));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(err, errlen, "the migrations leave a row of %s referring to no row of %s",
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 2));
	else if (rc != SQLITE_DONE)
		snprintf(err, errlen, "cannot check foreign keys: %s", sqlite3_errmsg(db->h));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
db_migrate(struct db *db, char *err, size_t errlen)
{
	static const char create[] =
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		" version INTEGER PRIMARY KEY,"
		" name TEXT NOT NULL,"
		" applied_at TEXT NOT NULL)";
	sqlite3_stmt *ins = NULL;
	char now[CLOCK_RFC3339_LEN], *msg = NULL;
	int have, latest = db_latest_version(), rc = -1;
	bool no_fk = false;
	size_t i;

	/* Read before the transaction, since the switch cannot move inside one, and again inside
	 * it, where it counts: another process may have migrated meanwhile, which leaves less to
	 * run, never more. */
	if ((have = db_version_before(db)) < 0) {
		snprintf(err, errlen, "cannot read schema version: %s", sqlite3_errmsg(db->h));
		return -1;
	}
	if ((no_fk = db_migrations_no_fk(have)) &&
	    sqlite3_exec(db->h, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot turn foreign keys off: %s", sqlite3_errmsg(db->h));
		return -1;
	}
	if (db_begin(db, true) == -1) {
		snprintf(err, errlen, "cannot start migration: %s", sqlite3_errmsg(db->h));
		goto out;   /* foreign keys back on */
	}
	if (sqlite3_exec(db->h, create, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "cannot create schema_migrations: %s", msg);
		goto out;
	}
	if ((have = db_schema_version(db)) < 0) {
		snprintf(err, errlen, "cannot read schema version: %s", sqlite3_errmsg(db->h));
		goto out;
	}
	if (have > latest) {
		snprintf(err, errlen, "the database schema is version %d, newer than this netsot "
		    "(which knows up to %d): use a newer netsot", have, latest);
		goto out;
	}
	if (sqlite3_prepare_v2(db->h, "INSERT INTO schema_migrations (version, name, applied_at) "
	    "VALUES (?, ?, ?)", -1, &ins, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db->h));
		goto out;
	}
	clock_rfc3339(clock_now(), now);
	for (i = 0; i < embed_migrations_count; i++) {
		const struct embed_file *f = &embed_migrations[i];
		int v = db_file_version(f->name);

		if (v <= have)
			continue;
		if (sqlite3_exec(db->h, (const char *)f->data, NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "migration %s failed: %s", f->name, msg);
			goto out;
		}
		sqlite3_reset(ins);
		sqlite3_bind_int(ins, 1, v);
		sqlite3_bind_text(ins, 2, f->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, now, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			snprintf(err, errlen, "cannot record migration %s: %s", f->name,
			    sqlite3_errmsg(db->h));
			goto out;
		}
	}
	sqlite3_finalize(ins);
	ins = NULL;
	if (no_fk && db_migrate_fk_check(db, err, errlen) == -1)
		goto out;
	if (db_commit(db) == -1) {
		snprintf(err, errlen, "cannot commit migrations: %s", sqlite3_errmsg(db->h));
		goto out;
	}
	rc = 0;
out:
	sqlite3_free(msg);
	sqlite3_finalize(ins);
	if (rc == -1)
		db_rollback(db);
	if (no_fk && sqlite3_exec(db->h, "PRAGMA foreign_keys=ON", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot turn foreign keys on: %s", sqlite3_errmsg(db->h));
		rc = -1;
	}
	return rc;
}
