/* The plan's validation report: a table of checks, each finding mistakes a plan like the seed
 * document can hold. Most are single SQL queries; firewall shadowing and service clashes need
 * set logic and run in C over data loaded once. */
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "ipaddr.h"
#include "portspec.h"
#include "settings.h"

struct vctx {
	struct db *db;
	json_t *findings;
	const struct validate_check *check;
	int errors, warnings;
};

/* Adds a finding; objects come as (type, id) pairs ended by NULL. */
static void
validate_add(struct vctx *v, const char *message, ...) __attribute__((sentinel));

static void
validate_add(struct vctx *v, const char *message, ...)
{
	json_t *objs = json_array();
	const char *type;
	va_list ap;

	va_start(ap, message);
	while ((type = va_arg(ap, const char *)) != NULL)
		json_array_append_new(objs, json_pack("{s:s, s:I}", "type", type, "id",
		    (json_int_t)va_arg(ap, long long)));
	va_end(ap);
	json_array_append_new(v->findings, json_pack("{s:s, s:s, s:s, s:o}", "severity",
	    v->check->severity, "code", v->check->code, "message", message, "objects", objs));
	if (strcmp(v->check->severity, "error") == 0)
		v->errors++;
	else
		v->warnings++;
}

/* The message template with its first and second "%s" replaced by a and b. */
static void
validate_fill(char *out, size_t len, const char *tmpl, const char *a, const char *b)
{
	const char *p = strstr(tmpl, "%s"), *q = p ? strstr(p + 2, "%s") : NULL;

	if (p == NULL)
		snprintf(out, len, "%s", tmpl);
	else if (q == NULL)
		snprintf(out, len, "%.*s%s%s", (int)(p - tmpl), tmpl, a, p + 2);
	else
		snprintf(out, len, "%.*s%s%.*s%s%s", (int)(p - tmpl), tmpl, a, (int)(q - p - 2),
		    p + 2, b, q + 2);
}

