/* Tests for server/lib/sbuf.c: the growable string builder with a sticky error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sbuf.h"

static void
test_init_is_empty(void **state)
{
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb, 123);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	assert_int_equal(sb.max, 123);
	assert_false(sbuf_failed(&sb));
	assert_string_equal(sbuf_str(&sb), "");
	sbuf_free(&sb);
}

static void
test_append_grows(void **state)
{
	struct sbuf sb;
	char want[3000];
	size_t i;

	(void)state;
	sbuf_init(&sb, 0);
	/* One byte at a time across several doublings of the buffer. */
	for (i = 0; i < sizeof(want) - 1; i++) {
		want[i] = (char)('a' + i % 26);
		assert_int_equal(sbuf_putc(&sb, want[i]), 0);
		assert_int_equal(sb.len, i + 1);
		assert_true(sb.cap > sb.len);
		assert_int_equal(sb.buf[sb.len], '\0');
	}
	want[sizeof(want) - 1] = '\0';
	assert_string_equal(sbuf_str(&sb), want);
	assert_int_equal(strlen(sbuf_str(&sb)), sizeof(want) - 1);
	assert_false(sbuf_failed(&sb));
	sbuf_free(&sb);
}

static void
test_append_binary_and_puts(void **state)
{
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb, 0);
	assert_int_equal(sbuf_append(&sb, "a\0b", 3), 0);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, "a\0b", 4);  /* and NUL-terminated */
	assert_int_equal(sbuf_puts(&sb, "cd"), 0);
	assert_int_equal(sbuf_puts(&sb, ""), 0);
	assert_int_equal(sb.len, 5);
	assert_memory_equal(sb.buf, "a\0bcd", 6);
	sbuf_free(&sb);
}

static void
test_append_nothing_gives_empty_string(void **state)
{
	struct sbuf sb;
	char *s;
	size_t len = 99;

	(void)state;
	sbuf_init(&sb, 0);
	assert_int_equal(sbuf_append(&sb, "", 0), 0);
	assert_non_null(sb.buf);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.len, 0);
	s = sbuf_take(&sb, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	sbuf_free(&sb);
}

static void
test_printf(void **state)
{
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb, 0);
	assert_int_equal(sbuf_puts(&sb, "x="), 0);
	assert_int_equal(sbuf_printf(&sb, "%d,%s,%c,%05.1f", 42, "yes", 'z', 3.14159), 0);
	assert_string_equal(sbuf_str(&sb), "x=42,yes,z,003.1");
	assert_int_equal(sb.len, strlen("x=42,yes,z,003.1"));
	assert_int_equal(sbuf_printf(&sb, "%s", ""), 0);
	assert_int_equal(sb.len, strlen("x=42,yes,z,003.1"));
	sbuf_free(&sb);
}

static void
test_printf_longer_than_first_buffer(void **state)
{
	struct sbuf sb;
	char big[1001];

	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sbuf_init(&sb, 0);
	assert_int_equal(sbuf_puts(&sb, "<"), 0);
	/* Longer than the initial 256-byte allocation, in one call. */
	assert_int_equal(sbuf_printf(&sb, "%s|%0300d>", big, 7), 0);
	assert_int_equal(sb.len, 1 + 1000 + 1 + 300 + 1);
	assert_int_equal(strlen(sb.buf), sb.len);
	assert_int_equal(sb.buf[0], '<');
	assert_memory_equal(sb.buf + 1, big, 1000);
	assert_int_equal(sb.buf[1001], '|');
	assert_int_equal(sb.buf[1002], '0');
	assert_string_equal(sb.buf + 1002 + 299, "7>");
	sbuf_free(&sb);
}

static int
call_vprintf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
call_vprintf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = sbuf_vprintf(sb, fmt, ap);
	va_end(ap);
	return rc;
}

static void
test_vprintf(void **state)
{
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb, 0);
	assert_int_equal(call_vprintf(&sb, "%s-%u", "v", 7u), 0);
	assert_string_equal(sbuf_str(&sb), "v-7");
	sbuf_free(&sb);
}

