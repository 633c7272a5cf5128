/* Tests for server/domain/jsonin.c: strict checking of request bodies against a field table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "apierr.h"
#include "jsonin.h"

static const struct jsonin_field fields[] = {
	{ "username", JSONIN_STRING, true, 1, 8 },
	{ "count", JSONIN_INTEGER, false, -5, 10 },
	{ "admin", JSONIN_BOOL, false, 0, 0 },
	{ "note", JSONIN_STRING, false, 0, 0 },    /* no bounds */
	{ NULL, JSONIN_STRING, false, 0, 0 },
};

/* Parses text, checks it, and returns the status (0 when accepted); err is left for the caller
 * to inspect and free. */
static int
check(const char *text, struct api_err *err)
{
	json_error_t jerr;
	json_t *obj = json_loads(text, JSON_DECODE_ANY, &jerr);
	int rc;

	if (obj == NULL)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	api_err_init(err);
	rc = jsonin_check(obj, fields, err);
	json_decref(obj);
	assert_int_equal(rc, err->status != 0 ? -1 : 0);
	return err->status;
}

static const char *
field_msg(const struct api_err *err, const char *name)
{
	const json_t *v = json_object_get(err->errors, name);

	return v != NULL ? json_string_value(v) : NULL;
}

static void
test_valid_objects_pass(void **state)
{
	static const char *const ok[] = {
		"{\"username\": \"a\"}",
		"{\"username\": \"abcdefgh\"}",
		"{\"username\": \"bob\", \"count\": -5, \"admin\": true, \"note\": \"\"}",
		"{\"username\": \"bob\", \"count\": 10, \"admin\": false}",
		"{\"username\": \"bob\", \"count\": 0}",
	};
	struct api_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (check(ok[i], &err) != 0)
			fail_msg("%s refused: %d %s", ok[i], err.status, err.detail);
		assert_null(err.errors);
		api_err_free(&err);
	}
}

static void
test_null_body_is_400(void **state)
{
	struct api_err err;

	(void)state;
	api_err_init(&err);
	assert_int_equal(jsonin_check(NULL, fields, &err), -1);
	assert_int_equal(err.status, 400);
	assert_string_equal(err.detail, "the body must be a JSON object");
	assert_null(err.errors);
	api_err_free(&err);
}

static void
test_non_object_is_400(void **state)
{
	static const char *const bad[] = {
		"[]", "[{\"username\": \"a\"}]", "\"username\"", "42", "true", "null",
	};
	struct api_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check(bad[i], &err), 400);
		assert_string_equal(err.detail, "the body must be a JSON object");
		api_err_free(&err);
	}
}

static void
test_unknown_field_is_400(void **state)
{
	struct api_err err;

	(void)state;
	assert_int_equal(check("{\"username\": \"a\", \"bogus\": 1, \"Admin\": true}", &err),
	    400);
	assert_string_equal(err.detail, "the body has fields this endpoint does not take");
	assert_int_equal(json_object_size(err.errors), 2);
	assert_string_equal(field_msg(&err, "bogus"), "unknown field");
	assert_string_equal(field_msg(&err, "Admin"), "unknown field");  /* names are exact */
	api_err_free(&err);
}

static void
test_wrong_type_is_400(void **state)
{
	static const struct {
		const char *body, *field, *msg;
	} cases[] = {
		{ "{\"username\": 5}", "username", "must be a string" },
		{ "{\"username\": null}", "username", "must be a string" },
		{ "{\"username\": \"a\", \"count\": \"3\"}", "count", "must be an integer" },
		{ "{\"username\": \"a\", \"count\": 1.0}", "count", "must be an integer" },
		{ "{\"username\": \"a\", \"count\": true}", "count", "must be an integer" },
		{ "{\"username\": \"a\", \"admin\": 1}", "admin", "must be a boolean" },
		{ "{\"username\": \"a\", \"admin\": \"true\"}", "admin", "must be a boolean" },
		{ "{\"username\": \"a\", \"note\": [\"x\"]}", "note", "must be a string" },
	};
	struct api_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (check(cases[i].body, &err) != 400)
			fail_msg("%s: status %d", cases[i].body, err.status);
		assert_string_equal(err.detail, "the body has fields of the wrong type");
		assert_int_equal(json_object_size(err.errors), 1);
		assert_non_null(field_msg(&err, cases[i].field));
		assert_string_equal(field_msg(&err, cases[i].field), cases[i].msg);
		api_err_free(&err);
	}
}

