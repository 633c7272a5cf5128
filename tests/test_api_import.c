/* POST /api/v1/import, GET /api/v1/export and their commands: all or nothing, errors that name
 * the object by natural key, merge and replace, dry runs, one request in the audit log. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define PW TEST_PASSWORD

static struct srv S;
static char *ed, *viewer;

static int
setup(void **state)
{
	static const char *const flags[] = { "--max-import-body", "400000", NULL };

	(void)state;
	srv_up(&S, flags, &ed, &viewer);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv_down(&S, ed, viewer);
	return 0;
}

/* A plan of n addresses in 10.20.0.0/16, all on host "h1"; the address at index bad gets the
 * host "ghost", which does not exist (no bad address when bad < 0). */
static char *
plan_of(int n, int bad)
{
	json_t *doc = json_pack("{s:s, s:[{s:i, s:s}], s:[{s:s}], s:[{s:s, s:i}], s:[]}",
	    "format", "netsot-plan/1", "vlans", "vid", 20, "name", "compute", "hosts", "name", "h1",
	    "prefixes", "prefix", "10.20.0.0/16", "vlan", 20, "ip-addresses");
	json_t *addrs = json_object_get(doc, "ip-addresses");
	char a[32], *text;
	int i;

	for (i = 0; i < n; i++) {
		snprintf(a, sizeof(a), "10.20.%d.%d", 1 + i / 250, 1 + i % 250);
		json_array_append_new(addrs, json_pack("{s:s, s:s}", "address", a, "host",
		    i == bad ? "ghost" : "h1"));
	}
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

static char *
export_now(void)
{
	struct resp r;
	char *body;

	assert_int_equal(api(&S, "GET", "/api/v1/export", viewer, NULL, &r), 200);
	body = strdup(r.body);
	resp_free(&r);
	return body;
}

/* Asserts that the export is still before (and frees it). */
static void
assert_export(char *before)
{
	char *now = export_now();

	assert_string_equal(now, before);
	free(now);
	free(before);
}

/* Audit rows of the plan: the harness's users were added (and audited) before. */
static long long
plan_changes(void)
{
	return api_count(&S, ed, "/api/v1/changes") -
	    api_count(&S, ed, "/api/v1/changes?object_type=user");
}

/* The database's indexes and triggers as the schema holds them: an import into an empty table
 * sets some indexes aside and builds them again, and a failed or dry run rolls that back. */
static char *
schema_now(void)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	char *text;

	assert_int_equal(sqlite3_open_v2(S.db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT group_concat(name || ': ' || sql, '\n') "
	    "FROM (SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
	    "AND sql IS NOT NULL ORDER BY name)", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	text = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_non_null(strstr(text, "ip_addresses_dns_nocase: CREATE INDEX"));
	return text;
}

static void
assert_schema(const char *before)
{
	char *now = schema_now();

	assert_string_equal(now, before);
	free(now);
}

static long long
summary(const struct resp *r, const char *what)
{
	return json_integer_value(json_object_get(json_object_get(r->json, "summary"), what));
}

static void
test_shape(void **state)
{
	static const struct {
		const char *path, *body;
		long status;
		const char *field;
	} cases[] = {
		{ "/api/v1/import", "{}", 400, "format" },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/2\"}", 400, "format" },
		{ "/api/v1/import", "[]", 400, NULL },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"widgets\":[]}", 400, "widgets" },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"vlans\":{}}", 400, "vlans" },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"settings\":[]}", 400,
		  "settings" },
		{ "/api/v1/import?mode=overwrite", "{\"format\":\"netsot-plan/1\"}", 400, "mode" },
		{ "/api/v1/import?dry_run=maybe", "{\"format\":\"netsot-plan/1\"}", 400, "dry_run" },
		/* Objects: by the same rules as the API, named by natural key. */
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"vlans\":[{\"vid\":7,"
		  "\"name\":\"x\",\"colour\":\"red\"}]}", 422, "vlans[7].colour" },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"vlans\":[{\"vid\":7,"
		  "\"name\":\"x\",\"id\":3}]}", 422, "vlans[7].id" },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"vlans\":[{\"vid\":5000,"
		  "\"name\":\"x\"}]}", 422, "vlans[5000].vid" },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"vlans\":[{\"name\":\"x\"}]}",
		  422, NULL },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"vlans\":[7]}", 422, NULL },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"vlans\":[{\"vid\":7,"
		  "\"name\":\"x\"},{\"vid\":7,\"name\":\"x\"}]}", 422, NULL },
		/* Hosts are created many to one INSERT: the second "a" fails that INSERT, and the
		 * rows done again one by one fail as ever. */
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"hosts\":[{\"name\":\"a\"},"
		  "{\"name\":\"b\"},{\"name\":\"a\"}]}", 422, NULL },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"hosts\":[{\"name\":\"a\"},"
		  "{\"name\":\"b\",\"kind\":\"toaster\"}]}", 422, "hosts[b].kind" },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"prefixes\":[{\"prefix\":"
		  "\"10.9.0.0/24\",\"vlan\":\"ten\"}]}", 422, "prefixes[10.9.0.0/24].vlan" },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"prefixes\":[{\"prefix\":"
		  "\"10.9.0.0/24\",\"vlan\":77}]}", 422, "prefixes[10.9.0.0/24].vlan" },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"ports\":[{\"host\":\"r\","
		  "\"name\":\"e0\"}]}", 422, "ports[r/e0].host" },
		{ "/api/v1/import", "{\"format\":\"netsot-plan/1\",\"settings\":{\"log_denied\":"
		  "\"yes\"}}", 400, "log_denied" },
	};
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (api(&S, "POST", cases[i].path, ed, cases[i].body, &r) != cases[i].status)
			fail_msg("case %zu: %ld %s", i, r.status, r.body);
		if (cases[i].field != NULL && field_error(&r, cases[i].field) == NULL)
			fail_msg("case %zu: no error for %s in %s", i, cases[i].field, r.body);
		resp_free(&r);
	}
	/* A viewer may export, not import. */
	assert_int_equal(api(&S, "POST", "/api/v1/import", viewer, "{\"format\":"
	    "\"netsot-plan/1\"}", NULL), 403);
	assert_int_equal(api_count(&S, ed, "/api/v1/vlans"), 0);
	assert_int_equal(plan_changes(), 0);
}