static void
test_max_exactly_reached_is_fine(void **state)
{
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb, 10);
	assert_int_equal(sbuf_puts(&sb, "12345"), 0);
	assert_int_equal(sbuf_printf(&sb, "%s", "6789"), 0);
	assert_int_equal(sbuf_putc(&sb, '0'), 0);
	assert_int_equal(sb.len, 10);
	assert_false(sbuf_failed(&sb));
	assert_string_equal(sbuf_str(&sb), "1234567890");
	sbuf_free(&sb);
}

static void
test_max_fails_stickily(void **state)
{
	struct sbuf sb;
	size_t len = 77;

	(void)state;
	sbuf_init(&sb, 10);
	assert_int_equal(sbuf_puts(&sb, "12345678"), 0);
	assert_int_equal(sbuf_puts(&sb, "abc"), -1);  /* 11 > 10 */
	assert_true(sbuf_failed(&sb));
	/* Nothing of the failed append went in. */
	assert_int_equal(sb.len, 8);
	assert_string_equal(sbuf_str(&sb), "12345678");
	/* Sticky: even appends that would fit are refused now. */
	assert_int_equal(sbuf_putc(&sb, 'x'), -1);
	assert_int_equal(sbuf_puts(&sb, ""), -1);
	assert_int_equal(sbuf_append(&sb, "y", 1), -1);
	assert_int_equal(sbuf_printf(&sb, "%d", 1), -1);
	assert_int_equal(sb.len, 8);
	assert_true(sbuf_failed(&sb));
	/* take refuses a failed builder, leaves len alone, and frees the buffer. */
	assert_null(sbuf_take(&sb, &len));
	assert_int_equal(len, 77);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.max, 10);
	sbuf_free(&sb);
}

static void
test_max_printf_fails(void **state)
{
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb, 8);
	assert_int_equal(sbuf_printf(&sb, "%d", 123456789), -1);
	assert_true(sbuf_failed(&sb));
	assert_int_equal(sb.len, 0);
	assert_string_equal(sbuf_str(&sb), "");
	sbuf_free(&sb);
}

static void
test_huge_append_fails_without_reading(void **state)
{
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb, 0);  /* unlimited, but size_t arithmetic must not wrap */
	assert_int_equal(sbuf_puts(&sb, "ab"), 0);
	assert_int_equal(sbuf_append(&sb, "x", SIZE_MAX), -1);
	assert_true(sbuf_failed(&sb));
	assert_int_equal(sbuf_append(&sb, "x", SIZE_MAX - 2), -1);
	assert_int_equal(sb.len, 2);
	sbuf_free(&sb);
}

static void
test_reset(void **state)
{
	struct sbuf sb;
	size_t cap;

	(void)state;
	sbuf_init(&sb, 4);
	sbuf_reset(&sb);  /* before anything was allocated */
	assert_string_equal(sbuf_str(&sb), "");
	assert_int_equal(sbuf_puts(&sb, "abcdef"), -1);
	assert_true(sbuf_failed(&sb));
	assert_int_equal(sbuf_puts(&sb, "abc"), -1);
	sbuf_reset(&sb);
	assert_false(sbuf_failed(&sb));
	assert_int_equal(sb.len, 0);
	assert_int_equal(sbuf_puts(&sb, "abc"), 0);
	cap = sb.cap;
	sbuf_reset(&sb);
	/* The buffer is kept, emptied. */
	assert_non_null(sb.buf);
	assert_int_equal(sb.cap, cap);
	assert_string_equal(sbuf_str(&sb), "");
	assert_int_equal(sbuf_puts(&sb, "wxyz"), 0);
	assert_string_equal(sbuf_str(&sb), "wxyz");
	sbuf_free(&sb);
}

static void
test_take(void **state)
{
	struct sbuf sb;
	size_t len = 0;
	char *s, *t;

	(void)state;
	sbuf_init(&sb, 0);
	assert_int_equal(sbuf_printf(&sb, "hello %s", "world"), 0);
	s = sbuf_take(&sb, &len);
	assert_non_null(s);
	assert_string_equal(s, "hello world");
	assert_int_equal(len, 11);
	/* The builder is empty and reusable; the taken string is independent of it. */
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	assert_string_equal(sbuf_str(&sb), "");
	assert_int_equal(sbuf_puts(&sb, "again"), 0);
	t = sbuf_take(&sb, NULL);
	assert_non_null(t);
	assert_ptr_not_equal(s, t);
	assert_string_equal(t, "again");
	assert_string_equal(s, "hello world");
	free(s);
	free(t);
	sbuf_free(&sb);
}

