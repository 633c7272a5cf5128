/* Tests for server/http/routes.c: method names, path patterns, 404 and 405 with Allow. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "listing.h"
#include "routes.h"

static int
h_list(struct req *r, struct reply *rep, struct api_err *err)
{
	(void)r, (void)rep, (void)err;
	return 0;
}

static int
h_create(struct req *r, struct reply *rep, struct api_err *err)
{
	(void)r, (void)rep, (void)err;
	return 0;
}

static int
h_item(struct req *r, struct reply *rep, struct api_err *err)
{
	(void)r, (void)rep, (void)err;
	return 0;
}

static int
h_named(struct req *r, struct reply *rep, struct api_err *err)
{
	(void)r, (void)rep, (void)err;
	return 0;
}

static int
h_new(struct req *r, struct reply *rep, struct api_err *err)
{
	(void)r, (void)rep, (void)err;
	return 0;
}

static const struct route table[] = {
	{ HTTP_GET, "/things", h_list, ROLE_VIEWER, NULL, 0, NULL },
	{ HTTP_POST, "/things", h_create, ROLE_EDITOR, NULL, 0, NULL },
	{ HTTP_GET | HTTP_PUT | HTTP_DELETE, "/things/{id}", h_item, ROLE_EDITOR, NULL, 0, NULL },
	{ HTTP_PATCH, "/things/{id}/parts/{id}", h_item, ROLE_ADMIN, NULL, 0, NULL },
	{ HTTP_GET, "/sites/new", h_new, ROLE_NONE, NULL, 0, NULL },
	{ HTTP_GET | HTTP_PATCH, "/sites/{name}", h_named, ROLE_VIEWER, NULL, 0, NULL },
	{ HTTP_DELETE | HTTP_PATCH, "/sites/{name}/x", h_named, ROLE_ADMIN, NULL, 0, NULL },
	{ HTTP_GET, "/api/dcim/devices", h_list, ROLE_VIEWER, NULL, ROUTE_SLASH, NULL },
	{ 0, NULL, NULL, ROLE_NONE, NULL, 0, NULL },
};

/* Matches in tbl, expecting a hit; returns the route and fills m. */
static const struct route *
hit(const struct route *tbl, const char *method, const char *path, struct route_match *m)
{
	struct api_err err;
	const struct route *r;

	api_err_init(&err);
	memset(m, 0x7f, sizeof(*m));
	r = routes_match(tbl, method, path, m, &err);
	if (r == NULL)
		fail_msg("%s %s: no match (%d %s)", method, path, err.status, err.detail);
	assert_int_equal(err.status, 0);
	api_err_free(&err);
	return r;
}

/* Matches in tbl, expecting a miss with status; returns err.allow in allow. */
static void
miss(const struct route *tbl, const char *method, const char *path, int status,
    const char *allow)
{
	struct route_match m = { 4242, "untouched" };
	struct api_err err;

	api_err_init(&err);
	if (routes_match(tbl, method, path, &m, &err) != NULL)
		fail_msg("%s '%s' matched", method, path);
	if (err.status != status)
		fail_msg("%s '%s': status %d, want %d", method, path, err.status, status);
	assert_string_equal(err.allow, allow);
	/* A miss leaves the match alone. */
	assert_int_equal(m.id, 4242);
	assert_string_equal(m.param, "untouched");
	api_err_free(&err);
}

/* A ROUTE_SLASH route takes its path with one trailing slash too; no other route does. */
static void
test_trailing_slash(void **state)
{
	struct route_match m;

	(void)state;
	assert_ptr_equal(hit(table, "GET", "/api/dcim/devices", &m), &table[7]);
	assert_ptr_equal(hit(table, "GET", "/api/dcim/devices/", &m), &table[7]);
	miss(table, "GET", "/api/dcim/devices//", 404, "");
	miss(table, "GET", "/api/dcim/devices/x", 404, "");
	miss(table, "POST", "/api/dcim/devices/", 405, "GET, HEAD");
	miss(table, "GET", "/things/", 404, "");
	miss(table, "GET", "/things/1/", 404, "");
}

static void
test_methods(void **state)
{
	(void)state;
	assert_int_equal(routes_method("GET"), HTTP_GET);
	assert_int_equal(routes_method("HEAD"), HTTP_GET);
	assert_int_equal(routes_method("POST"), HTTP_POST);
	assert_int_equal(routes_method("PUT"), HTTP_PUT);
	assert_int_equal(routes_method("PATCH"), HTTP_PATCH);
	assert_int_equal(routes_method("DELETE"), HTTP_DELETE);
	assert_int_equal(routes_method("OPTIONS"), 0);
	assert_int_equal(routes_method("TRACE"), 0);
	assert_int_equal(routes_method("CONNECT"), 0);
	assert_int_equal(routes_method("get"), 0);       /* methods are case-sensitive */
	assert_int_equal(routes_method("GETX"), 0);
	assert_int_equal(routes_method(""), 0);
}

