#include "res.h"

static const struct field res_vlans_fields[] = {
	{ "vid", FT_INT, F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER, NULL, NULL, 1, 4094,
	  NULL, NULL },
	{ "name", FT_TEXT, F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, NULL, NULL, 0,
	  64, NULL, NULL },
	{ "description", FT_TEXT, F_SEARCH, NULL, NULL, 0, 0, "\"\"", NULL },
	{ NULL, FT_INT, 0, NULL, NULL, 0, 0, NULL, NULL },
};

const struct resource res_vlans = {
	.name = "vlans",
	.table = "vlans",
	.object = "vlan",
	.fields = res_vlans_fields,
};