static void
test_take_on_unused_builder(void **state)
{
	struct sbuf sb;
	size_t len = 5;
	char *s;

	(void)state;
	sbuf_init(&sb, 0);
	s = sbuf_take(&sb, &len);
	/* An empty builder still hands over a NUL-terminated string. */
	assert_non_null(s);
	assert_int_equal(len, 0);
	assert_string_equal(s, "");
	assert_null(sb.buf);
	assert_false(sbuf_failed(&sb));
	free(s);
	sbuf_free(&sb);
}

static void
test_free_is_safe(void **state)
{
	struct sbuf sb;

	(void)state;
	sbuf_free(NULL);
	sbuf_init(&sb, 50);
	sbuf_free(&sb);  /* never allocated */
	assert_int_equal(sbuf_puts(&sb, "abc"), 0);
	sbuf_free(&sb);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	assert_int_equal(sb.max, 50);  /* the limit survives */
	sbuf_free(&sb);                /* twice is fine */
	assert_int_equal(sbuf_puts(&sb, "0123456789012345678901234567890123456789012345678901"),
	    -1);
	sbuf_free(&sb);
	assert_false(sbuf_failed(&sb));
}

static void
test_int(void **state)
{
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb, 0);
	sbuf_int(&sb, 0);
	sbuf_putc(&sb, ' ');
	sbuf_int(&sb, -42);
	sbuf_putc(&sb, ' ');
	sbuf_int(&sb, 9223372036854775807LL);
	sbuf_putc(&sb, ' ');
	sbuf_int(&sb, -9223372036854775807LL - 1);
	assert_string_equal(sbuf_str(&sb),
	    "0 -42 9223372036854775807 -9223372036854775808");
	sbuf_free(&sb);
}

/* sbuf_int_at writes what printf does, and no more than SBUF_INT_MAX bytes. */
static void
test_int_at(void **state)
{
	static const long long v[] = { 0, 1, -1, 9, 10, -10, 99, 100, 12345, -987654321,
		4294967296LL, 9223372036854775807LL, -9223372036854775807LL - 1 };
	char want[32], *buf, *end;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(want, sizeof(want), "%lld", v[i]);
		buf = malloc(SBUF_INT_MAX);
		assert_non_null(buf);
		end = sbuf_int_at(buf, v[i]);
		assert_int_equal((size_t)(end - buf), strlen(want));
		assert_memory_equal(buf, want, strlen(want));
		free(buf);
	}
}

/* Room for n bytes: written in place, then sbuf_wrote ends the string there; the builder
 * grows for it, and a failed builder gives none. */
static void
test_room(void **state)
{
	struct sbuf sb;
	char *p;

	(void)state;
	sbuf_init(&sb, 0);
	sbuf_puts(&sb, "ab");
	p = sbuf_room(&sb, 1000);
	assert_non_null(p);
	assert_ptr_equal(p, sb.buf + 2);
	assert_true(sb.cap >= 2 + 1000 + 1);
	memset(p, 'x', 1000);
	sbuf_wrote(&sb, p + 3);
	assert_int_equal(sb.len, 5);
	assert_string_equal(sbuf_str(&sb), "abxxx");
	sbuf_free(&sb);
	/* Under a cap, the bound itself must fit. */
	sbuf_init(&sb, 8);
	assert_non_null(sbuf_room(&sb, 8));
	assert_null(sbuf_room(&sb, 9));
	assert_true(sbuf_failed(&sb));
	assert_null(sbuf_room(&sb, 1));
	sbuf_free(&sb);
}

