#include "routes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "resource.h"
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

const struct route routes_table[] = {
	{ HTTP_GET, "/healthz", api_meta_healthz, ROLE_NONE, NULL, 0, NULL },
	{ HTTP_GET, "/api/v1/openapi.yaml", api_meta_openapi, ROLE_NONE, NULL, 0, NULL },
	{ HTTP_GET, "/", web_index, ROLE_NONE, NULL, 0, NULL },
	{ HTTP_GET, "/web/{name}", web_file, ROLE_NONE, NULL, 0, NULL },
	{ HTTP_POST, "/api/v1/auth/login", api_auth_login, ROLE_NONE, NULL, ROUTE_SMALL_BODY,
	  NULL },
	{ HTTP_GET, "/api/v1/auth/me", api_auth_me, ROLE_VIEWER, NULL, 0, NULL },
	{ HTTP_GET, "/api/v1/users", api_users_list, ROLE_ADMIN, NULL, 0, NULL },
	{ HTTP_POST, "/api/v1/users", api_users_create, ROLE_ADMIN, NULL, 0, NULL },
	{ HTTP_PATCH, "/api/v1/users/{id}", api_users_update, ROLE_ADMIN, NULL, 0, NULL },
	{ HTTP_DELETE, "/api/v1/users/{id}", api_users_delete, ROLE_ADMIN, NULL, 0, NULL },
	{ HTTP_POST, "/api/v1/users/{id}/logout", api_users_logout, ROLE_ADMIN, NULL, 0, NULL },
	{ HTTP_POST, "/api/v1/users/{id}/unlock", api_users_unlock, ROLE_ADMIN, NULL, 0, NULL },
	{ HTTP_GET, "/api/v1/tokens", api_tokens_list, ROLE_ADMIN, NULL, 0, NULL },
	{ HTTP_POST, "/api/v1/tokens", api_tokens_create, ROLE_ADMIN, NULL, 0, NULL },
	{ HTTP_DELETE, "/api/v1/tokens/{id}", api_tokens_delete, ROLE_ADMIN, NULL, 0, NULL },
	{ HTTP_GET, "/api/v1/changes", api_resource_list, ROLE_VIEWER, "changes", ROUTE_LIST,
	  routes_list_params },
	{ HTTP_GET, "/api/v1/changes/{id}", api_resource_get, ROLE_VIEWER, "changes", 0, NULL },
	{ HTTP_GET, "/api/v1/prefixes/{id}/available-ips", api_alloc_ips_list, ROLE_VIEWER,
	  "prefixes", 0, routes_alloc_params },
	{ HTTP_POST, "/api/v1/prefixes/{id}/available-ips", api_alloc_ips_create, ROLE_EDITOR,
	  "prefixes", 0, NULL },
	{ HTTP_GET, "/api/v1/ip-ranges/{id}/available-ips", api_alloc_ips_list, ROLE_VIEWER,
	  "ip-ranges", 0, routes_alloc_params },
	{ HTTP_POST, "/api/v1/ip-ranges/{id}/available-ips", api_alloc_ips_create, ROLE_EDITOR,
	  "ip-ranges", 0, NULL },
	{ HTTP_POST, "/api/v1/prefixes/{id}/available-prefixes", api_alloc_prefixes_create,
	  ROLE_EDITOR, NULL, 0, NULL },
	{ HTTP_GET, "/api/v1/dns-zones/{id}/records", api_dns_records, ROLE_VIEWER, NULL, 0,
	  routes_records_params },
	{ HTTP_GET, "/api/v1/settings", api_settings_get, ROLE_VIEWER, NULL, 0, NULL },
	{ HTTP_GET, "/api/v1/validate", api_validate, ROLE_VIEWER, NULL, 0, NULL },
	{ HTTP_PATCH, "/api/v1/settings", api_settings_patch, ROLE_EDITOR, NULL, 0, NULL },
	{ HTTP_GET, "/api/v1/export", api_plan_export, ROLE_VIEWER, NULL, 0, NULL },
	{ HTTP_POST, "/api/v1/import", api_plan_import, ROLE_EDITOR, NULL, ROUTE_PLAN_BODY,
	  routes_import_params },
	{ HTTP_GET, "/api/v1/render", api_render_list, ROLE_VIEWER, NULL, 0, NULL },
	{ HTTP_GET, "/api/v1/render/{name}", api_render, ROLE_VIEWER, NULL, ROUTE_TARGET, NULL },
	{ HTTP_GET, "/api/v1/inventory", api_render_inventory, ROLE_VIEWER, NULL, 0, NULL },
	/* Every writable resource of resource.c, by one generic driver. */
	{ HTTP_GET, "/api/v1/{res}", api_resource_list, ROLE_VIEWER, NULL, ROUTE_LIST,
	  routes_list_params },
	{ HTTP_POST, "/api/v1/{res}", api_resource_create, ROLE_EDITOR, NULL, 0, NULL },
	{ HTTP_GET, "/api/v1/{res}/{id}", api_resource_get, ROLE_VIEWER, NULL, 0, NULL },
	{ HTTP_PUT, "/api/v1/{res}/{id}", api_resource_replace, ROLE_EDITOR, NULL, 0, NULL },
	{ HTTP_PATCH, "/api/v1/{res}/{id}", api_resource_patch, ROLE_EDITOR, NULL, 0, NULL },
	{ HTTP_DELETE, "/api/v1/{res}/{id}", api_resource_delete, ROLE_EDITOR, NULL, 0, NULL },
	{ HTTP_GET, "/api/v1/{res}/{id}/changes", api_resource_changes, ROLE_VIEWER, NULL,
	  ROUTE_LIST, routes_list_params },
	{ 0, NULL, NULL, ROLE_NONE, NULL, 0, NULL },
};

static const struct {
	const char *name;
	unsigned bit;
} routes_methods[] = {
	{ "GET", HTTP_GET }, { "HEAD", HTTP_GET }, { "POST", HTTP_POST },
	{ "PUT", HTTP_PUT }, { "PATCH", HTTP_PATCH }, { "DELETE", HTTP_DELETE },
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

	return res != NULL && !(res->flags & R_READONLY);
}

/* Matches one path against one pattern, segment by segment. */
static bool
routes_path_matches(const char *pat, const char *path, struct route_match *m)
{
	const char *pe, *se;
	size_t plen, slen;

	/* The root has no segments at all. */
	if (strcmp(pat, "/") == 0)
		return strcmp(path, "/") == 0;
	for (;;) {
		if (*pat != '/' || *path != '/')
			return *pat == '\0' && *path == '\0';
		pat++;
		path++;
		pe = pat + strcspn(pat, "/");
		se = path + strcspn(path, "/");
		plen = (size_t)(pe - pat);
		slen = (size_t)(se - path);
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
		} else if (plen != slen || strncmp(pat, path, plen) != 0)
			return false;
		pat = pe;
		path = se;
	}
}

const struct route *
routes_match(const struct route *table, const char *method, const char *path,
    struct route_match *m, struct api_err *err)
{
	unsigned want = routes_method(method), allow = 0;
	const struct route *r;
	char list[96] = "";
	size_t i;

	if (table == NULL)
		table = routes_table;
	for (r = table; r->pattern != NULL; r++) {
		struct route_match tmp = { 0, "" };

		if (!routes_path_matches(r->pattern, path, &tmp))
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
