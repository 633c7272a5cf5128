/* Tests for server/lib/ratelimit.c: the bounded failed-login limiter. Time is passed explicitly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ratelimit.h"

#define T0 ((time_t)1800000000)

static int
setup(void **state)
{
	*state = ratelimit_new(3, 60);
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	ratelimit_free(*state);
	return 0;
}

static void
fail_n(struct ratelimit *rl, const char *key, int n, time_t now)
{
	while (n-- > 0)
		ratelimit_fail(rl, key, now);
}

static void
test_allowed_until_max(void **state)
{
	struct ratelimit *rl = *state;
	int w;

	assert_int_equal(ratelimit_wait(rl, "u:alice", T0), 0);
	ratelimit_fail(rl, "u:alice", T0);
	assert_int_equal(ratelimit_wait(rl, "u:alice", T0), 0);
	ratelimit_fail(rl, "u:alice", T0);
	assert_int_equal(ratelimit_wait(rl, "u:alice", T0), 0);
	ratelimit_fail(rl, "u:alice", T0);
	w = ratelimit_wait(rl, "u:alice", T0);
	assert_true(w > 0 && w <= 60);
	assert_int_equal(w, 60);
	/* Waiting does not count as a failure, and asking twice gives the same answer. */
	assert_int_equal(ratelimit_wait(rl, "u:alice", T0), 60);
}

static void
test_wait_shrinks_with_time(void **state)
{
	struct ratelimit *rl = *state;

	fail_n(rl, "u:bob", 3, T0);
	assert_int_equal(ratelimit_wait(rl, "u:bob", T0 + 1), 59);
	assert_int_equal(ratelimit_wait(rl, "u:bob", T0 + 30), 30);
	assert_int_equal(ratelimit_wait(rl, "u:bob", T0 + 59), 1);
	assert_int_equal(ratelimit_wait(rl, "u:bob", T0 + 60), 0);
	assert_int_equal(ratelimit_wait(rl, "u:bob", T0 + 6000), 0);
}

static void
test_window_starts_at_first_failure(void **state)
{
	struct ratelimit *rl = *state;

	ratelimit_fail(rl, "u:carol", T0);
	ratelimit_fail(rl, "u:carol", T0 + 20);
	ratelimit_fail(rl, "u:carol", T0 + 40);
	assert_int_equal(ratelimit_wait(rl, "u:carol", T0 + 40), 20);
}

static void
test_window_expiry_resets(void **state)
{
	struct ratelimit *rl = *state;
	time_t t1 = T0 + 60;

	fail_n(rl, "u:dave", 3, T0);
	assert_true(ratelimit_wait(rl, "u:dave", T0 + 1) > 0);
	/* A failure after the window starts a new count at 1. */
	ratelimit_fail(rl, "u:dave", t1);
	assert_int_equal(ratelimit_wait(rl, "u:dave", t1), 0);
	ratelimit_fail(rl, "u:dave", t1 + 1);
	assert_int_equal(ratelimit_wait(rl, "u:dave", t1 + 1), 0);
	ratelimit_fail(rl, "u:dave", t1 + 2);
	assert_int_equal(ratelimit_wait(rl, "u:dave", t1 + 2), 58);
}

static void
test_failures_in_different_windows_do_not_add_up(void **state)
{
	struct ratelimit *rl = *state;

	fail_n(rl, "u:erin", 2, T0);
	ratelimit_fail(rl, "u:erin", T0 + 60);
	ratelimit_fail(rl, "u:erin", T0 + 61);
	assert_int_equal(ratelimit_wait(rl, "u:erin", T0 + 61), 0);
}

static void
test_clear_resets(void **state)
{
	struct ratelimit *rl = *state;

	fail_n(rl, "u:frank", 3, T0);
	fail_n(rl, "u:grace", 3, T0);
	assert_true(ratelimit_wait(rl, "u:frank", T0) > 0);
	ratelimit_clear(rl, "u:frank");
	assert_int_equal(ratelimit_wait(rl, "u:frank", T0), 0);
	/* The other key is untouched, and clearing a key never seen is harmless. */
	assert_int_equal(ratelimit_wait(rl, "u:grace", T0), 60);
	ratelimit_clear(rl, "u:nobody");
	assert_int_equal(ratelimit_wait(rl, "u:grace", T0), 60);
	/* After a clear the count starts over. */
	fail_n(rl, "u:frank", 2, T0 + 1);
	assert_int_equal(ratelimit_wait(rl, "u:frank", T0 + 1), 0);
	ratelimit_fail(rl, "u:frank", T0 + 1);
	assert_int_equal(ratelimit_wait(rl, "u:frank", T0 + 1), 60);
}