static void
test_shape_errors_come_before_rules(void **state)
{
	struct api_err err;

	(void)state;
	/* username is missing and count out of range, but the wrong shape is what is reported. */
	assert_int_equal(check("{\"count\": 99, \"admin\": 0, \"extra\": {}}", &err), 400);
	assert_int_equal(json_object_size(err.errors), 2);
	assert_string_equal(field_msg(&err, "admin"), "must be a boolean");
	assert_string_equal(field_msg(&err, "extra"), "unknown field");
	assert_null(field_msg(&err, "username"));
	assert_null(field_msg(&err, "count"));
	api_err_free(&err);
}

static void
test_missing_required_is_422(void **state)
{
	struct api_err err;

	(void)state;
	assert_int_equal(check("{}", &err), 422);
	assert_int_equal(json_object_size(err.errors), 1);
	assert_string_equal(field_msg(&err, "username"), "is required");
	api_err_free(&err);
	assert_int_equal(check("{\"count\": 3, \"note\": \"n\"}", &err), 422);
	assert_string_equal(field_msg(&err, "username"), "is required");
	api_err_free(&err);
}

static void
test_string_length_is_422(void **state)
{
	struct api_err err;

	(void)state;
	assert_int_equal(check("{\"username\": \"\"}", &err), 422);
	assert_string_equal(field_msg(&err, "username"), "must be 1 to 8 bytes long");
	api_err_free(&err);
	assert_int_equal(check("{\"username\": \"abcdefghi\"}", &err), 422);
	assert_string_equal(field_msg(&err, "username"), "must be 1 to 8 bytes long");
	api_err_free(&err);
}

static void
test_integer_bounds_are_422(void **state)
{
	static const char *const bad[] = {
		"{\"username\": \"a\", \"count\": 11}",
		"{\"username\": \"a\", \"count\": -6}",
		"{\"username\": \"a\", \"count\": 9223372036854775807}",
		"{\"username\": \"a\", \"count\": -9223372036854775808}",
	};
	struct api_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (check(bad[i], &err) != 422)
			fail_msg("%s: status %d", bad[i], err.status);
		assert_int_equal(json_object_size(err.errors), 1);
		assert_string_equal(field_msg(&err, "count"), "must be from -5 to 10");
		api_err_free(&err);
	}
}

static void
test_several_rule_breaks_all_named(void **state)
{
	struct api_err err;

	(void)state;
	assert_int_equal(check("{\"username\": \"much too long\", \"count\": 50}", &err), 422);
	assert_int_equal(json_object_size(err.errors), 2);
	assert_non_null(field_msg(&err, "username"));
	assert_non_null(field_msg(&err, "count"));
	api_err_free(&err);
}

static void
test_unbounded_fields(void **state)
{
	static const struct jsonin_field loose[] = {
		{ "n", JSONIN_INTEGER, false, 0, 0 },
		{ "s", JSONIN_STRING, false, 0, 0 },
		{ NULL, JSONIN_STRING, false, 0, 0 },
	};
	json_t *obj = json_pack("{s:I, s:s}", "n", (json_int_t)-123456789012LL, "s", "");
	struct api_err err;

	(void)state;
	assert_non_null(obj);
	api_err_init(&err);
	assert_int_equal(jsonin_check(obj, loose, &err), 0);
	assert_int_equal(err.status, 0);
	json_decref(obj);
	/* An empty object is fine when nothing is required. */
	obj = json_object();
	assert_int_equal(jsonin_check(obj, loose, &err), 0);
	json_decref(obj);
	api_err_free(&err);
}

static void
test_type_names(void **state)
{
	(void)state;
	assert_string_equal(jsonin_type_name(JSONIN_STRING), "a string");
	assert_string_equal(jsonin_type_name(JSONIN_INTEGER), "an integer");
	assert_string_equal(jsonin_type_name(JSONIN_BOOL), "a boolean");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_objects_pass),
		cmocka_unit_test(test_null_body_is_400),
		cmocka_unit_test(test_non_object_is_400),
		cmocka_unit_test(test_unknown_field_is_400),
		cmocka_unit_test(test_wrong_type_is_400),
		cmocka_unit_test(test_shape_errors_come_before_rules),
		cmocka_unit_test(test_missing_required_is_422),
		cmocka_unit_test(test_string_length_is_422),
		cmocka_unit_test(test_integer_bounds_are_422),
		cmocka_unit_test(test_several_rule_breaks_all_named),
		cmocka_unit_test(test_unbounded_fields),
		cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
