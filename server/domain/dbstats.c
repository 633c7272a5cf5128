#include "dbstats.h"

#include <sqlite3.h>
#include <string.h>

#include "apierr.h"
#include "db.h"

/* One integer from a cached statement. */
static int
dbstats_int(struct db *db, const char *sql, long long *out, struct api_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading the database figures");
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, err, "reading the database figures");
}

int
dbstats_read(struct db *db, struct dbstats *out, struct api_err *err)
{
	long long pages, size;

	memset(out, 0, sizeof(*out));
	/* Every write is logged in changes (resource.c), so its latest id is the whole plan's
	 * revision: what render headers name when a render reads everything. */
	if (dbstats_int(db, "PRAGMA page_count", &pages, err) == -1 ||
	    dbstats_int(db, "PRAGMA page_size", &size, err) == -1 ||
	    dbstats_int(db, "SELECT coalesce(max(id), 0) FROM changes", &out->revision,
	    err) == -1)
		return -1;
	out->bytes = pages * size;
	return 0;
}
