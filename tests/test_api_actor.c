/* The domain behind its doors (issue 14): a clash on a UNIQUE key, single or composite, is a
 * 409 naming the field of the field table; a PATCH without a body changes nothing (and, under
 * the sanitizers, leaks nothing: srv_stop asserts a clean exit); the command line's import is
 * audited under cli:<the process owner>, found without USER. */
#include "harness.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct srv S;
static char *ed;

static int
setup(void **state)
{
	(void)state;
	srv_up(&S, NULL, &ed, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv_down(&S, ed, NULL);
	return 0;
}

/* Asserts that method on path with body is a 409 naming field. */
static void
clash(const char *method, const char *path, const char *body, const char *field)
{
	struct resp r;

	assert_int_equal(api(&S, method, path, ed, body, &r), 409);
	if (field_error(&r, field) == NULL)
		fail_msg("%s %s %s: 409 without the field %s: %s", method, path, body, field,
		    r.body);
	resp_free(&r);
}

static void
test_unique_names_field(void **state)
{
	char body[256], path[64];
	long long h1, h2, p, z, v1, v2;

	(void)state;
	h1 = api_create(&S, ed, "/api/v1/hosts", "{\"name\":\"u-one\",\"kind\":\"vm\"}");
	h2 = api_create(&S, ed, "/api/v1/hosts", "{\"name\":\"u-two\",\"kind\":\"vm\"}");
	clash("POST", "/api/v1/hosts", "{\"name\":\"u-one\",\"kind\":\"vm\"}", "name");

	/* Composite keys: a port or a service name is unique per host. */
	snprintf(body, sizeof(body), "{\"host_id\":%lld,\"name\":\"eth0\"}", h1);
	p = api_create(&S, ed, "/api/v1/ports", "%s", body);
	clash("POST", "/api/v1/ports", body, "name");
	snprintf(body, sizeof(body), "{\"host_id\":%lld,\"name\":\"eth0\"}", h2);
	api_create(&S, ed, "/api/v1/ports", "%s", body);
	/* Moving the first port onto the second host clashes there, on an update. */
	snprintf(path, sizeof(path), "/api/v1/ports/%lld", p);
	snprintf(body, sizeof(body), "{\"host_id\":%lld}", h2);
	clash("PATCH", path, body, "name");
	/* An object does not clash with itself. */
	snprintf(body, sizeof(body), "{\"host_id\":%lld,\"name\":\"eth0\"}", h1);
	assert_int_equal(api(&S, "PUT", path, ed, body, NULL), 200);

	snprintf(body, sizeof(body), "{\"host_id\":%lld,\"name\":\"ssh\",\"protocol\":\"tcp\","
	    "\"ports\":\"22\"}", h1);
	api_create(&S, ed, "/api/v1/services", "%s", body);
	clash("POST", "/api/v1/services", body, "name");
	snprintf(body, sizeof(body), "{\"host_id\":%lld,\"name\":\"ssh\",\"protocol\":\"tcp\","
	    "\"ports\":\"22\"}", h2);
	api_create(&S, ed, "/api/v1/services", "%s", body);

	z = api_create(&S, ed, "/api/v1/dns-zones", "{\"name\":\"uniq.test\",\"soa_mname\":"
	    "\"ns1.example.net.\"}");
	clash("POST", "/api/v1/dns-zones", "{\"name\":\"uniq.test\",\"soa_mname\":"
	    "\"ns1.example.net.\"}", "name");
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"t\",\"type\":\"TXT\","
	    "\"value\":\"one\"}", z);
	api_create(&S, ed, "/api/v1/dns-records", "%s", body);
	clash("POST", "/api/v1/dns-records", body, "name");
	snprintf(body, sizeof(body), "{\"zone_id\":%lld,\"name\":\"t\",\"type\":\"TXT\","
	    "\"value\":\"two\"}", z);
	api_create(&S, ed, "/api/v1/dns-records", "%s", body);

	/* Single keys, on create and on update. */
	v1 = api_create(&S, ed, "/api/v1/vlans", "{\"vid\":301,\"name\":\"u-a\"}");
	v2 = api_create(&S, ed, "/api/v1/vlans", "{\"vid\":302,\"name\":\"u-b\"}");
	snprintf(path, sizeof(path), "/api/v1/vlans/%lld", v2);
	clash("PATCH", path, "{\"vid\":301}", "vid");
	clash("PATCH", path, "{\"name\":\"u-a\"}", "name");
	snprintf(path, sizeof(path), "/api/v1/vlans/%lld", v1);
	assert_int_equal(api(&S, "PATCH", path, ed, "{\"vid\":301}", NULL), 200);
}

/* A PATCH with no body at all merges nothing: 200 and the object as it was. */
static void
test_patch_without_body(void **state)
{
	char path[64];
	struct resp r;
	long long id;
	int i;

	(void)state;
	id = api_create(&S, ed, "/api/v1/vlans", "{\"vid\":310,\"name\":\"no-body\"}");
	snprintf(path, sizeof(path), "/api/v1/vlans/%lld", id);
	for (i = 0; i < 3; i++) {
		assert_int_equal(req(&S, "PATCH", path, ed, NULL, NULL, &r), 0);
		assert_int_equal(r.status, 200);
		assert_non_null(r.json);
		assert_string_equal(json_string_value(json_object_get(r.json, "name")), "no-body");
		resp_free(&r);
	}
}

/* netsot import names the process owner in the audit log even without USER. */
static void
test_cli_import_actor(void **state)
{
	static const char plan[] = "{\"format\":\"netsot-plan/1\",\"vlans\":[{\"vid\":320,"
	    "\"name\":\"by-cli\"}]}";
	const char *import[] = { "import", "-", "--db", S.db, NULL };
	const struct passwd *pw = getpwuid(geteuid());
	char *user = getenv("USER") ? strdup(getenv("USER")) : NULL;
	char want[128], path[192], *err = NULL;
	struct resp r;
	json_t *row;
	int rc;

	(void)state;
	assert_non_null(pw);
	snprintf(want, sizeof(want), "cli:%s", pw->pw_name);
	unsetenv("USER");
	rc = run_netsot(import, plan, NULL, &err);
	if (user != NULL)
		setenv("USER", user, 1);
	free(user);
	if (rc != 0)
		fail_msg("netsot import: %s", err ? err : "");
	free(err);
	/* The harness's users were added by the same login name: only the import's rows. */
	snprintf(path, sizeof(path), "/api/v1/changes?username=%s&object_type=vlan", want);
	assert_int_equal(api(&S, "GET", path, ed, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 1);
	row = json_array_get(json_object_get(r.json, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "object_type")), "vlan");
	assert_non_null(strstr(json_string_value(json_object_get(row, "request_id")), "cli-"));
	resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unique_names_field),
		cmocka_unit_test(test_patch_without_body),
		cmocka_unit_test(test_cli_import_actor),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
