/* nftables: one inet table, a forward chain (for routers) and an input chain, for nft -f. */
#include "render.h"

#include <string.h>

#include "apierr.h"
#include "db.h"
#include "portspec.h"
#include "render/fwrules.h"
#include "sbuf.h"

static void
render_nftables_set(struct sbuf *out, const char *what, json_t *list)
{
	json_t *v;
	size_t i;

	sbuf_printf(out, " %s ", what);
	if (json_array_size(list) == 1) {
		sbuf_puts(out, json_string_value(json_array_get(list, 0)));
		return;
	}
	sbuf_puts(out, "{ ");
	json_array_foreach(list, i, v)
		sbuf_printf(out, "%s%s", i ? ", " : "", json_string_value(v));
	sbuf_puts(out, " }");
}

static void
render_nftables_side(struct sbuf *out, const struct fw_side *s, bool src, int family)
{
	if (s->any)
		return;
	if (s->ifname[0] != '\0') {
		sbuf_printf(out, " %s \"%s\"", src ? "iifname" : "oifname", s->ifname);
		return;
	}
	render_nftables_set(out, family == 4 ? (src ? "ip saddr" : "ip daddr") :
	    (src ? "ip6 saddr" : "ip6 daddr"), family == 4 ? s->v4 : s->v6);
}

static void
render_nftables_proto(struct sbuf *out, const struct fw_rule *r, int family)
{
	struct portspec ps;
	const char *why;
	int i;

	if (strcmp(r->protocol, "icmp") == 0) {
		sbuf_puts(out, family == 4 ? " meta l4proto icmp" : family == 6 ?
		    " meta l4proto ipv6-icmp" : " meta l4proto { icmp, ipv6-icmp }");
		return;
	}
	if (strcmp(r->protocol, "any") == 0)
		return;
	if (r->ports[0] == '\0' || portspec_parse(r->ports, false, &ps, &why) == -1) {
		sbuf_printf(out, " meta l4proto %s", r->protocol);
		return;
	}
	sbuf_printf(out, " %s dport ", r->protocol);
	if (ps.n > 1)
		sbuf_puts(out, "{ ");
	for (i = 0; i < ps.n; i++) {
		sbuf_printf(out, "%s%u", i ? ", " : "", ps.r[i].lo);
		if (ps.r[i].hi != ps.r[i].lo)
			sbuf_printf(out, "-%u", ps.r[i].hi);
	}
	if (ps.n > 1)
		sbuf_puts(out, " }");
}

static void
render_nftables_rule(struct sbuf *out, const struct fw_rule *r)
{
	static const int families[] = { 4, 6 };
	const char *name = r->name;
	struct sbuf line;
	size_t f;
	int emitted = 0;

	sbuf_printf(out, "\t\t# %s%s%s\n", name, r->description[0] ? ": " : "", r->description);
	for (f = 0; f < 2; f++) {
		int family = render_fwrules_has_addresses(r) ? families[f] : 0;

		if (family != 0 && !render_fwrules_family(r, family))
			continue;
		/* Each part starts with a space; the line does not. */
		sbuf_init(&line, 0);
		render_nftables_side(&line, &r->src, true, family);
		render_nftables_side(&line, &r->dst, false, family);
		render_nftables_proto(&line, r, family);
		if (r->log)
			sbuf_printf(&line, " log prefix \"netsot %s: \"", name);
		sbuf_printf(&line, " %s comment \"%s\"\n", r->action, name);
		sbuf_printf(out, "\t\t%s", sbuf_str(&line) + 1);
		sbuf_free(&line);
		emitted++;
		if (family == 0)
			break;
	}
	if (emitted == 0)
		sbuf_printf(out, "\t\t# (%s matches no address of one family on both sides)\n",
		    name);
}

/* policy is the setting; reject, which a chain cannot have as policy, drops after a final
 * reject rule. */
static void
render_nftables_chain_end(struct sbuf *out, const char *chain, const char *policy, bool log)
{
	if (log && strcmp(policy, "accept") != 0)
		sbuf_printf(out, "\t\tlog prefix \"netsot %s denied: \" level info\n", chain);
	if (strcmp(policy, "reject") == 0)
		sbuf_puts(out, "\t\treject\n");
	sbuf_puts(out, "\t}\n");
}

static int
render_nftables_chain(struct render_ctx *c, struct sbuf *out, const char *chain,
    const char *policy, bool log, bool rules, struct api_err *err)
{
	struct fw_rules list;
	size_t i;

	memset(&list, 0, sizeof(list));
	if (rules && render_fwrules_load(c->db, chain, c->host_id, &list, err) == -1)
		return -1;
	sbuf_printf(out, "\tchain %s {\n\t\ttype filter hook %s priority filter; policy %s;\n",
	    chain, chain, strcmp(policy, "accept") == 0 ? "accept" : "drop");
	sbuf_puts(out, "\t\tct state established,related accept\n\t\tct state invalid drop\n");
	if (strcmp(chain, "input") == 0)
		sbuf_puts(out, "\t\tiif \"lo\" accept\n");
	if (!rules)
		sbuf_puts(out, "\t\t# not a router: it forwards nothing\n");
	for (i = 0; i < list.v.n; i++)
		render_nftables_rule(out, &list.v.v[i]);
	render_nftables_chain_end(out, chain, rules ? policy : "drop", log);
	render_fwrules_free(&list);
	return 0;
}

int
render_nftables(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	struct fw_policy p;

	if (render_fwrules_policy(c->db, c->host_id, &p, err) == -1)
		return -1;
	/* Replaces the table atomically: create it if missing, delete it, define it anew. */
	sbuf_puts(out, "table inet netsot\ndelete table inet netsot\n\ntable inet netsot {\n");
	if (render_nftables_chain(c, out, "forward", p.forward, p.log, p.router, err) == -1)
		return -1;
	sbuf_putc(out, '\n');
	if (render_nftables_chain(c, out, "input", p.input, p.log, true, err) == -1)
		return -1;
	sbuf_puts(out, "}\n");
	return 0;
}
