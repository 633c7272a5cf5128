/* server/lib/portspec.c: parsing port lists, merging, overlap and coverage. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "portspec.h"

static struct portspec
parse(const char *s)
{
	struct portspec p;
	const char *why = NULL;

	if (portspec_parse(s, true, &p, &why) == -1)
		fail_msg("'%s' refused: %s", s, why);
	return p;
}

static void
test_parse_valid(void **state)
{
	struct portspec p;

	(void)state;
	p = parse("22");
	assert_int_equal(p.n, 1);
	assert_int_equal(p.r[0].lo, 22);
	assert_int_equal(p.r[0].hi, 22);
	p = parse("443,80");
	assert_int_equal(p.n, 2);
	assert_int_equal(p.r[0].lo, 80);
	p = parse("5404-5412");
	assert_int_equal(p.r[0].lo, 5404);
	assert_int_equal(p.r[0].hi, 5412);
	/* Touching and overlapping pieces merge. */
	p = parse("10-20,21,15-30,1");
	assert_int_equal(p.n, 2);
	assert_int_equal(p.r[0].lo, 1);
	assert_int_equal(p.r[1].lo, 10);
	assert_int_equal(p.r[1].hi, 30);
	p = parse("1,65535");
	assert_int_equal(p.r[1].hi, 65535);
	p = parse("");
	assert_int_equal(p.n, 0);
}

static void
test_parse_invalid(void **state)
{
	static const char *const bad[] = { "0", "65536", "22,", ",22", "5412-5404", "80;443",
		"022", "22-", "a", "1-2-3", " 22", "22 ", "-5", "99999999999", "1,,2" };
	struct portspec p;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (portspec_parse(bad[i], true, &p, &why) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(why);
	}
	assert_int_equal(portspec_parse("", false, &p, &why), -1);
}

static void
test_overlap_and_cover(void **state)
{
	struct portspec all = parse(""), web = parse("80,443"), https = parse("443"),
	    range = parse("400-500"), ssh = parse("22");

	(void)state;
	assert_true(portspec_overlaps(&web, &https));
	assert_true(portspec_overlaps(&range, &web));
	assert_false(portspec_overlaps(&ssh, &web));
	assert_true(portspec_overlaps(&all, &ssh));
	assert_true(portspec_covers(&all, &web));
	assert_true(portspec_covers(&web, &https));
	assert_true(portspec_covers(&range, &https));
	assert_false(portspec_covers(&range, &web));
	assert_false(portspec_covers(&https, &web));
	assert_false(portspec_covers(&web, &all));
	assert_true(portspec_covers(&all, &all));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_overlap_and_cover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
