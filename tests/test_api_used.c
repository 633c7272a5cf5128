/* The used counts behind utilization (prefixes.used, ip_ranges.used), kept by the domain's C
 * hooks, against counts made here: a random, seeded sequence of creates, moves and deletes of
 * nested prefixes, ranges and addresses through the API, and plan imports (which rebuild the
 * counts and the free map once instead of per address). After every step each prefix's and
 * range's utilization.used must equal the addresses the API lists inside it; every few steps,
 * and after every import, the database's counts and free map must equal a count and a
 * rebuild. NETSOT_TEST_SEED=N repeats a run; NETSOT_TEST_STEPS=N sets its length. */
#include "harness.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apierr.h"
#include "db.h"
#include "freemap.h"
#include "ipaddr.h"

static struct srv S;
static char *ed, *vi;

static int
setup(void **state)
{
	(void)state;
	srv_up(&S, NULL, &ed, &vi);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv_down(&S, ed, vi);
	return 0;
}

/* Every object of a list, page by page. */
static json_t *
list_all(const char *path)
{
	json_t *all = json_array(), *results;
	char url[256];
	struct resp r;
	int offset = 0;
	size_t n;

	for (;;) {
		snprintf(url, sizeof(url), "%s?limit=1000&offset=%d", path, offset);
		if (api(&S, "GET", url, vi, NULL, &r) != 200)
			fail_msg("GET %s: %ld %s", url, r.status, r.body);
		results = json_object_get(r.json, "results");
		n = json_array_size(results);
		json_array_extend(all, results);
		resp_free(&r);
		if (n < 1000)
			return all;
		offset += 1000;
	}
}

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long
used_of(const json_t *o)
{
	const json_t *u = json_object_get(json_object_get(o, "utilization"), "used");

	if (!json_is_integer(u))
		fail_msg("no utilization.used in %s", json_dumps(o, JSON_COMPACT));
	return json_integer_value(u);
}

/* The lists as the API shows them now. */
static json_t *prefixes, *ranges, *addresses;

static void
refresh(void)
{
	json_decref(prefixes);
	json_decref(ranges);
	json_decref(addresses);
	prefixes = list_all("/api/v1/prefixes");
	ranges = list_all("/api/v1/ip-ranges");
	addresses = list_all("/api/v1/ip-addresses");
}

/* Each prefix's and range's utilization.used against the listed addresses inside it. */
static void
check_api(unsigned seed, int step, const char *what)
{
	struct ipaddr *addr, lo, hi;
	struct ipnet n;
	const json_t *o;
	size_t i, j, na;
	long long count;

	refresh();
	na = json_array_size(addresses);
	addr = calloc(na + 1, sizeof(*addr));
	json_array_foreach(addresses, i, o)
		assert_int_equal(ipaddr_parse(str(o, "address"), &addr[i]), 0);
	json_array_foreach(prefixes, i, o) {
		assert_int_equal(ipnet_parse(str(o, "prefix"), &n), 0);
		for (count = 0, j = 0; j < na; j++)
			count += ipnet_contains(&n, &addr[j]);
		if (used_of(o) != count)
			fail_msg("seed %u step %d (%s): prefix %s shows used %lld, holds %lld", seed,
			    step, what, str(o, "prefix"), used_of(o), count);
	}
	json_array_foreach(ranges, i, o) {
		assert_int_equal(ipaddr_parse(str(o, "start_address"), &lo), 0);
		assert_int_equal(ipaddr_parse(str(o, "end_address"), &hi), 0);
		for (count = 0, j = 0; j < na; j++)
			count += ipaddr_cmp(&lo, &addr[j]) <= 0 && ipaddr_cmp(&addr[j], &hi) <= 0;
		if (used_of(o) != count)
			fail_msg("seed %u step %d (%s): range %s-%s shows used %lld, holds %lld", seed,
			    step, what, str(o, "start_address"), str(o, "end_address"), used_of(o),
			    count);
	}
	free(addr);
}

