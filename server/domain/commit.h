/* Group commit: writes that arrive together share one transaction and one fsync. A caller
 * hands its write over as a job and goes on with other work; the committer thread takes
 * every job queued at that moment, runs each inside its own savepoint of one BEGIN IMMEDIATE
 * transaction, commits once, and then tells each caller (its done callback) with its own
 * result. Jobs arriving while a batch commits queue for the next one. A job is done only
 * after the COMMIT holding its write returned: its answer is durable (synchronous=FULL)
 * when the caller sends it. No thread waits meanwhile: the HTTP layer suspends the
 * connection (http_defer), so 32 waiting clients need 32 jobs, not 32 threads. */
#ifndef NETSOT_COMMIT_H
#define NETSOT_COMMIT_H

#include "apierr.h"

struct db;

/* A job's work, run inside its savepoint on the committer's connection db, on the
 * committer's thread: it must touch nothing of its caller's that another thread uses
 * meanwhile. Returns 0 or a positive value to keep its writes, -1 with err to undo them
 * (only them: the other jobs of the batch go on). */
typedef int (*commit_fn)(struct db *db, void *arg, struct api_err *err);

/* One write, owned by its caller, which fills fn, arg and done and must keep it alive until
 * done is called. Once done runs, rc holds fn's result and err its error: -1 when fn failed
 * or the batch could not be committed (then nothing of fn's remains: a batch is one
 * transaction). done runs on the committer's thread and must not touch the job after
 * handing it back (the caller may free it at once). */
struct commit_job {
	commit_fn fn;
	void *arg;
	void (*done)(struct commit_job *job);
	int rc;
	struct api_err err;
	struct commit_job *next;   /* the queue's, not the caller's */
};

/* Starts the committer thread and its connection to the database of db_thread_setup(). */
int commit_start(void);
/* Queues job for the next batch: 0, or -1 (nothing queued, done never called) once
 * commit_stop has begun or when the committer is not running. */
int commit_submit(struct commit_job *job);
/* What the committer did since it started: batches committed (or failed), the jobs in them,
 * the largest batch, and the jobs waiting now (queued, or in the batch being committed). */
struct commit_stats {
	unsigned long long batches, jobs, batch_max, waiting;
};
void commit_stats(struct commit_stats *out);
/* Commits every job queued before it returns (each done is called), then ends the thread. */
void commit_stop(void);

#endif
