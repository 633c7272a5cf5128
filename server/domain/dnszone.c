#include "dnszone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actor.h"
#include "apierr.h"
#include "clock.h"
#include "db.h"
#include "vec.h"
#include "xmalloc.h"

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

struct dnszone_list;
static int dnszone_match(const struct dnszone_list *z, const char *fqdn);
static const char *dnszone_list_name(const struct dnszone_list *z, int i, long long *id);

/* The zones as they were when a plan import began (dnszone_cache_begin), while it writes the
 * kinds that come before zones in a plan: nothing it does then adds, renames or removes a
 * zone, and each address asks for its zones three times. NULL: ask the database. */
static _Thread_local struct dnszone_list *dnszone_cached;

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
	const char *zone;
	int rc, best = -1, n;

	if (dnszone_cached != NULL) {
		if ((n = dnszone_match(dnszone_cached, fqdn)) < 0)
			return 0;
		zone = dnszone_list_name(dnszone_cached, n, id);
		if (name != NULL)
			snprintf(name, len, "%s", zone);
		return 1;
	}
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
	int rc;

	memset(z, 0, sizeof(*z));
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading zones");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (z->n == cap) {
			size_t c = cap;

			z->ids = vec_grow(z->ids, &c, z->n + 1, sizeof(*z->ids));
			z->names = vec_grow(z->names, &cap, z->n + 1, sizeof(*z->names));
		}
		z->ids[z->n] = sqlite3_column_int64(st, 0);
		z->names[z->n++] = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading zones");
}

static const char *
dnszone_list_name(const struct dnszone_list *z, int i, long long *id)
{
	*id = z->ids[i];
	return z->names[i];
}

int
dnszone_cache_begin(struct db *db, struct api_err *err)
{
	struct dnszone_list *z = xcalloc(1, sizeof(*z));

	dnszone_cache_end();
	if (dnszone_list_load(db, z, err) == -1) {
		dnszone_list_free(z);
		free(z);
		return -1;
	}
	dnszone_cached = z;
	return 0;
}

