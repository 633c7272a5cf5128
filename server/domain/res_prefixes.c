#include "res.h"

#include <string.h>

#include "apierr.h"
#include "db.h"
#include "ipam.h"

static const char *const res_prefixes_status[] = { "active", "reserved", "deprecated",
	"container", NULL };

static const struct field res_prefixes_fields[] = {
	{ .name = "prefix", .type = FT_CIDR,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH,
	  .sort = "first_key, prefix_len" },
	{ .name = "vlan_id", .type = FT_REF, .flags = F_NULL | F_FILTER, .ref = "vlans",
	  .def = "null" },
	{ .name = "gateway", .type = FT_ADDR, .flags = F_NULL | F_FILTER, .def = "null" },
	{ .name = "role", .type = FT_TEXT, .flags = F_FILTER | F_SEARCH | F_ORDER, .max = 64,
	  .def = "\"\"", .rule = CR_NAME },
	{ .name = "status", .type = FT_ENUM, .flags = F_FILTER | F_ORDER,
	  .values = res_prefixes_status, .def = "\"active\"" },
	{ .name = "dhcp", .type = FT_BOOL, .flags = F_FILTER, .def = "false" },
	{ .name = "description", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = "parent_id", .type = FT_REF, .flags = F_READONLY | F_NULL | F_FILTER,
	  .ref = "prefixes" },
	{ .name = NULL },
};

static const char *const res_prefixes_hidden[] = { "first_key", "last_key", "prefix_len",
	NULL };

static void
res_prefixes_net(const json_t *obj, struct ipnet *n)
{
	/* Already checked by the driver (FT_CIDR), so this cannot fail here. */
	if (ipnet_parse(json_string_value(json_object_get(obj, "prefix")), n) == -1)
		memset(n, 0, sizeof(*n));
}

static void
res_prefixes_keys(const struct ipnet *n, unsigned char first[IPADDR_KEYLEN],
    unsigned char last[IPADDR_KEYLEN])
{
	struct ipaddr a;

	ipnet_first(n, &a);
	ipaddr_to_key(&a, first);
	ipnet_last(n, &a);
	ipaddr_to_key(&a, last);
}

static int
res_prefixes_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	const json_t *gw = json_object_get(obj, "gateway");
	struct ipaddr a;
	struct ipnet n;

	(void)w;
	res_prefixes_net(obj, &n);
	if (json_is_string(gw) && (ipaddr_parse(json_string_value(gw), &a) == -1 ||
	    !ipnet_contains(&n, &a)))
		return api_err_field(err, "gateway", "must be an address inside the prefix");
	return 0;
}

static int
res_prefixes_derive(struct wctx *w, json_t *obj, struct api_err *err)
{
	struct ipnet n;
	long long parent;
	int rc;

	res_prefixes_net(obj, &n);
	w->nhidden = 3;
	w->hidden[0].type = w->hidden[1].type = HV_BLOB;
	w->hidden[0].len = w->hidden[1].len = IPADDR_KEYLEN;
	res_prefixes_keys(&n, w->hidden[0].blob, w->hidden[1].blob);
	w->hidden[2].type = HV_INT;
	w->hidden[2].i = n.len;
	rc = ipam_containing(w->db, w->hidden[0].blob, w->hidden[1].blob, n.len, w->id, &parent,
	    err);
	if (rc == -1)
		return -1;
	json_object_set_new(obj, "parent_id", rc ? json_integer(parent) : json_null());
	return 0;
}

/* A new, moved or removed prefix changes the parents and prefixes of what lies inside it, and
 * a new or moved one counts the addresses in its span. No other prefix's count changes: the
 * addresses in a span stay the same whichever prefix is the most specific one holding them. */
static int
res_prefixes_after(struct wctx *w, const json_t *obj, struct api_err *err)
{
	unsigned char first[IPADDR_KEYLEN], last[IPADDR_KEYLEN];
	bool moved = w->old == NULL || obj == NULL || strcmp(json_string_value(
	    json_object_get(obj, "prefix")), json_string_value(json_object_get(w->old,
	    "prefix"))) != 0;
	struct ipnet n;

	if (w->old != NULL && moved) {
		res_prefixes_net(w->old, &n);
		res_prefixes_keys(&n, first, last);
		if (ipam_rederive(w->db, first, last, err) == -1)
			return -1;
	}
	if (obj == NULL)
		return 0;
	res_prefixes_net(obj, &n);
	res_prefixes_keys(&n, first, last);
	if (ipam_rederive(w->db, first, last, err) == -1)
		return -1;
	return moved ? ipam_recount(w->db, "prefixes", w->id, err) : 0;
}