/* Runs a query whose rows are (id, text[, id2[, text2]]) and turns each into a finding. */
static int
validate_rows(struct vctx *v, const char *sql, const char *type, const char *type2,
    const char *fmt, struct api_err *err)
{
	sqlite3_stmt *st;
	char msg[512];
	int rc;

	if ((st = db_stmt(v->db, sql)) == NULL)
		return db_fail(v->db, err, "validating");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		validate_fill(msg, sizeof(msg), fmt, (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_count(st) > 3 ? (const char *)sqlite3_column_text(st, 3) : "");
		if (type2 != NULL)
			validate_add(v, msg, type, (long long)sqlite3_column_int64(st, 0), type2,
			    (long long)sqlite3_column_int64(st, 2), (const char *)NULL);
		else
			validate_add(v, msg, type, (long long)sqlite3_column_int64(st, 0),
			    (const char *)NULL);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(v->db, err, "validating");
}

static int
validate_address_outside(struct vctx *v, struct api_err *err)
{
	static const char sql[] = "SELECT a.id, a.address FROM ip_addresses a LEFT JOIN prefixes p "
	    "ON p.id = a.prefix_id WHERE p.id IS NULL OR a.addr_key < p.first_key OR "
	    "a.addr_key > p.last_key ORDER BY a.id";

	return validate_rows(v, sql, "ip-address", NULL, "address %s lies outside its prefix", err);
}

static int
validate_prefix_overlap(struct vctx *v, struct api_err *err)
{
	/* CIDRs nest or are apart; what overlaps without nesting, or repeats, came in by hand. */
	static const char sql[] = "SELECT a.id, a.prefix, b.id, b.prefix FROM prefixes a JOIN "
	    "prefixes b ON a.id < b.id AND a.first_key <= b.last_key AND b.first_key <= a.last_key "
	    "WHERE (a.first_key = b.first_key AND a.last_key = b.last_key) OR NOT "
	    "((a.first_key <= b.first_key AND a.last_key >= b.last_key) OR "
	    "(b.first_key <= a.first_key AND b.last_key >= a.last_key)) ORDER BY a.id, b.id";

	return validate_rows(v, sql, "prefix", "prefix",
	    "prefixes %s and %s are duplicates or overlap without nesting", err);
}

static int
validate_range_overlap(struct vctx *v, struct api_err *err)
{
	static const char sql[] = "SELECT a.id, a.start_address || '-' || a.end_address, b.id, "
	    "b.start_address || '-' || b.end_address FROM ip_ranges a JOIN ip_ranges b "
	    "ON a.id < b.id AND a.start_key <= b.end_key AND b.start_key <= a.end_key "
	    "ORDER BY a.id, b.id";

	return validate_rows(v, sql, "ip-range", "ip-range", "IP ranges %s and %s overlap", err);
}

static int
validate_gateway_outside(struct vctx *v, struct api_err *err)
{
	static const char sql[] = "SELECT id, prefix, gateway FROM prefixes "
	    "WHERE gateway IS NOT NULL ORDER BY id";
	sqlite3_stmt *st;
	struct ipaddr gw;
	struct ipnet n;
	char msg[256];
	int rc;

	if ((st = db_stmt(v->db, sql)) == NULL)
		return db_fail(v->db, err, "validating");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (ipnet_parse((const char *)sqlite3_column_text(st, 1), &n) == 0 &&
		    ipaddr_parse((const char *)sqlite3_column_text(st, 2), &gw) == 0 &&
		    ipnet_contains(&n, &gw))
			continue;
		snprintf(msg, sizeof(msg), "the gateway %s of %s lies outside it",
		    (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 1));
		validate_add(v, msg, "prefix", (long long)sqlite3_column_int64(st, 0),
		    (const char *)NULL);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(v->db, err, "validating");
}

static int
validate_gateway_unallocated(struct vctx *v, struct api_err *err)
{
	static const char sql[] = "SELECT p.id, p.gateway || ' of ' || p.prefix FROM prefixes p "
	    "WHERE p.gateway IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ip_addresses a "
	    "WHERE a.address = p.gateway) ORDER BY p.id";

	return validate_rows(v, sql, "prefix", NULL, "the gateway %s is not an allocated address",
	    err);
}

static int
validate_vlan_without_prefix(struct vctx *v, struct api_err *err)
{
	static const char sql[] = "SELECT v.id, v.vid || ' (' || v.name || ')' FROM vlans v "
	    "WHERE NOT EXISTS (SELECT 1 FROM prefixes p WHERE p.vlan_id = v.id) ORDER BY v.vid";

	return validate_rows(v, sql, "vlan", NULL, "VLAN %s has no prefix", err);
}

static int
validate_port_vlan(struct vctx *v, struct api_err *err)
{
	static const char sql[] = "SELECT p.id, p.name, x.vlan_id, CAST(vl.vid AS TEXT) FROM "
	    "(SELECT id AS port_id, untagged_vlan_id AS vlan_id FROM ports WHERE untagged_vlan_id "
	    "IS NOT NULL UNION SELECT port_id, vlan_id FROM port_tagged_vlans) x "
	    "JOIN ports p ON p.id = x.port_id JOIN vlans vl ON vl.id = x.vlan_id "
	    "WHERE NOT EXISTS (SELECT 1 FROM prefixes pr WHERE pr.vlan_id = x.vlan_id) "
	    "ORDER BY p.id, vl.vid";

	return validate_rows(v, sql, "port", "vlan", "port %s carries VLAN %s, which has no prefix",
	    err);
}

static int
validate_wan_link_port(struct vctx *v, struct api_err *err)
{
	static const char sql[] = "SELECT w.id, w.name, p.id, p.name || ' (' || p.mode || ')' "
	    "FROM wan_links w JOIN ports p ON p.id = w.port_id WHERE p.mode != 'wan' ORDER BY w.id";

	return validate_rows(v, sql, "wan-link", "port",
	    "WAN link %s rides port %s, which is not in wan mode", err);
}

static int
validate_dns_unallocated(struct vctx *v, struct api_err *err)
{
	static const char sql[] = "SELECT r.id, CASE r.name WHEN '@' THEN z.name ELSE r.name || "
	    "'.' || z.name END || ' -> ' || r.value FROM dns_records r JOIN dns_zones z ON "
	    "z.id = r.zone_id WHERE r.type IN ('A', 'AAAA') AND NOT EXISTS (SELECT 1 FROM "
	    "ip_addresses a WHERE a.address = r.value) ORDER BY r.id";

	return validate_rows(v, sql, "dns-record", NULL,
	    "%s points to an address that is not allocated", err);
}

static int
validate_dns_conflict(struct vctx *v, struct api_err *err)
{
	/* One name, two addresses: among addresses themselves, and a stored record against the
	 * address that carries the name. */
	static const char twice[] = "SELECT min(id), lower(dns_name), max(id) FROM ip_addresses "
	    "WHERE dns_name != '' GROUP BY lower(dns_name) HAVING count(DISTINCT address) > 1 "
	    "ORDER BY 2";
	static const char records[] = "SELECT r.id, a.dns_name, a.id FROM dns_records r "
	    "JOIN dns_zones z ON z.id = r.zone_id JOIN ip_addresses a ON lower(a.dns_name) = "
	    "lower(CASE r.name WHEN '@' THEN z.name ELSE r.name || '.' || z.name END) "
	    "WHERE r.type IN ('A', 'AAAA') AND r.value != a.address ORDER BY r.id";

	if (validate_rows(v, twice, "ip-address", "ip-address",
	    "%s is the name of more than one address", err) == -1)
		return -1;
	return validate_rows(v, records, "dns-record", "ip-address",
	    "%s has a record with another address than the address that carries the name", err);
}

/* ---- services: clashes and reachability ---- */

struct vsvc {
	long long id, host;
	char proto[4];
	struct portspec ps;
	char name[80];
};

static int
validate_load_services(struct vctx *v, struct vsvc **out, size_t *n, struct api_err *err)
{
	static const char sql[] = "SELECT id, host_id, protocol, ports, name FROM services "
	    "ORDER BY host_id, protocol, id";
	sqlite3_stmt *st;
	struct vsvc *s = NULL, *grown;
	size_t cap = 0;
	const char *why;
	int rc;

	*n = 0;
	if ((st = db_stmt(v->db, sql)) == NULL)
		return db_fail(v->db, err, "validating");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(s, cap * sizeof(*s))) == NULL)
				break;
			s = grown;
		}
		s[*n].id = sqlite3_column_int64(st, 0);
		s[*n].host = sqlite3_column_int64(st, 1);
		snprintf(s[*n].proto, sizeof(s[*n].proto), "%s", sqlite3_column_text(st, 2));
		snprintf(s[*n].name, sizeof(s[*n].name), "%s", sqlite3_column_text(st, 4));
		if (portspec_parse((const char *)sqlite3_column_text(st, 3), false, &s[*n].ps,
		    &why) == 0)
			(*n)++;
	}
	sqlite3_reset(st);
	*out = s;
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? api_err_set(err, 500, "out of memory") :
		    db_fail(v->db, err, "validating");
	return 0;
}

