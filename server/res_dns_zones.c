#include "res.h"

#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "dnsname.h"
#include "dnszone.h"

static const struct field res_dns_zones_fields[] = {
	{ "name", FT_TEXT, F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, NULL, NULL, 0,
	  253, NULL, NULL },
	{ "soa_mname", FT_TEXT, 0, NULL, NULL, 0, 254, "\"\"", NULL },
	{ "soa_rname", FT_TEXT, 0, NULL, NULL, 0, 254, "\"\"", NULL },
	{ "refresh", FT_INT, 0, NULL, NULL, 60, 2147483647, "3600", NULL },
	{ "retry", FT_INT, 0, NULL, NULL, 60, 2147483647, "600", NULL },
	{ "expire", FT_INT, 0, NULL, NULL, 60, 2147483647, "604800", NULL },
	{ "minimum", FT_INT, 0, NULL, NULL, 0, 2147483647, "300", NULL },
	{ "ttl", FT_INT, 0, NULL, NULL, 0, 2147483647, "3600", NULL },
	{ "serial", FT_INT, F_READONLY | F_ORDER, NULL, NULL, 0, 0, NULL, NULL },
	{ "description", FT_TEXT, F_SEARCH, NULL, NULL, 0, 0, "\"\"", NULL },
	{ NULL, FT_INT, 0, NULL, NULL, 0, 0, NULL, NULL },
};

static int
res_dns_zones_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	const char *name = json_string_value(json_object_get(obj, "name"));
	static const char *const soa[] = { "soa_mname", "soa_rname" };
	const char *v;
	char def[300];
	size_t i;

	(void)w;
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
	return err->status != 0 ? -1 : 0;
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
