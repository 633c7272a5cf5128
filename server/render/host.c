#include "render/host.h"

#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "db.h"

bool
render_host_ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < RENDER_IFNAME_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n && strcmp(s, ".") != 0 &&
	    strcmp(s, "..") != 0;
}

int
render_host_is_router(struct db *db, long long host_id, bool *router, struct api_err *err)
{
	static const char sql[] = "SELECT kind = 'router' FROM hosts WHERE id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading a host");
	sqlite3_bind_int64(st, 1, host_id);
	rc = sqlite3_step(st);
	*router = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading a host");
}

int
render_host_primary(struct db *db, long long host_id, char *buf, size_t len,
    struct api_err *err)
{
	static const char sql[] = "SELECT address FROM ip_addresses WHERE host_id = ? "
	    "ORDER BY dns_name = '', addr_key LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading addresses");
	sqlite3_bind_int64(st, 1, host_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading addresses");
}
