#include "watch.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apierr.h"
#include "clock.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "render.h"
#include "xmalloc.h"

/* One held request: the render it waits on, the ETag it holds, and when it gives up. Owned by
 * its request (r->wait); listed in the watch only while the connection is suspended. */
struct watch_wait {
	struct watch_wait *prev, *next;
	struct req *r;
	uint64_t deadline;           /* clock_usec() */
	bool want;                   /* the handler asked to hold it this round */
	bool listed;
	bool fresh;                  /* listed since the last sweep: compared once whatever changed */
	char etag[ETAG_LEN];
	char *target;
	int n;
	char *keys[RENDER_PARAMS_MAX], *values[RENDER_PARAMS_MAX];
};

struct watch {
	pthread_mutex_t mu;          /* guards everything below and every listed wait */
	pthread_cond_t cv;
	pthread_t thread;
	bool stopping;
	bool kicked;                 /* a write committed since the watcher last looked */
	struct watch_wait *head;
	int held;
};

/* A render's ETag as the watcher found it in one sweep, shared by the waits on the same
 * render (many clients usually wait on a few files). */
#define WATCH_CACHE 32

struct watch_seen {
	const struct watch_wait *of;
	char etag[ETAG_LEN];
};

static void
watch_kick(void *arg)
{
	struct watch *w = arg;

	pthread_mutex_lock(&w->mu);
	w->kicked = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static bool
watch_same(const struct watch_wait *a, const struct watch_wait *b)
{
	int i;

	if (a->n != b->n || strcmp(a->target, b->target) != 0)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->keys[i], b->keys[i]) != 0 || strcmp(a->values[i], b->values[i]) != 0)
			return false;
	return true;
}

/* The render's ETag now, or "" when it cannot be found (the request then answers the error
 * itself). */
static const char *
watch_etag(struct db *db, const struct watch_wait *ww, struct watch_seen *seen, int *nseen)
{
	struct render_ctx c;
	struct api_err err;
	int i;

	for (i = 0; i < *nseen; i++)
		if (watch_same(seen[i].of, ww))
			return seen[i].etag;
	i = *nseen < WATCH_CACHE ? (*nseen)++ : WATCH_CACHE - 1;
	seen[i].of = ww;
	seen[i].etag[0] = '\0';
	api_err_init(&err);
	if (db != NULL && db_read_begin(db) == 0) {
		if (render_prepare(db, ww->target, ww->n, (const char *const *)ww->keys,
		    (const char *const *)ww->values, &c, &err) == 0)
			memcpy(seen[i].etag, c.etag, sizeof(seen[i].etag));
		db_read_end(db);
	}
	api_err_free(&err);
	return seen[i].etag;
}

static void
watch_unlist(struct watch *w, struct watch_wait *ww)
{
	if (ww->prev != NULL)
		ww->prev->next = ww->next;
	else
		w->head = ww->next;
	if (ww->next != NULL)
		ww->next->prev = ww->prev;
	ww->prev = ww->next = NULL;
	ww->listed = false;
	w->held--;
}

/* Resumes the waits whose time ran out, every one when all is set, and, when the data
 * changed, those whose render's ETag moved. The resumed request renders again itself. */
static void
watch_sweep(struct watch *w, struct db *db, bool changed, bool all)
{
	struct watch_seen seen[WATCH_CACHE];
	struct watch_wait *ww, *next, *woken = NULL;
	uint64_t now = clock_usec();
	int nseen = 0;
	bool wake;

	for (ww = w->head; ww != NULL; ww = next) {
		next = ww->next;
		wake = all || now >= ww->deadline;
		/* A fresh wait read its ETag before it was listed: a write in between moved
		 * the counter before this sweep could see the wait. */
		if (!wake && (changed || ww->fresh))
			wake = strcmp(watch_etag(db, ww, seen, &nseen), ww->etag) != 0;
		ww->fresh = false;
		if (!wake)
			continue;
		watch_unlist(w, ww);
		ww->next = woken;
		woken = ww;
	}
	/* Resumed only now: a resumed request may finish and free its wait at once, and seen[]
	 * points at waits. */
	for (ww = woken; ww != NULL; ww = next) {
		next = ww->next;
		ww->next = NULL;
		MHD_resume_connection(ww->r->conn);
	}
}

