/* The generic resource driver against the real server, on vlans and hosts: CRUD, strict input,
 * uniqueness, ETags, lists, bulk creates, roles, the audit log, and a page's bytes. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static long
call(const char *method, const char *path, const char *token, const char *body,
    struct resp *out)
{
	return api(&S, method, path, token, body, out);
}

static void
test_crud(void **state)
{
	char loc[64], path[64], etag[64], etag2[64];
	struct resp r;
	long long id;

	(void)state;
	assert_int_equal(call("POST", "/api/v1/vlans", ed,
	    "{\"vid\":20,\"name\":\"compute\",\"description\":\"Proxmox nodes\","
	    "\"tags\":[\"core\"]}", &r), 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	snprintf(path, sizeof(path), "/api/v1/vlans/%lld", id);
	assert_string_equal(resp_header(&r, "Location", loc, sizeof(loc)), path);
	assert_non_null(json_string_value(json_object_get(r.json, "created_at")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "tags"), 0)),
	    "core");
	resp_free(&r);

	assert_int_equal(call("GET", path, vi, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "vid")), 20);
	assert_non_null(resp_header(&r, "ETag", etag, sizeof(etag)));
	resp_free(&r);

	assert_int_equal(call("PATCH", path, ed, "{\"description\":\"hypervisors\"}", &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "description")),
	    "hypervisors");
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "compute");
	assert_non_null(resp_header(&r, "ETag", etag2, sizeof(etag2)));
	assert_string_not_equal(etag, etag2);
	resp_free(&r);

	/* PUT replaces: what it leaves out returns to the default. */
	assert_int_equal(call("PUT", path, ed, "{\"vid\":21,\"name\":\"compute\"}", &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "description")), "");
	assert_int_equal(json_array_size(json_object_get(r.json, "tags")), 0);
	resp_free(&r);

	assert_int_equal(call("DELETE", path, ed, NULL, NULL), 204);
	assert_int_equal(call("GET", path, vi, NULL, NULL), 404);
	assert_int_equal(call("DELETE", path, ed, NULL, NULL), 404);
	assert_int_equal(call("PATCH", path, ed, "{\"name\":\"x\"}", NULL), 404);
}

