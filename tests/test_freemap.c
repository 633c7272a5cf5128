/* Tests for server/lib/freemap.c: hand-picked run edits and lookups, a randomized comparison against
 * a bitmap model, errors, and correctness at 200,000 used addresses. Each test works inside one
 * write transaction on a fresh database in a temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpdir.h"
#include "apierr.h"
#include "db.h"
#include "freemap.h"
#include "ipaddr.h"

struct fixture {
	char dir[64];
	char path[128];
	struct db *db;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512];

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/netsot-test-freemap-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/netsot.db", f->dir);
	*state = f;
	if (db_open(f->path, &f->db, err, sizeof(err)) != 0) {
		fprintf(stderr, "db_open: %s\n", err);
		return -1;
	}
	if (sqlite3_exec(db_handle(f->db), FREEMAP_SCHEMA_SQL, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "schema: %s\n", sqlite3_errmsg(db_handle(f->db)));
		return -1;
	}
	/* Like the callers: everything inside one transaction (also keeps fsyncs out). */
	return db_begin(f->db, true);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	if (f->db != NULL)
		db_rollback(f->db);
	db_close(f->db);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static struct ipaddr
A(const char *s)
{
	struct ipaddr a;

	if (ipaddr_parse(s, &a) != 0)
		fail_msg("cannot parse %s", s);
	return a;
}

static struct ipaddr
v4(uint32_t v)
{
	return (struct ipaddr){ .hi = 0, .lo = v, .family = 4 };
}

static struct ipaddr
v6(uint64_t hi, uint64_t lo)
{
	return (struct ipaddr){ .hi = hi, .lo = lo, .family = 6 };
}

static struct ipaddr
add(const struct ipaddr *a, uint64_t k)
{
	struct ipaddr r;

	if (ipaddr_add(a, k, &r) != 0)
		fail_msg("ipaddr_add overflow");
	return r;
}

static void
assert_addr_eq(const struct ipaddr *got, const struct ipaddr *want)
{
	char g[IPADDR_STRLEN], w[IPADDR_STRLEN];

	if (ipaddr_cmp(got, want) != 0) {
		ipaddr_format(got, g, sizeof(g));
		ipaddr_format(want, w, sizeof(w));
		fail_msg("got %s, want %s", g, w);
	}
}

static void
use_a(struct fixture *f, struct ipaddr a)
{
	struct api_err err;

	api_err_init(&err);
	if (freemap_use(f->db, &a, &err) != 0)
		fail_msg("freemap_use: %d %s", err.status, err.detail);
}

static void
release_a(struct fixture *f, struct ipaddr a)
{
	struct api_err err;

	api_err_init(&err);
	if (freemap_release(f->db, &a, &err) != 0)
		fail_msg("freemap_release: %d %s", err.status, err.detail);
}

static void
use(struct fixture *f, const char *s)
{
	use_a(f, A(s));
}

static void
release(struct fixture *f, const char *s)
{
	release_a(f, A(s));
}

/* used_runs as "first-last,first-last" for comparing with expectations. */
static const char *
runs(struct fixture *f)
{
	static char buf[4096];
	char s[IPADDR_STRLEN], e[IPADDR_STRLEN];
	struct ipaddr as, ae;
	sqlite3_stmt *st;
	size_t len = 0;

	buf[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), "SELECT start_key, end_key FROM "
	    "used_runs ORDER BY start_key", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_int_equal(ipaddr_from_key(sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), &as), 0);
		assert_int_equal(ipaddr_from_key(sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), &ae), 0);
		ipaddr_format(&as, s, sizeof(s));
		ipaddr_format(&ae, e, sizeof(e));
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s-%s", len ? "," : "",
		    s, e);
		assert_true(len < sizeof(buf));
	}
	sqlite3_finalize(st);
	return buf;
}