/* One bad object among 1,000: nothing changes, and the error names it. */
static void
test_broken_plan(void **state)
{
	const char *args[] = { "import", NULL, "--db", S.db, NULL };
	char *plan = plan_of(1000, 700), *before, *after, *err = NULL, file[256];
	char *schema = schema_now(), *text;
	json_t *doc, *addrs;
	struct resp r;
	FILE *f;

	(void)state;
	before = export_now();
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, plan, &r), 422);
	/* Index 700: 10.20.3.201. */
	assert_non_null(strstr(r.body, "ip-addresses 10.20.3.201"));
	assert_non_null(field_error(&r, "ip-addresses[10.20.3.201].host"));
	assert_non_null(strstr(field_error(&r, "ip-addresses[10.20.3.201].host"), "ghost"));
	resp_free(&r);
	after = export_now();
	assert_string_equal(before, after);
	assert_int_equal(plan_changes(), 0);
	assert_int_equal(api_count(&S, ed, "/api/v1/ip-addresses"), 0);

	/* The command line says the same and exits 1. */
	snprintf(file, sizeof(file), "%s/broken.json", S.dir);
	assert_non_null(f = fopen(file, "w"));
	fputs(plan, f);
	fclose(f);
	args[1] = file;
	assert_int_equal(run_netsot(args, NULL, NULL, &err), 1);
	assert_non_null(strstr(err, "ip-addresses[10.20.3.201].host"));
	assert_int_equal(api_count(&S, ed, "/api/v1/ip-addresses"), 0);
	assert_schema(schema);

	/* Addresses go 64 to one INSERT: one written twice, in another batch than its first,
	 * fails that INSERT, and the objects done again one by one name it as ever. */
	doc = json_loads(plan, 0, NULL);
	addrs = json_object_get(doc, "ip-addresses");
	json_object_set(json_array_get(addrs, 200), "address",
	    json_object_get(json_array_get(addrs, 10), "address"));
	json_object_set_new(json_array_get(addrs, 700), "host", json_string("h1"));
	text = json_dumps(doc, JSON_COMPACT);
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, text, &r), 422);
	assert_non_null(strstr(r.body, "ip-addresses 10.20.1.11: the plan holds this object twice"));
	resp_free(&r);
	assert_int_equal(api_count(&S, ed, "/api/v1/ip-addresses"), 0);
	assert_int_equal(plan_changes(), 0);
	assert_schema(schema);
	json_decref(doc);
	free(text);
	free(schema);
	free(err);
	free(before);
	free(after);
	free(plan);
}

