/* Tests for server/store/db.c: connection pragmas, embedded migrations, the statement cache and
 * transactions, on databases in a temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpdir.h"
#include "apierr.h"
#include "db.h"
#include "embed.h"

struct fixture {
	char dir[64];
	char path[128];
	struct db *db;
	char err[512];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/netsot-test-db-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/netsot.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	db_close(f->db);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* Opens f->path into f->db, failing the test on error. */
static void
open_db(struct fixture *f)
{
	if (db_open(f->path, &f->db, f->err, sizeof(f->err)) != 0)
		fail_msg("db_open: %s", f->err);
	assert_non_null(f->db);
}

static void
migrate(struct fixture *f)
{
	if (db_migrate(f->db, f->err, sizeof(f->err)) != 0)
		fail_msg("db_migrate: %s", f->err);
}

/* The single integer a query returns. */
static long long
query_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row (%s)", sql, sqlite3_errmsg(db_handle(db)));
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_handle(db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static void
test_open_sets_pragmas(void **state)
{
	struct fixture *f = *state;
	sqlite3_stmt *st;

	open_db(f);
	assert_true(access(f->path, F_OK) == 0);
	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), "PRAGMA journal_mode", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(query_int(f->db, "PRAGMA synchronous"), 2);   /* FULL */
	assert_int_equal(query_int(f->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(f->db, "PRAGMA busy_timeout"), 5000);
	assert_int_equal(query_int(f->db, "PRAGMA temp_store"), 2);    /* MEMORY */
	assert_int_equal(query_int(f->db, "PRAGMA trusted_schema"), 0);
}

static void
test_foreign_keys_enforced(void **state)
{
	struct fixture *f = *state;

	open_db(f);
	exec(f->db, "CREATE TABLE p (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE c (p INTEGER REFERENCES p (id))");
	assert_int_equal(sqlite3_exec(db_handle(f->db), "INSERT INTO c VALUES (7)", NULL, NULL,
	    NULL), SQLITE_CONSTRAINT_FOREIGNKEY);
}

static void
test_migrate_fresh(void **state)
{
	struct fixture *f = *state;
	static const char names_sql[] = "SELECT name, applied_at FROM schema_migrations "
	    "ORDER BY version";
	sqlite3_stmt *st;
	size_t i;

	open_db(f);
	assert_true(db_latest_version() >= 1);
	assert_true(embed_migrations_count >= 1);
	assert_true(db_schema_version(f->db) <= 0);
	migrate(f);
	assert_int_equal(db_schema_version(f->db), db_latest_version());
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_migrations"),
	    embed_migrations_count);
	/* One row per embedded file, in order, with an RFC 3339 time. */
	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), names_sql, -1, &st, NULL),
	    SQLITE_OK);
	for (i = 0; i < embed_migrations_count; i++) {
		const char *at;

		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0),
		    embed_migrations[i].name);
		at = (const char *)sqlite3_column_text(st, 1);
		assert_int_equal(strlen(at), 20);
		assert_int_equal(at[10], 'T');
		assert_int_equal(at[19], 'Z');
	}
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	/* The schema the migrations describe is really there. */
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_schema WHERE type = "
	    "'table' AND name IN ('users', 'api_tokens')"), 2);
	assert_int_equal(sqlite3_get_autocommit(db_handle(f->db)), 1);
}

static void
test_migrate_twice_is_noop(void **state)
{
	struct fixture *f = *state;

	open_db(f);
	migrate(f);
	exec(f->db, "UPDATE schema_migrations SET applied_at = 'marker'");
	migrate(f);
	assert_int_equal(db_schema_version(f->db), db_latest_version());
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_migrations"),
	    embed_migrations_count);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_migrations "
	    "WHERE applied_at = 'marker'"), embed_migrations_count);
	/* And again from a new connection. */
	db_close(f->db);
	f->db = NULL;
	open_db(f);
	migrate(f);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_migrations "
	    "WHERE applied_at = 'marker'"), embed_migrations_count);
}

static void
test_migrate_refuses_newer_schema(void **state)
{
	struct fixture *f = *state;
	char sql[160], want[64];
	int newer = db_latest_version() + 1;

	open_db(f);
	migrate(f);
	snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations VALUES (%d, '%04d_future.sql', "
	    "'2030-01-01T00:00:00Z')", newer, newer);
	exec(f->db, sql);
	assert_int_equal(db_schema_version(f->db), newer);
	f->err[0] = '\0';
	assert_int_equal(db_migrate(f->db, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "newer"));
	snprintf(want, sizeof(want), "version %d", newer);
	assert_non_null(strstr(f->err, want));
	/* Nothing changed, and no transaction is left open. */
	assert_int_equal(sqlite3_get_autocommit(db_handle(f->db)), 1);
	assert_int_equal(db_schema_version(f->db), newer);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_migrations"),
	    embed_migrations_count + 1);
}

