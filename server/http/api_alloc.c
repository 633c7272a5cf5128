/* Allocation: the free addresses of a prefix or range, handing out the lowest ones, and carving
 * the lowest free child prefix. Each allocation runs in one write transaction: the lowest free
 * address is found and taken under the same lock, so two clients never get the same one.
 * Allocations arriving together share that transaction and its fsync (group commit, each in
 * its own savepoint: domain/commit.c); each is answered once the COMMIT holding it returned. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commit.h"
#include "db.h"
#include "freemap.h"
#include "hostnet.h"
#include "idem.h"
#include "metrics.h"
#include "ipam.h"
#include "res.h"
#include "xmalloc.h"

#define ALLOC_MAX 1000

/* The addresses a prefix (usable ones) or a range (start to end) hands out, read from the
 * row's key columns: allocation needs only the ends, not the row as JSON. */
static int
api_alloc_interval(struct req *r, struct db *db, struct ipaddr *lo, struct ipaddr *hi,
    struct api_err *err)
{
	const struct resource *res = resource_find(r->param);
	struct ipnet n;

	if (res == &res_ip_ranges)
		return ipam_range_ends(db, r->id, lo, hi, err);
	if (res != &res_prefixes)
		return api_err_set(err, 404, "no such resource");
	if (ipam_prefix_net(db, r->id, &n, err) == -1)
		return -1;
	if (ipam_usable(&n, lo, hi) == -1)
		return api_err_set(err, 409, "the prefix has no addresses to hand out");
	return 0;
}

int
api_alloc_ips_list(struct req *r, struct reply *rep, struct api_err *err)
{
	/* limit is declared on the route (1 to 1000), checked before this runs. */
	size_t n = 0, i, max = (size_t)http_query_int(r, "limit", 50);
	struct ipaddr lo, hi, *free_ = NULL;
	char buf[IPADDR_STRLEN];
	struct db *db;
	json_t *arr;
	int rc = -1;

	if ((db = http_db(r, err)) == NULL || api_alloc_interval(r, db, &lo, &hi, err) == -1)
		return -1;
	if ((free_ = calloc(max, sizeof(*free_))) == NULL)
		return api_err_set(err, 500, "out of memory");
	if (freemap_list(db, &lo, &hi, max, free_, &n, err) == -1)
		goto out;
	arr = json_array();
	for (i = 0; i < n; i++) {
		ipaddr_format(&free_[i], buf, sizeof(buf));
		json_array_append_new(arr, json_pack("{s:s, s:i}", "address", buf, "family",
		    free_[i].family));
	}
	http_reply_json(rep, 200, arr);
	rc = 0;
out:
	free(free_);
	return rc;
}

/* An allocation as a job of the group commit (domain/commit.c): it runs on the committer's
 * thread, inside its own savepoint, while its connection is suspended (http_defer). Owned
 * by its request from the moment it is deferred. The addresses it created are kept as the
 * JSON text the audit log got, never parsed back into a tree; a child prefix as a tree (its
 * utilization's reals are answered as jansson writes them, as before). */
struct api_alloc_job {
	struct commit_job commit;
	struct req *r;
	const char *res;           /* where what it creates lives, for Location */
	struct reply rep;          /* filled only by an Idempotency-Key replay */
	json_t *result;            /* the prefix created, answered once committed */
	struct sbuf text;          /* or the addresses (an object, or an array of them) */
	size_t n;                  /* how many objects text holds, 0 until the job succeeded */
	long long id;              /* the one address's id, for its Location */
};

static void
api_alloc_job_free(void *held)
{
	struct api_alloc_job *job = held;

	api_err_free(&job->commit.err);
	http_reply_free(&job->rep);
	json_decref(job->result);
	sbuf_free(&job->text);
	free(job);
}

/* On the committer's thread: the COMMIT holding the job returned (or failed). */
static void
api_alloc_wake(struct commit_job *commit)
{
	struct api_alloc_job *job = (struct api_alloc_job *)(void *)commit;

	http_wake(job->r);
}

/* Back on a server thread: 201 with what the job created and, for one object, its Location;
 * or the replayed answer; or the job's error. */
static int
api_alloc_answer(struct req *r, struct reply *rep, struct api_err *err)
{
	struct api_alloc_job *job = r->held;

	if (job->commit.rc == -1) {
		api_err_move(err, &job->commit.err);
		return -1;
	}
	if (job->result != NULL) {
		metrics_allocated(job->res, 1);
		http_reply_header(rep, "Location", "/api/v1/%s/%lld", job->res,
		    (long long)json_integer_value(json_object_get(job->result, "id")));
		http_reply_json(rep, 201, job->result);
		job->result = NULL;
		return 0;
	}
	if (job->n > 0) {
		metrics_allocated(job->res, job->n);
		if (!json_is_array(r->json))
			http_reply_header(rep, "Location", "/api/v1/%s/%lld", job->res, job->id);
		rep->status = 201;
		rep->ctype = "application/json";
		if ((rep->body = sbuf_take(&job->text, &rep->len)) == NULL)
			return api_err_set(err, 500, "out of memory");
		return 0;
	}
	/* An Idempotency-Key replay: the first answer as it was. */
	*rep = job->rep;
	memset(&job->rep, 0, sizeof(job->rep));
	return 0;
}

