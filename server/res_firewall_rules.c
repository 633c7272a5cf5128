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
	{ "name", FT_TEXT, F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, NULL, NULL, 0, 64, "\"\"",
	  NULL },
	{ "scope", FT_ENUM, F_REQUIRED | F_FILTER | F_ORDER, NULL, res_fw_scopes, 0, 0, NULL,
	  NULL },
	{ "priority", FT_INT, F_FILTER | F_ORDER, NULL, NULL, 0, 65535, "100", NULL },
	{ "action", FT_ENUM, F_REQUIRED | F_FILTER, NULL, res_fw_actions, 0, 0, NULL, NULL },
	{ "protocol", FT_ENUM, F_FILTER, NULL, res_fw_protocols, 0, 0, "\"any\"", NULL },
	{ "dst_ports", FT_TEXT, 0, NULL, NULL, 0, 200, "\"\"", NULL },
	{ "log", FT_BOOL, F_FILTER, NULL, NULL, 0, 0, "false", NULL },
	{ "enabled", FT_BOOL, F_FILTER, NULL, NULL, 0, 0, "true", NULL },
	{ "src_vlan_id", FT_REF, F_NULL | F_FILTER, "vlans", NULL, 0, 0, "null", NULL },
	{ "src_prefix_id", FT_REF, F_NULL | F_FILTER, "prefixes", NULL, 0, 0, "null", NULL },
	{ "src_host_id", FT_REF, F_NULL | F_FILTER, "hosts", NULL, 0, 0, "null", NULL },
	{ "src_cidr", FT_CIDR, F_NULL, NULL, NULL, 0, 0, "null", NULL },
	{ "dst_vlan_id", FT_REF, F_NULL | F_FILTER, "vlans", NULL, 0, 0, "null", NULL },
	{ "dst_prefix_id", FT_REF, F_NULL | F_FILTER, "prefixes", NULL, 0, 0, "null", NULL },
	{ "dst_host_id", FT_REF, F_NULL | F_FILTER, "hosts", NULL, 0, 0, "null", NULL },
	{ "dst_cidr", FT_CIDR, F_NULL, NULL, NULL, 0, 0, "null", NULL },
	{ "description", FT_TEXT, F_SEARCH, NULL, NULL, 0, 0, "\"\"", NULL },
	{ NULL, FT_INT, 0, NULL, NULL, 0, 0, NULL, NULL },
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
