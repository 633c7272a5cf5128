/* List queries: query parameters (limit, offset, filters, q, ordering, tag) turned into one
 * parameterised WHERE / ORDER BY, and the {"count","next","previous","results"} page. */
#ifndef NETSOT_LISTING_H
#define NETSOT_LISTING_H

#include <jansson.h>

#include "http.h"
#include "resource.h"
#include "sbuf.h"

#define LISTING_ARGS_MAX 64

struct listing {
	const struct resource *res;
	struct sbuf where;         /* " AND (...)" clauses */
	json_t *binds;             /* values for the ?s of where, in order */
	struct sbuf order;
	long long limit, offset;
	int nargs;                 /* the query as given, for the next/previous links */
	const char *keys[LISTING_ARGS_MAX];
	const char *values[LISTING_ARGS_MAX];
};

void listing_init(struct listing *l, const struct resource *res);
void listing_free(struct listing *l);
/* Each filter name a list of res takes besides its route's parameters (tag, fields, __gte and
 * __lte, the resource's own), and whether name is one. */
void listing_filters(const struct resource *res, void (*fn)(const char *name, void *arg),
    void *arg);
bool listing_filter(const struct resource *res, const char *name);
/* Reads the request's query parameters; unknown ones and bad values are 400. */
int listing_parse(struct listing *l, struct req *r, struct api_err *err);
/* The same on plain strings keys[i]=values[i] (n of them) for route, with no connection (the
 * query fuzzer's way in). The strings must outlive l: the page's links repeat them. */
int listing_parse_args(struct listing *l, const struct route *route, const char *const *keys,
    const char *const *values, int n, struct api_err *err);
/* Adds a fixed condition with one bound value (used for /{id}/changes). */
void listing_where(struct listing *l, const char *clause, json_t *value);
/* Runs the count and page queries and writes the page as JSON text into page; base is the
 * path for the next/previous links. */
int listing_run(struct listing *l, struct db *db, const char *base, struct sbuf *page,
    struct api_err *err);
/* s percent-encoded for a query string (a page link). */
void listing_escape(struct sbuf *sb, const char *s);
/* A bind value for a BLOB (address keys): {"blob":"<hex>"}. */
json_t *listing_blob(const unsigned char *data, size_t len);
/* Binds a JSON scalar (or a listing_blob) to a statement parameter. */
void listing_bind(sqlite3_stmt *st, int i, const json_t *v);

#endif
