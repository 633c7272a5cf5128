/* jsonload against json_loadb itself: on random texts, valid and broken, the same values (in
 * the same key order) or the same error, text and place. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testrng.h"
#include "jsonload.h"
#include "sbuf.h"


static void
gen_space(struct sbuf *sb)
{
	static const char *const ws[] = { "", "", "", " ", "\n", "\t", "\r\n ", "\f", "\v" };

	sbuf_puts(sb, ws[rnd(rnd(8) == 0 ? 9 : 7)]);
}

/* A string's body: plain text mostly, and every kind of byte and escape jansson judges. */
static void
gen_string(struct sbuf *sb)
{
	static const char *const parts[] = { "a", "host-1", "10.0.0.1", " ", "\\\"", "\\\\",
		"\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041", "\\u00e9", "\\ud83d\\ude00",
		"\\ud800", "\\u0000", "\\x", "\\", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xed\xbf\xbf",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
		"\xc3", "\x80", "\xff", "\x01", "\x1f", "\x7f", "\t" };
	unsigned i, n = rnd(6);

	for (i = 0; i < n; i++)
		sbuf_puts(sb, rnd(3) == 0 ? parts[rnd(sizeof(parts) / sizeof(parts[0]))] :
		    parts[rnd(4)]);
}

static void gen_value(struct sbuf *sb, int depth);

static void
gen_key(struct sbuf *sb, int i)
{
	static const char *const keys[] = { "name", "vid", "address", "host", "tags", "" };

	sbuf_putc(sb, '"');
	if (rnd(4) == 0)
		gen_string(sb);
	else if (rnd(3) == 0)
		sbuf_puts(sb, keys[rnd(6)]);
	else
		sbuf_printf(sb, "k%d", i);
	sbuf_putc(sb, '"');
}

static void
gen_value(struct sbuf *sb, int depth)
{
	static const char *const atoms[] = { "0", "-0", "7", "-12", "01", "-", "1.5", "1e3",
		"2E-2", "123456789012345678", "-123456789012345678", "1234567890123456789",
		"9223372036854775807", "9223372036854775808", "-9223372036854775809",
		"99999999999999999999", "true", "false", "null", "truex", "nul", "True", "tru",
		"1x", "0x10", "+1", ".5", "NaN" };
	unsigned i, n;

	gen_space(sb);
	switch (depth > 6 ? 2 + rnd(2) : rnd(4)) {
	case 0:
		sbuf_putc(sb, '{');
		for (i = 0, n = rnd(5); i < n; i++) {
			if (i > 0)
				sbuf_putc(sb, ',');
			gen_space(sb);
			gen_key(sb, rnd(8) == 0 ? 0 : (int)i);
			gen_space(sb);
			sbuf_putc(sb, ':');
			gen_value(sb, depth + 1);
		}
		gen_space(sb);
		sbuf_putc(sb, '}');
		break;
	case 1:
		sbuf_putc(sb, '[');
		for (i = 0, n = rnd(5); i < n; i++) {
			if (i > 0)
				sbuf_putc(sb, ',');
			gen_value(sb, depth + 1);
		}
		gen_space(sb);
		sbuf_putc(sb, ']');
		break;
	case 2:
		sbuf_putc(sb, '"');
		gen_string(sb);
		sbuf_putc(sb, '"');
		break;
	default:
		sbuf_puts(sb, rnd(3) == 0 ? atoms[rnd(sizeof(atoms) / sizeof(atoms[0]))] :
		    atoms[rnd(4)]);
		break;
	}
	gen_space(sb);
}

/* One text: a document, perhaps broken (cut short, a byte changed, more after it). */
static void
gen_text(struct sbuf *sb)
{
	static const char junk[] = ",]}:\"\\x0{[ \x00\xff";

	gen_value(sb, 0);
	switch (rnd(10)) {
	case 0:
		if (sb->len > 0)
			sb->len = rnd((unsigned)sb->len);
		break;
	case 1:
		if (sb->len > 0)
			sb->buf[rnd((unsigned)sb->len)] = junk[rnd(sizeof(junk) - 1)];
		break;
	case 2:
		sbuf_append(sb, &junk[rnd(sizeof(junk) - 1)], 1);
		break;
	default:
		break;
	}
}

