/* BIND zone files: a forward zone with its SOA, NS and every stored and derived record, or
 * the reverse zone (on an octet or nibble boundary) holding the PTRs of a prefix and, when
 * the zone is stored, its stored records. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apierr.h"
#include "db.h"
#include "dnsname.h"
#include "dnszone.h"
#include "ipaddr.h"
#include "sbuf.h"
#include "xmalloc.h"

struct render_bind_soa {
	char origin[256];
	char mname[256], rname[256];
	long long serial, refresh, retry, expire, minimum, ttl;
};

static void
render_bind_head(struct sbuf *out, const struct render_bind_soa *s)
{
	/* The second wall: names a hand edit broke give way to ones outside every zone. */
	const char *mname = dnsname_valid_target(s->mname) ? s->mname : "localhost.";
	const char *rname = dnsname_valid_target(s->rname) ? s->rname : "hostmaster.localhost.";

	sbuf_printf(out, "$ORIGIN %s.\n$TTL %lld\n", s->origin, s->ttl);
	sbuf_printf(out, "@\tIN\tSOA\t%s %s (\n", mname, rname);
	sbuf_printf(out, "\t\t\t%lld\t; serial\n\t\t\t%lld\t; refresh\n\t\t\t%lld\t; retry\n"
	    "\t\t\t%lld\t; expire\n\t\t\t%lld )\t; negative caching TTL\n", s->serial,
	    s->refresh, s->retry, s->expire, s->minimum);
	sbuf_printf(out, "@\tIN\tNS\t%s\n", mname);
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

/* "N target" (MX) or "N N N target" (SRV) with numbers of 0..65535 and a DNS name. */
static bool
render_bind_numbers(const char *s, int count)
{
	char *end;
	long v;

	while (count-- > 0) {
		v = strtol(s, &end, 10);
		if (end == s || *end != ' ' || v < 0 || v > 65535 || *s == '-' || *s == '+')
			return false;
		s = end + 1;
	}
	return dnsname_valid_target(s);
}

/* The second wall: a record the API would refuse (a hand edit, an older version) is left out
 * rather than let it break or add a line. */
static bool
render_bind_record_ok(const struct dnszone_record *r)
{
	struct ipaddr a;

	if (!dnsname_valid_owner(r->name))
		return false;
	if (strcmp(r->type, "A") == 0 || strcmp(r->type, "AAAA") == 0)
		return ipaddr_parse(r->value, &a) == 0 && a.family == (r->type[1] ? 6 : 4);
	if (strcmp(r->type, "CNAME") == 0 || strcmp(r->type, "PTR") == 0)
		return dnsname_valid_target(r->value);
	if (strcmp(r->type, "MX") == 0 || strcmp(r->type, "SRV") == 0)
		return render_bind_numbers(r->value, r->type[0] == 'M' ? 1 : 3);
	return strcmp(r->type, "TXT") == 0;
}

