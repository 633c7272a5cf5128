/* Debian/Proxmox /etc/network/interfaces for ifupdown2, the router's and the hypervisors' real
 * configuration: each port by its kernel name (ifname); the bridges its ports are in, VLAN-aware
 * when a member or a VLAN interface on top carries a VLAN (an access port with bridge-access,
 * a trunk with bridge-vids and its native VLAN as bridge-pvid, the bridge with every VLAN it
 * carries); VLAN interfaces (NAME.VID) with the plan's addresses; WAN ports with their
 * addresses, or DHCP from the provider when the plan gives them none; and the default gateway
 * on the interface of the host's primary address. Unused ports are left out, as comments. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "ipaddr.h"
#include "render/host.h"
#include "sbuf.h"
#include "vec.h"
#include "xmalloc.h"

/* Also the order of the stanzas: a VLAN comes after the device it rides. */
enum render_if_kind { RIF_PORT, RIF_BRIDGE, RIF_OTHER, RIF_VLAN };

struct render_if {
	char name[RENDER_IFNAME_MAX];
	enum render_if_kind kind;
	char note[200];            /* a comment line above the stanza, or "" */
	json_t *members;           /* a bridge's bridge-ports */
	json_t *vids;              /* a bridge's VLANs; a trunk member's tagged VLANs (integers) */
	json_t *v4, *v6;           /* "address/len" */
	char gw4[IPADDR_STRLEN], gw6[IPADDR_STRLEN];
	char bridge[RENDER_IFNAME_MAX];   /* a port: the bridge it is in, or "" */
	bool trunk;                /* a port: carries tagged VLANs */
	long long vid;             /* a port: its untagged VLAN's VID (bridge-access, bridge-pvid) */
	bool wan;                  /* a port: to a provider, DHCP when the plan gives no address */
	size_t seq;                /* the order it was met in: ports keep their plan's order */
};

struct render_ifs {
	VEC(struct render_if) ifs;
	struct sbuf notes;         /* what was left out, as comments */
};

static struct render_if *
render_interfaces_find(struct render_ifs *ifs, const char *name)
{
	size_t i;

	for (i = 0; i < ifs->ifs.n; i++)
		if (strcmp(ifs->ifs.v[i].name, name) == 0)
			return &ifs->ifs.v[i];
	return NULL;
}

static struct render_if *
render_interfaces_get(struct render_ifs *ifs, const char *name, enum render_if_kind kind)
{
	struct render_if *f;

	if ((f = render_interfaces_find(ifs, name)) != NULL)
		return f;
	f = vec_push_zero(&ifs->ifs);
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->kind = kind;
	f->seq = ifs->ifs.n;
	f->members = json_array();
	f->vids = json_array();
	f->v4 = json_array();
	f->v6 = json_array();
	return f;
}

/* A physical port name: an interface name without the dot that would make it a VLAN. */
static bool
render_interfaces_port_ok(const char *name)
{
	return render_host_ifname_ok(name) && strchr(name, '.') == NULL;
}

/* A comment's text: one line, and nothing ifupdown2's templates would run (its Mako reads
 * ${...} and <%...%> anywhere in the file, comments too, when templates are on). */
static void
render_interfaces_comment(const char *in, char *out, size_t len)
{
	char *o;
	const char *p;

	render_comment(in, out, len);
	for (p = o = out; *p != '\0'; p++)
		if (*p != '$' && *p != '<')
			*o++ = *p;
	*o = '\0';
}

/* "LABEL; description; connected to", each part only when it says something. */
static void
render_interfaces_note(char *dst, size_t len, const char *ifname, const char *label,
    const char *desc, const char *conn)
{
	struct sbuf sb;

	sbuf_init(&sb, 0);
	if (strcmp(label, ifname) != 0)
		sbuf_puts(&sb, label);
	if (*desc != '\0')
		sbuf_printf(&sb, "%s%s", sb.len ? "; " : "", desc);
	if (*conn != '\0')
		sbuf_printf(&sb, "%s%s", sb.len ? "; " : "", conn);
	render_interfaces_comment(sbuf_failed(&sb) ? "" : sbuf_str(&sb), dst, len);
	sbuf_free(&sb);
}

static void
render_interfaces_add_vid(json_t *vids, long long vid)
{
	json_t *v;
	size_t i;

	json_array_foreach(vids, i, v)
		if (json_integer_value(v) == vid)
			return;
	json_array_append_new(vids, json_integer(vid));
}

