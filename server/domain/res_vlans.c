#include "res.h"

static const struct field res_vlans_fields[] = {
	{ .name = "vid", .type = FT_INT, .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER,
	  .min = 1, .max = 4094 },
	{ .name = "name", .type = FT_TEXT,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, .max = 64,
	  .rule = CR_NAME },
	{ .name = "description", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = NULL },
};

const struct resource res_vlans = {
	.name = "vlans",
	.table = "vlans",
	.object = "vlan",
	.fields = res_vlans_fields,
};