/* Children move up to this prefix's parent before it goes; without a parent, addresses and
 * ranges that live directly in it would be left in no prefix, so the delete is refused. */
static int
res_prefixes_before_delete(struct wctx *w, struct api_err *err)
{
	static const char inside[] = "SELECT (SELECT count(*) FROM ip_addresses WHERE "
	    "prefix_id = ?1), (SELECT count(*) FROM ip_ranges WHERE prefix_id = ?1)";
	static const char lift[] = "UPDATE prefixes SET parent_id = ?2 WHERE parent_id = ?1";
	static const char lift_addr[] = "UPDATE ip_addresses SET prefix_id = ?2 WHERE "
	    "prefix_id = ?1";
	static const char lift_range[] = "UPDATE ip_ranges SET prefix_id = ?2 WHERE "
	    "prefix_id = ?1";
	const char *const lifts[] = { lift, lift_addr, lift_range };
	const json_t *parent = json_object_get(w->old, "parent_id");
	long long naddr = 0, nrange = 0;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (json_is_null(parent)) {
		if ((st = db_stmt(w->db, inside)) == NULL)
			return db_fail(w->db, err, "checking a prefix");
		sqlite3_bind_int64(st, 1, w->id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			naddr = sqlite3_column_int64(st, 0);
			nrange = sqlite3_column_int64(st, 1);
		}
		sqlite3_reset(st);
		if (naddr > 0 || nrange > 0) {
			api_err_set(err, 409, "the prefix still holds %lld IP addresses and %lld IP "
			    "ranges that no other prefix contains", naddr, nrange);
			if (naddr > 0)
				api_err_field(err, "ip-addresses", "%lld would be left in no prefix",
				    naddr);
			if (nrange > 0)
				api_err_field(err, "ip-ranges", "%lld would be left in no prefix",
				    nrange);
			return -1;
		}
	}
	for (i = 0; i < sizeof(lifts) / sizeof(lifts[0]); i++) {
		if ((st = db_stmt(w->db, lifts[i])) == NULL)
			return db_fail(w->db, err, "deleting a prefix");
		sqlite3_bind_int64(st, 1, w->id);
		if (json_is_integer(parent))
			sqlite3_bind_int64(st, 2, json_integer_value(parent));
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return db_fail(w->db, err, "deleting a prefix");
	}
	return 0;
}

static int
res_prefixes_decorate(struct db *db, const struct resource *res, sqlite3_stmt *row,
    struct sbuf *out, struct api_err *err)
{
	const char *text = resource_column_text(res, row, "prefix");
	struct ipaddr lo, hi;
	struct ipnet n;

	static const char used[] = "SELECT used FROM prefixes WHERE id = ?";

	if (text == NULL || ipnet_parse(text, &n) == -1 || ipam_usable(&n, &lo, &hi) == -1)
		return 0;
	return ipam_utilization(db, used, sqlite3_column_int64(row, 0), &lo, &hi, out, err);
}

/* ?contains=ADDR: the prefixes holding that address. */
static int
res_prefixes_contains(struct sbuf *where, json_t *binds, const char *const *values, int n,
    struct api_err *err)
{
	unsigned char key[IPADDR_KEYLEN];
	struct ipaddr a;

	(void)n;
	if (ipaddr_parse(values[0], &a) == -1)
		return api_err_field(err, "contains", "is not an IP address");
	ipaddr_to_key(&a, key);
	sbuf_puts(where, " AND (first_key <= ? AND last_key >= ?)");
	json_array_append_new(binds, resource_blob(key, sizeof(key)));
	json_array_append_new(binds, resource_blob(key, sizeof(key)));
	return 0;
}

/* ?vlan=VID: the prefixes of the VLANs with those numbers. */
static int
res_prefixes_vid(struct sbuf *where, json_t *binds, const char *const *values, int n,
    struct api_err *err)
{
	return resource_filter_vid(where, binds, values, n, "vlan_id IN ({vlans})", err);
}

static const struct rfilter res_prefixes_filters[] = {
	{ .name = "contains", .fn = res_prefixes_contains },
	{ .name = "vlan", .fn = res_prefixes_vid },
	{ .name = NULL },
};

const struct resource res_prefixes = {
	.name = "prefixes",
	.table = "prefixes",
	.object = "prefix",
	.fields = res_prefixes_fields,
	.hidden = res_prefixes_hidden,
	.filters = res_prefixes_filters,
	.validate = res_prefixes_validate,
	.derive = res_prefixes_derive,
	.after = res_prefixes_after,
	.before_delete = res_prefixes_before_delete,
	.decorate = res_prefixes_decorate,
};