static void
test_strict_input(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(call("POST", "/api/v1/vlans", ed,
	    "{\"vid\":30,\"name\":\"app\",\"colour\":\"red\"}", &r), 400);
	assert_non_null(field_error(&r, "colour"));
	resp_free(&r);
	assert_int_equal(call("POST", "/api/v1/vlans", ed,
	    "{\"vid\":\"30\",\"name\":\"app\"}", &r), 400);
	assert_non_null(field_error(&r, "vid"));
	resp_free(&r);
	assert_int_equal(call("POST", "/api/v1/vlans", ed,
	    "{\"vid\":30,\"name\":\"app\",\"id\":7}", &r), 400);
	assert_non_null(field_error(&r, "id"));
	resp_free(&r);
	assert_int_equal(call("POST", "/api/v1/vlans", ed, "{\"vid\":4095,\"name\":\"app\"}", &r),
	    422);
	assert_non_null(field_error(&r, "vid"));
	resp_free(&r);
	assert_int_equal(call("POST", "/api/v1/vlans", ed, "{\"vid\":0,\"name\":\"app\"}", NULL),
	    422);
	assert_int_equal(call("POST", "/api/v1/vlans", ed, "{\"name\":\"app\"}", &r), 422);
	assert_non_null(field_error(&r, "vid"));
	resp_free(&r);
	assert_int_equal(call("POST", "/api/v1/vlans", ed, "{\"vid\":30,\"name\":null}", &r), 422);
	assert_non_null(field_error(&r, "name"));
	resp_free(&r);
	assert_int_equal(call("POST", "/api/v1/vlans", ed,
	    "{\"vid\":30,\"name\":\"app\",\"tags\":[1]}", NULL), 422);
	assert_int_equal(call("POST", "/api/v1/hosts", ed, "{\"name\":\"bad_name\"}", &r), 422);
	assert_non_null(field_error(&r, "name"));
	resp_free(&r);
	assert_int_equal(call("POST", "/api/v1/hosts", ed,
	    "{\"name\":\"pve1\",\"kind\":\"toaster\"}", NULL), 422);
	assert_int_equal(call("POST", "/api/v1/hosts", ed,
	    "{\"name\":\"pve1\",\"vars\":[1]}", NULL), 400);
	assert_int_equal(call("POST", "/api/v1/vlans", ed, "[1,2]", NULL), 400);
	assert_int_equal(call("POST", "/api/v1/vlans", ed, "[]", NULL), 400);
	/* Nothing of the above was stored. */
	assert_int_equal(call("GET", "/api/v1/vlans?vid=30", vi, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 0);
	resp_free(&r);
}

static void
test_unique_409(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(call("POST", "/api/v1/vlans", ed, "{\"vid\":40,\"name\":\"obs\"}", NULL),
	    201);
	assert_int_equal(call("POST", "/api/v1/vlans", ed, "{\"vid\":40,\"name\":\"other\"}", &r),
	    409);
	assert_non_null(field_error(&r, "vid"));
	resp_free(&r);
	assert_int_equal(call("POST", "/api/v1/vlans", ed, "{\"vid\":41,\"name\":\"obs\"}", &r),
	    409);
	assert_non_null(field_error(&r, "name"));
	resp_free(&r);
}

static void
test_etags(void **state)
{
	char etag[64], path[64], hdr[128];
	struct resp r;

	(void)state;
	assert_int_equal(call("POST", "/api/v1/hosts", ed, "{\"name\":\"git\"}", &r), 201);
	snprintf(path, sizeof(path), "/api/v1/hosts/%lld",
	    (long long)json_integer_value(json_object_get(r.json, "id")));
	assert_non_null(resp_header(&r, "ETag", etag, sizeof(etag)));
	resp_free(&r);
	/* If-None-Match with the current ETag: 304, no body. */
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag);
	assert_int_equal(req_hdr(&S, "GET", path, vi, hdr, NULL, &r), 0);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	resp_free(&r);
	/* If-Match with the current ETag succeeds once; the second, now stale, is 412. */
	snprintf(hdr, sizeof(hdr), "If-Match: %s", etag);
	assert_int_equal(req_hdr(&S, "PATCH", path, ed, hdr, "{\"description\":\"one\"}", &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	assert_int_equal(req_hdr(&S, "PATCH", path, ed, hdr, "{\"description\":\"two\"}", &r), 0);
	assert_problem(&r, 412);
	resp_free(&r);
	assert_int_equal(req_hdr(&S, "DELETE", path, ed, hdr, NULL, &r), 0);
	assert_problem(&r, 412);
	resp_free(&r);
	assert_int_equal(call("GET", path, vi, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "description")), "one");
	resp_free(&r);
}

static void
test_bulk_all_or_none(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(call("POST", "/api/v1/vlans", ed,
	    "[{\"vid\":50,\"name\":\"dev\"},{\"vid\":60,\"name\":\"mgmt\"},"
	    "{\"vid\":60,\"name\":\"dup\"}]", &r), 409);
	assert_non_null(field_error(&r, "[2].vid"));
	resp_free(&r);
	assert_int_equal(call("GET", "/api/v1/vlans?vid=50&vid=60", vi, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 0);
	resp_free(&r);
	assert_int_equal(call("POST", "/api/v1/vlans", ed,
	    "[{\"vid\":50,\"name\":\"dev\"},{\"vid\":60,\"name\":\"mgmt\"}]", &r), 201);
	assert_int_equal(json_array_size(r.json), 2);
	resp_free(&r);
}

static void
test_lists(void **state)
{
	char body[128];
	struct resp r;
	int i;

	(void)state;
	for (i = 0; i < 30; i++) {
		snprintf(body, sizeof(body), "{\"vid\":%d,\"name\":\"lab-%02d\",\"tags\":[\"%s\"]}",
		    1000 + i, i, i % 2 ? "odd" : "even");
		assert_int_equal(call("POST", "/api/v1/vlans", ed, body, NULL), 201);
	}
	assert_int_equal(call("GET", "/api/v1/vlans?q=lab-&limit=10&offset=10&ordering=-vid", vi,
	    NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 30);
	assert_int_equal(json_array_size(json_object_get(r.json, "results")), 10);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(r.json, "results"), 0), "vid")), 1019);
	assert_string_equal(json_string_value(json_object_get(r.json, "next")),
	    "/api/v1/vlans?q=lab-&ordering=-vid&limit=10&offset=20");
	assert_string_equal(json_string_value(json_object_get(r.json, "previous")),
	    "/api/v1/vlans?q=lab-&ordering=-vid&limit=10&offset=0");
	resp_free(&r);
	assert_int_equal(call("GET", "/api/v1/vlans?vid__gte=1010&vid__lte=1014", vi, NULL, &r),
	    200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 5);
	assert_true(json_is_null(json_object_get(r.json, "next")));
	resp_free(&r);
	assert_int_equal(call("GET", "/api/v1/vlans?tag=odd&q=lab", vi, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 15);
	resp_free(&r);
	assert_int_equal(call("GET", "/api/v1/vlans?name=lab-01&name=lab-02", vi, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 2);
	resp_free(&r);
	/* A search term with LIKE's wildcards matches them literally. */
	assert_int_equal(call("GET", "/api/v1/vlans?q=%25", vi, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 0);
	resp_free(&r);
	assert_int_equal(call("GET", "/api/v1/vlans?limit=0", vi, NULL, NULL), 400);
	assert_int_equal(call("GET", "/api/v1/vlans?limit=1001", vi, NULL, NULL), 400);
	assert_int_equal(call("GET", "/api/v1/vlans?offset=-1", vi, NULL, NULL), 400);
	assert_int_equal(call("GET", "/api/v1/vlans?ordering=description", vi, NULL, NULL), 400);
	assert_int_equal(call("GET", "/api/v1/vlans?colour=red", vi, NULL, NULL), 400);
	assert_int_equal(call("GET", "/api/v1/vlans?vid=abc", vi, NULL, NULL), 400);
	assert_int_equal(call("GET", "/api/v1/vlans?name__gte=a", vi, NULL, NULL), 400);
}

/* The page's results are, byte for byte, the bodies of each object's own GET joined by
 * commas: a list and a read write rows with the same code, and neither may drift. */
static void
assert_page_is_objects(const char *list, const char *base)
{
	struct resp page, one;
	char path[160];
	size_t i, n, off;
	json_t *items;
	char *want;

	assert_int_equal(call("GET", list, vi, NULL, &page), 200);
	items = json_object_get(page.json, "results");
	n = json_array_size(items);
	assert_true(n >= 2);
	want = malloc(page.len + 1);
	assert_non_null(want);
	off = (size_t)snprintf(want, page.len + 1, "\"results\":[");
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%lld", base, (long long)json_integer_value(
		    json_object_get(json_array_get(items, i), "id")));
		assert_int_equal(call("GET", path, vi, NULL, &one), 200);
		assert_true(off + one.len + 3 <= page.len);
		if (i > 0)
			want[off++] = ',';
		memcpy(want + off, one.body, one.len);
		off += one.len;
		resp_free(&one);
	}
	memcpy(want + off, "]}", 3);
	off += 2;
	assert_true(page.len >= off);
	assert_memory_equal(page.body + page.len - off, want, off);
	free(want);
	resp_free(&page);
}

