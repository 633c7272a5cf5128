#include "res.h"

#include <string.h>

#include "apierr.h"

static const char *const res_ports_modes[] = { "access", "trunk", "routed", "wan", "unused",
	NULL };
static const char *const res_ports_tagged[] = { "port_tagged_vlans", "port_id", "vlan_id",
	NULL };

static const struct field res_ports_fields[] = {
	{ "host_id", FT_REF, F_REQUIRED | F_FILTER, "hosts", NULL, 0, 0, NULL, NULL },
	{ "name", FT_TEXT, F_REQUIRED | F_FILTER | F_ORDER | F_SEARCH, NULL, NULL, 0, 64, NULL,
	  NULL },
	{ "nic", FT_TEXT, F_FILTER | F_SEARCH, NULL, NULL, 0, 64, "\"\"", NULL },
	{ "speed_mbps", FT_INT, F_NULL | F_FILTER, NULL, NULL, 1, 1000000, "null", NULL },
	{ "mode", FT_ENUM, F_FILTER, NULL, res_ports_modes, 0, 0, "\"unused\"", NULL },
	{ "untagged_vlan_id", FT_REF, F_NULL | F_FILTER, "vlans", NULL, 0, 0, "null", NULL },
	{ "tagged_vlan_ids", FT_REFLIST, 0, "vlans", res_ports_tagged, 0, 0, "[]", NULL },
	{ "bridge", FT_TEXT, F_FILTER, NULL, NULL, 0, 32, "\"\"", NULL },
	{ "connected_to", FT_TEXT, F_SEARCH, NULL, NULL, 0, 0, "\"\"", NULL },
	{ "description", FT_TEXT, F_SEARCH, NULL, NULL, 0, 0, "\"\"", NULL },
	{ NULL, FT_INT, 0, NULL, NULL, 0, 0, NULL, NULL },
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

const struct resource res_ports = {
	.name = "ports",
	.table = "ports",
	.object = "port",
	.fields = res_ports_fields,
	.validate = res_ports_validate,
};
