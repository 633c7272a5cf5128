/* Prefixes, IP ranges, IP addresses and allocation against the real server: derived parents and
 * prefixes, containment rules, utilization, filters, lowest-free allocation, idempotency,
 * carving child prefixes, the audit log, 400 allocations from 16 parallel clients, and
 * allocations that wait for their commit without holding a server thread. */
#include "harness.h"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "apierr.h"
#include "db.h"
#include "freemap.h"
#include "sbuf.h"

#define PW TEST_PASSWORD

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

/* POSTs and returns the new object's id. */
static long long
create(const char *path, const char *body)
{
	struct resp r;
	long long id;

	if (api(&S, "POST", path, ed, body, &r) != 201)
		fail_msg("POST %s %s: %ld %s", path, body, r.status, r.body);
	id = json_integer_value(json_object_get(r.json, "id"));
	resp_free(&r);
	return id;
}

static json_t *
get(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *
get(const char *fmt, ...)
{
	char path[512];
	struct resp r;
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (api(&S, "GET", path, vi, NULL, &r) != 200)
		fail_msg("GET %s: %ld %s", path, r.status, r.body);
	j = json_incref(r.json);
	resp_free(&r);
	return j;
}

static long long
num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
test_prefix_rules(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(api(&S, "POST", "/api/v1/prefixes", ed, "{\"prefix\":\"10.1.0.1/24\"}",
	    &r), 422);
	assert_non_null(field_error(&r, "prefix"));
	resp_free(&r);
	assert_int_equal(api(&S, "POST", "/api/v1/prefixes", ed, "{\"prefix\":\"10.1.0.0/33\"}",
	    NULL), 422);
	assert_int_equal(api(&S, "POST", "/api/v1/prefixes", ed,
	    "{\"prefix\":\"10.1.0.0/24\",\"gateway\":\"10.1.1.1\"}", &r), 422);
	assert_non_null(field_error(&r, "gateway"));
	resp_free(&r);
	assert_int_equal(api(&S, "POST", "/api/v1/prefixes", ed,
	    "{\"prefix\":\"10.1.0.0/24\",\"vlan_id\":999}", &r), 422);
	assert_non_null(field_error(&r, "vlan_id"));
	resp_free(&r);
	assert_int_equal(api(&S, "POST", "/api/v1/prefixes", ed,
	    "{\"prefix\":\"10.1.0.0/24\",\"parent_id\":1}", &r), 400);
	assert_non_null(field_error(&r, "parent_id"));
	resp_free(&r);
	create("/api/v1/prefixes", "{\"prefix\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.1\"}");
	/* An identical duplicate is refused; the canonical form decides what is identical. */
	assert_int_equal(api(&S, "POST", "/api/v1/prefixes", ed, "{\"prefix\":\"10.1.0.0/24\"}",
	    &r), 409);
	assert_non_null(field_error(&r, "prefix"));
	resp_free(&r);
	create("/api/v1/prefixes", "{\"prefix\":\"2001:DB8:0::/48\"}");
	assert_int_equal(api(&S, "GET", "/api/v1/prefixes?prefix=2001:db8::/48", vi, NULL, &r),
	    200);
	assert_int_equal(num(r.json, "count"), 1);
	resp_free(&r);
}

static void
test_parents_follow_prefixes(void **state)
{
	long long p16, p24, p26, a;
	json_t *j;

	(void)state;
	/* Built inside out: the /24 first, then a /26 in it, then the /16 around both. */
	p24 = create("/api/v1/prefixes", "{\"prefix\":\"10.2.5.0/24\"}");
	a = create("/api/v1/ip-addresses", "{\"address\":\"10.2.5.7\"}");
	p26 = create("/api/v1/prefixes", "{\"prefix\":\"10.2.5.0/26\"}");
	j = get("/api/v1/ip-addresses/%lld", a);
	assert_int_equal(num(j, "prefix_id"), p26);
	json_decref(j);
	j = get("/api/v1/prefixes/%lld", p26);
	assert_int_equal(num(j, "parent_id"), p24);
	json_decref(j);
	p16 = create("/api/v1/prefixes", "{\"prefix\":\"10.2.0.0/16\"}");
	j = get("/api/v1/prefixes/%lld", p24);
	assert_int_equal(num(j, "parent_id"), p16);
	json_decref(j);
	/* A prefix made around existing addresses counts them at once. */
	j = get("/api/v1/prefixes/%lld", p16);
	assert_int_equal(num(json_object_get(j, "utilization"), "used"), 1);
	json_decref(j);
	j = get("/api/v1/prefixes/%lld", p16);
	assert_true(json_is_null(json_object_get(j, "parent_id")));
	json_decref(j);
	/* Removing the /26 hands its address and nothing else back to the /24. */
	assert_int_equal(api(&S, "DELETE", "/api/v1/prefixes/", ed, NULL, NULL), 404);
	{
		char path[64];

		snprintf(path, sizeof(path), "/api/v1/prefixes/%lld", p26);
		assert_int_equal(api(&S, "DELETE", path, ed, NULL, NULL), 204);
		snprintf(path, sizeof(path), "/api/v1/prefixes/%lld", p24);
		/* The /24 now holds the address but has a parent to hand it to. */
		assert_int_equal(api(&S, "DELETE", path, ed, NULL, NULL), 204);
		j = get("/api/v1/ip-addresses/%lld", a);
		assert_int_equal(num(j, "prefix_id"), p16);
		json_decref(j);
		/* The /16 has no parent: deleting it would orphan the address. */
		snprintf(path, sizeof(path), "/api/v1/prefixes/%lld", p16);
		assert_int_equal(api(&S, "DELETE", path, ed, NULL, NULL), 409);
		/* Nor may it shrink away from the address. */
		assert_int_equal(api(&S, "PATCH", path, ed, "{\"prefix\":\"10.2.128.0/17\"}", NULL),
		    409);
		j = get("/api/v1/prefixes/%lld", p16);
		assert_string_equal(str(j, "prefix"), "10.2.0.0/16");
		json_decref(j);
	}
}

static void
test_address_rules(void **state)
{
	char path[160];
	struct resp r;
	long long p, h, a;
	json_t *j;

	(void)state;
	p = create("/api/v1/prefixes", "{\"prefix\":\"10.3.0.0/24\"}");
	h = create("/api/v1/hosts", "{\"name\":\"nas\",\"kind\":\"appliance\"}");
	assert_int_equal(api(&S, "POST", "/api/v1/ip-addresses", ed, "{\"address\":\"10.99.0.1\"}",
	    &r), 422);
	assert_non_null(field_error(&r, "address"));
	resp_free(&r);
	assert_int_equal(api(&S, "POST", "/api/v1/ip-addresses", ed, "{\"address\":\"010.3.0.1\"}",
	    NULL), 422);
	assert_int_equal(api(&S, "POST", "/api/v1/ip-addresses", ed,
	    "{\"address\":\"10.3.0.9\",\"dns_name\":\"bad_name\"}", NULL), 422);
	snprintf(path, sizeof(path), "{\"address\":\"10.3.0.10\",\"host_id\":%lld,"
	    "\"interface\":\"eth1\",\"dns_name\":\"nas.local\"}", h);
	a = create("/api/v1/ip-addresses", path);
	assert_int_equal(api(&S, "POST", "/api/v1/ip-addresses", ed, "{\"address\":\"10.3.0.10\"}",
	    &r), 409);
	assert_non_null(field_error(&r, "address"));
	resp_free(&r);
	j = get("/api/v1/ip-addresses?host_id=%lld", h);
	assert_int_equal(num(j, "count"), 1);
	json_decref(j);
	j = get("/api/v1/ip-addresses?prefix_id=%lld", p);
	assert_int_equal(num(j, "count"), 1);
	json_decref(j);
	/* The host is referenced now: deleting it names the address. */
	snprintf(path, sizeof(path), "/api/v1/hosts/%lld", h);
	assert_int_equal(api(&S, "DELETE", path, ed, NULL, &r), 409);
	assert_non_null(field_error(&r, "ip-addresses"));
	resp_free(&r);
	/* Moving an address frees the old one for allocation. */
	snprintf(path, sizeof(path), "/api/v1/ip-addresses/%lld", a);
	assert_int_equal(api(&S, "PATCH", path, ed, "{\"address\":\"10.3.0.20\"}", NULL), 200);
	j = get("/api/v1/prefixes/%lld/available-ips?limit=12", p);
	assert_int_equal(json_array_size(j), 12);
	assert_string_equal(str(json_array_get(j, 9), "address"), "10.3.0.10");
	assert_string_equal(str(json_array_get(j, 10), "address"), "10.3.0.11");
	json_decref(j);
}

static void
test_vlan_filter_and_contains(void **state)
{
	char body[128];
	long long v;
	json_t *j;

	(void)state;
	v = create("/api/v1/vlans", "{\"vid\":40,\"name\":\"observability\"}");
	snprintf(body, sizeof(body), "{\"prefix\":\"10.10.40.0/24\",\"vlan_id\":%lld}", v);
	create("/api/v1/prefixes", body);
	create("/api/v1/ip-addresses", "{\"address\":\"10.10.40.10\",\"dns_name\":\"prom.local\"}");
	create("/api/v1/ip-addresses", "{\"address\":\"10.10.40.20\"}");
	j = get("/api/v1/ip-addresses?vlan_id=%lld", v);
	assert_int_equal(num(j, "count"), 2);
	json_decref(j);
	j = get("/api/v1/prefixes?vlan_id=%lld", v);
	assert_int_equal(num(j, "count"), 1);
	json_decref(j);
	j = get("/api/v1/prefixes?contains=10.10.40.77");
	assert_int_equal(num(j, "count"), 1);
	assert_string_equal(str(json_array_get(json_object_get(j, "results"), 0), "prefix"),
	    "10.10.40.0/24");
	/* Utilization: 2 of 254 usable. */
	assert_int_equal(num(json_object_get(json_array_get(json_object_get(j, "results"), 0),
	    "utilization"), "used"), 2);
	assert_int_equal(num(json_object_get(json_array_get(json_object_get(j, "results"), 0),
	    "utilization"), "total"), 254);
	json_decref(j);
	j = get("/api/v1/ip-addresses?q=prom");
	assert_int_equal(num(j, "count"), 1);
	json_decref(j);
	assert_int_equal(api(&S, "GET", "/api/v1/prefixes?contains=nope", vi, NULL, NULL), 400);
}

static void
test_ranges(void **state)
{
	struct resp r;
	long long p, rg;
	json_t *j;

	(void)state;
	p = create("/api/v1/prefixes", "{\"prefix\":\"10.10.50.0/24\"}");
	create("/api/v1/prefixes", "{\"prefix\":\"10.10.50.128/25\"}");
	rg = create("/api/v1/ip-ranges", "{\"start_address\":\"10.10.50.10\","
	    "\"end_address\":\"10.10.50.30\",\"description\":\"Dev VMs\"}");
	j = get("/api/v1/ip-ranges/%lld", rg);
	assert_int_equal(num(j, "prefix_id"), p);
	assert_int_equal(num(json_object_get(j, "utilization"), "total"), 21);
	json_decref(j);
	assert_int_equal(api(&S, "POST", "/api/v1/ip-ranges", ed, "{\"start_address\":"
	    "\"10.10.50.25\",\"end_address\":\"10.10.50.40\"}", &r), 409);
	assert_non_null(field_error(&r, "start_address"));
	resp_free(&r);
	assert_int_equal(api(&S, "POST", "/api/v1/ip-ranges", ed, "{\"start_address\":"
	    "\"10.10.50.40\",\"end_address\":\"10.10.50.39\"}", NULL), 422);
	/* Across the edge of the /25 child. */
	assert_int_equal(api(&S, "POST", "/api/v1/ip-ranges", ed, "{\"start_address\":"
	    "\"10.10.50.120\",\"end_address\":\"10.10.50.130\"}", &r), 422);
	assert_non_null(field_error(&r, "end_address"));
	resp_free(&r);
	assert_int_equal(api(&S, "POST", "/api/v1/ip-ranges", ed, "{\"start_address\":"
	    "\"10.250.0.1\",\"end_address\":\"10.250.0.9\"}", NULL), 422);
	assert_int_equal(api(&S, "POST", "/api/v1/ip-ranges", ed, "{\"start_address\":"
	    "\"10.10.50.40\",\"end_address\":\"::1\"}", NULL), 422);
}

static void
test_allocation(void **state)
{
	char path[96], loc[64];
	struct resp r, g;
	long long p, p31, rg;
	json_t *j;

	(void)state;
	p = create("/api/v1/prefixes", "{\"prefix\":\"10.10.20.0/24\",\"gateway\":\"10.10.20.1\"}");
	create("/api/v1/ip-addresses", "{\"address\":\"10.10.20.1\",\"role\":\"gateway\"}");
	create("/api/v1/ip-addresses", "{\"address\":\"10.10.20.3\"}");
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld/available-ips", p);
	/* The network address .0 is never handed out; .2 is the lowest free, then .4. */
	j = get("%s?limit=2", path);
	assert_string_equal(str(json_array_get(j, 0), "address"), "10.10.20.2");
	assert_string_equal(str(json_array_get(j, 1), "address"), "10.10.20.4");
	json_decref(j);
	assert_int_equal(api(&S, "POST", path, ed, "{\"dns_name\":\"ml110.local\","
	    "\"status\":\"reserved\"}", &r), 201);
	assert_string_equal(str(r.json, "address"), "10.10.20.2");
	assert_string_equal(str(r.json, "dns_name"), "ml110.local");
	assert_int_equal(num(r.json, "prefix_id"), p);
	assert_non_null(resp_header(&r, "Location", loc, sizeof(loc)));
	/* The answer is the object as a GET shows it, byte for byte (it is the audit row's text,
	 * never parsed and written out again). */
	assert_int_equal(api(&S, "GET", loc, ed, NULL, &g), 200);
	assert_int_equal(g.len, r.len);
	assert_memory_equal(g.body, r.body, r.len);
	resp_free(&g);
	resp_free(&r);
	/* An array allocates several, lowest first. */
	assert_int_equal(api(&S, "POST", path, ed, "[{\"description\":\"a\"},{}]", &r), 201);
	assert_string_equal(str(json_array_get(r.json, 0), "address"), "10.10.20.4");
	assert_string_equal(str(json_array_get(r.json, 1), "address"), "10.10.20.5");
	assert_null(resp_header(&r, "Location", loc, sizeof(loc)));
	j = get("/api/v1/ip-addresses/%lld", num(json_array_get(r.json, 1), "id"));
	assert_true(json_equal(j, json_array_get(r.json, 1)));
	json_decref(j);
	resp_free(&r);
	/* The client does not choose the address; a bad field stops everything. */
	assert_int_equal(api(&S, "POST", path, ed, "{\"address\":\"10.10.20.9\"}", NULL), 400);
	assert_int_equal(api(&S, "POST", path, ed, "[{},{\"status\":\"bogus\"}]", &r), 422);
	assert_non_null(field_error(&r, "[1].status"));
	resp_free(&r);
	j = get("%s?limit=1", path);
	assert_string_equal(str(json_array_get(j, 0), "address"), "10.10.20.6");
	json_decref(j);
	/* A /31 hands out both addresses; a full one answers 409 and all or none. */
	p31 = create("/api/v1/prefixes", "{\"prefix\":\"10.9.9.0/31\"}");
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld/available-ips", p31);
	assert_int_equal(api(&S, "POST", path, ed, "[{},{},{}]", NULL), 409);
	assert_int_equal(api(&S, "POST", path, ed, "[{},{}]", &r), 201);
	assert_string_equal(str(json_array_get(r.json, 0), "address"), "10.9.9.0");
	assert_string_equal(str(json_array_get(r.json, 1), "address"), "10.9.9.1");
	resp_free(&r);
	assert_int_equal(api(&S, "POST", path, ed, NULL, NULL), 409);
	/* Ranges hand out their own addresses. */
	rg = create("/api/v1/ip-ranges", "{\"start_address\":\"10.10.20.40\","
	    "\"end_address\":\"10.10.20.41\"}");
	snprintf(path, sizeof(path), "/api/v1/ip-ranges/%lld/available-ips", rg);
	assert_int_equal(api(&S, "POST", path, ed, "[{},{}]", &r), 201);
	assert_string_equal(str(json_array_get(r.json, 1), "address"), "10.10.20.41");
	resp_free(&r);
	j = get("/api/v1/ip-ranges/%lld", rg);
	assert_int_equal(num(json_object_get(j, "utilization"), "used"), 2);
	assert_int_equal(num(json_object_get(j, "utilization"), "total"), 2);
	json_decref(j);
	/* The prefix counts them too: .1 .2 .3 .4 .5 and the two of the range. */
	j = get("/api/v1/prefixes/%lld", p);
	assert_int_equal(num(json_object_get(j, "utilization"), "used"), 7);
	json_decref(j);
	assert_int_equal(api(&S, "POST", path, ed, "{}", NULL), 409);
	assert_int_equal(api(&S, "POST", path, vi, "{}", NULL), 403);
	assert_int_equal(api(&S, "GET", "/api/v1/prefixes/99999/available-ips", vi, NULL, NULL),
	    404);
	assert_int_equal(api(&S, "GET", "/api/v1/ip-ranges/1/available-ips?limit=0", vi, NULL,
	    NULL), 400);
}

static void
test_ipv6_allocation(void **state)
{
	char path[96];
	struct resp r;
	long long p;

	(void)state;
	p = create("/api/v1/prefixes", "{\"prefix\":\"2001:db8:aa::/64\"}");
	create("/api/v1/ip-addresses", "{\"address\":\"2001:DB8:AA:0:0:0:0:1\"}");
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld/available-ips", p);
	/* The anycast ::0 is skipped, ::1 is taken (and was stored canonical), so ::2 is next. */
	assert_int_equal(api(&S, "POST", path, ed, "{}", &r), 201);
	assert_string_equal(str(r.json, "address"), "2001:db8:aa::2");
	resp_free(&r);
	assert_int_equal(api(&S, "GET", "/api/v1/ip-addresses?address=2001:db8:aa::1", vi, NULL,
	    &r), 200);
	assert_int_equal(num(r.json, "count"), 1);
	resp_free(&r);
	/* A /64 has more addresses than a signed 64-bit count: the total saturates. */
	assert_int_equal(api(&S, "GET", "/api/v1/prefixes?prefix=2001:db8:aa::/64", vi, NULL, &r),
	    200);
	assert_int_equal(num(json_object_get(json_array_get(json_object_get(r.json, "results"),
	    0), "utilization"), "used"), 2);
	assert_int_equal(num(json_object_get(json_array_get(json_object_get(r.json, "results"),
	    0), "utilization"), "total"), INT64_MAX);
	resp_free(&r);
}

/* The free map the server kept through every write of this file equals one rebuilt from the
 * addresses themselves, and so do the used counts. Runs last. */
static void
test_free_map_consistent(void **state)
{
	static const char *const checks[] = {
		"SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM used_runs)",
		"SELECT count(*) FROM (SELECT * FROM used_runs EXCEPT SELECT * FROM kept)",
		/* The trigger-kept counts behind utilization agree with real counts. */
		"SELECT count(*) FROM prefixes p WHERE used != (SELECT count(*) FROM ip_addresses a "
		"WHERE a.addr_key BETWEEN p.first_key AND p.last_key)",
		"SELECT count(*) FROM ip_ranges r WHERE used != (SELECT count(*) FROM ip_addresses a "
		"WHERE a.addr_key BETWEEN r.start_key AND r.end_key)",
	};
	struct api_err err;
	char msg[256];
	struct db *db;
	sqlite3_stmt *st;
	size_t i;

	(void)state;
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
		assert_int_equal(sqlite3_column_int(st, 0), 0);
		sqlite3_finalize(st);
	}
	db_rollback(db);
	db_close(db);
}