/* Hands fn to the next batch and answers once it is durable (api_alloc_answer). */
static int
api_alloc_run(struct req *r, struct reply *rep, commit_fn fn, const char *res,
    struct api_err *err)
{
	struct api_alloc_job *job;

	(void)rep;
	(void)err;
	job = xcalloc(1, sizeof(*job));
	job->commit.fn = fn;
	job->commit.arg = job;
	job->commit.done = api_alloc_wake;
	api_err_init(&job->commit.err);
	job->r = r;
	job->res = res;
	sbuf_init(&job->text, 0);
	/* Suspended before it is queued: the committer may wake it before this returns. */
	http_defer(r, job, api_alloc_job_free, api_alloc_answer);
	if (commit_submit(&job->commit) == -1) {
		job->commit.rc = -1;
		job->commit.err.retry_after = 5;
		api_err_set(&job->commit.err, 503, "the server is stopping; try again");
		http_wake(r);
	}
	return 0;
}

/* Takes the lowest free address for one new object (the body's other fields), its text
 * appended to job->text. */
static int
api_alloc_one(struct api_alloc_job *job, struct db *db, const struct ipaddr *lo,
    const struct ipaddr *hi, const json_t *fields, struct api_err *err)
{
	char buf[IPADDR_STRLEN];
	struct ipaddr a;
	json_t *obj;
	int found, rc;

	if (fields != NULL && !json_is_object(fields))
		return api_err_set(err, 400, "each item must be a JSON object");
	if (fields != NULL && json_object_get(fields, "address") != NULL) {
		api_err_set(err, 400, "the server chooses the address");
		return api_err_field(err, "address", "is chosen by the server");
	}
	if ((found = freemap_lowest(db, lo, hi, &a, err)) == -1)
		return -1;
	if (found == 0)
		return api_err_set(err, 409, "no free address is left");
	obj = fields != NULL ? json_deep_copy(fields) : json_object();
	ipaddr_format(&a, buf, sizeof(buf));
	json_object_set_new(obj, "address", json_string(buf));
	/* "host": a name, for the host_id and interface an operator would look up. */
	rc = hostnet_alloc_host(db, &a, obj, err) == -1 ? -1 :
	    resource_create_text(http_actor(job->r), db, &res_ip_addresses, obj, &job->id,
	    &job->text, err);
	json_decref(obj);
	return rc;
}

/* The job's n addresses are all in its text: stored for its Idempotency-Key, and counted. */
static int
api_alloc_done(struct api_alloc_job *job, struct db *db, size_t n, struct api_err *err)
{
	if (sbuf_failed(&job->text))
		return api_err_set(err, 500, "out of memory");
	if (idem_store_text(job->r, db, 201, sbuf_str(&job->text), err) == -1)
		return -1;
	job->n = n;
	return 0;
}

static int
api_alloc_ips_job(struct db *db, void *arg, struct api_err *err)
{
	struct api_alloc_job *job = arg;
	struct req *r = job->r;
	struct ipaddr lo, hi;
	json_t *item;
	size_t i;
	int rc;

	sbuf_reset(&job->text);
	job->n = 0;
	/* An Idempotency-Key seen before: 1, its first answer replayed into rep. */
	if ((rc = idem_replay(r, db, &job->rep, err)) != 0)
		return rc;
	if (api_alloc_interval(r, db, &lo, &hi, err) == -1)
		return -1;
	if (!json_is_array(r->json))
		return api_alloc_one(job, db, &lo, &hi, r->json, err) == -1 ? -1 :
		    api_alloc_done(job, db, 1, err);
	/* All or none: the first that cannot be had rolls back the others. */
	sbuf_putc(&job->text, '[');
	json_array_foreach(r->json, i, item) {
		if (i > 0)
			sbuf_putc(&job->text, ',');
		if (api_alloc_one(job, db, &lo, &hi, item, err) == -1) {
			resource_error_index(err, i);
			return -1;
		}
	}
	sbuf_putc(&job->text, ']');
	return api_alloc_done(job, db, json_array_size(r->json), err);
}

int
api_alloc_ips_create(struct req *r, struct reply *rep, struct api_err *err)
{
	if (json_is_array(r->json) && (json_array_size(r->json) == 0 ||
	    json_array_size(r->json) > ALLOC_MAX))
		return api_err_set(err, 400, "the array must hold 1 to %d items", ALLOC_MAX);
	return api_alloc_run(r, rep, api_alloc_ips_job, "ip-addresses", err);
}

