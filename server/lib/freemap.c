#include "freemap.h"

#include <sqlite3.h>
#include <stdbool.h>

#include "apierr.h"
#include "db.h"

/* Each statement is its own array: db_stmt caches by the SQL pointer. */
static const char sql_containing[] = "SELECT start_key, end_key FROM used_runs "
    "WHERE start_key <= ?1 ORDER BY start_key DESC LIMIT 1";
static const char sql_starting_at[] = "SELECT start_key, end_key FROM used_runs "
    "WHERE start_key = ?1";
static const char sql_range[] = "SELECT start_key, end_key FROM used_runs "
    "WHERE start_key >= ?1 AND start_key <= ?2 ORDER BY start_key";
static const char sql_insert[] = "INSERT INTO used_runs (start_key, end_key) VALUES (?1, ?2)";
static const char sql_set_end[] = "UPDATE used_runs SET end_key = ?2 WHERE start_key = ?1";
static const char sql_set_start[] = "UPDATE used_runs SET start_key = ?2 WHERE start_key = ?1";
static const char sql_delete[] = "DELETE FROM used_runs WHERE start_key = ?1";
static const char sql_clear[] = "DELETE FROM used_runs";

struct fm_key {
	unsigned char b[IPADDR_KEYLEN];
};

static struct fm_key
fm_key(const struct ipaddr *a)
{
	struct fm_key k;

	ipaddr_to_key(a, k.b);
	return k;
}

/* Values outside the family range would make keys that sort among the wrong addresses. */
static bool
fm_addr_valid(const struct ipaddr *a)
{
	return a->family == 6 || (a->family == 4 && a->hi == 0 && a->lo <= UINT32_MAX);
}

static int
fm_check_addr(const struct ipaddr *a, struct api_err *err)
{
	if (!fm_addr_valid(a))
		return api_err_set(err, 500, "free-address map: invalid address");
	return 0;
}

static int
fm_check_interval(const struct ipaddr *lo, const struct ipaddr *hi, struct api_err *err)
{
	if (!fm_addr_valid(lo) || !fm_addr_valid(hi) || lo->family != hi->family ||
	    ipaddr_cmp(lo, hi) > 0)
		return api_err_set(err, 500, "free-address map: invalid interval");
	return 0;
}

static int
fm_corrupt(struct api_err *err)
{
	return api_err_set(err, 500, "the free-address map is inconsistent and needs a rebuild");
}

static void
fm_bind(sqlite3_stmt *st, int i, const struct fm_key *k)
{
	/* Static: every key outlives the steps of the statement it is bound to. */
	sqlite3_bind_blob(st, i, k->b, IPADDR_KEYLEN, SQLITE_STATIC);
}

/* Steps st once: 1 with the run in *s, *e; 0 at the end; -1 on error. Does not reset. */
static int
fm_row(struct db *db, sqlite3_stmt *st, struct ipaddr *s, struct ipaddr *e, struct api_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "reading the free-address map");
	if (ipaddr_from_key(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
	    s) == -1 || ipaddr_from_key(sqlite3_column_blob(st, 1),
	    (size_t)sqlite3_column_bytes(st, 1), e) == -1 || s->family != e->family ||
	    ipaddr_cmp(s, e) > 0)
		return fm_corrupt(err);
	return 1;
}

/* A one-row query on key k: 1 with the run, 0 for none, -1 on error. */
static int
fm_lookup(struct db *db, const char *sql, const struct fm_key *k, struct ipaddr *s,
    struct ipaddr *e, struct api_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading the free-address map");
	fm_bind(st, 1, k);
	rc = fm_row(db, st, s, e, err);
	sqlite3_reset(st);
	return rc;
}

/* The run that holds a: 1 with it, 0 if a is free, -1 on error. */
static int
fm_find(struct db *db, const struct ipaddr *a, struct ipaddr *s, struct ipaddr *e,
    struct api_err *err)
{
	struct fm_key k = fm_key(a);
	int rc;

	if ((rc = fm_lookup(db, sql_containing, &k, s, e, err)) != 1)
		return rc;
	/* A run of the other family sorts wholly before a, so this test covers it too. */
	return ipaddr_cmp(e, a) >= 0;
}

/* A write of one row keyed by k1 (k2 optional); a write that misses its row means the map is not
 * what the caller's reads said, which only a corrupt table explains. */
static int
fm_write(struct db *db, const char *sql, const struct fm_key *k1, const struct fm_key *k2,
    struct api_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "updating the free-address map");
	fm_bind(st, 1, k1);
	if (k2 != NULL)
		fm_bind(st, 2, k2);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		db_fail(db, err, "updating the free-address map");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	if (sqlite3_changes(db_handle(db)) != 1)
		return fm_corrupt(err);
	return 0;
}

