#include "plan_bulk.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "dbtrigger.h"
#include "vec.h"
#include "xmalloc.h"

/* A sorted build of an index at the end costs a fraction of one insertion per row into it,
 * and each INSERT of a long transaction copies every page it touches into its statement
 * journal first: fewer indexes, fewer pages. The definitions are read from sqlite_master, so
 * the migrations stay the one place that says what the indexes are; the whole import is one
 * transaction, so a failure or a crash leaves them as they were. */
struct plan_bulk_index {
	char *name;
	char *sql;    /* its CREATE INDEX statement, as the schema holds it */
};

struct plan_bulk {
	struct plan_bulk_index *ix;
	size_t n, cap;
	/* The table's counting trigger (migration 0020's form) while it is set aside: each
	 * INSERT of the bulk load does its work once (plan_bulk_inserted). */
	char *table;
	char *trigger;
};

/* Migration 0020's trigger, whose work plan_bulk_inserted does for a whole INSERT. */
static const char plan_bulk_trigger_fmt[] = "CREATE TRIGGER %s_ins AFTER INSERT ON %s BEGIN "
    "UPDATE bookkeeping SET n = n + 1, rev = rev + 1 WHERE key = '%s'; END";
static const char plan_bulk_count_sql[] = "UPDATE bookkeeping SET n = n + ?1, rev = rev + ?1 "
    "WHERE key = ?2";

void
plan_bulk_free(struct plan_bulk *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->ix[i].name);
		free(b->ix[i].sql);
	}
	free(b->ix);
	free(b->table);
	free(b->trigger);
	free(b);
}

int
plan_bulk_empty(struct db *db, const char *table, struct api_err *err)
{
	char *sql = sqlite3_mprintf("SELECT 1 FROM \"%w\" LIMIT 1", table);
	sqlite3_stmt *st;
	int rc = -1;

	if (sql != NULL && (st = db_stmt_text(db, sql)) != NULL) {
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? 1 : rc == SQLITE_ROW ? 0 : -1;
		sqlite3_reset(st);
	}
	sqlite3_free(sql);
	return rc == -1 ? db_fail(db, err, "reading a table") : rc;
}

int
plan_bulk_begin(struct db *db, const char *table, const char *keep, struct plan_bulk **out,
    struct api_err *err)
{
	/* Indexes that enforce nothing (not UNIQUE) and that the import's own lookups by natural
	 * key do not need (not led by that key's column). */
	static const char sql[] = "SELECT m.name, m.sql FROM sqlite_master m "
	    "JOIN pragma_index_list(?1) l ON l.name = m.name "
	    "WHERE m.type = 'index' AND m.sql IS NOT NULL AND l.\"unique\" = 0 "
	    "AND coalesce((SELECT i.name FROM pragma_index_info(m.name) i WHERE i.seqno = 0), "
	    "'') != ?2";
	struct plan_bulk *b = NULL;
	sqlite3_stmt *st;
	char *drop, *want, name[128];
	size_t i;
	int rc;

	*out = NULL;
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading the indexes");
	b = xcalloc(1, sizeof(*b));
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, keep, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		b->ix = vec_grow(b->ix, &b->cap, b->n + 1, sizeof(*b->ix));
		b->ix[b->n].name = xstrdup((const char *)sqlite3_column_text(st, 0));
		b->ix[b->n++].sql = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		plan_bulk_free(b);
		return db_fail(db, err, "reading the indexes");
	}
	/* Dropped once the statement that read them is reset. */
	for (i = 0; i < b->n; i++) {
		drop = sqlite3_mprintf("DROP INDEX \"%w\"", b->ix[i].name);
		rc = drop != NULL ? sqlite3_exec(db_handle(db), drop, NULL, NULL, NULL) : SQLITE_NOMEM;
		sqlite3_free(drop);
		if (rc != SQLITE_OK) {
			plan_bulk_free(b);
			return db_fail(db, err, "setting an index aside");
		}
	}
	b->table = xstrdup(table);
	want = xasprintf(plan_bulk_trigger_fmt, table, table, table);
	sqlite3_snprintf(sizeof(name), name, "%s_ins", table);
	rc = dbtrigger_aside(db, name, want, &b->trigger, err);
	free(want);
	if (rc == -1) {
		plan_bulk_free(b);
		return -1;
	}
	if (b->n == 0 && b->trigger == NULL)
		plan_bulk_free(b);
	else
		*out = b;
	return 0;
}

int
plan_bulk_inserted(struct db *db, struct plan_bulk *b, long long n, struct api_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (b == NULL || b->trigger == NULL || n == 0)
		return 0;
	if ((st = db_stmt(db, plan_bulk_count_sql)) == NULL)
		return db_fail(db, err, "counting rows");
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_text(st, 2, b->table, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "counting rows");
}

int
plan_bulk_trigger_back(struct db *db, struct plan_bulk *b, struct api_err *err)
{
	return b == NULL ? 0 : dbtrigger_restore(db, &b->trigger, err);
}

int
plan_bulk_end(struct db *db, struct plan_bulk *b, struct api_err *err)
{
	size_t i;
	int rc = plan_bulk_trigger_back(db, b, err);

	for (i = 0; b != NULL && i < b->n && rc == 0; i++)
		if (sqlite3_exec(db_handle(db), b->ix[i].sql, NULL, NULL, NULL) != SQLITE_OK)
			rc = db_fail(db, err, "building an index again");
	plan_bulk_free(b);
	return rc;
}