static void
test_keys_are_independent(void **state)
{
	struct ratelimit *rl = *state;

	fail_n(rl, "u:heidi", 3, T0);
	assert_int_equal(ratelimit_wait(rl, "u:heidi", T0), 60);
	assert_int_equal(ratelimit_wait(rl, "u:heid", T0), 0);
	assert_int_equal(ratelimit_wait(rl, "u:heidi2", T0), 0);
	assert_int_equal(ratelimit_wait(rl, "a:heidi", T0), 0);
	assert_int_equal(ratelimit_wait(rl, "u:HEIDI", T0), 0);
	fail_n(rl, "u:ivan", 2, T0);
	assert_int_equal(ratelimit_wait(rl, "u:ivan", T0), 0);
	assert_int_equal(ratelimit_wait(rl, "u:heidi", T0), 60);
}

static void
test_long_keys(void **state)
{
	struct ratelimit *rl = *state;
	char key[300];

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	fail_n(rl, key, 3, T0);
	assert_int_equal(ratelimit_wait(rl, key, T0), 60);
	ratelimit_clear(rl, key);
	assert_int_equal(ratelimit_wait(rl, key, T0), 0);
}

static void
test_max_one(void **state)
{
	struct ratelimit *rl = ratelimit_new(1, 10);

	(void)state;
	assert_non_null(rl);
	assert_int_equal(ratelimit_wait(rl, "a:192.0.2.1", T0), 0);
	ratelimit_fail(rl, "a:192.0.2.1", T0);
	assert_int_equal(ratelimit_wait(rl, "a:192.0.2.1", T0 + 3), 7);
	ratelimit_free(rl);
	ratelimit_free(NULL);
}

/* 100000 keys are far more than the table holds. Keys that are not over the limit themselves
 * (max - 1 failures each) must not push out a key that is. */
static void
test_flood_keeps_hot_key_limited(void **state)
{
	struct ratelimit *rl = ratelimit_new(5, 300);
	char key[32];
	int i;

	(void)state;
	assert_non_null(rl);
	fail_n(rl, "u:victim", 5, T0);
	assert_int_equal(ratelimit_wait(rl, "u:victim", T0), 300);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "u:spray-%d", i);
		fail_n(rl, key, 4, T0 + 1);
	}
	assert_int_equal(ratelimit_wait(rl, "u:victim", T0 + 2), 298);
	/* The table still works for the newest keys. */
	ratelimit_fail(rl, "u:spray-99999", T0 + 2);
	assert_int_equal(ratelimit_wait(rl, "u:spray-99999", T0 + 2), 299);
	assert_int_equal(ratelimit_wait(rl, "u:never-seen", T0 + 2), 0);
	ratelimit_free(rl);
}

/* Once the flood's window has passed, its entries are the first to be reused: a live key with
 * fewer failures than the expired ones is kept. */
static void
test_expired_entries_are_reused_first(void **state)
{
	struct ratelimit *rl = ratelimit_new(5, 300);
	char key[32];
	int i, limited, later;

	(void)state;
	assert_non_null(rl);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "a:10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		fail_n(rl, key, 5, T0);
	}
	/* The table fills up (locked keys are never evicted, so late ones go untracked), holds
	 * no more than its 8192 slots, and all of it frees once the window has passed. */
	for (i = 0, limited = 0, later = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "a:10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		limited += ratelimit_wait(rl, key, T0 + 299) == 1;
		later += ratelimit_wait(rl, key, T0 + 300) != 0;
	}
	assert_true(limited > 4096 && limited <= 8192);
	assert_int_equal(later, 0);
	fail_n(rl, "u:warm", 4, T0 + 300);
	assert_int_equal(ratelimit_wait(rl, "u:warm", T0 + 300), 0);
	for (i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "u:late-%d", i);
		ratelimit_fail(rl, key, T0 + 301);
	}
	/* Still counting from T0 + 300: the fifth failure limits it. */
	ratelimit_fail(rl, "u:warm", T0 + 302);
	assert_int_equal(ratelimit_wait(rl, "u:warm", T0 + 302), 298);
	ratelimit_free(rl);
}

