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

static const struct field res_dns_records_fields[] = {
	{ .name = "zone_id", .type = FT_REF, .flags = F_REQUIRED | F_FILTER, .ref = "dns-zones" },
	{ .name = "name", .type = FT_TEXT, .flags = F_REQUIRED | F_FILTER | F_ORDER | F_SEARCH,
	  .max = 253, .rule = CR_DNSOWNER },
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
	size_t i;

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
	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == '"' || v[i] == '\\')
			return api_err_field(err, "value", "must not hold control characters, "
			    "quotes or backslashes");
	return 0;
}

/* A CNAME owns its name alone (RFC 1034 3.6.2), against stored and derived records alike. */
static int
res_dns_records_cname(struct wctx *w, json_t *obj, struct api_err *err)
{
	const char *name = json_string_value(json_object_get(obj, "name"));
	bool cname = strcmp(json_string_value(json_object_get(obj, "type")), "CNAME") == 0;
	json_t *all = NULL, *rec;
	size_t i;
	int rc = 0;

	if (dnszone_records(w->db, json_integer_value(json_object_get(obj, "zone_id")), &all,
	    err) == -1)
		return -1;
	json_array_foreach(all, i, rec) {
		/* The record being replaced does not conflict with itself; derived ones have no id. */
		if (strcasecmp(json_string_value(json_object_get(rec, "name")), name) != 0 ||
		    (json_is_integer(json_object_get(rec, "id")) &&
		    json_integer_value(json_object_get(rec, "id")) == w->id))
			continue;
		if (cname || strcmp(json_string_value(json_object_get(rec, "type")), "CNAME") == 0) {
			api_err_set(err, 409, "a CNAME cannot share its name with other records");
			rc = api_err_field(err, "name", "'%s' already holds a %s record", name,
			    json_string_value(json_object_get(rec, "type")));
			break;
		}
	}
	json_decref(all);
	return rc;
}

static int
res_dns_records_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	if (!dnsname_valid_owner(json_string_value(json_object_get(obj, "name"))))
		return api_err_field(err, "name", "must be @ or RFC 1123 labels, relative to the "
		    "zone");
	if (res_dns_records_value(obj, err) == -1)
		return -1;
	return res_dns_records_cname(w, obj, err);
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
	.after = res_dns_records_after,
};
