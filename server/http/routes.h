/* The one route table: method, path pattern, handler, least role. */
#ifndef NETSOT_ROUTES_H
#define NETSOT_ROUTES_H

#include <stdbool.h>

#include "apierr.h"
#include "auth.h"
#include "http.h"

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_POST = 1 << 1,
	HTTP_PUT = 1 << 2,
	HTTP_PATCH = 1 << 3,
	HTTP_DELETE = 1 << 4,
};

/* A query parameter a route declares: the HTTP layer refuses any other (400 naming it) and
 * checks these values before the handler runs. */
enum qtype {
	Q_TEXT,      /* any UTF-8 */
	Q_INT,       /* a decimal integer, min..max */
	Q_BOOL,      /* true or false */
	Q_ENUM,      /* one of values */
};

enum {
	Q_REPEAT = 1 << 0,   /* may be given more than once (OR) */
};

struct qparam {
	const char *name;
	enum qtype type;
	long long min, max;
	const char *const *values;   /* Q_ENUM: NULL-terminated */
	unsigned flags;
	const char *help;
};

struct route {
	unsigned method;
	const char *pattern;      /* segments; "{id}" matches a positive integer, "{name}" any
	                           * segment, "{res}" the name of a writable resource */
	http_handler fn;
	enum role role;           /* ROLE_NONE: no authentication */
	const char *arg;          /* a fixed {name}/{res} value for the handler, or NULL */
	unsigned flags;           /* ROUTE_* */
	const struct qparam *params;  /* its query parameters, NULL-name terminated, or NULL */
};

/* What a route takes besides its role. Its body cap follows from its method and these: reads
 * and deletes take no body, writes up to --max-body. */
enum {
	ROUTE_PLAN_BODY = 1 << 0,   /* whole plan files: --max-import-body for admins only */
	ROUTE_SMALL_BODY = 1 << 1,  /* a few fields (login): HTTP_SMALL_BODY at most */
	ROUTE_LIST = 1 << 2,        /* a list: also takes its resource's filters (listing.c) */
	ROUTE_TARGET = 1 << 3,      /* also takes its render target's parameters (render.c) */
	ROUTE_SLASH = 1 << 4,       /* the path may end in a '/' too (NetBox's clients add one) */
	ROUTE_ADDR_ALLOW = 1 << 5,  /* no token from an address in --metrics-allow (metrics.c) */
};

/* The paging, search and ordering of every ROUTE_LIST route. */
extern const struct qparam routes_list_params[];

struct route_match {
	long long id;
	char param[128];
};

/* HTTP_* for a method name, 0 for one we never serve. HEAD is served as GET. */
unsigned routes_method(const char *method);
/* The route for method and path from table (or the built-in one when table is NULL). On no match
 * fills err with 404, or 405 and the Allow list. */
const struct route *routes_match(const struct route *table, const char *method,
    const char *path, struct route_match *m, struct api_err *err);
extern const struct route routes_table[];
/* The declared parameter name of route, or NULL. */
const struct qparam *routes_param(const struct route *route, const char *name);

#endif