static void *
watch_main(void *arg)
{
	struct watch *w = arg;
	struct db *db = db_thread();
	long long seen = db != NULL ? db_data_version(db) : -1, v;
	struct timespec ts;

	if (db == NULL)
		log_msg("watch: no database connection: held renders wake at their deadline only");
	pthread_mutex_lock(&w->mu);
	while (!w->stopping) {
		if (!w->kicked) {
			clock_after_ms(CLOCK_MONOTONIC, WATCH_POLL_MS, &ts);
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
		}
		w->kicked = false;
		if (w->stopping || w->head == NULL)
			continue;
		/* Any commit by another connection moves it, this process's or another's. */
		v = db != NULL ? db_data_version(db) : -1;
		watch_sweep(w, db, v != seen, false);
		seen = v;
	}
	watch_sweep(w, db, false, true);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct watch *
watch_start(void)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	pthread_condattr_t ca;

	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return NULL;
	}
	db_on_commit(watch_kick, w);
	return w;
}

void
watch_stop(struct watch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	db_on_commit(NULL, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

int
watch_want(struct req *r, const char *target, int n, const char *const *keys,
    const char *const *values, const char *etag, long long wait, struct api_err *err)
{
	struct watch *w = r->srv->watch;
	struct watch_wait *ww = r->wait;
	bool full;
	int i;

	if (w == NULL || wait <= 0)
		return 0;
	if (ww == NULL) {
		/* The first ask: the deadline counts from here, across resumes. */
		ww = r->wait = xcalloc(1, sizeof(*ww));
		ww->r = r;
		ww->deadline = r->t0 + (uint64_t)wait * 1000000u;
		ww->target = xstrdup(target);
		ww->n = n;
		for (i = 0; i < n; i++) {
			ww->keys[i] = xstrdup(keys[i]);
			ww->values[i] = xstrdup(values[i]);
		}
	}
	if (clock_usec() >= ww->deadline)
		return 0;
	pthread_mutex_lock(&w->mu);
	full = w->held >= WATCH_MAX;
	pthread_mutex_unlock(&w->mu);
	if (full) {
		err->retry_after = 5;
		return api_err_set(err, 503, "%d requests are already waiting; try again",
		    WATCH_MAX);
	}
	snprintf(ww->etag, sizeof(ww->etag), "%s", etag);
	ww->want = true;
	return 0;
}

bool
watch_hold(struct req *r)
{
	struct watch_wait *ww = r->wait;
	struct watch *w = r->srv->watch;
	bool held = false;

	if (ww == NULL || !ww->want)
		return false;
	ww->want = false;
	pthread_mutex_lock(&w->mu);
	/* Suspended before it is listed, under the lock: the watcher never resumes a
	 * connection that is not suspended yet. */
	if (!w->stopping && w->held < WATCH_MAX) {
		MHD_suspend_connection(r->conn);
		ww->next = w->head;
		if (w->head != NULL)
			w->head->prev = ww;
		w->head = ww;
		ww->listed = true;
		ww->fresh = true;
		w->held++;
		held = true;
	}
	pthread_mutex_unlock(&w->mu);
	return held;
}

void
watch_forget(struct req *r)
{
	struct watch_wait *ww = r->wait;
	int i;

	if (ww == NULL)
		return;
	if (ww->listed) {
		/* Not reached: a listed request is suspended, and every one is resumed before
		 * the daemon stops. Kept so a freed request can never stay listed. */
		pthread_mutex_lock(&r->srv->watch->mu);
		watch_unlist(r->srv->watch, ww);
		pthread_mutex_unlock(&r->srv->watch->mu);
	}
	free(ww->target);
	for (i = 0; i < ww->n; i++) {
		free(ww->keys[i]);
		free(ww->values[i]);
	}
	free(ww);
	r->wait = NULL;
}