static void
test_merge_dry_run_and_audit(void **state)
{
	char *plan = plan_of(300, -1), *before, *text, path[160], *schema = schema_now();
	struct resp r;
	json_t *doc;

	(void)state;
	assert_int_equal(api(&S, "POST", "/api/v1/import?dry_run=true", ed, plan, &r), 200);
	assert_int_equal(summary(&r, "created"), 303);
	assert_true(json_is_true(json_object_get(r.json, "dry_run")));
	resp_free(&r);
	assert_int_equal(api_count(&S, ed, "/api/v1/ip-addresses"), 0);
	assert_schema(schema);
	assert_int_equal(plan_changes(), 0);

	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, plan, &r), 200);
	assert_int_equal(summary(&r, "created"), 303);
	/* Every write is in the audit log under the import's one request id. */
	snprintf(path, sizeof(path), "/api/v1/changes?request_id=%s",
	    json_string_value(json_object_get(r.json, "request_id")));
	assert_int_equal(api_count(&S, ed, path), 303);
	assert_int_equal(plan_changes(), 303);
	resp_free(&r);
	assert_int_equal(api_count(&S, ed, "/api/v1/ip-addresses"), 300);
	/* The indexes set aside for the bulk load are back, as the migrations define them. */
	assert_schema(schema);
	free(schema);

	/* The same file again: nothing is written or logged. */
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, plan, &r), 200);
	assert_int_equal(summary(&r, "unchanged"), 303);
	assert_int_equal(summary(&r, "created") + summary(&r, "updated"), 0);
	resp_free(&r);
	assert_int_equal(plan_changes(), 303);

	/* One changed field: one update; a dry run of it changes nothing. */
	doc = json_loads(plan, 0, NULL);
	json_object_set_new(json_array_get(json_object_get(doc, "vlans"), 0), "description",
	    json_string("hypervisors"));
	json_object_set_new(doc, "settings", json_pack("{s:s}", "forward_default_action",
	    "reject"));
	text = json_dumps(doc, 0);
	before = export_now();
	assert_int_equal(api(&S, "POST", "/api/v1/import?dry_run=1", ed, text, &r), 200);
	assert_int_equal(summary(&r, "updated"), 2);
	resp_free(&r);
	assert_export(before);
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, text, &r), 200);
	assert_int_equal(summary(&r, "updated"), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json,
	    "changes"), 0), "key")), "20");
	resp_free(&r);
	assert_int_equal(plan_changes(), 305);
	assert_int_equal(api_count(&S, ed, "/api/v1/vlans?q=hypervisors"), 1);
	json_decref(doc);
	free(text);
	free(plan);
}

/* Replace: what the file does not hold goes; a reference the file keeps stops it. */
static void
test_replace(void **state)
{
	const char *args[] = { "export", "--db", S.db, NULL };
	char *small = plan_of(10, -1), *text, *cli = NULL;
	struct resp r;
	json_t *doc;

	(void)state;
	text = export_now();
	assert_int_equal(api(&S, "POST", "/api/v1/import?mode=replace&dry_run=true", ed, small,
	    &r), 200);
	assert_int_equal(summary(&r, "deleted"), 290);
	resp_free(&r);
	assert_export(text);
	assert_int_equal(api(&S, "POST", "/api/v1/import?mode=replace", ed, small, &r), 200);
	assert_int_equal(summary(&r, "deleted"), 290);
	resp_free(&r);
	assert_int_equal(api_count(&S, ed, "/api/v1/ip-addresses"), 10);

	/* The file drops the VLAN, but its prefix still names it: 409, and nothing changes. */
	doc = json_loads(small, 0, NULL);
	json_object_set_new(doc, "vlans", json_array());
	text = json_dumps(doc, 0);
	free(small);
	small = export_now();
	assert_int_equal(api(&S, "POST", "/api/v1/import?mode=replace", ed, text, &r), 409);
	assert_non_null(field_error(&r, "vlans[20].prefixes"));
	resp_free(&r);
	assert_export(small);
	free(text);

	/* A file the database can become: exactly it, nothing more. */
	json_object_del(json_array_get(json_object_get(doc, "prefixes"), 0), "vlan");
	json_array_append_new(json_object_get(doc, "hosts"), json_pack("{s:s}", "name", "h2"));
	text = json_dumps(doc, 0);
	json_decref(doc);
	assert_int_equal(api(&S, "POST", "/api/v1/import?mode=replace", ed, text, &r), 200);
	assert_int_equal(summary(&r, "deleted"), 1);
	assert_int_equal(summary(&r, "created"), 1);
	assert_int_equal(summary(&r, "updated"), 1);
	resp_free(&r);
	free(text);
	text = export_now();
	doc = json_loads(text, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(doc, "vlans")), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "hosts")), 2);
	assert_int_equal(json_array_size(json_object_get(doc, "ip-addresses")), 10);
	json_decref(doc);
	assert_int_equal(run_netsot(args, NULL, &cli, NULL), 0);
	assert_string_equal(cli, text);
	free(cli);
	free(text);
}