void
dnszone_cache_end(void)
{
	if (dnszone_cached == NULL)
		return;
	dnszone_list_free(dnszone_cached);
	free(dnszone_cached);
	dnszone_cached = NULL;
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

	rs->list = vec_grow(rs->list, cap, rs->n + 1, sizeof(*rs->list));
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

/* ---- checks at write time: what is accepted renders for BIND and dnsmasq ---- */

bool
dnszone_under(const char *fqdn, const char *zone)
{
	size_t n = strlen(fqdn), z = strlen(zone);

	if (z > n || strcasecmp(fqdn + n - z, zone) != 0)
		return false;
	return z == n || fqdn[n - z - 1] == '.';
}

int
dnszone_fqdn(const char *name, const char *zone, char *buf, size_t len)
{
	size_t n = strlen(name);
	int w;

	if (strcmp(name, "@") == 0)
		w = snprintf(buf, len, "%s", zone);
	else if (n > 0 && name[n - 1] == '.')
		w = snprintf(buf, len, "%.*s", (int)(n - 1), name);
	else
		w = snprintf(buf, len, "%s.%s", name, zone);
	return w < 0 || (size_t)w >= len || w > DNSZONE_NAME_MAX ? -1 : 0;
}

size_t
dnszone_txt_len(const char *v)
{
	size_t n;

	for (n = 0; *v != '\0'; v++)
		n += *v == '"' || *v == '\\' ? 2 : 1;
	return n;
}

/* The target of an MX ("PREF HOST"), SRV ("PRIO WEIGHT PORT HOST"), CNAME or PTR value. */
static const char *
dnszone_target(const char *type, const char *value)
{
	int skip = strcmp(type, "MX") == 0 ? 1 : strcmp(type, "SRV") == 0 ? 3 : 0;
	const char *p = value;

	while (skip-- > 0 && (p = strchr(p, ' ')) != NULL)
		p++;
	return p != NULL ? p : "";
}

static int
dnszone_name_of(struct db *db, long long zone_id, char *buf, size_t len, struct api_err *err)
{
	static const char sql[] = "SELECT name FROM dns_zones WHERE id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading a zone");
	sqlite3_bind_int64(st, 1, zone_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? api_err_field(err, "zone_id", "no dns-zone %lld", zone_id) :
	    db_fail(db, err, "reading a zone");
}

/* The address a reverse name stands for: d.c.b.a.in-addr.arpa or 32 nibbles of ip6.arpa. */
static int
dnszone_reverse_addr(const char *fqdn, struct ipaddr *a)
{
	char text[IPADDR_STRLEN], rev[IPADDR_REVERSE_STRLEN];
	unsigned o[4];
	int n = 0, i;

	if (sscanf(fqdn, "%3u.%3u.%3u.%3u", &o[3], &o[2], &o[1], &o[0]) == 4 && o[0] < 256 &&
	    o[1] < 256 && o[2] < 256 && o[3] < 256) {
		snprintf(text, sizeof(text), "%u.%u.%u.%u", o[0], o[1], o[2], o[3]);
	} else {
		if (strlen(fqdn) != 72)
			return -1;
		for (i = 0; i < 32; i++) {
			text[n++] = fqdn[(31 - i) * 2];
			if (i % 4 == 3 && i < 31)
				text[n++] = ':';
		}
		text[n] = '\0';
	}
	/* Only names that are exactly the reverse of what they parse to. */
	if (ipaddr_parse(text, a) == -1 || ipaddr_reverse_name(a, rev, sizeof(rev)) == -1 ||
	    strcasecmp(rev, fqdn) != 0)
		return -1;
	return 0;
}

/* A stored record at rel in zone, other than skip: type NULL is any, "ADDR" is A or AAAA.
 * 1 with its type and value copied, 0 for none. */
static int
dnszone_stored(struct db *db, long long zone, const char *rel, const char *type,
    long long skip, char *found, char *value, size_t vlen, struct api_err *err)
{
	static const char sql[] = "SELECT type, value FROM dns_records WHERE zone_id = ?1 AND "
	    "name = ?2 COLLATE NOCASE AND id != ?3 AND (?4 IS NULL OR type = ?4 OR (?4 = 'ADDR' "
	    "AND type IN ('A', 'AAAA'))) ORDER BY id LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading records");
	sqlite3_bind_int64(st, 1, zone);
	sqlite3_bind_text(st, 2, rel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, skip);
	if (type != NULL)
		sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (found != NULL)
			snprintf(found, 8, "%s", (const char *)sqlite3_column_text(st, 0));
		if (value != NULL)
			snprintf(value, vlen, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading records");
}

/* Whether an IP address other than skip derives a record at fqdn: its A/AAAA in a forward zone,
 * its PTR in a reverse one. */
static int
dnszone_derived(struct db *db, const char *fqdn, long long skip, struct api_err *err)
{
	static const char by_name[] = "SELECT 1 FROM ip_addresses WHERE dns_name = ?1 "
	    "COLLATE NOCASE AND id != ?2 LIMIT 1";
	static const char by_addr[] = "SELECT 1 FROM ip_addresses WHERE address = ?1 AND "
	    "dns_name != '' AND id != ?2 LIMIT 1";
	char text[IPADDR_STRLEN];
	const char *sql = by_name, *key = fqdn;
	struct ipaddr a;
	sqlite3_stmt *st;
	int rc;

	if (dnszone_reverse(fqdn) && dnszone_reverse_addr(fqdn, &a) == 0) {
		ipaddr_format(&a, text, sizeof(text));
		sql = by_addr;
		key = text;
	}
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading addresses");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, skip);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading addresses");
}

/* Whether the file of zone (id, name) holds an A or AAAA at fqdn, not counting the record
 * skip_record nor the address skip_addr. A name in a more specific zone is in that file. */
static int
dnszone_has_address(struct db *db, long long zone, const char *fqdn, long long skip_record,
    long long skip_addr, struct api_err *err)
{
	char zname[256], rel[256];
	long long zid = 0;
	int rc;

	if ((rc = dnszone_find(db, fqdn, &zid, zname, sizeof(zname), err)) != 1 || zid != zone)
		return rc == -1 ? -1 : 0;
	dnszone_relative(fqdn, zname, rel, sizeof(rel));
	if ((rc = dnszone_stored(db, zone, rel, "ADDR", skip_record, NULL, NULL, 0, err)) != 0)
		return rc;
	return dnszone_derived(db, fqdn, skip_addr, err);
}

/* Follows the CNAMEs from target: 422 on value when they come back to self (a loop) or go on
 * longer than DNSZONE_CHAIN_MAX. The record id is left out: it is being replaced. */
