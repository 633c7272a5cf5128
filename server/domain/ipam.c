#include "ipam.h"

#include <string.h>

#include "apierr.h"
#include "db.h"
#include "ipam_cache.h"

int
ipam_containing(struct db *db, const unsigned char first[IPADDR_KEYLEN],
    const unsigned char last[IPADDR_KEYLEN], int below_len, long long exclude, long long *id,
    struct api_err *err)
{
	/* CIDR blocks nest or are apart, so the most specific holder of [first, last] is the
	 * prefix starting last at or below first, or the first of its parents that holds the
	 * block: one index seek and a short walk up, not a scan of every prefix below first. */
	static const char start[] = "SELECT id, parent_id, last_key, prefix_len FROM prefixes "
	    "WHERE first_key <= ? AND prefix_len < ? AND id != ? "
	    "ORDER BY first_key DESC, prefix_len DESC LIMIT 1";
	static const char parent[] = "SELECT id, parent_id, last_key, prefix_len FROM prefixes "
	    "WHERE id = ?";
	sqlite3_stmt *st;
	long long at = 0;
	int rc, hops;

	if ((rc = ipam_cache_containing(first, last, below_len, exclude, id)) != -1)
		return rc;
	if ((st = db_stmt(db, start)) == NULL)
		return db_fail(db, err, "finding a prefix");
	sqlite3_bind_blob(st, 1, first, IPADDR_KEYLEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, below_len);
	sqlite3_bind_int64(st, 3, exclude);
	for (hops = 0; hops < IPAM_MAX_HOPS; hops++) {
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			sqlite3_reset(st);
			return rc == SQLITE_DONE ? 0 : db_fail(db, err, "finding a prefix");
		}
		if (sqlite3_column_int64(st, 0) != exclude &&
		    sqlite3_column_int(st, 3) < below_len &&
		    sqlite3_column_bytes(st, 2) == IPADDR_KEYLEN &&
		    memcmp(sqlite3_column_blob(st, 2), last, IPADDR_KEYLEN) >= 0) {
			*id = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
			return 1;
		}
		if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
			sqlite3_reset(st);
			return 0;
		}
		at = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
		if ((st = db_stmt(db, parent)) == NULL)
			return db_fail(db, err, "finding a prefix");
		sqlite3_bind_int64(st, 1, at);
	}
	sqlite3_reset(st);
	return api_err_set(err, 500, "the prefix tree has a loop at prefix %lld", at);
}

static int
ipam_exec(struct db *db, const char *sql, const unsigned char *first, const unsigned char *last,
    const char *what, struct api_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, what);
	sqlite3_bind_blob(st, 1, first, IPADDR_KEYLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, last, IPADDR_KEYLEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (sqlite3_extended_errcode(db_handle(db)) == SQLITE_CONSTRAINT_NOTNULL)
		return api_err_set(err, 409, "this would leave %s outside every prefix", what);
	return db_fail(db, err, what);
}

int
ipam_rederive(struct db *db, const unsigned char first[IPADDR_KEYLEN],
    const unsigned char last[IPADDR_KEYLEN], struct api_err *err)
{
	static const char parents[] = "UPDATE prefixes SET parent_id = (SELECT q.id FROM "
	    "prefixes q WHERE q.first_key <= prefixes.first_key AND q.last_key >= "
	    "prefixes.last_key AND q.prefix_len < prefixes.prefix_len ORDER BY q.prefix_len DESC "
	    "LIMIT 1) WHERE first_key >= ?1 AND last_key <= ?2";
	static const char addresses[] = "UPDATE ip_addresses SET prefix_id = (SELECT q.id FROM "
	    "prefixes q WHERE q.first_key <= ip_addresses.addr_key AND q.last_key >= "
	    "ip_addresses.addr_key ORDER BY q.prefix_len DESC LIMIT 1) "
	    "WHERE addr_key BETWEEN ?1 AND ?2";
	static const char ranges[] = "UPDATE ip_ranges SET prefix_id = (SELECT q.id FROM "
	    "prefixes q WHERE q.first_key <= ip_ranges.start_key AND q.last_key >= "
	    "ip_ranges.end_key ORDER BY q.prefix_len DESC LIMIT 1) "
	    "WHERE end_key >= ?1 AND start_key <= ?2";

	if (ipam_exec(db, parents, first, last, "prefixes", err) == -1 ||
	    ipam_exec(db, addresses, first, last, "IP addresses", err) == -1 ||
	    ipam_exec(db, ranges, first, last, "IP ranges", err) == -1)
		return -1;
	return 0;
}