static void
test_json_string(void **state)
{
	struct sbuf sb;
	json_t *back;

	(void)state;
	sbuf_init(&sb, 0);
	sbuf_json(&sb, "a\"b\\c\n\t\x01\x1f/\xc3\xa9", 12);
	assert_string_equal(sbuf_str(&sb), "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f/\xc3\xa9\"");
	/* What it writes reads back as the same string. */
	back = json_loads(sbuf_str(&sb), JSON_DECODE_ANY, NULL);
	assert_non_null(back);
	assert_int_equal(json_string_length(back), 12);
	assert_memory_equal(json_string_value(back), "a\"b\\c\n\t\x01\x1f/\xc3\xa9", 12);
	json_decref(back);
	sbuf_reset(&sb);
	sbuf_json(&sb, "", 0);
	assert_string_equal(sbuf_str(&sb), "\"\"");
	/* A string with nothing to escape takes the one-copy path, after what is there. */
	sbuf_json(&sb, "10.0.0.1", 8);
	assert_string_equal(sbuf_str(&sb), "\"\"\"10.0.0.1\"");
	assert_int_equal(sb.len, 12);
	sbuf_free(&sb);
	/* Both paths respect a capped buffer: what does not fit fails and is not written. */
	sbuf_init(&sb, 8);
	assert_int_equal(sbuf_json(&sb, "abcdefg", 7), -1);
	assert_true(sbuf_failed(&sb));
	sbuf_free(&sb);
	sbuf_init(&sb, 8);
	assert_int_equal(sbuf_json(&sb, "abcdef", 6), 0);
	assert_string_equal(sbuf_str(&sb), "\"abcdef\"");
	sbuf_free(&sb);
}

/* The reference: JSON's escapes byte by byte, as the word-at-a-time scan must agree with. */
static size_t
json_reference(const unsigned char *s, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	out[o++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') {
			out[o++] = '\\';
			out[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' :
			    c == '\b' ? 'b' : 'f';
		} else if (c < 0x20) {
			memcpy(out + o, "\\u00", 4);
			out[o + 4] = hex[c >> 4];
			out[o + 5] = hex[c & 15];
			o += 6;
		} else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}

/* Every byte value at every place of strings 1 to 24 bytes long (one word, two, three and
 * the tail), among bytes next to the edges the scan tests (0x1f, 0x20, 0x21, 0x5b, 0x5d, 0x7f,
 * 0x80, 0xff): each must come out exactly as the reference escapes it, from sbuf_json and
 * from sbuf_json_at, which writes no further than its 6 * n + 2 bytes (an exact allocation,
 * so that the sanitizer build sees any byte past it). */
static void
test_json_every_byte_everywhere(void **state)
{
	static const unsigned char fill[] = { 0x20, 0x21, 0x5b, 0x5d, 0x7f, 0x80, 0xff, 'a' };
	unsigned char s[24];
	char want[24 * 6 + 3];
	struct sbuf sb;
	size_t n, at, k, f;
	char *at_buf, *end;
	unsigned v;

	(void)state;
	sbuf_init(&sb, 0);
	for (f = 0; f < sizeof(fill); f++)
		for (n = 1; n <= sizeof(s); n++)
			for (at = 0; at < n; at++)
				for (v = 0; v < 256; v++) {
					memset(s, fill[f], n);
					s[at] = (unsigned char)v;
					k = json_reference(s, n, want);
					sbuf_reset(&sb);
					assert_int_equal(sbuf_json(&sb, (const char *)s, n), 0);
					assert_int_equal(sb.len, k);
					assert_memory_equal(sbuf_str(&sb), want, k);
					at_buf = malloc(6 * n + 2);
					assert_non_null(at_buf);
					end = sbuf_json_at(at_buf, (const char *)s, n);
					assert_int_equal((size_t)(end - at_buf), k);
					assert_memory_equal(at_buf, want, k);
					free(at_buf);
				}
	sbuf_free(&sb);
	at_buf = malloc(2);
	assert_non_null(at_buf);
	assert_ptr_equal(sbuf_json_at(at_buf, "", 0), at_buf + 2);
	assert_memory_equal(at_buf, "\"\"", 2);
	free(at_buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty),
		cmocka_unit_test(test_append_grows),
		cmocka_unit_test(test_append_binary_and_puts),
		cmocka_unit_test(test_append_nothing_gives_empty_string),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_printf_longer_than_first_buffer),
		cmocka_unit_test(test_vprintf),
		cmocka_unit_test(test_max_exactly_reached_is_fine),
		cmocka_unit_test(test_max_fails_stickily),
		cmocka_unit_test(test_max_printf_fails),
		cmocka_unit_test(test_huge_append_fails_without_reading),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_take_on_unused_builder),
		cmocka_unit_test(test_free_is_safe),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_json_every_byte_everywhere),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_int_at),
		cmocka_unit_test(test_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
