/* Tests for server/lib/udiff.c: fixed cases against GNU diff -u itself, and random edits whose
 * diff, applied to the old text by an applier written here, must give the new text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbuf.h"
#include "udiff.h"

/* What `diff -u` prints for a and b, without its two header lines. */
static char *
gnu_diff(const char *a, const char *b)
{
	char fa[] = "/tmp/netsot-udiff-a-XXXXXX", fb[] = "/tmp/netsot-udiff-b-XXXXXX";
	char cmd[128], buf[4096];
	struct sbuf sb;
	FILE *p;
	size_t n;
	int da = mkstemp(fa), db = mkstemp(fb);

	assert_true(da >= 0 && db >= 0);
	assert_int_equal(write(da, a, strlen(a)), (ssize_t)strlen(a));
	assert_int_equal(write(db, b, strlen(b)), (ssize_t)strlen(b));
	close(da);
	close(db);
	snprintf(cmd, sizeof(cmd), "diff -u %s %s | tail -n +3", fa, fb);
	assert_non_null(p = popen(cmd, "r"));
	sbuf_init(&sb, 0);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sbuf_append(&sb, buf, n);
	pclose(p);
	unlink(fa);
	unlink(fb);
	sbuf_putc(&sb, '\0');
	return sbuf_take(&sb, NULL);
}

static void
same_as_gnu(const char *a, const char *b)
{
	struct sbuf sb;
	char *want;

	sbuf_init(&sb, 0);
	assert_true(udiff(a, b, "a", "b", &sb));
	want = gnu_diff(a, b);
	/* Past the "--- a\n+++ b\n" header. */
	assert_string_equal(strstr(sbuf_str(&sb), "\n+++ b\n") + 7, want);
	free(want);
	sbuf_free(&sb);
}

static void
test_like_gnu_diff(void **state)
{
	(void)state;
	same_as_gnu("a\nb\nc\n", "a\nB\nc\n");
	same_as_gnu("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n",
	    "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n12\nthirteen\n14\n15\n");
	same_as_gnu("1\n2\n3\n", "0\n1\n2\n3\n");
	same_as_gnu("1\n2\n3\n", "1\n2\n3\n4\n");
	same_as_gnu("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n7\n8\n");
	same_as_gnu("", "only\n");
	same_as_gnu("gone\n", "");
}

static void
test_same_text(void **state)
{
	struct sbuf sb;

	(void)state;
	sbuf_init(&sb, 0);
	assert_false(udiff("x\ny\n", "x\ny\n", "a", "b", &sb));
	assert_int_equal(sb.len, 0);
	sbuf_free(&sb);
}

/* Applies a unified diff to a; returns the new text (malloc'd). */
static char *
apply(const char *a, const char *diff)
{
	const char *lines[512], *d, *nl;
	size_t la[512], na = 0, ai = 0;
	struct sbuf out;
	long start, count, k;

	for (d = a; *d != '\0'; d = nl + 1) {
		nl = strchr(d, '\n');
		assert_true(na < 512);
		lines[na] = d;
		la[na++] = (size_t)(nl - d);
	}
	sbuf_init(&out, 0);
	d = strstr(diff, "\n+++ ");
	d = strchr(d + 1, '\n') + 1;
	while (*d == '@') {
		/* "-start,count", or "-start" for one line. */
		count = 1;
		assert_true(sscanf(d, "@@ -%ld,%ld", &start, &count) >= 1);
		/* Lines before the hunk are kept as they are. */
		for (k = count ? start - 1 : start; ai < (size_t)k; ai++) {
			sbuf_append(&out, lines[ai], la[ai]);
			sbuf_putc(&out, '\n');
		}
		d = strchr(d, '\n') + 1;
		while (*d == ' ' || *d == '-' || *d == '+') {
			nl = strchr(d, '\n');
			if (*d != '-') {
				sbuf_append(&out, d + 1, (size_t)(nl - d - 1));
				sbuf_putc(&out, '\n');
			}
			if (*d != '+') {
				assert_true(ai < na);
				assert_int_equal(la[ai], (size_t)(nl - d - 1));
				assert_memory_equal(lines[ai], d + 1, la[ai]);
				ai++;
			}
			d = nl + 1;
		}
	}
	for (; ai < na; ai++) {
		sbuf_append(&out, lines[ai], la[ai]);
		sbuf_putc(&out, '\n');
	}
	sbuf_putc(&out, '\0');
	return sbuf_take(&out, NULL);
}

/* Random texts of a few distinct lines (so many lines repeat), randomly edited. */
static void
test_random_edits_apply(void **state)
{
	static const char *const words[] = { "a", "b", "c", "d", "table inet netsot {", "}" };
	struct sbuf a, b, d;
	unsigned seed = 20261202;
	char *got;
	int round, i, n, m;

	(void)state;
	for (round = 0; round < 300; round++) {
		sbuf_init(&a, 0);
		sbuf_init(&b, 0);
		sbuf_init(&d, 0);
		n = rand_r(&seed) % 40;
		for (i = 0; i < n; i++) {
			const char *w = words[rand_r(&seed) % 6];

			sbuf_printf(&a, "%s\n", w);
			/* Each line kept, dropped, changed, or with one put in front. */
			m = rand_r(&seed) % 10;
			if (m == 0)
				continue;
			if (m == 1)
				sbuf_printf(&b, "new %d\n", i);
			else if (m == 2)
				sbuf_printf(&b, "%s\n%s\n", words[rand_r(&seed) % 6], w);
			else
				sbuf_printf(&b, "%s\n", w);
		}
		if (rand_r(&seed) % 4 == 0)
			sbuf_puts(&b, "tail\n");
		udiff(sbuf_str(&a), sbuf_str(&b), "a", "b", &d);
		got = d.len ? apply(sbuf_str(&a), sbuf_str(&d)) : strdup(sbuf_str(&a));
		if (strcmp(got, sbuf_str(&b)) != 0)
			fail_msg("round %d: applying\n%s\nto\n%s\ngave\n%s", round, sbuf_str(&d),
			    sbuf_str(&a), got);
		free(got);
		sbuf_free(&a);
		sbuf_free(&b);
		sbuf_free(&d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_like_gnu_diff),
		cmocka_unit_test(test_same_text),
		cmocka_unit_test(test_random_edits_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
