#include "res.h"

#include <string.h>

#include "apierr.h"

static const char *const res_ports_modes[] = { "access", "trunk", "routed", "wan", "unused",
	NULL };
static const char *const res_ports_tagged[] = { "port_tagged_vlans", "port_id", "vlan_id",
	NULL };

static const char *const res_ports_unique[] = { "host_id", NULL };

static const struct field res_ports_fields[] = {
	{ .name = "host_id", .type = FT_REF, .flags = F_REQUIRED | F_FILTER, .ref = "hosts" },
	{ .name = "name", .type = FT_TEXT,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, .max = 64,
	  .rule = CR_NAME, .unique_with = res_ports_unique },
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

/* An access port carries one VLAN untagged; a WAN port carries none at all. */
static int
res_ports_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	const char *mode = json_string_value(json_object_get(obj, "mode"));
	bool tagged = json_array_size(json_object_get(obj, "tagged_vlan_ids")) > 0;
	bool untagged = json_is_integer(json_object_get(obj, "untagged_vlan_id"));

	(void)w;
	if ((strcmp(mode, "access") == 0 || strcmp(mode, "wan") == 0) && tagged)
		api_err_field(err, "tagged_vlan_ids", "a port in %s mode carries no tagged VLANs",
		    mode);
	if (strcmp(mode, "wan") == 0 && untagged)
		api_err_field(err, "untagged_vlan_id", "a port in wan mode carries no VLAN");
	return err->status != 0 ? -1 : 0;
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
};