static int
validate_service_clash(struct vctx *v, struct api_err *err)
{
	struct vsvc *s;
	char msg[256];
	size_t n, i, j;

	if (validate_load_services(v, &s, &n, err) == -1) {
		free(s);
		return -1;
	}
	/* Sorted by host and protocol: only neighbours in a run can clash. */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && s[j].host == s[i].host &&
		    strcmp(s[j].proto, s[i].proto) == 0; j++) {
			if (!portspec_overlaps(&s[i].ps, &s[j].ps))
				continue;
			snprintf(msg, sizeof(msg), "services %s and %s of one host share %s ports",
			    s[i].name, s[j].name, s[i].proto);
			validate_add(v, msg, "service", s[i].id, "service", s[j].id,
			    (const char *)NULL);
		}
	free(s);
	return 0;
}

static int
validate_service_unreachable(struct vctx *v, struct api_err *err)
{
	static const char sql[] = "SELECT protocol, dst_ports FROM firewall_rules WHERE "
	    "scope = 'input' AND enabled = 1 AND action = 'accept' AND dst_host_id = ?";
	struct portspec ps;
	struct vsvc *s = NULL;
	sqlite3_stmt *st;
	json_t *settings = NULL;
	const char *why, *proto;
	char msg[256];
	size_t n, i;
	int rc = -1, open_;

	/* With an accepting input default, nothing needs a rule. */
	if (settings_load(v->db, &settings, err) == -1)
		return -1;
	if (strcmp(json_string_value(json_object_get(settings, "input_default_action")),
	    "accept") == 0) {
		rc = 0;
		goto out;
	}
	if (validate_load_services(v, &s, &n, err) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if ((st = db_stmt(v->db, sql)) == NULL) {
			db_fail(v->db, err, "validating");
			goto out;
		}
		sqlite3_bind_int64(st, 1, s[i].host);
		for (open_ = 0; !open_ && sqlite3_step(st) == SQLITE_ROW;) {
			proto = (const char *)sqlite3_column_text(st, 0);
			if (strcmp(proto, "any") != 0 && strcmp(proto, s[i].proto) != 0)
				continue;
			if (portspec_parse((const char *)sqlite3_column_text(st, 1), true, &ps,
			    &why) == 0 && portspec_covers(&ps, &s[i].ps))
				open_ = 1;
		}
		sqlite3_reset(st);
		if (open_)
			continue;
		snprintf(msg, sizeof(msg), "no input rule lets anyone reach service %s (%s)",
		    s[i].name, s[i].proto);
		validate_add(v, msg, "service", s[i].id, "host", s[i].host, (const char *)NULL);
	}
	rc = 0;
out:
	free(s);
	json_decref(settings);
	return rc;
}