/* The lowest block of 2^(bits - len) addresses, aligned, within [g0, g1]: 1 with *out. */
static int
api_alloc_fit(const struct ipaddr *g0, const struct ipaddr *g1, int len, struct ipnet *out)
{
	struct ipaddr last;

	out->addr = *g0;
	out->len = len;
	ipnet_first(out, &out->addr);
	if (ipaddr_cmp(&out->addr, g0) < 0) {
		ipnet_last(out, &last);
		if (ipaddr_next(&last, &out->addr) == -1)
			return 0;
	}
	ipnet_last(out, &last);
	return ipaddr_cmp(&last, g1) <= 0 && ipaddr_cmp(&out->addr, g0) >= 0;
}

/* Walks the gaps between the direct children of parent, lowest first. */
static int
api_alloc_find_block(struct db *db, long long parent, const struct ipnet *pn, int len,
    struct ipnet *out, struct api_err *err)
{
	static const char sql[] = "SELECT first_key, last_key FROM prefixes WHERE parent_id = ? "
	    "ORDER BY first_key";
	struct ipaddr cursor, first, last, gap_end;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, found = 0, done = 0;

	ipnet_first(pn, &cursor);
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading child prefixes");
	sqlite3_bind_int64(st, 1, parent);
	while (!found && !done && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (ipaddr_from_key(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
		    &first) == -1 || ipaddr_from_key(sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), &last) == -1) {
			sqlite3_reset(st);
			return api_err_set(err, 500, "a stored prefix key is damaged");
		}
		if (ipaddr_cmp(&first, &cursor) > 0 && ipaddr_prev(&first, &gap_end) == 0)
			found = api_alloc_fit(&cursor, &gap_end, len, out);
		done = ipaddr_next(&last, &cursor) == -1;
	}
	sqlite3_reset(st);
	if (!found && !done && rc != SQLITE_DONE)
		return db_fail(db, err, "reading child prefixes");
	if (!found && !done) {
		ipnet_last(pn, &gap_end);
		found = ipaddr_cmp(&cursor, &gap_end) <= 0 && api_alloc_fit(&cursor, &gap_end, len,
		    out);
	}
	return found;
}

static int
api_alloc_prefixes_job(struct db *db, void *arg, struct api_err *err)
{
	struct api_alloc_job *job = arg;
	struct req *r = job->r;
	const json_t *lenv = json_object_get(r->json, "prefix_length");
	char buf[IPNET_STRLEN];
	json_t *parent = NULL, *obj = NULL, *created = NULL;
	struct ipnet pn, child;
	int rc, found, len;

	/* An Idempotency-Key seen before: 1, its first answer replayed into rep. */
	if ((rc = idem_replay(r, db, &job->rep, err)) != 0)
		return rc;
	rc = -1;
	if (resource_load_plain(db, &res_prefixes, r->id, &parent, err) == -1)
		goto out;
	if (ipnet_parse(json_string_value(json_object_get(parent, "prefix")), &pn) == -1) {
		api_err_set(err, 500, "a stored prefix does not parse");
		goto out;
	}
	len = (int)json_integer_value(lenv);
	if (json_integer_value(lenv) <= pn.len ||
	    json_integer_value(lenv) > (pn.addr.family == 4 ? 32 : 128)) {
		api_err_field(err, "prefix_length", "must be from %d to %d", pn.len + 1,
		    pn.addr.family == 4 ? 32 : 128);
		goto out;
	}
	if ((found = api_alloc_find_block(db, r->id, &pn, len, &child, err)) == -1)
		goto out;
	if (found == 0) {
		api_err_set(err, 409, "no free /%d is left in %s", len,
		    json_string_value(json_object_get(parent, "prefix")));
		goto out;
	}
	/* The other fields of the body describe the new prefix. */
	obj = json_deep_copy(r->json);
	json_object_del(obj, "prefix_length");
	ipnet_format(&child, buf, sizeof(buf));
	json_object_set_new(obj, "prefix", json_string(buf));
	if (resource_create_one(http_actor(r), db, &res_prefixes, obj, NULL, &created, err) == -1 ||
	    idem_store(r, db, 201, created, err) == -1)
		goto out;
	job->result = created;
	created = NULL;
	rc = 0;
out:
	json_decref(parent);
	json_decref(obj);
	json_decref(created);
	return rc;
}

int
api_alloc_prefixes_create(struct req *r, struct reply *rep, struct api_err *err)
{
	if (!json_is_object(r->json))
		return api_err_set(err, 400, "the body must be a JSON object with prefix_length");
	if (!json_is_integer(json_object_get(r->json, "prefix_length")))
		return api_err_field(err, "prefix_length", "is required, an integer");
	return api_alloc_run(r, rep, api_alloc_prefixes_job, "prefixes", err);
}
