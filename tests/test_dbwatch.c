/* Tests for db_watch (server/store/db.c): the tables a connection's statements read, seen by the
 * authorizer installed when it opened, whether a statement is prepared during the watch, taken
 * from the statement cache, prepared directly, or re-prepared by SQLite after a schema change. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

static void
exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_handle(db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

static int
setup(void **state)
{
	struct db *db;
	char err[256];

	if (db_open(":memory:", &db, err, sizeof(err)) == -1)
		return -1;
	exec(db, "CREATE TABLE wa (x INTEGER); CREATE TABLE wb (y INTEGER);"
	    "CREATE TABLE wc (z INTEGER); INSERT INTO wa VALUES (1); INSERT INTO wb VALUES (2);"
	    "INSERT INTO wc VALUES (3); CREATE VIEW wv AS SELECT x AS v FROM wa;");
	*state = db;
	return 0;
}

static int
teardown(void **state)
{
	db_close(*state);
	return 0;
}

/* Whether the set names table, by name (bits are per process, in the order first seen). */
static bool
has(uint64_t set, const char *table)
{
	const char *names[DB_TABLES_MAX];
	int i, n = db_table_names(set, names);

	for (i = 0; i < n; i++)
		if (strcmp(names[i], table) == 0)
			return true;
	return false;
}

static void
step_all(sqlite3_stmt *st)
{
	int rc;

	assert_non_null(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_reset(st);
}

/* A statement prepared outside any watch and handed out from the cache inside one brings its
 * tables, and only the statements of the watch count. */
static void
test_cached_statement(void **state)
{
	static const char q_a[] = "SELECT x FROM wa";
	static const char q_c[] = "SELECT count(*) FROM wc";
	char copy[64];
	struct db *db = *state;
	uint64_t set;

	step_all(db_stmt(db, q_a));
	step_all(db_stmt(db, q_c));
	db_watch(db);
	step_all(db_stmt(db, q_a));
	set = db_watched(db);
	assert_true(has(set, "wa"));
	assert_false(has(set, "wb"));
	assert_false(has(set, "wc"));

	/* The same text from another address finds the same statement, and its set. */
	snprintf(copy, sizeof(copy), "%s", q_c);
	db_watch(db);
	step_all(db_stmt(db, copy));
	set = db_watched(db);
	assert_true(has(set, "wc"));     /* no column read: still the table */
	assert_false(has(set, "wa"));

	/* Nothing is recorded outside a watch. */
	step_all(db_stmt(db, q_a));
	db_watch(db);
	assert_int_equal(db_watched(db), 0);
}

/* Statements compiled during the watch in any way: a cache miss, the ring of run-time queries,
 * sqlite3_prepare_v2 and sqlite3_exec, and a view's underlying table. */
static void
test_prepared_during_watch(void **state)
{
	struct db *db = *state;
	sqlite3_stmt *st;
	uint64_t set;

	db_watch(db);
	step_all(db_stmt(db, "SELECT y FROM wb WHERE y > 0"));
	set = db_watched(db);
	assert_true(has(set, "wb"));
	assert_false(has(set, "wa"));

	db_watch(db);
	step_all(db_stmt_text(db, "SELECT z FROM wc WHERE z > 1"));
	assert_true(has(db_watched(db), "wc"));
	db_watch(db);
	step_all(db_stmt_text(db, "SELECT z FROM wc WHERE z > 1"));   /* from the ring */
	assert_true(has(db_watched(db), "wc"));

	db_watch(db);
	assert_int_equal(sqlite3_prepare_v2(db_handle(db), "SELECT v FROM wv", -1, &st, NULL),
	    SQLITE_OK);
	step_all(st);
	sqlite3_finalize(st);
	exec(db, "SELECT y FROM wb");
	set = db_watched(db);
	assert_true(has(set, "wa"));
	assert_true(has(set, "wb"));

	/* Temp tables and SQLite's own are not plan tables. */
	exec(db, "CREATE TEMP TABLE wt (t INTEGER)");
	db_watch(db);
	step_all(db_stmt(db, "SELECT t FROM wt"));
	step_all(db_stmt(db, "SELECT name FROM sqlite_schema"));
	set = db_watched(db);
	assert_false(has(set, "wt"));
	assert_false(has(set, "sqlite_schema"));
	assert_int_equal(set & DB_TABLES_OTHER, 0);
}

/* SQLite re-prepares a cached statement after a schema change; the same text may then read
 * other tables (a view redefined). Re-prepared outside a watch: the next watch that takes it
 * from the cache sees the new tables. Re-prepared inside one: that watch sees them too. */
static void
test_reprepared(void **state)
{
	static const char q[] = "SELECT v FROM wv";
	struct db *db = *state;
	uint64_t set;

	step_all(db_stmt(db, q));
	db_watch(db);
	step_all(db_stmt(db, q));
	set = db_watched(db);
	assert_true(has(set, "wa"));
	assert_false(has(set, "wb"));

	/* Redefined, and the statement stepped (so re-prepared) outside any watch. */
	exec(db, "DROP VIEW wv; CREATE VIEW wv AS SELECT y AS v FROM wb");
	step_all(db_stmt(db, q));
	db_watch(db);
	assert_non_null(db_stmt(db, q));   /* handed out, not even stepped */
	set = db_watched(db);
	assert_true(has(set, "wb"));
	assert_false(has(set, "wa"));

	/* Redefined again, and re-prepared inside the watch, by the step. */
	exec(db, "DROP VIEW wv; CREATE VIEW wv AS SELECT z AS v FROM wc");
	db_watch(db);
	step_all(db_stmt(db, q));
	set = db_watched(db);
	assert_true(has(set, "wc"));

	/* And the cache's set follows: a later watch that only takes it sees wc, not wb. */
	db_watch(db);
	assert_non_null(db_stmt(db, q));
	set = db_watched(db);
	assert_true(has(set, "wc"));
	assert_false(has(set, "wb"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cached_statement),
		T(test_prepared_during_watch),
		T(test_reprepared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
