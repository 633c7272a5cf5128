#include "res.h"

#include <string.h>

#include "apierr.h"

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

/* Host names become Ansible inventory names and DNS labels: RFC 1123 labels, dots allowed. */
static int
res_hosts_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	const char *s = json_string_value(json_object_get(obj, "name"));
	size_t i, label = 0;

	(void)w;
	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return api_err_field(err, "name", "must be RFC 1123 labels");
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c == '-' && label > 0)))
			return api_err_field(err, "name", "must be RFC 1123 labels (letters, digits, "
			    "'-' inside)");
		label++;
	}
	if (i == 0 || label == 0 || s[i - 1] == '-')
		return api_err_field(err, "name", "must be RFC 1123 labels");
	return 0;
}

const struct resource res_hosts = {
	.name = "hosts",
	.table = "hosts",
	.object = "host",
	.fields = res_hosts_fields,
	.validate = res_hosts_validate,
};
