#include "plan_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "sbuf.h"
#include "xmalloc.h"

/* Every INSERT statement pays for itself, whatever its rows: a statement journal that copies
 * each page it touches (the table, each index, the bookkeeping row its trigger moves), and the
 * temporary index SQLite 3.40 builds for each CHECK (x IN (...)) of more than two values. One
 * statement of 64 rows pays that once (bench: 134k instructions a row alone, 50k in 64). */
struct plan_batch {
	struct db *db;
	const struct resource *res;
	struct plan_bulk *bulk;   /* the table's bulk load (its trigger's work), or NULL */
	char *head;               /* INSERT INTO t (id, <the API's columns>) VALUES */
	char *tuple;              /* (?, ?, ...): one row's parameters, its id first */
	int per_row;              /* parameters in tuple */
	char *next_sql;           /* the id SQLite would give the next row */
	char *read_sql;           /* the rows of an id range, as the API shows them */
	sqlite3_stmt *full;       /* head and PLAN_BATCH_ROWS tuples, prepared on first use */
	long long next_id;        /* 0: to be read before the next row is staged */
	size_t n;
	struct plan_batch_row rows[PLAN_BATCH_ROWS];
};

struct plan_batch *
plan_batch_new(struct db *db, const struct resource *res, struct plan_bulk *bulk)
{
	const char *ins = resource_insert_sql(res), *open = strchr(ins, '('),
	    *values = strstr(ins, " VALUES (");
	struct plan_batch *b = xcalloc(1, sizeof(*b));
	const char *p;

	b->db = db;
	b->res = res;
	b->bulk = bulk;
	/* The API's own INSERT with the id in front: "INSERT INTO t (a, b) VALUES (?, ?)"
	 * becomes "INSERT INTO t (id, a, b) VALUES" and "(?, ?, ?)". */
	if (open == NULL || values == NULL ||
	    asprintf(&b->head, "%.*sid, %.*s VALUES ", (int)(open - ins + 1), ins,
	    (int)(values - open - 1), open + 1) < 0 ||
	    asprintf(&b->tuple, "(?, %s", values + strlen(" VALUES (")) < 0)
		abort();
	b->per_row = 0;
	for (p = b->tuple; *p != '\0'; p++)
		b->per_row += *p == '?';
	/* AUTOINCREMENT gives the larger of the highest id ever used and the highest now, plus
	 * one; the batch gives the same ids, in the same order, explicitly. */
	b->next_sql = sqlite3_mprintf("SELECT max(coalesce((SELECT seq FROM sqlite_sequence "
	    "WHERE name = %Q), 0), coalesce((SELECT max(id) FROM \"%w\"), 0)) + 1", res->table,
	    res->table);
	if (b->next_sql == NULL || asprintf(&b->read_sql, "SELECT %s FROM \"%s\" WHERE id "
	    "BETWEEN ? AND ? ORDER BY id", resource_columns(res), res->table) < 0)
		abort();
	return b;
}

void
plan_batch_clear(struct plan_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		resource_staged_free(&b->rows[i].s);
	b->n = 0;
	b->next_id = 0;
}

void
plan_batch_free(struct plan_batch *b)
{
	if (b == NULL)
		return;
	plan_batch_clear(b);
	sqlite3_finalize(b->full);
	sqlite3_free(b->next_sql);
	free(b->read_sql);
	free(b->head);
	free(b->tuple);
	free(b);
}

size_t
plan_batch_count(const struct plan_batch *b)
{
	return b->n;
}

const struct resource *
plan_batch_resource(const struct plan_batch *b)
{
	return b->res;
}

const struct plan_batch_row *
plan_batch_row(const struct plan_batch *b, size_t i)
{
	return &b->rows[i];
}

static int
plan_batch_next_id(struct plan_batch *b, struct api_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt_text(b->db, b->next_sql)) == NULL)
		return db_fail(b->db, err, "reading the next id");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		b->next_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(b->db, err, "reading the next id");
}

int
plan_batch_add(struct plan_batch *b, const struct actor *a, const json_t *in,
    const json_t *obj, size_t idx, const char *label, long long *id, struct api_err *err)
{
	struct plan_batch_row *row;

	if (b->n == PLAN_BATCH_ROWS)
		return api_err_set(err, 500, "a full batch was not written");
	if (b->next_id == 0 && plan_batch_next_id(b, err) == -1)
		return -1;
	row = &b->rows[b->n];
	if (resource_create_prepare(a, b->db, b->res, in, NULL, &row->s, err) == -1) {
		resource_staged_free(&row->s);
		return -1;
	}
	row->obj = obj;
	row->idx = idx;
	plan_copy(row->label, sizeof(row->label), label);
	row->id = *id = b->next_id++;
	b->n++;
	return 0;
}

