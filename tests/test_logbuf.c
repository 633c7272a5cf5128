/* The access log's per-thread buffers (logbuf.c): lines stay whole and in each thread's order,
 * none is lost at stop, the flusher writes them without a stop, and before the start or
 * after the stop a line is written at once. stderr is a temporary file here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "logbuf.h"

enum { THREADS = 4, LINES = 3000 };

static char path[] = "/tmp/netsot-logbuf-XXXXXX";
static int saved_stderr = -1;

static char *
slurp(void)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* stderr is not opened for appending: back to its start too. */
static void
empty_log(void)
{
	assert_int_equal(ftruncate(STDERR_FILENO, 0), 0);
	assert_int_equal(lseek(STDERR_FILENO, 0, SEEK_SET), 0);
}

static int
setup(void **state)
{
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	unlink(path);
	return 0;
}

static void *
writer(void *arg)
{
	long t = (long)arg;
	char line[128];
	int i, n;

	for (i = 0; i < LINES; i++) {
		/* Lines of varied length, so buffers fill at odd places. */
		n = snprintf(line, sizeof(line), "t%ld n%d %.*s\n", t, i, i % 60,
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		logbuf_put(line, (size_t)n);
	}
	return NULL;
}

static void
test_lines_whole_in_order_none_lost(void **state)
{
	pthread_t th[THREADS];
	int next[THREADS] = { 0 }, count = 0;
	char *log, *line, *save = NULL;
	long t;

	(void)state;
	empty_log();
	assert_int_equal(logbuf_start(), 0);
	for (t = 0; t < THREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, writer, (void *)t), 0);
	for (t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	logbuf_stop();
	log = slurp();
	for (line = strtok_r(log, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		int lt, ln, tail = 0;

		assert_int_equal(sscanf(line, "t%d n%d %n", &lt, &ln, &tail), 2);
		assert_true(lt >= 0 && lt < THREADS);
		assert_int_equal(ln, next[lt]);
		assert_int_equal(strlen(line + tail), (size_t)(ln % 60));
		next[lt]++;
		count++;
	}
	assert_int_equal(count, THREADS * LINES);
	free(log);
}

static void
test_flusher_writes_without_stop(void **state)
{
	struct timespec pause = { 0, 400 * 1000 * 1000 };
	char *log;

	(void)state;
	empty_log();
	assert_int_equal(logbuf_start(), 0);
	logbuf_put("held a moment\n", 14);
	nanosleep(&pause, NULL);
	log = slurp();
	assert_string_equal(log, "held a moment\n");
	free(log);
	logbuf_stop();
	/* Stopped: written at once. */
	logbuf_put("at once\n", 8);
	log = slurp();
	assert_string_equal(log, "held a moment\nat once\n");
	free(log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_whole_in_order_none_lost),
		cmocka_unit_test(test_flusher_writes_without_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
