#include "render.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "charrule.h"
#include "db.h"
#include "resource.h"
#include "sbuf.h"

#ifndef NETSOT_VERSION
#define NETSOT_VERSION "0.0.0"
#endif

#define TEXT "text/plain; charset=utf-8"

static const struct render_param render_no_params[] = { { .name = NULL } };
static const struct render_param render_host_param[] = {
	{ .name = "host", .required = true, .help = "the host's name" },
	{ .name = NULL },
};
static const struct render_param render_bind_params[] = {
	{ .name = "zone", .help = "a forward zone's name (or give reverse)" },
	{ .name = "reverse", .help = "a prefix: its in-addr.arpa or ip6.arpa zone (or give zone)" },
	{ .name = NULL },
};

/* Adding a target is an entry here and a file in server/render/. */
const struct render_target render_targets[] = {
	{ .name = "hosts", .params = render_no_params, .ctype = TEXT, .comment = "#",
	  .fn = render_hosts,
	  .help = "/etc/hosts: every address with a DNS name, its aliases on the same line" },
	{ .name = "dnsmasq", .params = render_no_params, .ctype = TEXT, .comment = "#",
	  .fn = render_dnsmasq,
	  .help = "dnsmasq: host-record, cname and address lines, dhcp-range for DHCP prefixes "
	  "and ranges" },
	{ .name = "bind", .params = render_bind_params, .ctype = TEXT, .comment = ";",
	  .fn = render_bind,
	  .help = "a BIND zone file: a forward zone with its stored and derived records, or the "
	  "reverse zone of a prefix" },
	{ .name = "nftables", .params = render_host_param, .ctype = TEXT, .comment = "#",
	  .fn = render_nftables,
	  .help = "nftables ruleset: the forward policy between VLANs and the host's input "
	  "rules" },
	{ .name = "iptables", .params = render_host_param, .ctype = TEXT, .comment = "#",
	  .fn = render_iptables, .help = "the same policy for iptables-restore (IPv4)" },
	{ .name = "ufw", .params = render_host_param, .ctype = TEXT, .comment = "#",
	  .preamble = "#!/bin/sh\n", .fn = render_ufw,
	  .help = "a shell script of ufw commands opening the host's services to its input "
	  "rules' sources" },
	{ .name = "interfaces", .params = render_host_param, .ctype = TEXT, .comment = "#",
	  .fn = render_interfaces, .help = "Debian/Proxmox /etc/network/interfaces of the host" },
	{ .name = "mwan3", .params = render_no_params, .ctype = TEXT, .comment = "#",
	  .fn = render_mwan3, .help = "OpenWrt /etc/config/mwan3 from the WAN links" },
	{ .name = "k3s", .params = render_no_params, .ctype = TEXT, .comment = "#",
	  .fn = render_k3s,
	  .help = "/etc/rancher/k3s/config.yaml from the kubernetes-pods and "
	  "kubernetes-services prefixes" },
	{ .name = "ansible-inventory", .params = render_no_params, .ctype = "application/json",
	  .fn = render_ansible,
	  .help = "Ansible dynamic inventory JSON (also at GET /api/v1/inventory)" },
	{ .name = NULL },
};

void
render_safe(const char *in, const char *allowed, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < len; i++)
		out[i] = strchr(allowed, in[i]) != NULL ? in[i] : '_';
	if (len > 0)
		out[i] = '\0';
}

void
render_comment(const char *in, char *out, size_t len)
{
	size_t n = charrule_clean(in ? in : "", out, len);

	while (n > 0 && (out[n - 1] == '\\' || out[n - 1] == ' '))
		out[--n] = '\0';
}

const char *
render_param(const struct render_ctx *c, const char *name)
{
	int i;

	for (i = 0; i < c->nparams; i++)
		if (strcmp(c->keys[i], name) == 0)
			return c->values[i];
	return NULL;
}

