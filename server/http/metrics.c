#include "metrics.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "commit.h"
#include "dbstats.h"
#include "ipaddr.h"
#include "routes.h"
#include "sbuf.h"

#ifndef NETSOT_VERSION
#define NETSOT_VERSION "0.0.0"
#endif

/* The statuses the server answers, a counter each; anything else lands in the last slot. */
static const int metrics_statuses[] = { 200, 201, 204, 304, 400, 401, 403, 404, 405, 406, 409,
	412, 413, 415, 422, 428, 429, 500, 503 };
#define NSTATUS (sizeof(metrics_statuses) / sizeof(metrics_statuses[0]))

/* Upper bounds of the latency buckets, in microseconds (written in seconds). */
static const uint64_t metrics_bounds[] = { 100, 250, 500, 1000, 2500, 5000, 10000, 25000,
	50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000 };
#define NBOUNDS (sizeof(metrics_bounds) / sizeof(metrics_bounds[0]))

/* Slot METRICS_ROUTES_MAX is the requests no route matched (404, 405). */
#define NROUTES (METRICS_ROUTES_MAX + 1)

typedef atomic_uint_fast64_t counter;

static counter metrics_requests[NROUTES][NSTATUS + 1];
/* Per bucket, not cumulative: one add per request; the writer sums them. The last is +Inf. */
static counter metrics_buckets[NROUTES][NBOUNDS + 1];
static counter metrics_usec_sum[NROUTES];
static counter metrics_allocs[2];      /* ip-addresses, prefixes */
static counter metrics_logins[2];      /* wrong name or password, throttled */
static int metrics_nroutes;
static time_t metrics_started;

static struct ipnet metrics_allow[METRICS_ALLOW_MAX];
static int metrics_nallow;