/* Size of [s, e], saturating. */
static uint64_t
fm_span(const struct ipaddr *s, const struct ipaddr *e)
{
	uint64_t d = ipaddr_distance(s, e);

	return d == UINT64_MAX ? d : d + 1;
}

int
freemap_use(struct db *db, const struct ipaddr *a, struct api_err *err)
{
	struct ipaddr ls, le, rs, re, prev, next;
	struct fm_key ka, kl, kr, ke;
	bool left = false, right = false, has_next;
	int rc;

	if (fm_check_addr(a, err) == -1)
		return -1;
	ka = fm_key(a);
	if ((rc = fm_lookup(db, sql_containing, &ka, &ls, &le, err)) == -1)
		return -1;
	if (rc == 1 && ipaddr_cmp(&le, a) >= 0)
		return api_err_set(err, 500, "free-address map: the address is already used");
	/* The run just below a ends at a - 1; none exists below the family's first address. */
	if (rc == 1 && ipaddr_prev(a, &prev) == 0 && ipaddr_cmp(&le, &prev) == 0)
		left = true;
	/* Past the family's last address there is no right neighbour. */
	has_next = ipaddr_next(a, &next) == 0;
	if (has_next) {
		kr = fm_key(&next);
		if ((rc = fm_lookup(db, sql_starting_at, &kr, &rs, &re, err)) == -1)
			return -1;
		right = rc == 1;
	}
	if (left && right) {
		kl = fm_key(&ls);
		ke = fm_key(&re);
		if (fm_write(db, sql_delete, &kr, NULL, err) == -1)
			return -1;
		return fm_write(db, sql_set_end, &kl, &ke, err);
	}
	if (left) {
		kl = fm_key(&ls);
		return fm_write(db, sql_set_end, &kl, &ka, err);
	}
	if (right)
		return fm_write(db, sql_set_start, &kr, &ka, err);
	if (fm_write(db, sql_insert, &ka, &ka, err) == -1)
		return -1;
	return 0;
}

int
freemap_release(struct db *db, const struct ipaddr *a, struct api_err *err)
{
	struct ipaddr s, e, prev, next;
	struct fm_key ks, ke, kp, kn;
	bool at_start, at_end;
	int rc;

	if (fm_check_addr(a, err) == -1)
		return -1;
	if ((rc = fm_find(db, a, &s, &e, err)) == -1)
		return -1;
	if (rc == 0)
		return api_err_set(err, 500, "free-address map: the address is not used");
	ks = fm_key(&s);
	at_start = ipaddr_cmp(&s, a) == 0;
	at_end = ipaddr_cmp(&e, a) == 0;
	if (at_start && at_end)
		return fm_write(db, sql_delete, &ks, NULL, err);
	/* a < e, so a + 1 exists; a > s, so a - 1 exists. */
	if (!at_end && ipaddr_next(a, &next) == -1)
		return fm_corrupt(err);
	if (!at_start && ipaddr_prev(a, &prev) == -1)
		return fm_corrupt(err);
	if (at_start) {
		kn = fm_key(&next);
		return fm_write(db, sql_set_start, &ks, &kn, err);
	}
	kp = fm_key(&prev);
	if (fm_write(db, sql_set_end, &ks, &kp, err) == -1)
		return -1;
	if (at_end)
		return 0;
	kn = fm_key(&next);
	ke = fm_key(&e);
	return fm_write(db, sql_insert, &kn, &ke, err);
}

int
freemap_lowest(struct db *db, const struct ipaddr *lo, const struct ipaddr *hi,
    struct ipaddr *out, struct api_err *err)
{
	struct ipaddr s, e, c;
	struct fm_key kc;
	int rc;

	if (fm_check_interval(lo, hi, err) == -1)
		return -1;
	if ((rc = fm_find(db, lo, &s, &e, err)) == -1)
		return -1;
	if (rc == 0) {
		*out = *lo;
		return 1;
	}
	/* The run holding lo ends at the family's last address: nothing above is free. */
	if (ipaddr_next(&e, &c) == -1 || ipaddr_cmp(&c, hi) > 0)
		return 0;
	/* Runs are never adjacent, so c is free; the second lookup proves it, so that a damaged
	 * map fails loudly instead of handing out a used address. */
	kc = fm_key(&c);
	if ((rc = fm_lookup(db, sql_starting_at, &kc, &s, &e, err)) == -1)
		return -1;
	if (rc == 1)
		return fm_corrupt(err);
	*out = c;
	return 1;
}

