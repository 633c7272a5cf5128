/* Hostile input against every resource: wrong types, nulls, NUL bytes, huge numbers, deep
 * nesting, long strings, odd query strings and ids. Whatever comes in, the answer is a 4xx
 * problem (never a 5xx), nothing is stored, and the server keeps serving. Under the sanitizer
 * build this also proves no memory error on these paths. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource.h"

#define PW TEST_PASSWORD

static struct srv S;
static char *ad, *ed;
/* What every list held before the attack (the harness's users, and their audit rows). */
static long long before[64], changes_before;

/* Users and tokens are an admin's; the rest an editor's. */
static const char *
token_for(const struct resource *res)
{
	return (res->flags & R_OWN_ROUTES) ? ad : ed;
}

static int
setup(void **state)
{
	const struct resource *const *res;
	char path[128];

	(void)state;
	srv_prepare(&S);
	srv_add_user(&S, "ad", "admin", PW);
	srv_add_user(&S, "ed", "editor", PW);
	srv_start(&S, NULL);
	ad = login(&S, "ad", PW);
	ed = login(&S, "ed", PW);
	for (res = resource_table; *res != NULL; res++) {
		if ((*res)->flags & (R_READONLY | R_SINGLETON))
			continue;
		snprintf(path, sizeof(path), "/api/v1/%s?limit=1", (*res)->name);
		before[res - resource_table] = api_count(&S, token_for(*res), path);
	}
	changes_before = api_count(&S, ed, "/api/v1/changes?limit=1");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv_down(&S, ad, ed);
	return 0;
}

/* Sends one request and requires a clean refusal. */
static void
refused_as(const char *tok, const char *method, const char *path, const char *body)
{
	struct resp r;

	assert_int_equal(req_json(&S, method, path, tok, body, &r), 0);
	if (r.status < 400 || r.status >= 500)
		fail_msg("%s %s %.200s: %ld %.300s", method, path, body ? body : "", r.status,
		    r.body);
	assert_problem(&r, r.status);
	resp_free(&r);
}

/* Whether a field's table allows the JSON text v: a boolean for a boolean field, one of the
 * values of an enum. */
static bool
allowed(const struct field *f, const char *v)
{
	json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);
	const char *const *e;
	bool ok = false;

	if (f->type == FT_BOOL)
		ok = json_is_boolean(j);
	for (e = f->values; f->type == FT_ENUM && json_is_string(j) && *e != NULL; e++)
		ok |= strcmp(*e, json_string_value(j)) == 0;
	json_decref(j);
	return ok;
}

static void
refused(const char *method, const char *path, const char *body)
{
	refused_as(ed, method, path, body);
}

static void
test_bad_values_for_every_field(void **state)
{
	static const char *const values[] = { "null", "true", "-1", "0", "1.5", "1e400",
		"99999999999999999999", "-9223372036854775808", "\"\"", "\"\\u0000\"",
		"\"x\\u0000y\"", "\"' OR 1=1 --\"", "\"%s%n\"", "[]", "[null]", "[1,\"a\"]", "{}",
		"{\"a\":{\"b\":[]}}", "\"::ffff:1.2.3.4/200\"", "\"10.0.0.1/8\"",
		"\"-bad-\"" };
	const struct resource *const *res;
	const struct field *f;
	char path[128], body[512];
	size_t i;

	(void)state;
	for (res = resource_table; *res != NULL; res++) {
		const char *tok = token_for(*res);
		/* The one settings object is patched, whole bodies only: one valid field would
		 * pass. */
		const char *method = ((*res)->flags & R_SINGLETON) ? "PATCH" : "POST";

		if ((*res)->flags & R_READONLY)
			continue;
		snprintf(path, sizeof(path), "/api/v1/%s", (*res)->name);
		/* One field at a time, alone: required fields are missing, so nothing can pass. */
		for (f = (*res)->fields; !((*res)->flags & R_SINGLETON) && f->name != NULL; f++)
			for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
				snprintf(body, sizeof(body), "{\"%s\":%s}", f->name, values[i]);
				refused_as(tok, "POST", path, body);
			}
		/* The settings reach every packet filter: each field patched alone with each
		 * value is refused, but for the values its table allows (log_denied: true),
		 * which are no attack and are not sent. */
		for (f = (*res)->fields; ((*res)->flags & R_SINGLETON) && f->name != NULL; f++)
			for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
				snprintf(body, sizeof(body), "{\"%s\":%s}", f->name, values[i]);
				if (!allowed(f, values[i]))
					refused_as(tok, method, path, body);
			}
		refused_as(tok, method, path, "{\"tags\":[\"a\",1]}");
		refused_as(tok, method, path, "{\"id\":1}");
		refused_as(tok, method, path, "[[]]");
		refused_as(tok, method, path, "[{}, 5]");
		refused_as(tok, method, path, "\"just a string\"");
		refused_as(tok, method, path, "12");
	}
}

