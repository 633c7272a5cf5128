#include "res.h"

#include <string.h>

#include "apierr.h"

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

/* Host variables that tell Ansible how to run things (ansible_connection,
 * ansible_python_interpreter, ansible_ssh_common_args, ansible_become_exe, ...) run code on the
 * controller: only an admin may set one. An editor may say where to connect and as whom, and
 * may leave alone (or remove) what an admin set. */
static const char *const res_hosts_editor_vars[] = { "ansible_host", "ansible_port",
	"ansible_user", NULL };

static bool
res_hosts_editor_may(const char *key)
{
	const char *const *v;

	if (strncmp(key, "ansible_", 8) != 0)
		return true;
	for (v = res_hosts_editor_vars; *v != NULL; v++)
		if (strcmp(*v, key) == 0)
			return true;
	return false;
}

static int
res_hosts_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	const json_t *old = json_object_get(w->old, "vars");
	const char *key;
	json_t *v;

	/* The command line (no role) is the database's owner, like an admin. */
	if (w->a == NULL || w->a->role == ROLE_NONE || w->a->role >= ROLE_ADMIN)
		return 0;
	json_object_foreach(json_object_get(obj, "vars"), key, v) {
		if (res_hosts_editor_may(key) || json_equal(v, json_object_get(old, key)))
			continue;
		api_err_set(err, 403, "setting the host variable %s needs the admin role", key);
		return api_err_field(err, "vars", "%s: only an admin may set it", key);
	}
	return 0;
}

const struct resource res_hosts = {
	.name = "hosts",
	.table = "hosts",
	.object = "host",
	.fields = res_hosts_fields,
	.validate = res_hosts_validate,
};
