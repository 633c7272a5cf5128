/* The Ansible dynamic inventory: a group per host group, per host kind (kind_<kind>) and per
 * VLAN a host has an address in (vlan_<vid>), and _meta.hostvars with ansible_host (the
 * host's primary address), netsot_kind and the host's own vars, which win, every string of
 * theirs that holds a '{' marked unsafe so Ansible never templates it. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "charrule.h"
#include "db.h"
#include "hostnet.h"
#include "sbuf.h"
#include "xmalloc.h"

/* Group names Ansible takes without a warning: letters, digits and '_', not a digit first. */
static void
render_ansible_group(const char *in, char *out, size_t len)
{
	size_t o = 0;

	if (in[0] >= '0' && in[0] <= '9' && len > 3) {
		memcpy(out, "g_", 2);
		o = 2;
	}
	render_safe(in, RENDER_ALNUM "_", out + o, len - o);
}

static void
render_ansible_add(json_t *inv, const char *group, const char *host)
{
	json_t *g = json_object_get(inv, group);

	if (g == NULL) {
		g = json_pack("{s:[], s:{}}", "hosts", "vars");
		json_object_set_new(inv, group, g);
	}
	json_array_append_new(json_object_get(g, "hosts"), json_string(host));
}

static int
render_ansible_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of a host variable's value in which every string that Jinja could read as a template
 * ("{{", "{%", "{#") is marked unsafe, so that Ansible never evaluates what an editor typed:
 * Ansible's JSON decoder turns {"__ansible_unsafe": s} into an AnsibleUnsafeText. */
static json_t *
render_ansible_value(json_t *v)
{
	const char *key;
	json_t *copy, *item;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (strchr(json_string_value(v), '{') == NULL)
			return json_incref(v);
		return json_pack("{s:O}", "__ansible_unsafe", v);
	case JSON_ARRAY:
		copy = json_array();
		json_array_foreach(v, i, item)
			json_array_append_new(copy, render_ansible_value(item));
		return copy;
	case JSON_OBJECT:
		copy = json_object();
		json_object_foreach(v, key, item)
			json_object_set_new(copy, key, render_ansible_value(item));
		return copy;
	default:
		return json_incref(v);
	}
}

/* The host's own vars over the ones netsot sets; a name that is not a variable name (kept out
 * by the field's rule) is dropped here too. */
static void
render_ansible_vars(json_t *hv, const char *text)
{
	json_t *vars = json_loads(text, 0, NULL), *v;
	const char *key;

	json_object_foreach(vars, key, v)
		if (charrule_ok(CR_VARNAME, key, strlen(key)))
			json_object_set_new(hv, key, render_ansible_value(v));
	json_decref(vars);
}

static int
render_ansible_hosts(struct render_ctx *c, json_t *inv, json_t *hostvars, struct api_err *err)
{
	static const char sql[] = "SELECT h.name, h.kind, h.groups, h.vars, (SELECT a.address "
	    "FROM ip_addresses a WHERE a.id = " HOSTNET_PRIMARY_SQL("h") ") FROM hosts h "
	    "ORDER BY h.name";
	const char *name;
	char group[80];
	json_t *groups, *hv, *g;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((st = db_stmt(c->db, sql)) == NULL)
		return db_fail(c->db, err, "reading hosts");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		snprintf(group, sizeof(group), "kind_%s", (const char *)sqlite3_column_text(st, 1));
		render_ansible_add(inv, group, name);
		groups = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
		json_array_foreach(groups, i, g) {
			render_ansible_group(json_string_value(g), group, sizeof(group));
			if (group[0] != '\0' && strcmp(group, "all") != 0 &&
			    strcmp(group, "ungrouped") != 0 && strcmp(group, "_meta") != 0)
				render_ansible_add(inv, group, name);
		}
		json_decref(groups);
		hv = json_pack("{s:s}", "netsot_kind", (const char *)sqlite3_column_text(st, 1));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			json_object_set_new(hv, "ansible_host",
			    json_string((const char *)sqlite3_column_text(st, 4)));
		render_ansible_vars(hv, (const char *)sqlite3_column_text(st, 3));
		json_object_set_new(hostvars, name, hv);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(c->db, err, "reading hosts");
}

static int
render_ansible_vlans(struct render_ctx *c, json_t *inv, struct api_err *err)
{
	static const char sql[] = "SELECT DISTINCT v.vid, h.name FROM ip_addresses a "
	    "JOIN prefixes p ON p.id = a.prefix_id JOIN vlans v ON v.id = p.vlan_id "
	    "JOIN hosts h ON h.id = a.host_id ORDER BY v.vid, h.name";
	char group[32];
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(c->db, sql)) == NULL)
		return db_fail(c->db, err, "reading VLANs");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(group, sizeof(group), "vlan_%d", sqlite3_column_int(st, 0));
		render_ansible_add(inv, group, (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(c->db, err, "reading VLANs");
}

/* A group named like a host makes Ansible warn and pick one: such a group gets "_group". */
static void
render_ansible_rename(json_t *inv, const json_t *hostvars)
{
	char name[96];
	const char *group;
	void *tmp;
	json_t *g;

	json_object_foreach_safe(inv, tmp, group, g) {
		if (json_object_get(hostvars, group) == NULL)
			continue;
		snprintf(name, sizeof(name), "%s_group", group);
		json_object_set(inv, name, g);
		json_object_del(inv, group);
	}
}

int
render_ansible(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	json_t *inv = json_object(), *hostvars = json_object(), *children, *v;
	const char *group, **names = NULL;
	size_t n = 0, i;
	char *text;
	int rc = -1;

	if (render_ansible_hosts(c, inv, hostvars, err) == -1 ||
	    render_ansible_vlans(c, inv, err) == -1)
		goto out;
	render_ansible_rename(inv, hostvars);
	names = xcalloc(json_object_size(inv) + 1, sizeof(*names));
	json_object_foreach(inv, group, v)
		names[n++] = group;
	qsort(names, n, sizeof(*names), render_ansible_cmp);
	children = json_array();
	json_array_append_new(children, json_string("ungrouped"));
	for (i = 0; i < n; i++)
		json_array_append_new(children, json_string(names[i]));
	/* Every host has a kind, so none is ungrouped; the group is there as Ansible expects. */
	json_object_set_new(inv, "ungrouped", json_pack("{s:[]}", "hosts"));
	json_object_set_new(inv, "all", json_pack("{s:o}", "children", children));
	json_object_set_new(inv, "_meta", json_pack("{s:O}", "hostvars", hostvars));
	if ((text = json_dumps(inv, JSON_INDENT(1) | JSON_SORT_KEYS)) == NULL) {
		api_err_set(err, 500, "out of memory");
		goto out;
	}
	sbuf_puts(out, text);
	sbuf_putc(out, '\n');
	free(text);
	rc = 0;
out:
	free(names);
	json_decref(inv);
	json_decref(hostvars);
	return rc;
}
