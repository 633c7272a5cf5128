#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "charrule.h"
#include "db.h"
#include "sbuf.h"

#ifndef NETSOT_VERSION
#define NETSOT_VERSION "0.0.0"
#endif

#define TEXT "text/plain; charset=utf-8"

static const struct render_param render_no_params[] = { { NULL, false, NULL } };
static const struct render_param render_host_param[] = {
	{ "host", true, "the host's name" },
	{ NULL, false, NULL },
};
static const struct render_param render_bind_params[] = {
	{ "zone", false, "a forward zone's name (or give reverse)" },
	{ "reverse", false, "a prefix: its in-addr.arpa or ip6.arpa zone (or give zone)" },
	{ NULL, false, NULL },
};

static const char *const render_reads_names[] = { "ip-address", "dns-zone", "dns-record",
	NULL };
static const char *const render_reads_dnsmasq[] = { "ip-address", "dns-zone", "dns-record",
	"prefix", "ip-range", "vlan", NULL };
static const char *const render_reads_filter[] = { "firewall-rule", "settings", "vlan",
	"prefix", "ip-address", "host", "port", NULL };
static const char *const render_reads_ufw[] = { "firewall-rule", "settings", "service",
	"vlan", "prefix", "ip-address", "host", NULL };
static const char *const render_reads_interfaces[] = { "host", "port", "ip-address", "prefix",
	"vlan", NULL };
static const char *const render_reads_mwan3[] = { "wan-link", NULL };
static const char *const render_reads_k3s[] = { "prefix", "ip-address", NULL };
static const char *const render_reads_ansible[] = { "host", "ip-address", "prefix", "vlan",
	NULL };

/* Adding a target is a line here and a file in server/render/. */
const struct render_target render_targets[] = {
	{ "hosts", render_no_params, TEXT, "#", NULL, render_reads_names, render_hosts,
	  "/etc/hosts: every address with a DNS name, its aliases on the same line" },
	{ "dnsmasq", render_no_params, TEXT, "#", NULL, render_reads_dnsmasq, render_dnsmasq,
	  "dnsmasq: host-record, cname and address lines, dhcp-range for DHCP prefixes and "
	  "ranges" },
	{ "bind", render_bind_params, TEXT, ";", NULL, render_reads_names, render_bind,
	  "a BIND zone file: a forward zone with its stored and derived records, or the reverse "
	  "zone of a prefix" },
	{ "nftables", render_host_param, TEXT, "#", NULL, render_reads_filter, render_nftables,
	  "nftables ruleset: the forward policy between VLANs and the host's input rules" },
	{ "iptables", render_host_param, TEXT, "#", NULL, render_reads_filter, render_iptables,
	  "the same policy for iptables-restore (IPv4)" },
	{ "ufw", render_host_param, TEXT, "#", "#!/bin/sh\n", render_reads_ufw, render_ufw,
	  "a shell script of ufw commands opening the host's services to its input rules' "
	  "sources" },
	{ "interfaces", render_host_param, TEXT, "#", NULL, render_reads_interfaces,
	  render_interfaces, "Debian/Proxmox /etc/network/interfaces of the host" },
	{ "mwan3", render_no_params, TEXT, "#", NULL, render_reads_mwan3, render_mwan3,
	  "OpenWrt /etc/config/mwan3 from the WAN links" },
	{ "k3s", render_no_params, TEXT, "#", NULL, render_reads_k3s, render_k3s,
	  "/etc/rancher/k3s/config.yaml from the kubernetes-pods and kubernetes-services "
	  "prefixes" },
	{ "ansible-inventory", render_no_params, "application/json", NULL, NULL,
	  render_reads_ansible, render_ansible,
	  "Ansible dynamic inventory JSON (also at GET /api/v1/inventory)" },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
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

/* The newest change among the object types the target reads. */
static int
render_revision(struct render_ctx *c, struct api_err *err)
{
	static const char sql[] = "SELECT change_id, time FROM revisions WHERE object_type = ?";
	const char *const *type;
	sqlite3_stmt *st;
	int rc;

	c->revision = 0;
	c->changed[0] = '\0';
	for (type = c->target->reads; *type != NULL; type++) {
		if ((st = db_stmt(c->db, sql)) == NULL)
			return db_fail(c->db, err, "reading the revision");
		sqlite3_bind_text(st, 1, *type, -1, SQLITE_STATIC);
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

int
render_prepare(struct db *db, const char *target, int n, const char *const *keys,
    const char *const *values, struct render_ctx *c, struct api_err *err)
{
	const char *k[RENDER_PARAMS_MAX];
	struct sbuf id;
	int i, j;

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
	if (render_host(c, err) == -1 || render_revision(c, err) == -1)
		return -1;
	/* The ETag names the target, its parameters in a fixed order, the revision of what it
	 * reads and the generator: the same request against the same data is the same file. */
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
	sbuf_printf(&id, " revision %lld", c->revision);
	etag_of(sbuf_str(&id), id.len, c->etag);
	sbuf_free(&id);
	return 0;
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
	if (t->fn(c, out, err) == -1)
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
