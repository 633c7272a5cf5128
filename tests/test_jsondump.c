/* jsondump against json_dumps itself: the same text for every value, but for the case of a
 * \u escape's hex digits (jansson writes upper case, sbuf_json lower). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testrng.h"
#include "jsondump.h"


/* jansson's text with each \u escape's hex digits in lower case. */
static char *
lower_escapes(char *s)
{
	size_t i, k;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u')
			for (k = 2; k < 6; k++)
				if (s[i + k] >= 'A' && s[i + k] <= 'F')
					s[i + k] = (char)(s[i + k] - 'A' + 'a');
		i++;   /* the escaped character is never the start of another escape */
	}
	return s;
}

static void
check_same(const json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(10) | JSON_ENCODE_ANY);
	struct sbuf sb;

	assert_non_null(want);
	sbuf_init(&sb, 0);
	assert_int_equal(jsondump(&sb, v), 0);
	if (strcmp(sbuf_str(&sb), lower_escapes(want)) != 0)
		fail_msg("jsondump %s\n json_dumps %s", sbuf_str(&sb), want);
	sbuf_free(&sb);
	free(want);
}

/* Valid UTF-8 of up to n code points, weighted to what needs care: control characters,
 * quotes, backslashes, slashes, and two- to four-byte sequences. */
static size_t
rand_utf8(char *out, unsigned n)
{
	static const char special[] = "\"\\/\b\f\n\r\t\x01\x1f\x7f ";
	size_t len = 0;
	unsigned i, cp;

	for (i = 0; i < n; i++) {
		switch (rnd(6)) {
		case 0: out[len++] = special[rnd(sizeof(special) - 1)]; break;
		case 1: out[len++] = (char)rnd(0x20); break;   /* NUL too */
		case 2:
			cp = 0x80 + rnd(0x800 - 0x80);
			out[len++] = (char)(0xc0 | cp >> 6);
			out[len++] = (char)(0x80 | (cp & 0x3f));
			break;
		case 3:
			cp = 0x800 + rnd(0xd800 - 0x800);
			out[len++] = (char)(0xe0 | cp >> 12);
			out[len++] = (char)(0x80 | (cp >> 6 & 0x3f));
			out[len++] = (char)(0x80 | (cp & 0x3f));
			break;
		case 4:
			cp = 0x10000 + rnd(0x100000);
			out[len++] = (char)(0xf0 | cp >> 18);
			out[len++] = (char)(0x80 | (cp >> 12 & 0x3f));
			out[len++] = (char)(0x80 | (cp >> 6 & 0x3f));
			out[len++] = (char)(0x80 | (cp & 0x3f));
			break;
		default: out[len++] = (char)(' ' + rnd(95)); break;
		}
	}
	return len;
}

static double
rand_real(void)
{
	static const double fixed[] = { 0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1e20, 1e-5, 1e-300, 1e300,
		123456789012.0, 1234567890.5, 3.14159265358979, 1e10, 1e9, 99.5, 2.5e-7, 5e-324,
		1.7976931348623157e308, 100.0, 66.66666666666667 };
	double m = (double)(int)rnd(2000001) - 1000000.0;

	if (rnd(3) == 0)
		return fixed[rnd(sizeof(fixed) / sizeof(fixed[0]))];
	switch (rnd(3)) {
	case 0: return m;
	case 1: return m / 1024.0;
	default: return m * 1e-9 * (double)(rnd(1000) + 1) * (rnd(2) ? 1e15 : 1e-15);
	}
}

static json_t *
rand_value(int depth)
{
	static const json_int_t ints[] = { 0, 1, -1, 9223372036854775807LL,
		-9223372036854775807LL - 1, 4294967296LL, -100 };
	char buf[4 * 24 + 1];
	json_t *v;
	unsigned i, n;
	size_t len;

	switch (depth > 4 ? 2 + rnd(6) : rnd(8)) {
	case 0:
		v = json_object();
		for (i = 0, n = rnd(6); i < n; i++) {
			len = rand_utf8(buf, rnd(8));
			json_object_setn_new_nocheck(v, buf, len, rand_value(depth + 1));
		}
		return v;
	case 1:
		v = json_array();
		for (i = 0, n = rnd(6); i < n; i++)
			json_array_append_new(v, rand_value(depth + 1));
		return v;
	case 2:
	case 3:
		len = rand_utf8(buf, rnd(24));
		return json_stringn(buf, len);
	case 4:
		return json_integer(rnd(2) ? ints[rnd(sizeof(ints) / sizeof(ints[0]))] :
		    (json_int_t)rnd(100000) - 50000);
	case 5:
		return json_real(rand_real());
	case 6:
		return json_boolean(rnd(2));
	default:
		return json_null();
	}
}

static void
test_random_values(void **state)
{
	json_t *v;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		v = rand_value(0);
		assert_non_null(v);
		check_same(v);
		json_decref(v);
	}
}

/* The reals spelled out, so that a change to both writers alike is seen too. */
static void
test_reals(void **state)
{
	static const struct {
		double d;
		const char *text;
	} cases[] = {
		{ 1.0, "1.0" }, { 0.1, "0.1" }, { -0.0, "-0.0" }, { 1e20, "1e20" },
		{ 1e-5, "1e-5" }, { 1e-300, "1e-300" }, { 66.66666666666667, "66.66666667" },
		{ 1234567890.5, "1234567890.0" }, { 12345678901.0, "1.23456789e10" },
		{ 123456789012.0, "1.23456789e11" }, { 2.5e-7, "2.5e-7" },
	};
	struct sbuf sb;
	json_t *v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = json_real(cases[i].d);
		sbuf_init(&sb, 0);
		assert_int_equal(jsondump(&sb, v), 0);
		assert_string_equal(sbuf_str(&sb), cases[i].text);
		check_same(v);
		sbuf_free(&sb);
		json_decref(v);
	}
}

static void
test_shapes(void **state)
{
	json_t *v = json_pack("{s:s, s:[i, n, b, {}], s:{}, s:[]}", "a\"b", "x\ny\x01",
	    "list", 1, 0, "o", "e");
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb, 0);
	assert_int_equal(jsondump(&sb, v), 0);
	assert_string_equal(sbuf_str(&sb),
	    "{\"a\\\"b\":\"x\\ny\\u0001\",\"list\":[1,null,false,{}],\"o\":{},\"e\":[]}");
	sbuf_free(&sb);
	check_same(v);
	json_decref(v);
}

/* Too deep a value is refused, not a stack overflow; one level less is written. A capped
 * builder fails it too. */
static void
test_limits(void **state)
{
	json_t *top = json_array(), *v = top, *next;
	struct sbuf sb;
	int i;

	(void)state;
	for (i = 0; i < JSONDUMP_MAX_DEPTH; i++) {
		next = json_array();
		json_array_append_new(v, next);
		v = next;
	}
	sbuf_init(&sb, 0);
	assert_int_equal(jsondump(&sb, top), 0);
	assert_int_equal(sb.len, 2 * (JSONDUMP_MAX_DEPTH + 1));
	sbuf_free(&sb);
	json_array_append_new(v, json_array());
	sbuf_init(&sb, 0);
	assert_int_equal(jsondump(&sb, top), -1);
	sbuf_free(&sb);
	sbuf_init(&sb, 16);
	assert_int_equal(jsondump(&sb, top), -1);
	sbuf_free(&sb);
	assert_int_equal(jsondump(&sb, NULL), -1);
	json_decref(top);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_values),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_limits),
	};
	testrng_state = 0x9e3779b97f4a7c15ULL;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