static int
dnszone_chain(struct db *db, long long id, const char *self, const char *target,
    struct api_err *err)
{
	char cur[256], next[256], zname[256], rel[256];
	long long zid = 0;
	int depth, rc;

	snprintf(cur, sizeof(cur), "%s", target);
	for (depth = 1;; depth++) {
		if (strcasecmp(cur, self) == 0)
			return depth == 1 ? api_err_field(err, "value", "a CNAME cannot point to "
			    "itself") : api_err_field(err, "value", "%s leads back to %s: a CNAME "
			    "loop", target, self);
		if ((rc = dnszone_find(db, cur, &zid, zname, sizeof(zname), err)) == -1)
			return -1;
		if (rc == 0)
			return 0;
		dnszone_relative(cur, zname, rel, sizeof(rel));
		if ((rc = dnszone_stored(db, zid, rel, "CNAME", id, NULL, next, sizeof(next),
		    err)) != 1)
			return rc;
		if (depth == DNSZONE_CHAIN_MAX)
			return api_err_field(err, "value", "the chain of CNAMEs from here is "
			    "longer than %d", DNSZONE_CHAIN_MAX);
		if (dnszone_fqdn(next, zname, cur, sizeof(cur)) == -1)
			return 0;
	}
}

/* A CNAME is alone at its name (RFC 1034 3.6.2): against stored and derived records. */
static int
dnszone_alone(struct db *db, long long id, long long zone, const char *rel, const char *fqdn,
    bool cname, struct api_err *err)
{
	char found[8];
	int rc;

	rc = dnszone_stored(db, zone, rel, cname ? NULL : "CNAME", id, found, NULL, 0, err);
	if (rc == 0 && cname) {
		snprintf(found, sizeof(found), "derived");
		rc = dnszone_derived(db, fqdn, 0, err);
	}
	if (rc != 1)
		return rc;
	api_err_set(err, 409, "a CNAME cannot share its name with other records");
	return api_err_field(err, "name", "'%s' already holds %s %s record", rel,
	    strcmp(found, "derived") == 0 ? "an IP address's" : "a", strcmp(found, "derived") == 0
	    ? "A/AAAA/PTR" : found);
}

int
dnszone_check_record(struct db *db, long long id, long long zone_id, const char *name,
    const char *type, const char *value, bool deferred, struct api_err *err)
{
	char zone[256], fqdn[256], target[256], owner[256];
	bool cname = strcmp(type, "CNAME") == 0;
	long long zid = 0;
	int rc;

	if (dnszone_name_of(db, zone_id, zone, sizeof(zone), err) == -1)
		return -1;
	if (dnszone_fqdn(name, zone, fqdn, sizeof(fqdn)) == -1)
		return api_err_field(err, "name", "%s.%s is longer than %d characters", name, zone,
		    DNSZONE_NAME_MAX);
	/* One zone's file holds a name: the most specific zone's. */
	if ((rc = dnszone_find(db, fqdn, &zid, owner, sizeof(owner), err)) == -1)
		return -1;
	if (rc == 1 && zid != zone_id)
		return api_err_field(err, "name", "%s falls in zone %s: store it there", fqdn,
		    owner);
	if (cname && strcmp(name, "@") == 0)
		return api_err_field(err, "name", "a CNAME cannot be at the zone apex, which holds "
		    "the SOA and NS records");
	if (dnszone_alone(db, id, zone_id, name, fqdn, cname, err) == -1)
		return -1;
	if (strcmp(type, "TXT") == 0 && dnszone_txt_len(value) > DNSZONE_TXT_MAX)
		return api_err_field(err, "value", "a TXT value is at most %d bytes (each '\"' and "
		    "'\\' counting twice): dnsmasq reads a line of at most 1,024", DNSZONE_TXT_MAX);
	if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0 || strcmp(type, "TXT") == 0)
		return 0;
	if (dnszone_fqdn(dnszone_target(type, value), zone, target, sizeof(target)) == -1)
		return api_err_field(err, "value", "the target is longer than %d characters",
		    DNSZONE_NAME_MAX);
	if (cname)
		return dnszone_chain(db, id, fqdn, target, err);
	/* named-checkzone -i local: an MX or SRV target inside the zone needs an address. */
	if (deferred || strcmp(type, "PTR") == 0 || !dnszone_under(target, zone))
		return 0;
	if ((rc = dnszone_has_address(db, zone_id, target, 0, 0, err)) != 0)
		return rc == 1 ? 0 : -1;
	return api_err_field(err, "value", "%s is in zone %s but has no A or AAAA record there",
	    target, zone);
}

