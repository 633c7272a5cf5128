/* Users, API tokens and the settings through the generic resource driver: the same checks,
 * ETags, If-Match and audit rows as every resource, behind their own roles, with the secrets
 * (a password, a token) never shown again or logged. test_api_auth covers what they mean for
 * logging in. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW TEST_PASSWORD

static struct srv S;
static char *ad, *ed;

static int
setup(void **state)
{
	(void)state;
	srv_prepare(&S);
	srv_add_user(&S, "ad", "admin", PW);
	srv_add_user(&S, "ed", "editor", PW);
	srv_start(&S, NULL);
	ad = login(&S, "ad", PW);
	ed = login(&S, "ed", PW);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	srv_down(&S, ad, ed);
	return 0;
}

/* Every audit row, as text, for a search through all of them. */
static char *
audit_text(void)
{
	struct resp r;
	char *s;

	assert_int_equal(api(&S, "GET", "/api/v1/changes?limit=1000", ad, NULL, &r), 200);
	s = strdup(r.body);
	resp_free(&r);
	return s;
}

static const json_t *
first_result(const struct resp *r)
{
	return json_array_get(json_object_get(r->json, "results"), 0);
}

/* The command line adds users through the driver: checked by the same field table and
 * audited under the process owner's name. */
static void
test_cli_user_add_is_audited(void **state)
{
	struct resp r;
	const json_t *row;

	(void)state;
	assert_int_equal(api(&S, "GET", "/api/v1/changes?object_type=user&action=create", ad,
	    NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 2);
	row = first_result(&r);
	assert_int_equal(strncmp(json_string_value(json_object_get(row, "username")), "cli:", 4),
	    0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(row, "after"),
	    "username")), "ad");
	assert_null(json_object_get(json_object_get(row, "after"), "password"));
	resp_free(&r);
	/* The command line's name rule is the field table's. */
	{
		const char *args[] = { "user", "add", "bad name", "--password-stdin", "--db", S.db,
			NULL };
		char *err = NULL;

		assert_int_equal(run_netsot(args, PW "\n", NULL, &err), 1);
		assert_non_null(strstr(err, "username"));
		free(err);
	}
}

