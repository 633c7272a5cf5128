#include "res.h"

#include <ctype.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "ipaddr.h"

static const struct field res_wan_links_fields[] = {
	{ .name = "name", .type = FT_TEXT,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, .max = 32,
	  .rule = CR_NAME },
	{ .name = "port_id", .type = FT_REF, .flags = F_REQUIRED | F_FILTER, .ref = "ports" },
	{ .name = "provider", .type = FT_TEXT, .flags = F_FILTER | F_SEARCH, .max = 64,
	  .def = "\"\"" },
	{ .name = "weight", .type = FT_INT, .flags = F_ORDER, .min = 1, .max = 1000, .def = "1" },
	{ .name = "metric", .type = FT_INT, .flags = F_ORDER, .min = 1, .max = 255, .def = "1" },
	{ .name = "track_ips", .type = FT_LIST, .def = "[]", .rule = CR_ADDR },
	{ .name = "enabled", .type = FT_BOOL, .flags = F_FILTER, .def = "true" },
	{ .name = "description", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = NULL },
};

/* mwan3 (UCI) names a link's sections after it, with every character other than a letter or
 * digit made '_': names that become one there (wan-1 and wan_1) would merge two links. */
static bool
res_wan_links_same_uci(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return false;   /* the same name: the UNIQUE constraint's 409 */
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if ((isalnum((unsigned char)*a) ? *a : '_') != (isalnum((unsigned char)*b) ? *b : '_'))
			return false;
	return *a == *b;
}

static int
res_wan_links_unique(struct wctx *w, const char *name, struct api_err *err)
{
	static const char sql[] = "SELECT name FROM wan_links WHERE id != ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(w->db, sql)) == NULL)
		return db_fail(w->db, err, "reading WAN links");
	sqlite3_bind_int64(st, 1, w->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (res_wan_links_same_uci(name, (const char *)sqlite3_column_text(st, 0)))
			break;
	if (rc == SQLITE_ROW)
		api_err_field(err, "name", "'%s' names the same mwan3 sections as WAN link '%s'",
		    name, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW ? -1 : db_fail(w->db, err,
	    "reading WAN links");
}

/* Health-check targets are addresses (stored canonical), and the link rides a wan-mode port. */
static int
res_wan_links_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	static const char sql[] = "SELECT mode FROM ports WHERE id = ?";
	char buf[IPADDR_STRLEN];
	struct ipaddr a;
	sqlite3_stmt *st;
	size_t i;
	json_t *v;
	int rc;

	json_array_foreach(json_object_get(obj, "track_ips"), i, v) {
		if (ipaddr_parse(json_string_value(v), &a) == -1)
			return api_err_field(err, "track_ips", "'%s' is not an IP address",
			    json_string_value(v));
		ipaddr_format(&a, buf, sizeof(buf));
		json_array_set_new(json_object_get(obj, "track_ips"), i, json_string(buf));
	}
	if ((st = db_stmt(w->db, sql)) == NULL)
		return db_fail(w->db, err, "reading a port");
	sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(obj, "port_id")));
	rc = sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "wan") != 0;
	sqlite3_reset(st);
	if (rc)
		return api_err_field(err, "port_id", "the port is not in wan mode");
	return res_wan_links_unique(w, json_string_value(json_object_get(obj, "name")), err);
}

const struct resource res_wan_links = {
	.name = "wan-links",
	.table = "wan_links",
	.object = "wan-link",
	.fields = res_wan_links_fields,
	.validate = res_wan_links_validate,
};
