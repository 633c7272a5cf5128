/* The NetBox-compatible inventory (server/domain/netbox.c) over HTTP, for Ansible's
 * netbox.netbox.nb_inventory: NetBox's pages (limit and offset, absolute next and previous
 * links), its filters, its status document and the part of its schema the plugin reads. */
#include "api.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "listing.h"
#include "netbox.h"
#include "routes.h"
#include "sbuf.h"

#define NETBOX_PAGE 50        /* NetBox's PAGINATE_COUNT */
#define NETBOX_PAGE_MAX 1000  /* its MAX_PAGE_SIZE, which limit=0 asks for */
#define NETBOX_QUERY_MAX 64

int
api_netbox_status(struct req *r, struct reply *rep, struct api_err *err)
{
	(void)r;
	(void)err;
	http_reply_json(rep, 200, netbox_status());
	return 0;
}

/* The OpenAPI document as far as the plugin reads it: each collection's path and the query
 * parameters it takes (the plugin drops a query filter that is not listed). */
int
api_netbox_schema(struct req *r, struct reply *rep, struct api_err *err)
{
	const struct qparam *p;
	const struct route *rt;
	json_t *paths = json_object(), *params;
	char path[128];

	(void)r;
	(void)err;
	for (rt = routes_table; rt->pattern != NULL; rt++) {
		if (rt->fn != api_netbox_list)
			continue;
		params = json_array();
		for (p = rt->params; p != NULL && p->name != NULL; p++)
			json_array_append_new(params, json_pack("{s:s, s:s, s:{s:s}}", "name",
			    p->name, "in", "query", "schema", "type", p->type == Q_INT ? "integer" :
			    p->type == Q_BOOL ? "boolean" : "string"));
		/* NetBox's own paths end in a slash, and the plugin looks them up so. */
		snprintf(path, sizeof(path), "%s/", rt->pattern);
		json_object_set_new(paths, path, json_pack("{s:{s:o}}", "get", "parameters", params));
	}
	http_reply_json(rep, 200, json_pack("{s:s, s:{s:s, s:s}, s:o}", "openapi", "3.0.3",
	    "info", "title", "netsot NetBox-compatible inventory", "version", NETBOX_API_VERSION,
	    "paths", paths));
	return 0;
}

/* Whether a Host header may go into a link as it is: a name or address and a port. */
static bool
api_netbox_host_ok(const char *h)
{
	size_t n = h != NULL ? strlen(h) : 0;

	return n > 0 && n <= 255 && strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]") == n;
}

/* A page's absolute link, as NetBox gives it (the plugin follows next as it is); a proxy that
 * terminates TLS says so with X-Forwarded-Proto: https. */
static json_t *
api_netbox_link(struct req *r, int n, const char **keys, const char **values,
    long long limit, long long offset)
{
	const char *host = http_header(r, "Host"), *proto = http_header(r, "X-Forwarded-Proto");
	struct sbuf sb;
	json_t *link;
	int i;

	if (offset < 0)
		return json_null();
	sbuf_init(&sb, 0);
	sbuf_printf(&sb, "%s://%s%s?", proto != NULL && strcmp(proto, "https") == 0 ? "https" :
	    "http", api_netbox_host_ok(host) ? host : r->srv->cfg->listen, r->url);
	for (i = 0; i < n; i++) {
		if (strcmp(keys[i], "limit") == 0 || strcmp(keys[i], "offset") == 0)
			continue;
		listing_escape(&sb, keys[i]);
		sbuf_putc(&sb, '=');
		listing_escape(&sb, values[i]);
		sbuf_putc(&sb, '&');
	}
	sbuf_printf(&sb, "limit=%lld&offset=%lld", limit, offset);
	link = sbuf_failed(&sb) ? json_null() : json_stringn(sbuf_str(&sb), sb.len);
	sbuf_free(&sb);
	return link;
}

/* Each filter of the query applied once, with all of its values; exclude= drops a field. */
static void
api_netbox_select(json_t *all, int n, const char **keys, const char **values)
{
	const char *same[NETBOX_QUERY_MAX];
	json_t *o;
	size_t i;
	int a, b, m;

	for (a = 0; a < n; a++) {
		if (strcmp(keys[a], "exclude") == 0) {
			json_array_foreach(all, i, o)
				json_object_del(o, values[a]);
			continue;
		}
		for (b = 0; b < a && strcmp(keys[b], keys[a]) != 0; b++)
			;
		if (b < a || !netbox_is_filter(keys[a]))
			continue;
		for (m = 0, b = a; b < n; b++)
			if (strcmp(keys[b], keys[a]) == 0)
				same[m++] = values[b];
		netbox_filter(all, keys[a], same, (size_t)m);
	}
}

int
api_netbox_list(struct req *r, struct reply *rep, struct api_err *err)
{
	const char *keys[NETBOX_QUERY_MAX], *values[NETBOX_QUERY_MAX];
	long long limit = http_query_int(r, "limit", NETBOX_PAGE);
	long long offset = http_query_int(r, "offset", 0), count, i, prev;
	json_t *all, *page;
	struct db *db;
	int n;

	/* More than fit was refused before the handler (HTTP_QUERY_MAX). */
	if ((n = http_query_all(r, keys, values, NETBOX_QUERY_MAX)) > NETBOX_QUERY_MAX)
		return api_err_set(err, 400, "too many query parameters");
	if ((db = http_db(r, err)) == NULL || netbox_list(db, r->param, &all, err) == -1)
		return -1;
	api_netbox_select(all, n, keys, values);
	if (limit == 0 || limit > NETBOX_PAGE_MAX)
		limit = NETBOX_PAGE_MAX;
	count = (long long)json_array_size(all);
	page = json_array();
	for (i = offset; i < count && i < offset + limit; i++)
		json_array_append(page, json_array_get(all, (size_t)i));
	prev = offset == 0 ? -1 : offset > limit ? offset - limit : 0;
	http_reply_json(rep, 200, json_pack("{s:I, s:o, s:o, s:o}", "count", (json_int_t)count,
	    "next", api_netbox_link(r, n, keys, values, limit, offset + limit < count ?
	    offset + limit : -1), "previous", api_netbox_link(r, n, keys, values, limit, prev),
	    "results", page));
	json_decref(all);
	return 0;
}
