/* freemap: which addresses are used, as maximal runs of consecutive used addresses, so that the
 * lowest free address of any interval is found with one or two index lookups however large the
 * interval and however many addresses in it are used.
 *
 * Invariants of used_runs: every used address lies in exactly one run; runs never overlap and
 * are never adjacent (a run ending at x and one starting at x + 1 are merged); both keys of a run
 * are of the same family. Because runs are disjoint, ordering by start_key also orders by end_key,
 * so the primary key is the only index needed.
 *
 * Every function runs inside the caller's transaction and returns -1 with err filled (500 for a
 * misuse or an inconsistent table, 500/503 for SQLite errors via db_fail). */
#ifndef NETSOT_FREEMAP_H
#define NETSOT_FREEMAP_H

#include <stddef.h>
#include <stdint.h>

#include "ipaddr.h"

struct api_err;
struct db;

/* Keys are ipaddr_to_key() values: BLOB comparison is memcmp, which is address order. */
#define FREEMAP_SCHEMA_SQL \
	"CREATE TABLE used_runs (\n" \
	"  start_key BLOB PRIMARY KEY,\n" \
	"  end_key BLOB NOT NULL,\n" \
	"  CHECK (typeof(start_key) = 'blob' AND length(start_key) = 17),\n" \
	"  CHECK (typeof(end_key) = 'blob' AND length(end_key) = 17),\n" \
	"  CHECK (end_key >= start_key AND substr(end_key, 1, 1) = substr(start_key, 1, 1))\n" \
	") WITHOUT ROWID;\n"

/* Marks a free address used, merging it with the runs on either side. -1 (500) if it is already
 * used: callers guarantee uniqueness first (a UNIQUE index), so this means the map is stale. */
int freemap_use(struct db *db, const struct ipaddr *a, struct api_err *err);
/* Marks a used address free, shortening or splitting its run. -1 (500) if it was not used. */
int freemap_release(struct db *db, const struct ipaddr *a, struct api_err *err);
/* The lowest free address in [lo, hi] (same family, lo <= hi): 1 with *out set, 0 when every
 * address of the interval is used, -1 on error. At most two indexed lookups. */
int freemap_lowest(struct db *db, const struct ipaddr *lo, const struct ipaddr *hi,
    struct ipaddr *out, struct api_err *err);
/* Up to max free addresses of [lo, hi], lowest first, into out[]; *n gets how many. The cost is
 * proportional to max (each run visited is followed by a free address), not to the interval. */
int freemap_list(struct db *db, const struct ipaddr *lo, const struct ipaddr *hi, size_t max,
    struct ipaddr *out, size_t *n, struct api_err *err);
/* The number of used addresses in [lo, hi], saturating at UINT64_MAX. The cost is proportional
 * to the number of runs overlapping the interval. */
int freemap_count(struct db *db, const struct ipaddr *lo, const struct ipaddr *hi,
    uint64_t *count, struct api_err *err);
/* Empties used_runs and refills it from a query whose first column is the 17-byte key of every
 * used address in strictly ascending order, e.g.
 * "SELECT addr_key FROM ip_addresses ORDER BY addr_key". For repair and consistency checks. */
int freemap_rebuild(struct db *db, const char *sql_keys_ascending, struct api_err *err);

#endif
