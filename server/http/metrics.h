/* Prometheus metrics: counters kept with relaxed C11 atomics in fixed arrays indexed by the
 * route's place in the route table (no lock, no allocation on the request path), written out in
 * the text exposition format 0.0.4 by GET /metrics. */
#ifndef NETSOT_METRICS_H
#define NETSOT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* The routes the counters have room for; metrics_init refuses a longer route table. */
#define METRICS_ROUTES_MAX 160
/* CIDRs of --metrics-allow. */
#define METRICS_ALLOW_MAX 16

/* Sizes the counters to the route table and parses allow (a comma-separated list of CIDRs or
 * addresses, or "none"). Call once before the server starts. -1 with one line in err. */
int metrics_init(const char *allow, char *err, size_t errlen);
/* Whether the client address (text) is in --metrics-allow. */
bool metrics_allowed(const char *client);

/* One answered request: route NULL for one that matched none. */
void metrics_request(const struct route *route, int status, uint64_t usec);
/* n addresses or prefixes handed out by resource ("ip-addresses" or "prefixes"). */
void metrics_allocated(const char *resource, size_t n);
/* A login refused for a wrong name or password, or throttled (429). */
void metrics_login_failed(bool throttled);

/* GET /metrics. */
int api_metrics(struct req *r, struct reply *rep, struct api_err *err);

#endif
