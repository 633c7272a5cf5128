/* libmicrohttpd's connection timeout counts idleness: a client that sends a header byte a
 * second (slow loris) is never idle and keeps its connection slot forever, and enough of them
 * fill the connection limit. So each connection waiting for a request's headers has a due
 * time, and a watchdog thread shuts down the socket of one past it; libmicrohttpd then reads
 * the end of the stream and closes the connection as if the client had. A request being
 * handled or a body being uploaded has no due time (libmicrohttpd's own timeout, a multiple
 * of --timeout in http.c, still ends one that makes no progress): a large plan file may take
 * longer than --timeout to arrive. */
#include "deadline.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "log.h"

/* How often the watchdog looks: a late connection lives at most this much past its time. */
#define DEADLINE_TICK_MS 200

struct deadline_conn {
	struct deadline_conn *prev, *next;
	int fd;
	/* clock_usec(); 0 while a request is handled. Atomic: the connection's own thread sets
	 * it twice a request without the list's lock, which 32 threads would contend for. */
	atomic_uint_fast64_t due;
	bool shut;
};

/* One list for the process (one daemon), under one lock shared with the watchdog. */
static pthread_mutex_t deadline_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t deadline_wake = PTHREAD_COND_INITIALIZER;
static struct deadline_conn *deadline_head;
static pthread_t deadline_thread;
static bool deadline_running, deadline_stopping;
static uint64_t deadline_span;
static atomic_uint_fast64_t deadline_count;

static void
deadline_sweep(uint64_t now)
{
	struct deadline_conn *c;
	int unread;

	for (c = deadline_head; c != NULL; c = c->next) {
		/* Bytes waiting unread mean the server is the slow one (its threads are busy),
		 * not the client: not this time. */
		uint64_t due = atomic_load_explicit(&c->due, memory_order_relaxed);

		if (due == 0 || now <= due || c->shut ||
		    (ioctl(c->fd, FIONREAD, &unread) == 0 && unread > 0))
			continue;
		/* The fd is still the connection's: it is closed only after
		 * MHD_CONNECTION_NOTIFY_CLOSED, which takes this lock first. */
		shutdown(c->fd, SHUT_RDWR);
		c->shut = true;
		atomic_fetch_add(&deadline_count, 1);
	}
}

static void *
deadline_main(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&deadline_lock);
	while (!deadline_stopping) {
		deadline_sweep(clock_usec());
		clock_after_ms(CLOCK_REALTIME, DEADLINE_TICK_MS, &until);
		pthread_cond_timedwait(&deadline_wake, &deadline_lock, &until);
	}
	pthread_mutex_unlock(&deadline_lock);
	return NULL;
}

int
deadline_start(uint64_t span_usec)
{
	deadline_span = span_usec;
	deadline_stopping = false;
	if (pthread_create(&deadline_thread, NULL, deadline_main, NULL) != 0)
		return -1;
	deadline_running = true;
	return 0;
}

void
deadline_stop(void)
{
	struct deadline_conn *c;

	if (!deadline_running)
		return;
	pthread_mutex_lock(&deadline_lock);
	deadline_stopping = true;
	pthread_cond_signal(&deadline_wake);
	pthread_mutex_unlock(&deadline_lock);
	pthread_join(deadline_thread, NULL);
	deadline_running = false;
	if (atomic_load(&deadline_count) > 0)
		log_msg("http: %llu connections closed for not sending a request's headers in time",
		    (unsigned long long)atomic_load(&deadline_count));
	/* The daemon is stopped and has closed every connection; anything left is freed. */
	while ((c = deadline_head) != NULL) {
		deadline_head = c->next;
		free(c);
	}
}

void
deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *ci;
	struct deadline_conn *c = *socket_context;

	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL || (c = calloc(1, sizeof(*c))) == NULL) {
			log_msg("http: no header deadline for a connection (out of memory)");
			return;
		}
		c->fd = ci->connect_fd;
		atomic_init(&c->due, clock_usec() + deadline_span);
		pthread_mutex_lock(&deadline_lock);
		if ((c->next = deadline_head) != NULL)
			deadline_head->prev = c;
		deadline_head = c;
		pthread_mutex_unlock(&deadline_lock);
		*socket_context = c;
		return;
	}
	if (c == NULL)
		return;
	pthread_mutex_lock(&deadline_lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		deadline_head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&deadline_lock);
	free(c);
	*socket_context = NULL;
}

static void
deadline_set(struct MHD_Connection *conn, uint64_t due)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct deadline_conn *c = ci != NULL ? ci->socket_context : NULL;

	/* c lives until the connection's close notification, after its last request. */
	if (c != NULL)
		atomic_store_explicit(&c->due, due, memory_order_relaxed);
}

void
deadline_busy(struct MHD_Connection *conn)
{
	deadline_set(conn, 0);
}

void
deadline_idle(struct MHD_Connection *conn)
{
	deadline_set(conn, clock_usec() + deadline_span);
}
