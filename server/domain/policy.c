#include "policy.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "firewall.h"
#include "settings.h"
#include "vec.h"
#include "xmalloc.h"

/* A zone: a VLAN and its prefixes, or the WAN (everything outside the plan's prefixes). */
struct policy_zone {
	long long vlan_id;         /* 0 for the WAN */
	int vid;
	char name[72];
	char key[16];              /* "vlan20", "wan" */
	VEC(struct ipnet) nets;
	json_t *prefixes;          /* the nets as text */
};

enum policy_rel { REL_NONE, REL_SOME, REL_ALL };

enum { P_TCP, P_UDP, P_ICMP, P_COUNT };

static const char *const policy_protocols[P_COUNT] = {
	[P_TCP] = "tcp", [P_UDP] = "udp", [P_ICMP] = "icmp",
};

/* What the rules so far decided for one pair, per protocol: a bit per port for tcp and udp,
 * bit 0 for icmp. */
struct policy_ports {
	unsigned char decided[P_COUNT][65536 / 8];
	unsigned char allowed[P_COUNT][65536 / 8];
	unsigned char part[P_COUNT][65536 / 8];    /* one rule's ports for some hosts */
};

struct policy {
	VEC(struct policy_zone) zones;
	struct firewall fw;
	char default_action[8];
};

#define BIT(set, i) ((set)[(i) / 8] & (1u << ((i) % 8)))

static int
policy_zones_load(struct db *db, struct policy *p, struct api_err *err)
{
	static const char sql[] = "SELECT v.id, v.vid, v.name, x.prefix FROM vlans v "
	    "JOIN prefixes x ON x.vlan_id = v.id ORDER BY v.vid, x.first_key, x.prefix_len";
	struct policy_zone *z = NULL;
	struct ipnet n;
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading VLANs");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (z == NULL || z->vlan_id != sqlite3_column_int64(st, 0)) {
			z = vec_push_zero(&p->zones);
			z->vlan_id = sqlite3_column_int64(st, 0);
			z->vid = sqlite3_column_int(st, 1);
			snprintf(z->name, sizeof(z->name), "%s", sqlite3_column_text(st, 2));
			snprintf(z->key, sizeof(z->key), "vlan%d", z->vid);
			z->prefixes = json_array();
		}
		if (ipnet_parse((const char *)sqlite3_column_text(st, 3), &n) == 0) {
			vec_push(&z->nets, n);
			json_array_append_new(z->prefixes,
			    json_string((const char *)sqlite3_column_text(st, 3)));
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading VLANs");
	z = vec_push_zero(&p->zones);
	snprintf(z->name, sizeof(z->name), "WAN");
	snprintf(z->key, sizeof(z->key), "wan");
	z->prefixes = json_array();
	return 0;
}

static void
policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->zones.n; i++) {
		vec_free(&p->zones.v[i].nets);
		json_decref(p->zones.v[i].prefixes);
	}
	vec_free(&p->zones);
	firewall_free(&p->fw);
}

/* Whether net lies wholly inside the prefixes of the plan's zones. */
static bool
policy_inside_plan(const struct policy *p, const struct ipnet *net)
{
	size_t i, j;

	for (i = 0; i < p->zones.n; i++)
		for (j = 0; j < p->zones.v[i].nets.n; j++)
			if (ipnet_contains_net(&p->zones.v[i].nets.v[j], net))
				return true;
	return false;
}

/* How much of zone z a rule's side takes in. A VLAN selector is the VLAN itself (the router
 * filters by its interface); the WAN is what no prefix of the plan holds. */
