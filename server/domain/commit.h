/* Group commit: writes that arrive together share one transaction and one fsync. A caller
 * hands its write over as a job; the first caller to find no batch running becomes the
 * leader, takes every job queued at that moment, runs each inside its own savepoint of one
 * BEGIN IMMEDIATE transaction, commits once, and wakes each caller
 * with its own result. Callers arriving while a batch commits queue for the next one.
 * Each caller returns only after the COMMIT holding its write returned: its answer is
 * durable (synchronous=FULL) when it is sent. */
#ifndef NETSOT_COMMIT_H
#define NETSOT_COMMIT_H

struct api_err;
struct db;

/* A job's work, run inside its savepoint on the leader's connection db (on the leader's
 * thread: it must touch nothing of its caller's that the caller's thread uses meanwhile;
 * the caller is blocked in commit_run). Returns 0 or a positive value to keep its writes,
 * -1 with err to undo them (only them: the other jobs of the batch go on). */
typedef int (*commit_fn)(struct db *db, void *arg, struct api_err *err);

/* Runs fn(db, arg, err) in the next batch and waits for its commit. Batches run on one
 * connection that leaders take in turn (its page cache stays valid from one batch to the
 * next: no other connection wrote in between, allocations aside); db, the caller's, is used
 * only when that one cannot be opened. Returns fn's result once its writes are durable,
 * or -1 with err when fn failed or the batch could not be committed (then nothing of fn's
 * remains: a batch is one transaction). */
int commit_run(struct db *db, commit_fn fn, void *arg, struct api_err *err);
/* Closes the connection the batches share (after the last commit_run returned). */
void commit_teardown(void);

#endif
