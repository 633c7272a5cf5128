#include "routes.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "metrics.h"
#include "resource.h"
#include "watch.h"
#include "web.h"

const struct qparam routes_list_params[] = {
	{ .name = "limit", .type = Q_INT, .min = 1, .max = 1000, .help = "page size (50)" },
	{ .name = "offset", .type = Q_INT, .min = 0, .max = 1LL << 40, .help = "rows to skip" },
	{ .name = "q", .type = Q_TEXT, .help = "substring search" },
	{ .name = "ordering", .type = Q_TEXT, .help = "fields, - for descending: a,-b" },
	{ .name = NULL },
};

static const struct qparam routes_alloc_params[] = {
	{ .name = "limit", .type = Q_INT, .min = 1, .max = 1000, .help = "how many (50)" },
	{ .name = NULL },
};

/* Accepted for old clients, ignored: a zone's records come whole. */
static const struct qparam routes_records_params[] = {
	{ .name = "limit", .type = Q_INT, .min = 1, .max = 1000, .help = "ignored" },
	{ .name = NULL },
};

static const char *const routes_import_modes[] = { "merge", "replace", NULL };

static const struct qparam routes_import_params[] = {
	{ .name = "mode", .type = Q_ENUM, .values = routes_import_modes },
	{ .name = "dry_run", .type = Q_BOOL },
	{ .name = NULL },
};

/* The NetBox-compatible inventory's pages and filters (server/domain/netbox.c); a filter may
 * be repeated (OR), as in NetBox. */
#define ROUTES_NETBOX_PAGE \
	{ .name = "limit", .type = Q_INT, .min = 0, .max = 1000, .help = "page size (50; 0: 1000)" }, \
	{ .name = "offset", .type = Q_INT, .min = 0, .max = 1LL << 40, .help = "objects to skip" }, \
	{ .name = "exclude", .type = Q_TEXT, .flags = Q_REPEAT, .help = "a field to leave out" }, \
	{ .name = "brief", .type = Q_BOOL, .help = "ignored: objects come whole" }
#define ROUTES_NETBOX_FILTER(n) { .name = n, .type = Q_TEXT, .flags = Q_REPEAT }

static const struct qparam routes_netbox_params[] = {
	ROUTES_NETBOX_PAGE,
	{ .name = NULL },
};

static const struct qparam routes_netbox_hosts_params[] = {
	ROUTES_NETBOX_PAGE,
	ROUTES_NETBOX_FILTER("id"), ROUTES_NETBOX_FILTER("name"), ROUTES_NETBOX_FILTER("role"),
	ROUTES_NETBOX_FILTER("site"), ROUTES_NETBOX_FILTER("status"), ROUTES_NETBOX_FILTER("tag"),
	{ .name = NULL },
};

static const struct qparam routes_netbox_ifaces_params[] = {
	ROUTES_NETBOX_PAGE,
	ROUTES_NETBOX_FILTER("id"), ROUTES_NETBOX_FILTER("name"), ROUTES_NETBOX_FILTER("device_id"),
	ROUTES_NETBOX_FILTER("device"), ROUTES_NETBOX_FILTER("virtual_machine_id"),
	ROUTES_NETBOX_FILTER("virtual_machine"),
	{ .name = NULL },
};

static const struct qparam routes_netbox_ips_params[] = {
	ROUTES_NETBOX_PAGE,
	ROUTES_NETBOX_FILTER("id"), ROUTES_NETBOX_FILTER("device_id"),
	ROUTES_NETBOX_FILTER("virtual_machine_id"), ROUTES_NETBOX_FILTER("dns_name"),
	ROUTES_NETBOX_FILTER("status"), ROUTES_NETBOX_FILTER("tag"),
	{ .name = "assigned_to_interface", .type = Q_BOOL, .flags = Q_REPEAT },
	{ .name = NULL },
};