static enum policy_rel
policy_rel(const struct policy *p, const struct firewall_side *s, const struct policy_zone *z)
{
	size_t i, j;
	bool all = true, some = false;

	if (s->sel == FW_ANY)
		return REL_ALL;
	if (z->vlan_id == 0) {
		for (i = 0; i < s->nets.n; i++)
			if (!policy_inside_plan(p, &s->nets.v[i].net))
				return REL_SOME;
		return REL_NONE;
	}
	if (s->sel == FW_VLAN)
		return s->ref == z->vlan_id ? REL_ALL : REL_NONE;
	for (i = 0; i < z->nets.n; i++) {
		bool covered = false;

		for (j = 0; j < s->nets.n; j++) {
			if (ipnet_contains_net(&s->nets.v[j].net, &z->nets.v[i]))
				covered = true;
			if (ipnet_overlaps(&s->nets.v[j].net, &z->nets.v[i]))
				some = true;
		}
		all = all && covered;
	}
	return z->nets.n > 0 && all ? REL_ALL : some ? REL_SOME : REL_NONE;
}

/* Whether rule r speaks protocol k. */
static bool
policy_speaks(const struct firewall_rule *r, int k)
{
	return strcmp(r->protocol, "any") == 0 || strcmp(r->protocol, policy_protocols[k]) == 0;
}

/* Ports lo..hi of protocol k that no earlier rule decided: for the whole pair (full) they are
 * decided now, and allowed when the rule accepts; for some hosts only they go to part.
 * Returns whether there was any. A byte at a time: a rule of every port is 8 K steps. */
static bool
policy_take(struct policy_ports *pp, int k, unsigned lo, unsigned hi, bool full, bool accept)
{
	unsigned byte, first = lo / 8, last = hi / 8;
	unsigned char mask, fresh;
	bool any = false;

	for (byte = first; byte <= last; byte++) {
		mask = 0xff;
		if (byte == first)
			mask &= (unsigned char)(0xff << (lo % 8));
		if (byte == last)
			mask &= (unsigned char)(0xff >> (7 - hi % 8));
		if ((fresh = mask & (unsigned char)~pp->decided[k][byte]) == 0)
			continue;
		any = true;
		if (!full) {
			pp->part[k][byte] |= fresh;
			continue;
		}
		pp->decided[k][byte] |= fresh;
		if (accept)
			pp->allowed[k][byte] |= fresh;
	}
	return any;
}