/* The import route has its own body cap (400,000 bytes here). */
static void
test_body_cap(void **state)
{
	char *plan = plan_of(12000, -1);
	struct resp r;

	(void)state;
	assert_true(strlen(plan) > 400000);
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, plan, &r), 413);
	resp_free(&r);
	free(plan);
	plan = plan_of(5000, -1);
	assert_true(strlen(plan) > 1 << 17 && strlen(plan) < 400000);
	assert_int_equal(api(&S, "POST", "/api/v1/import?dry_run=true", ed, plan, &r), 200);
	resp_free(&r);
	free(plan);
}

/* Each imported address lands in its most specific prefix (the import answers from the
 * prefixes held in memory): nested prefixes, a gap a child leaves that its parents fill, a
 * sibling, both families; an address outside every prefix refuses the import. */
static void
test_nested_prefixes(void **state)
{
	static const char *const want[][2] = {
		{ "10.40.0.5", "10.40.0.0/16" },
		{ "10.40.1.1", "10.40.1.0/24" },
		{ "10.40.1.127", "10.40.1.0/24" },
		{ "10.40.1.128", "10.40.1.128/26" },
		{ "10.40.1.200", "10.40.1.128/25" },
		{ "10.40.2.1", "10.40.0.0/16" },
		{ "10.41.0.255", "10.41.0.0/24" },
		{ "2001:db8:40::1", "2001:db8:40::/48" },
		{ "2001:db8:40:1::9", "2001:db8:40:1::/64" },
		{ "2001:db8:40:2::1", "2001:db8:40::/48" },
	};
	static const char *const prefixes[] = { "10.40.0.0/16", "10.40.1.0/24", "10.40.1.128/25",
		"10.40.1.128/26", "10.41.0.0/24", "2001:db8:40::/48", "2001:db8:40:1::/64" };
	json_t *doc = json_pack("{s:s, s:[], s:[]}", "format", "netsot-plan/1", "prefixes",
	    "ip-addresses");
	char path[160], *text;
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		json_array_append_new(json_object_get(doc, "prefixes"), json_pack("{s:s}",
		    "prefix", prefixes[i]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		json_array_append_new(json_object_get(doc, "ip-addresses"), json_pack("{s:s}",
		    "address", want[i][0]));
	text = json_dumps(doc, JSON_COMPACT);
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, text, &r), 200);
	resp_free(&r);
	free(text);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/ip-addresses?address=%s", want[i][0]);
		assert_int_equal(api(&S, "GET", path, viewer, NULL, &r), 200);
		assert_int_equal(json_array_size(json_object_get(r.json, "results")), 1);
		snprintf(path, sizeof(path), "/api/v1/prefixes?prefix=%s", want[i][1]);
		assert_int_equal(json_integer_value(json_object_get(json_array_get(
		    json_object_get(r.json, "results"), 0), "prefix_id")), api_first_id(&S, viewer,
		    path));
		resp_free(&r);
	}

	json_array_append_new(json_object_get(doc, "ip-addresses"), json_pack("{s:s}",
	    "address", "10.42.0.1"));
	text = json_dumps(doc, JSON_COMPACT);
	assert_int_equal(api(&S, "POST", "/api/v1/import", ed, text, &r), 422);
	assert_non_null(strstr(r.body, "is not inside any prefix"));
	assert_non_null(strstr(r.body, "10.42.0.1"));
	resp_free(&r);
	free(text);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_broken_plan),
		cmocka_unit_test(test_merge_dry_run_and_audit),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_nested_prefixes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