static void
test_locked_key_survives_spray_at_the_limit(void **state)
{
	struct ratelimit *rl;
	char key[32];
	int i;

	(void)state;
	rl = ratelimit_new(5, 300);
	assert_non_null(rl);
	fail_n(rl, "u:victim", 5, T0);
	/* An attacker sprays 100,000 names with max failures each: locked entries are never the
	 * ones evicted, so the victim stays locked out. */
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "u:spray%d", i);
		fail_n(rl, key, 5, T0 + 1);
	}
	assert_true(ratelimit_wait(rl, "u:victim", T0 + 2) > 0);
	ratelimit_free(rl);
}

/* A user's key at an address ("u:NAME|ADDR") is kept whole: two addresses never share one,
 * however long the name and the address. */
static void
test_user_address_keys_whole(void **state)
{
	struct ratelimit *rl = *state;
	char a[RATELIMIT_KEY_MAX + 1], b[RATELIMIT_KEY_MAX + 1], name[65];

	memset(name, 'n', 64);
	name[64] = '\0';
	snprintf(a, sizeof(a), "u:%s|ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.1", name);
	snprintf(b, sizeof(b), "u:%s|ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2", name);
	assert_true(strlen(a) < RATELIMIT_KEY_MAX);
	fail_n(rl, a, 3, T0);
	assert_int_equal(ratelimit_wait(rl, a, T0), 60);
	assert_int_equal(ratelimit_wait(rl, b, T0), 0);
}

static void
test_prefix_count_and_clear(void **state)
{
	struct ratelimit *rl = *state;

	fail_n(rl, "u:alice|127.0.0.2", 3, T0);
	fail_n(rl, "u:alice|127.0.0.3", 3, T0);
	fail_n(rl, "u:alice|127.0.0.4", 1, T0);      /* failing, not waiting */
	fail_n(rl, "u:alicia|127.0.0.2", 3, T0);
	fail_n(rl, "u:bob|127.0.0.2", 3, T0);
	assert_int_equal(ratelimit_count_prefix(rl, "u:alice|", T0), 2);
	/* Waits that have ended do not count. */
	assert_int_equal(ratelimit_count_prefix(rl, "u:alice|", T0 + 60), 0);
	assert_int_equal(ratelimit_clear_prefix(rl, "u:alice|"), 3);
	assert_int_equal(ratelimit_wait(rl, "u:alice|127.0.0.2", T0), 0);
	assert_int_equal(ratelimit_wait(rl, "u:alice|127.0.0.3", T0), 0);
	/* Only that user: a longer name with the same start and other users keep waiting. */
	assert_int_equal(ratelimit_wait(rl, "u:alicia|127.0.0.2", T0), 60);
	assert_int_equal(ratelimit_wait(rl, "u:bob|127.0.0.2", T0), 60);
	assert_int_equal(ratelimit_count_prefix(rl, "u:alice|", T0), 0);
	assert_int_equal(ratelimit_clear_prefix(rl, "u:alice|"), 0);
	/* A cleared key counts afresh. */
	fail_n(rl, "u:alice|127.0.0.2", 2, T0);
	assert_int_equal(ratelimit_wait(rl, "u:alice|127.0.0.2", T0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_allowed_until_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_shrinks_with_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_starts_at_first_failure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_window_expiry_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures_in_different_windows_do_not_add_up,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_are_independent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_address_keys_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_count_and_clear, setup, teardown),
		cmocka_unit_test(test_max_one),
		cmocka_unit_test(test_flood_keeps_hot_key_limited),
		cmocka_unit_test(test_expired_entries_are_reused_first),
		cmocka_unit_test(test_locked_key_survives_spray_at_the_limit),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