static void
test_deep_and_long(void **state)
{
	char *body = malloc(600000);
	size_t n = 0;
	int i;

	(void)state;
	/* Deep nesting: the parser's depth limit, not the stack, decides. */
	for (i = 0; i < 100000; i++)
		body[n++] = '[';
	body[n] = '\0';
	refused("POST", "/api/v1/vlans", body);
	/* A long string in a field with a length limit. */
	n = (size_t)sprintf(body, "{\"vid\":5,\"name\":\"");
	memset(body + n, 'a', 500000);
	n += 500000;
	strcpy(body + n, "\"}");
	refused("POST", "/api/v1/vlans", body);
	/* Many tags. */
	n = (size_t)sprintf(body, "{\"vid\":5,\"name\":\"x\",\"tags\":[");
	for (i = 0; i < 5000; i++)
		n += (size_t)sprintf(body + n, "%s\"t%d\"", i ? "," : "", i);
	strcpy(body + n, "]}");
	refused("POST", "/api/v1/vlans", body);
	free(body);
}

static void
test_odd_queries_and_ids(void **state)
{
	static const char *const queries[] = { "?limit=", "?limit=-1", "?limit=1e3",
		"?limit=99999999999999999999", "?offset=abc", "?vid=", "?vid=1x", "?vid__gte=x",
		"?ordering=-", "?ordering=vid;DROP%20TABLE%20vlans", "?ordering=,,",
		"?unknown=1", "?name__lte=a", "?q=%ff%fe", "?id=1" };
	static const char *const paths[] = { "/api/v1/vlans/0", "/api/v1/vlans/-1",
		"/api/v1/vlans/1.0", "/api/v1/vlans/99999999999999999999", "/api/v1/vlans/%31",
		"/api/v1/vlans/1/changes/2", "/api/v1/prefixes/1/available-ips",
		"/api/v1/dns-zones/999/records" };
	static const char *const odd[] = { "/api/v1/settings?%ff=1", "/api/v1/export?a=%c3%28",
		"/api/v1/vlans/1?limit=10", "/api/v1/validate?x", "/api/v1/auth/me?=1",
		"/api/v1/prefixes/1/available-ips?limit=1e3",
		"/api/v1/prefixes/1/available-ips?limit=99999999999999999999",
		"/api/v1/dns-zones/1/records?limit=-5", "/api/v1/inventory?zone=local",
		"/api/v1/render/bind?zone=local&x=1",
		"/api/v1/settings?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1" };
	char path[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/vlans%s", queries[i]);
		refused("GET", path, NULL);
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		refused("GET", paths[i], NULL);
	refused("POST", "/api/v1/prefixes/999/available-ips", "{}");
	refused("POST", "/api/v1/prefixes/999/available-prefixes", "{\"prefix_length\":24}");
	/* Routes that are no lists: their declared parameters only, UTF-8 names and values. */
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		struct resp r;

		assert_int_equal(req_json(&S, "GET", odd[i], ed, NULL, &r), 0);
		if (r.status != 400)
			fail_msg("GET %s: %ld %.300s", odd[i], r.status, r.body);
		assert_problem(&r, 400);
		resp_free(&r);
	}
	refused("POST", "/api/v1/vlans?%ff=1", "{\"vid\":3000,\"name\":\"odd\"}");
	refused("PATCH", "/api/v1/settings", "[]");
	refused("PATCH", "/api/v1/settings", "{\"log_denied\":null}");
}

static void
test_nothing_was_stored(void **state)
{
	const struct resource *const *res;
	char path[128];
	struct resp r;

	(void)state;
	for (res = resource_table; *res != NULL; res++) {
		if ((*res)->flags & (R_READONLY | R_SINGLETON))
			continue;
		snprintf(path, sizeof(path), "/api/v1/%s?limit=1", (*res)->name);
		assert_int_equal(api_count(&S, token_for(*res), path), before[res - resource_table]);
	}
	assert_int_equal(api_count(&S, ed, "/api/v1/changes?limit=1"), changes_before);
	/* The settings are their defaults still. */
	assert_int_equal(req_json(&S, "GET", "/api/v1/settings", ed, NULL, &r), 0);
	assert_string_equal(r.body, "{\"forward_default_action\":\"drop\","
	    "\"input_default_action\":\"drop\",\"log_denied\":true}");
	resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_values_for_every_field),
		cmocka_unit_test(test_deep_and_long),
		cmocka_unit_test(test_odd_queries_and_ids),
		cmocka_unit_test(test_nothing_was_stored),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