/* The database file: used against count(*), and the free map against a rebuild. */
static void
check_db(unsigned seed, int step, const char *what)
{
	static const char *const checks[] = {
		"SELECT count(*) FROM prefixes p WHERE used != (SELECT count(*) FROM ip_addresses a "
		"WHERE a.addr_key BETWEEN p.first_key AND p.last_key)",
		"SELECT count(*) FROM ip_ranges r WHERE used != (SELECT count(*) FROM ip_addresses a "
		"WHERE a.addr_key BETWEEN r.start_key AND r.end_key)",
		"SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM used_runs)",
		"SELECT count(*) FROM (SELECT * FROM used_runs EXCEPT SELECT * FROM kept)",
	};
	struct api_err err;
	char msg[256];
	struct db *db;
	sqlite3_stmt *st;
	size_t i;
	int bad;

	api_err_init(&err);
	assert_int_equal(db_open(S.db, &db, msg, sizeof(msg)), 0);
	assert_int_equal(db_begin(db, true), 0);
	assert_int_equal(sqlite3_exec(db_handle(db), "CREATE TEMP TABLE kept AS SELECT * FROM "
	    "used_runs", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(freemap_rebuild(db, "SELECT addr_key FROM ip_addresses ORDER BY "
	    "addr_key", &err), 0);
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		assert_int_equal(sqlite3_prepare_v2(db_handle(db), checks[i], -1, &st, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		bad = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		if (bad != 0)
			fail_msg("seed %u step %d (%s): %d rows wrong: %s", seed, step, what, bad,
			    checks[i]);
	}
	db_rollback(db);
	db_close(db);
}

/* A small deterministic generator, so a seed means the same run everywhere. */
static unsigned long long rng_state;

static unsigned
rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)(rng_state >> 33) % n;
}

/* Addresses come from 10.0.0.0/22 and prefixes from 10.0.0.0/20 (lengths 20 to 28), so they
 * nest, collide and leave addresses outside often enough. */
static void
rnd_address(char *buf, size_t len)
{
	unsigned v = rnd(1024);

	snprintf(buf, len, "10.0.%u.%u", v >> 8, v & 255);
}

static void
rnd_prefix(char *buf, size_t len)
{
	unsigned plen = 20 + rnd(9), v = rnd(4096), mask = ~0u << (32 - plen);

	v = (v | 0x0a000000u) & mask;
	snprintf(buf, len, "%u.%u.%u.%u/%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255,
	    plen);
}

static void
rnd_range(char *start, char *end, size_t len)
{
	unsigned v = rnd(1024), w = v + rnd(24);

	if (w > 1023)
		w = 1023;
	snprintf(start, len, "10.0.%u.%u", v >> 8, v & 255);
	snprintf(end, len, "10.0.%u.%u", w >> 8, w & 255);
}

/* The id of a random object of list, or 0 when it is empty. */
static long long
rnd_id(const json_t *list)
{
	size_t n = json_array_size(list);

	return n ? json_integer_value(json_object_get(json_array_get(list, rnd((unsigned)n)),
	    "id")) : 0;
}

static int writes_done, writes_refused, imports_done;

/* A write that may be refused (409, 422) but never fails otherwise. A path ending in /0 names
 * an object of an empty list: nothing is sent. */
static void
write_op(const char *method, const char *path, const char *body, char *what, size_t len)
{
	struct resp r;
	long st;

	if (strlen(path) > 2 && strcmp(path + strlen(path) - 2, "/0") == 0) {
		snprintf(what, len, "%s %s: none to pick", method, path);
		return;
	}

	st = api(&S, method, path, ed, body, &r);
	snprintf(what, len, "%s %s %s: %ld", method, path, body ? body : "", st);
	if (st != 200 && st != 201 && st != 204 && st != 409 && st != 422)
		fail_msg("%s %s", what, r.body);
	*(st < 300 ? &writes_done : &writes_refused) += 1;
	resp_free(&r);
}

/* A plan import of the current plan with its addresses changed: some dropped (replace mode),
 * some added, sometimes a range or a prefix dropped too. */
static void
import_op(char *what, size_t len)
{
	json_t *doc, *list, *o;
	struct resp r;
	char a[32], *text;
	bool replace = rnd(2);
	size_t i, j, drops;
	long st;

	if (api(&S, "GET", "/api/v1/export", vi, NULL, &r) != 200)
		fail_msg("export: %ld %s", r.status, r.body);
	doc = json_incref(r.json);
	resp_free(&r);
	if ((list = json_object_get(doc, "ip-addresses")) == NULL) {
		list = json_array();
		json_object_set_new(doc, "ip-addresses", list);
	}
	for (drops = rnd(8); drops > 0 && json_array_size(list) > 0; drops--)
		json_array_remove(list, rnd((unsigned)json_array_size(list)));
	for (i = rnd(30); i > 0; i--) {
		rnd_address(a, sizeof(a));
		json_array_foreach(list, j, o)
			if (strcmp(str(o, "address"), a) == 0)
				break;
		if (j == json_array_size(list))
			json_array_append_new(list, json_pack("{s:s}", "address", a));
	}
	if (rnd(4) == 0 && (list = json_object_get(doc, "ip-ranges")) != NULL &&
	    json_array_size(list) > 0)
		json_array_remove(list, rnd((unsigned)json_array_size(list)));
	if (rnd(6) == 0 && (list = json_object_get(doc, "prefixes")) != NULL &&
	    json_array_size(list) > 0)
		json_array_remove(list, rnd((unsigned)json_array_size(list)));
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	st = api(&S, "POST", replace ? "/api/v1/import?mode=replace" : "/api/v1/import", ed, text,
	    &r);
	snprintf(what, len, "import (%s): %ld", replace ? "replace" : "merge", st);
	if (st != 200 && st != 409 && st != 422)
		fail_msg("%s %s", what, r.body);
	imports_done += st == 200;
	resp_free(&r);
	free(text);
}

static void
test_used_counts_follow_random_writes(void **state)
{
	const char *env = getenv("NETSOT_TEST_SEED");
	unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
	int steps = getenv("NETSOT_TEST_STEPS") ? atoi(getenv("NETSOT_TEST_STEPS")) : 400;
	char what[512], body[160], path[96], a[32], b[32];
	unsigned op;
	int step, imports = 0;

	(void)state;
	print_message("used counts: seed %u (NETSOT_TEST_SEED=%u repeats it), %d steps\n", seed,
	    seed, steps);
	rng_state = seed;
	api_create(&S, ed, "/api/v1/prefixes", "{\"prefix\":\"10.0.0.0/20\"}");
	api_create(&S, ed, "/api/v1/prefixes", "{\"prefix\":\"10.0.0.0/23\"}");
	refresh();
	for (step = 1; step <= steps; step++) {
		op = rnd(100);
		if (op < 28) {
			rnd_address(a, sizeof(a));
			snprintf(body, sizeof(body), "{\"address\":\"%s\"}", a);
			write_op("POST", "/api/v1/ip-addresses", body, what, sizeof(what));
		} else if (op < 42) {
			rnd_address(a, sizeof(a));
			snprintf(path, sizeof(path), "/api/v1/ip-addresses/%lld", rnd_id(addresses));
			snprintf(body, sizeof(body), "{\"address\":\"%s\"}", a);
			write_op("PATCH", path, body, what, sizeof(what));
		} else if (op < 52) {
			snprintf(path, sizeof(path), "/api/v1/ip-addresses/%lld", rnd_id(addresses));
			write_op("DELETE", path, NULL, what, sizeof(what));
		} else if (op < 62) {
			rnd_prefix(a, sizeof(a));
			snprintf(body, sizeof(body), "{\"prefix\":\"%s\"}", a);
			write_op("POST", "/api/v1/prefixes", body, what, sizeof(what));
		} else if (op < 68) {
			rnd_prefix(a, sizeof(a));
			snprintf(path, sizeof(path), "/api/v1/prefixes/%lld", rnd_id(prefixes));
			snprintf(body, sizeof(body), "{\"prefix\":\"%s\"}", a);
			write_op("PATCH", path, body, what, sizeof(what));
		} else if (op < 74) {
			snprintf(path, sizeof(path), "/api/v1/prefixes/%lld", rnd_id(prefixes));
			write_op("DELETE", path, NULL, what, sizeof(what));
		} else if (op < 82) {
			rnd_range(a, b, sizeof(a));
			snprintf(body, sizeof(body), "{\"start_address\":\"%s\",\"end_address\":\"%s\"}",
			    a, b);
			write_op("POST", "/api/v1/ip-ranges", body, what, sizeof(what));
		} else if (op < 89) {
			rnd_range(a, b, sizeof(a));
			snprintf(path, sizeof(path), "/api/v1/ip-ranges/%lld", rnd_id(ranges));
			if (rnd(3) == 0)
				snprintf(body, sizeof(body), "{\"end_address\":\"%s\"}", b);
			else
				snprintf(body, sizeof(body), "{\"start_address\":\"%s\","
				    "\"end_address\":\"%s\"}", a, b);
			write_op("PATCH", path, body, what, sizeof(what));
		} else if (op < 94) {
			snprintf(path, sizeof(path), "/api/v1/ip-ranges/%lld", rnd_id(ranges));
			write_op("DELETE", path, NULL, what, sizeof(what));
		} else {
			import_op(what, sizeof(what));
			imports++;
		}
		check_api(seed, step, what);
		if (op >= 94 || step % 25 == 0 || step == steps)
			check_db(seed, step, what);
	}
	print_message("used counts: %d writes done, %d refused, %d of %d imports done; %zu "
	    "prefixes, %zu ranges, %zu addresses at the end\n", writes_done, writes_refused,
	    imports_done, imports, json_array_size(prefixes), json_array_size(ranges),
	    json_array_size(addresses));
	assert_true(writes_done > steps / 3 && imports_done > 0);
}

/* A plan import skips the per-address work and rebuilds once: the result is what per-address
 * maintenance gives, in merge mode, in replace mode (addresses and a nested prefix pruned), and
 * for a dry run (nothing). */
static void
test_import_rebuilds_derived_state(void **state)
{
	json_t *doc, *p, *r, *a;
	char buf[64], *text;
	struct resp resp;
	int i;

	(void)state;
	doc = json_pack("{s:s}", "format", "netsot-plan/1");
	p = json_array();
	json_array_append_new(p, json_pack("{s:s}", "prefix", "10.64.0.0/16"));
	json_array_append_new(p, json_pack("{s:s}", "prefix", "10.64.0.0/20"));
	json_array_append_new(p, json_pack("{s:s}", "prefix", "10.64.1.0/24"));
	json_array_append_new(p, json_pack("{s:s}", "prefix", "10.64.17.0/24"));
	json_object_set_new(doc, "prefixes", p);
	r = json_array();
	json_array_append_new(r, json_pack("{s:s, s:s}", "start_address", "10.64.1.10",
	    "end_address", "10.64.1.99"));
	json_array_append_new(r, json_pack("{s:s, s:s}", "start_address", "10.64.17.0",
	    "end_address", "10.64.17.255"));
	json_object_set_new(doc, "ip-ranges", r);
	a = json_array();
	for (i = 0; i < 1500; i++) {
		/* Runs with gaps: 3 of every 4 addresses over 10.64.0.0 to 10.64.7.255 and on. */
		snprintf(buf, sizeof(buf), "10.64.%d.%d", (i * 4 / 3) / 256, (i * 4 / 3) % 256);
		json_array_append_new(a, json_pack("{s:s}", "address", buf));
	}
	for (i = 0; i < 300; i++) {
		snprintf(buf, sizeof(buf), "10.64.17.%d", i % 256);
		if (i < 256)
			json_array_append_new(a, json_pack("{s:s}", "address", buf));
	}
	json_object_set_new(doc, "ip-addresses", a);

	text = json_dumps(doc, JSON_COMPACT);
	assert_int_equal(api(&S, "POST", "/api/v1/import?dry_run=true", ed, text, NULL), 200);
	check_db(0, 0, "dry run");
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, text, NULL), 200);
	free(text);
	check_api(0, 1, "merge import");
	check_db(0, 1, "merge import");
	assert_int_equal(api(&S, "GET", "/api/v1/prefixes?prefix=10.64.17.0/24", vi, NULL,
	    &resp), 200);
	assert_int_equal(used_of(json_array_get(json_object_get(resp.json, "results"), 0)), 256);
	resp_free(&resp);

	/* Replace: every third address and the /24 at .17 (with its range and addresses) go, a
	 * few come. */
	a = json_array();
	for (i = 0; i < 1500; i++) {
		if (i % 3 == 0)
			continue;
		snprintf(buf, sizeof(buf), "10.64.%d.%d", (i * 4 / 3) / 256, (i * 4 / 3) % 256);
		json_array_append_new(a, json_pack("{s:s}", "address", buf));
	}
	json_array_append_new(a, json_pack("{s:s}", "address", "10.64.200.1"));
	json_object_set_new(doc, "ip-addresses", a);
	json_array_remove(json_object_get(doc, "prefixes"), 3);
	json_array_remove(json_object_get(doc, "ip-ranges"), 1);
	text = json_dumps(doc, JSON_COMPACT);
	assert_int_equal(api(&S, "POST", "/api/v1/import?mode=replace", ed, text, &resp), 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(
	    resp.json, "kinds"), "ip-addresses"), "deleted")), 500 + 256);
	resp_free(&resp);
	/* The pruned prefix and range were logged after their addresses went: used 0, as the
	 * counts were rebuilt before they were pruned. */
	assert_int_equal(api(&S, "GET", "/api/v1/changes?action=delete&object_type=prefix", vi,
	    NULL, &resp), 200);
	p = json_object_get(json_array_get(json_object_get(resp.json, "results"), 0), "before");
	assert_string_equal(str(p, "prefix"), "10.64.17.0/24");
	assert_int_equal(used_of(p), 0);
	resp_free(&resp);
	assert_int_equal(api(&S, "GET", "/api/v1/changes?action=delete&object_type=ip-range", vi,
	    NULL, &resp), 200);
	assert_int_equal(used_of(json_object_get(json_array_get(json_object_get(resp.json,
	    "results"), 0), "before")), 0);
	resp_free(&resp);
	check_api(0, 2, "replace import");
	check_db(0, 2, "replace import");
	/* The same file again changes nothing, and the counts stay. */
	assert_int_equal(api(&S, "POST", "/api/v1/import?mode=replace", ed, text, NULL), 200);
	free(text);
	check_api(0, 3, "the same import again");
	check_db(0, 3, "the same import again");
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_used_counts_follow_random_writes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_import_rebuilds_derived_state, setup,
		    teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	json_decref(prefixes);
	json_decref(ranges);
	json_decref(addresses);
	return rc;
}