static int
render_interfaces_ports(struct render_ctx *c, struct render_ifs *ifs, struct api_err *err)
{
	static const char sql[] = "SELECT p.ifname, p.name, p.mode, p.bridge, p.connected_to, "
	    "p.description, (SELECT json_group_array(vid) FROM (SELECT v.vid FROM "
	    "port_tagged_vlans t JOIN vlans v ON v.id = t.vlan_id WHERE t.port_id = p.id "
	    "ORDER BY v.vid)), (SELECT v.vid FROM vlans v WHERE v.id = p.untagged_vlan_id) "
	    "FROM ports p WHERE p.host_id = ? ORDER BY p.id";
	const char *name, *label, *mode, *bridge;
	struct render_if *port, *br, *vl;
	char vname[64], lname[80];
	json_t *vids, *v;
	sqlite3_stmt *st;
	long long vid;
	size_t i;
	int rc;

	if ((st = db_stmt(c->db, sql)) == NULL)
		return db_fail(c->db, err, "reading ports");
	sqlite3_bind_int64(st, 1, c->host_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		label = (const char *)sqlite3_column_text(st, 1);
		mode = (const char *)sqlite3_column_text(st, 2);
		bridge = (const char *)sqlite3_column_text(st, 3);
		vid = sqlite3_column_type(st, 7) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 7);
		if (strcmp(mode, "unused") == 0 || !render_interfaces_port_ok(name)) {
			render_interfaces_comment(name, vname, sizeof(vname));
			render_interfaces_comment(label, lname, sizeof(lname));
			sbuf_printf(&ifs->notes, "# port %s (%s): %s\n", vname, lname,
			    strcmp(mode, "unused") == 0 ? "unused" :
			    "not a Linux interface name, left out");
			continue;
		}
		port = render_interfaces_get(ifs, name, RIF_PORT);
		render_interfaces_note(port->note, sizeof(port->note), name, label,
		    (const char *)sqlite3_column_text(st, 5), (const char *)sqlite3_column_text(st,
		    4));
		port->vid = vid;
		port->wan = strcmp(mode, "wan") == 0;
		port->trunk = strcmp(mode, "trunk") == 0;
		vids = json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL);
		if (port->wan && *bridge != '\0') {
			/* A provider's link never joins a LAN bridge. */
			sbuf_printf(&ifs->notes, "# port %s: a WAN port, kept out of bridge %s\n",
			    name, render_interfaces_port_ok(bridge) ? bridge : "(not an interface name)");
		} else if (render_interfaces_port_ok(bridge) && strcmp(bridge, name) != 0) {
			br = render_interfaces_get(ifs, bridge, RIF_BRIDGE);
			br->kind = RIF_BRIDGE;
			port = render_interfaces_find(ifs, name);   /* the get may have moved it */
			snprintf(port->bridge, sizeof(port->bridge), "%s", bridge);
			json_array_append_new(br->members, json_string(name));
			if (vid != 0)
				render_interfaces_add_vid(br->vids, vid);
			json_array_foreach(vids, i, v) {
				render_interfaces_add_vid(br->vids, json_integer_value(v));
				if (port->trunk)
					render_interfaces_add_vid(port->vids, json_integer_value(v));
			}
		} else if (port->trunk) {
			json_array_foreach(vids, i, v) {
				snprintf(vname, sizeof(vname), "%s.%lld", name,
				    (long long)json_integer_value(v));
				if (render_host_ifname_ok(vname)) {
					vl = render_interfaces_get(ifs, vname, RIF_VLAN);
					vl->kind = RIF_VLAN;
				}
			}
		}
		json_decref(vids);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(c->db, err, "reading ports");
}

/* ifupdown2 allows one VLAN-aware bridge (multiple_vlan_aware_bridge_support=0 in Debian's
 * ifupdown2.conf): the one carrying the most VLANs (the first met of those) stays so; any other
 * becomes a plain bridge, said in a comment. */
static void
render_interfaces_one_aware(struct render_ifs *ifs)
{
	struct render_if *f, *aware = NULL;
	char vids[256];
	json_t *v;
	size_t i, j, n;

	for (i = 0; i < ifs->ifs.n; i++) {
		f = &ifs->ifs.v[i];
		if (f->kind == RIF_BRIDGE && json_array_size(f->vids) > 0 && (aware == NULL ||
		    json_array_size(f->vids) > json_array_size(aware->vids)))
			aware = f;
	}
	for (i = 0; i < ifs->ifs.n; i++) {
		f = &ifs->ifs.v[i];
		if (f == aware || f->kind != RIF_BRIDGE || json_array_size(f->vids) == 0)
			continue;
		vids[0] = '\0';
		json_array_foreach(f->vids, j, v) {
			n = strlen(vids);
			if (n + 8 < sizeof(vids))
				snprintf(vids + n, sizeof(vids) - n, " %lld",
				    (long long)json_integer_value(v));
		}
		sbuf_printf(&ifs->notes, "# bridge %s: not VLAN-aware, ifupdown2 allows one VLAN-aware "
		    "bridge (%s); VLANs not carried:%s\n", f->name, aware->name, vids);
		json_array_clear(f->vids);
	}
}

