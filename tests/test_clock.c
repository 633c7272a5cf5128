/* Times as the API writes them (clock.c): RFC 3339 in UTC, right whichever second a thread
 * asked for before (each thread keeps its last one), "" past the year 9999, and deadlines for
 * pthread_cond_timedwait with their nanoseconds normalised. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "clock.h"

static void
test_rfc3339_known_times(void **state)
{
	char buf[CLOCK_RFC3339_LEN];

	(void)state;
	clock_rfc3339(0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	clock_rfc3339(1795962540, buf);
	assert_string_equal(buf, "2026-11-29T14:29:00Z");
	clock_rfc3339(951782400, buf);          /* a leap day */
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	clock_rfc3339(253402300799, buf);       /* the last second that fits */
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	clock_rfc3339(253402300800, buf);
	assert_string_equal(buf, "");
}

/* The arithmetic against gmtime_r and strftime: every day's first and last second from 1970 to
 * 9999 (every leap rule: 2000 yes, 2100 no, 2400 yes), and a million random seconds; a
 * second before 1970 as strftime writes it. */
static void
test_rfc3339_against_strftime(void **state)
{
	char buf[CLOCK_RFC3339_LEN], want[CLOCK_RFC3339_LEN];
	unsigned long long x = 88172645463325252ULL;
	struct tm tm;
	time_t t;
	long long day;
	int i;

	(void)state;
	for (day = 0; day * 86400 <= CLOCK_RFC3339_LAST; day++) {
		for (i = 0; i < 2; i++) {
			t = (time_t)(day * 86400 + i * 86399);
			clock_rfc3339(t, buf);
			assert_non_null(gmtime_r(&t, &tm));
			strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
			assert_string_equal(buf, want);
		}
	}
	for (i = 0; i < 1000000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		t = (time_t)(x % (unsigned long long)(CLOCK_RFC3339_LAST + 1));
		clock_rfc3339(t, buf);
		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		assert_string_equal(buf, want);
	}
	clock_rfc3339(-1, buf);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
}

/* The kept second must never answer for another: back and forth, and the same twice. */
static void
test_rfc3339_alternating(void **state)
{
	static const time_t t[] = { 1795962540, 1795962541, 1795962540, 1795962540, 0,
	    253402300800, 1795962541 };
	static const char *const want[] = { "2026-11-29T14:29:00Z", "2026-11-29T14:29:01Z",
	    "2026-11-29T14:29:00Z", "2026-11-29T14:29:00Z", "1970-01-01T00:00:00Z", "",
	    "2026-11-29T14:29:01Z" };
	char buf[CLOCK_RFC3339_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		clock_rfc3339(t[i], buf);
		assert_string_equal(buf, want[i]);
	}
}

static void *
rfc3339_thread(void *arg)
{
	time_t base = *(const time_t *)arg, s;
	char buf[CLOCK_RFC3339_LEN], want[CLOCK_RFC3339_LEN];
	struct tm tm;
	int i;

	for (i = 0; i < 2000; i++) {
		s = base + i % 7;
		gmtime_r(&s, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		clock_rfc3339(s, buf);
		if (strcmp(buf, want) != 0)
			return (void *)1;
	}
	return NULL;
}

/* Threads each keep their own second: none sees another's. */
static void
test_rfc3339_threads(void **state)
{
	time_t base[4] = { 0, 1000000000, 1795962540, 4102444800 };
	pthread_t th[4];
	void *bad;
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, rfc3339_thread, &base[i]), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], &bad);
		assert_null(bad);
	}
}

static void
test_after_ms_normalised(void **state)
{
	struct timespec now, at;
	long long diff;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &now);
	clock_after_ms(CLOCK_MONOTONIC, 2500, &at);
	assert_true(at.tv_nsec >= 0 && at.tv_nsec < 1000000000L);
	diff = (long long)(at.tv_sec - now.tv_sec) * 1000 + (at.tv_nsec - now.tv_nsec) / 1000000;
	assert_true(diff >= 2500 && diff < 3500);
	clock_after_ms(CLOCK_REALTIME, 999, &at);
	assert_true(at.tv_nsec >= 0 && at.tv_nsec < 1000000000L);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_known_times),
		cmocka_unit_test(test_rfc3339_alternating),
		cmocka_unit_test(test_rfc3339_against_strftime),
		cmocka_unit_test(test_rfc3339_threads),
		cmocka_unit_test(test_after_ms_normalised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
