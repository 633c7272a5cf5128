#include "res.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "apierr.h"
#include "dnsname.h"
#include "dnszone.h"

static const struct field res_dns_zones_fields[] = {
	{ .name = "name", .type = FT_TEXT,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, .max = 253,
	  .rule = CR_HOSTNAME },
	{ .name = "soa_mname", .type = FT_TEXT, .max = 254, .def = "\"\"", .rule = CR_DNSNAME },
	{ .name = "soa_rname", .type = FT_TEXT, .max = 254, .def = "\"\"", .rule = CR_DNSNAME },
	{ .name = "refresh", .type = FT_INT, .min = 60, .max = 2147483647, .def = "3600" },
	{ .name = "retry", .type = FT_INT, .min = 60, .max = 2147483647, .def = "600" },
	{ .name = "expire", .type = FT_INT, .min = 60, .max = 2147483647, .def = "604800" },
	{ .name = "minimum", .type = FT_INT, .max = 2147483647, .def = "300" },
	{ .name = "ttl", .type = FT_INT, .max = 2147483647, .def = "3600" },
	{ .name = "serial", .type = FT_INT, .flags = F_READONLY | F_ORDER },
	{ .name = "description", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = NULL },
};

static int
res_dns_zones_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	const char *name = json_string_value(json_object_get(obj, "name"));
	static const char *const soa[] = { "soa_mname", "soa_rname" };
	const char *v, *was;
	char def[300];
	size_t i;

	if (!dnsname_valid(name))
		return api_err_field(err, "name", "must be RFC 1123 labels joined by dots");
	/* Sane defaults: ns1.<zone>. and hostmaster.<zone>. */
	for (i = 0; i < 2; i++) {
		v = json_string_value(json_object_get(obj, soa[i]));
		if (*v == '\0') {
			snprintf(def, sizeof(def), "%s.%s.", i == 0 ? "ns1" : "hostmaster", name);
			json_object_set_new(obj, soa[i], json_string(def));
		} else if (!dnsname_valid_target(v))
			api_err_field(err, soa[i], "must be a host name");
	}
	if (err->status != 0)
		return -1;
	was = w->old ? json_string_value(json_object_get(w->old, "name")) : NULL;
	return dnszone_check_zone(w->db, w->id, name,
	    json_string_value(json_object_get(obj, "soa_mname")),
	    was == NULL || strcasecmp(was, name) != 0, dnszone_deferred(w->a), err);
}

/* YYYYMMDDnn: today's first on creation, the next on every change. */
static int
res_dns_zones_derive(struct wctx *w, json_t *obj, struct api_err *err)
{
	long long today = dnszone_today() + 1, old;

	(void)err;
	old = w->old ? json_integer_value(json_object_get(w->old, "serial")) : 0;
	json_object_set_new(obj, "serial", json_integer(old + 1 > today ? old + 1 : today));
	return 0;
}

const struct resource res_dns_zones = {
	.name = "dns-zones",
	.table = "dns_zones",
	.object = "dns-zone",
	.fields = res_dns_zones_fields,
	.validate = res_dns_zones_validate,
	.derive = res_dns_zones_derive,
};