/* ---- firewall rules: shadowing ---- */

/* A side of a rule as address intervals; any = no selector. */
struct vset {
	bool any;
	size_t n;
	unsigned char (*iv)[2][IPADDR_KEYLEN];
};

struct vrule {
	long long id;
	bool input;
	char proto[8];
	struct portspec ps;
	struct vset src, dst;
};

static int
validate_set_add(struct vset *s, const void *lo, const void *hi)
{
	void *grown = realloc(s->iv, (s->n + 1) * sizeof(*s->iv));

	if (grown == NULL)
		return -1;
	s->iv = grown;
	memcpy(s->iv[s->n][0], lo, IPADDR_KEYLEN);
	memcpy(s->iv[s->n][1], hi, IPADDR_KEYLEN);
	s->n++;
	return 0;
}

/* Fills a side from whichever selector is set in columns col..col+3 of the rule's row. */
static int
validate_side(struct vctx *v, sqlite3_stmt *rule, int col, struct vset *s, struct api_err *err)
{
	static const char by_vlan[] = "SELECT first_key, last_key FROM prefixes WHERE vlan_id = ?";
	static const char by_prefix[] = "SELECT first_key, last_key FROM prefixes WHERE id = ?";
	static const char by_host[] = "SELECT addr_key, addr_key FROM ip_addresses "
	    "WHERE host_id = ?";
	static const char *const sqls[] = { by_vlan, by_prefix, by_host };
	unsigned char lo[IPADDR_KEYLEN], hi[IPADDR_KEYLEN];
	sqlite3_stmt *st;
	struct ipaddr a;
	struct ipnet n;
	int k;

	memset(s, 0, sizeof(*s));
	for (k = 0; k < 3; k++) {
		if (sqlite3_column_type(rule, col + k) == SQLITE_NULL)
			continue;
		if ((st = db_stmt(v->db, sqls[k])) == NULL)
			return db_fail(v->db, err, "validating");
		sqlite3_bind_int64(st, 1, sqlite3_column_int64(rule, col + k));
		while (sqlite3_step(st) == SQLITE_ROW)
			if (sqlite3_column_bytes(st, 0) == IPADDR_KEYLEN &&
			    validate_set_add(s, sqlite3_column_blob(st, 0),
			    sqlite3_column_blob(st, 1)) == -1) {
				sqlite3_reset(st);
				return api_err_set(err, 500, "out of memory");
			}
		sqlite3_reset(st);
		return 0;
	}
	if (sqlite3_column_type(rule, col + 3) != SQLITE_NULL &&
	    ipnet_parse((const char *)sqlite3_column_text(rule, col + 3), &n) == 0) {
		ipnet_first(&n, &a);
		ipaddr_to_key(&a, lo);
		ipnet_last(&n, &a);
		ipaddr_to_key(&a, hi);
		return validate_set_add(s, lo, hi) == 0 ? 0 : api_err_set(err, 500, "out of memory");
	}
	s->any = true;
	return 0;
}

static bool
validate_set_covers(const struct vset *outer, const struct vset *inner)
{
	size_t i, j;

	if (outer->any)
		return true;
	if (inner->any)
		return false;
	for (i = 0; i < inner->n; i++) {
		for (j = 0; j < outer->n; j++)
			if (memcmp(outer->iv[j][0], inner->iv[i][0], IPADDR_KEYLEN) <= 0 &&
			    memcmp(outer->iv[j][1], inner->iv[i][1], IPADDR_KEYLEN) >= 0)
				break;
		if (j == outer->n)
			return false;
	}
	return true;
}

/* Whether every packet rule b matches, rule a (earlier) matches first. */
static bool
validate_shadows(const struct vrule *a, const struct vrule *b)
{
	if (a->input != b->input)
		return false;
	if (strcmp(a->proto, "any") != 0 && strcmp(a->proto, b->proto) != 0)
		return false;
	if (!portspec_covers(&a->ps, &b->ps))
		return false;
	return validate_set_covers(&a->src, &b->src) && validate_set_covers(&a->dst, &b->dst);
}