/* The password is write-only: never in an answer, a list or the audit log, not even hashed. */
static void
test_password_never_shown(void **state)
{
	static const char secret[] = "Tr0ub4dor&3-unique";
	char body[256], path[64], etag[128], stale[160], *log;
	struct resp r;
	long long id;

	(void)state;
	snprintf(body, sizeof(body), "{\"username\":\"carol\",\"role\":\"viewer\","
	    "\"password\":\"%s\"}", secret);
	assert_int_equal(api(&S, "POST", "/api/v1/users", ad, body, &r), 201);
	assert_null(strstr(r.body, "password\""));
	assert_null(strstr(r.body, secret));
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_true(json_is_null(json_object_get(r.json, "password_changed_at")));
	resp_free(&r);
	free(login(&S, "carol", secret));

	/* GET one, with an ETag; a stale If-Match is refused. */
	snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	assert_int_equal(api(&S, "GET", path, ad, NULL, &r), 200);
	assert_non_null(resp_header(&r, "ETag", etag, sizeof(etag)));
	assert_null(strstr(r.body, "password\""));
	resp_free(&r);
	snprintf(body, sizeof(body), "{\"password\":\"%s-2\"}", secret);
	assert_int_equal(api(&S, "PATCH", path, ad, body, &r), 200);
	assert_false(json_is_null(json_object_get(r.json, "password_changed_at")));
	assert_false(json_is_null(json_object_get(r.json, "sessions_revoked_at")));
	resp_free(&r);
	snprintf(stale, sizeof(stale), "If-Match: %s", etag);
	assert_int_equal(req_hdr(&S, "PATCH", path, ad, stale, "{\"role\":\"editor\"}", &r), 0);
	assert_problem(&r, 412);
	resp_free(&r);

	assert_int_equal(api(&S, "GET", "/api/v1/users?username=carol", ad, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 1);
	assert_null(strstr(r.body, "password\""));
	resp_free(&r);
	log = audit_text();
	assert_null(strstr(log, secret));
	assert_null(strstr(log, "\"password\""));
	assert_null(strstr(log, "argon2"));
	assert_null(strstr(log, "password_hash"));
	free(log);
}

/* Each field by its table: a short password, a bad name, an unknown field, a username change. */
static void
test_user_rules(void **state)
{
	static const struct {
		const char *method, *path, *body;
		long status;
		const char *field;
	} cases[] = {
		{ "POST", "/api/v1/users", "{\"username\":\"dan\",\"role\":\"viewer\","
		  "\"password\":\"short\"}", 422, "password" },
		{ "POST", "/api/v1/users", "{\"username\":\"dan\",\"role\":\"viewer\"}", 422,
		  "password" },
		{ "POST", "/api/v1/users", "{\"username\":\"d an\",\"role\":\"viewer\","
		  "\"password\":\"long enough\"}", 422, "username" },
		{ "POST", "/api/v1/users", "{\"username\":\"dan\",\"role\":\"root\","
		  "\"password\":\"long enough\"}", 422, "role" },
		{ "POST", "/api/v1/users", "{\"username\":\"dan\",\"role\":\"viewer\","
		  "\"password\":\"long enough\",\"session_gen\":1}", 400, "session_gen" },
		{ "POST", "/api/v1/users", "{\"username\":\"ad\",\"role\":\"viewer\","
		  "\"password\":\"long enough\"}", 409, "username" },
		{ "PATCH", "/api/v1/users/1", "{\"username\":\"renamed\"}", 422, "username" },
		{ "PATCH", "/api/v1/users/1", "{\"created_at\":\"x\"}", 400, "created_at" },
		{ "PATCH", "/api/v1/users/1", "{\"role\":\"viewer\"}", 409, NULL },
	};
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (api(&S, cases[i].method, cases[i].path, ad, cases[i].body, &r) !=
		    cases[i].status)
			fail_msg("case %zu: %ld %s", i, r.status, r.body);
		if (cases[i].field != NULL && field_error(&r, cases[i].field) == NULL)
			fail_msg("case %zu: no error for %s in %s", i, cases[i].field, r.body);
		resp_free(&r);
	}
	/* Editors reach none of it, by its own routes or the generic ones. */
	assert_int_equal(api(&S, "GET", "/api/v1/users", ed, NULL, NULL), 403);
	assert_int_equal(api(&S, "GET", "/api/v1/users/1", ed, NULL, NULL), 403);
	assert_int_equal(api(&S, "PUT", "/api/v1/users/1", ed, "{}", NULL), 405);
	assert_int_equal(api(&S, "GET", "/api/v1/tokens", ed, NULL, NULL), 403);
	assert_int_equal(api(&S, "POST", "/api/v1/tokens", ed, "{\"name\":\"x\","
	    "\"role\":\"viewer\"}", NULL), 403);
}