static int
ipam_step(struct db *db, sqlite3_stmt *st, const char *what, struct api_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, what);
}

int
ipam_count_address(struct db *db, const unsigned char key[IPADDR_KEYLEN], long long prefix,
    int delta, struct api_err *err)
{
	/* Prefixes nest, so those holding the address are its own and that one's parents: one
	 * seek by id each. Ranges never overlap: the one holding it is the last starting at or
	 * below it, if it reaches that far. The parent is read apart from the update: RETURNING
	 * would build a temporary table on every run. */
	static const char parent[] = "SELECT parent_id FROM prefixes WHERE id = ?";
	static const char up[] = "UPDATE prefixes SET used = used + ?2 WHERE id = ?1";
	static const char range[] = "UPDATE ip_ranges SET used = used + ?2 WHERE end_key >= ?1 "
	    "AND start_key = (SELECT max(start_key) FROM ip_ranges WHERE start_key <= ?1)";
	sqlite3_stmt *st;
	long long at = prefix, next;
	int rc, hops;

	/* A nesting deeper than 129 prefixes cannot exist; the bound guards a broken chain. */
	for (hops = 0; at != 0; hops++) {
		if (hops == 130)
			return api_err_set(err, 500, "the prefix tree has a loop at prefix %lld", at);
		if ((st = db_stmt(db, parent)) == NULL)
			return db_fail(db, err, "counting addresses");
		sqlite3_bind_int64(st, 1, at);
		rc = sqlite3_step(st);
		next = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;  /* NULL reads as 0 */
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_fail(db, err, "counting addresses");
		if (rc == SQLITE_DONE && hops == 0)
			return api_err_set(err, 500, "an address names prefix %lld, which does not "
			    "exist", prefix);
		if (rc == SQLITE_DONE)
			break;
		if ((st = db_stmt(db, up)) == NULL)
			return db_fail(db, err, "counting addresses");
		sqlite3_bind_int64(st, 1, at);
		sqlite3_bind_int(st, 2, delta);
		if (ipam_step(db, st, "counting addresses", err) == -1)
			return -1;
		at = next;
	}
	if ((st = db_stmt(db, range)) == NULL)
		return db_fail(db, err, "counting addresses");
	sqlite3_bind_blob(st, 1, key, IPADDR_KEYLEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, delta);
	return ipam_step(db, st, "counting addresses", err);
}

int
ipam_recount(struct db *db, const char *res_table, long long id, struct api_err *err)
{
	static const char prefix[] = "UPDATE prefixes SET used = (SELECT count(*) FROM "
	    "ip_addresses a WHERE a.addr_key BETWEEN prefixes.first_key AND prefixes.last_key) "
	    "WHERE id = ?";
	static const char range[] = "UPDATE ip_ranges SET used = (SELECT count(*) FROM "
	    "ip_addresses a WHERE a.addr_key BETWEEN ip_ranges.start_key AND ip_ranges.end_key) "
	    "WHERE id = ?";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, strcmp(res_table, "prefixes") == 0 ? prefix : range)) == NULL)
		return db_fail(db, err, "counting addresses");
	sqlite3_bind_int64(st, 1, id);
	return ipam_step(db, st, "counting addresses", err);
}

