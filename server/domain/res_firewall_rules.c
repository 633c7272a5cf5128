#include "res.h"

#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "portspec.h"

static const char *const res_fw_scopes[] = { "forward", "input", NULL };
static const char *const res_fw_actions[] = { "accept", "drop", "reject", NULL };
static const char *const res_fw_protocols[] = { "any", "tcp", "udp", "icmp", NULL };

static const struct field res_fw_fields[] = {
	{ .name = "name", .type = FT_TEXT, .flags = F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH,
	  .max = 64, .def = "\"\"", .rule = CR_NAME },
	{ .name = "scope", .type = FT_ENUM, .flags = F_REQUIRED | F_FILTER | F_ORDER,
	  .values = res_fw_scopes },
	{ .name = "priority", .type = FT_INT, .flags = F_FILTER | F_ORDER, .max = 65535,
	  .def = "100" },
	{ .name = "action", .type = FT_ENUM, .flags = F_REQUIRED | F_FILTER,
	  .values = res_fw_actions },
	{ .name = "protocol", .type = FT_ENUM, .flags = F_FILTER, .values = res_fw_protocols,
	  .def = "\"any\"" },
	{ .name = "dst_ports", .type = FT_TEXT, .max = 200, .def = "\"\"", .rule = CR_PORTS },
	{ .name = "log", .type = FT_BOOL, .flags = F_FILTER, .def = "false" },
	{ .name = "enabled", .type = FT_BOOL, .flags = F_FILTER, .def = "true" },
	{ .name = "src_vlan_id", .type = FT_REF, .flags = F_NULL | F_FILTER, .ref = "vlans",
	  .def = "null" },
	{ .name = "src_prefix_id", .type = FT_REF, .flags = F_NULL | F_FILTER, .ref = "prefixes",
	  .def = "null" },
	{ .name = "src_host_id", .type = FT_REF, .flags = F_NULL | F_FILTER, .ref = "hosts",
	  .def = "null" },
	{ .name = "src_cidr", .type = FT_CIDR, .flags = F_NULL, .def = "null" },
	{ .name = "dst_vlan_id", .type = FT_REF, .flags = F_NULL | F_FILTER, .ref = "vlans",
	  .def = "null" },
	{ .name = "dst_prefix_id", .type = FT_REF, .flags = F_NULL | F_FILTER, .ref = "prefixes",
	  .def = "null" },
	{ .name = "dst_host_id", .type = FT_REF, .flags = F_NULL | F_FILTER, .ref = "hosts",
	  .def = "null" },
	{ .name = "dst_cidr", .type = FT_CIDR, .flags = F_NULL, .def = "null" },
	{ .name = "description", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = NULL },
};

/* At most one selector per side; none means any. */
static int
res_fw_side(const json_t *obj, const char *side, struct api_err *err)
{
	static const char *const kinds[] = { "vlan_id", "prefix_id", "host_id", "cidr" };
	char name[32], first[32] = "";
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(name, sizeof(name), "%s_%s", side, kinds[i]);
		if (json_is_null(json_object_get(obj, name)) || !json_object_get(obj, name))
			continue;
		if (first[0] != '\0')
			return api_err_field(err, name, "only one of %s and %s may be set", first,
			    name);
		snprintf(first, sizeof(first), "%s", name);
	}
	return 0;
}

#define RES_FW_NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."

static int
res_fw_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	const char *ports = json_string_value(json_object_get(obj, "dst_ports"));
	const char *proto = json_string_value(json_object_get(obj, "protocol"));
	const char *scope = json_string_value(json_object_get(obj, "scope"));
	const char *name = json_string_value(json_object_get(obj, "name"));
	struct portspec ps;
	const char *why;

	(void)w;
	if (strspn(name, RES_FW_NAME_CHARS) != strlen(name))
		api_err_field(err, "name", "letters, digits, '-', '_' and '.' only");
	res_fw_side(obj, "src", err);
	res_fw_side(obj, "dst", err);
	if (strcmp(scope, "input") == 0 && !json_is_integer(json_object_get(obj, "dst_host_id")))
		api_err_field(err, "dst_host_id", "an input rule names the host it protects");
	if (*ports != '\0') {
		if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
			api_err_field(err, "dst_ports", "ports need protocol tcp or udp");
		else if (portspec_parse(ports, false, &ps, &why) == -1)
			api_err_field(err, "dst_ports", "%s", why);
	}
	return err->status != 0 ? -1 : 0;
}

/* A rule is named by its plan file and rendered configs; one left unnamed becomes rule-<id>. */
static int
res_fw_after(struct wctx *w, const json_t *obj, struct api_err *err)
{
	static const char sql[] = "UPDATE firewall_rules SET name = 'rule-' || id "
	    "WHERE id = ? AND name = ''";
	sqlite3_stmt *st;
	int rc;

	if (obj == NULL || *json_string_value(json_object_get(obj, "name")) != '\0')
		return 0;
	if ((st = db_stmt(w->db, sql)) == NULL)
		return db_fail(w->db, err, "naming a rule");
	sqlite3_bind_int64(st, 1, w->id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sqlite3_extended_errcode(db_handle(w->db)) == SQLITE_CONSTRAINT_UNIQUE ?
		    api_err_field(err, "name", "rule-%lld is taken; name the rule", w->id) :
		    db_fail(w->db, err, "naming a rule");
	return 0;
}

const struct resource res_firewall_rules = {
	.name = "firewall-rules",
	.table = "firewall_rules",
	.object = "firewall-rule",
	.fields = res_fw_fields,
	.validate = res_fw_validate,
	.after = res_fw_after,
};