/* The INSERT of the staged rows: the cached one for a full batch, else one of its own. */
static sqlite3_stmt *
plan_batch_stmt(struct plan_batch *b, bool *own)
{
	sqlite3_stmt *st = NULL;
	struct sbuf sql;
	size_t i;

	*own = b->n != PLAN_BATCH_ROWS;
	if (!*own && b->full != NULL)
		return b->full;
	sbuf_init(&sql, 0);
	sbuf_puts(&sql, b->head);
	for (i = 0; i < b->n; i++) {
		if (i > 0)
			sbuf_puts(&sql, ", ");
		sbuf_puts(&sql, b->tuple);
	}
	if (!sbuf_failed(&sql) && sqlite3_prepare_v3(db_handle(b->db), sbuf_str(&sql), -1,
	    *own ? 0 : SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		st = NULL;
	sbuf_free(&sql);
	if (!*own)
		b->full = st;
	return st;
}

/* The written rows as the API shows them, read in one statement instead of one each: their
 * ids are consecutive and above every other row's. */
static int
plan_batch_read(struct plan_batch *b, struct sbuf *texts, struct api_err *err)
{
	sqlite3_stmt *st;
	size_t i = 0;
	int rc;

	if ((st = db_stmt(b->db, b->read_sql)) == NULL)
		return db_fail(b->db, err, "reading objects");
	sqlite3_bind_int64(st, 1, b->rows[0].id);
	sqlite3_bind_int64(st, 2, b->rows[b->n - 1].id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (i == b->n || sqlite3_column_int64(st, 0) != b->rows[i].id) {
			rc = SQLITE_MISMATCH;
			break;
		}
		if (resource_row_text(b->res, b->db, st, true, &texts[i++], err) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE && i == b->n)
		return 0;
	if (rc == SQLITE_DONE || rc == SQLITE_MISMATCH)
		return api_err_set(err, 500, "the written rows do not read back");
	return db_fail(b->db, err, "reading objects");
}

int
plan_batch_flush(struct plan_batch *b, const struct plan_batch_row **failed,
    struct api_err *err)
{
	struct sbuf texts[PLAN_BATCH_ROWS];
	sqlite3_stmt *st;
	bool own;
	size_t i;
	int rc, k;

	*failed = NULL;
	if (b->n == 0)
		return 0;
	if ((st = plan_batch_stmt(b, &own)) == NULL)
		return db_fail(b->db, err, "writing objects");
	for (i = 0; i < b->n; i++)
		sbuf_init(&texts[i], 0);
	for (i = 0; i < b->n; i++) {
		k = (int)i * b->per_row + 1;
		sqlite3_bind_int64(st, k, b->rows[i].id);
		if (resource_create_bind(&b->rows[i].s, st, k + 1) != k + b->per_row) {
			rc = api_err_set(err, 500, "a batch's columns are not the API's");
			goto out;
		}
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		/* A statement that fails is undone whole; a transaction that went with it is
		 * an error of the import. */
		rc = sqlite3_get_autocommit(db_handle(b->db)) ? db_fail(b->db, err,
		    "writing objects") : PLAN_BATCH_REDO;
		goto out;
	}
	sqlite3_clear_bindings(st);
	if (own)
		sqlite3_finalize(st);
	st = NULL;
	if ((rc = plan_bulk_inserted(b->db, b->bulk, (long long)b->n, err)) == -1)
		goto out;
	/* Read before the after hooks: the batched kinds' hooks leave their own rows alone. */
	if ((rc = plan_batch_read(b, texts, err)) == -1)
		goto out;
	for (i = 0; i < b->n && rc == 0; i++)
		if (resource_create_finish(&b->rows[i].s, b->rows[i].id, &texts[i], NULL, NULL,
		    err) == -1) {
			*failed = &b->rows[i];
			rc = -1;
		}
out:
	if (st != NULL) {
		sqlite3_clear_bindings(st);
		if (own)
			sqlite3_finalize(st);
	}
	for (i = 0; i < b->n; i++)
		sbuf_free(&texts[i]);
	return rc;
}