static long long
query_int(struct fixture *f, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
exec(struct fixture *f, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_handle(f->db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* freemap_lowest over [lo, hi]; want NULL means "interval full". */
static void
assert_lowest_a(struct fixture *f, struct ipaddr lo, struct ipaddr hi, const struct ipaddr *want)
{
	struct api_err err;
	struct ipaddr got;
	int rc;

	api_err_init(&err);
	rc = freemap_lowest(f->db, &lo, &hi, &got, &err);
	if (rc == -1)
		fail_msg("freemap_lowest: %d %s", err.status, err.detail);
	assert_int_equal(rc, want != NULL);
	if (want != NULL)
		assert_addr_eq(&got, want);
}

static void
assert_lowest(struct fixture *f, const char *lo, const char *hi, const char *want)
{
	struct ipaddr w;

	if (want != NULL)
		w = A(want);
	assert_lowest_a(f, A(lo), A(hi), want ? &w : NULL);
}

static uint64_t
count_a(struct fixture *f, struct ipaddr lo, struct ipaddr hi)
{
	struct api_err err;
	uint64_t n;

	api_err_init(&err);
	if (freemap_count(f->db, &lo, &hi, &n, &err) != 0)
		fail_msg("freemap_count: %d %s", err.status, err.detail);
	return n;
}

static uint64_t
count(struct fixture *f, const char *lo, const char *hi)
{
	return count_a(f, A(lo), A(hi));
}

/* freemap_list as comma-separated text. */
static const char *
list(struct fixture *f, const char *lo, const char *hi, size_t max)
{
	static char buf[4096];
	struct ipaddr out[64], l = A(lo), h = A(hi);
	char s[IPADDR_STRLEN];
	struct api_err err;
	size_t n, i, len = 0;

	assert_true(max <= 64);
	api_err_init(&err);
	if (freemap_list(f->db, &l, &h, max, out, &n, &err) != 0)
		fail_msg("freemap_list: %d %s", err.status, err.detail);
	assert_true(n <= max);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		ipaddr_format(&out[i], s, sizeof(s));
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? "," : "", s);
	}
	return buf;
}

static void
test_use_merges(void **state)
{
	struct fixture *f = *state;

	use(f, "10.0.0.5");
	assert_string_equal(runs(f), "10.0.0.5-10.0.0.5");
	use(f, "10.0.0.6"); /* left neighbour */
	assert_string_equal(runs(f), "10.0.0.5-10.0.0.6");
	use(f, "10.0.0.4"); /* right neighbour */
	assert_string_equal(runs(f), "10.0.0.4-10.0.0.6");
	use(f, "10.0.0.8"); /* neither */
	assert_string_equal(runs(f), "10.0.0.4-10.0.0.6,10.0.0.8-10.0.0.8");
	use(f, "10.0.0.7"); /* both */
	assert_string_equal(runs(f), "10.0.0.4-10.0.0.8");
	use(f, "10.0.0.2");
	use(f, "10.0.0.10");
	assert_string_equal(runs(f), "10.0.0.2-10.0.0.2,10.0.0.4-10.0.0.8,10.0.0.10-10.0.0.10");
	use(f, "10.0.0.3");
	use(f, "10.0.0.9");
	assert_string_equal(runs(f), "10.0.0.2-10.0.0.10");
	/* The family's ends have only one neighbour. */
	use(f, "0.0.0.0");
	use(f, "255.255.255.255");
	use(f, "0.0.0.1");
	use(f, "255.255.255.254");
	assert_string_equal(runs(f), "0.0.0.0-0.0.0.1,10.0.0.2-10.0.0.10,"
	    "255.255.255.254-255.255.255.255");
}

static void
test_release_splits(void **state)
{
	struct fixture *f = *state;
	int i;
	char s[32];

	for (i = 1; i <= 9; i++) {
		snprintf(s, sizeof(s), "10.0.0.%d", i);
		use(f, s);
	}
	assert_string_equal(runs(f), "10.0.0.1-10.0.0.9");
	release(f, "10.0.0.1"); /* start */
	assert_string_equal(runs(f), "10.0.0.2-10.0.0.9");
	release(f, "10.0.0.9"); /* end */
	assert_string_equal(runs(f), "10.0.0.2-10.0.0.8");
	release(f, "10.0.0.5"); /* middle */
	assert_string_equal(runs(f), "10.0.0.2-10.0.0.4,10.0.0.6-10.0.0.8");
	use(f, "10.0.0.20");
	release(f, "10.0.0.20"); /* a single-address run */
	assert_string_equal(runs(f), "10.0.0.2-10.0.0.4,10.0.0.6-10.0.0.8");
	release(f, "10.0.0.7");
	release(f, "10.0.0.6");
	release(f, "10.0.0.8");
	assert_string_equal(runs(f), "10.0.0.2-10.0.0.4");
	/* Releasing at the family's ends. */
	use(f, "255.255.255.253");
	use(f, "255.255.255.254");
	use(f, "255.255.255.255");
	release(f, "255.255.255.255");
	assert_string_equal(runs(f), "10.0.0.2-10.0.0.4,255.255.255.253-255.255.255.254");
	use(f, "::");
	use(f, "::1");
	release(f, "::");
	assert_string_equal(runs(f), "10.0.0.2-10.0.0.4,255.255.255.253-255.255.255.254,::1-::1");
}

static void
test_lowest(void **state)
{
	struct fixture *f = *state;

	assert_lowest(f, "10.0.0.0", "10.0.0.255", "10.0.0.0"); /* empty map */
	use(f, "10.0.0.0");
	use(f, "10.0.0.1");
	use(f, "10.0.0.2");
	use(f, "10.0.0.4");
	assert_lowest(f, "10.0.0.0", "10.0.0.255", "10.0.0.3"); /* lo at a run's start */
	assert_lowest(f, "10.0.0.1", "10.0.0.255", "10.0.0.3"); /* lo inside a run */
	assert_lowest(f, "10.0.0.3", "10.0.0.255", "10.0.0.3"); /* lo free */
	assert_lowest(f, "10.0.0.4", "10.0.0.255", "10.0.0.5"); /* lo a single-address run */
	assert_lowest(f, "10.0.0.0", "10.0.0.2", NULL);         /* full */
	assert_lowest(f, "10.0.0.1", "10.0.0.1", NULL);
	assert_lowest(f, "10.0.0.4", "10.0.0.4", NULL);
	assert_lowest(f, "10.0.0.3", "10.0.0.3", "10.0.0.3");
	/* The family's top end: no address follows 255.255.255.255. */
	use(f, "255.255.255.254");
	use(f, "255.255.255.255");
	assert_lowest(f, "255.255.255.254", "255.255.255.255", NULL);
	assert_lowest(f, "255.255.255.255", "255.255.255.255", NULL);
	assert_lowest(f, "255.255.255.250", "255.255.255.255", "255.255.255.250");
	use(f, "255.255.255.253");
	assert_lowest(f, "255.255.255.253", "255.255.255.255", NULL);
	assert_lowest(f, "0.0.0.0", "255.255.255.255", "0.0.0.0");
	/* The bottom end. */
	use(f, "0.0.0.0");
	assert_lowest(f, "0.0.0.0", "255.255.255.255", "0.0.0.1");
	/* An IPv6 run at the top of its family, next to nothing. */
	use(f, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_lowest(f, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL);
	assert_lowest(f, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0");
	assert_lowest(f, "::", "::", "::");
}

static void
test_v6_carry(void **state)
{
	struct fixture *f = *state;

	/* The last address with a given upper half and the first of the next upper half. */
	use(f, "2001:db8::ffff:ffff:ffff:fffe");
	use(f, "2001:db8:0:1::");
	use(f, "2001:db8::ffff:ffff:ffff:ffff");
	assert_string_equal(runs(f), "2001:db8::ffff:ffff:ffff:fffe-2001:db8:0:1::");
	assert_lowest(f, "2001:db8::ffff:ffff:ffff:fffe", "2001:db8:0:1::ffff", "2001:db8:0:1::1");
	assert_lowest(f, "2001:db8::ffff:ffff:ffff:fffe", "2001:db8:0:1::", NULL);
	assert_int_equal(count(f, "2001:db8::", "2001:db8:0:1::ffff"), 3);
	assert_int_equal(count(f, "2001:db8::ffff:ffff:ffff:ffff", "2001:db8:0:1::"), 2);
	assert_string_equal(list(f, "2001:db8::ffff:ffff:ffff:fffd", "2001:db8:0:1::3", 10),
	    "2001:db8::ffff:ffff:ffff:fffd,2001:db8:0:1::1,2001:db8:0:1::2,2001:db8:0:1::3");
	release(f, "2001:db8::ffff:ffff:ffff:ffff");
	assert_string_equal(runs(f), "2001:db8::ffff:ffff:ffff:fffe-2001:db8::ffff:ffff:ffff:fffe,"
	    "2001:db8:0:1::-2001:db8:0:1::");
	assert_lowest(f, "2001:db8::ffff:ffff:ffff:fffe", "2001:db8:0:1::", "2001:db8::ffff:ffff:ffff:ffff");
	use(f, "2001:db8::ffff:ffff:ffff:ffff");
	release(f, "2001:db8:0:1::");
	assert_string_equal(runs(f), "2001:db8::ffff:ffff:ffff:fffe-2001:db8::ffff:ffff:ffff:ffff");
	assert_lowest(f, "2001:db8::ffff:ffff:ffff:fffe", "2001:db8:0:1::", "2001:db8:0:1::");
}

static void
test_families_apart(void **state)
{
	struct fixture *f = *state;
	struct ipaddr lo4 = A("0.0.0.0"), hi6 = A("::ffff"), out;
	struct api_err err;

	/* The last IPv4 key and the first IPv6 key are neighbours in key order, not addresses. */
	use(f, "255.255.255.255");
	use(f, "::");
	use(f, "::1");
	use(f, "255.255.255.254");
	assert_string_equal(runs(f), "255.255.255.254-255.255.255.255,::-::1");
	assert_lowest(f, "255.255.255.254", "255.255.255.255", NULL);
	assert_lowest(f, "::", "::ffff", "::2");
	assert_lowest(f, "::2", "::ffff", "::2");
	assert_int_equal(count(f, "0.0.0.0", "255.255.255.255"), 2);
	assert_int_equal(count(f, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 2);
	assert_int_equal(count(f, "::1", "::1"), 1);
	assert_string_equal(list(f, "255.255.255.250", "255.255.255.255", 10),
	    "255.255.255.250,255.255.255.251,255.255.255.252,255.255.255.253");
	assert_string_equal(list(f, "::", "::4", 10), "::2,::3,::4");
	/* v4-mapped IPv6 addresses are IPv6: their own family, their own runs. */
	use(f, "::ffff:10.0.0.1");
	use(f, "10.0.0.1");
	assert_string_equal(runs(f), "10.0.0.1-10.0.0.1,255.255.255.254-255.255.255.255,::-::1,"
	    "::ffff:10.0.0.1-::ffff:10.0.0.1");
	release(f, "10.0.0.1");
	assert_lowest(f, "::ffff:10.0.0.1", "::ffff:10.0.0.2", "::ffff:10.0.0.2");
	/* An interval across families is a caller's bug. */
	api_err_init(&err);
	assert_int_equal(freemap_lowest(f->db, &lo4, &hi6, &out, &err), -1);
	assert_int_equal(err.status, 500);
}

static void
test_list_count(void **state)
{
	struct fixture *f = *state;
	unsigned char ks[IPADDR_KEYLEN], ke[IPADDR_KEYLEN];
	struct ipaddr s = A("3000::"), e = A("3000:0:0:2::");
	sqlite3_stmt *st;

	assert_string_equal(list(f, "10.0.0.0", "10.0.0.255", 0), "");
	assert_string_equal(list(f, "10.0.0.0", "10.0.0.255", 3), "10.0.0.0,10.0.0.1,10.0.0.2");
	use(f, "10.0.0.1");
	use(f, "10.0.0.3");
	use(f, "10.0.0.4");
	use(f, "10.0.0.6");
	assert_string_equal(list(f, "10.0.0.0", "10.0.0.255", 5),
	    "10.0.0.0,10.0.0.2,10.0.0.5,10.0.0.7,10.0.0.8");
	assert_string_equal(list(f, "10.0.0.3", "10.0.0.6", 5), "10.0.0.5");
	assert_string_equal(list(f, "10.0.0.4", "10.0.0.255", 2), "10.0.0.5,10.0.0.7");
	assert_string_equal(list(f, "10.0.0.3", "10.0.0.4", 5), "");
	assert_string_equal(list(f, "10.0.0.1", "10.0.0.1", 5), "");
	assert_string_equal(list(f, "10.0.0.2", "10.0.0.2", 5), "10.0.0.2");
	assert_int_equal(count(f, "10.0.0.0", "10.0.0.255"), 4);
	assert_int_equal(count(f, "10.0.0.4", "10.0.0.6"), 2);
	assert_int_equal(count(f, "10.0.0.4", "10.0.0.4"), 1);
	assert_int_equal(count(f, "10.0.0.5", "10.0.0.5"), 0);
	assert_int_equal(count(f, "10.0.0.7", "255.255.255.255"), 0);
	assert_int_equal(count(f, "0.0.0.0", "10.0.0.3"), 2);
	/* A run longer than 2^64 (only rebuilds or huge ranges make these) saturates the count. */
	ipaddr_to_key(&s, ks);
	ipaddr_to_key(&e, ke);
	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), "INSERT INTO used_runs VALUES (?, ?)",
	    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, ks, IPADDR_KEYLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, ke, IPADDR_KEYLEN, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_true(count(f, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == UINT64_MAX);
	assert_true(count(f, "3000::", "3000:0:0:1::") == UINT64_MAX);
	assert_int_equal(count(f, "3000:0:0:1::", "3000:0:0:1::ff"), 256);
	assert_int_equal(count(f, "3000:0:0:1:ffff:ffff:ffff:ff00", "3000:0:0:2::ff"), 257);
	assert_lowest(f, "3000::5", "3000:0:0:3::", "3000:0:0:2::1");
	assert_string_equal(list(f, "2fff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "3000:0:0:2::2", 9),
	    "2fff:ffff:ffff:ffff:ffff:ffff:ffff:fffe,2fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,"
	    "3000:0:0:2::1,3000:0:0:2::2");
	/* The schema refuses malformed runs. */
	assert_int_not_equal(sqlite3_exec(db_handle(f->db),
	    "INSERT INTO used_runs VALUES (x'0400', x'0400')", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "INSERT INTO used_runs VALUES "
	    "(x'0400000000000000000000000000000005', x'0400000000000000000000000000000004')",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_handle(f->db), "INSERT INTO used_runs VALUES "
	    "(x'0400000000000000000000000000000005', x'0600000000000000000000000000000005')",
	    NULL, NULL, NULL), SQLITE_OK);
}

static void
test_errors(void **state)
{
	struct fixture *f = *state;
	struct ipaddr a = A("10.0.0.5"), b = A("10.0.0.6"), c = A("10.0.0.9"), out[4];
	struct ipaddr bad = { .hi = 1, .lo = 0, .family = 4 };
	struct api_err err;
	uint64_t n64;
	size_t n;

	use(f, "10.0.0.4");
	use(f, "10.0.0.5");
	use(f, "10.0.0.6");
	api_err_init(&err);
	assert_int_equal(freemap_use(f->db, &a, &err), -1);
	assert_int_equal(err.status, 500);
	api_err_init(&err);
	assert_int_equal(freemap_use(f->db, &b, &err), -1); /* a run's end */
	assert_int_equal(err.status, 500);
	api_err_init(&err);
	assert_int_equal(freemap_release(f->db, &c, &err), -1);
	assert_int_equal(err.status, 500);
	release(f, "10.0.0.5");
	api_err_init(&err);
	assert_int_equal(freemap_release(f->db, &a, &err), -1);
	assert_int_equal(err.status, 500);
	api_err_init(&err);
	assert_int_equal(freemap_use(f->db, &bad, &err), -1);
	assert_int_equal(err.status, 500);
	/* Nothing changed on the failures. */
	assert_string_equal(runs(f), "10.0.0.4-10.0.0.4,10.0.0.6-10.0.0.6");
	/* Reversed intervals. */
	api_err_init(&err);
	assert_int_equal(freemap_lowest(f->db, &c, &a, &out[0], &err), -1);
	assert_int_equal(err.status, 500);
	api_err_init(&err);
	assert_int_equal(freemap_list(f->db, &c, &a, 4, out, &n, &err), -1);
	assert_int_equal(err.status, 500);
	api_err_init(&err);
	assert_int_equal(freemap_count(f->db, &c, &a, &n64, &err), -1);
	assert_int_equal(err.status, 500);
	/* Rebuilds refuse keys out of order, duplicates and malformed keys; a bad query fails. */
	exec(f, "CREATE TABLE k (n INTEGER, addr_key BLOB)");
	exec(f, "INSERT INTO k VALUES (1, x'0400000000000000000000000000000005'),"
	    " (2, x'0400000000000000000000000000000004')");
	api_err_init(&err);
	assert_int_equal(freemap_rebuild(f->db, "SELECT addr_key FROM k ORDER BY n", &err), -1);
	assert_int_equal(err.status, 500);
	exec(f, "UPDATE k SET addr_key = x'0400000000000000000000000000000005'");
	api_err_init(&err);
	assert_int_equal(freemap_rebuild(f->db, "SELECT addr_key FROM k ORDER BY n", &err), -1);
	assert_int_equal(err.status, 500);
	exec(f, "UPDATE k SET addr_key = x'04000000' WHERE n = 2");
	api_err_init(&err);
	assert_int_equal(freemap_rebuild(f->db, "SELECT addr_key FROM k ORDER BY n", &err), -1);
	assert_int_equal(err.status, 500);
	api_err_init(&err);
	assert_int_equal(freemap_rebuild(f->db, "SELECT nope FROM k", &err), -1);
	assert_int_equal(err.status, 500);
	/* An adjacent pair, which only a damaged table holds, is reported, not handed out. */
	exec(f, "DELETE FROM used_runs");
	exec(f, "INSERT INTO used_runs VALUES (x'0400000000000000000000000000000001',"
	    " x'0400000000000000000000000000000002'), (x'0400000000000000000000000000000003',"
	    " x'0400000000000000000000000000000003')");
	api_err_init(&err);
	a = A("0.0.0.1");
	b = A("0.0.0.255");
	assert_int_equal(freemap_lowest(f->db, &a, &b, &out[0], &err), -1);
	assert_int_equal(err.status, 500);
	api_err_init(&err);
	assert_int_equal(freemap_list(f->db, &a, &b, 2, out, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_addr_eq(&out[0], &(struct ipaddr){ .lo = 4, .family = 4 });
}

/* Deterministic xorshift64*. */
static uint64_t
rng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

#define MODEL_N 1024  /* addresses that operations touch */
#define MODEL_PAD 8   /* free addresses on either side that queries also cover */
#define MODEL_M (MODEL_N + 2 * MODEL_PAD)

struct model {
	struct ipaddr base;    /* address of index 0 (MODEL_PAD below the touched range) */
	bool used[MODEL_M];
};

static void
model_check(struct fixture *f, const struct model *m, uint64_t *seed)
{
	struct ipaddr lo, hi, got, out[16];
	size_t i, j, k, max, n, want_n;
	uint64_t want_count = 0;
	struct api_err err;
	int rc;

	i = (size_t)(rng(seed) % MODEL_M);
	/* Mix short and long intervals. */
	j = rng(seed) % 2 ? i + (size_t)(rng(seed) % 16) : i + (size_t)(rng(seed) % MODEL_M);
	if (j >= MODEL_M)
		j = MODEL_M - 1;
	lo = add(&m->base, i);
	hi = add(&m->base, j);
	for (k = i; k <= j; k++)
		want_count += m->used[k];
	api_err_init(&err);
	rc = freemap_lowest(f->db, &lo, &hi, &got, &err);
	assert_int_not_equal(rc, -1);
	for (k = i; k <= j && m->used[k]; k++)
		;
	assert_int_equal(rc, k <= j);
	if (rc == 1) {
		struct ipaddr want = add(&m->base, k);
		assert_addr_eq(&got, &want);
	}
	max = (size_t)(rng(seed) % 17);
	assert_int_equal(freemap_list(f->db, &lo, &hi, max, out, &n, &err), 0);
	for (k = i, want_n = 0; k <= j && want_n < max; k++) {
		if (m->used[k])
			continue;
		struct ipaddr want = add(&m->base, k);
		assert_true(want_n < n);
		assert_addr_eq(&out[want_n], &want);
		want_n++;
	}
	assert_int_equal(n, want_n);
	assert_true(count_a(f, lo, hi) == want_count);
}

/* Runs in the model as the table must hold them. */
static long long
model_runs(const struct model *m)
{
	long long r = 0;
	size_t k;

	for (k = 0; k < MODEL_M; k++)
		r += m->used[k] && (k == 0 || !m->used[k - 1]);
	return r;
}

static void
model_keys(struct fixture *f, const struct model *m, sqlite3_stmt *ins)
{
	unsigned char key[IPADDR_KEYLEN];
	struct ipaddr a;
	size_t k;

	for (k = 0; k < MODEL_M; k++) {
		if (!m->used[k])
			continue;
		a = add(&m->base, k);
		ipaddr_to_key(&a, key);
		sqlite3_reset(ins);
		sqlite3_bind_blob(ins, 1, key, IPADDR_KEYLEN, SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE)
			fail_msg("insert key: %s", sqlite3_errmsg(db_handle(f->db)));
	}
}

/* Rebuilding from the model's keys must give exactly the runs the edits left. */
static void
assert_rebuild_same(struct fixture *f, const char *keys_sql, long long want_runs)
{
	struct api_err err;

	exec(f, "DROP TABLE IF EXISTS runs_before");
	exec(f, "CREATE TABLE runs_before AS SELECT start_key, end_key FROM used_runs");
	api_err_init(&err);
	if (freemap_rebuild(f->db, keys_sql, &err) != 0)
		fail_msg("freemap_rebuild: %d %s", err.status, err.detail);
	assert_int_equal(query_int(f, "SELECT count(*) FROM used_runs"), want_runs);
	assert_int_equal(query_int(f, "SELECT count(*) FROM runs_before"), want_runs);
	assert_int_equal(query_int(f, "SELECT count(*) FROM (SELECT * FROM runs_before EXCEPT "
	    "SELECT * FROM used_runs)"), 0);
	assert_int_equal(query_int(f, "SELECT count(*) FROM (SELECT * FROM used_runs EXCEPT "
	    "SELECT * FROM runs_before)"), 0);
}

static void
test_random_model(void **state)
{
	struct fixture *f = *state;
	struct model m[2];
	uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
	struct api_err err;
	struct ipaddr a;
	sqlite3_stmt *ins;
	size_t k;
	int op, fam, rc;

	memset(m, 0, sizeof(m));
	m[0].base = A("10.1.3.248");  /* 10.1.4.0/22 plus padding */
	/* The upper 64-bit half changes inside the range. */
	m[1].base = v6(UINT64_C(0x20010db800000000), UINT64_C(0xfffffffffffffe00) - MODEL_PAD);
	for (op = 0; op < 6000; op++) {
		fam = (int)(rng(&seed) % 2);
		/* Half the operations near the range's low end grow long runs. */
		k = MODEL_PAD + (size_t)(rng(&seed) % (op % 3 ? MODEL_N : 64));
		a = add(&m[fam].base, k);
		api_err_init(&err);
		if (!m[fam].used[k]) {
			if (rng(&seed) % 4 != 0) {
				assert_int_equal(freemap_use(f->db, &a, &err), 0);
				m[fam].used[k] = true;
			} else {
				assert_int_equal(freemap_release(f->db, &a, &err), -1);
				assert_int_equal(err.status, 500);
			}
		} else {
			if (rng(&seed) % 3 == 0) {
				assert_int_equal(freemap_release(f->db, &a, &err), 0);
				m[fam].used[k] = false;
			} else {
				assert_int_equal(freemap_use(f->db, &a, &err), -1);
				assert_int_equal(err.status, 500);
			}
		}
		model_check(f, &m[fam], &seed);
		if (op % 500 == 0)
			assert_int_equal(query_int(f, "SELECT count(*) FROM used_runs"),
			    model_runs(&m[0]) + model_runs(&m[1]));
	}
	exec(f, "CREATE TABLE model_keys (addr_key BLOB PRIMARY KEY) WITHOUT ROWID");
	rc = sqlite3_prepare_v2(db_handle(f->db), "INSERT INTO model_keys VALUES (?)", -1, &ins,
	    NULL);
	assert_int_equal(rc, SQLITE_OK);
	model_keys(f, &m[0], ins);
	model_keys(f, &m[1], ins);
	sqlite3_finalize(ins);
	assert_true(model_runs(&m[0]) > 10 && model_runs(&m[1]) > 10);
	assert_rebuild_same(f, "SELECT addr_key FROM model_keys ORDER BY addr_key",
	    model_runs(&m[0]) + model_runs(&m[1]));
	/* The rebuilt table answers the same. */
	for (op = 0; op < 200; op++)
		model_check(f, &m[op % 2], &seed);
}

#define SCALE_BITS 24
#define SCALE_DENSE 100000
#define SCALE_TOTAL 200000

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Used offsets in [i, j], by binary search in the sorted list. */
static uint64_t
sorted_count(const uint32_t *v, size_t n, uint32_t i, uint32_t j)
{
	size_t a = 0, b = n, lo, hi;

	while (a < b) {
		size_t mid = (a + b) / 2;
		if (v[mid] < i)
			a = mid + 1;
		else
			b = mid;
	}
	lo = a;
	b = n;
	while (a < b) {
		size_t mid = (a + b) / 2;
		if (v[mid] <= j)
			a = mid + 1;
		else
			b = mid;
	}
	hi = a;
	return hi - lo;
}

static void
test_scale(void **state)
{
	struct fixture *f = *state;
	uint8_t *bits = calloc(1u << SCALE_BITS, 1);
	uint32_t *used = calloc(SCALE_TOTAL, sizeof(*used));
	struct ipaddr base = A("10.0.0.0"), top = A("10.255.255.255"), lo, hi, want, out[64];
	uint64_t seed = 42;
	struct api_err err;
	uint32_t off, i, j, k;
	size_t n, nused = 0, t;
	sqlite3_stmt *ins;
	unsigned char key[IPADDR_KEYLEN];

	assert_non_null(bits);
	assert_non_null(used);
	/* A dense block from the bottom, then scattered addresses in random order. */
	for (off = 0; off < SCALE_DENSE; off++) {
		use_a(f, v4(0x0a000000u + off));
		bits[off] = 1;
		used[nused++] = off;
	}
	while (nused < SCALE_TOTAL) {
		off = (uint32_t)(rng(&seed) % (1u << SCALE_BITS));
		if (bits[off])
			continue;
		use_a(f, v4(0x0a000000u + off));
		bits[off] = 1;
		used[nused++] = off;
	}
	qsort(used, nused, sizeof(*used), cmp_u32);
	api_err_init(&err);
	assert_true(count_a(f, base, top) == SCALE_TOTAL);
	for (k = 0; bits[k]; k++)
		;
	want = v4(0x0a000000u + k);
	assert_lowest_a(f, base, top, &want);
	assert_int_equal(freemap_list(f->db, &base, &top, 64, out, &n, &err), 0);
	assert_int_equal(n, 64);
	for (t = 0, k = 0; t < n; k++) {
		if (bits[k])
			continue;
		want = v4(0x0a000000u + k);
		assert_addr_eq(&out[t++], &want);
	}
	/* Random intervals: lowest against the bitmap, count against the sorted list. */
	for (t = 0; t < 500; t++) {
		i = (uint32_t)(rng(&seed) % (1u << SCALE_BITS));
		j = t % 2 ? i + (uint32_t)(rng(&seed) % 64) :
		    i + (uint32_t)(rng(&seed) % ((1u << SCALE_BITS) - i));
		if (j >= 1u << SCALE_BITS)
			j = (1u << SCALE_BITS) - 1;
		if (t % 5 == 0)
			i = (uint32_t)(rng(&seed) % SCALE_DENSE); /* inside the dense block */
		if (j < i)
			j = i;
		lo = v4(0x0a000000u + i);
		hi = v4(0x0a000000u + j);
		for (k = i; k <= j && bits[k]; k++)
			;
		want = v4(0x0a000000u + k);
		assert_lowest_a(f, lo, hi, k <= j ? &want : NULL);
		assert_true(count_a(f, lo, hi) == sorted_count(used, nused, i, j));
	}
	/* And the edits left exactly the table a rebuild makes. */
	exec(f, "CREATE TABLE scale_keys (addr_key BLOB PRIMARY KEY) WITHOUT ROWID");
	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), "INSERT INTO scale_keys VALUES (?)",
	    -1, &ins, NULL), SQLITE_OK);
	for (t = 0; t < nused; t++) {
		lo = v4(0x0a000000u + used[t]);
		ipaddr_to_key(&lo, key);
		sqlite3_reset(ins);
		sqlite3_bind_blob(ins, 1, key, IPADDR_KEYLEN, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
	}
	sqlite3_finalize(ins);
	for (t = 0, n = 0; t < nused; t++)
		n += t == 0 || used[t] != used[t - 1] + 1;
	assert_rebuild_same(f, "SELECT addr_key FROM scale_keys ORDER BY addr_key", (long long)n);
	free(bits);
	free(used);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_use_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_splits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lowest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_carry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_families_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scale, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