static void
test_page_bytes(void **state)
{
	long long host, vlan, port;
	char body[256];
	struct resp r;

	(void)state;
	/* Strings that need escapes at the start, in the middle and at the end of a word of
	 * eight, lists, objects, non-ASCII text, nulls and integers. */
	host = api_create(&S, ed, "/api/v1/hosts", "{\"name\":\"page-a\",\"groups\":[\"web\","
	    "\"db\"],\"vars\":{\"a_b\":\"x\\\"y\",\"n\":[1,2]},\"description\":"
	    "\"\\\"quoted\\\" and back\\\\slash, caf\u00e9 \u2603 tail\\\"\"}");
	api_create(&S, ed, "/api/v1/hosts", "{\"name\":\"page-b\",\"description\":\"1234567\\\\\"}");
	api_create(&S, ed, "/api/v1/hosts", "{\"name\":\"page-c\",\"description\":\"12345678\"}");
	assert_page_is_objects("/api/v1/hosts?q=page-&limit=3", "/api/v1/hosts");
	/* The escapes themselves, exactly. */
	snprintf(body, sizeof(body), "/api/v1/hosts/%lld", host);
	assert_int_equal(call("GET", body, vi, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"groups\":[\"web\",\"db\"],\"vars\":{\"a_b\":\"x\\\"y\","
	    "\"n\":[1,2]},\"description\":\"\\\"quoted\\\" and back\\\\slash, caf\u00e9 \u2603 "
	    "tail\\\"\","));
	resp_free(&r);

	/* Booleans, a reference that is null, and the computed utilization after the row. */
	vlan = api_create(&S, ed, "/api/v1/vlans", "{\"vid\":3900,\"name\":\"page-v\"}");
	snprintf(body, sizeof(body), "{\"prefix\":\"10.77.0.0/16\",\"vlan_id\":%lld,"
	    "\"dhcp\":true}", vlan);
	api_create(&S, ed, "/api/v1/prefixes", "%s", body);
	api_create(&S, ed, "/api/v1/prefixes", "{\"prefix\":\"10.77.1.0/24\"}");
	assert_page_is_objects("/api/v1/prefixes?q=10.77.", "/api/v1/prefixes");
	snprintf(body, sizeof(body), "{\"address\":\"10.77.1.5\",\"host_id\":%lld,"
	    "\"dns_name\":\"page-a.example.net\",\"interface\":\"eth0\"}", host);
	api_create(&S, ed, "/api/v1/ip-addresses", "%s", body);
	api_create(&S, ed, "/api/v1/ip-addresses", "{\"address\":\"10.77.1.6\"}");
	assert_page_is_objects("/api/v1/ip-addresses?q=10.77.1.", "/api/v1/ip-addresses");

	/* A list kept in a join table. */
	snprintf(body, sizeof(body), "{\"host_id\":%lld,\"name\":\"lan1\",\"mode\":\"trunk\","
	    "\"tagged_vlan_ids\":[%lld]}", host, vlan);
	port = api_create(&S, ed, "/api/v1/ports", "%s", body);
	snprintf(body, sizeof(body), "{\"host_id\":%lld,\"name\":\"lan2\",\"speed_mbps\":1000}",
	    host);
	api_create(&S, ed, "/api/v1/ports", "%s", body);
	snprintf(body, sizeof(body), "/api/v1/ports?host_id=%lld", host);
	assert_page_is_objects(body, "/api/v1/ports");
	snprintf(body, sizeof(body), "/api/v1/ports/%lld", port);
	assert_int_equal(call("GET", body, vi, NULL, &r), 200);
	assert_non_null(strstr(r.body, ",\"speed_mbps\":null,"));
	resp_free(&r);

	/* The singleton is shown without its id: its first key has no comma before it. */
	assert_int_equal(call("GET", "/api/v1/settings", vi, NULL, &r), 200);
	assert_true(r.len > 2 && r.body[0] == '{' && r.body[1] == '"');
	assert_null(json_object_get(r.json, "id"));
	resp_free(&r);
}