/* A VLAN interface on a bridge (br0.20) makes the bridge carry its VLAN. */
static void
render_interfaces_vlans_on_bridges(struct render_ifs *ifs)
{
	struct render_if *f, *br;
	char raw[RENDER_IFNAME_MAX];
	const char *dot;
	char *end;
	long long vid;
	size_t i;

	for (i = 0; i < ifs->ifs.n; i++) {
		f = &ifs->ifs.v[i];
		if (f->kind != RIF_VLAN || (dot = strrchr(f->name, '.')) == NULL)
			continue;
		vid = strtoll(dot + 1, &end, 10);
		if (*end != '\0' || vid < 1 || vid > 4094)
			continue;
		snprintf(raw, sizeof(raw), "%.*s", (int)(dot - f->name), f->name);
		if ((br = render_interfaces_find(ifs, raw)) != NULL && br->kind == RIF_BRIDGE)
			render_interfaces_add_vid(br->vids, vid);
	}
}

static int
render_interfaces_addresses(struct render_ctx *c, struct render_ifs *ifs, struct api_err *err)
{
	static const char sql[] = "SELECT a.address, a.interface, p.prefix, p.gateway "
	    "FROM ip_addresses a JOIN prefixes p ON p.id = a.prefix_id WHERE a.host_id = ? "
	    "ORDER BY a.addr_key";
	char primary[IPADDR_STRLEN] = "", text[IPNET_STRLEN];
	const char *address, *ifname, *gw;
	struct render_if *f;
	struct ipnet n;
	sqlite3_stmt *st;
	int rc;

	if ((rc = render_host_primary(c->db, c->host_id, primary, sizeof(primary), err)) == -1)
		return -1;
	if ((st = db_stmt(c->db, sql)) == NULL)
		return db_fail(c->db, err, "reading addresses");
	sqlite3_bind_int64(st, 1, c->host_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		address = (const char *)sqlite3_column_text(st, 0);
		ifname = (const char *)sqlite3_column_text(st, 1);
		gw = (const char *)sqlite3_column_text(st, 3);
		if (!render_host_ifname_ok(ifname)) {
			render_comment(address, text, sizeof(text));
			sbuf_printf(&ifs->notes, "# address %s: %s\n", text, *ifname ?
			    "its interface is not a Linux interface name" : "names no interface");
			continue;
		}
		if (ipnet_parse((const char *)sqlite3_column_text(st, 2), &n) == -1)
			continue;
		f = render_interfaces_get(ifs, ifname, strchr(ifname, '.') ? RIF_VLAN : RIF_OTHER);
		snprintf(text, sizeof(text), "%s/%d", address, n.len);
		json_array_append_new(n.addr.family == 4 ? f->v4 : f->v6, json_string(text));
		/* One default route: through the primary address's gateway, never itself. */
		if (strcmp(address, primary) == 0 && gw != NULL && strcmp(gw, address) != 0)
			snprintf(n.addr.family == 4 ? f->gw4 : f->gw6, IPADDR_STRLEN, "%s", gw);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(c->db, err, "reading addresses");
}

static int
render_interfaces_vid_cmp(const void *a, const void *b)
{
	long long x = json_integer_value(*(json_t *const *)a);
	long long y = json_integer_value(*(json_t *const *)b);

	return x < y ? -1 : x > y;
}

static void
render_interfaces_vids(struct sbuf *out, const char *key, json_t *vids)
{
	json_t *sorted[4096], *v;
	size_t i, n = 0;

	json_array_foreach(vids, i, v)
		if (n < 4096)
			sorted[n++] = v;
	if (n == 0)
		return;
	qsort(sorted, n, sizeof(*sorted), render_interfaces_vid_cmp);
	sbuf_printf(out, "\t%s", key);
	for (i = 0; i < n; i++)
		if (i == 0 || json_integer_value(sorted[i]) != json_integer_value(sorted[i - 1]))
			sbuf_printf(out, " %lld", (long long)json_integer_value(sorted[i]));
	sbuf_putc(out, '\n');
}

/* The options only the first stanza of an interface carries. */
static void
render_interfaces_options(struct sbuf *out, struct render_ifs *ifs, const struct render_if *f)
{
	const struct render_if *br;
	const char *dot;
	json_t *v;
	size_t i;

	if (f->kind == RIF_BRIDGE) {
		sbuf_puts(out, "\tbridge-ports");
		json_array_foreach(f->members, i, v)
			sbuf_printf(out, " %s", json_string_value(v));
		if (json_array_size(f->members) == 0)
			sbuf_puts(out, " none");
		sbuf_puts(out, "\n\tbridge-stp off\n\tbridge-fd 0\n");
		if (json_array_size(f->vids) > 0) {
			sbuf_puts(out, "\tbridge-vlan-aware yes\n");
			render_interfaces_vids(out, "bridge-vids", f->vids);
		}
	} else if (f->kind == RIF_PORT && f->bridge[0] != '\0' &&
	    (br = render_interfaces_find(ifs, f->bridge)) != NULL &&
	    json_array_size(br->vids) > 0) {
		/* A member of a VLAN-aware bridge says what it carries, so that it never takes
		 * the bridge's whole list: a trunk its tagged VLANs and its native one, an access
		 * port its one VLAN (the bridge's untagged VLAN 1 when the plan gives none). */
		if (f->trunk) {
			render_interfaces_vids(out, "bridge-vids", f->vids);
			if (f->vid != 0)
				sbuf_printf(out, "\tbridge-pvid %lld\n", f->vid);
		} else {
			sbuf_printf(out, "\tbridge-access %lld\n", f->vid != 0 ? f->vid : 1);
		}
	} else if (f->kind == RIF_VLAN && (dot = strrchr(f->name, '.')) != NULL) {
		sbuf_printf(out, "\tvlan-raw-device %.*s\n", (int)(dot - f->name), f->name);
	}
}

static void
render_interfaces_stanzas(struct sbuf *out, struct render_ifs *ifs, const struct render_if *f)
{
	bool first = true, bare = json_array_size(f->v4) + json_array_size(f->v6) == 0;
	json_t *v;
	size_t i;

	sbuf_putc(out, '\n');
	if (f->note[0] != '\0')
		sbuf_printf(out, "# %s: %s\n", f->name, f->note);
	/* A bare port is a bridge member or a VLAN's raw device: up with them, no address. A
	 * WAN port without an address asks its provider by DHCP. */
	if (!(bare && f->kind == RIF_PORT && !f->wan))
		sbuf_printf(out, "auto %s\n", f->name);
	if (bare) {
		sbuf_printf(out, "iface %s inet %s\n", f->name, f->wan ? "dhcp" : "manual");
		render_interfaces_options(out, ifs, f);
		return;
	}
	json_array_foreach(f->v4, i, v) {
		sbuf_printf(out, "iface %s inet static\n\taddress %s\n", f->name,
		    json_string_value(v));
		if (first && f->gw4[0] != '\0')
			sbuf_printf(out, "\tgateway %s\n", f->gw4);
		if (first)
			render_interfaces_options(out, ifs, f);
		first = false;
	}
	json_array_foreach(f->v6, i, v) {
		sbuf_printf(out, "iface %s inet6 static\n\taddress %s\n", f->name,
		    json_string_value(v));
		if (i == 0 && f->gw6[0] != '\0')
			sbuf_printf(out, "\tgateway %s\n", f->gw6);
		if (first)
			render_interfaces_options(out, ifs, f);
		first = false;
	}
}

static int
render_interfaces_cmp(const void *a, const void *b)
{
	const struct render_if *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	/* Ports in the plan's order, bridges in the order their first members come: renaming
	 * one never moves it. */
	if (x->kind == RIF_PORT || x->kind == RIF_BRIDGE)
		return x->seq < y->seq ? -1 : x->seq > y->seq;
	return strcmp(x->name, y->name);
}

int
render_interfaces(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	struct render_ifs ifs;
	size_t i;
	int rc = -1;

	memset(&ifs, 0, sizeof(ifs));
	sbuf_init(&ifs.notes, 0);
	if (render_interfaces_ports(c, &ifs, err) == -1 ||
	    render_interfaces_addresses(c, &ifs, err) == -1)
		goto out;
	render_interfaces_vlans_on_bridges(&ifs);
	render_interfaces_one_aware(&ifs);
	/* Ports in the plan's order, bridges as their first members come, then other interfaces
	 * and VLANs in name order. */
	if (ifs.ifs.n > 1)   /* a host without interfaces has no list at all */
		qsort(ifs.ifs.v, ifs.ifs.n, sizeof(*ifs.ifs.v), render_interfaces_cmp);
	sbuf_puts(out, "auto lo\niface lo inet loopback\n");
	for (i = 0; i < ifs.ifs.n; i++)
		render_interfaces_stanzas(out, &ifs, &ifs.ifs.v[i]);
	if (ifs.notes.len > 0)
		sbuf_printf(out, "\n%s", sbuf_str(&ifs.notes));
	rc = 0;
out:
	for (i = 0; i < ifs.ifs.n; i++) {
		json_decref(ifs.ifs.v[i].members);
		json_decref(ifs.ifs.v[i].vids);
		json_decref(ifs.ifs.v[i].v4);
		json_decref(ifs.ifs.v[i].v6);
	}
	vec_free(&ifs.ifs);
	sbuf_free(&ifs.notes);
	return rc;
}
