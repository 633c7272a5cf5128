/* The HTTP core against the real server: routing, errors, body limits, request ids, the access
 * log, keep-alive, timeouts and a clean stop. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASSWORD "correct horse"

static struct srv S;
static char *admin;

static int
setup(void **state)
{
	static const char *const flags[] = { "--max-body", "2048", "--timeout", "2", NULL };

	(void)state;
	srv_prepare(&S);
	srv_add_user(&S, "admin", "admin", PASSWORD);
	srv_start(&S, flags);
	admin = login(&S, "admin", PASSWORD);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(admin);
	srv_stop(&S);
	srv_cleanup(&S);
	return 0;
}

static void
assert_alive(void)
{
	struct resp r;

	assert_int_equal(req(&S, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

static void
test_healthz(void **state)
{
	char a[64], b[64];
	struct resp r1, r2;

	(void)state;
	assert_int_equal(req(&S, "GET", "/healthz", NULL, NULL, NULL, &r1), 0);
	assert_int_equal(r1.status, 200);
	assert_string_equal(json_string_value(json_object_get(r1.json, "status")), "ok");
	assert_non_null(resp_header(&r1, "X-Request-Id", a, sizeof(a)));
	assert_int_equal(req(&S, "HEAD", "/healthz", NULL, NULL, NULL, &r2), 0);
	assert_int_equal(r2.status, 200);
	assert_int_equal(r2.len, 0);
	assert_non_null(resp_header(&r2, "X-Request-Id", b, sizeof(b)));
	assert_string_not_equal(a, b);
	resp_free(&r1);
	resp_free(&r2);
}

static void
test_unknown_path_404(void **state)
{
	static const char *const paths[] = { "/nope", "/api/v1/", "/api/v1/users/", "/healthz/x",
		"/api/v1/users/0", "/api/v1/users/01", "/api/v1/users/-1", "/api/v1/users/abc",
		"/api/v1/users/99999999999999999999999", "//healthz", "/api/v1/tokens/1/x" };
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		assert_int_equal(req(&S, "GET", paths[i], admin, NULL, NULL, &r), 0);
		assert_problem(&r, 404);
		resp_free(&r);
	}
	assert_alive();
}

static void
test_wrong_method_405(void **state)
{
	static const struct {
		const char *method, *path, *allow;
	} cases[] = {
		{ "POST", "/healthz", "GET, HEAD" },
		{ "DELETE", "/api/v1/users", "GET, HEAD, POST" },
		{ "GET", "/api/v1/auth/login", "POST" },
		{ "PUT", "/api/v1/tokens/5", "DELETE" },
		{ "GET", "/api/v1/users/5", "PATCH" },
		{ "BREW", "/healthz", "GET, HEAD" },
	};
	char allow[128];
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(req(&S, cases[i].method, cases[i].path, admin, NULL, NULL, &r), 0);
		assert_problem(&r, 405);
		assert_non_null(resp_header(&r, "Allow", allow, sizeof(allow)));
		assert_string_equal(allow, cases[i].allow);
		resp_free(&r);
	}
	assert_alive();
}

static void
test_body_too_large_413(void **state)
{
	char *big = malloc(4096);
	struct resp r;

	(void)state;
	memset(big, ' ', 4095);
	big[0] = '{';
	big[4094] = '}';
	big[4095] = '\0';
	assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL, big, &r), 0);
	assert_problem(&r, 413);
	resp_free(&r);
	/* Under the cap the same kind of body is read and judged on its content. */
	big[1000] = '}';
	big[1001] = '\0';
	big[999] = ' ';
	assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL, big, &r), 0);
	assert_problem(&r, 422);
	resp_free(&r);
	free(big);
	assert_alive();
}

static void
test_chunked_too_large_413(void **state)
{
	static const char head[] = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
	char *msg = malloc(16384), *out = malloc(8192);
	size_t n = 0;
	bool closed;
	int i;

	(void)state;
	n += (size_t)sprintf(msg + n, "%s", head);
	for (i = 0; i < 6; i++) {
		n += (size_t)sprintf(msg + n, "400\r\n");
		memset(msg + n, ' ', 0x400);
		n += 0x400;
		n += (size_t)sprintf(msg + n, "\r\n");
	}
	n += (size_t)sprintf(msg + n, "0\r\n\r\n");
	assert_true(raw_exchange(&S, msg, n, out, 8192, 3000, &closed) > 0);
	assert_non_null(strstr(out, "HTTP/1.1 413"));
	assert_non_null(strstr(out, "application/problem+json"));
	free(msg);
	free(out);
	assert_alive();
}