/* Calls fn for each need of an address: every zone's name server inside it, and every MX and
 * SRV target inside its zone; stops at the first -1. */
struct dnszone_need {
	long long zone;
	char zname[256], target[256], what[300];
};

static int
dnszone_needs(struct db *db, int (*fn)(struct db *, const struct dnszone_need *, void *,
    struct api_err *), void *arg, struct api_err *err)
{
	static const char zones[] = "SELECT id, name, soa_mname FROM dns_zones ORDER BY id";
	static const char recs[] = "SELECT r.zone_id, z.name, r.name, r.type, r.value FROM "
	    "dns_records r JOIN dns_zones z ON z.id = r.zone_id WHERE r.type IN ('MX', 'SRV') "
	    "ORDER BY r.id";
	struct dnszone_need n;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, pass, out = 0;

	for (pass = 0; pass < 2 && out == 0; pass++) {
		if ((st = db_stmt(db, pass == 0 ? zones : recs)) == NULL)
			return db_fail(db, err, "reading zones");
		while (out == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			n.zone = sqlite3_column_int64(st, 0);
			snprintf(n.zname, sizeof(n.zname), "%s", sqlite3_column_text(st, 1));
			if (dnszone_fqdn(pass == 0 ? (const char *)sqlite3_column_text(st, 2) :
			    dnszone_target((const char *)sqlite3_column_text(st, 3),
			    (const char *)sqlite3_column_text(st, 4)), n.zname, n.target,
			    sizeof(n.target)) == -1 || !dnszone_under(n.target, n.zname))
				continue;
			if (pass == 0)
				snprintf(n.what, sizeof(n.what), "the name server of zone %s",
				    n.zname);
			else
				snprintf(n.what, sizeof(n.what), "the %s target of %s in zone %s",
				    sqlite3_column_text(st, 3), sqlite3_column_text(st, 2),
				    n.zname);
			out = fn(db, &n, arg, err);
		}
		if (out == 0 && rc != SQLITE_DONE)
			out = db_fail(db, err, "reading zones");
		sqlite3_reset(st);
	}
	return out;
}

struct dnszone_release {
	const char *fqdn, *field;
	long long skip_record, skip_addr;
};

static int
dnszone_release_one(struct db *db, const struct dnszone_need *n, void *arg,
    struct api_err *err)
{
	const struct dnszone_release *r = arg;
	int rc;

	if (strcasecmp(n->target, r->fqdn) != 0)
		return 0;
	if ((rc = dnszone_has_address(db, n->zone, n->target, r->skip_record, r->skip_addr,
	    err)) != 0)
		return rc == 1 ? 0 : -1;
	api_err_set(err, 409, "%s needs an address", n->target);
	return api_err_field(err, r->field, "%s is %s: it would have no A or AAAA record left",
	    n->target, n->what);
}

int
dnszone_check_release(struct db *db, const char *fqdn, long long skip_record,
    long long skip_addr, const char *field, struct api_err *err)
{
	struct dnszone_release r = { fqdn, field, skip_record, skip_addr };

	if (fqdn == NULL || *fqdn == '\0')
		return 0;
	return dnszone_needs(db, dnszone_release_one, &r, err);
}

static int
dnszone_verify_one(struct db *db, const struct dnszone_need *n, void *arg,
    struct api_err *err)
{
	int rc;

	(void)arg;
	if ((rc = dnszone_has_address(db, n->zone, n->target, 0, 0, err)) != 0)
		return rc == 1 ? 0 : -1;
	api_err_set(err, 422, "%s has no address", n->target);
	return api_err_field(err, "dns-zones", "%s is %s but has no A or AAAA record there",
	    n->target, n->what);
}

int
dnszone_verify_all(struct db *db, struct api_err *err)
{
	return dnszone_needs(db, dnszone_verify_one, NULL, err);
}

/* A new zone name takes the names below it from the zones above it: refused when a stored
 * record or an address a zone above needs would move. */
struct dnszone_newname {
	long long id;
	const char *name;
};