static void
test_failed_migration_rolls_back(void **state)
{
	struct fixture *f = *state;
	const char *first = (const char *)embed_migrations[0].data, *p;
	char table[64], sql[128];

	/* Pre-create the first table the first migration makes, so that it fails. */
	p = strstr(first, "CREATE TABLE ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "CREATE TABLE %63[A-Za-z0-9_]", table), 1);
	open_db(f);
	snprintf(sql, sizeof(sql), "CREATE TABLE %s (x)", table);
	exec(f->db, sql);
	assert_int_equal(db_migrate(f->db, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, embed_migrations[0].name));
	assert_non_null(strstr(f->err, "already exists"));
	assert_int_equal(sqlite3_get_autocommit(db_handle(f->db)), 1);
	/* All of it was rolled back, schema_migrations included. */
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_schema WHERE name = "
	    "'schema_migrations'"), 0);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_schema WHERE "
	    "type = 'table'"), 1);
}

static void
test_stmt_cache(void **state)
{
	struct fixture *f = *state;
	static const char two_rows[] = "SELECT 1 UNION ALL SELECT 2";
	static const char echo[] = "SELECT ?1";
	static const char echo_again[] = "SELECT ?1";   /* same text, another literal */
	static const char broken[] = "SELEKT nothing";
	sqlite3_stmt *st, *st2, *st3;

	open_db(f);
	st = db_stmt(f->db, two_rows);
	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	/* Mid-iteration: handed out again, it is the same statement from the start. */
	assert_ptr_equal(db_stmt(f->db, two_rows), st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);

	/* Bindings are cleared. */
	st2 = db_stmt(f->db, echo);
	assert_non_null(st2);
	assert_ptr_not_equal(st2, st);
	assert_int_equal(sqlite3_bind_int(st2, 1, 42), SQLITE_OK);
	assert_int_equal(sqlite3_step(st2), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st2, 0), 42);
	assert_ptr_equal(db_stmt(f->db, echo), st2);
	assert_int_equal(sqlite3_step(st2), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(st2, 0), SQLITE_NULL);

	/* The cache is keyed by the text: another copy of it is the same statement. */
	st3 = db_stmt(f->db, echo_again);
	assert_ptr_equal(st3, st2);

	/* Bad SQL gives NULL, every time, and spoils nothing. */
	assert_null(db_stmt(f->db, broken));
	assert_null(db_stmt(f->db, broken));
	assert_ptr_equal(db_stmt(f->db, two_rows), st);
	assert_ptr_equal(db_stmt(f->db, echo), st2);
}

/* One buffer holding one query, then another: the second text gets its own statement, never
 * the first's (a cache keyed by the address would answer "SELECT 1" for both). */
static void
test_stmt_cache_reused_buffer(void **state)
{
	struct fixture *f = *state;
	sqlite3_stmt *a, *b;
	char *buf = malloc(64);
	int i;

	assert_non_null(buf);
	open_db(f);
	snprintf(buf, 64, "SELECT 1");
	a = db_stmt(f->db, buf);
	assert_non_null(a);
	snprintf(buf, 64, "SELECT 2");
	b = db_stmt(f->db, buf);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(b, 0), 2);
	free(buf);
	/* The cache kept its own copy of each key. */
	assert_ptr_equal(db_stmt(f->db, "SELECT 1"), a);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(a, 0), 1);
	/* Many texts, each found again as itself. */
	for (i = 0; i < 300; i++) {
		char q[32];

		snprintf(q, sizeof(q), "SELECT %d", i + 10);
		a = db_stmt(f->db, q);
		assert_non_null(a);
		assert_int_equal(sqlite3_step(a), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(a, 0), i + 10);
	}
	for (i = 0; i < 300; i++) {
		char q[32];

		snprintf(q, sizeof(q), "SELECT %d", i + 10);
		a = db_stmt(f->db, q);
		assert_int_equal(sqlite3_step(a), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(a, 0), i + 10);
	}
}

