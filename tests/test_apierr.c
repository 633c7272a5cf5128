/* Tests for server/lib/apierr.c: error records and RFC 9457 problem documents. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "apierr.h"

static const char *
obj_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	assert_non_null(v);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

static void
test_init_is_empty(void **state)
{
	struct api_err e;

	(void)state;
	memset(&e, 0x5a, sizeof(e));
	api_err_init(&e);
	assert_int_equal(e.status, 0);
	assert_string_equal(e.detail, "");
	assert_null(e.errors);
	assert_string_equal(e.allow, "");
	assert_int_equal(e.retry_after, 0);
}

static void
test_set_keeps_first_status(void **state)
{
	struct api_err e;

	(void)state;
	api_err_init(&e);
	assert_int_equal(api_err_set(&e, 404, "no %s named %d", "user", 7), -1);
	assert_int_equal(e.status, 404);
	assert_string_equal(e.detail, "no user named 7");
	assert_int_equal(api_err_set(&e, 500, "later"), -1);
	assert_int_equal(e.status, 404);
	assert_string_equal(e.detail, "no user named 7");
	api_err_free(&e);
}

static void
test_set_truncates_long_detail(void **state)
{
	struct api_err e;
	char big[2000];

	(void)state;
	memset(big, 'd', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	api_err_init(&e);
	api_err_set(&e, 400, "%s", big);
	assert_int_equal(strlen(e.detail), sizeof(e.detail) - 1);
	assert_memory_equal(e.detail, big, sizeof(e.detail) - 1);
	api_err_free(&e);
}

static void
test_field_defaults_to_422(void **state)
{
	struct api_err e;

	(void)state;
	api_err_init(&e);
	assert_int_equal(api_err_field(&e, "name", "is %s", "required"), -1);
	assert_int_equal(e.status, 422);
	assert_string_equal(e.detail, "the request breaks a rule");
	assert_non_null(e.errors);
	assert_int_equal(json_object_size(e.errors), 1);
	assert_string_equal(obj_str(e.errors, "name"), "is required");
	api_err_free(&e);
}

static void
test_field_keeps_first_message(void **state)
{
	struct api_err e;

	(void)state;
	api_err_init(&e);
	api_err_field(&e, "name", "first");
	api_err_field(&e, "name", "second");
	api_err_field(&e, "role", "must be %d of %d", 1, 3);
	assert_int_equal(json_object_size(e.errors), 2);
	assert_string_equal(obj_str(e.errors, "name"), "first");
	assert_string_equal(obj_str(e.errors, "role"), "must be 1 of 3");
	api_err_free(&e);
}

static void
test_field_keeps_earlier_status(void **state)
{
	struct api_err e;

	(void)state;
	api_err_init(&e);
	api_err_set(&e, 400, "wrong shape");
	api_err_field(&e, "x", "unknown field");
	assert_int_equal(e.status, 400);
	assert_string_equal(e.detail, "wrong shape");
	assert_string_equal(obj_str(e.errors, "x"), "unknown field");
	/* And a later set does not override the 422 a field implied. */
	api_err_free(&e);
	api_err_field(&e, "y", "bad");
	api_err_set(&e, 409, "conflict");
	assert_int_equal(e.status, 422);
	assert_string_equal(e.detail, "the request breaks a rule");
	api_err_free(&e);
}