static void
test_exact_match(void **state)
{
	struct route_match m;

	(void)state;
	assert_ptr_equal(hit(table, "GET", "/things", &m), &table[0]);
	assert_int_equal(m.id, 0);
	assert_string_equal(m.param, "");
	assert_ptr_equal(hit(table, "POST", "/things", &m), &table[1]);
	assert_ptr_equal(hit(table, "HEAD", "/things", &m), &table[0]);
	/* A literal segment listed first wins over {name}. */
	assert_ptr_equal(hit(table, "GET", "/sites/new", &m), &table[4]);
}

static void
test_id_capture(void **state)
{
	struct route_match m;

	(void)state;
	assert_ptr_equal(hit(table, "GET", "/things/1", &m), &table[2]);
	assert_int_equal(m.id, 1);
	assert_ptr_equal(hit(table, "DELETE", "/things/1234567", &m), &table[2]);
	assert_int_equal(m.id, 1234567);
	assert_ptr_equal(hit(table, "PUT", "/things/9223372036854775807", &m), &table[2]);
	assert_true(m.id == 9223372036854775807LL);
	assert_string_equal(m.param, "");
	/* With two {id} segments the last one is kept. */
	assert_ptr_equal(hit(table, "PATCH", "/things/3/parts/8", &m), &table[3]);
	assert_int_equal(m.id, 8);
}