static void
metrics_add(counter *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint64_t
metrics_get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* "10.0.0.0/8" or a bare address (a /32 or /128). */
static int
metrics_parse_net(const char *s, struct ipnet *out)
{
	if (strchr(s, '/') != NULL)
		return ipnet_parse(s, out);
	if (ipaddr_parse(s, &out->addr) == -1)
		return -1;
	out->len = out->addr.family == 4 ? 32 : 128;
	return 0;
}

int
metrics_init(const char *allow, char *err, size_t errlen)
{
	char buf[1024], *tok, *save = NULL;

	metrics_started = time(NULL);
	for (metrics_nroutes = 0; routes_table[metrics_nroutes].pattern != NULL; metrics_nroutes++)
		;
	if (metrics_nroutes > METRICS_ROUTES_MAX) {
		snprintf(err, errlen, "metrics: %d routes, room for %d (METRICS_ROUTES_MAX)",
		    metrics_nroutes, METRICS_ROUTES_MAX);
		return -1;
	}
	metrics_nallow = 0;
	/* "none": every client needs a token, as behind a proxy on the same host. */
	if (allow == NULL || strcmp(allow, "none") == 0)
		return 0;
	if (strlen(allow) >= sizeof(buf)) {
		snprintf(err, errlen, "--metrics-allow: longer than %zu bytes", sizeof(buf) - 1);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", allow);
	for (tok = strtok_r(buf, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		if (metrics_nallow == METRICS_ALLOW_MAX) {
			snprintf(err, errlen, "--metrics-allow: at most %d networks",
			    METRICS_ALLOW_MAX);
			return -1;
		}
		if (metrics_parse_net(tok, &metrics_allow[metrics_nallow]) == -1) {
			snprintf(err, errlen, "--metrics-allow: '%s' is not an address or a CIDR "
			    "without host bits", tok);
			return -1;
		}
		metrics_nallow++;
	}
	return 0;
}

bool
metrics_allowed(const char *client)
{
	struct ipaddr a;
	int i;

	if (client == NULL || ipaddr_parse(client, &a) == -1)
		return false;
	/* An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d. */
	if (a.family == 6 && a.hi == 0 && (a.lo >> 32) == 0xffff) {
		a.family = 4;
		a.lo &= 0xffffffffu;
	}
	for (i = 0; i < metrics_nallow; i++)
		if (ipnet_contains(&metrics_allow[i], &a))
			return true;
	return false;
}

static size_t
metrics_route_slot(const struct route *route)
{
	ptrdiff_t i = route != NULL ? route - routes_table : -1;

	return i >= 0 && i < metrics_nroutes ? (size_t)i : METRICS_ROUTES_MAX;
}

void
metrics_request(const struct route *route, int status, uint64_t usec)
{
	size_t slot = metrics_route_slot(route), s, b;

	for (s = 0; s < NSTATUS && metrics_statuses[s] != status; s++)
		;
	for (b = 0; b < NBOUNDS && usec > metrics_bounds[b]; b++)
		;
	metrics_add(&metrics_requests[slot][s], 1);
	metrics_add(&metrics_buckets[slot][b], 1);
	metrics_add(&metrics_usec_sum[slot], usec);
}

void
metrics_allocated(const char *resource, size_t n)
{
	metrics_add(&metrics_allocs[strcmp(resource, "prefixes") == 0], n);
}

void
metrics_login_failed(bool throttled)
{
	metrics_add(&metrics_logins[throttled], 1);
}

static const char *
metrics_method(unsigned bits)
{
	static const struct { unsigned bit; const char *name; } m[] = {
		{ HTTP_GET, "GET" }, { HTTP_POST, "POST" }, { HTTP_PUT, "PUT" },
		{ HTTP_PATCH, "PATCH" }, { HTTP_DELETE, "DELETE" },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (bits & m[i].bit)
			return m[i].name;
	return "";
}

/* The labels of a route slot: its method and template, "" and "unmatched" for no route.
 * Templates are the table's constants, which hold no quote, backslash or newline. */
static void
metrics_labels(size_t slot, char *buf, size_t len)
{
	if (slot == METRICS_ROUTES_MAX)
		snprintf(buf, len, "method=\"\",route=\"unmatched\"");
	else
		snprintf(buf, len, "method=\"%s\",route=\"%s\"",
		    metrics_method(routes_table[slot].method), routes_table[slot].pattern);
}

static void
metrics_head(struct sbuf *sb, const char *name, const char *type, const char *help)
{
	sbuf_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
metrics_write_requests(struct sbuf *sb)
{
	char labels[256], status[8];
	size_t slot, s;
	uint64_t n;

	metrics_head(sb, "netsot_http_requests_total", "counter",
	    "Requests answered, by route template and status.");
	for (slot = 0; slot < NROUTES; slot++) {
		if (slot >= (size_t)metrics_nroutes && slot != METRICS_ROUTES_MAX)
			continue;
		metrics_labels(slot, labels, sizeof(labels));
		for (s = 0; s <= NSTATUS; s++) {
			if ((n = metrics_get(&metrics_requests[slot][s])) == 0)
				continue;
			if (s == NSTATUS)
				snprintf(status, sizeof(status), "other");
			else
				snprintf(status, sizeof(status), "%d", metrics_statuses[s]);
			sbuf_printf(sb, "netsot_http_requests_total{%s,status=\"%s\"} %llu\n",
			    labels, status, (unsigned long long)n);
		}
	}
}

/* Buckets are written cumulatively and _count is their sum as read, so a scrape is consistent
 * with itself while requests keep landing; _sum is read on its own and may run a request
 * ahead. */
static void
metrics_write_latency(struct sbuf *sb)
{
	const char *name = "netsot_http_request_duration_seconds";
	char labels[256];
	uint64_t cum, n;
	size_t slot, b;

	metrics_head(sb, name, "histogram", "Time from the request's headers to its answer.");
	for (slot = 0; slot < NROUTES; slot++) {
		if (slot >= (size_t)metrics_nroutes && slot != METRICS_ROUTES_MAX)
			continue;
		for (b = 0, n = 0; b <= NBOUNDS; b++)
			n += metrics_get(&metrics_buckets[slot][b]);
		if (n == 0)
			continue;
		metrics_labels(slot, labels, sizeof(labels));
		for (b = 0, cum = 0; b <= NBOUNDS; b++) {
			cum += metrics_get(&metrics_buckets[slot][b]);
			if (b < NBOUNDS)
				sbuf_printf(sb, "%s_bucket{%s,le=\"%g\"} %llu\n", name, labels,
				    (double)metrics_bounds[b] / 1e6, (unsigned long long)cum);
			else
				sbuf_printf(sb, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels,
				    (unsigned long long)cum);
		}
		sbuf_printf(sb, "%s_sum{%s} %.6f\n%s_count{%s} %llu\n", name, labels,
		    (double)metrics_get(&metrics_usec_sum[slot]) / 1e6, name, labels,
		    (unsigned long long)cum);
	}
}

/* In-use heap bytes over every arena (mallinfo2 walks them all), small blocks and mmapped
 * ones alike. Unlike RSS it does not keep what malloc holds after a burst: a leak shows. */
static unsigned long long
metrics_heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (unsigned long long)mi.uordblks + (unsigned long long)mi.hblkhd;
}

/* The WAL beside the database, 0 when there is none. */
static long long
metrics_wal_bytes(const char *db)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s-wal", db);
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

int
api_metrics(struct req *r, struct reply *rep, struct api_err *err)
{
	struct commit_stats cs;
	struct dbstats ds;
	struct sbuf sb;
	struct db *db;

	if ((db = http_db(r, err)) == NULL || dbstats_read(db, &ds, err) == -1)
		return -1;
	sbuf_init(&sb, 0);
	metrics_write_requests(&sb);
	metrics_write_latency(&sb);
	metrics_head(&sb, "netsot_allocations_total", "counter",
	    "Addresses and prefixes handed out by the available-ips and available-prefixes "
	    "routes.");
	sbuf_printf(&sb, "netsot_allocations_total{resource=\"ip-addresses\"} %llu\n"
	    "netsot_allocations_total{resource=\"prefixes\"} %llu\n",
	    (unsigned long long)metrics_get(&metrics_allocs[0]),
	    (unsigned long long)metrics_get(&metrics_allocs[1]));
	commit_stats(&cs);
	metrics_head(&sb, "netsot_commit_batches_total", "counter",
	    "Group commits of allocations: transactions, each with one fsync.");
	sbuf_printf(&sb, "netsot_commit_batches_total %llu\n", cs.batches);
	metrics_head(&sb, "netsot_commit_jobs_total", "counter",
	    "Allocation requests committed (or failed) in those transactions.");
	sbuf_printf(&sb, "netsot_commit_jobs_total %llu\n", cs.jobs);
	metrics_head(&sb, "netsot_commit_batch_max", "gauge",
	    "The most allocation requests one transaction held since the server started.");
	sbuf_printf(&sb, "netsot_commit_batch_max %llu\n", cs.batch_max);
	metrics_head(&sb, "netsot_commit_waiting", "gauge",
	    "Allocation requests waiting for their commit now (their connections suspended).");
	sbuf_printf(&sb, "netsot_commit_waiting %llu\n", cs.waiting);
	metrics_head(&sb, "netsot_login_failures_total", "counter",
	    "Logins refused for a wrong user name or password (or a disabled user).");
	sbuf_printf(&sb, "netsot_login_failures_total %llu\n",
	    (unsigned long long)metrics_get(&metrics_logins[0]));
	metrics_head(&sb, "netsot_login_throttled_total", "counter",
	    "Logins refused with 429 by the failed-login limits.");
	sbuf_printf(&sb, "netsot_login_throttled_total %llu\n",
	    (unsigned long long)metrics_get(&metrics_logins[1]));
	metrics_head(&sb, "netsot_database_size_bytes", "gauge",
	    "The database's pages (page_count * page_size), the WAL aside.");
	sbuf_printf(&sb, "netsot_database_size_bytes %lld\n", ds.bytes);
	metrics_head(&sb, "netsot_database_wal_bytes", "gauge", "The size of the WAL file.");
	sbuf_printf(&sb, "netsot_database_wal_bytes %lld\n", metrics_wal_bytes(r->srv->cfg->db));
	metrics_head(&sb, "netsot_plan_revision", "gauge",
	    "The plan's revision: the audit log's latest change id.");
	sbuf_printf(&sb, "netsot_plan_revision %lld\n", ds.revision);
	metrics_head(&sb, "netsot_heap_bytes", "gauge",
	    "Memory the process has allocated and not freed (malloc's count, not the pages it keeps).");
	sbuf_printf(&sb, "netsot_heap_bytes %llu\n", metrics_heap_bytes());
	metrics_head(&sb, "netsot_start_time_seconds", "gauge",
	    "When the server started, in seconds since the epoch.");
	sbuf_printf(&sb, "netsot_start_time_seconds %lld\n", (long long)metrics_started);
	metrics_head(&sb, "netsot_build_info", "gauge", "The server's version.");
	sbuf_printf(&sb, "netsot_build_info{version=\"%s\"} 1\n", NETSOT_VERSION);
	return http_reply_text(rep, 200, "text/plain; version=0.0.4; charset=utf-8", &sb, err);
}
