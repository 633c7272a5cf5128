#include "commit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "apierr.h"
#include "db.h"

struct commit_job {
	commit_fn fn;
	void *arg;
	struct api_err *err;
	int rc;
	bool done;                 /* set by the leader, under commit_mu, after the COMMIT */
	struct commit_job *next;
};

/* The queue of jobs waiting for the next batch, and whether a batch is running. The jobs live
 * on their callers' stacks: a caller returns only after its job is done. */
static pthread_mutex_t commit_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t commit_cv = PTHREAD_COND_INITIALIZER;
static struct commit_job *commit_head;
static struct commit_job **commit_tail = &commit_head;
static bool commit_leading;
/* The connection of the batches, used by one leader at a time (commit_leading). */
static struct db *commit_db;

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
	db_fail(db, &e, what);
	for (j = batch; j != NULL; j = j->next)
		if (j->rc >= 0) {
			api_err_set(j->err, e.status, "%s", e.detail);
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
	if (commit_exec(db, begin) == -1) {
		commit_fail(db, batch, "starting a write");
		return;
	}
	for (j = batch; j != NULL; j = j->next) {
		if (commit_exec(db, save) == -1) {
			commit_fail(db, batch, "starting a write");
			goto abort;
		}
		if ((j->rc = j->fn(db, j->arg, j->err)) < 0)
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

int
commit_run(struct db *db, commit_fn fn, void *arg, struct api_err *err)
{
	struct commit_job job = { fn, arg, err, -1, false, NULL }, *batch, *j, *next;

	pthread_mutex_lock(&commit_mu);
	*commit_tail = &job;
	commit_tail = &job.next;
	while (!job.done) {
		if (commit_leading) {
			pthread_cond_wait(&commit_cv, &commit_mu);
			continue;
		}
		/* Lead: everything queued now, this job included, is the batch. */
		commit_leading = true;
		batch = commit_head;
		commit_head = NULL;
		commit_tail = &commit_head;
		pthread_mutex_unlock(&commit_mu);
		if (commit_db == NULL && db_thread_open(&commit_db) == -1)
			commit_db = NULL;
		commit_batch(commit_db != NULL ? commit_db : db, batch);
		pthread_mutex_lock(&commit_mu);
		for (j = batch; j != NULL; j = next) {
			next = j->next;   /* j may be gone once done is seen */
			j->done = true;
		}
		commit_leading = false;
		/* The callers of the batch return; one of those still queued leads next. */
		pthread_cond_broadcast(&commit_cv);
	}
	pthread_mutex_unlock(&commit_mu);
	return job.rc;
}

void
commit_teardown(void)
{
	db_close(commit_db);
	commit_db = NULL;
}
