#include "commit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "log.h"

/* The queue of jobs waiting for the next batch, and the committer's state. Jobs belong to
 * their callers (commit.h); the committer only links them. */
static pthread_mutex_t commit_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t commit_cv = PTHREAD_COND_INITIALIZER;
static struct commit_job *commit_head;
static struct commit_job **commit_tail = &commit_head;
static bool commit_running, commit_stopping;
static pthread_t commit_thread;
static struct commit_stats commit_seen;

/* One cached statement without rows: 0, or -1 with SQLite's error still readable. */
static int
commit_exec(struct db *db, const char *sql)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Every job of the batch that kept its writes fails with it: its writes are gone with the
 * transaction (one that failed keeps its own error). */
static void
commit_fail(struct db *db, struct commit_job *batch, const char *what)
{
	struct commit_job *j;
	struct api_err e;

	api_err_init(&e);
	if (db != NULL)
		db_fail(db, &e, what);
	else
		api_err_set(&e, 503, "the database cannot be opened");
	for (j = batch; j != NULL; j = j->next)
		if (j->rc >= 0) {
			api_err_set(&j->err, e.status, "%s", e.detail);
			j->rc = -1;
		}
	api_err_free(&e);
}

/* One transaction for the whole batch, a savepoint per job: a job that fails (a full prefix,
 * a bad body, an Idempotency-Key conflict) takes back its own writes only. An error that ends
 * the transaction itself (I/O, a full disk) fails every job, as the COMMIT failing does. */
static void
commit_batch(struct db *db, struct commit_job *batch)
{
	static const char begin[] = "BEGIN IMMEDIATE", save[] = "SAVEPOINT commit_job",
	    undo[] = "ROLLBACK TO commit_job", release[] = "RELEASE commit_job",
	    commit[] = "COMMIT";
	struct commit_job *j;

	for (j = batch; j != NULL; j = j->next)
		j->rc = 0;
	if (db == NULL) {
		commit_fail(NULL, batch, "starting a write");
		return;
	}
	if (commit_exec(db, begin) == -1) {
		commit_fail(db, batch, "starting a write");
		return;
	}
	for (j = batch; j != NULL; j = j->next) {
		if (commit_exec(db, save) == -1) {
			commit_fail(db, batch, "starting a write");
			goto abort;
		}
		if ((j->rc = j->fn(db, j->arg, &j->err)) < 0)
			j->rc = -1;
		if (sqlite3_get_autocommit(db_handle(db))) {
			commit_fail(db, batch, "writing");
			return;
		}
		/* A job whose writes cannot be taken back must not be committed half done. */
		if ((j->rc == -1 && commit_exec(db, undo) == -1) ||
		    commit_exec(db, release) == -1) {
			commit_fail(db, batch, "ending a write");
			goto abort;
		}
	}
	if (commit_exec(db, commit) == 0)
		return;
	commit_fail(db, batch, "committing");
abort:
	db_rollback(db);
}

/* Takes what is queued, commits it, hands each job back; until stopped and drained. The
 * connection is the committer's alone, so its page cache stays valid from one batch to the
 * next unless another connection wrote in between. */
static void *
commit_main(void *arg)
{
	struct db *db = NULL;
	struct commit_job *batch, *j, *next;
	unsigned long long n;

	(void)arg;
	if (db_thread_open(&db) == -1)
		db = NULL;
	pthread_mutex_lock(&commit_mu);
	for (;;) {
		while (commit_head == NULL && !commit_stopping)
			pthread_cond_wait(&commit_cv, &commit_mu);
		if (commit_head == NULL)
			break;
		batch = commit_head;
		commit_head = NULL;
		commit_tail = &commit_head;
		pthread_mutex_unlock(&commit_mu);
		commit_batch(db, batch);
		/* Counted before any job is handed back: a client that has its answer sees its
		 * job in the metrics. */
		for (n = 0, j = batch; j != NULL; j = j->next)
			n++;
		pthread_mutex_lock(&commit_mu);
		commit_seen.batches++;
		commit_seen.jobs += n;
		commit_seen.waiting -= n;
		if (n > commit_seen.batch_max)
			commit_seen.batch_max = n;
		pthread_mutex_unlock(&commit_mu);
		for (j = batch; j != NULL; j = next) {
			next = j->next;   /* j may be gone once handed back */
			j->next = NULL;
			j->done(j);
		}
		pthread_mutex_lock(&commit_mu);
	}
	pthread_mutex_unlock(&commit_mu);
	db_close(db);
	return NULL;
}

int
commit_start(void)
{
	int rc = -1;

	pthread_mutex_lock(&commit_mu);
	if (commit_running)
		goto out;
	commit_stopping = false;
	if (pthread_create(&commit_thread, NULL, commit_main, NULL) != 0) {
		log_msg("commit: cannot start the committer thread");
		goto out;
	}
	commit_running = true;
	rc = 0;
out:
	pthread_mutex_unlock(&commit_mu);
	return rc;
}

int
commit_submit(struct commit_job *job)
{
	int rc = -1;

	pthread_mutex_lock(&commit_mu);
	if (commit_running && !commit_stopping) {
		job->rc = -1;
		job->next = NULL;
		*commit_tail = job;
		commit_tail = &job->next;
		commit_seen.waiting++;
		pthread_cond_signal(&commit_cv);
		rc = 0;
	}
	pthread_mutex_unlock(&commit_mu);
	return rc;
}

void
commit_stats(struct commit_stats *out)
{
	pthread_mutex_lock(&commit_mu);
	*out = commit_seen;
	pthread_mutex_unlock(&commit_mu);
}

void
commit_stop(void)
{
	bool running;

	pthread_mutex_lock(&commit_mu);
	running = commit_running;
	commit_stopping = true;
	pthread_cond_signal(&commit_cv);
	pthread_mutex_unlock(&commit_mu);
	if (!running)
		return;
	pthread_join(commit_thread, NULL);
	pthread_mutex_lock(&commit_mu);
	commit_running = false;
	pthread_mutex_unlock(&commit_mu);
}
