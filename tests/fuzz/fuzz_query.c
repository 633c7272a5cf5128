/* The query string of every list (server/http/listing.c, and the route-level checks of
 * http_check_args before it), run against the seed plan: the input is a byte choosing the
 * list's resource and then a query string, split on & and = and percent-decoded as the server
 * does (http_unescape_text). A refusal must be a 400; anything accepted must run as SQL and
 * give a page that is well-formed JSON holding at most limit results. */
#include "fuzz_common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "listing.h"
#include "routes.h"

#define QUERY_MAX 80

/* The lists the route table serves, by resource. */
static const struct resource *
query_target(unsigned char pick, const struct route **route, char *path, size_t len)
{
	const struct resource *const *r;
	struct route_match m;
	struct api_err err;
	size_t n = 0;

	for (r = resource_table; *r != NULL; r++)
		n += !((*r)->flags & R_SINGLETON);
	pick %= (unsigned char)n;
	for (r = resource_table; *r != NULL; r++)
		if (!((*r)->flags & R_SINGLETON) && pick-- == 0)
			break;
	snprintf(path, len, "/api/v1/%s", (*r)->name);
	api_err_init(&err);
	*route = routes_match(NULL, "GET", path, &m, &err);
	api_err_free(&err);
	if (*route == NULL || !((*route)->flags & ROUTE_LIST))
		abort();
	return *r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *keys[QUERY_MAX], *values[QUERY_MAX];
	const struct resource *res;
	const struct route *route;
	struct db *db = fuzz_db();
	struct listing l;
	struct api_err err;
	struct sbuf page;
	char path[96], *text, *p, *pair, *eq;
	json_t *doc;
	int n = 0;

	if (size < 1 || size > 4096)
		return 0;
	res = query_target(data[0], &route, path, sizeof(path));
	text = fuzz_string(data + 1, size - 1);
	/* "a=1&&b&c=" is a=1, b="" and c="", as libmicrohttpd hands them over. */
	for (p = text; (pair = strsep(&p, "&")) != NULL;) {
		if (*pair == '\0')
			continue;
		if ((eq = strchr(pair, '=')) != NULL)
			*eq++ = '\0';
		http_unescape_text(pair);
		if (eq != NULL)
			http_unescape_text(eq);
		if (n < QUERY_MAX) {
			keys[n] = pair;
			values[n] = eq != NULL ? eq : "";
		}
		n++;
	}
	api_err_init(&err);
	listing_init(&l, res);
	sbuf_init(&page, 0);
	if (http_check_args(route, "", keys, values, n, &err) == 0 &&
	    listing_parse_args(&l, route, keys, values, n, &err) == 0) {
		if (db_read_begin(db) == -1)
			abort();
		if (listing_run(&l, db, path, &page, &err) == 0) {
			doc = json_loadb(sbuf_str(&page), page.len, 0, NULL);
			if (!json_is_object(doc) ||
			    !json_is_integer(json_object_get(doc, "count")) ||
			    json_array_size(json_object_get(doc, "results")) > (size_t)l.limit)
				abort();
			json_decref(doc);
		}
		db_read_end(db);
	}
	fuzz_no_5xx(path, &err);
	if (err.status != 0 && err.status != 400)
		abort();
	sbuf_free(&page);
	listing_free(&l);
	api_err_free(&err);
	free(text);
	return 0;
}