static void
render_bind_record(struct sbuf *out, const struct dnszone_record *r)
{
	if (!render_bind_record_ok(r))
		return;
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

/* Whether the file holds what named-checkzone -i local asks of target (an NS, MX or SRV
 * target): nothing when it is outside the zone, else an A or AAAA at it among the sorted
 * records. */
static bool
render_bind_addressed(const struct dnszone_records *rs, const char *origin, const char *target)
{
	char fqdn[256], rel[256];
	size_t lo = 0, hi = rs->n, at, zl = strlen(origin);

	if (dnszone_fqdn(target, origin, fqdn, sizeof(fqdn)) == -1)
		return false;
	if (!dnszone_under(fqdn, origin))
		return true;
	if (strlen(fqdn) == zl)
		snprintf(rel, sizeof(rel), "@");
	else
		snprintf(rel, sizeof(rel), "%.*s", (int)(strlen(fqdn) - zl - 1), fqdn);
	while (lo < hi) {
		at = lo + (hi - lo) / 2;
		if (strcasecmp(rs->list[at].name, rel) < 0)
			lo = at + 1;
		else
			hi = at;
	}
	for (; lo < rs->n && strcasecmp(rs->list[lo].name, rel) == 0; lo++)
		if (rs->list[lo].type[0] == 'A' && render_bind_record_ok(&rs->list[lo]))
			return true;
	return false;
}

/* The zone's SOA, NS and records in name, type, value order: the same plan, the same file.
 * What the API guarantees (an in-zone name server or MX/SRV target has an address) is checked
 * again against a hand edit: such a name server gives way to one outside every zone, and such
 * a record is left out. */
static int
render_bind_forward(struct render_ctx *c, const char *zone, struct sbuf *out,
    struct api_err *err)
{
	struct dnszone_records rs;
	struct dnszone_record *r;
	struct render_bind_soa soa;
	long long id = 0;
	size_t i;
	int rc;

	if ((rc = render_bind_zone(c, zone, &id, &soa, err)) == -1)
		return -1;
	if (rc == 0)
		return api_err_set(err, 404, "no dns-zone named %s", zone);
	if (dnszone_record_list(c->db, id, &rs, err) == -1) {
		dnszone_record_list_free(&rs);
		return -1;
	}
	if (rs.n > 0)
		qsort(rs.list, rs.n, sizeof(*rs.list), render_bind_cmp);
	if (!dnsname_valid_target(soa.mname) || !render_bind_addressed(&rs, soa.origin, soa.mname))
		snprintf(soa.mname, sizeof(soa.mname), "localhost.");
	render_bind_head(out, &soa);
	for (i = 0; i < rs.n; i++) {
		r = &rs.list[i];
		if ((strcmp(r->type, "MX") == 0 || strcmp(r->type, "SRV") == 0) &&
		    render_bind_record_ok(r) && !render_bind_addressed(&rs, soa.origin,
		    strrchr(r->value, ' ') + 1))
			continue;
		render_bind_record(out, r);
	}
	dnszone_record_list_free(&rs);
	return 0;
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
	char forward[256], full[DNSZONE_NAME_MAX + 2];
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
	/* Absolute: relative names were relative to the forward zone. */
	if (dnsname_valid_target(fz.mname) && dnszone_fqdn(fz.mname, forward, full,
	    sizeof(full)) == 0)
		snprintf(soa->mname, sizeof(soa->mname), "%s.", full);
	if (dnsname_valid_target(fz.rname) && dnszone_fqdn(fz.rname, forward, full,
	    sizeof(full)) == 0)
		snprintf(soa->rname, sizeof(soa->rname), "%s.", full);
	return 0;
}

/* Whether the plan knows the network lo..hi: a prefix overlaps it, or a zone has its
 * reverse name. 1, 0, or -1. */
static int
render_bind_known(struct render_ctx *c, const unsigned char *lo, const unsigned char *hi,
    const char *zone, struct api_err *err)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM prefixes WHERE first_key <= ?2 "
	    "AND last_key >= ?1) OR EXISTS (SELECT 1 FROM dns_zones WHERE name = ?3)";
	sqlite3_stmt *st;
	int rc, known = 0;

	if ((st = db_stmt(c->db, sql)) == NULL)
		return db_fail(c->db, err, "reading prefixes");
	sqlite3_bind_blob(st, 1, lo, IPADDR_KEYLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hi, IPADDR_KEYLEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, zone, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		known = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? known : db_fail(c->db, err, "reading prefixes");
}

/* The stored records of a stored reverse zone (a PTR for an address without a name, a CNAME of
 * a classless delegation), in name, type, value order, after the PTRs of the addresses. */
static int
render_bind_reverse_stored(struct render_ctx *c, long long id, struct sbuf *out,
    struct api_err *err)
{
	struct dnszone_records rs;
	size_t i;
	int rc;

	if ((rc = dnszone_record_list(c->db, id, &rs, err)) == 0) {
		if (rs.n > 0)
			qsort(rs.list, rs.n, sizeof(*rs.list), render_bind_cmp);
		for (i = 0; i < rs.n; i++)
			if (!rs.list[i].derived)
				render_bind_record(out, &rs.list[i]);
	}
	dnszone_record_list_free(&rs);
	return rc;
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
	/* A network the plan does not know is a mistake (a typo), not an empty zone. */
	if ((stored = render_bind_known(c, lo, hi, zone, err)) != 1) {
		if (stored == 0)
			api_err_set(err, 404, "no prefix of the plan overlaps %s and no zone is "
			    "named %s", cidr, zone);
		goto out;
	}
	if ((st = db_stmt(c->db, sql)) == NULL) {
		db_fail(c->db, err, "reading addresses");
		goto out;
	}
	sqlite3_bind_blob(st, 1, lo, IPADDR_KEYLEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hi, IPADDR_KEYLEN, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (ipaddr_parse((const char *)sqlite3_column_text(st, 0), &a) == -1 ||
		    ipaddr_reverse_name(&a, rev, sizeof(rev)) == -1 ||
		    !dnsname_valid((const char *)sqlite3_column_text(st, 1)))
			continue;
		if (first == NULL)
			first = xstrdup((const char *)sqlite3_column_text(st, 1));
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
	/* A reverse zone holds no addresses: its name server must be outside it. */
	if (!dnsname_valid_target(soa.mname) || dnszone_fqdn(soa.mname, zone, rev,
	    sizeof(rev)) == -1 || dnszone_under(rev, zone))
		snprintf(soa.mname, sizeof(soa.mname), "localhost.");
	render_bind_head(out, &soa);
	sbuf_append(out, sbuf_str(&ptrs), ptrs.len);
	if (stored == 1 && render_bind_reverse_stored(c, id, out, err) == -1)
		goto out;
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
