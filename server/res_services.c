#include "res.h"

#include "apierr.h"
#include "portspec.h"

static const char *const res_services_protocols[] = { "tcp", "udp", NULL };

static const struct field res_services_fields[] = {
	{ "host_id", FT_REF, F_REQUIRED | F_FILTER, "hosts", NULL, 0, 0, NULL, NULL },
	{ "name", FT_TEXT, F_REQUIRED | F_FILTER | F_ORDER | F_SEARCH, NULL, NULL, 0, 64, NULL,
	  NULL },
	{ "protocol", FT_ENUM, F_REQUIRED | F_FILTER, NULL, res_services_protocols, 0, 0, NULL,
	  NULL },
	{ "ports", FT_TEXT, F_REQUIRED | F_FILTER, NULL, NULL, 0, 200, NULL, NULL },
	{ "description", FT_TEXT, F_SEARCH, NULL, NULL, 0, 0, "\"\"", NULL },
	{ NULL, FT_INT, 0, NULL, NULL, 0, 0, NULL, NULL },
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