static void
test_titles(void **state)
{
	static const struct {
		int status;
		const char *title;
	} want[] = {
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 409, "Conflict" },
		{ 412, "Precondition Failed" },
		{ 413, "Content Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 422, "Unprocessable Content" },
		{ 428, "Precondition Required" },
		{ 429, "Too Many Requests" },
		{ 500, "Internal Server Error" },
		{ 503, "Service Unavailable" },
		{ 418, "Error" },
		{ 0, "Error" },
		{ -1, "Error" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(api_err_title(want[i].status), want[i].title);
}

static void
test_problem_document(void **state)
{
	struct api_err e;
	json_t *p, *errors;

	(void)state;
	api_err_init(&e);
	api_err_set(&e, 409, "user %s exists", "alice");
	api_err_field(&e, "username", "is taken");
	p = api_err_problem(&e, "/api/v1/users");
	assert_non_null(p);
	assert_int_equal(json_object_size(p), 6);
	assert_string_equal(obj_str(p, "type"), "about:blank");
	assert_string_equal(obj_str(p, "title"), "Conflict");
	assert_true(json_is_integer(json_object_get(p, "status")));
	assert_int_equal(json_integer_value(json_object_get(p, "status")), 409);
	assert_string_equal(obj_str(p, "detail"), "user alice exists");
	assert_string_equal(obj_str(p, "instance"), "/api/v1/users");
	errors = json_object_get(p, "errors");
	assert_true(json_is_object(errors));
	assert_int_equal(json_object_size(errors), 1);
	assert_string_equal(obj_str(errors, "username"), "is taken");
	/* The document holds its own reference to the field map. */
	api_err_free(&e);
	assert_string_equal(obj_str(json_object_get(p, "errors"), "username"), "is taken");
	json_decref(p);
}

static void
test_problem_without_optional_parts(void **state)
{
	struct api_err e;
	json_t *p;

	(void)state;
	api_err_init(&e);
	api_err_set(&e, 404, "%s", "");
	p = api_err_problem(&e, NULL);
	assert_non_null(p);
	assert_null(json_object_get(p, "instance"));
	assert_null(json_object_get(p, "errors"));
	/* An empty detail falls back to the title. */
	assert_string_equal(obj_str(p, "detail"), "Not Found");
	assert_int_equal(json_object_size(p), 4);
	json_decref(p);
	api_err_free(&e);
}

static void
test_problem_without_status_is_500(void **state)
{
	struct api_err e;
	json_t *p;

	(void)state;
	api_err_init(&e);
	p = api_err_problem(&e, "/x");
	assert_non_null(p);
	assert_int_equal(json_integer_value(json_object_get(p, "status")), 500);
	assert_string_equal(obj_str(p, "title"), "Internal Server Error");
	assert_string_equal(obj_str(p, "detail"), "Internal Server Error");
	json_decref(p);
}

static void
test_problem_with_invalid_utf8_detail(void **state)
{
	struct api_err e;
	json_t *p, *back;
	json_error_t jerr;
	char *text;

	(void)state;
	api_err_init(&e);
	api_err_set(&e, 400, "bad name '%s'", "\xff\xfe\xc3");
	p = api_err_problem(&e, "/api/v1/users");
	assert_non_null(p);
	/* The detail is replaced by the title; the document stays whole. */
	assert_string_equal(obj_str(p, "detail"), "Bad Request");
	assert_string_equal(obj_str(p, "title"), "Bad Request");
	assert_int_equal(json_integer_value(json_object_get(p, "status")), 400);
	assert_string_equal(obj_str(p, "instance"), "/api/v1/users");
	text = json_dumps(p, JSON_COMPACT);
	assert_non_null(text);
	back = json_loads(text, 0, &jerr);
	assert_non_null(back);
	assert_true(json_equal(p, back));
	json_decref(back);
	free(text);
	json_decref(p);
	api_err_free(&e);
}

static void
test_problem_with_invalid_utf8_instance(void **state)
{
	struct api_err e;
	json_t *p;
	char *text;

	(void)state;
	api_err_init(&e);
	api_err_set(&e, 404, "no such path");
	p = api_err_problem(&e, "/\xff");
	assert_non_null(p);
	assert_null(json_object_get(p, "instance"));
	text = json_dumps(p, 0);
	assert_non_null(text);
	free(text);
	json_decref(p);
}

static void
test_free_resets(void **state)
{
	struct api_err e;

	(void)state;
	api_err_free(NULL);
	api_err_init(&e);
	api_err_set(&e, 429, "slow down");
	api_err_field(&e, "f", "x");
	strcpy(e.allow, "GET");
	e.retry_after = 30;
	api_err_free(&e);
	assert_int_equal(e.status, 0);
	assert_string_equal(e.detail, "");
	assert_null(e.errors);
	assert_string_equal(e.allow, "");
	assert_int_equal(e.retry_after, 0);
	/* Usable again, and a second free is harmless. */
	api_err_set(&e, 401, "again");
	assert_int_equal(e.status, 401);
	api_err_free(&e);
	api_err_free(&e);
	assert_int_equal(e.status, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty),
		cmocka_unit_test(test_set_keeps_first_status),
		cmocka_unit_test(test_set_truncates_long_detail),
		cmocka_unit_test(test_field_defaults_to_422),
		cmocka_unit_test(test_field_keeps_first_message),
		cmocka_unit_test(test_field_keeps_earlier_status),
		cmocka_unit_test(test_titles),
		cmocka_unit_test(test_problem_document),
		cmocka_unit_test(test_problem_without_optional_parts),
		cmocka_unit_test(test_problem_without_status_is_500),
		cmocka_unit_test(test_problem_with_invalid_utf8_detail),
		cmocka_unit_test(test_problem_with_invalid_utf8_instance),
		cmocka_unit_test(test_free_resets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