int
freemap_list(struct db *db, const struct ipaddr *lo, const struct ipaddr *hi, size_t max,
    struct ipaddr *out, size_t *n, struct api_err *err)
{
	sqlite3_stmt *st = NULL;
	struct ipaddr s, e, c;
	struct fm_key kc, khi;
	bool more = true;
	int rc, ret = -1;

	*n = 0;
	if (fm_check_interval(lo, hi, err) == -1)
		return -1;
	if (max == 0)
		return 0;
	c = *lo;
	if ((rc = fm_find(db, lo, &s, &e, err)) == -1)
		return -1;
	if (rc == 1 && ipaddr_next(&e, &c) == -1)
		return 0;
	if (ipaddr_cmp(&c, hi) > 0)
		return 0;
	/* One ascending scan of the runs from c: the gaps between them are the free addresses. */
	if ((st = db_stmt(db, sql_range)) == NULL)
		return db_fail(db, err, "reading the free-address map");
	kc = fm_key(&c);
	khi = fm_key(hi);
	fm_bind(st, 1, &kc);
	fm_bind(st, 2, &khi);
	while (more) {
		if ((rc = fm_row(db, st, &s, &e, err)) == -1)
			goto out;
		/* Free addresses from c up to the next run's start (or to hi after the last run). */
		while (more && *n < max && ipaddr_cmp(&c, hi) <= 0 &&
		    (rc == 0 || ipaddr_cmp(&c, &s) < 0)) {
			out[(*n)++] = c;
			more = ipaddr_next(&c, &c) == 0;
		}
		more = more && rc == 1 && *n < max && ipaddr_next(&e, &c) == 0 &&
		    ipaddr_cmp(&c, hi) <= 0;
	}
	ret = 0;
out:
	sqlite3_reset(st);
	return ret;
}

int
freemap_count(struct db *db, const struct ipaddr *lo, const struct ipaddr *hi, uint64_t *count,
    struct api_err *err)
{
	sqlite3_stmt *st;
	struct ipaddr s, e, from;
	struct fm_key kf, khi;
	uint64_t sum = 0, span;
	int rc;

	*count = 0;
	if (fm_check_interval(lo, hi, err) == -1)
		return -1;
	/* Scan from the start of the run holding lo, if any, so that it is counted too. */
	if ((rc = fm_find(db, lo, &s, &e, err)) == -1)
		return -1;
	from = rc == 1 ? s : *lo;
	if ((st = db_stmt(db, sql_range)) == NULL)
		return db_fail(db, err, "reading the free-address map");
	kf = fm_key(&from);
	khi = fm_key(hi);
	fm_bind(st, 1, &kf);
	fm_bind(st, 2, &khi);
	while ((rc = fm_row(db, st, &s, &e, err)) == 1) {
		span = fm_span(ipaddr_cmp(&s, lo) < 0 ? lo : &s, ipaddr_cmp(&e, hi) > 0 ? hi : &e);
		sum = sum > UINT64_MAX - span ? UINT64_MAX : sum + span;
	}
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	*count = sum;
	return 0;
}

/* Appends run [s, e] during a rebuild. */
static int
fm_put_run(struct db *db, const struct ipaddr *s, const struct ipaddr *e, struct api_err *err)
{
	struct fm_key ks = fm_key(s), ke = fm_key(e);

	return fm_write(db, sql_insert, &ks, &ke, err);
}

int
freemap_rebuild(struct db *db, const char *sql_keys_ascending, struct api_err *err)
{
	sqlite3_stmt *st = NULL, *clear;
	struct ipaddr a, s, e, next;
	bool have = false;
	int rc, ret = -1;

	if ((clear = db_stmt(db, sql_clear)) == NULL)
		return db_fail(db, err, "clearing the free-address map");
	rc = sqlite3_step(clear);
	sqlite3_reset(clear);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "clearing the free-address map");
	/* The caller's query may be built at run time, so it is not cached. */
	if (sqlite3_prepare_v2(db_handle(db), sql_keys_ascending, -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, err, "rebuilding the free-address map");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (ipaddr_from_key(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
		    &a) == -1) {
			api_err_set(err, 500, "free-address map rebuild: malformed key");
			goto out;
		}
		if (have && ipaddr_cmp(&a, &e) <= 0) {
			api_err_set(err, 500, "free-address map rebuild: keys not strictly ascending");
			goto out;
		}
		/* Extend the current run while keys are consecutive in one family. */
		if (have && ipaddr_next(&e, &next) == 0 && ipaddr_cmp(&next, &a) == 0) {
			e = a;
			continue;
		}
		if (have && fm_put_run(db, &s, &e, err) == -1)
			goto out;
		s = e = a;
		have = true;
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, err, "rebuilding the free-address map");
		goto out;
	}
	if (have && fm_put_run(db, &s, &e, err) == -1)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}
