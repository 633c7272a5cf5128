#include "firewall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "xmalloc.h"

/* Selector columns of each side, in this order, from these columns of the rule query. */
#define FIREWALL_SRC 7
#define FIREWALL_DST 11

static const char firewall_sql[] = "SELECT id, scope, name, description, action, protocol, "
    "dst_ports, src_vlan_id, src_prefix_id, src_host_id, src_cidr, dst_vlan_id, dst_prefix_id, "
    "dst_host_id, dst_cidr, log FROM firewall_rules WHERE enabled = 1 "
    "AND (?1 IS NULL OR scope = ?1) AND (?2 = 0 OR dst_host_id = ?2) "
    "ORDER BY scope, priority, id";

/* What each selector resolves to: networks, or addresses made /32 and /128. */
static const struct {
	const char *sql;
	bool addresses;
} firewall_resolve[] = {
	[FW_VLAN] = { .sql = "SELECT prefix FROM prefixes WHERE vlan_id = ? "
	    "ORDER BY first_key, prefix_len", .addresses = false },
	[FW_PREFIX] = { .sql = "SELECT prefix FROM prefixes WHERE id = ?", .addresses = false },
	[FW_HOST] = { .sql = "SELECT address FROM ip_addresses WHERE host_id = ? "
	    "ORDER BY addr_key", .addresses = true },
};

static const char *
firewall_word(const unsigned char *text, const char *const *words)
{
	const char *const *w;

	for (w = words + 1; *w != NULL; w++)
		if (text != NULL && strcmp((const char *)text, *w) == 0)
			return *w;
	return words[0];     /* the first word is what anything else means */
}

static void
firewall_side_add(struct firewall_side *s, const char *text, bool address)
{
	struct firewall_net *fn;
	struct ipaddr a;
	struct ipnet n;

	if (text == NULL)
		return;
	if (address) {
		if (ipaddr_parse(text, &a) == -1)
			return;
		n.addr = a;
		n.len = a.family == 4 ? 32 : 128;
	} else if (ipnet_parse(text, &n) == -1) {
		return;
	}
	fn = vec_push_zero(&s->nets);
	fn->net = n;
	if (address)
		snprintf(fn->text, sizeof(fn->text), "%s/%d", text, n.len);
	else
		snprintf(fn->text, sizeof(fn->text), "%s", text);
}

/* The selector of a side from its four columns (vlan, prefix, host, cidr) at col. */
static void
firewall_side_select(sqlite3_stmt *row, int col, struct firewall_side *s)
{
	static const enum firewall_sel sels[] = { FW_VLAN, FW_PREFIX, FW_HOST };
	int k;

	memset(s, 0, sizeof(*s));
	for (k = 0; k < 3; k++)
		if (sqlite3_column_type(row, col + k) != SQLITE_NULL) {
			s->sel = sels[k];
			s->ref = sqlite3_column_int64(row, col + k);
			return;
		}
	if (sqlite3_column_type(row, col + 3) != SQLITE_NULL) {
		s->sel = FW_CIDR;
		firewall_side_add(s, (const char *)sqlite3_column_text(row, col + 3), false);
		return;
	}
	s->sel = FW_ANY;
}

static int
firewall_side_resolve(struct db *db, struct firewall_side *s, struct api_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (s->sel != FW_VLAN && s->sel != FW_PREFIX && s->sel != FW_HOST)
		return 0;
	if ((st = db_stmt(db, firewall_resolve[s->sel].sql)) == NULL)
		return db_fail(db, err, "resolving a firewall rule");
	sqlite3_bind_int64(st, 1, s->ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		firewall_side_add(s, (const char *)sqlite3_column_text(st, 0),
		    firewall_resolve[s->sel].addresses);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "resolving a firewall rule");
}

int
firewall_load(struct db *db, const char *scope, long long host, struct firewall *fw,
    struct api_err *err)
{
	static const char *const actions[] = { "drop", "accept", "reject", NULL };
	static const char *const protocols[] = { "any", "tcp", "udp", "icmp", NULL };
	struct firewall_rule *r;
	sqlite3_stmt *st;
	const char *why;
	size_t i;
	int rc;

	memset(fw, 0, sizeof(*fw));
	if ((st = db_stmt(db, firewall_sql)) == NULL)
		return db_fail(db, err, "reading firewall rules");
	if (scope != NULL)
		sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, host);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = vec_push_zero(&fw->rules);
		r->id = sqlite3_column_int64(st, 0);
		r->input = strcmp((const char *)sqlite3_column_text(st, 1), "input") == 0;
		r->name = xstrdup((const char *)sqlite3_column_text(st, 2));
		r->description = xstrdup((const char *)sqlite3_column_text(st, 3));
		r->action = firewall_word(sqlite3_column_text(st, 4), actions);
		r->protocol = firewall_word(sqlite3_column_text(st, 5), protocols);
		r->ports = xstrdup((const char *)sqlite3_column_text(st, 6));
		r->ports_ok = portspec_parse(r->ports, true, &r->ps, &why) == 0;
		r->log = sqlite3_column_int(st, 15) != 0;
		firewall_side_select(st, FIREWALL_SRC, &r->src);
		firewall_side_select(st, FIREWALL_DST, &r->dst);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		firewall_free(fw);
		return db_fail(db, err, "reading firewall rules");
	}
	/* Resolved after the rule query is done: resolving runs cached statements of its own. */
	for (i = 0; i < fw->rules.n; i++)
		if (firewall_side_resolve(db, &fw->rules.v[i].src, err) == -1 ||
		    firewall_side_resolve(db, &fw->rules.v[i].dst, err) == -1) {
			firewall_free(fw);
			return -1;
		}
	return 0;
}

void
firewall_free(struct firewall *fw)
{
	struct firewall_rule *r;
	size_t i;

	if (fw == NULL)
		return;
	for (i = 0; i < fw->rules.n; i++) {
		r = &fw->rules.v[i];
		free(r->name);
		free(r->description);
		free(r->ports);
		vec_free(&r->src.nets);
		vec_free(&r->dst.nets);
	}
	vec_free(&fw->rules);
}

bool
firewall_side_empty(const struct firewall_side *s)
{
	return s->sel != FW_ANY && s->nets.n == 0;
}

/* Whether every address of inner lies in one network of outer. */
static bool
firewall_side_covers(const struct firewall_side *outer, const struct firewall_side *inner)
{
	size_t i, j;

	if (outer->sel == FW_ANY)
		return true;
	if (inner->sel == FW_ANY)
		return false;
	for (i = 0; i < inner->nets.n; i++) {
		for (j = 0; j < outer->nets.n; j++)
			if (ipnet_contains_net(&outer->nets.v[j].net, &inner->nets.v[i].net))
				break;
		if (j == outer->nets.n)
			return false;
	}
	return true;
}

bool
firewall_shadows(const struct firewall_rule *a, const struct firewall_rule *b)
{
	if (a->input != b->input || !a->ports_ok || !b->ports_ok)
		return false;
	if (strcmp(a->protocol, "any") != 0 && strcmp(a->protocol, b->protocol) != 0)
		return false;
	if (!portspec_covers(&a->ps, &b->ps))
		return false;
	return firewall_side_covers(&a->src, &b->src) && firewall_side_covers(&a->dst, &b->dst);
}

bool
firewall_opens(const struct firewall_rule *r, const char *protocol,
    const struct portspec *ports)
{
	if (strcmp(r->protocol, "any") != 0 && strcmp(r->protocol, protocol) != 0)
		return false;
	return r->ports_ok && portspec_covers(&r->ps, ports);
}