static void
test_idempotency(void **state)
{
	char path[96], a1[64];
	struct resp r;
	long long p;

	(void)state;
	p = create("/api/v1/prefixes", "{\"prefix\":\"10.10.60.0/24\"}");
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld/available-ips", p);
	assert_int_equal(req_hdr(&S, "POST", path, ed, "Idempotency-Key: jump-1", "{}", &r), 0);
	assert_int_equal(r.status, 201);
	snprintf(a1, sizeof(a1), "%s", str(r.json, "address"));
	resp_free(&r);
	/* The retry gets the same address, and no second one is taken. */
	assert_int_equal(req_hdr(&S, "POST", path, ed, "Idempotency-Key: jump-1", "{}", &r), 0);
	assert_int_equal(r.status, 201);
	assert_string_equal(str(r.json, "address"), a1);
	resp_free(&r);
	assert_int_equal(api(&S, "POST", path, ed, "{}", &r), 201);
	assert_string_equal(str(r.json, "address"), "10.10.60.2");
	resp_free(&r);
	/* The same key on another route is an error, not a replay. */
	assert_int_equal(req_hdr(&S, "POST", "/api/v1/ip-ranges/1/available-ips", ed,
	    "Idempotency-Key: jump-1", "{}", &r), 0);
	assert_problem(&r, 422);
	resp_free(&r);
	/* So is the same key with another body: the first answer is not the one it asks for. */
	assert_int_equal(req_hdr(&S, "POST", path, ed, "Idempotency-Key: jump-2",
	    "{\"dns_name\":\"a.local\",\"status\":\"reserved\"}", &r), 0);
	assert_int_equal(r.status, 201);
	snprintf(a1, sizeof(a1), "%s", str(r.json, "address"));
	resp_free(&r);
	assert_int_equal(req_hdr(&S, "POST", path, ed, "Idempotency-Key: jump-2",
	    "{\"dns_name\":\"b.local\",\"status\":\"reserved\"}", &r), 0);
	assert_problem(&r, 422);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "body"));
	resp_free(&r);
	assert_int_equal(req_hdr(&S, "POST", path, ed, "Idempotency-Key: jump-2", "[{}]", &r), 0);
	assert_problem(&r, 422);
	resp_free(&r);
	/* The same JSON with its keys in another order and other spacing is the same request. */
	assert_int_equal(req_hdr(&S, "POST", path, ed, "Idempotency-Key: jump-2",
	    "{ \"status\": \"reserved\", \"dns_name\": \"a.local\" }", &r), 0);
	assert_int_equal(r.status, 201);
	assert_string_equal(str(r.json, "address"), a1);
	resp_free(&r);
}

