#include "res.h"

#include "apierr.h"
#include "portspec.h"

static const char *const res_services_protocols[] = { "tcp", "udp", NULL };

static const char *const res_services_unique[] = { "host_id", NULL };

static const struct field res_services_fields[] = {
	{ .name = "host_id", .type = FT_REF, .flags = F_REQUIRED | F_FILTER, .ref = "hosts" },
	{ .name = "name", .type = FT_TEXT,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, .max = 64,
	  .unique_with = res_services_unique },
	{ .name = "protocol", .type = FT_ENUM, .flags = F_REQUIRED | F_FILTER,
	  .values = res_services_protocols },
	{ .name = "ports", .type = FT_TEXT, .flags = F_REQUIRED | F_FILTER, .max = 200,
	  .rule = CR_PORTS },
	{ .name = "description", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = NULL },
};

static int
res_services_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	struct portspec ps;
	const char *why;

	(void)w;
	if (portspec_parse(json_string_value(json_object_get(obj, "ports")), false, &ps,
	    &why) == -1)
		return api_err_field(err, "ports", "%s", why);
	return 0;
}

const struct resource res_services = {
	.name = "services",
	.table = "services",
	.object = "service",
	.fields = res_services_fields,
	.validate = res_services_validate,
};
