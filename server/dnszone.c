#include "dnszone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apierr.h"
#include "clock.h"
#include "db.h"

long long
dnszone_today(void)
{
	time_t now = clock_now();
	struct tm tm;

	gmtime_r(&now, &tm);
	return ((long long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday) *
	    100;
}

int
dnszone_bump(struct db *db, long long zone_id, struct api_err *err)
{
	static const char sql[] = "UPDATE dns_zones SET serial = max(serial + 1, ?2) "
	    "WHERE id = ?1";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "bumping a zone serial");
	sqlite3_bind_int64(st, 1, zone_id);
	sqlite3_bind_int64(st, 2, dnszone_today() + 1);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "bumping a zone serial");
}

int
dnszone_find(struct db *db, const char *fqdn, long long *id, char *name, size_t len,
    struct api_err *err)
{
	/* LIKE is case-insensitive for ASCII, as DNS names are; zone names hold no wildcards.
	 * The longest match is picked here: zones are few, and an ORDER BY would open a sorter
	 * on every address write. */
	static const char sql[] = "SELECT id, name FROM dns_zones WHERE name = ?1 COLLATE NOCASE "
	    "OR ?1 LIKE '%.' || name";
	sqlite3_stmt *st;
	int rc, best = -1, n;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "finding a zone");
	sqlite3_bind_text(st, 1, fqdn, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((n = sqlite3_column_bytes(st, 1)) <= best)
			continue;
		best = n;
		*id = sqlite3_column_int64(st, 0);
		if (name != NULL)
			snprintf(name, len, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return best >= 0 ? 1 : 0;
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "finding a zone");
}

int
dnszone_touch(struct db *db, const char *dns_name, const struct ipaddr *a, struct api_err *err)
{
	char rev[IPADDR_REVERSE_STRLEN];
	long long id = 0;
	int rc;

	if (dns_name == NULL || *dns_name == '\0')
		return 0;
	if ((rc = dnszone_find(db, dns_name, &id, NULL, 0, err)) == -1 ||
	    (rc == 1 && dnszone_bump(db, id, err) == -1))
		return -1;
	if (a == NULL || ipaddr_reverse_name(a, rev, sizeof(rev)) == -1)
		return 0;
	if ((rc = dnszone_find(db, rev, &id, NULL, 0, err)) == -1 ||
	    (rc == 1 && dnszone_bump(db, id, err) == -1))
		return -1;
	return 0;
}

/* The owner name relative to the zone: "@" for the apex. */
static void
dnszone_relative(const char *fqdn, const char *zone, char *out, size_t len)
{
	size_t fl = strlen(fqdn), zl = strlen(zone);

	if (fl == zl)
		snprintf(out, len, "@");
	else
		snprintf(out, len, "%.*s", (int)(fl - zl - 1), fqdn);
}

static bool
dnszone_reverse(const char *zone)
{
	size_t n = strlen(zone);

	return (n >= 12 && strcasecmp(zone + n - 12, "in-addr.arpa") == 0) ||
	    (n >= 8 && strcasecmp(zone + n - 8, "ip6.arpa") == 0);
}

/* Every zone's name, so the zone of each of many names is found without a query each. */
struct dnszone_list {
	size_t n;
	long long *ids;
	char **names;
};

static void
dnszone_list_free(struct dnszone_list *z)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		free(z->names[i]);
	free(z->ids);
	free(z->names);
}

static int
dnszone_list_load(struct db *db, struct dnszone_list *z, struct api_err *err)
{
	static const char sql[] = "SELECT id, name FROM dns_zones ORDER BY id";
	sqlite3_stmt *st;
	size_t cap = 0;
	void *p;
	int rc;

	memset(z, 0, sizeof(*z));
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading zones");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (z->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(z->ids, cap * sizeof(*z->ids))) == NULL)
				break;
			z->ids = p;
			if ((p = realloc(z->names, cap * sizeof(*z->names))) == NULL)
				break;
			z->names = p;
		}
		z->ids[z->n] = sqlite3_column_int64(st, 0);
		if ((z->names[z->n] = strdup((const char *)sqlite3_column_text(st, 1))) == NULL)
			break;
		z->n++;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return api_err_set(err, 500, "out of memory");
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading zones");
}

/* The most specific zone holding fqdn (itself or a parent, any case), as dnszone_find. */
static int
dnszone_match(const struct dnszone_list *z, const char *fqdn)
{
	size_t i, n = strlen(fqdn), len, best_len = 0;
	int best = -1;

	for (i = 0; i < z->n; i++) {
		len = strlen(z->names[i]);
		if (len > n || len <= best_len || strcasecmp(fqdn + n - len, z->names[i]) != 0 ||
		    (len < n && fqdn[n - len - 1] != '.'))
			continue;
		best = (int)i;
		best_len = len;
	}
	return best;
}

