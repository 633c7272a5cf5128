/* dnsmasq: the plan's names as host-record, cname, address (wildcards), mx-host, srv-host,
 * txt-record and ptr-record lines, and a dhcp-range for every DHCP prefix and range. */
#include "render.h"

#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "dnsname.h"
#include "dnszone.h"
#include "ipam.h"
#include "render/names.h"
#include "sbuf.h"

/* dnsmasq reads a line into 1,024 bytes and takes the rest of a longer one as a new line. */
#define RENDER_DNSMASQ_LINE 1024

/* An owner name dnsmasq takes: host-name labels, '_' and a leading "*." allowed. */
static bool
render_dnsmasq_name(const char *s)
{
	return dnsname_valid_owner(s) && strcmp(s, "@") != 0 && strcmp(s, "*") != 0;
}

/* A TXT value this syntax carries: the API's bound (so the line fits) and no control bytes,
 * which have no escape inside dnsmasq's quotes. The second wall against hand edits. */
static bool
render_dnsmasq_txt_ok(const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return dnszone_txt_len(v) <= DNSZONE_TXT_MAX;
}

static void
render_dnsmasq_host_record(struct sbuf *out, const struct sbuf *names, const char *addr)
{
	sbuf_puts(out, "host-record=");
	sbuf_append(out, sbuf_str(names), names->len);
	sbuf_puts(out, addr);
	sbuf_putc(out, '\n');
}

/* One host-record line per run of names that fits a line: dnsmasq takes several for one
 * address. */
static void
render_dnsmasq_names(struct sbuf *out, const struct render_names *rn)
{
	struct sbuf names;
	const char *name, *addr;
	size_t i, l, room;

	sbuf_init(&names, 0);
	sbuf_puts(out, "\n# Names of addresses\n");
	for (i = 0; i < rn->n; i++) {
		addr = rn->list[i].address;
		room = RENDER_DNSMASQ_LINE - strlen("host-record=,") - strlen(addr);
		sbuf_reset(&names);
		for (l = rn->list[i].head; l != 0; l = rn->items[l - 1].next) {
			name = rn->items[l - 1].name;
			/* A wildcard answers for every name below it but not for the name it
			 * hangs from: the pattern with its star, as the plain domain pattern
			 * matches that name too. */
			if (strncmp(name, "*.", 2) == 0 && dnsname_valid(name + 2)) {
				sbuf_printf(out, "address=/*.%s/%s\n", name + 2, addr);
				continue;
			}
			if (!dnsname_valid(name))
				continue;
			if (names.len + strlen(name) + 1 > room) {
				render_dnsmasq_host_record(out, &names, addr);
				sbuf_reset(&names);
			}
			/* The hot loop of a large plan: no printf. */
			sbuf_puts(&names, name);
			sbuf_putc(&names, ',');
		}
		if (names.len > 0)
			render_dnsmasq_host_record(out, &names, addr);
	}
	sbuf_free(&names);
}

/* TXT data as quoted strings of at most 255 bytes of the value each, joined by commas (which
 * dnsmasq makes separate strings, as BIND does with blanks); inside quotes ',' and '#' are
 * plain, and '"' and '\\' take a backslash. The value's length was bounded at write time so
 * that the line fits. */
static void
render_dnsmasq_txt(struct sbuf *out, const char *name, const char *v)
{
	size_t n;

	sbuf_printf(out, "txt-record=%s,\"", name);
	for (n = 0; *v != '\0'; v++, n++) {
		if (n == 255) {
			sbuf_puts(out, "\",\"");
			n = 0;
		}
		if (*v == '"' || *v == '\\')
			sbuf_putc(out, '\\');
		sbuf_putc(out, *v);
	}
	sbuf_puts(out, "\"\n");
}