/* The plan of a query, one detail per row, joined. */
static void
query_plan(struct db *db, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st;
	char q[512];
	size_t used = 0;

	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(db_handle(db), q, -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW && used < len)
		used += (size_t)snprintf(out + used, len - used, "%s;",
		    (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
}

/* The audit log found by request id, and expired idempotency keys found by age, through an
 * index rather than a scan of the whole table. */
static void
test_indexes(void **state)
{
	struct fixture *f = *state;
	char plan[512];

	open_db(f);
	migrate(f);
	query_plan(f->db, "SELECT id FROM changes WHERE request_id = 'x'", plan, sizeof(plan));
	assert_non_null(strstr(plan, "INDEX changes_request_id ("));
	query_plan(f->db, "DELETE FROM idempotency_keys WHERE created_at < 'x'", plan,
	    sizeof(plan));
	assert_non_null(strstr(plan, "INDEX idempotency_keys_created_at ("));
}

static void
test_transactions(void **state)
{
	struct fixture *f = *state;
	sqlite3 *h;

	open_db(f);
	h = db_handle(f->db);
	exec(f->db, "CREATE TABLE t (x INTEGER)");

	assert_int_equal(db_begin(f->db, true), 0);
	assert_int_equal(sqlite3_get_autocommit(h), 0);
	exec(f->db, "INSERT INTO t VALUES (1)");
	db_rollback(f->db);
	assert_int_equal(sqlite3_get_autocommit(h), 1);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 0);

	assert_int_equal(db_begin(f->db, false), 0);
	exec(f->db, "INSERT INTO t VALUES (2)");
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(sqlite3_get_autocommit(h), 1);
	assert_int_equal(query_int(f->db, "SELECT x FROM t"), 2);

	/* No nesting; COMMIT without BEGIN fails; ROLLBACK without BEGIN is harmless. */
	assert_int_equal(db_begin(f->db, true), 0);
	assert_int_equal(db_begin(f->db, true), -1);
	db_rollback(f->db);
	assert_int_equal(db_commit(f->db), -1);
	db_rollback(f->db);
	assert_int_equal(sqlite3_get_autocommit(h), 1);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 1);
}

static void
test_write_transaction_takes_lock_up_front(void **state)
{
	struct fixture *f = *state;
	struct db *other = NULL;
	struct api_err err;

	open_db(f);
	exec(f->db, "CREATE TABLE t (x INTEGER)");
	assert_int_equal(db_open(f->path, &other, f->err, sizeof(f->err)), 0);
	assert_int_equal(sqlite3_busy_timeout(db_handle(other), 0), SQLITE_OK);

	assert_int_equal(db_begin(f->db, true), 0);
	/* A second writer is refused at BEGIN, a reader is not. */
	assert_int_equal(db_begin(other, true), -1);
	api_err_init(&err);
	db_fail(other, &err, "testing");
	assert_int_equal(err.status, 503);
	api_err_free(&err);
	assert_int_equal(db_begin(other, false), 0);
	assert_int_equal(query_int(other, "SELECT count(*) FROM t"), 0);
	db_rollback(other);
	assert_int_equal(db_commit(f->db), 0);
	db_close(other);
}

static void
test_db_fail_is_500(void **state)
{
	struct fixture *f = *state;
	struct api_err err;

	open_db(f);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "SELECT * FROM missing", NULL, NULL,
	    NULL), SQLITE_OK);
	api_err_init(&err);
	assert_int_equal(db_fail(f->db, &err, "listing things"), -1);
	assert_int_equal(err.status, 500);
	assert_string_equal(err.detail, "database error while listing things");
	api_err_free(&err);
}

static void
test_open_in_missing_directory(void **state)
{
	struct fixture *f = *state;
	char path[192];
	struct db *db = (struct db *)path;   /* must be reset to NULL */

	snprintf(path, sizeof(path), "%s/no/such/dir/x.db", f->dir);
	f->err[0] = '\0';
	assert_int_equal(db_open(path, &db, f->err, sizeof(f->err)), -1);
	assert_null(db);
	assert_non_null(strstr(f->err, "cannot open database"));
	assert_non_null(strstr(f->err, path));
	assert_true(access(path, F_OK) == -1);
}

static void
test_open_not_a_database(void **state)
{
	struct fixture *f = *state;
	char junk[4096];
	int fd;

	memset(junk, 'j', sizeof(junk));
	memcpy(junk, "this is not a database\n", 23);
	fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), sizeof(junk));
	close(fd);
	f->err[0] = '\0';
	assert_int_equal(db_open(f->path, &f->db, f->err, sizeof(f->err)), -1);
	assert_null(f->db);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, "not a database"));
}


