#include "res.h"

#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "db.h"

static const char *const res_ports_modes[] = { "access", "trunk", "routed", "wan", "unused",
	NULL };
static const char *const res_ports_tagged[] = { "port_tagged_vlans", "port_id", "vlan_id",
	NULL };

#define RES_PORTS_IFNAME_MAX 15   /* IFNAMSIZ less its NUL */

static const char *const res_ports_unique[] = { "host_id", NULL };

static const struct field res_ports_fields[] = {
	{ .name = "host_id", .type = FT_REF, .flags = F_REQUIRED | F_FILTER, .ref = "hosts" },
	{ .name = "name", .type = FT_TEXT,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, .max = 64,
	  .rule = CR_NAME, .unique_with = res_ports_unique },
	/* The name the OS gives the port (enp3s0, eno1, eth0) beside its label (LAN2.5-1): left
	 * out or "", one is derived from the label (res_ports_derive). */
	{ .name = "ifname", .type = FT_TEXT, .flags = F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH,
	  .max = 15, .def = "\"\"", .rule = CR_IFNAME, .unique_with = res_ports_unique },
	{ .name = "nic", .type = FT_TEXT, .flags = F_FILTER | F_SEARCH, .max = 64, .def = "\"\"",
	  .rule = CR_NAME },
	{ .name = "speed_mbps", .type = FT_INT, .flags = F_NULL | F_FILTER, .min = 1,
	  .max = 1000000, .def = "null" },
	{ .name = "mode", .type = FT_ENUM, .flags = F_FILTER, .values = res_ports_modes,
	  .def = "\"unused\"" },
	{ .name = "untagged_vlan_id", .type = FT_REF, .flags = F_NULL | F_FILTER, .ref = "vlans",
	  .def = "null" },
	{ .name = "tagged_vlan_ids", .type = FT_REFLIST, .ref = "vlans",
	  .values = res_ports_tagged, .def = "[]" },
	{ .name = "bridge", .type = FT_TEXT, .flags = F_FILTER, .max = 32, .def = "\"\"",
	  .rule = CR_IFNAME },
	{ .name = "connected_to", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = "description", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = NULL },
};

/* An access port carries one VLAN untagged; a WAN port carries none at all. A kernel name
 * fit for ifupdown and ip: no '.', no leading '-' (nor a bridge's). */
static int
res_ports_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	const char *mode = json_string_value(json_object_get(obj, "mode"));
	bool tagged = json_array_size(json_object_get(obj, "tagged_vlan_ids")) > 0;
	bool untagged = json_is_integer(json_object_get(obj, "untagged_vlan_id"));
	const char *ifname = json_string_value(json_object_get(obj, "ifname"));

	(void)w;
	/* A dot makes ifupdown read the name as a VLAN on another interface. */
	if (ifname != NULL && strchr(ifname, '.') != NULL)
		api_err_field(err, "ifname", "a port's interface name has no '.': ifupdown reads "
		    "NAME.VID as a VLAN");
	else if (ifname != NULL && ifname[0] == '-')
		api_err_field(err, "ifname", "a port's interface name does not start with '-': "
		    "commands (ip, ifup) read it as an option");
	if (json_string_value(json_object_get(obj, "bridge")) != NULL &&
	    json_string_value(json_object_get(obj, "bridge"))[0] == '-')
		api_err_field(err, "bridge", "a bridge's name does not start with '-': commands (ip, "
		    "ifup) read it as an option");
	if ((strcmp(mode, "access") == 0 || strcmp(mode, "wan") == 0) && tagged)
		api_err_field(err, "tagged_vlan_ids", "a port in %s mode carries no tagged VLANs",
		    mode);
	if (strcmp(mode, "wan") == 0 && untagged)
		api_err_field(err, "untagged_vlan_id", "a port in wan mode carries no VLAN");
	return err->status != 0 ? -1 : 0;
}

/* Whether another port of the host has that interface name. */
static int
res_ports_ifname_taken(struct wctx *w, long long host_id, const char *ifname, bool *taken,
    struct api_err *err)
{
	static const char sql[] = "SELECT 1 FROM ports WHERE host_id = ? AND ifname = ? "
	    "AND id != ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(w->db, sql)) == NULL)
		return db_fail(w->db, err, "reading ports");
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_text(st, 2, ifname, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, w->id);
	rc = sqlite3_step(st);
	*taken = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(w->db, err, "reading ports");
}

static void
res_ports_ifname_of(const char *label, char *out, size_t len)
{
	size_t n = 0;
	char c;

	for (; *label != '\0' && n + 1 < len && n < RES_PORTS_IFNAME_MAX; label++) {
		c = *label >= 'A' && *label <= 'Z' ? (char)(*label - 'A' + 'a') : *label;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (n > 0 && (c == '-' || c == '_')))
			out[n++] = c;
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, len, "port");
}

/* A port without an interface name gets one from its label: lowercased, only letters,
 * digits, '-' and '_' (no dot: ifupdown reads NAME.VID as a VLAN), at most 15 characters,
 * and another host's port's aside, unique ("-2", "-3" replace its end). The same label on
 * the same host derives the same name again, so a plan imported twice keeps its names. */
static int
res_ports_derive(struct wctx *w, json_t *obj, struct api_err *err)
{
	char base[RES_PORTS_IFNAME_MAX + 1], name[RES_PORTS_IFNAME_MAX + 16], suffix[16];
	long long host_id = json_integer_value(json_object_get(obj, "host_id"));
	bool taken = true;
	int i;

	if (json_string_length(json_object_get(obj, "ifname")) > 0)
		return 0;
	res_ports_ifname_of(json_string_value(json_object_get(obj, "name")), base,
	    sizeof(base));
	snprintf(name, sizeof(name), "%s", base);
	for (i = 2; i < 10000; i++) {
		if (res_ports_ifname_taken(w, host_id, name, &taken, err) == -1)
			return -1;
		if (!taken)
			break;
		snprintf(suffix, sizeof(suffix), "-%d", i);
		snprintf(name, sizeof(name), "%.*s%s", (int)(RES_PORTS_IFNAME_MAX - strlen(suffix)),
		    base, suffix);
	}
	if (taken)
		return api_err_field(err, "ifname", "no free interface name derives from '%s'",
		    base);
	json_object_set_new(obj, "ifname", json_string(name));
	return 0;
}

/* ?vlan=VID: the ports that carry those VLANs, untagged or tagged. */
static int
res_ports_vid(struct sbuf *where, json_t *binds, const char *const *values, int n,
    struct api_err *err)
{
	return resource_filter_vid(where, binds, values, n, "untagged_vlan_id IN ({vlans}) OR "
	    "id IN (SELECT port_id FROM port_tagged_vlans WHERE vlan_id IN ({vlans}))", err);
}

static const struct rfilter res_ports_filters[] = {
	{ .name = "vlan", .fn = res_ports_vid },
	{ .name = NULL },
};

const struct resource res_ports = {
	.name = "ports",
	.table = "ports",
	.object = "port",
	.fields = res_ports_fields,
	.filters = res_ports_filters,
	.validate = res_ports_validate,
	.derive = res_ports_derive,
};