static void
render_dnsmasq_records(struct sbuf *out, const struct render_names *rn)
{
	const char *type, *name, *value;
	unsigned a, b, port;
	char target[300], rest[300];
	json_t *r;
	size_t i;

	if (json_array_size(rn->cnames) + json_array_size(rn->records) == 0)
		return;
	sbuf_puts(out, "\n# Stored records\n");
	json_array_foreach(rn->cnames, i, r)
		if (render_dnsmasq_name(json_string_value(json_array_get(r, 0))) &&
		    dnsname_valid(json_string_value(json_array_get(r, 1))))
			sbuf_printf(out, "cname=%s,%s\n", json_string_value(json_array_get(r, 0)),
			    json_string_value(json_array_get(r, 1)));
	json_array_foreach(rn->records, i, r) {
		type = json_string_value(json_array_get(r, 0));
		name = json_string_value(json_array_get(r, 1));
		value = json_string_value(json_array_get(r, 2));
		/* Names are checked at write time; this keeps a hand-edited one out of the file. */
		if (!render_dnsmasq_name(name))
			continue;
		if (strcmp(type, "TXT") == 0) {
			if (render_dnsmasq_txt_ok(value))
				render_dnsmasq_txt(out, name, value);
			continue;
		}
		*target = '\0';
		if ((strcmp(type, "MX") == 0 && sscanf(value, "%5u %299s", &a, rest) == 2) ||
		    (strcmp(type, "SRV") == 0 && sscanf(value, "%5u %5u %5u %299s", &a, &b, &port,
		    rest) == 4))
			render_names_fqdn(rest, json_string_value(json_array_get(r, 3)), target,
			    sizeof(target));
		else if (strcmp(type, "PTR") == 0)
			render_names_fqdn(value, json_string_value(json_array_get(r, 3)), target,
			    sizeof(target));
		if (!dnsname_valid(target))
			continue;
		if (strcmp(type, "MX") == 0)
			sbuf_printf(out, "mx-host=%s,%s,%u\n", name, target, a);
		else if (strcmp(type, "SRV") == 0)
			sbuf_printf(out, "srv-host=%s,%s,%u,%u,%u\n", name, target, port, a, b);
		else
			sbuf_printf(out, "ptr-record=%s,%s\n", name, target);
	}
}

/* One pool: its first and last address, the mask or prefix length, and a tag named after its
 * first address (stable whatever the ids) that gives it its router. */
static void
render_dnsmasq_range(struct sbuf *out, const struct ipnet *n, const struct ipaddr *lo,
    const struct ipaddr *hi, const char *gateway)
{
	char a[IPADDR_STRLEN], b[IPADDR_STRLEN], mask[IPADDR_STRLEN], tag[64];
	struct ipaddr m;
	size_t i;

	ipaddr_format(lo, a, sizeof(a));
	ipaddr_format(hi, b, sizeof(b));
	snprintf(tag, sizeof(tag), "pool-%s", a);
	for (i = 0; tag[i] != '\0'; i++)
		if (tag[i] == '.' || tag[i] == ':')
			tag[i] = '-';
	if (n->addr.family == 4) {
		ipnet_mask(n, &m);
		ipaddr_format(&m, mask, sizeof(mask));
		sbuf_printf(out, "dhcp-range=set:%s,%s,%s,%s,12h\n", tag, a, b, mask);
	} else {
		sbuf_printf(out, "dhcp-range=set:%s,%s,%s,%d,12h\n", tag, a, b, n->len);
	}
	if (gateway != NULL && n->addr.family == 4)
		sbuf_printf(out, "dhcp-option=tag:%s,option:router,%s\n", tag, gateway);
}

static int
render_dnsmasq_dhcp(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	/* Ranges marked for DHCP, then whole prefixes marked for it that hold no such range. */
	static const char sql[] = "SELECT r.start_key, p.prefix, r.start_address, "
	    "r.end_address, p.gateway, 0 FROM ip_ranges r JOIN prefixes p ON p.id = r.prefix_id "
	    "WHERE r.dhcp = 1 UNION ALL SELECT p.first_key, p.prefix, NULL, NULL, p.gateway, "
	    "1 FROM prefixes p WHERE p.dhcp = 1 AND NOT EXISTS (SELECT 1 FROM ip_ranges r "
	    "WHERE r.prefix_id = p.id AND r.dhcp = 1) ORDER BY 1";
	struct ipaddr lo, hi;
	struct ipnet n;
	sqlite3_stmt *st;
	int rc, count = 0;
	const char *gw;

	if ((st = db_stmt(c->db, sql)) == NULL)
		return db_fail(c->db, err, "reading DHCP ranges");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (ipnet_parse((const char *)sqlite3_column_text(st, 1), &n) == -1)
			continue;
		if (sqlite3_column_int(st, 5)) {
			if (ipam_usable(&n, &lo, &hi) == -1)
				continue;
		} else if (ipaddr_parse((const char *)sqlite3_column_text(st, 2), &lo) == -1 ||
		    ipaddr_parse((const char *)sqlite3_column_text(st, 3), &hi) == -1) {
			continue;
		}
		if (count++ == 0)
			sbuf_puts(out, "\n# DHCP pools\n");
		gw = (const char *)sqlite3_column_text(st, 4);
		render_dnsmasq_range(out, &n, &lo, &hi, gw);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(c->db, err, "reading DHCP ranges");
}

int
render_dnsmasq(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	struct render_names rn;
	int rc = -1;

	if (render_names_load(c->db, &rn, err) == -1)
		goto out;
	render_dnsmasq_names(out, &rn);
	render_dnsmasq_records(out, &rn);
	if (render_dnsmasq_dhcp(c, out, err) == -1)
		goto out;
	rc = 0;
out:
	render_names_free(&rn);
	return rc;
}