static const struct qparam routes_netbox_prefixes_params[] = {
	ROUTES_NETBOX_PAGE,
	ROUTES_NETBOX_FILTER("id"), ROUTES_NETBOX_FILTER("site"), ROUTES_NETBOX_FILTER("status"),
	ROUTES_NETBOX_FILTER("tag"),
	{ .name = NULL },
};

static const struct qparam routes_netbox_services_params[] = {
	ROUTES_NETBOX_PAGE,
	ROUTES_NETBOX_FILTER("device_id"), ROUTES_NETBOX_FILTER("virtual_machine_id"),
	{ .name = NULL },
};

static const struct qparam routes_netbox_schema_params[] = {
	{ .name = "format", .type = Q_TEXT, .help = "ignored: the schema is JSON" },
	{ .name = NULL },
};

#define ROUTES_NETBOX(collection, p) \
	{ .method = HTTP_GET, .pattern = "/api/" collection, .fn = api_netbox_list, \
	  .role = ROLE_VIEWER, .arg = collection, .flags = ROUTE_SLASH, .params = p }

/* A render held until its ETag moves off If-None-Match's (watch.c); the target's own
 * parameters come besides (ROUTE_TARGET). */
static const struct qparam routes_render_params[] = {
	{ .name = "wait", .type = Q_INT, .min = 0, .max = WATCH_MAX_SECONDS,
	  .help = "seconds to hold the request until the render changes (0)" },
	{ .name = NULL },
};

