/* The one growable array and the allocation policy. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vec.h"
#include "xmalloc.h"

struct pair {
	int a;
	char b[12];
};

static void
test_push_keeps_order(void **state)
{
	VEC(int) v = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < 10000; i++)
		vec_push(&v, (int)i * 3);
	assert_int_equal(v.n, 10000);
	assert_true(v.cap >= v.n);
	for (i = 0; i < v.n; i++)
		assert_int_equal(v.v[i], (int)i * 3);
	vec_free(&v);
	assert_null(v.v);
	assert_int_equal(v.n, 0);
	assert_int_equal(v.cap, 0);
}

static void
test_push_zero(void **state)
{
	VEC(struct pair) v = { 0 };
	struct pair *p;
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		p = vec_push_zero(&v);
		assert_int_equal(p->a, 0);
		assert_int_equal(p->b[0], 0);
		p->a = i;
		snprintf(p->b, sizeof(p->b), "n%d", i);
	}
	assert_int_equal(v.v[57].a, 57);
	assert_string_equal(v.v[99].b, "n99");
	vec_free(&v);
}

static void
test_reserve(void **state)
{
	VEC(long) v = { 0 };

	(void)state;
	vec_reserve(&v, 1000);
	assert_true(v.cap >= 1000);
	assert_int_equal(v.n, 0);
	vec_free(&v);
}

/* An allocation that cannot be made ends the process with a message, never returns NULL. */
static void
test_overflow_aborts(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(2);
		(void)xreallocarray(NULL, SIZE_MAX / 2, 4);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void
test_jansson_uses_it(void **state)
{
	json_malloc_t m;
	json_free_t f;
	json_t *j;
	char *s;

	(void)state;
	xmalloc_install();
	json_get_alloc_funcs(&m, &f);
	assert_ptr_equal(m, xmalloc);
	assert_non_null(j = json_pack("{s:[i,i]}", "a", 1, 2));
	json_decref(j);
	s = xasprintf("%s-%d", "x", 7);
	assert_string_equal(s, "x-7");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_keeps_order),
		cmocka_unit_test(test_push_zero),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_overflow_aborts),
		cmocka_unit_test(test_jansson_uses_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