static void
test_content_type_415(void **state)
{
	static const char *const types[] = { "text/plain", "application/x-www-form-urlencoded",
		NULL, "application/jsonx", "json" };
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		assert_int_equal(req(&S, "POST", "/api/v1/auth/login", NULL, types[i],
		    "{\"username\":\"a\",\"password\":\"b\"}", &r), 0);
		assert_problem(&r, 415);
		resp_free(&r);
	}
	/* Parameters and +json types are JSON too. */
	assert_int_equal(req(&S, "POST", "/api/v1/users", admin,
	    "application/json; charset=utf-8", "[]", &r), 0);
	assert_problem(&r, 400);
	resp_free(&r);
	assert_int_equal(req(&S, "PATCH", "/api/v1/users/1", admin,
	    "application/merge-patch+json", "{}", &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	assert_alive();
}

static void
test_malformed_json_400(void **state)
{
	static const char *const bodies[] = { "{", "{\"a\":}", "nope", "{\"a\":1,\"a\":2}",
		"{\"username\":\"\xff\xfe\",\"password\":\"x\"}", "[1,2", "\"str" };
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL, bodies[i], &r), 0);
		assert_problem(&r, 400);
		resp_free(&r);
	}
	/* Valid JSON of the wrong shape is a 400 too, with the field named. */
	assert_int_equal(req_json(&S, "POST", "/api/v1/auth/login", NULL,
	    "{\"username\":1,\"password\":\"x\",\"extra\":true}", &r), 0);
	assert_problem(&r, 400);
	assert_non_null(json_object_get(json_object_get(r.json, "errors"), "username"));
	assert_non_null(json_object_get(json_object_get(r.json, "errors"), "extra"));
	resp_free(&r);
	assert_alive();
}

static void
test_keepalive_reuses_connection(void **state)
{
	static const char two[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	char out[4096], *second;
	bool closed;

	(void)state;
	/* Both pipelined requests are answered on one connection, and it stays open: the server
	 * never answers on the headers-only first call, which would force Connection: close. */
	assert_true(raw_exchange(&S, two, sizeof(two) - 1, out, sizeof(out), 500, &closed) > 0);
	second = strstr(out + 1, "HTTP/1.1 200");
	assert_non_null(strstr(out, "HTTP/1.1 200"));
	assert_non_null(second);
	assert_null(strstr(out, "Connection: close"));
	assert_false(closed);
}

static void
test_idle_connection_times_out(void **state)
{
	char out[64];
	bool closed;

	(void)state;
	/* --timeout 2: an idle client is dropped, not kept forever. */
	raw_exchange(&S, NULL, 0, out, sizeof(out), 6000, &closed);
	assert_true(closed);
}

static void
test_access_log(void **state)
{
	struct resp r;
	char id[64], needle[128];

	(void)state;
	assert_int_equal(req(&S, "GET", "/api/v1/auth/me", admin, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(resp_header(&r, "X-Request-Id", id, sizeof(id)));
	resp_free(&r);
	assert_int_equal(req(&S, "GET", "/nowhere", NULL, NULL, NULL, &r), 0);
	resp_free(&r);
	assert_true(srv_log_has(&S, "GET /api/v1/auth/me 200 "));
	snprintf(needle, sizeof(needle), "us user=admin id=%s\n", id);
	assert_true(srv_log_has(&S, needle));
	assert_true(srv_log_has(&S, "GET /nowhere 404 "));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthz),
		cmocka_unit_test(test_unknown_path_404),
		cmocka_unit_test(test_wrong_method_405),
		cmocka_unit_test(test_body_too_large_413),
		cmocka_unit_test(test_chunked_too_large_413),
		cmocka_unit_test(test_content_type_415),
		cmocka_unit_test(test_malformed_json_400),
		cmocka_unit_test(test_keepalive_reuses_connection),
		cmocka_unit_test(test_idle_connection_times_out),
		cmocka_unit_test(test_access_log),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