static int
validate_rule_shadowed(struct vctx *v, struct api_err *err)
{
	static const char sql[] = "SELECT id, scope, protocol, dst_ports, src_vlan_id, "
	    "src_prefix_id, src_host_id, src_cidr, dst_vlan_id, dst_prefix_id, dst_host_id, "
	    "dst_cidr, description FROM firewall_rules WHERE enabled = 1 "
	    "ORDER BY scope, priority, id";
	struct vrule *r = NULL, *grown;
	size_t n = 0, cap = 0, i, j;
	sqlite3_stmt *st;
	const char *why;
	char msg[256];
	int rc = -1, step;

	if ((st = db_stmt(v->db, sql)) == NULL)
		return db_fail(v->db, err, "validating");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(r, cap * sizeof(*r))) == NULL) {
				api_err_set(err, 500, "out of memory");
				goto out;
			}
			r = grown;
		}
		memset(&r[n], 0, sizeof(r[n]));
		r[n].id = sqlite3_column_int64(st, 0);
		r[n].input = strcmp((const char *)sqlite3_column_text(st, 1), "input") == 0;
		snprintf(r[n].proto, sizeof(r[n].proto), "%s", sqlite3_column_text(st, 2));
		if (portspec_parse((const char *)sqlite3_column_text(st, 3), true, &r[n].ps,
		    &why) == -1)
			continue;
		n++;
		if (validate_side(v, st, 4, &r[n - 1].src, err) == -1 ||
		    validate_side(v, st, 8, &r[n - 1].dst, err) == -1)
			goto out;
	}
	if (step != SQLITE_DONE) {
		db_fail(v->db, err, "validating");
		goto out;
	}
	/* A rule whose side matches nothing (a VLAN without prefixes) is left to other checks. */
	for (j = 1; j < n; j++) {
		if ((!r[j].src.any && r[j].src.n == 0) || (!r[j].dst.any && r[j].dst.n == 0))
			continue;
		for (i = 0; i < j; i++) {
			if (!validate_shadows(&r[i], &r[j]))
				continue;
			snprintf(msg, sizeof(msg), "firewall rule %lld never matches: rule %lld "
			    "before it matches everything it does", r[j].id, r[i].id);
			validate_add(v, msg, "firewall-rule", r[j].id, "firewall-rule", r[i].id,
			    (const char *)NULL);
			break;
		}
	}
	rc = 0;
out:
	sqlite3_reset(st);
	for (i = 0; i < n; i++) {
		free(r[i].src.iv);
		free(r[i].dst.iv);
	}
	free(r);
	return rc;
}

const struct validate_check validate_checks[] = {
	{ "address-outside-prefix", "error", validate_address_outside,
	  "an IP address lies outside the prefix it is filed under" },
	{ "prefix-overlap", "error", validate_prefix_overlap,
	  "two prefixes are duplicates or overlap without one holding the other" },
	{ "range-overlap", "error", validate_range_overlap, "two IP ranges overlap" },
	{ "gateway-outside-prefix", "error", validate_gateway_outside,
	  "a prefix's gateway lies outside the prefix" },
	{ "gateway-unallocated", "warning", validate_gateway_unallocated,
	  "a prefix's gateway is not an allocated IP address" },
	{ "vlan-without-prefix", "warning", validate_vlan_without_prefix, "a VLAN has no prefix" },
	{ "port-vlan-without-prefix", "warning", validate_port_vlan,
	  "a port carries (tagged or untagged) a VLAN that has no prefix" },
	{ "service-port-clash", "error", validate_service_clash,
	  "two services of one host use the same protocol and port" },
	{ "dns-name-unallocated", "warning", validate_dns_unallocated,
	  "an A/AAAA record points to an address that is not allocated" },
	{ "dns-name-conflict", "error", validate_dns_conflict,
	  "one DNS name is given to different addresses" },
	{ "firewall-rule-shadowed", "warning", validate_rule_shadowed,
	  "a firewall rule can never match: an earlier enabled rule of the same scope matches "
	  "everything it matches" },
	{ "wan-link-port-not-wan", "error", validate_wan_link_port,
	  "a WAN link rides a port that is not in wan mode" },
	{ "service-unreachable", "warning", validate_service_unreachable,
	  "no enabled input rule accepts a host's service (and the input default is not accept)" },
	{ NULL, NULL, NULL, NULL },
};

int
validate_run(struct db *db, json_t **out, struct api_err *err)
{
	struct vctx v = { .db = db, .findings = json_array() };
	const struct validate_check *c;

	for (c = validate_checks; c->code != NULL; c++) {
		v.check = c;
		if (c->fn(&v, err) == -1) {
			json_decref(v.findings);
			return -1;
		}
	}
	*out = json_pack("{s:o, s:{s:i, s:i, s:i, s:i}}", "findings", v.findings, "summary",
	    "errors", v.errors, "warnings", v.warnings, "findings",
	    (int)json_array_size(v.findings), "checks",
	    (int)(sizeof(validate_checks) / sizeof(validate_checks[0]) - 1));
	return 0;
}