static int
mode_of(const char *dir, const char *name)
{
	char path[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* Under umask 0 the database and its -wal and -shm are still 0600. (That opening a second
 * connection keeps the process's locks is shown by the API tests that export from the command
 * line while the server runs.) */
static void
test_files_private(void **state)
{
	struct fixture *f = *state;
	mode_t old = umask(0);

	open_db(f);
	assert_int_equal(sqlite3_exec(db_handle(f->db), "CREATE TABLE t (x); INSERT INTO t "
	    "VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(mode_of(f->dir, "netsot.db"), 0600);
	assert_int_equal(mode_of(f->dir, "netsot.db-wal"), 0600);
	assert_int_equal(mode_of(f->dir, "netsot.db-shm"), 0600);
	/* An existing database readable by others is made private on open. */
	db_close(f->db);
	f->db = NULL;
	assert_int_equal(chmod(f->path, 0644), 0);
	open_db(f);
	assert_int_equal(mode_of(f->dir, "netsot.db"), 0600);
	umask(old);
}

/* Applies the embedded migrations before the named one, as an older netsot would have. */
static void
migrate_before(struct fixture *f, const char *name)
{
	char sql[160];
	size_t i;

	exec(f->db, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
	    "name TEXT NOT NULL, applied_at TEXT NOT NULL)");
	for (i = 0; i < embed_migrations_count && strcmp(embed_migrations[i].name, name) < 0;
	    i++) {
		exec(f->db, (const char *)embed_migrations[i].data);
		snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations VALUES (%d, '%s', 'x')",
		    atoi(embed_migrations[i].name), embed_migrations[i].name);
		exec(f->db, sql);
	}
}

/* Settings stored as name/value rows move into the one settings row; a value that no longer
 * fits, or one never set, becomes the default. */
static void
test_migrate_settings_row(void **state)
{
	struct fixture *f = *state;

	open_db(f);
	migrate_before(f, "0018_settings_row.sql");
	exec(f->db, "INSERT INTO settings (key, value) VALUES "
	    "('forward_default_action', '\"accept\"'), ('log_denied', 'false'), "
	    "('input_default_action', '\"bogus\"'), ('retired_setting', '1')");
	migrate(f);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM settings"), 1);
	assert_int_equal(query_int(f->db, "SELECT forward_default_action = 'accept' AND "
	    "input_default_action = 'drop' AND log_denied = 0 FROM settings WHERE id = 1"), 1);
	/* Its writes still move the table's revision, which render ETags are made from. */
	exec(f->db, "CREATE TEMP TABLE r AS SELECT rev FROM bookkeeping WHERE key = 'settings'");
	exec(f->db, "UPDATE settings SET log_denied = 1");
	assert_int_equal(query_int(f->db, "SELECT (SELECT rev FROM bookkeeping WHERE "
	    "key = 'settings') - (SELECT rev FROM r)"), 1);
	/* Users and tokens are counted for their lists. */
	exec(f->db, "INSERT INTO users (username, password_hash, role, created_at, updated_at) "
	    "VALUES ('a', 'x', 'admin', 't', 't')");
	assert_int_equal(query_int(f->db, "SELECT n FROM bookkeeping WHERE key = 'users'"), 1);
}

/* An empty settings table (never set) migrates to the defaults. */
static void
test_migrate_settings_defaults(void **state)
{
	struct fixture *f = *state;

	open_db(f);
	migrate_before(f, "0018_settings_row.sql");
	migrate(f);
	assert_int_equal(query_int(f->db, "SELECT forward_default_action = 'drop' AND "
	    "input_default_action = 'drop' AND log_denied = 1 FROM settings WHERE id = 1"), 1);
}

/* How many OpenEphemeral steps the program of sql has: a temporary table built each run. */
static int
ephemeral_tables(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	char q[512];
	int n = 0;

	snprintf(q, sizeof(q), "EXPLAIN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(db_handle(db), q, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		n += strcmp((const char *)sqlite3_column_text(st, 1), "OpenEphemeral") == 0;
	sqlite3_finalize(st);
	return n;
}

/* The audit log and the addresses rebuilt with OR checks (0021): every row, column and id
 * kept, the ids' high-water mark too (the newest rows were deleted), the counts untouched,
 * the indexes and triggers back, the same values allowed and refused, no temporary table. */
static void
test_migrate_checks_without_in(void **state)
{
	static const char rows[] = "SELECT (SELECT group_concat(id || '|' || time || '|' || "
	    "username || '|' || request_id || '|' || action || '|' || object_type || '|' || "
	    "object_id || '|' || coalesce(before, '-') || '|' || coalesce(after, '-'), ';') "
	    "FROM changes) || '#' || (SELECT group_concat(id || '|' || address || '|' || "
	    "prefix_id || '|' || coalesce(host_id, '-') || '|' || interface || '|' || dns_name || "
	    "'|' || status || '|' || role || '|' || description || '|' || tags || '|' || "
	    "created_at || '|' || updated_at || '|' || hex(addr_key), ';') FROM ip_addresses) "
	    "|| '#' || (SELECT group_concat(key || '|' || n || '|' || rev || '|' || "
	    "coalesce(change_id, '-'), ';') FROM bookkeeping)";
	static const char insert_change[] = "INSERT INTO changes (time, username, request_id, "
	    "action, object_type, object_id, before, after) VALUES ('t', 'u', 'r', 'create', "
	    "'ip-address', 1, NULL, '{}')";
	static const char insert_address[] = "INSERT INTO ip_addresses (address, prefix_id, "
	    "status, created_at, updated_at, addr_key) VALUES ('10.0.0.9', 1, 'active', 't', 't', "
	    "x'09')";
	struct fixture *f = *state;
	char *before;
	sqlite3_stmt *st;

	open_db(f);
	migrate_before(f, "0021_checks_without_in.sql");
	assert_int_equal(ephemeral_tables(f->db, insert_change), 1);
	exec(f->db, "INSERT INTO prefixes (prefix, created_at, updated_at, first_key, last_key, "
	    "prefix_len) VALUES ('10.0.0.0/24', 't', 't', x'00', x'ff', 24);"
	    "INSERT INTO hosts (name, created_at, updated_at) VALUES ('h', 't', 't');"
	    "INSERT INTO ip_addresses (address, prefix_id, host_id, interface, dns_name, status, "
	    "role, description, tags, created_at, updated_at, addr_key) VALUES "
	    "('10.0.0.1', 1, 1, 'eth0', 'a.example', 'reserved', 'gw', 'it''s', '[\"x\"]', "
	    "'t1', 't2', x'01'), ('10.0.0.2', 1, NULL, '', '', 'dhcp', '', '', '[]', 't', 't', "
	    "x'02'), ('10.0.0.3', 1, NULL, '', '', 'active', '', '', '[]', 't', 't', x'03');"
	    "INSERT INTO changes (time, username, request_id, action, object_type, object_id, "
	    "before, after) VALUES ('t1', 'alice', 'r1', 'create', 'ip-address', 1, NULL, '{}'), "
	    "('t2', 'bob', 'r2', 'update', 'ip-address', 1, '{}', '{\"a\":1}'), "
	    "('t3', 'bob', 'r3', 'delete', 'ip-address', 2, '{}', NULL), "
	    "('t4', 'bob', 'r4', 'delete', 'ip-address', 3, '{}', NULL);"
	    "DELETE FROM ip_addresses WHERE id = 3; DELETE FROM changes WHERE id = 4");
	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), rows, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	before = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);

	migrate(f);
	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), rows, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), before);
	sqlite3_finalize(st);
	free(before);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_schema WHERE type = "
	    "'index' AND tbl_name IN ('changes', 'ip_addresses')"), 3 + 6);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_schema WHERE type = "
	    "'trigger' AND tbl_name IN ('changes', 'ip_addresses')"), 2 + 3);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE "
	    "'%\\_new' ESCAPE '\\'"), 0);

	/* No temporary table on an insert any more; ids go on past the deleted newest rows;
	 * the triggers count and date again. */
	assert_int_equal(ephemeral_tables(f->db, insert_change), 0);
	assert_int_equal(ephemeral_tables(f->db, insert_address), 0);
	exec(f->db, insert_change);
	exec(f->db, insert_address);
	assert_int_equal(query_int(f->db, "SELECT max(id) FROM changes"), 5);
	assert_int_equal(query_int(f->db, "SELECT max(id) FROM ip_addresses"), 4);
	assert_int_equal(query_int(f->db, "SELECT n FROM bookkeeping WHERE key = 'changes'"), 4);
	assert_int_equal(query_int(f->db, "SELECT change_id FROM bookkeeping WHERE "
	    "key = 'type:ip-address'"), 5);
	assert_int_equal(query_int(f->db, "SELECT n FROM bookkeeping WHERE "
	    "key = 'ip_addresses'"), 3);

	/* The same values allowed and refused; the unique key and foreign keys still hold. */
	exec(f->db, "UPDATE ip_addresses SET status = 'deprecated' WHERE id = 4");
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "UPDATE ip_addresses SET status = "
	    "'Active' WHERE id = 4", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "UPDATE ip_addresses SET status = "
	    "NULL WHERE id = 4", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "INSERT INTO changes (time, "
	    "username, request_id, action, object_type, object_id) VALUES ('t', 'u', 'r', "
	    "'created', 'x', 1)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "UPDATE ip_addresses SET addr_key = "
	    "x'01' WHERE id = 4", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "UPDATE ip_addresses SET prefix_id = "
	    "99 WHERE id = 4", NULL, NULL, NULL), SQLITE_OK);
}

