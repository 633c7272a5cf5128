/* A plan import's bulk load of an empty table: its secondary indexes and its counting trigger
 * are set aside while the rows go in and made again, from the schema's own definitions, once
 * the kind is done. */
#ifndef NETSOT_PLAN_BULK_H
#define NETSOT_PLAN_BULK_H

#include "apierr.h"
#include "db.h"

struct plan_bulk;

/* Whether table holds no row: 1, 0, or -1 with err. */
int plan_bulk_empty(struct db *db, const char *table, struct api_err *err);
/* Inside the caller's write transaction, for a table that holds no row: drops its indexes
 * that are neither UNIQUE nor led by keep (the column the import looks objects up by),
 * remembering their SQL, and sets its counting trigger aside (server/store/dbtrigger.h).
 * *out is NULL when nothing was dropped. */
int plan_bulk_begin(struct db *db, const char *table, const char *keep, struct plan_bulk **out,
    struct api_err *err);
/* n rows went into the table by one INSERT: the set-aside trigger's work for them (the row
 * count and the table's revision), once. Nothing when the trigger is in place. */
int plan_bulk_inserted(struct db *db, struct plan_bulk *b, long long n, struct api_err *err);
/* Makes the trigger again before rows go in another way (they count themselves). */
int plan_bulk_trigger_back(struct db *db, struct plan_bulk *b, struct api_err *err);
/* Makes the trigger and the dropped indexes again (in the same transaction) and frees b; NULL
 * is a no-op. */
int plan_bulk_end(struct db *db, struct plan_bulk *b, struct api_err *err);
/* Frees b without creating anything: the caller rolls the transaction back. */
void plan_bulk_free(struct plan_bulk *b);

#endif
