#include "res.h"

#include "apierr.h"
#include "dnsname.h"

static const char *const res_hosts_kinds[] = { "hypervisor", "vm", "router", "appliance",
	"service", "container", "switch", "storage", NULL };

static const struct field res_hosts_fields[] = {
	{ .name = "name", .type = FT_TEXT,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, .max = 63,
	  .rule = CR_HOSTNAME },
	{ .name = "kind", .type = FT_ENUM, .flags = F_FILTER | F_ORDER, .values = res_hosts_kinds,
	  .def = "\"vm\"" },
	{ .name = "groups", .type = FT_LIST, .def = "[]", .rule = CR_NAME },
	{ .name = "vars", .type = FT_OBJECT, .def = "{}", .rule = CR_VARNAME },
	{ .name = "description", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = NULL },
};

const struct resource res_hosts = {
	.name = "hosts",
	.table = "hosts",
	.object = "host",
	.fields = res_hosts_fields,
};