/* Allocates one address with an Idempotency-Key on s; its address into a (64 bytes) and
 * whether the answer was a replay. */
static bool
alloc_keyed(struct srv *s, const char *tok, const char *path, const char *key, char *a)
{
	char hdr[96], buf[16];
	struct resp r;
	bool replayed;

	snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", key);
	assert_int_equal(req_hdr(s, "POST", path, tok, hdr, "{}", &r), 0);
	assert_int_equal(r.status, 201);
	snprintf(a, 64, "%s", str(r.json, "address"));
	replayed = resp_header(&r, "Idempotent-Replayed", buf, sizeof(buf)) != NULL;
	resp_free(&r);
	return replayed;
}

static int
count_keys(struct srv *s)
{
	sqlite3_stmt *st;
	sqlite3 *h;
	int n;

	assert_int_equal(sqlite3_open(s->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM idempotency_keys", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* Keys are remembered for 24 hours by default: younger ones replay, older ones are forgotten
 * (the retry allocates anew and the old row is gone), and --idempotency-ttl sets the span. */
static void
test_idempotency_expiry(void **state)
{
	static const char *const flags[] = { "--idempotency-ttl", "3600", NULL };
	char path[96], a1[64], a2[64];
	struct srv s2;
	char *ed2;
	long long p;

	(void)state;
	p = create("/api/v1/prefixes", "{\"prefix\":\"10.10.61.0/24\"}");
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld/available-ips", p);
	assert_false(alloc_keyed(&S, ed, path, "day-young", a1));
	assert_false(alloc_keyed(&S, ed, path, "day-old", a2));
	srv_sql(&S, "UPDATE idempotency_keys SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
	    "'now', '-23 hours') WHERE key = 'day-young'");
	srv_sql(&S, "UPDATE idempotency_keys SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
	    "'now', '-25 hours') WHERE key = 'day-old'");
	/* 23 hours: the first answer again. */
	assert_true(alloc_keyed(&S, ed, path, "day-young", a2));
	assert_string_equal(a2, a1);
	/* 25 hours: a new allocation, which is remembered in its turn. */
	assert_false(alloc_keyed(&S, ed, path, "day-old", a1));
	assert_string_equal(a1, "10.10.61.3");
	assert_true(alloc_keyed(&S, ed, path, "day-old", a2));
	assert_string_equal(a2, "10.10.61.3");

	/* One hour on a server told so: a key of two hours ago is forgotten, and deleted by the
	 * next key stored, whatever it is. */
	srv_up(&s2, flags, &ed2, NULL);
	p = api_create(&s2, ed2, "/api/v1/prefixes", "{\"prefix\":\"10.10.62.0/24\"}");
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld/available-ips", p);
	assert_false(alloc_keyed(&s2, ed2, path, "hour-old", a1));
	assert_false(alloc_keyed(&s2, ed2, path, "hour-gone", a2));
	assert_false(alloc_keyed(&s2, ed2, path, "hour-young", a1));
	srv_sql(&s2, "UPDATE idempotency_keys SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
	    "'now', '-2 hours') WHERE key IN ('hour-old', 'hour-gone')");
	srv_sql(&s2, "UPDATE idempotency_keys SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
	    "'now', '-50 minutes') WHERE key = 'hour-young'");
	assert_true(alloc_keyed(&s2, ed2, path, "hour-young", a2));
	assert_string_equal(a2, a1);
	assert_int_equal(count_keys(&s2), 3);
	assert_false(alloc_keyed(&s2, ed2, path, "hour-old", a2));
	assert_string_equal(a2, "10.10.62.4");
	assert_int_equal(count_keys(&s2), 2);
	srv_down(&s2, ed2, NULL);
}

static void
test_available_prefixes(void **state)
{
	char path[96];
	struct resp r;
	long long p;

	(void)state;
	p = create("/api/v1/prefixes", "{\"prefix\":\"172.16.0.0/22\",\"status\":\"container\"}");
	create("/api/v1/prefixes", "{\"prefix\":\"172.16.0.0/26\"}");
	create("/api/v1/prefixes", "{\"prefix\":\"172.16.1.0/24\"}");
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld/available-prefixes", p);
	assert_int_equal(api(&S, "POST", path, ed, "{\"prefix_length\":26,\"role\":\"storage\"}",
	    &r), 201);
	assert_string_equal(str(r.json, "prefix"), "172.16.0.64/26");
	assert_string_equal(str(r.json, "role"), "storage");
	assert_int_equal(num(r.json, "parent_id"), p);
	resp_free(&r);
	/* The lowest free aligned /24 skips the used 172.16.1.0/24. */
	assert_int_equal(api(&S, "POST", path, ed, "{\"prefix_length\":24}", &r), 201);
	assert_string_equal(str(r.json, "prefix"), "172.16.2.0/24");
	resp_free(&r);
	assert_int_equal(api(&S, "POST", path, ed, "{\"prefix_length\":23}", NULL), 409);
	assert_int_equal(api(&S, "POST", path, ed, "{\"prefix_length\":22}", &r), 422);
	assert_non_null(field_error(&r, "prefix_length"));
	resp_free(&r);
	assert_int_equal(api(&S, "POST", path, ed, "{\"prefix_length\":33}", NULL), 422);
	assert_int_equal(api(&S, "POST", path, ed, "{}", NULL), 422);
}

static void
test_allocations_are_audited(void **state)
{
	char path[96];
	long long p, before;
	json_t *j;

	(void)state;
	j = get("/api/v1/changes?object_type=ip-address&action=create&limit=1");
	before = num(j, "count");
	json_decref(j);
	p = create("/api/v1/prefixes", "{\"prefix\":\"10.20.0.0/24\"}");
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld/available-ips", p);
	assert_int_equal(api(&S, "POST", path, ed, "[{},{},{}]", NULL), 201);
	j = get("/api/v1/changes?object_type=ip-address&action=create&limit=1");
	assert_int_equal(num(j, "count"), before + 3);
	json_decref(j);
	/* An unfiltered list reads the trigger-kept count; it matches a real count. */
	j = get("/api/v1/ip-addresses?limit=1");
	before = num(j, "count");
	json_decref(j);
	j = get("/api/v1/ip-addresses?limit=1&status=active&status=reserved&status=dhcp"
	    "&status=deprecated");
	assert_int_equal(num(j, "count"), before);
	assert_true(before > 10);
	json_decref(j);
}

/* ---- 16 clients, 400 allocations, one /22 ---- */

#define CLIENTS 16
#define PER_CLIENT 25

struct client {
	int port;
	const char *token;
	const char *path;
	int ok, errors5xx, other;
	char addrs[PER_CLIENT][48];
};

static size_t
sink(char *d, size_t s, size_t n, void *p)
{
	return sbuf_append(p, d, s * n) == 0 ? s * n : 0;
}

static void *
client_run(void *p)
{
	struct client *c = p;
	CURL *h = curl_easy_init();
	struct curl_slist *hd = NULL;
	char url[256], auth[4200];
	struct sbuf body;
	long status;
	int i;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", c->port, c->path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->token);
	hd = curl_slist_append(hd, auth);
	hd = curl_slist_append(hd, "Content-Type: application/json");
	for (i = 0; i < PER_CLIENT; i++) {
		json_t *j;

		sbuf_init(&body, 0);
		curl_easy_reset(h);
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{\"description\":\"parallel\"}");
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
		if (curl_easy_perform(h) != CURLE_OK) {
			c->other++;
			sbuf_free(&body);
			continue;
		}
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (status == 201 && (j = json_loads(sbuf_str(&body), 0, NULL)) != NULL) {
			snprintf(c->addrs[c->ok++], 48, "%s", json_string_value(json_object_get(j,
			    "address")));
			json_decref(j);
		} else if (status >= 500)
			c->errors5xx++;
		else
			c->other++;
		sbuf_free(&body);
	}
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_parallel_allocation(void **state)
{
	static struct client c[CLIENTS];
	static char all[CLIENTS * PER_CLIENT][48];
	pthread_t t[CLIENTS];
	char path[96];
	long long p;
	int i, k, n = 0, e5 = 0, other = 0;
	json_t *j;

	(void)state;
	p = create("/api/v1/prefixes", "{\"prefix\":\"10.30.0.0/22\"}");
	snprintf(path, sizeof(path), "/api/v1/prefixes/%lld/available-ips", p);
	for (i = 0; i < CLIENTS; i++) {
		c[i].port = S.port;
		c[i].token = ed;
		c[i].path = path;
		assert_int_equal(pthread_create(&t[i], NULL, client_run, &c[i]), 0);
	}
	for (i = 0; i < CLIENTS; i++) {
		pthread_join(t[i], NULL);
		for (k = 0; k < c[i].ok; k++)
			memcpy(all[n++], c[i].addrs[k], 48);
		e5 += c[i].errors5xx;
		other += c[i].other;
	}
	assert_int_equal(e5, 0);
	assert_int_equal(other, 0);
	assert_int_equal(n, CLIENTS * PER_CLIENT);
	qsort(all, (size_t)n, 48, cmp_str);
	for (i = 1; i < n; i++)
		assert_string_not_equal(all[i - 1], all[i]);
	/* The server agrees: 400 addresses in the prefix, and 400 audit entries for them. */
	j = get("/api/v1/ip-addresses?prefix_id=%lld&limit=1", p);
	assert_int_equal(num(j, "count"), 400);
	json_decref(j);
	j = get("/api/v1/changes?object_type=ip-address&action=create&limit=1000");
	k = 0;
	for (i = 0; i < (int)json_array_size(json_object_get(j, "results")); i++) {
		json_t *after = json_object_get(json_array_get(json_object_get(j, "results"), i),
		    "after");

		k += num(after, "prefix_id") == p;
	}
	assert_int_equal(k, 400);
	json_decref(j);
}

/* ---- group commit: allocations arriving together share a transaction, each in its own
 * savepoint, so one that fails takes back only its own writes ---- */

#define MIX_CLIENTS 16
#define MIX_PER_CLIENT 12
#define MIX_KINDS 4

enum mix_kind { MIX_GOOD, MIX_HALF_BAD, MIX_FULL, MIX_KEY_CONFLICT };

struct mix_answer {
	enum mix_kind kind;
	long status;
	char reqid[32];
	char address[48];
};

struct mix_client {
	int port, n;
	const char *token;
	long long big, tiny;
	struct mix_answer a[MIX_PER_CLIENT];
};

static size_t
mix_header(char *d, size_t s, size_t n, void *p)
{
	struct mix_answer *a = p;
	size_t len = s * n;

	if (len > 14 && strncasecmp(d, "X-Request-Id: ", 14) == 0)
		snprintf(a->reqid, sizeof(a->reqid), "%.*s", (int)strcspn(d + 14, "\r\n"), d + 14);
	return len;
}

static void *
mix_run(void *p)
{
	struct mix_client *c = p;
	CURL *h = curl_easy_init();
	struct curl_slist *hd;
	char url[256], auth[4200], key[96];
	struct sbuf body;
	int i;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->token);
	for (i = 0; i < MIX_PER_CLIENT; i++) {
		struct mix_answer *a = &c->a[c->n++];
		const char *post = "{}";
		json_t *j;

		/* In this order in each client: the keyed good one comes before its conflict. */
		a->kind = (enum mix_kind)(i % MIX_KINDS);
		hd = curl_slist_append(NULL, auth);
		hd = curl_slist_append(hd, "Content-Type: application/json");
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/prefixes/%lld/available-ips",
		    c->port, a->kind == MIX_FULL ? c->tiny : c->big);
		if (a->kind == MIX_HALF_BAD)   /* the first item is taken, then undone */
			post = "[{\"description\":\"half\"},{\"address\":\"10.40.0.9\"}]";
		if (a->kind == MIX_KEY_CONFLICT) {
			/* The key of this client's first good allocation, with another body. */
			snprintf(key, sizeof(key), "Idempotency-Key: mix-%p", (void *)c);
			hd = curl_slist_append(hd, key);
			post = "{\"description\":\"another body\"}";
		}
		if (a->kind == MIX_GOOD && i == 0) {
			snprintf(key, sizeof(key), "Idempotency-Key: mix-%p", (void *)c);
			hd = curl_slist_append(hd, key);
		}
		sbuf_init(&body, 0);
		curl_easy_reset(h);
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, mix_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
		if (curl_easy_perform(h) == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
		if (a->status == 201 && (j = json_loads(sbuf_str(&body), 0, NULL)) != NULL) {
			snprintf(a->address, sizeof(a->address), "%s",
			    json_string_value(json_object_get(j, "address")));
			json_decref(j);
		}
		sbuf_free(&body);
		curl_slist_free_all(hd);
	}
	curl_easy_cleanup(h);
	return NULL;
}

static void
test_group_commit_isolation(void **state)
{
	static struct mix_client c[MIX_CLIENTS];
	static const long want[MIX_KINDS] = { 201, 400, 409, 422 };
	pthread_t t[MIX_CLIENTS];
	long long big, tiny, good = 0, full_ok = 0;
	char lowest[32];
	int i, k;
	json_t *j;

	(void)state;
	big = create("/api/v1/prefixes", "{\"prefix\":\"10.40.0.0/22\"}");
	/* Two usable addresses: the first two allocations into it succeed, the rest get 409. */
	tiny = create("/api/v1/prefixes", "{\"prefix\":\"10.41.0.0/30\"}");
	for (i = 0; i < MIX_CLIENTS; i++) {
		c[i].port = S.port;
		c[i].token = ed;
		c[i].big = big;
		c[i].tiny = tiny;
		assert_int_equal(pthread_create(&t[i], NULL, mix_run, &c[i]), 0);
	}
	for (i = 0; i < MIX_CLIENTS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < MIX_CLIENTS; i++)
		for (k = 0; k < c[i].n; k++) {
			struct mix_answer *a = &c[i].a[k];
			char path[128];

			if (a->kind == MIX_FULL && a->status == 201) {
				full_ok++;
				continue;
			}
			if (a->status != want[a->kind])
				fail_msg("client %d request %d (kind %d): %ld", i, k, a->kind,
				    a->status);
			/* Each answer's own audit row, under its own request id, or none. */
			assert_true(a->reqid[0] != '\0');
			snprintf(path, sizeof(path), "/api/v1/changes?request_id=%s", a->reqid);
			j = get("%s", path);
			assert_int_equal(num(j, "count"), a->status == 201);
			if (a->status == 201) {
				json_t *after = json_object_get(json_array_get(json_object_get(j,
				    "results"), 0), "after");

				assert_string_equal(json_string_value(json_object_get(after,
				    "address")), a->address);
				good++;
			}
			json_decref(j);
		}
	assert_int_equal(full_ok, 2);
	/* Nothing of the failed ones stayed: the prefix holds the good ones only, and its
	 * count, the free map and the list agree. */
	j = get("/api/v1/ip-addresses?prefix_id=%lld&limit=1", big);
	assert_int_equal(num(j, "count"), good);
	json_decref(j);
	j = get("/api/v1/prefixes/%lld", big);
	assert_int_equal(num(json_object_get(j, "utilization"), "used"), good);
	json_decref(j);
	j = get("/api/v1/ip-addresses?q=half&limit=1");
	assert_int_equal(num(j, "count"), 0);
	json_decref(j);
	/* The good ones took the lowest addresses, without a hole where a failed one was. */
	assert_true(good > 0 && good < 250);
	snprintf(lowest, sizeof(lowest), "10.40.0.%lld", good + 1);
	j = get("/api/v1/prefixes/%lld/available-ips?limit=1", big);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "address")),
	    lowest);
	json_decref(j);
}