const struct route routes_table[] = {
	{ .method = HTTP_GET, .pattern = "/healthz", .fn = api_meta_healthz, .role = ROLE_NONE },
	{ .method = HTTP_GET, .pattern = "/metrics", .fn = api_metrics, .role = ROLE_VIEWER,
	  .flags = ROUTE_ADDR_ALLOW },
	{ .method = HTTP_GET, .pattern = "/api/v1/openapi.yaml", .fn = api_meta_openapi,
	  .role = ROLE_NONE },
	{ .method = HTTP_GET, .pattern = "/", .fn = web_index, .role = ROLE_NONE },
	{ .method = HTTP_GET, .pattern = "/web/{name}", .fn = web_file, .role = ROLE_NONE },
	{ .method = HTTP_POST, .pattern = "/api/v1/auth/login", .fn = api_auth_login,
	  .role = ROLE_NONE, .flags = ROUTE_SMALL_BODY },
	{ .method = HTTP_GET, .pattern = "/api/v1/auth/me", .fn = api_auth_me,
	  .role = ROLE_VIEWER },
	/* Users, tokens and settings: the generic driver, behind their own roles (R_OWN_ROUTES). */
	{ .method = HTTP_GET, .pattern = "/api/v1/users", .fn = api_resource_list,
	  .role = ROLE_ADMIN, .arg = "users", .flags = ROUTE_LIST, .params = routes_list_params },
	{ .method = HTTP_POST, .pattern = "/api/v1/users", .fn = api_resource_create,
	  .role = ROLE_ADMIN, .arg = "users" },
	{ .method = HTTP_GET, .pattern = "/api/v1/users/{id}", .fn = api_resource_get,
	  .role = ROLE_ADMIN, .arg = "users" },
	{ .method = HTTP_PATCH, .pattern = "/api/v1/users/{id}", .fn = api_resource_patch,
	  .role = ROLE_ADMIN, .arg = "users" },
	{ .method = HTTP_DELETE, .pattern = "/api/v1/users/{id}", .fn = api_resource_delete,
	  .role = ROLE_ADMIN, .arg = "users" },
	{ .method = HTTP_POST, .pattern = "/api/v1/users/{id}/logout", .fn = api_users_logout,
	  .role = ROLE_ADMIN },
	{ .method = HTTP_POST, .pattern = "/api/v1/users/{id}/unlock", .fn = api_users_unlock,
	  .role = ROLE_ADMIN },
	{ .method = HTTP_GET, .pattern = "/api/v1/tokens", .fn = api_resource_list,
	  .role = ROLE_ADMIN, .arg = "tokens", .flags = ROUTE_LIST, .params = routes_list_params },
	{ .method = HTTP_POST, .pattern = "/api/v1/tokens", .fn = api_resource_create,
	  .role = ROLE_ADMIN, .arg = "tokens" },
	{ .method = HTTP_GET, .pattern = "/api/v1/tokens/{id}", .fn = api_resource_get,
	  .role = ROLE_ADMIN, .arg = "tokens" },
	{ .method = HTTP_DELETE, .pattern = "/api/v1/tokens/{id}", .fn = api_resource_delete,
	  .role = ROLE_ADMIN, .arg = "tokens" },
	{ .method = HTTP_GET, .pattern = "/api/v1/settings", .fn = api_resource_get,
	  .role = ROLE_VIEWER, .arg = "settings" },
	{ .method = HTTP_PATCH, .pattern = "/api/v1/settings", .fn = api_resource_patch,
	  .role = ROLE_EDITOR, .arg = "settings" },
	{ .method = HTTP_GET, .pattern = "/api/v1/changes", .fn = api_resource_list,
	  .role = ROLE_VIEWER, .arg = "changes", .flags = ROUTE_LIST,
	  .params = routes_list_params },
	{ .method = HTTP_GET, .pattern = "/api/v1/changes/{id}", .fn = api_resource_get,
	  .role = ROLE_VIEWER, .arg = "changes" },
	{ .method = HTTP_POST, .pattern = "/api/v1/changes/preview", .fn = api_preview,
	  .role = ROLE_EDITOR },
	{ .method = HTTP_GET, .pattern = "/api/v1/prefixes/{id}/available-ips",
	  .fn = api_alloc_ips_list, .role = ROLE_VIEWER, .arg = "prefixes",
	  .params = routes_alloc_params },
	{ .method = HTTP_POST, .pattern = "/api/v1/prefixes/{id}/available-ips",
	  .fn = api_alloc_ips_create, .role = ROLE_EDITOR, .arg = "prefixes" },
	{ .method = HTTP_GET, .pattern = "/api/v1/ip-ranges/{id}/available-ips",
	  .fn = api_alloc_ips_list, .role = ROLE_VIEWER, .arg = "ip-ranges",
	  .params = routes_alloc_params },
	{ .method = HTTP_POST, .pattern = "/api/v1/ip-ranges/{id}/available-ips",
	  .fn = api_alloc_ips_create, .role = ROLE_EDITOR, .arg = "ip-ranges" },
	{ .method = HTTP_POST, .pattern = "/api/v1/prefixes/{id}/available-prefixes",
	  .fn = api_alloc_prefixes_create, .role = ROLE_EDITOR },
	{ .method = HTTP_GET, .pattern = "/api/v1/dns-zones/{id}/records", .fn = api_dns_records,
	  .role = ROLE_VIEWER, .params = routes_records_params },
	{ .method = HTTP_GET, .pattern = "/api/v1/validate", .fn = api_validate,
	  .role = ROLE_VIEWER },
	{ .method = HTTP_GET, .pattern = "/api/v1/policy/matrix", .fn = api_policy_matrix,
	  .role = ROLE_VIEWER },
	{ .method = HTTP_GET, .pattern = "/api/v1/export", .fn = api_plan_export,
	  .role = ROLE_VIEWER },
	{ .method = HTTP_POST, .pattern = "/api/v1/import", .fn = api_plan_import,
	  .role = ROLE_EDITOR, .flags = ROUTE_PLAN_BODY, .params = routes_import_params },
	{ .method = HTTP_GET, .pattern = "/api/v1/render", .fn = api_render_list,
	  .role = ROLE_VIEWER },
	{ .method = HTTP_GET, .pattern = "/api/v1/render/{name}", .fn = api_render,
	  .role = ROLE_VIEWER, .flags = ROUTE_TARGET, .params = routes_render_params },
	{ .method = HTTP_GET, .pattern = "/api/v1/inventory", .fn = api_render_inventory,
	  .role = ROLE_VIEWER, .params = routes_render_params },
	/* The NetBox-compatible inventory, whose clients ask for paths with a trailing slash. */
	{ .method = HTTP_GET, .pattern = "/api/status", .fn = api_netbox_status,
	  .role = ROLE_VIEWER, .flags = ROUTE_SLASH },
	{ .method = HTTP_GET, .pattern = "/api/schema", .fn = api_netbox_schema,
	  .role = ROLE_VIEWER, .flags = ROUTE_SLASH, .params = routes_netbox_schema_params },
	ROUTES_NETBOX("dcim/devices", routes_netbox_hosts_params),
	ROUTES_NETBOX("virtualization/virtual-machines", routes_netbox_hosts_params),
	ROUTES_NETBOX("dcim/interfaces", routes_netbox_ifaces_params),
	ROUTES_NETBOX("virtualization/interfaces", routes_netbox_ifaces_params),
	ROUTES_NETBOX("ipam/ip-addresses", routes_netbox_ips_params),
	ROUTES_NETBOX("ipam/prefixes", routes_netbox_prefixes_params),
	ROUTES_NETBOX("ipam/services", routes_netbox_services_params),
	ROUTES_NETBOX("dcim/sites", routes_netbox_params),
	ROUTES_NETBOX("dcim/device-roles", routes_netbox_params),
	ROUTES_NETBOX("dcim/platforms", routes_netbox_params),
	ROUTES_NETBOX("dcim/regions", routes_netbox_params),
	ROUTES_NETBOX("dcim/site-groups", routes_netbox_params),
	ROUTES_NETBOX("dcim/locations", routes_netbox_params),
	ROUTES_NETBOX("dcim/racks", routes_netbox_params),
	ROUTES_NETBOX("dcim/rack-groups", routes_netbox_params),
	ROUTES_NETBOX("dcim/device-types", routes_netbox_params),
	ROUTES_NETBOX("dcim/manufacturers", routes_netbox_params),
	ROUTES_NETBOX("tenancy/tenants", routes_netbox_params),
	ROUTES_NETBOX("virtualization/clusters", routes_netbox_params),
	/* Every other resource of resource.c, by the one generic driver. */
	{ .method = HTTP_GET, .pattern = "/api/v1/{res}", .fn = api_resource_list,
	  .role = ROLE_VIEWER, .flags = ROUTE_LIST, .params = routes_list_params },
	{ .method = HTTP_POST, .pattern = "/api/v1/{res}", .fn = api_resource_create,
	  .role = ROLE_EDITOR },
	{ .method = HTTP_GET, .pattern = "/api/v1/{res}/{id}", .fn = api_resource_get,
	  .role = ROLE_VIEWER },
	{ .method = HTTP_PUT, .pattern = "/api/v1/{res}/{id}", .fn = api_resource_replace,
	  .role = ROLE_EDITOR },
	{ .method = HTTP_PATCH, .pattern = "/api/v1/{res}/{id}", .fn = api_resource_patch,
	  .role = ROLE_EDITOR },
	{ .method = HTTP_DELETE, .pattern = "/api/v1/{res}/{id}", .fn = api_resource_delete,
	  .role = ROLE_EDITOR },
	{ .method = HTTP_GET, .pattern = "/api/v1/{res}/{id}/changes", .fn = api_resource_changes,
	  .role = ROLE_VIEWER, .flags = ROUTE_LIST, .params = routes_list_params },
	{ .pattern = NULL },
};