static void
test_roles(void **state)
{
	(void)state;
	assert_int_equal(call("POST", "/api/v1/vlans", vi, "{\"vid\":99,\"name\":\"dmz\"}", NULL),
	    403);
	assert_int_equal(call("DELETE", "/api/v1/vlans/1", vi, NULL, NULL), 403);
	assert_int_equal(call("GET", "/api/v1/vlans", NULL, NULL, NULL), 401);
	assert_int_equal(call("GET", "/api/v1/nonsense", vi, NULL, NULL), 404);
	assert_int_equal(call("POST", "/api/v1/changes", ed, "{}", NULL), 405);
	assert_int_equal(call("DELETE", "/api/v1/changes/1", ed, NULL, NULL), 405);
}

static void
test_audit_log(void **state)
{
	char path[96];
	struct resp r;
	long long id;
	json_t *c;

	(void)state;
	assert_int_equal(call("POST", "/api/v1/vlans", ed, "{\"vid\":77,\"name\":\"audit\"}", &r),
	    201);
	id = json_integer_value(json_object_get(r.json, "id"));
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/vlans/%lld", id);
	assert_int_equal(call("PATCH", path, ed, "{\"name\":\"audited\"}", NULL), 200);
	assert_int_equal(call("DELETE", path, ed, NULL, NULL), 204);
	snprintf(path, sizeof(path), "/api/v1/vlans/%lld/changes", id);
	assert_int_equal(call("GET", path, vi, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 3);
	c = json_array_get(json_object_get(r.json, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "action")), "create");
	assert_string_equal(json_string_value(json_object_get(c, "username")), "ed");
	assert_true(json_is_null(json_object_get(c, "before")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "after"), "vid")),
	    77);
	c = json_array_get(json_object_get(r.json, "results"), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(c, "before"),
	    "name")), "audit");
	assert_string_equal(json_string_value(json_object_get(json_object_get(c, "after"),
	    "name")), "audited");
	c = json_array_get(json_object_get(r.json, "results"), 2);
	assert_string_equal(json_string_value(json_object_get(c, "action")), "delete");
	assert_true(json_is_null(json_object_get(c, "after")));
	resp_free(&r);
	/* The whole log filters by user and object type; failed writes left nothing. */
	assert_int_equal(call("GET", "/api/v1/changes?username=vi", vi, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 0);
	resp_free(&r);
	assert_int_equal(call("GET", "/api/v1/changes?object_type=vlan&action=delete", vi, NULL,
	    &r), 200);
	assert_true(json_integer_value(json_object_get(r.json, "count")) >= 2);
	resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crud),
		cmocka_unit_test(test_strict_input),
		cmocka_unit_test(test_unique_409),
		cmocka_unit_test(test_etags),
		cmocka_unit_test(test_bulk_all_or_none),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_page_bytes),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_audit_log),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