/* A token's secret is in the create's answer only: not in GET, the list or the audit log. */
static void
test_token_secret_once(void **state)
{
	char path[64], *log, *secret;
	struct resp r;
	long long id, uid;

	(void)state;
	assert_int_equal(api(&S, "POST", "/api/v1/tokens", ad, "{\"name\":\"ci\","
	    "\"role\":\"viewer\",\"expires_in_days\":7}", &r), 201);
	secret = strdup(json_string_value(json_object_get(r.json, "token")));
	id = json_integer_value(json_object_get(r.json, "id"));
	uid = json_integer_value(json_object_get(r.json, "created_by"));
	assert_null(json_object_get(r.json, "expires_in_days"));
	assert_int_equal(strlen(json_string_value(json_object_get(r.json, "expires_at"))), 20);
	resp_free(&r);
	/* It works, as the viewer it was made for. */
	assert_int_equal(api(&S, "GET", "/api/v1/vlans", secret, NULL, NULL), 200);
	assert_int_equal(api(&S, "POST", "/api/v1/vlans", secret, "{\"vid\":5,\"name\":\"x\"}",
	    NULL), 403);
	/* A token cannot make tokens. */
	assert_int_equal(api(&S, "POST", "/api/v1/tokens", secret, "{\"name\":\"x\","
	    "\"role\":\"viewer\"}", NULL), 403);

	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", id);
	assert_int_equal(api(&S, "GET", path, ad, NULL, &r), 200);
	assert_null(json_object_get(r.json, "token"));
	assert_null(strstr(r.body, secret));
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tokens?created_by=%lld", uid);
	assert_int_equal(api(&S, "GET", path, ad, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 1);
	assert_null(strstr(r.body, secret));
	resp_free(&r);
	log = audit_text();
	assert_null(strstr(log, secret));
	assert_null(strstr(log, "\"token\":\"ey"));
	assert_null(strstr(log, "\"jti\""));
	free(log);

	/* Tokens are made and deleted, never changed; a delete revokes at once. */
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", id);
	assert_int_equal(api(&S, "PATCH", path, ad, "{\"role\":\"admin\"}", NULL), 405);
	assert_int_equal(api(&S, "DELETE", path, ad, NULL, NULL), 204);
	assert_int_equal(api(&S, "GET", "/api/v1/vlans", secret, NULL, NULL), 401);
	free(secret);
}

/* The settings: one object with an ETag, patched under If-Match, audited, never created or
 * deleted. */
static void
test_settings_object(void **state)
{
	char etag[128], hdr[160];
	struct resp r;

	(void)state;
	assert_int_equal(api(&S, "GET", "/api/v1/settings", ed, NULL, &r), 200);
	assert_string_equal(r.body, "{\"forward_default_action\":\"drop\","
	    "\"input_default_action\":\"drop\",\"log_denied\":true}");
	assert_non_null(resp_header(&r, "ETag", etag, sizeof(etag)));
	resp_free(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: %s", etag);
	assert_int_equal(req_hdr(&S, "PATCH", "/api/v1/settings", ed, hdr,
	    "{\"log_denied\":false}", &r), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	/* The same ETag is stale now. */
	assert_int_equal(req_hdr(&S, "PATCH", "/api/v1/settings", ed, hdr,
	    "{\"log_denied\":true}", &r), 0);
	assert_problem(&r, 412);
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", "/api/v1/settings", ed,
	    "{\"forward_default_action\":\"bounce\"}", &r), 422);
	assert_non_null(field_error(&r, "forward_default_action"));
	resp_free(&r);
	assert_int_equal(api(&S, "PATCH", "/api/v1/settings", ed, "{\"colour\":\"red\"}", &r),
	    400);
	assert_non_null(field_error(&r, "colour"));
	resp_free(&r);
	assert_int_equal(api(&S, "POST", "/api/v1/settings", ed, "{}", NULL), 405);
	assert_int_equal(api(&S, "DELETE", "/api/v1/settings", ed, NULL, NULL), 405);

	assert_int_equal(api(&S, "GET", "/api/v1/changes?object_type=settings", ed, NULL, &r),
	    200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(first_result(&r), "object_id")), 1);
	assert_true(json_is_false(json_object_get(json_object_get(first_result(&r), "after"),
	    "log_denied")));
	resp_free(&r);
}

/* A login's body is checked by the driver against its own field table; a password may hold
 * any text (it is hashed, never written out), which the login accepts as set. */
static void
test_login_body(void **state)
{
	static const struct {
		const char *body;
		long status;
		const char *field;
	} cases[] = {
		{ "{\"username\":\"ad\",\"password\":\"" PW "\",\"otp\":1}", 400, "otp" },
		{ "{\"username\":\"ad\",\"password\":7}", 400, "password" },
		{ "{\"username\":\"ad\"}", 422, "password" },
		{ "{\"username\":\"\",\"password\":\"x\"}", 422, "username" },
		{ "[]", 400, NULL },
		{ "{\"username\":\"ad\",\"password\":\"wrong horse\"}", 401, NULL },
	};
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (api(&S, "POST", "/api/v1/auth/login", NULL, cases[i].body, &r) !=
		    cases[i].status)
			fail_msg("case %zu: %ld %s", i, r.status, r.body);
		if (cases[i].field != NULL && field_error(&r, cases[i].field) == NULL)
			fail_msg("case %zu: no error for %s in %s", i, cases[i].field, r.body);
		resp_free(&r);
	}
	assert_int_equal(api(&S, "POST", "/api/v1/users", ad, "{\"username\":\"tabby\","
	    "\"role\":\"viewer\",\"password\":\"tab\\there \\u00e9\"}", NULL), 201);
	free(login(&S, "tabby", "tab\\there \\u00e9"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_user_add_is_audited),
		cmocka_unit_test(test_password_never_shown),
		cmocka_unit_test(test_user_rules),
		cmocka_unit_test(test_token_secret_once),
		cmocka_unit_test(test_settings_object),
		cmocka_unit_test(test_login_body),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