static const struct {
	const char *name;
	unsigned bit;
} routes_methods[] = {
	{ .name = "GET", .bit = HTTP_GET }, { .name = "HEAD", .bit = HTTP_GET },
	{ .name = "POST", .bit = HTTP_POST }, { .name = "PUT", .bit = HTTP_PUT },
	{ .name = "PATCH", .bit = HTTP_PATCH }, { .name = "DELETE", .bit = HTTP_DELETE },
};

#define NMETHODS (sizeof(routes_methods) / sizeof(routes_methods[0]))

unsigned
routes_method(const char *method)
{
	size_t i;

	for (i = 0; i < NMETHODS; i++)
		if (strcmp(method, routes_methods[i].name) == 0)
			return routes_methods[i].bit;
	return 0;
}

const struct qparam *
routes_param(const struct route *route, const char *name)
{
	const struct qparam *p;

	for (p = route->params; p != NULL && p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static bool
routes_writable(const char *name)
{
	const struct resource *res = resource_find(name);

	return res != NULL && !(res->flags & (R_READONLY | R_OWN_ROUTES));
}

/* The length of the segment at s: up to the next '/' or the end. */
static size_t
routes_seg_len(const char *s)
{
	const char *e = s;

	while (*e != '/' && *e != '\0')
		e++;
	return (size_t)(e - s);
}

/* Matches one path against one pattern, segment by segment. Literal segments are compared
 * in place, so a pattern that differs is left at its first differing character: most of the
 * table is rejected after a few bytes. */
static bool
routes_path_matches(const char *pat, const char *path, struct route_match *m)
{
	size_t plen, slen;

	/* The root has no segments at all. */
	if (pat[0] == '/' && pat[1] == '\0')
		return path[0] == '/' && path[1] == '\0';
	for (;;) {
		if (*pat != '/' || *path != '/')
			return *pat == '\0' && *path == '\0';
		pat++;
		path++;
		if (*pat != '{') {
			while (*pat == *path && *pat != '/' && *pat != '\0') {
				pat++;
				path++;
			}
			if ((*pat != '/' && *pat != '\0') || (*path != '/' && *path != '\0') ||
			    path[-1] == '/')
				return false;
			continue;
		}
		plen = routes_seg_len(pat);
		slen = routes_seg_len(path);
		if (slen == 0)
			return false;
		if (plen == 4 && strncmp(pat, "{id}", 4) == 0) {
			char buf[24], *end;
			long long v;

			/* Digits only, no sign, no leading zero, in range. */
			if (slen >= sizeof(buf) || path[0] < '1' || path[0] > '9')
				return false;
			memcpy(buf, path, slen);
			buf[slen] = '\0';
			errno = 0;
			v = strtoll(buf, &end, 10);
			if (errno != 0 || *end != '\0')
				return false;
			m->id = v;
		} else if ((plen == 6 && strncmp(pat, "{name}", 6) == 0) ||
		    (plen == 5 && strncmp(pat, "{res}", 5) == 0)) {
			if (slen >= sizeof(m->param))
				return false;
			memcpy(m->param, path, slen);
			m->param[slen] = '\0';
			if (pat[1] == 'r' && !routes_writable(m->param))
				return false;
		} else
			return false;
		pat += plen;
		path += slen;
	}
}

/* Each route's shape, worked out once: its segments (its '/'s) and the length of its literal
 * start. A path is compared only with the patterns of its own length, and those whose
 * literal start differs are passed over with one strncmp, instead of walking the table
 * pattern by pattern (10k instructions of a GET of one object before this). */
#define ROUTES_SHAPED_MAX 256

#define ROUTES_SLASHES_MAX 16

static struct { unsigned short segs, lit; } routes_shape[ROUTES_SHAPED_MAX];
/* The routes of each length in table order, as chains: the first of each, and each one's next
 * (the table's end, its NULL row, ends a chain). */
static unsigned short routes_first[ROUTES_SLASHES_MAX], routes_next[ROUTES_SHAPED_MAX];
static unsigned short routes_end;
static bool routes_shaped;
static pthread_once_t routes_shape_once = PTHREAD_ONCE_INIT;

static unsigned short
routes_slashes(const char *s, size_t n)
{
	unsigned short k = 0;
	size_t i;

	for (i = 0; i < n; i++)
		k += s[i] == '/';
	return k;
}

static void
routes_shape_table(void)
{
	unsigned short last[ROUTES_SLASHES_MAX], end, k;
	size_t i;

	for (i = 0; routes_table[i].pattern != NULL; i++)
		if (i == ROUTES_SHAPED_MAX ||
		    routes_slashes(routes_table[i].pattern, strlen(routes_table[i].pattern)) >=
		    ROUTES_SLASHES_MAX)
			return;   /* left unshaped: every pattern is tried, as before */
	routes_end = end = (unsigned short)i;
	for (k = 0; k < ROUTES_SLASHES_MAX; k++)
		routes_first[k] = last[k] = end;
	for (i = 0; routes_table[i].pattern != NULL; i++) {
		const char *pat = routes_table[i].pattern;

		k = routes_shape[i].segs = routes_slashes(pat, strlen(pat));
		routes_shape[i].lit = (unsigned short)strcspn(pat, "{");
		routes_next[i] = end;
		if (routes_first[k] == end)
			routes_first[k] = (unsigned short)i;
		else
			routes_next[last[k]] = (unsigned short)i;
		last[k] = (unsigned short)i;
	}
	routes_shaped = true;
}

/* Whether route i of routes_table cannot match path (slashes: its '/'s; bare: also
 * without its trailing slash). */
static bool
routes_passed_over(size_t i, const char *path, unsigned short slashes, bool bare)
{
	const struct route *r = &routes_table[i];

	if (routes_shape[i].segs != slashes && !(bare && (r->flags & ROUTE_SLASH) &&
	    routes_shape[i].segs + 1 == slashes))
		return true;
	/* bare is path without its last byte: a literal start that fits one fits both. */
	return strncmp(r->pattern, path, routes_shape[i].lit) != 0;
}

const struct route *
routes_match(const struct route *table, const char *method, const char *path,
    struct route_match *m, struct api_err *err)
{
	unsigned want = routes_method(method), allow = 0;
	size_t i, n = strlen(path);
	const struct route *r;
	char list[96], bare[256];
	unsigned short slashes;
	bool shaped, chained;

	if (table == NULL)
		table = routes_table;
	pthread_once(&routes_shape_once, routes_shape_table);
	shaped = table == routes_table && routes_shaped;
	slashes = shaped ? routes_slashes(path, n) : 0;
	/* The path without a trailing slash, for the routes that may be asked for with one. */
	bare[0] = '\0';
	if (n > 1 && n < sizeof(bare) && path[n - 1] == '/') {
		memcpy(bare, path, n - 1);
		bare[n - 1] = '\0';
	}
	/* Shaped, a path without a trailing slash walks its length's chain only. */
	chained = shaped && bare[0] == '\0';
	r = !chained ? table : table + (slashes < ROUTES_SLASHES_MAX ? routes_first[slashes] :
	    routes_end);
	for (; r->pattern != NULL; r = chained ? table + routes_next[r - table] : r + 1) {
		struct route_match tmp;

		if (shaped && routes_passed_over((size_t)(r - table), path, slashes,
		    bare[0] != '\0'))
			continue;

		/* Not "= { 0 }": that zeroes the whole parameter buffer for every route tried. */
		tmp.id = 0;
		tmp.param[0] = '\0';
		if (!routes_path_matches(r->pattern, path, &tmp) && !((r->flags & ROUTE_SLASH) &&
		    bare[0] != '\0' && routes_path_matches(r->pattern, bare, &tmp)))
			continue;
		if (r->method & want) {
			*m = tmp;
			return r;
		}
		allow |= r->method;
	}
	if (allow == 0) {
		api_err_set(err, 404, "no such path");
		return NULL;
	}
	list[0] = '\0';
	for (i = 0; i < NMETHODS; i++)
		if (allow & routes_methods[i].bit) {
			if (list[0] != '\0')
				strcat(list, ", ");
			strcat(list, routes_methods[i].name);
		}
	snprintf(err->allow, sizeof(err->allow), "%s", list);
	api_err_set(err, 405, "%s is not allowed here; allowed: %s",
	    want ? method : "this method", list);
	return NULL;
}