/* The tables 0022 rebuilds, and a statement that checks each one's former IN list. */
static const struct {
	const char *table;
	const char *write;
} rebuilt[] = {
	{ "hosts", "INSERT INTO hosts (name, kind, created_at, updated_at) VALUES "
	    "('h9', 'switch', 't', 't')" },
	{ "prefixes", "INSERT INTO prefixes (prefix, status, created_at, updated_at, first_key, "
	    "last_key, prefix_len) VALUES ('10.9.0.0/16', 'container', 't', 't', x'09', x'0a', "
	    "16)" },
	{ "ip_ranges", "INSERT INTO ip_ranges (start_address, end_address, prefix_id, status, "
	    "created_at, updated_at, start_key, end_key) VALUES ('a', 'b', 1, 'deprecated', 't', "
	    "'t', x'0901', x'0902')" },
	{ "ports", "INSERT INTO ports (host_id, name, mode, created_at, updated_at, ifname) "
	    "VALUES (1, 'p9', 'trunk', 't', 't', 'p9')" },
	{ "firewall_rules", "INSERT INTO firewall_rules (scope, action, protocol, created_at, "
	    "updated_at, name) VALUES ('input', 'reject', 'icmp', 't', 't', 'r9')" },
	{ "dns_records", "INSERT INTO dns_records (zone_id, name, type, value, created_at, "
	    "updated_at) VALUES (1, 'x', 'SRV', 'v', 't', 't')" },
	{ "users", "INSERT INTO users (username, password_hash, role, created_at, updated_at) "
	    "VALUES ('u9', 'x', 'viewer', 't', 't')" },
	{ "api_tokens", "INSERT INTO api_tokens (name, role, jti, created_by, created_at, "
	    "expires_at, expires_unix) VALUES ('k9', 'editor', 'j9', 1, 't', 't', 1)" },
	{ "settings", "UPDATE settings SET forward_default_action = 'reject' WHERE id = 1" },
};