/* Appends one record; the strings are copied. */
static int
dnszone_add(struct dnszone_records *rs, size_t *cap, long long id, const char *name,
    const char *type, const char *value, const sqlite3_value *ttl, bool derived)
{
	struct dnszone_record *r;

	if (rs->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((r = realloc(rs->list, *cap * sizeof(*r))) == NULL)
			return -1;
		rs->list = r;
	}
	r = &rs->list[rs->n];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->type = type;
	r->derived = derived;
	if (ttl != NULL && sqlite3_value_type((sqlite3_value *)ttl) != SQLITE_NULL) {
		r->has_ttl = true;
		r->ttl = sqlite3_value_int64((sqlite3_value *)ttl);
	}
	if ((r->name = strdup(name)) == NULL || (r->value = strdup(value)) == NULL) {
		free(r->name);
		return -1;
	}
	rs->n++;
	return 0;
}

/* The record types of the table, as constant strings the records can point to. */
static const char *
dnszone_type(const char *t)
{
	static const char *const types[] = { "A", "AAAA", "CNAME", "TXT", "MX", "SRV", "PTR" };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i], t) == 0)
			return types[i];
	return "TXT";
}

int
dnszone_record_list(struct db *db, long long zone_id, struct dnszone_records *out,
    struct api_err *err)
{
	static const char zone_sql[] = "SELECT name, ttl FROM dns_zones WHERE id = ?";
	static const char stored[] = "SELECT id, name, type, value, ttl FROM dns_records "
	    "WHERE zone_id = ? ORDER BY name, type, id";
	static const char named[] = "SELECT address, dns_name FROM ip_addresses "
	    "WHERE dns_name != '' ORDER BY addr_key";
	char zone[256], rel[512], rev[IPADDR_REVERSE_STRLEN], fqdn[300];
	struct dnszone_list zones;
	const char *addr, *dns;
	struct ipaddr a;
	sqlite3_stmt *st;
	size_t cap = 0;
	bool reverse;
	int rc, zi;

	memset(out, 0, sizeof(*out));
	memset(&zones, 0, sizeof(zones));
	if ((st = db_stmt(db, zone_sql)) == NULL)
		return db_fail(db, err, "reading a zone");
	sqlite3_bind_int64(st, 1, zone_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(zone, sizeof(zone), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? api_err_set(err, 404, "no dns-zone with id %lld",
		    zone_id) : db_fail(db, err, "reading a zone");
	reverse = dnszone_reverse(zone);
	if ((st = db_stmt(db, stored)) == NULL)
		return db_fail(db, err, "reading records");
	sqlite3_bind_int64(st, 1, zone_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (dnszone_add(out, &cap, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    dnszone_type((const char *)sqlite3_column_text(st, 2)),
		    (const char *)sqlite3_column_text(st, 3), sqlite3_column_value(st, 4),
		    false) == -1)
			break;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? api_err_set(err, 500, "out of memory") :
		    db_fail(db, err, "reading records");
	/* Derived: each named address, in this zone when it is the most specific one. */
	if (dnszone_list_load(db, &zones, err) == -1 || (st = db_stmt(db, named)) == NULL) {
		dnszone_list_free(&zones);
		return err->status ? -1 : db_fail(db, err, "reading addresses");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		addr = (const char *)sqlite3_column_text(st, 0);
		dns = (const char *)sqlite3_column_text(st, 1);
		if (ipaddr_parse(addr, &a) == -1)
			continue;
		if (reverse) {
			if (ipaddr_reverse_name(&a, rev, sizeof(rev)) == -1)
				continue;
			snprintf(fqdn, sizeof(fqdn), "%s", rev);
		} else
			snprintf(fqdn, sizeof(fqdn), "%s", dns);
		if ((zi = dnszone_match(&zones, fqdn)) < 0 || zones.ids[zi] != zone_id)
			continue;
		dnszone_relative(fqdn, zones.names[zi], rel, sizeof(rel));
		if (reverse)
			snprintf(fqdn, sizeof(fqdn), "%s.", dns);
		if (dnszone_add(out, &cap, 0, rel, reverse ? "PTR" : a.family == 4 ? "A" : "AAAA",
		    reverse ? fqdn : addr, NULL, true) == -1)
			break;
	}
	sqlite3_reset(st);
	dnszone_list_free(&zones);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? api_err_set(err, 500, "out of memory") :
		    db_fail(db, err, "reading addresses");
	return 0;
}

void
dnszone_record_list_free(struct dnszone_records *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		free(rs->list[i].name);
		free(rs->list[i].value);
	}
	free(rs->list);
	memset(rs, 0, sizeof(*rs));
}

int
dnszone_records(struct db *db, long long zone_id, json_t **out, struct api_err *err)
{
	struct dnszone_records rs;
	struct dnszone_record *r;
	json_t *arr;
	size_t i;

	if (dnszone_record_list(db, zone_id, &rs, err) == -1) {
		dnszone_record_list_free(&rs);
		return -1;
	}
	arr = json_array();
	for (i = 0; i < rs.n; i++) {
		r = &rs.list[i];
		json_array_append_new(arr, json_pack("{s:o, s:s, s:s, s:s, s:o, s:s}",
		    "id", r->derived ? json_null() : json_integer(r->id), "name", r->name,
		    "type", r->type, "value", r->value,
		    "ttl", r->has_ttl ? json_integer(r->ttl) : json_null(),
		    "source", r->derived ? "derived" : "stored"));
	}
	dnszone_record_list_free(&rs);
	*out = arr;
	return 0;
}