static int
dnszone_capture_one(struct db *db, const struct dnszone_need *n, void *arg,
    struct api_err *err)
{
	const struct dnszone_newname *z = arg;
	const char *name = z->name;

	(void)db;
	if (n->zone == z->id || !dnszone_under(n->target, name) || dnszone_under(n->zname, name))
		return 0;
	api_err_set(err, 409, "zone %s would take %s from zone %s", name, n->target, n->zname);
	return api_err_field(err, "name", "%s is %s, whose file must hold its address",
	    n->target, n->what);
}

static int
dnszone_capture(struct db *db, long long id, const char *name, struct api_err *err)
{
	static const char sql[] = "SELECT r.name, z.name FROM dns_records r JOIN dns_zones z ON "
	    "z.id = r.zone_id WHERE z.id != ?2 AND ?1 LIKE '%.' || z.name";
	struct dnszone_newname z = { id, name };
	char fqdn[256];
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading records");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (dnszone_fqdn((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1), fqdn, sizeof(fqdn)) == 0 &&
		    dnszone_under(fqdn, name))
			break;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		api_err_set(err, 409, "zone %s would take records of another zone", name);
		return api_err_field(err, "name", "%s is stored in a zone above: move it first",
		    fqdn);
	}
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading records");
	return dnszone_needs(db, dnszone_capture_one, &z, err);
}

int
dnszone_check_zone(struct db *db, long long id, const char *name, const char *mname,
    bool renamed, bool deferred, struct api_err *err)
{
	static const char held[] = "SELECT count(*) FROM dns_records WHERE zone_id = ?";
	char ns[256], inner[256];
	long long zid = 0;
	sqlite3_stmt *st;
	int rc;

	if (renamed && id > 0) {
		/* Every record's full name, target and CNAME chain hangs on the zone's name. */
		if ((st = db_stmt(db, held)) == NULL)
			return db_fail(db, err, "reading records");
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
		sqlite3_reset(st);
		if (rc != 0) {
			if (rc == -1)
				return db_fail(db, err, "reading records");
			api_err_set(err, 409, "a zone holding records keeps its name");
			return api_err_field(err, "name", "zone %lld holds %d stored records", id,
			    rc);
		}
	}
	if (renamed && dnszone_capture(db, id, name, err) == -1)
		return -1;
	if (dnszone_fqdn(mname, name, ns, sizeof(ns)) == -1)
		return api_err_field(err, "soa_mname", "is longer than %d characters",
		    DNSZONE_NAME_MAX);
	if (deferred || !dnszone_under(ns, name))
		return 0;
	/* The name server is inside: its address must be in this zone's file. */
	if ((rc = dnszone_find(db, ns, &zid, inner, sizeof(inner), err)) == -1)
		return -1;
	if (rc == 1 && zid != id && strlen(inner) > strlen(name))
		return api_err_field(err, "soa_mname", "%s falls in zone %s, so this zone's file "
		    "cannot hold its address", ns, inner);
	/* A new or renamed zone holds no stored records yet: only addresses can serve. */
	if ((!renamed && (rc = dnszone_has_address(db, id, ns, 0, 0, err)) != 0) ||
	    (renamed && (rc = dnszone_derived(db, ns, 0, err)) != 0))
		return rc == 1 ? 0 : -1;
	return api_err_field(err, "soa_mname", "%s is inside the zone but has no address: give "
	    "an IP address that dns_name first, or name a server outside the zone", ns);
}

int
dnszone_check_address_name(struct db *db, const char *dns_name, struct api_err *err)
{
	char zname[256], rel[256];
	long long zid = 0;
	int rc;

	if (dns_name == NULL || *dns_name == '\0')
		return 0;
	if ((rc = dnszone_find(db, dns_name, &zid, zname, sizeof(zname), err)) != 1)
		return rc;
	dnszone_relative(dns_name, zname, rel, sizeof(rel));
	if ((rc = dnszone_stored(db, zid, rel, "CNAME", 0, NULL, NULL, 0, err)) != 1)
		return rc;
	api_err_set(err, 409, "a CNAME owns %s", dns_name);
	return api_err_field(err, "dns_name", "%s is a CNAME in zone %s: a CNAME is alone at its "
	    "name", dns_name, zname);
}

bool
dnszone_deferred(const struct actor *a)
{
	return a == NULL || a->plan;
}
