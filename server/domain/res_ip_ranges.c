#include "res.h"

#include <string.h>

#include "apierr.h"
#include "db.h"
#include "ipam.h"

static const char *const res_ip_ranges_status[] = { "active", "reserved", "deprecated", NULL };

static const struct field res_ip_ranges_fields[] = {
	/* Unique through start_key, which derives from it one to one. */
	{ .name = "start_address", .type = FT_ADDR,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER, .sort = "start_key" },
	{ .name = "end_address", .type = FT_ADDR, .flags = F_REQUIRED | F_FILTER },
	{ .name = "prefix_id", .type = FT_REF, .flags = F_READONLY | F_FILTER, .ref = "prefixes" },
	{ .name = "status", .type = FT_ENUM, .flags = F_FILTER, .values = res_ip_ranges_status,
	  .def = "\"active\"" },
	{ .name = "dhcp", .type = FT_BOOL, .flags = F_FILTER, .def = "false" },
	{ .name = "description", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = NULL },
};

static const char *const res_ip_ranges_hidden[] = { "start_key", "end_key", NULL };

static int
res_ip_ranges_ends(const json_t *obj, struct ipaddr *start, struct ipaddr *end)
{
	if (ipaddr_parse(json_string_value(json_object_get(obj, "start_address")), start) == -1 ||
	    ipaddr_parse(json_string_value(json_object_get(obj, "end_address")), end) == -1)
		return -1;
	return 0;
}

/* A range lies inside one prefix, crosses no child prefix, and overlaps no other range. */
static int
res_ip_ranges_derive(struct wctx *w, json_t *obj, struct api_err *err)
{
	static const char crossing[] = "SELECT prefix FROM prefixes WHERE first_key <= ?2 AND "
	    "last_key >= ?1 AND NOT (first_key <= ?1 AND last_key >= ?2) LIMIT 1";
	static const char overlap[] = "SELECT id FROM ip_ranges WHERE start_key <= ?2 AND "
	    "end_key >= ?1 AND id != ?3 LIMIT 1";
	unsigned char *s = w->hidden[0].blob, *e = w->hidden[1].blob;
	struct ipaddr start, end;
	sqlite3_stmt *st;
	long long prefix;
	int rc;

	if (res_ip_ranges_ends(obj, &start, &end) == -1)
		return api_err_set(err, 500, "a range end does not parse");
	if (start.family != end.family)
		return api_err_field(err, "end_address", "must be of the start's family");
	if (ipaddr_cmp(&start, &end) > 0)
		return api_err_field(err, "end_address", "must not be below start_address");
	w->nhidden = 2;
	w->hidden[0].type = w->hidden[1].type = HV_BLOB;
	w->hidden[0].len = w->hidden[1].len = IPADDR_KEYLEN;
	ipaddr_to_key(&start, s);
	ipaddr_to_key(&end, e);
	if ((rc = ipam_containing(w->db, s, e, 129, 0, &prefix, err)) == -1)
		return -1;
	if (rc == 0)
		return api_err_field(err, "start_address", "the range is not inside one prefix");
	json_object_set_new(obj, "prefix_id", json_integer(prefix));
	if ((st = db_stmt(w->db, crossing)) == NULL)
		return db_fail(w->db, err, "checking a range");
	sqlite3_bind_blob(st, 1, s, IPADDR_KEYLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, e, IPADDR_KEYLEN, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		api_err_field(err, "end_address", "the range crosses the edge of prefix %s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return -1;
	if ((st = db_stmt(w->db, overlap)) == NULL)
		return db_fail(w->db, err, "checking a range");
	sqlite3_bind_blob(st, 1, s, IPADDR_KEYLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, e, IPADDR_KEYLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, w->id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		api_err_set(err, 409, "the range overlaps IP range %lld",
		    (long long)sqlite3_column_int64(st, 0));
		api_err_field(err, "start_address", "overlaps IP range %lld",
		    (long long)sqlite3_column_int64(st, 0));
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? -1 : 0;
}

/* A new or moved range counts the addresses in its span; no other range's count changes. */
static int
res_ip_ranges_after(struct wctx *w, const json_t *obj, struct api_err *err)
{
	if (obj == NULL || (w->old != NULL && json_equal(json_object_get(obj, "start_address"),
	    json_object_get(w->old, "start_address")) && json_equal(json_object_get(obj,
	    "end_address"), json_object_get(w->old, "end_address"))))
		return 0;
	return ipam_recount(w->db, "ip_ranges", w->id, err);
}

static int
res_ip_ranges_decorate(struct db *db, const struct resource *res, sqlite3_stmt *row,
    struct sbuf *out, struct api_err *err)
{
	const char *s = resource_column_text(res, row, "start_address");
	const char *e = resource_column_text(res, row, "end_address");
	struct ipaddr start, end;

	static const char used[] = "SELECT used FROM ip_ranges WHERE id = ?";

	if (s == NULL || e == NULL || ipaddr_parse(s, &start) == -1 || ipaddr_parse(e, &end) == -1)
		return 0;
	return ipam_utilization(db, used, sqlite3_column_int64(row, 0), &start, &end, out, err);
}

const struct resource res_ip_ranges = {
	.name = "ip-ranges",
	.table = "ip_ranges",
	.object = "ip-range",
	.fields = res_ip_ranges_fields,
	.hidden = res_ip_ranges_hidden,
	.derive = res_ip_ranges_derive,
	.after = res_ip_ranges_after,
	.decorate = res_ip_ranges_decorate,
};
