/* A plan import's creates of one kind into a table that was empty, written PLAN_BATCH_ROWS
 * rows to one INSERT. Each object is checked and prepared as a create through the API is
 * (resource_create_prepare) when it is staged; the rows are written in file order with the
 * ids SQLite would have given them one by one; then, in the same order, each row's lists,
 * after hook and audit row (resource_create_finish). */
#ifndef NETSOT_PLAN_BATCH_H
#define NETSOT_PLAN_BATCH_H

#include <jansson.h>
#include <stddef.h>

#include "apierr.h"
#include "db.h"
#include "plan_bulk.h"
#include "resource.h"

#define PLAN_BATCH_ROWS 64
/* plan_batch_flush: the INSERT failed and wrote nothing; the caller does the rows again the
 * ordinary way, which fails on the same object with the error it always gave. */
#define PLAN_BATCH_REDO 1

struct plan_batch_row {
	struct resource_staged s;
	const json_t *obj;        /* the caller's object (borrowed) and its place in the file */
	size_t idx;
	char label[160];          /* its natural key as people read it */
	long long id;
};

struct plan_batch;

/* bulk: the table's bulk load, whose set-aside trigger's work each INSERT does, or NULL. */
struct plan_batch *plan_batch_new(struct db *db, const struct resource *res,
    struct plan_bulk *bulk);
void plan_batch_free(struct plan_batch *b);
/* Stages one create; its id (known now, written at the flush) in *id. -1 when the object
 * fails its checks (nothing is staged). A full batch is not flushed here: the caller flushes. */
int plan_batch_add(struct plan_batch *b, const struct actor *a, const json_t *in,
    const json_t *obj, size_t idx, const char *label, long long *id, struct api_err *err);
size_t plan_batch_count(const struct plan_batch *b);
const struct resource *plan_batch_resource(const struct plan_batch *b);
const struct plan_batch_row *plan_batch_row(const struct plan_batch *b, size_t i);
/* Writes the staged rows and finishes each: 0; PLAN_BATCH_REDO; or -1 with err, *failed the
 * row whose finish failed (NULL when it was no one row's). The rows stay until clear. */
int plan_batch_flush(struct plan_batch *b, const struct plan_batch_row **failed,
    struct api_err *err);
void plan_batch_clear(struct plan_batch *b);

#endif
