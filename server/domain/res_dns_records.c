#include "res.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apierr.h"
#include "db.h"
#include "dnsname.h"
#include "dnszone.h"
#include "ipaddr.h"

static const char *const res_dns_records_types[] = { "A", "AAAA", "CNAME", "TXT", "MX", "SRV",
	"PTR", NULL };

/* A zone holds each record once. */
static const char *const res_dns_records_unique[] = { "zone_id", "type", "value", NULL };

static const struct field res_dns_records_fields[] = {
	{ .name = "zone_id", .type = FT_REF, .flags = F_REQUIRED | F_FILTER, .ref = "dns-zones" },
	{ .name = "name", .type = FT_TEXT,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, .max = 253,
	  .rule = CR_DNSOWNER, .unique_with = res_dns_records_unique },
	{ .name = "type", .type = FT_ENUM, .flags = F_REQUIRED | F_FILTER | F_ORDER,
	  .values = res_dns_records_types },
	{ .name = "value", .type = FT_TEXT, .flags = F_REQUIRED | F_FILTER | F_SEARCH,
	  .max = 1024 },
	{ .name = "ttl", .type = FT_INT, .flags = F_NULL, .max = 2147483647, .def = "null" },
	{ .name = "description", .type = FT_TEXT, .flags = F_SEARCH, .def = "\"\"" },
	{ .name = NULL },
};

/* "N target" (MX) or "N N N target" (SRV), numbers within 0..65535. */
static bool
res_dns_records_numbers(const char *s, int count)
{
	char *end;
	long v;
	int i;

	for (i = 0; i < count; i++) {
		v = strtol(s, &end, 10);
		if (end == s || *end != ' ' || v < 0 || v > 65535)
			return false;
		s = end + 1;
	}
	return dnsname_valid_target(s);
}

static int
res_dns_records_value(json_t *obj, struct api_err *err)
{
	const char *type = json_string_value(json_object_get(obj, "type"));
	const char *v = json_string_value(json_object_get(obj, "value"));
	char buf[IPADDR_STRLEN];
	struct ipaddr a;

	if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0) {
		if (ipaddr_parse(v, &a) == -1 || a.family != (type[1] == '\0' ? 4 : 6))
			return api_err_field(err, "value", "an %s record holds an IPv%d address",
			    type, type[1] == '\0' ? 4 : 6);
		ipaddr_format(&a, buf, sizeof(buf));
		json_object_set_new(obj, "value", json_string(buf));
		return 0;
	}
	if ((strcmp(type, "CNAME") == 0 || strcmp(type, "PTR") == 0) &&
	    !dnsname_valid_target(v))
		return api_err_field(err, "value", "must be a host name");
	if (strcmp(type, "MX") == 0 && !res_dns_records_numbers(v, 1))
		return api_err_field(err, "value", "must be \"PREFERENCE HOST\"");
	if (strcmp(type, "SRV") == 0 && !res_dns_records_numbers(v, 3))
		return api_err_field(err, "value", "must be \"PRIORITY WEIGHT PORT HOST\"");
	/* TXT may hold any text: renders quote and escape it for each syntax. */
	return 0;
}

/* The full name an A or AAAA record gives an address to: 1 with it in buf (256 bytes), 0 for
 * other types. */
static int
res_dns_records_address(struct db *db, const json_t *rec, char *buf, struct api_err *err)
{
	static const char sql[] = "SELECT name FROM dns_zones WHERE id = ?";
	const char *type = json_string_value(json_object_get(rec, "type"));
	char zone[256];
	sqlite3_stmt *st;
	int rc;

	*buf = '\0';
	if (strcmp(type, "A") != 0 && strcmp(type, "AAAA") != 0)
		return 0;
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading a zone");
	sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(rec, "zone_id")));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(zone, sizeof(zone), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading a zone");
	return dnszone_fqdn(json_string_value(json_object_get(rec, "name")), zone, buf, 256) == 0;
}

static int
res_dns_records_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	const char *name = json_string_value(json_object_get(obj, "name"));
	const char *type = json_string_value(json_object_get(obj, "type"));
	long long zone = json_integer_value(json_object_get(obj, "zone_id"));
	char was[256], now[256];

	if (res_dns_records_value(obj, err) == -1 ||
	    dnszone_check_record(w->db, w->id, zone, name, type,
	    json_string_value(json_object_get(obj, "value")), dnszone_deferred(w->a), err) == -1)
		return -1;
	if (w->old == NULL || res_dns_records_address(w->db, w->old, was, err) != 1)
		return err->status != 0 ? -1 : 0;
	/* An address record that moves away may leave a name server or target without one. */
	if (res_dns_records_address(w->db, obj, now, err) == -1)
		return -1;
	if (strcasecmp(was, now) == 0)
		return 0;
	return dnszone_check_release(w->db, was, w->id, 0, "name", err);
}

static int
res_dns_records_before_delete(struct wctx *w, struct api_err *err)
{
	char was[256];
	int rc;

	if ((rc = res_dns_records_address(w->db, w->old, was, err)) != 1)
		return rc;
	return dnszone_check_release(w->db, was, w->id, 0, "name", err);
}

/* Any change to a record is a change to its zone (and to the old zone when it moved). */
static int
res_dns_records_after(struct wctx *w, const json_t *obj, struct api_err *err)
{
	long long now = obj ? json_integer_value(json_object_get(obj, "zone_id")) : 0;
	long long was = w->old ? json_integer_value(json_object_get(w->old, "zone_id")) : 0;

	if (now > 0 && dnszone_bump(w->db, now, err) == -1)
		return -1;
	if (was > 0 && was != now && dnszone_bump(w->db, was, err) == -1)
		return -1;
	return 0;
}

const struct resource res_dns_records = {
	.name = "dns-records",
	.table = "dns_records",
	.object = "dns-record",
	.fields = res_dns_records_fields,
	.validate = res_dns_records_validate,
	.before_delete = res_dns_records_before_delete,
	.after = res_dns_records_after,
};