/* The ports of a set as a port list ("22,80-90"), "any" for all of 1..65535, "" for none. */
static void
policy_ports_text(const unsigned char *set, int k, char *buf, size_t len)
{
	unsigned lo, hi;
	size_t used = 0;
	bool all = true;

	buf[0] = '\0';
	if (k == P_ICMP) {
		snprintf(buf, len, "%s", BIT(set, 0) ? "any" : "");
		return;
	}
	for (lo = 1; lo <= 65535; lo++)
		all = all && BIT(set, lo);
	if (all) {
		snprintf(buf, len, "any");
		return;
	}
	for (lo = 1; lo <= 65535; lo = hi + 1) {
		if (!BIT(set, lo)) {
			hi = lo;
			continue;
		}
		for (hi = lo; hi < 65535 && BIT(set, hi + 1); hi++)
			;
		if (used + 16 >= len) {
			snprintf(buf + used, len - used, ",...");
			return;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%u", used ? "," : "", lo);
		if (hi != lo)
			used += (size_t)snprintf(buf + used, len - used, "-%u", hi);
	}
}

/* Appends {protocol, ports[, rule]} for each protocol whose set is not empty. */
static void
policy_entries(json_t *arr, unsigned char sets[P_COUNT][65536 / 8], const char *rule)
{
	char ports[512];
	json_t *e;
	int k;

	for (k = 0; k < P_COUNT; k++) {
		policy_ports_text(sets[k], k, ports, sizeof(ports));
		if (ports[0] == '\0')
			continue;
		e = json_pack("{s:s}", "protocol", policy_protocols[k]);
		if (k != P_ICMP)
			json_object_set_new(e, "ports", json_string(ports));
		if (rule != NULL)
			json_object_set_new(e, "rule", json_string(rule));
		json_array_append_new(arr, e);
	}
}

/* One ordered pair: the forward rules in the order they apply, first match wins, then the
 * default action for what none decided. */
static json_t *
policy_cell(const struct policy *p, const struct policy_zone *a, const struct policy_zone *b,
    struct policy_ports *pp)
{
	json_t *cell, *some = json_array(), *except = json_array(), *rules = json_array();
	bool accept, full, taken, all;
	const struct firewall_rule *r;
	enum policy_rel rs, rd;
	unsigned port;
	size_t i;
	int k, n;

	memset(pp->decided, 0, sizeof(pp->decided));
	memset(pp->allowed, 0, sizeof(pp->allowed));
	for (i = 0; i < p->fw.rules.n; i++) {
		r = &p->fw.rules.v[i];
		if (r->input || !r->ports_ok || (rs = policy_rel(p, &r->src, a)) == REL_NONE ||
		    (rd = policy_rel(p, &r->dst, b)) == REL_NONE)
			continue;
		memset(pp->part, 0, sizeof(pp->part));
		accept = strcmp(r->action, "accept") == 0;
		full = rs == REL_ALL && rd == REL_ALL;
		taken = false;
		for (k = 0; k < P_COUNT; k++) {
			if (!policy_speaks(r, k))
				continue;
			if (k == P_ICMP)
				taken |= policy_take(pp, k, 0, 0, full, accept);
			else if (strcmp(r->protocol, "any") == 0 || r->ps.n == 0)
				taken |= policy_take(pp, k, 1, 65535, full, accept);
			else
				for (n = 0; n < r->ps.n; n++)
					taken |= policy_take(pp, k, r->ps.r[n].lo, r->ps.r[n].hi,
					    full, accept);
		}
		if (!taken)
			continue;    /* earlier rules decided all it would match here */
		json_array_append_new(rules, json_string(r->name));
		if (!full)
			policy_entries(accept ? some : except, pp->part, r->name);
	}
	/* What no rule decided follows the default action. */
	if (strcmp(p->default_action, "accept") == 0) {
		policy_take(pp, P_ICMP, 0, 0, true, true);
		policy_take(pp, P_TCP, 1, 65535, true, true);
		policy_take(pp, P_UDP, 1, 65535, true, true);
	}
	cell = json_pack("{s:s, s:s, s:[], s:o, s:o, s:o}", "from", a->key, "to", b->key, "allow",
	    "some", some, "except", except, "rules", rules);
	policy_entries(json_object_get(cell, "allow"), pp->allowed, NULL);
	all = BIT(pp->allowed[P_ICMP], 0) != 0;
	for (k = P_TCP; k <= P_UDP; k++)
		for (port = 1; all && port <= 65535; port++)
			all = BIT(pp->allowed[k], port) != 0;
	json_object_set_new(cell, "all", json_boolean(all));
	return cell;
}

int
policy_matrix(struct db *db, json_t **out, struct api_err *err)
{
	struct policy p;
	struct policy_ports *pp = NULL;
	json_t *settings = NULL, *zones, *cells;
	size_t i, j;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	if (settings_load(db, &settings, err) == -1 || policy_zones_load(db, &p, err) == -1 ||
	    firewall_load(db, "forward", 0, &p.fw, err) == -1)
		goto out;
	snprintf(p.default_action, sizeof(p.default_action), "%s",
	    json_string_value(json_object_get(settings, "forward_default_action")));
	pp = xmalloc(sizeof(*pp));
	zones = json_array();
	cells = json_array();
	for (i = 0; i < p.zones.n; i++) {
		const struct policy_zone *z = &p.zones.v[i];

		json_array_append_new(zones, json_pack("{s:s, s:o, s:o, s:s, s:O}", "key", z->key,
		    "vlan_id", z->vlan_id ? json_integer(z->vlan_id) : json_null(), "vid",
		    z->vlan_id ? json_integer(z->vid) : json_null(), "name", z->name, "prefixes",
		    z->prefixes));
		for (j = 0; j < p.zones.n; j++)
			if (i != j)
				json_array_append_new(cells, policy_cell(&p, z, &p.zones.v[j], pp));
	}
	*out = json_pack("{s:s, s:o, s:o}", "default_action", p.default_action, "zones", zones,
	    "cells", cells);
	rc = 0;
out:
	free(pp);
	json_decref(settings);
	policy_free(&p);
	return rc;
}
