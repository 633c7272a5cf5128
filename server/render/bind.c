/* BIND zone files: a forward zone with its SOA, NS and every stored and derived record, or
 * the reverse zone (on an octet or nibble boundary) holding the PTRs of a prefix. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apierr.h"
#include "db.h"
#include "dnszone.h"
#include "ipaddr.h"
#include "sbuf.h"

struct render_bind_soa {
	char origin[256];
	char mname[256], rname[256];
	long long serial, refresh, retry, expire, minimum, ttl;
};

static void
render_bind_head(struct sbuf *out, const struct render_bind_soa *s)
{
	sbuf_printf(out, "$ORIGIN %s.\n$TTL %lld\n", s->origin, s->ttl);
	sbuf_printf(out, "@\tIN\tSOA\t%s %s (\n", s->mname, s->rname);
	sbuf_printf(out, "\t\t\t%lld\t; serial\n\t\t\t%lld\t; refresh\n\t\t\t%lld\t; retry\n"
	    "\t\t\t%lld\t; expire\n\t\t\t%lld )\t; negative caching TTL\n", s->serial,
	    s->refresh, s->retry, s->expire, s->minimum);
	sbuf_printf(out, "@\tIN\tNS\t%s\n", s->mname);
}

/* TXT data as quoted strings of at most 255 bytes each (of the value itself, as dnsmasq splits
 * it): quotes and backslashes escaped, bytes outside printable ASCII as \DDD. */
static void
render_bind_txt(struct sbuf *out, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n = 0;

	sbuf_putc(out, '"');
	for (; *p != '\0'; p++, n++) {
		if (n == 255) {
			sbuf_puts(out, "\" \"");
			n = 0;
		}
		if (*p < 0x20 || *p > 0x7e)
			sbuf_printf(out, "\\%03u", *p);
		else if (*p == '"' || *p == '\\')
			sbuf_printf(out, "\\%c", *p);
		else
			sbuf_putc(out, (char)*p);
	}
	sbuf_putc(out, '"');
}

static void
render_bind_record(struct sbuf *out, const struct dnszone_record *r)
{
	sbuf_printf(out, "%s\t", r->name);
	if (r->has_ttl)
		sbuf_printf(out, "%lld", r->ttl);
	sbuf_printf(out, "\tIN\t%s\t", r->type);
	if (strcmp(r->type, "TXT") == 0)
		render_bind_txt(out, r->value);
	else
		sbuf_puts(out, r->value);
	sbuf_putc(out, '\n');
}

static int
render_bind_cmp(const void *x, const void *y)
{
	const struct dnszone_record *a = x, *b = y;
	int d;

	if ((d = strcasecmp(a->name, b->name)) != 0 || (d = strcmp(a->type, b->type)) != 0)
		return d;
	return strcmp(a->value, b->value);
}

/* The records of a zone in name, type, value order: the same plan, the same file. */
static int
render_bind_records(struct render_ctx *c, long long zone_id, struct sbuf *out,
    struct api_err *err)
{
	struct dnszone_records rs;
	size_t i;
	int rc = -1;

	if (dnszone_record_list(c->db, zone_id, &rs, err) == 0) {
		if (rs.n > 0)
			qsort(rs.list, rs.n, sizeof(*rs.list), render_bind_cmp);
		for (i = 0; i < rs.n; i++)
			render_bind_record(out, &rs.list[i]);
		rc = 0;
	}
	dnszone_record_list_free(&rs);
	return rc;
}

/* A stored zone by name: its SOA; 0 when there is none. */
static int
render_bind_zone(struct render_ctx *c, const char *name, long long *id,
    struct render_bind_soa *soa, struct api_err *err)
{
	static const char sql[] = "SELECT id, name, soa_mname, soa_rname, serial, refresh, "
	    "retry, expire, minimum, ttl FROM dns_zones WHERE name = ? COLLATE NOCASE";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(c->db, sql)) == NULL)
		return db_fail(c->db, err, "reading a zone");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(soa->origin, sizeof(soa->origin), "%s", sqlite3_column_text(st, 1));
		snprintf(soa->mname, sizeof(soa->mname), "%s", sqlite3_column_text(st, 2));
		snprintf(soa->rname, sizeof(soa->rname), "%s", sqlite3_column_text(st, 3));
		soa->serial = sqlite3_column_int64(st, 4);
		soa->refresh = sqlite3_column_int64(st, 5);
		soa->retry = sqlite3_column_int64(st, 6);
		soa->expire = sqlite3_column_int64(st, 7);
		soa->minimum = sqlite3_column_int64(st, 8);
		soa->ttl = sqlite3_column_int64(st, 9);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(c->db, err, "reading a zone");
}

static int
render_bind_forward(struct render_ctx *c, const char *zone, struct sbuf *out,
    struct api_err *err)
{
	struct render_bind_soa soa;
	long long id = 0;
	int rc;

	if ((rc = render_bind_zone(c, zone, &id, &soa, err)) == -1)
		return -1;
	if (rc == 0)
		return api_err_set(err, 404, "no dns-zone named %s", zone);
	render_bind_head(out, &soa);
	return render_bind_records(c, id, out, err);
}