static const struct render_target *
render_find(const char *name)
{
	const struct render_target *t;

	for (t = render_targets; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* Known, single, non-empty parameters, and every required one. */
static int
render_check_params(const struct render_target *t, int n, const char *const *keys,
    const char *const *values, struct api_err *err)
{
	const struct render_param *p;
	int i, j;

	if (n > RENDER_PARAMS_MAX)
		return api_err_set(err, 400, "too many query parameters");
	for (i = 0; i < n; i++) {
		for (p = t->params; p->name != NULL; p++)
			if (strcmp(p->name, keys[i]) == 0)
				break;
		if (p->name == NULL)
			api_err_field(err, keys[i], "%s takes no such parameter", t->name);
		else if (values[i] == NULL || *values[i] == '\0')
			api_err_field(err, keys[i], "needs a value");
		else if (strlen(values[i]) > 255 || strpbrk(values[i], "\r\n\t\"'\\") != NULL)
			/* Values are named in the file's header: plain text only. */
			api_err_field(err, keys[i], "must be plain text of at most 255 characters");
		for (j = 0; j < i; j++)
			if (strcmp(keys[i], keys[j]) == 0)
				api_err_field(err, keys[i], "given twice");
	}
	for (p = t->params; p->name != NULL; p++) {
		if (!p->required)
			continue;
		for (i = 0; i < n && strcmp(keys[i], p->name) != 0; i++)
			;
		if (i == n)
			api_err_field(err, p->name, "is required");
	}
	if (err->status != 0) {
		err->status = 400;
		snprintf(err->detail, sizeof(err->detail), "bad parameters for %s", t->name);
		return -1;
	}
	return 0;
}

/* The tables renders were seen to read, a bit each (db.h's, named once for the process); a
 * table past the last bit (or one without a revision) is covered by the audit log's latest
 * change. */
#define RENDER_TARGETS_MAX 16
#define RENDER_SHAPES (1 << RENDER_PARAMS_MAX)

struct render_deps {
	bool known;          /* a render of this target and shape has been watched */
	uint64_t tables;     /* the union of what every watched render read */
};

static pthread_mutex_t render_mu = PTHREAD_MUTEX_INITIALIZER;
/* Per target and shape (which of its parameters are given). */
static struct render_deps render_deps[RENDER_TARGETS_MAX][RENDER_SHAPES];
_Static_assert(sizeof(render_targets) / sizeof(render_targets[0]) <= RENDER_TARGETS_MAX,
    "render_deps has a row per target");

static struct render_deps *
render_deps_of(const struct render_ctx *c)
{
	const struct render_param *p;
	unsigned shape = 0, i = 0;

	for (p = c->target->params; p->name != NULL && i < RENDER_PARAMS_MAX; p++, i++)
		if (render_param(c, p->name) != NULL)
			shape |= 1u << i;
	return &render_deps[c->target - render_targets][shape];
}

/* The object type whose changes the audit log records for a table: its resource's, or the
 * table's own name ("settings"). */
static const char *
render_object(const char *table)
{
	const struct resource *const *r;

	for (r = resource_table; *r != NULL; r++)
		if (strcmp((*r)->table, table) == 0)
			return (*r)->object;
	return table;
}

static int
render_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
render_step_int(struct db *db, const char *sql, const char *arg, long long *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* For the tables read: the revision the header names (the latest change of their object
 * types) into c, and each table's revision into id, in name order. */
static int
render_revision(struct render_ctx *c, uint64_t tables, struct sbuf *id, struct api_err *err)
{
	/* A revision of 0 is a table whose writes no trigger counts (the audit log, users). */
	static const char rev_sql[] = "SELECT rev FROM bookkeeping WHERE key = ? AND rev > 0";
	static const char change_sql[] = "SELECT change_id, time FROM bookkeeping "
	    "WHERE key = 'type:' || ?";
	static const char last_sql[] = "SELECT coalesce(max(id), 0) FROM changes";
	const char *names[DB_TABLES_MAX];
	bool uncovered = (tables & DB_TABLES_OTHER) != 0;
	long long rev = 0;
	sqlite3_stmt *st;
	int i, n, rc;

	c->revision = 0;
	c->changed[0] = '\0';
	n = db_table_names(tables, names);
	qsort(names, (size_t)n, sizeof(names[0]), render_cmp);
	for (i = 0; i < n; i++) {
		if ((rc = render_step_int(c->db, rev_sql, names[i], &rev)) == -1)
			return db_fail(c->db, err, "reading the revision");
		if (rc == 0)
			uncovered = true;
		else
			sbuf_printf(id, " %s:%lld", names[i], rev);
		if ((st = db_stmt(c->db, change_sql)) == NULL)
			return db_fail(c->db, err, "reading the revision");
		sqlite3_bind_text(st, 1, render_object(names[i]), -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_int64(st, 0) >
		    c->revision) {
			c->revision = sqlite3_column_int64(st, 0);
			snprintf(c->changed, sizeof(c->changed), "%s",
			    (const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_fail(c->db, err, "reading the revision");
	}
	if (uncovered) {
		if (render_step_int(c->db, last_sql, NULL, &rev) == -1)
			return db_fail(c->db, err, "reading the revision");
		sbuf_printf(id, " *:%lld", rev);
	}
	return 0;
}

static int
render_host(struct render_ctx *c, struct api_err *err)
{
	static const char sql[] = "SELECT id, name FROM hosts WHERE name = ?";
	sqlite3_stmt *st;
	int rc;

	if ((c->host = render_param(c, "host")) == NULL)
		return 0;
	if ((st = db_stmt(c->db, sql)) == NULL)
		return db_fail(c->db, err, "finding a host");
	sqlite3_bind_text(st, 1, c->host, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		c->host_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return api_err_set(err, 404, "no host named %s", c->host);
	return rc == SQLITE_ROW ? 0 : db_fail(c->db, err, "finding a host");
}

/* Runs fn (and the host lookup, when host is set) watching the tables its statements read
 * (db_watch: the connection's authorizer, installed once when it opened, records what each
 * statement reads as it is prepared, and a cached statement handed out during the watch brings
 * the set kept with it), and adds them to what the target and shape read. A target function
 * gets every statement through db_stmt inside the watch, so none it steps goes unseen. */
static int
render_watched(struct render_ctx *c, bool host, struct sbuf *out, struct api_err *err)
{
	struct render_deps *d = render_deps_of(c);
	uint64_t seen;
	int rc = 0;

	db_watch(c->db);
	if (host)
		rc = render_host(c, err);
	if (rc == 0)
		rc = c->target->fn(c, out, err);
	seen = db_watched(c->db);
	if (rc == -1)
		return -1;
	pthread_mutex_lock(&render_mu);
	d->tables |= seen;
	d->known = true;
	pthread_mutex_unlock(&render_mu);
	return 0;
}

int
render_prepare(struct db *db, const char *target, int n, const char *const *keys,
    const char *const *values, struct render_ctx *c, struct api_err *err)
{
	const char *k[RENDER_PARAMS_MAX];
	struct render_deps *d, seen;
	struct sbuf id;
	int i, j, rc;

	memset(c, 0, sizeof(*c));
	c->db = db;
	if ((c->target = render_find(target)) == NULL)
		return api_err_set(err, 404, "no render target %s (GET /api/v1/render lists them)",
		    target);
	if (render_check_params(c->target, n, keys, values, err) == -1)
		return -1;
	c->nparams = n;
	for (i = 0; i < n; i++) {
		c->keys[i] = keys[i];
		c->values[i] = values[i];
	}
	/* Every render is watched, and the first of a target and shape runs here, into nothing,
	 * when none has yet: a render's queries follow the data it read before, so a table
	 * it reads the first time shows only after one it read changed, which moved the ETag. */
	d = render_deps_of(c);
	pthread_mutex_lock(&render_mu);
	seen = *d;
	pthread_mutex_unlock(&render_mu);
	if (!seen.known) {
		sbuf_init(&id, 0);
		rc = render_watched(c, true, &id, err);
		sbuf_free(&id);
		if (rc == -1)
			return -1;
		pthread_mutex_lock(&render_mu);
		seen = *d;
		pthread_mutex_unlock(&render_mu);
	} else if (render_host(c, err) == -1)
		return -1;
	/* The ETag names the target, its parameters in a fixed order, the revision of each
	 * table it reads and the generator: the same request against the same data is the same
	 * file. */
	for (i = 0; i < n; i++)
		k[i] = keys[i];
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(k[j - 1], k[j]) > 0; j--) {
			const char *x = k[j];

			k[j] = k[j - 1];
			k[j - 1] = x;
		}
	sbuf_init(&id, 0);
	sbuf_printf(&id, "netsot %s %s", NETSOT_VERSION, c->target->name);
	for (i = 0; i < n; i++)
		sbuf_printf(&id, " %s=%s", k[i], render_param(c, k[i]));
	rc = render_revision(c, seen.tables, &id, err);
	sbuf_printf(&id, " revision %lld", c->revision);
	etag_of(sbuf_str(&id), id.len, c->etag);
	sbuf_free(&id);
	return rc;
}

int
render_body(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	const struct render_target *t = c->target;
	int i;

	if (t->preamble != NULL)
		sbuf_puts(out, t->preamble);
	if (t->comment != NULL) {
		/* Never the current time: the same plan renders to the same bytes. */
		sbuf_printf(out, "%s Generated by netsot %s: %s", t->comment, NETSOT_VERSION,
		    t->name);
		for (i = 0; i < c->nparams; i++)
			sbuf_printf(out, " %s=%s", c->keys[i], c->values[i]);
		sbuf_printf(out, "\n%s Plan revision %lld, last changed %s. Do not edit.\n",
		    t->comment, c->revision, c->changed[0] ? c->changed : "never");
	}
	return render_content(c, out, err);
}

int
render_content(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	if (render_watched(c, false, out, err) == -1)
		return -1;
	return sbuf_failed(out) ? api_err_set(err, 500, "out of memory") : 0;
}

json_t *
render_list(void)
{
	const struct render_target *t;
	const struct render_param *p;
	json_t *arr = json_array(), *params;

	for (t = render_targets; t->name != NULL; t++) {
		params = json_array();
		for (p = t->params; p->name != NULL; p++)
			json_array_append_new(params, json_pack("{s:s, s:b, s:s}", "name", p->name,
			    "required", p->required, "description", p->help));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o}", "name", t->name,
		    "content_type", t->ctype, "description", t->help, "parameters", params));
	}
	return arr;
}
