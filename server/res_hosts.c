#include "res.h"

#include "apierr.h"
#include "dnsname.h"

static const char *const res_hosts_kinds[] = { "hypervisor", "vm", "router", "appliance",
	"service", "container", "switch", "storage", NULL };

static const struct field res_hosts_fields[] = {
	{ "name", FT_TEXT, F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, NULL, NULL, 0,
	  63, NULL, NULL },
	{ "kind", FT_ENUM, F_FILTER | F_ORDER, NULL, res_hosts_kinds, 0, 0, "\"vm\"", NULL },
	{ "groups", FT_LIST, 0, NULL, NULL, 0, 0, "[]", NULL },
	{ "vars", FT_OBJECT, 0, NULL, NULL, 0, 0, "{}", NULL },
	{ "description", FT_TEXT, F_SEARCH, NULL, NULL, 0, 0, "\"\"", NULL },
	{ NULL, FT_INT, 0, NULL, NULL, 0, 0, NULL, NULL },
};

/* Host names become Ansible inventory names and DNS labels. */
static int
res_hosts_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	(void)w;
	if (!dnsname_valid(json_string_value(json_object_get(obj, "name"))))
		return api_err_field(err, "name", "must be RFC 1123 labels (letters, digits, '-' "
		    "inside, joined by dots)");
	return 0;
}

const struct resource res_hosts = {
	.name = "hosts",
	.table = "hosts",
	.object = "host",
	.fields = res_hosts_fields,
	.validate = res_hosts_validate,
};
