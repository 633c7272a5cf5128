#include "logbuf.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

/* A line waits at most this long; a SIGKILL loses at most this much of the access log. */
#define LOGBUF_FLUSH_MS 100
#define LOGBUF_SIZE 8192

struct logbuf {
	pthread_mutex_t mu;          /* its thread and the flusher; almost never contended */
	struct logbuf *next;
	size_t len;
	char data[LOGBUF_SIZE];
};

static pthread_mutex_t logbuf_list_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t logbuf_wake = PTHREAD_COND_INITIALIZER;
static struct logbuf *logbuf_list;
static _Thread_local struct logbuf *logbuf_mine;
static atomic_bool logbuf_on;
static bool logbuf_stopping;
static pthread_t logbuf_thread;

/* stderr may be a closed pipe; nothing useful to do about a failed log write. Lines are
 * whole in each call, so lines from several threads never interleave. */
static void
logbuf_write(const char *p, size_t len)
{
	if (len > 0 && write(STDERR_FILENO, p, len) < 0)
		return;
}

/* Empties b; its lock is held. */
static void
logbuf_drain(struct logbuf *b)
{
	logbuf_write(b->data, b->len);
	b->len = 0;
}

static void
logbuf_flush_all(void)
{
	struct logbuf *b;

	for (b = logbuf_list; b != NULL; b = b->next) {
		pthread_mutex_lock(&b->mu);
		logbuf_drain(b);
		pthread_mutex_unlock(&b->mu);
	}
}

static void *
logbuf_main(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&logbuf_list_mu);
	while (!logbuf_stopping) {
		logbuf_flush_all();
		clock_after_ms(CLOCK_REALTIME, LOGBUF_FLUSH_MS, &until);
		pthread_cond_timedwait(&logbuf_wake, &logbuf_list_mu, &until);
	}
	pthread_mutex_unlock(&logbuf_list_mu);
	return NULL;
}

int
logbuf_start(void)
{
	logbuf_stopping = false;
	if (pthread_create(&logbuf_thread, NULL, logbuf_main, NULL) != 0)
		return -1;
	atomic_store(&logbuf_on, true);
	return 0;
}

void
logbuf_stop(void)
{
	struct logbuf *b;

	if (!atomic_exchange(&logbuf_on, false))
		return;
	pthread_mutex_lock(&logbuf_list_mu);
	logbuf_stopping = true;
	pthread_cond_signal(&logbuf_wake);
	pthread_mutex_unlock(&logbuf_list_mu);
	pthread_join(logbuf_thread, NULL);
	logbuf_flush_all();
	while ((b = logbuf_list) != NULL) {
		logbuf_list = b->next;
		pthread_mutex_destroy(&b->mu);
		free(b);
	}
	/* This thread's pointer is gone with its buffer; the server threads have ended. */
	logbuf_mine = NULL;
}

/* This thread's buffer, made and listed on its first line; NULL when out of memory. */
static struct logbuf *
logbuf_get(void)
{
	struct logbuf *b = logbuf_mine;

	if (b != NULL)
		return b;
	if ((b = malloc(sizeof(*b))) == NULL)
		return NULL;
	pthread_mutex_init(&b->mu, NULL);
	b->len = 0;
	pthread_mutex_lock(&logbuf_list_mu);
	b->next = logbuf_list;
	logbuf_list = b;
	pthread_mutex_unlock(&logbuf_list_mu);
	return logbuf_mine = b;
}

void
logbuf_put(const char *lines, size_t len)
{
	struct logbuf *b;

	if (!atomic_load_explicit(&logbuf_on, memory_order_relaxed) || len >= LOGBUF_SIZE ||
	    (b = logbuf_get()) == NULL) {
		logbuf_write(lines, len);
		return;
	}
	pthread_mutex_lock(&b->mu);
	if (b->len + len > LOGBUF_SIZE)
		logbuf_drain(b);
	memcpy(b->data + b->len, lines, len);
	b->len += len;
	pthread_mutex_unlock(&b->mu);
}