/* A query's rows as one text, each value with its type (NULL apart from 'NULL'). */
static char *
dump(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int i;

	assert_non_null(out);
	if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db_handle(db)));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++)
			fprintf(out, "%d:%s|", sqlite3_column_type(st, i),
			    sqlite3_column_type(st, i) == SQLITE_NULL ? "" :
			    (const char *)sqlite3_column_text(st, i));
		fputc('\n', out);
	}
	sqlite3_finalize(st);
	fclose(out);
	return text;
}

/* Every rebuilt table's rows, the ids' high-water marks, the counts, and the schema's indexes
 * and triggers and each table's columns, foreign keys and index list. */
static char *
dump_all(struct db *db)
{
	char sql[160], *part, *all = NULL;
	size_t i, len = 0;
	FILE *out = open_memstream(&all, &len);

	assert_non_null(out);
	for (i = 0; i < sizeof(rebuilt) / sizeof(rebuilt[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY id", rebuilt[i].table);
		part = dump(db, sql);
		fprintf(out, "%s:\n%s", rebuilt[i].table, part);
		free(part);
	}
	part = dump(db, "SELECT * FROM sqlite_sequence ORDER BY name");
	fputs(part, out);
	free(part);
	part = dump(db, "SELECT * FROM bookkeeping ORDER BY key");
	fputs(part, out);
	free(part);
	part = dump(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE type IN "
	    "('index', 'trigger') ORDER BY name");
	fputs(part, out);
	free(part);
	part = dump(db, "SELECT m.name, p.* FROM sqlite_schema m JOIN pragma_table_info(m.name) p "
	    "WHERE m.type = 'table' ORDER BY m.name, p.cid");
	fputs(part, out);
	free(part);
	part = dump(db, "SELECT m.name, f.* FROM sqlite_schema m JOIN "
	    "pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY 1, 2, 3");
	fputs(part, out);
	free(part);
	part = dump(db, "SELECT m.name, l.name, l.\"unique\", l.origin FROM sqlite_schema m "
	    "JOIN pragma_index_list(m.name) l WHERE m.type = 'table' ORDER BY 1, 2");
	fputs(part, out);
	free(part);
	fclose(out);
	return all;
}

/* The rest of the IN lists rebuilt with OR (0022), tables that others refer to among them:
 * every row, id, high-water mark, count, index, trigger and reference kept; the same values
 * allowed and refused; no temporary table; foreign keys on again and enforced. */
static void
test_migrate_referenced_checks(void **state)
{
	struct fixture *f = *state;
	char *before, *after;
	size_t i;

	open_db(f);
	migrate_before(f, "0022_checks_without_in_referenced.sql");
	for (i = 0; i < sizeof(rebuilt) / sizeof(rebuilt[0]); i++)
		assert_int_not_equal(ephemeral_tables(f->db, rebuilt[i].write), 0);
	exec(f->db, "INSERT INTO vlans (vid, name, created_at, updated_at) VALUES "
	    "(5, 'v', 't', 't');"
	    "INSERT INTO hosts (name, kind, vars, created_at, updated_at) VALUES "
	    "('h1', 'router', '{\"a\":1}', 't1', 't2'), ('h2', 'vm', '{}', 't', 't'), "
	    "('h3', 'vm', '{}', 't', 't');"
	    "INSERT INTO prefixes (prefix, vlan_id, status, created_at, updated_at, first_key, "
	    "last_key, prefix_len) VALUES ('10.0.0.0/8', 1, 'container', 't', 't', x'00', x'ff', "
	    "8);"
	    "INSERT INTO prefixes (prefix, parent_id, status, created_at, updated_at, first_key, "
	    "last_key, prefix_len, used) VALUES ('10.1.0.0/16', 1, 'active', 't', 't', x'01', "
	    "x'02', 16, 3);"
	    "INSERT INTO ip_ranges (start_address, end_address, prefix_id, status, created_at, "
	    "updated_at, start_key, end_key) VALUES ('10.1.0.1', '10.1.0.9', 2, 'reserved', 't', "
	    "'t', x'0101', x'0109');"
	    "INSERT INTO ip_addresses (address, prefix_id, host_id, created_at, updated_at, "
	    "addr_key) VALUES ('10.1.0.5', 2, 2, 't', 't', x'0105');"
	    "INSERT INTO ports (host_id, name, mode, untagged_vlan_id, created_at, updated_at, "
	    "ifname) VALUES (1, 'wan', 'wan', NULL, 't', 't', 'wan'), (1, 'lan', 'access', 1, "
	    "'t', 't', 'lan');"
	    "INSERT INTO port_tagged_vlans (port_id, vlan_id) VALUES (2, 1);"
	    "INSERT INTO wan_links (name, port_id, created_at, updated_at) VALUES ('w', 1, 't', "
	    "'t');"
	    "INSERT INTO services (host_id, name, protocol, ports, created_at, updated_at) VALUES "
	    "(2, 'ssh', 'tcp', '22', 't', 't');"
	    "INSERT INTO firewall_rules (scope, action, protocol, src_host_id, dst_prefix_id, "
	    "created_at, updated_at, name) VALUES ('forward', 'accept', 'tcp', 1, 2, 't', 't', "
	    "'r1');"
	    "INSERT INTO dns_zones (name, serial, created_at, updated_at) VALUES ('z', 1, 't', "
	    "'t');"
	    "INSERT INTO dns_records (zone_id, name, type, value, ttl, created_at, updated_at) "
	    "VALUES (1, 'www', 'CNAME', 'x', 60, 't', 't');"
	    "INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES "
	    "('alice', 'h', 'admin', 't', 't');"
	    "INSERT INTO api_tokens (name, role, jti, created_by, created_at, expires_at, "
	    "expires_unix) VALUES ('k', 'viewer', 'j1', 1, 't', 't', 9);"
	    "UPDATE settings SET input_default_action = 'accept';"
	    /* The newest host gone: its id is not handed out again. */
	    "DELETE FROM hosts WHERE id = 3");
	before = dump_all(f->db);

	migrate(f);
	assert_int_equal(db_schema_version(f->db), 22);
	after = dump_all(f->db);
	assert_string_equal(after, before);
	free(before);
	free(after);
	assert_int_equal(query_int(f->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE "
	    "'%\\_new' ESCAPE '\\'"), 0);

	/* No temporary table any more; each write goes in and is counted. */
	for (i = 0; i < sizeof(rebuilt) / sizeof(rebuilt[0]); i++) {
		assert_int_equal(ephemeral_tables(f->db, rebuilt[i].write), 0);
		exec(f->db, rebuilt[i].write);
	}
	assert_int_equal(query_int(f->db, "SELECT max(id) FROM hosts"), 4);
	assert_int_equal(query_int(f->db, "SELECT n FROM bookkeeping WHERE key = 'hosts'"), 3);
	assert_int_equal(query_int(f->db, "SELECT n FROM bookkeeping WHERE key = 'users'"), 2);

	/* The same values refused; references and ON DELETE CASCADE still hold. */
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "UPDATE hosts SET kind = 'server' "
	    "WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "UPDATE hosts SET kind = 'VM' "
	    "WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "UPDATE ports SET mode = NULL "
	    "WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "UPDATE dns_records SET type = 'a' "
	    "WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "UPDATE users SET role = 'root' "
	    "WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "UPDATE settings SET "
	    "input_default_action = 'allow'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "UPDATE firewall_rules SET "
	    "protocol = 'sctp' WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db_handle(f->db), "DELETE FROM hosts WHERE id = 2", NULL,
	    NULL, NULL), SQLITE_CONSTRAINT_FOREIGNKEY);
	assert_int_equal(sqlite3_exec(db_handle(f->db), "INSERT INTO ports (host_id, name, "
	    "created_at, updated_at) VALUES (99, 'x', 't', 't')", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT_FOREIGNKEY);
	exec(f->db, "DELETE FROM wan_links; DELETE FROM ports WHERE id = 2");
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM port_tagged_vlans"), 0);
}

/* A run with foreign keys off checks them all before its commit: a database holding a broken
 * reference is not migrated, and its foreign keys are on again. */
static void
test_migrate_checks_references(void **state)
{
	struct fixture *f = *state;

	open_db(f);
	migrate_before(f, "0022_checks_without_in_referenced.sql");
	exec(f->db, "PRAGMA foreign_keys=OFF;"
	    "INSERT INTO services (host_id, name, protocol, ports, created_at, updated_at) VALUES "
	    "(42, 'ssh', 'tcp', '22', 't', 't');"
	    "PRAGMA foreign_keys=ON");
	assert_int_equal(db_migrate(f->db, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "services"));
	assert_int_equal(db_schema_version(f->db), 21);
	assert_int_equal(query_int(f->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(sqlite3_get_autocommit(db_handle(f->db)), 1);
	assert_int_not_equal(ephemeral_tables(f->db, rebuilt[0].write), 0);
}

/* A run with foreign keys off that cannot start (another process holds the write lock) leaves
 * them on, as every other way out does. */
static void
test_migrate_locked_keeps_references(void **state)
{
	struct fixture *f = *state;
	sqlite3 *lock;

	open_db(f);
	migrate_before(f, "0022_checks_without_in_referenced.sql");
	assert_int_equal(sqlite3_open(f->path, &lock), SQLITE_OK);
	assert_int_equal(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_busy_timeout(db_handle(f->db), 0), SQLITE_OK);
	assert_int_equal(db_migrate(f->db, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "cannot start migration"));
	assert_int_equal(query_int(f->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(lock);
	assert_int_equal(db_schema_version(f->db), 21);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_sets_pragmas),
		T(test_foreign_keys_enforced),
		T(test_migrate_fresh),
		T(test_migrate_twice_is_noop),
		T(test_migrate_settings_row),
		T(test_migrate_settings_defaults),
		T(test_migrate_checks_without_in),
		T(test_migrate_referenced_checks),
		T(test_migrate_checks_references),
		T(test_migrate_locked_keeps_references),
		T(test_migrate_refuses_newer_schema),
		T(test_failed_migration_rolls_back),
		T(test_stmt_cache),
		T(test_stmt_cache_reused_buffer),
		T(test_indexes),
		T(test_transactions),
		T(test_write_transaction_takes_lock_up_front),
		T(test_db_fail_is_500),
		T(test_open_in_missing_directory),
		T(test_open_not_a_database),
		T(test_files_private),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
