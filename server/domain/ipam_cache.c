#include "ipam_cache.h"

#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "ipam.h"
#include "vec.h"
#include "xmalloc.h"

struct ipam_cache_row {
	unsigned char first[IPADDR_KEYLEN], last[IPADDR_KEYLEN];
	int len;
	long long id, parent;   /* parent 0: NULL */
};

struct ipam_cache {
	struct ipam_cache_row *byfirst;   /* ORDER BY first_key, prefix_len, id */
	struct ipam_cache_row *byid;      /* ORDER BY id */
	size_t n;
};

static _Thread_local struct ipam_cache *ipam_cached;

static void
ipam_cache_free(struct ipam_cache *c)
{
	if (c == NULL)
		return;
	free(c->byfirst);
	free(c->byid);
	free(c);
}

/* The rows in one order; false when a key is not IPADDR_KEYLEN bytes (not cached then: the
 * database compares such blobs its own way). */
static int
ipam_cache_read(struct db *db, const char *sql, struct ipam_cache_row **rows, size_t *n,
    struct api_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	struct ipam_cache_row *r;
	int rc;

	*n = 0;
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading the prefixes");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != IPADDR_KEYLEN ||
		    sqlite3_column_bytes(st, 2) != IPADDR_KEYLEN ||
		    sqlite3_column_type(st, 3) != SQLITE_INTEGER) {
			rc = SQLITE_MISMATCH;
			break;
		}
		*rows = vec_grow(*rows, &cap, *n + 1, sizeof(**rows));
		r = &(*rows)[(*n)++];
		r->id = sqlite3_column_int64(st, 0);
		memcpy(r->first, sqlite3_column_blob(st, 1), IPADDR_KEYLEN);
		memcpy(r->last, sqlite3_column_blob(st, 2), IPADDR_KEYLEN);
		r->len = sqlite3_column_int(st, 3);
		r->parent = sqlite3_column_type(st, 4) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_MISMATCH)
		return 0;
	return rc == SQLITE_DONE ? 1 : db_fail(db, err, "reading the prefixes");
}

/* The order of ipam_containing's index: first_key (keys of one length compare as memcmp does
 * in SQLite), then prefix_len, then id. */
static int
ipam_cache_cmp_first(const void *a, const void *b)
{
	const struct ipam_cache_row *x = a, *y = b;
	int c = memcmp(x->first, y->first, IPADDR_KEYLEN);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int
ipam_cache_begin(struct db *db, struct api_err *err)
{
	static const char byid[] = "SELECT id, first_key, last_key, prefix_len, parent_id "
	    "FROM prefixes ORDER BY id";
	struct ipam_cache *c = xcalloc(1, sizeof(*c));
	int rc;

	ipam_cache_end();
	/* Read once, in id order (the parents' binary search; ids are unique), and sorted again
	 * in the index's order; 0 rows need no cache. */
	if ((rc = ipam_cache_read(db, byid, &c->byid, &c->n, err)) == 1 && c->n > 0) {
		c->byfirst = xmalloc(c->n * sizeof(*c->byfirst));
		memcpy(c->byfirst, c->byid, c->n * sizeof(*c->byfirst));
		qsort(c->byfirst, c->n, sizeof(*c->byfirst), ipam_cache_cmp_first);
		ipam_cached = c;
		return 0;
	}
	ipam_cache_free(c);
	return rc == -1 ? -1 : 0;
}

void
ipam_cache_end(void)
{
	ipam_cache_free(ipam_cached);
	ipam_cached = NULL;
}

static const struct ipam_cache_row *
ipam_cache_byid(const struct ipam_cache *c, long long id)
{
	size_t lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->byid[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->byid[lo].id == id ? &c->byid[lo] : NULL;
}

int
ipam_cache_containing(const unsigned char first[IPADDR_KEYLEN],
    const unsigned char last[IPADDR_KEYLEN], int below_len, long long exclude, long long *id)
{
	const struct ipam_cache *c = ipam_cached;
	const struct ipam_cache_row *r = NULL;
	size_t lo = 0, hi, mid;
	int hops;

	if (c == NULL)
		return -1;
	/* ipam_containing's first query: the last row, in (first_key, prefix_len, id) order,
	 * with first_key <= first, prefix_len < below_len and id != exclude (the index scanned
	 * backwards gives the highest id of equal keys first). */
	hi = c->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(c->byfirst[mid].first, first, IPADDR_KEYLEN) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0 && r == NULL) {
		r = &c->byfirst[--lo];
		if (r->len >= below_len || r->id == exclude)
			r = NULL;
	}
	if (r == NULL)
		return 0;
	/* Then its walk up the parents, as ipam_containing walks it. */
	for (hops = 0; hops < IPAM_MAX_HOPS; hops++) {
		if (r->id != exclude && r->len < below_len &&
		    memcmp(r->last, last, IPADDR_KEYLEN) >= 0) {
			*id = r->id;
			return 1;
		}
		if (r->parent == 0)
			return 0;
		if ((r = ipam_cache_byid(c, r->parent)) == NULL)
			return -1;
	}
	return -1;
}