/* ---- a waiting allocation holds no server thread: with one thread and the database's write
 * lock held by another process, eight allocations wait while the thread answers others ---- */

#define HOLD_CLIENTS 8

struct hold_client {
	int port;
	long long prefix;
	const char *token;
	long status;
	char address[48];
};

static void *
hold_run(void *p)
{
	struct hold_client *c = p;
	CURL *h = curl_easy_init();
	struct curl_slist *hd;
	char url[256], auth[4200];
	struct sbuf body;
	json_t *j;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->token);
	hd = curl_slist_append(NULL, auth);
	hd = curl_slist_append(hd, "Content-Type: application/json");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/prefixes/%lld/available-ips",
	    c->port, c->prefix);
	sbuf_init(&body, 0);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{\"description\":\"held\"}");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
	if (c->status == 201 && (j = json_loads(sbuf_str(&body), 0, NULL)) != NULL) {
		snprintf(c->address, sizeof(c->address), "%s",
		    json_string_value(json_object_get(j, "address")));
		json_decref(j);
	}
	sbuf_free(&body);
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	return NULL;
}

/* A gauge or counter of GET /metrics (an allowed address: 127.0.0.1). */
static long long
hold_metric(struct srv *s, const char *name)
{
	struct resp r;
	const char *line;
	size_t n = strlen(name);
	long long v = -1;

	assert_int_equal(req(s, "GET", "/metrics", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	for (line = r.body; line != NULL; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, name, n) == 0 && line[n] == ' ')
			v = strtoll(line + n + 1, NULL, 10);
	}
	resp_free(&r);
	return v;
}