static void
test_id_rejects(void **state)
{
	static const char *const bad[] = {
		"/things/0",
		"/things/00",
		"/things/007",
		"/things/+5",
		"/things/-5",
		"/things/ 5",
		"/things/5a",
		"/things/a5",
		"/things/1.5",
		"/things/0x10",
		"/things/9223372036854775808",       /* one past LLONG_MAX */
		"/things/99999999999999999999",
		"/things/123456789012345678901234567890",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		miss(table, "GET", bad[i], 404, "");
}

static void
test_name_capture(void **state)
{
	struct route_match m;
	char path[200], seg[128];

	(void)state;
	assert_ptr_equal(hit(table, "GET", "/sites/ams-1", &m), &table[5]);
	assert_string_equal(m.param, "ams-1");
	assert_int_equal(m.id, 0);
	assert_ptr_equal(hit(table, "PATCH", "/sites/0", &m), &table[5]);
	assert_string_equal(m.param, "0");
	assert_ptr_equal(hit(table, "DELETE", "/sites/%20x/x", &m), &table[6]);
	assert_string_equal(m.param, "%20x");
	/* The longest name that fits param, and one byte more. */
	memset(seg, 'n', sizeof(seg) - 1);
	seg[sizeof(seg) - 1] = '\0';
	snprintf(path, sizeof(path), "/sites/%s", seg);
	assert_ptr_equal(hit(table, "GET", path, &m), &table[5]);
	assert_string_equal(m.param, seg);
	snprintf(path, sizeof(path), "/sites/%sn", seg);
	miss(table, "GET", path, 404, "");
}

static void
test_not_found(void **state)
{
	static const char *const bad[] = {
		"", "/", "things", "/thing", "/thingss", "/things/", "//things", "/things//1",
		"/things/1/", "/things/1/parts", "/sites", "/sites/", "/sites//x", "/THINGS",
		"/things?x=1", "/things/1/parts/2/3",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		miss(table, "GET", bad[i], 404, "");
	/* A method we never serve on a path that does not exist is still 404. */
	miss(table, "BREW", "/nowhere", 404, "");
}

static void
test_method_not_allowed(void **state)
{
	struct route_match m = { 0, "" };
	struct api_err err;

	(void)state;
	miss(table, "DELETE", "/things", 405, "GET, HEAD, POST");
	miss(table, "POST", "/things/5", 405, "GET, HEAD, PUT, DELETE");
	miss(table, "GET", "/things/5/parts/6", 405, "PATCH");
	miss(table, "GET", "/sites/a/x", 405, "PATCH, DELETE");
	/* "/sites/new" is both the literal route and a {name}: both add to Allow. */
	miss(table, "DELETE", "/sites/new", 405, "GET, HEAD, PATCH");
	miss(table, "OPTIONS", "/things", 405, "GET, HEAD, POST");

	api_err_init(&err);
	assert_null(routes_match(table, "PUT", "/things", &m, &err));
	assert_int_equal(err.status, 405);
	assert_string_equal(err.detail, "PUT is not allowed here; allowed: GET, HEAD, POST");
	api_err_free(&err);
	/* An unknown method is not echoed back. */
	assert_null(routes_match(table, "X<script>", "/things", &m, &err));
	assert_int_equal(err.status, 405);
	assert_string_equal(err.detail, "this method is not allowed here; allowed: GET, HEAD, POST");
	api_err_free(&err);
}

static void
test_builtin_table(void **state)
{
	struct route_match m;
	const struct route *r;

	(void)state;
	r = hit(NULL, "GET", "/healthz", &m);
	assert_int_equal(r->role, ROLE_NONE);
	assert_string_equal(r->pattern, "/healthz");
	r = hit(NULL, "HEAD", "/healthz", &m);
	assert_string_equal(r->pattern, "/healthz");
	r = hit(NULL, "POST", "/api/v1/auth/login", &m);
	assert_int_equal(r->role, ROLE_NONE);
	r = hit(NULL, "GET", "/api/v1/auth/me", &m);
	assert_int_equal(r->role, ROLE_VIEWER);
	r = hit(NULL, "PATCH", "/api/v1/users/42", &m);
	assert_int_equal(r->method, HTTP_PATCH);
	assert_int_equal(r->role, ROLE_ADMIN);
	assert_int_equal(m.id, 42);
	r = hit(NULL, "DELETE", "/api/v1/tokens/7", &m);
	assert_string_equal(r->pattern, "/api/v1/tokens/{id}");
	assert_int_equal(m.id, 7);
	/* Only the health check, the login, the contract and the web UI's static files are
	 * public. */
	for (r = routes_table; r->pattern != NULL; r++)
		if (r->role == ROLE_NONE && strcmp(r->pattern, "/healthz") != 0 &&
		    strcmp(r->pattern, "/api/v1/auth/login") != 0 && strcmp(r->pattern, "/") != 0 &&
		    strcmp(r->pattern, "/web/{name}") != 0 &&
		    strcmp(r->pattern, "/api/v1/openapi.yaml") != 0)
			fail_msg("%s is public", r->pattern);
	r = hit(NULL, "GET", "/", &m);
	assert_string_equal(r->pattern, "/");
	r = hit(NULL, "GET", "/web/app.js", &m);
	assert_string_equal(m.param, "app.js");

	/* Bodies: whole plans only on the import, a few fields on the login; repeats only in
	 * lists. */
	for (r = routes_table; r->pattern != NULL; r++) {
		if ((r->flags & ROUTE_PLAN_BODY) && strcmp(r->pattern, "/api/v1/import") != 0)
			fail_msg("%s takes plan-sized bodies", r->pattern);
		if ((r->flags & ROUTE_LIST) && r->method != HTTP_GET)
			fail_msg("%s is a list but not a GET", r->pattern);
	}
	assert_true(hit(NULL, "POST", "/api/v1/import", &m)->flags & ROUTE_PLAN_BODY);
	assert_true(hit(NULL, "POST", "/api/v1/auth/login", &m)->flags & ROUTE_SMALL_BODY);
	assert_true(hit(NULL, "GET", "/api/v1/vlans", &m)->flags & ROUTE_LIST);
	assert_true(hit(NULL, "GET", "/api/v1/changes", &m)->flags & ROUTE_LIST);
	assert_true(hit(NULL, "GET", "/api/v1/vlans/1/changes", &m)->flags & ROUTE_LIST);
	assert_false(hit(NULL, "GET", "/api/v1/render/hosts", &m)->flags & ROUTE_LIST);
	assert_false(hit(NULL, "POST", "/api/v1/vlans", &m)->flags & (ROUTE_LIST |
	    ROUTE_PLAN_BODY | ROUTE_SMALL_BODY));

	miss(NULL, "GET", "/api/v1/users/0", 404, "");
	miss(NULL, "PATCH", "/api/v1/users/01", 404, "");
	miss(NULL, "PATCH", "/api/v1/users/-1", 404, "");
	miss(NULL, "PATCH", "/api/v1/users/99999999999999999999", 404, "");
	miss(NULL, "GET", "/api/v1/users/", 404, "");
	miss(NULL, "GET", "/api/v1//users", 404, "");
	miss(NULL, "GET", "/api/v2/users", 404, "");
	miss(NULL, "GET", "", 404, "");
	miss(NULL, "GET", "/healthz/", 404, "");

	miss(NULL, "DELETE", "/api/v1/users", 405, "GET, HEAD, POST");
	/* Users, tokens and settings are served only by their own lines (admin, or editor for
	 * the settings), never by the generic /{res} ones with their editor role. */
	miss(NULL, "PUT", "/api/v1/users/3", 405, "GET, HEAD, PATCH, DELETE");
	miss(NULL, "PUT", "/api/v1/tokens/3", 405, "GET, HEAD, DELETE");
	miss(NULL, "PATCH", "/api/v1/tokens/3", 405, "GET, HEAD, DELETE");
	miss(NULL, "POST", "/api/v1/settings", 405, "GET, HEAD, PATCH");
	miss(NULL, "GET", "/api/v1/settings/1", 404, "");
	miss(NULL, "GET", "/api/v1/users/3/changes", 404, "");
	for (r = routes_table; r->pattern != NULL; r++)
		if (r->arg != NULL && (strcmp(r->arg, "users") == 0 ||
		    strcmp(r->arg, "tokens") == 0) && r->role != ROLE_ADMIN)
			fail_msg("%s is not for admins only", r->pattern);
	miss(NULL, "GET", "/api/v1/auth/login", 405, "POST");
	miss(NULL, "POST", "/healthz", 405, "GET, HEAD");
	miss(NULL, "PUT", "/api/v1/tokens", 405, "GET, HEAD, POST");
}

/* Declared query parameters: well formed, one each, and a list's never shadow a filter. */
static void
test_params(void **state)
{
	const struct qparam *p, *q;
	const struct resource *res;
	const struct route *r;
	struct route_match m;
	size_t i;

	(void)state;
	for (r = routes_table; r->pattern != NULL; r++) {
		if ((r->flags & ROUTE_LIST) && r->params != routes_list_params)
			fail_msg("%s is a list without the list parameters", r->pattern);
		for (p = r->params; p != NULL && p->name != NULL; p++) {
			assert_ptr_equal(routes_param(r, p->name), p);
			if (p->type == Q_INT && p->min > p->max)
				fail_msg("%s ?%s: empty range", r->pattern, p->name);
			if (p->type == Q_ENUM && (p->values == NULL || p->values[0] == NULL))
				fail_msg("%s ?%s: no values", r->pattern, p->name);
			for (q = r->params; q != p; q++)
				assert_string_not_equal(q->name, p->name);
			for (i = 0; (r->flags & ROUTE_LIST) && (res = resource_table[i]) != NULL;
			    i++)
				if (listing_filter(res, p->name))
					fail_msg("%s ?%s is also a filter", res->name, p->name);
		}
	}
	r = hit(NULL, "GET", "/api/v1/prefixes/3/available-ips", &m);
	p = routes_param(r, "limit");
	assert_non_null(p);
	assert_int_equal(p->type, Q_INT);
	assert_int_equal(p->min, 1);
	assert_int_equal(p->max, 1000);
	assert_null(routes_param(r, "offset"));
	r = hit(NULL, "POST", "/api/v1/import", &m);
	assert_int_equal(routes_param(r, "dry_run")->type, Q_BOOL);
	assert_int_equal(routes_param(r, "mode")->type, Q_ENUM);
	assert_null(routes_param(hit(NULL, "GET", "/api/v1/vlans/1", &m), "limit"));
	assert_true(hit(NULL, "GET", "/api/v1/render/hosts", &m)->flags & ROUTE_TARGET);
	/* The inventory is a target without parameters: the route refuses any. */
	assert_false(hit(NULL, "GET", "/api/v1/inventory", &m)->flags & ROUTE_TARGET);
}

/* The generic value parsers every door shares. */
static void
test_parsers(void **state)
{
	long long v;
	bool b;

	(void)state;
	assert_int_equal(http_int("42", 1, 1000, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(http_int("1001", 1, 1000, &v), -1);
	assert_int_equal(http_int("0", 1, 1000, &v), -1);
	assert_int_equal(http_int("", 1, 1000, &v), -1);
	assert_int_equal(http_int("4x", 1, 1000, &v), -1);
	assert_int_equal(http_int("99999999999999999999", 0, LLONG_MAX, &v), -1);
	assert_int_equal(http_bool("true", &b), 0);
	assert_true(b);
	assert_int_equal(http_bool("0", &b), 0);
	assert_false(b);
	assert_int_equal(http_bool("yes", &b), -1);
	assert_int_equal(http_bool("", &b), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_trailing_slash),
		cmocka_unit_test(test_exact_match),
		cmocka_unit_test(test_id_capture),
		cmocka_unit_test(test_id_rejects),
		cmocka_unit_test(test_name_capture),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_builtin_table),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_parsers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