int
ipam_recount_all(struct db *db, struct api_err *err)
{
	/* Each span counted once through the addr_key index: about the address count times the
	 * nesting depth, and only rows whose count changed are written. */
	static const char prefixes[] = "UPDATE prefixes SET used = c.n FROM (SELECT p.id, "
	    "(SELECT count(*) FROM ip_addresses a WHERE a.addr_key BETWEEN p.first_key AND "
	    "p.last_key) AS n FROM prefixes p) AS c WHERE c.id = prefixes.id AND "
	    "prefixes.used != c.n";
	static const char ranges[] = "UPDATE ip_ranges SET used = c.n FROM (SELECT r.id, "
	    "(SELECT count(*) FROM ip_addresses a WHERE a.addr_key BETWEEN r.start_key AND "
	    "r.end_key) AS n FROM ip_ranges r) AS c WHERE c.id = ip_ranges.id AND "
	    "ip_ranges.used != c.n";
	const char *const sql[] = { prefixes, ranges };
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if ((st = db_stmt(db, sql[i])) == NULL)
			return db_fail(db, err, "counting addresses");
		if (ipam_step(db, st, "counting addresses", err) == -1)
			return -1;
	}
	return 0;
}

/* Row id of the statement sql (one id parameter) as two address keys, or its integer second
 * column into *len when len is not NULL: 0, or -1 (404 naming what when there is none). */
static int
ipam_read_keys(struct db *db, const char *sql, long long id, const char *what,
    struct ipaddr *a, struct ipaddr *b, int *len, struct api_err *err)
{
	sqlite3_stmt *st;
	int rc, bad = 0;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading an object");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bad = ipaddr_from_key(sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), a) == -1;
		if (len != NULL)
			*len = sqlite3_column_int(st, 1);
		else
			bad |= ipaddr_from_key(sqlite3_column_blob(st, 1),
			    (size_t)sqlite3_column_bytes(st, 1), b) == -1;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return api_err_set(err, 404, "no %s with id %lld", what, id);
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "reading an object");
	return bad ? api_err_set(err, 500, "a stored %s key is damaged", what) : 0;
}

int
ipam_prefix_net(struct db *db, long long id, struct ipnet *n, struct api_err *err)
{
	static const char sql[] = "SELECT first_key, prefix_len FROM prefixes WHERE id = ?";

	return ipam_read_keys(db, sql, id, "prefix", &n->addr, NULL, &n->len, err);
}

int
ipam_range_ends(struct db *db, long long id, struct ipaddr *lo, struct ipaddr *hi,
    struct api_err *err)
{
	static const char sql[] = "SELECT start_key, end_key FROM ip_ranges WHERE id = ?";

	return ipam_read_keys(db, sql, id, "ip-range", lo, hi, NULL, err);
}

int
ipam_usable(const struct ipnet *n, struct ipaddr *lo, struct ipaddr *hi)
{
	ipnet_first(n, lo);
	ipnet_last(n, hi);
	if (n->addr.family == 4 && n->len < 31 &&
	    (ipaddr_next(lo, lo) == -1 || ipaddr_prev(hi, hi) == -1))
		return -1;
	/* IPv6 has no broadcast, but the first address is the Subnet-Router anycast address
	 * (RFC 4291 2.6.1) everywhere but on point-to-point /127s (RFC 6164). */
	if (n->addr.family == 6 && n->len < 127 && ipaddr_next(lo, lo) == -1)
		return -1;
	return ipaddr_cmp(lo, hi) <= 0 ? 0 : -1;
}

int
ipam_utilization(struct db *db, const char *sql_used, long long id,
    const struct ipaddr *lo, const struct ipaddr *hi, struct sbuf *out, struct api_err *err)
{
	uint64_t used = 0, total;
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql_used)) == NULL)
		return db_fail(db, err, "reading utilization");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		used = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "reading utilization");
	total = ipaddr_distance(lo, hi);
	total = total == UINT64_MAX ? total : total + 1;
	/* JSON integers are signed 64-bit for most readers: a huge IPv6 prefix shows the largest. */
	if (total > INT64_MAX)
		total = INT64_MAX;
	/* used counts every address inside, a hand-made network address too: at most 100%. */
	sbuf_printf(out, ",\"utilization\":{\"used\":%llu,\"total\":%llu,\"percent\":%.2f}",
	    (unsigned long long)used, (unsigned long long)total,
	    total ? (used >= total ? 100.0 : (double)used * 100.0 / (double)total) : 0.0);
	return 0;
}