/* Starts a server (flags), a prefix in it, HOLD_CLIENTS clients allocating from it, and takes
 * the database's write lock first from another connection (*lock): returns once all of them
 * wait for their commit, which the server shows on /metrics while the lock is held (its busy
 * timeout is 5 s: the caller lets them go well before). */
static long long
hold_start(struct srv *s1, const char *const *flags, const char *prefix_json, char **e1,
    char **v1, struct hold_client *c, pthread_t *t, sqlite3 **lock)
{
	long long prefix, waiting = -1;
	int i, tries;

	srv_up(s1, flags, e1, v1);
	prefix = api_create(s1, *e1, "/api/v1/prefixes", "%s", prefix_json);
	assert_int_equal(sqlite3_open(s1->db, lock), SQLITE_OK);
	sqlite3_busy_timeout(*lock, 5000);
	assert_int_equal(sqlite3_exec(*lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	for (i = 0; i < HOLD_CLIENTS; i++) {
		c[i] = (struct hold_client){ .port = s1->port, .prefix = prefix, .token = *e1 };
		assert_int_equal(pthread_create(&t[i], NULL, hold_run, &c[i]), 0);
	}
	for (tries = 0; tries < 60 && waiting != HOLD_CLIENTS; tries++) {
		usleep(50 * 1000);
		waiting = hold_metric(s1, "netsot_commit_waiting");
	}
	assert_int_equal(waiting, HOLD_CLIENTS);
	return prefix;
}

static void
test_waiting_allocations_hold_no_thread(void **state)
{
	static const char *const flags[] = { "--threads", "1", NULL };
	struct hold_client c[HOLD_CLIENTS];
	pthread_t t[HOLD_CLIENTS];
	struct srv s1;
	char *e1 = NULL, *v1 = NULL, body[64];
	long long prefix;
	sqlite3 *lock;
	int i, k;

	(void)state;
	/* The one server thread answers /metrics (in hold_start) and /healthz while all eight
	 * wait for the lock. */
	prefix = hold_start(&s1, flags, "{\"prefix\":\"10.60.0.0/24\"}", &e1, &v1, c, t, &lock);
	assert_int_equal(api(&s1, "GET", "/healthz", NULL, NULL, NULL), 200);
	assert_int_equal(sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(lock);
	for (i = 0; i < HOLD_CLIENTS; i++)
		pthread_join(t[i], NULL);
	/* Each got its own address, durable, and at least seven shared one transaction: the
	 * first batch waited for the lock with one or more of them, the rest queued behind. */
	for (i = 0; i < HOLD_CLIENTS; i++) {
		assert_int_equal(c[i].status, 201);
		for (k = 0; k < i; k++)
			assert_string_not_equal(c[i].address, c[k].address);
	}
	assert_int_equal(hold_metric(&s1, "netsot_commit_jobs_total"), HOLD_CLIENTS);
	assert_true(hold_metric(&s1, "netsot_commit_batch_max") >= HOLD_CLIENTS / 2);
	assert_int_equal(hold_metric(&s1, "netsot_commit_waiting"), 0);
	snprintf(body, sizeof(body), "/api/v1/ip-addresses?prefix_id=%lld", prefix);
	assert_int_equal(api_count(&s1, e1, body), HOLD_CLIENTS);
	srv_down(&s1, e1, v1);
}

/* SIGTERM while allocations wait for their commit: the server commits them, answers each 201
 * before it closes the connections, and exits 0. */
static void
test_stop_answers_waiting_allocations(void **state)
{
	struct hold_client c[HOLD_CLIENTS];
	pthread_t t[HOLD_CLIENTS];
	struct srv s1;
	char *e1 = NULL, *v1 = NULL;
	sqlite3 *lock, *check;
	sqlite3_stmt *st;
	int i, status;
	pid_t pid;

	(void)state;
	hold_start(&s1, NULL, "{\"prefix\":\"10.61.0.0/24\"}", &e1, &v1, c, t, &lock);
	pid = s1.pid;
	assert_int_equal(kill(pid, SIGTERM), 0);
	usleep(300 * 1000);   /* the server is stopping, its committer waiting for the lock */
	assert_int_equal(sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(lock);
	for (i = 0; i < HOLD_CLIENTS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(c[i].status, 201);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	s1.pid = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* What was answered is what is stored. */
	assert_int_equal(sqlite3_open(s1.db, &check), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(check, "SELECT count(*) FROM ip_addresses WHERE "
	    "description = 'held'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), HOLD_CLIENTS);
	sqlite3_finalize(st);
	sqlite3_close(check);
	srv_down(&s1, e1, v1);   /* stopped already: frees and removes */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_rules),
		cmocka_unit_test(test_parents_follow_prefixes),
		cmocka_unit_test(test_address_rules),
		cmocka_unit_test(test_vlan_filter_and_contains),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_allocation),
		cmocka_unit_test(test_idempotency),
		cmocka_unit_test(test_idempotency_expiry),
		cmocka_unit_test(test_available_prefixes),
		cmocka_unit_test(test_allocations_are_audited),
		cmocka_unit_test(test_ipv6_allocation),
		cmocka_unit_test(test_parallel_allocation),
		cmocka_unit_test(test_group_commit_isolation),
		cmocka_unit_test(test_waiting_allocations_hold_no_thread),
		cmocka_unit_test(test_stop_answers_waiting_allocations),
		cmocka_unit_test(test_free_map_consistent),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