/* The reverse zone's name on the octet (IPv4) or nibble (IPv6) boundary at or above n. */
static int
render_bind_reverse_name(const struct ipnet *n, char *buf, size_t len)
{
	char full[IPADDR_REVERSE_STRLEN];
	int labels = n->addr.family == 4 ? n->len / 8 : n->len / 4;
	int total = n->addr.family == 4 ? 4 : 32;
	const char *p = full;
	int skip;

	if (labels == 0 || ipaddr_reverse_name(&n->addr, full, sizeof(full)) == -1)
		return -1;
	for (skip = total - labels; skip > 0; skip--)
		p = strchr(p, '.') + 1;
	snprintf(buf, len, "%s", p);
	return 0;
}

/* The SOA of a reverse zone nobody stored: the name server of the forward zone of its first
 * named address, and the revision as serial (it rises with every change this file reads). */
static int
render_bind_made_soa(struct render_ctx *c, const char *first_name,
    struct render_bind_soa *soa, struct api_err *err)
{
	char forward[256];
	long long zid, keep = 0;
	struct render_bind_soa fz;
	int rc;

	snprintf(soa->mname, sizeof(soa->mname), "localhost.");
	snprintf(soa->rname, sizeof(soa->rname), "hostmaster.localhost.");
	soa->serial = c->revision > 0 ? c->revision % 4294967295LL : 1;
	soa->refresh = 3600;
	soa->retry = 600;
	soa->expire = 604800;
	soa->minimum = 300;
	soa->ttl = 3600;
	if (first_name == NULL)
		return 0;
	if ((rc = dnszone_find(c->db, first_name, &zid, forward, sizeof(forward), err)) != 1)
		return rc;
	if ((rc = render_bind_zone(c, forward, &keep, &fz, err)) != 1)
		return rc;
	snprintf(soa->mname, sizeof(soa->mname), "%s", fz.mname);
	snprintf(soa->rname, sizeof(soa->rname), "%s", fz.rname);
	return 0;
}

static int
render_bind_reverse(struct render_ctx *c, const char *cidr, struct sbuf *out,
    struct api_err *err)
{
	static const char sql[] = "SELECT address, dns_name FROM ip_addresses WHERE dns_name != '' "
	    "AND addr_key BETWEEN ? AND ? ORDER BY addr_key";
	unsigned char lo[IPADDR_KEYLEN], hi[IPADDR_KEYLEN];
	char zone[IPADDR_REVERSE_STRLEN], rev[IPADDR_REVERSE_STRLEN], *first = NULL;
	struct render_bind_soa soa;
	struct ipaddr a;
	struct ipnet n;
	struct sbuf ptrs;
	sqlite3_stmt *st;
	long long id = 0;
	int rc = -1, step, stored;
	size_t zl;

	if (ipnet_parse(cidr, &n) == -1) {
		api_err_set(err, 400, "reverse needs a prefix");
		return api_err_field(err, "reverse", "is not a prefix (ADDR/LEN, host bits zero)");
	}
	if (render_bind_reverse_name(&n, zone, sizeof(zone)) == -1) {
		api_err_set(err, 400, "the prefix is too short for a reverse zone");
		return api_err_field(err, "reverse", "needs at least /8 (IPv4) or /4 (IPv6)");
	}
	zl = strlen(zone);
	ipnet_first(&n, &a);
	ipaddr_to_key(&a, lo);
	ipnet_last(&n, &a);
	ipaddr_to_key(&a, hi);
	sbuf_init(&ptrs, 0);
	if ((st = db_stmt(c->db, sql)) == NULL) {
		db_fail(c->db, err, "reading addresses");
		goto out;
	}
	sqlite3_bind_blob(st, 1, lo, IPADDR_KEYLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hi, IPADDR_KEYLEN, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (ipaddr_parse((const char *)sqlite3_column_text(st, 0), &a) == -1 ||
		    ipaddr_reverse_name(&a, rev, sizeof(rev)) == -1)
			continue;
		if (first == NULL)
			first = strdup((const char *)sqlite3_column_text(st, 1));
		/* The owner relative to the zone; the zone of a /32 or /128 is the name itself. */
		if (strlen(rev) > zl)
			rev[strlen(rev) - zl - 1] = '\0';
		else
			snprintf(rev, sizeof(rev), "@");
		sbuf_printf(&ptrs, "%s\t\tIN\tPTR\t%s.\n", rev, sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		db_fail(c->db, err, "reading addresses");
		goto out;
	}
	if ((stored = render_bind_zone(c, zone, &id, &soa, err)) == -1 ||
	    (stored == 0 && render_bind_made_soa(c, first, &soa, err) == -1))
		goto out;
	snprintf(soa.origin, sizeof(soa.origin), "%s", zone);
	render_bind_head(out, &soa);
	sbuf_append(out, sbuf_str(&ptrs), ptrs.len);
	rc = 0;
out:
	free(first);
	sbuf_free(&ptrs);
	return rc;
}

int
render_bind(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	const char *zone = render_param(c, "zone"), *reverse = render_param(c, "reverse");

	if ((zone == NULL) == (reverse == NULL)) {
		api_err_set(err, 400, "bind takes zone or reverse, one of them");
		return api_err_field(err, zone ? "reverse" : "zone", "give zone or reverse");
	}
	return zone != NULL ? render_bind_forward(c, zone, out, err) :
	    render_bind_reverse(c, reverse, out, err);
}
