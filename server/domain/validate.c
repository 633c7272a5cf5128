/* The plan's validation report: a table of checks, each finding mistakes a plan like the seed
 * document can hold. Most are single SQL queries; service clashes need set logic in C, and
 * the firewall checks read the firewall model the packet filter renders read too. */
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "firewall.h"
#include "ipaddr.h"
#include "portspec.h"
#include "settings.h"
#include "vec.h"

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

struct vsvcs {
	VEC(struct vsvc) s;
};

static int
validate_load_services(struct vctx *v, struct vsvcs *out, struct api_err *err)
{
	static const char sql[] = "SELECT id, host_id, protocol, ports, name FROM services "
	    "ORDER BY host_id, protocol, id";
	sqlite3_stmt *st;
	struct vsvc s;
	const char *why;
	int rc;

	if ((st = db_stmt(v->db, sql)) == NULL)
		return db_fail(v->db, err, "validating");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&s, 0, sizeof(s));
		s.id = sqlite3_column_int64(st, 0);
		s.host = sqlite3_column_int64(st, 1);
		snprintf(s.proto, sizeof(s.proto), "%s", sqlite3_column_text(st, 2));
		snprintf(s.name, sizeof(s.name), "%s", sqlite3_column_text(st, 4));
		if (portspec_parse((const char *)sqlite3_column_text(st, 3), false, &s.ps,
		    &why) == 0)
			vec_push(&out->s, s);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(v->db, err, "validating");
}

static int
validate_service_clash(struct vctx *v, struct api_err *err)
{
	struct vsvcs l = { 0 };
	struct vsvc *s;
	char msg[256];
	size_t i, j;
	int rc = -1;

	if (validate_load_services(v, &l, err) == -1)
		goto out;
	s = l.s.v;
	/* Sorted by host and protocol: only neighbours in a run can clash. */
	for (i = 0; i < l.s.n; i++)
		for (j = i + 1; j < l.s.n && s[j].host == s[i].host &&
		    strcmp(s[j].proto, s[i].proto) == 0; j++) {
			if (!portspec_overlaps(&s[i].ps, &s[j].ps))
				continue;
			snprintf(msg, sizeof(msg), "services %s and %s of one host share %s ports",
			    s[i].name, s[j].name, s[i].proto);
			validate_add(v, msg, "service", s[i].id, "service", s[j].id,
			    (const char *)NULL);
		}
	rc = 0;
out:
	vec_free(&l.s);
	return rc;
}

/* Whether an enabled input rule of the firewall model accepts all of a service's ports on
 * its host, whatever the source. */
static bool
validate_service_open(const struct firewall *fw, const struct vsvc *s)
{
	const struct firewall_rule *r;
	size_t i;

	for (i = 0; i < fw->rules.n; i++) {
		r = &fw->rules.v[i];
		if (r->dst.sel == FW_HOST && r->dst.ref == s->host &&
		    strcmp(r->action, "accept") == 0 && firewall_opens(r, s->proto, &s->ps))
			return true;
	}
	return false;
}

static int
validate_service_unreachable(struct vctx *v, struct api_err *err)
{
	struct firewall fw = { 0 };
	struct vsvcs l = { 0 };
	json_t *settings = NULL;
	char msg[256];
	size_t i;
	int rc = -1;

	/* With an accepting input default, nothing needs a rule. */
	if (settings_load(v->db, &settings, err) == -1)
		return -1;
	if (strcmp(json_string_value(json_object_get(settings, "input_default_action")),
	    "accept") == 0) {
		rc = 0;
		goto out;
	}
	if (validate_load_services(v, &l, err) == -1 ||
	    firewall_load(v->db, "input", 0, &fw, err) == -1)
		goto out;
	for (i = 0; i < l.s.n; i++) {
		if (validate_service_open(&fw, &l.s.v[i]))
			continue;
		snprintf(msg, sizeof(msg), "no input rule lets anyone reach service %s (%s)",
		    l.s.v[i].name, l.s.v[i].proto);
		validate_add(v, msg, "service", l.s.v[i].id, "host", l.s.v[i].host,
		    (const char *)NULL);
	}
	rc = 0;
out:
	vec_free(&l.s);
	firewall_free(&fw);
	json_decref(settings);
	return rc;
}

/* A rule that an earlier one of its scope matches wholly, from the firewall model. A rule whose
 * side matches nothing (a VLAN without prefixes) is left to other checks. */
static int
validate_rule_shadowed(struct vctx *v, struct api_err *err)
{
	const struct firewall_rule *r;
	struct firewall fw;
	char msg[256];
	size_t i, j;

	if (firewall_load(v->db, NULL, 0, &fw, err) == -1)
		return -1;
	r = fw.rules.v;
	for (j = 1; j < fw.rules.n; j++) {
		if (!r[j].ports_ok || firewall_side_empty(&r[j].src) ||
		    firewall_side_empty(&r[j].dst))
			continue;
		for (i = 0; i < j; i++) {
			if (!firewall_shadows(&r[i], &r[j]))
				continue;
			snprintf(msg, sizeof(msg), "firewall rule %lld never matches: rule %lld "
			    "before it matches everything it does", r[j].id, r[i].id);
			validate_add(v, msg, "firewall-rule", r[j].id, "firewall-rule", r[i].id,
			    (const char *)NULL);
			break;
		}
	}
	firewall_free(&fw);
	return 0;
}

const struct validate_check validate_checks[] = {
	{ .code = "address-outside-prefix", .severity = "error", .fn = validate_address_outside,
	  .doc = "an IP address lies outside the prefix it is filed under" },
	{ .code = "prefix-overlap", .severity = "error", .fn = validate_prefix_overlap,
	  .doc = "two prefixes are duplicates or overlap without one holding the other" },
	{ .code = "range-overlap", .severity = "error", .fn = validate_range_overlap,
	  .doc = "two IP ranges overlap" },
	{ .code = "gateway-outside-prefix", .severity = "error", .fn = validate_gateway_outside,
	  .doc = "a prefix's gateway lies outside the prefix" },
	{ .code = "gateway-unallocated", .severity = "warning",
	  .fn = validate_gateway_unallocated,
	  .doc = "a prefix's gateway is not an allocated IP address" },
	{ .code = "vlan-without-prefix", .severity = "warning", .fn = validate_vlan_without_prefix,
	  .doc = "a VLAN has no prefix" },
	{ .code = "port-vlan-without-prefix", .severity = "warning", .fn = validate_port_vlan,
	  .doc = "a port carries (tagged or untagged) a VLAN that has no prefix" },
	{ .code = "service-port-clash", .severity = "error", .fn = validate_service_clash,
	  .doc = "two services of one host use the same protocol and port" },
	{ .code = "dns-name-unallocated", .severity = "warning", .fn = validate_dns_unallocated,
	  .doc = "an A/AAAA record points to an address that is not allocated" },
	{ .code = "dns-name-conflict", .severity = "error", .fn = validate_dns_conflict,
	  .doc = "one DNS name is given to different addresses" },
	{ .code = "firewall-rule-shadowed", .severity = "warning", .fn = validate_rule_shadowed,
	  .doc = "a firewall rule can never match: an earlier enabled rule of the same scope "
	  "matches everything it matches" },
	{ .code = "wan-link-port-not-wan", .severity = "error", .fn = validate_wan_link_port,
	  .doc = "a WAN link rides a port that is not in wan mode" },
	{ .code = "service-unreachable", .severity = "warning", .fn = validate_service_unreachable,
	  .doc = "no enabled input rule accepts a host's service (and the input default is not "
	  "accept)" },
	{ .code = NULL },
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
