/* metrics.c's address allow-list: CIDRs and bare addresses, IPv4 clients of a dual-stack socket,
 * and the refusals of --metrics-allow. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "metrics.h"

static void
test_allowed(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(metrics_init("10.0.0.0/8, ::1/128,192.0.2.7", err, sizeof(err)), 0);
	assert_true(metrics_allowed("10.1.2.3"));
	assert_true(metrics_allowed("10.255.255.255"));
	assert_false(metrics_allowed("11.0.0.1"));
	assert_false(metrics_allowed("9.255.255.255"));
	assert_true(metrics_allowed("::ffff:10.1.2.3"));
	assert_false(metrics_allowed("::ffff:11.1.2.3"));
	assert_true(metrics_allowed("::1"));
	assert_false(metrics_allowed("::2"));
	assert_true(metrics_allowed("192.0.2.7"));
	assert_false(metrics_allowed("192.0.2.8"));
	assert_false(metrics_allowed(""));
	assert_false(metrics_allowed("not an address"));
	assert_false(metrics_allowed(NULL));
	assert_int_equal(metrics_init("none", err, sizeof(err)), 0);
	assert_false(metrics_allowed("127.0.0.1"));
	assert_false(metrics_allowed("::1"));
}

static void
test_refused(void **state)
{
	char err[256], many[512] = "";
	int i;

	(void)state;
	assert_int_equal(metrics_init("10.0.0.1/8", err, sizeof(err)), -1);
	assert_string_equal(err, "--metrics-allow: '10.0.0.1/8' is not an address or a CIDR "
	    "without host bits");
	assert_int_equal(metrics_init("127.0.0.0/8,localhost", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'localhost'"));
	assert_int_equal(metrics_init("10.0.0.0/33", err, sizeof(err)), -1);
	for (i = 0; i <= METRICS_ALLOW_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "10.0.%d.0/24,", i);
	assert_int_equal(metrics_init(many, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