/* Both readers on text: the same document, or the same error. */
static void
same(const char *text, size_t len, size_t flags, unsigned *docs)
{
	json_error_t e1, e2;
	json_t *a = jsonload(text, len, flags, &e1), *b = json_loadb(text, len, flags, &e2);
	char *ta, *tb;

	if (b == NULL) {
		assert_null(a);
		assert_string_equal(e1.text, e2.text);
		assert_string_equal(e1.source, e2.source);
		assert_int_equal(e1.line, e2.line);
		assert_int_equal(e1.column, e2.column);
		assert_int_equal(e1.position, e2.position);
		return;
	}
	assert_non_null(a);
	assert_true(json_equal(a, b));
	/* The same key order, integers as integers. */
	ta = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
	tb = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
	assert_string_equal(ta, tb);
	assert_int_equal(e1.line, e2.line);
	assert_int_equal(e1.column, e2.column);
	assert_string_equal(e1.source, e2.source);
	free(ta);
	free(tb);
	json_decref(a);
	json_decref(b);
	(*docs)++;
}

static void
test_random(void **state)
{
	struct sbuf sb;
	unsigned i, docs = 0;

	(void)state;
	for (i = 0; i < 40000; i++) {
		sbuf_init(&sb, 0);
		gen_text(&sb);
		assert_false(sbuf_failed(&sb));
		same(sb.len > 0 ? sb.buf : "", sb.len, i % 2 ? JSON_REJECT_DUPLICATES : 0, &docs);
		sbuf_free(&sb);
	}
	/* Both kinds are seen often: valid documents and errors. */
	assert_true(docs > 4000);
	assert_true(docs < 36000);
}

/* The cases one at a time: each byte and escape rule, numbers at the edge, nesting. */
static void
test_cases(void **state)
{
	static const char *const texts[] = {
		"{}", "[]", " { } ", "{\"a\":1,\"a\":2}", "{\"a\":\"x\\u0000y\"}",
		"{\"a\\u0000b\":1}", "[\"\\ud83d\\ude00\"]", "[\"\xed\xa0\x80\"]",
		"[\"\xf4\x8f\xbf\xbf\"]",
		"[\"\xf4\x90\x80\x80\"]", "[\"\xc2\x80\"]", "[\"\xed\xbf\xbf\"]",
		"[\"\xed\xb0\x80\"]",
		"[\"\xed\x9f\xbf\"]",
		"[\"\xee\x80\x80\"]", "[\"\xc1\xbf\"]", "[\"\xe0\xa0\x80\"]",
		"[\"\xe0\x9f\xbf\"]", "[\"\xf0\x90\x80\x80\"]", "[\"\xf0\x8f\xbf\xbf\"]",
		"[123456789012345678]", "[-123456789012345678]", "[9223372036854775807]",
		"[-9223372036854775808]", "[9223372036854775808]", "[1.0]", "[1e2]", "[-]",
		"[01]", "[-01]", "[true]", "[truefalse]", "[null,]", "[,]", "{\"a\"}", "{\"a\":}",
		"{\"a\":1,}", "{1:2}", "\"top\"", "1", "", " ", "{} x", "{}\n\n",
		"[\"a\\\"b\\\\c\\/d\"]",
		"[\"\x7f\"]", "[\"\x1f\"]", "{\"k\":\"\\b\\f\\n\\r\\t\"}",
		"{\"\xc3\xa9\":\"\xe2\x82\xac\"}",
		"[\"\\q\"]", "[\"abc", "{\"a\":[1,2,{\"b\":null}],\"c\":false}",
	};
	char deep[2 * 600 + 1];
	unsigned docs = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		same(texts[i], strlen(texts[i]), JSON_REJECT_DUPLICATES, &docs);
		same(texts[i], strlen(texts[i]), 0, &docs);
	}
	/* A NUL inside the text, and flags this reader leaves to jansson. */
	same("[1,\0002]", 6, 0, &docs);
	same("[\"a\0b\"]", 7, 0, &docs);
	same("[1.5]", 5, JSON_DECODE_INT_AS_REAL, &docs);
	same("[1]", 3, JSON_DECODE_INT_AS_REAL, &docs);
	same("7", 1, JSON_DECODE_ANY, &docs);
	/* Deeper than this reader goes, and deeper than jansson allows. */
	for (i = 0; i < 600; i++) {
		deep[i] = '[';
		deep[600 + i] = ']';
	}
	same(deep, 2 * 600, 0, &docs);
	same(deep, 2 * 300, 0, &docs);
	assert_true(docs > 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_random),
	};

	testrng_state = 0x2545f4914f6cdd1dULL;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
