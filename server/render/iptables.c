/* iptables-restore: the same policy as nftables, for IPv4 (the filter table). */
#include "render.h"

#include <string.h>

#include "apierr.h"
#include "portspec.h"
#include "render/fwrules.h"
#include "sbuf.h"

/* multiport takes 15 ports, a range counting as two. */
#define RENDER_IPTABLES_MULTIPORT 15

static void
render_iptables_side(struct sbuf *out, const struct fw_side *s, bool src)
{
	json_t *v;
	size_t i;

	if (s->any)
		return;
	if (s->ifname[0] != '\0') {
		sbuf_printf(out, " %s %s", src ? "-i" : "-o", s->ifname);
		return;
	}
	sbuf_printf(out, " %s ", src ? "-s" : "-d");
	json_array_foreach(s->v4, i, v)
		sbuf_printf(out, "%s%s", i ? "," : "", json_string_value(v));
}

/* One line per chunk of ports (multiport holds 15), the LOG twin first when the rule logs. */
static void
render_iptables_rule(struct sbuf *out, const char *chain, const struct fw_rule *r)
{
	static const struct {
		const char *action, *target;
	} verdicts[] = {
		{ .action = "accept", .target = "ACCEPT" },
		{ .action = "drop", .target = "DROP" },
		{ .action = "reject", .target = "REJECT" },
	};
	const char *verdict = "DROP", *why;
	struct sbuf match, ports;
	struct portspec ps;
	int i, used = 0, twin;
	size_t v;

	for (v = 0; v < sizeof(verdicts) / sizeof(verdicts[0]); v++)
		if (strcmp(r->action, verdicts[v].action) == 0)
			verdict = verdicts[v].target;
	sbuf_printf(out, "# %s%s%s\n", r->name, r->description[0] ? ": " : "", r->description);
	if (render_fwrules_has_addresses(r) && !render_fwrules_family(r, 4)) {
		sbuf_printf(out, "# (%s matches no IPv4 address on both sides: IPv6 only)\n",
		    r->name);
		return;
	}
	sbuf_init(&match, 0);
	sbuf_init(&ports, 0);
	sbuf_printf(&match, "-A %s", chain);
	render_iptables_side(&match, &r->src, true);
	render_iptables_side(&match, &r->dst, false);
	if (strcmp(r->protocol, "icmp") == 0)
		sbuf_puts(&match, " -p icmp");
	else if (strcmp(r->protocol, "any") != 0)
		sbuf_printf(&match, " -p %s", r->protocol);
	if (strcmp(r->protocol, "tcp") != 0 && strcmp(r->protocol, "udp") != 0)
		ps.n = 0;
	else if (r->ports[0] == '\0' || portspec_parse(r->ports, false, &ps, &why) == -1)
		ps.n = 0;
	for (i = 0; i <= ps.n; i++) {
		/* Flush a chunk when it is full or the ports are done. */
		if (i == ps.n || used + (ps.r[i].lo != ps.r[i].hi ? 2 : 1) >
		    RENDER_IPTABLES_MULTIPORT) {
			if (ps.n > 0 && ports.len == 0)
				break;
			for (twin = r->log ? 0 : 1; twin < 2; twin++) {
				sbuf_append(out, sbuf_str(&match), match.len);
				if (ports.len > 0)
					sbuf_printf(out, " -m multiport --dports %s", sbuf_str(&ports));
				sbuf_printf(out, " -m comment --comment \"%s\"", r->name);
				if (twin == 0)
					sbuf_printf(out, " -j LOG --log-prefix \"netsot %.20s: \"\n",
					    r->name);
				else
					sbuf_printf(out, " -j %s\n", verdict);
			}
			sbuf_reset(&ports);
			used = 0;
			if (i == ps.n)
				break;
		}
		sbuf_printf(&ports, "%s%u", ports.len ? "," : "", ps.r[i].lo);
		if (ps.r[i].hi != ps.r[i].lo)
			sbuf_printf(&ports, ":%u", ps.r[i].hi);
		used += ps.r[i].lo != ps.r[i].hi ? 2 : 1;
	}
	sbuf_free(&match);
	sbuf_free(&ports);
}

static const char *
render_iptables_policy(const char *action)
{
	return strcmp(action, "accept") == 0 ? "ACCEPT" : "DROP";
}

static int
render_iptables_chain(struct render_ctx *c, struct sbuf *out, const char *scope,
    const char *chain, const char *policy, bool log, bool rules, struct api_err *err)
{
	struct fw_rules list;
	size_t i;

	memset(&list, 0, sizeof(list));
	if (rules && render_fwrules_load(c->db, scope, c->host_id, &list, err) == -1)
		return -1;
	sbuf_printf(out, "-A %s -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n", chain);
	sbuf_printf(out, "-A %s -m conntrack --ctstate INVALID -j DROP\n", chain);
	if (strcmp(chain, "INPUT") == 0)
		sbuf_puts(out, "-A INPUT -i lo -j ACCEPT\n");
	if (!rules)
		sbuf_puts(out, "# not a router: it forwards nothing\n");
	for (i = 0; i < list.v.n; i++)
		render_iptables_rule(out, chain, &list.v.v[i]);
	if (!rules)
		policy = "drop";
	if (log && strcmp(policy, "accept") != 0)
		sbuf_printf(out, "-A %s -m limit --limit 10/min -j LOG --log-prefix "
		    "\"netsot %s denied: \"\n", chain, scope);
	if (strcmp(policy, "reject") == 0)
		sbuf_printf(out, "-A %s -j REJECT\n", chain);
	render_fwrules_free(&list);
	return 0;
}

int
render_iptables(struct render_ctx *c, struct sbuf *out, struct api_err *err)
{
	struct fw_policy p;

	if (render_fwrules_policy(c->db, c->host_id, &p, err) == -1)
		return -1;
	sbuf_printf(out, "*filter\n:INPUT %s [0:0]\n:FORWARD %s [0:0]\n:OUTPUT ACCEPT [0:0]\n",
	    render_iptables_policy(p.input), p.router ? render_iptables_policy(p.forward) : "DROP");
	if (render_iptables_chain(c, out, "input", "INPUT", p.input, p.log, true, err) == -1 ||
	    render_iptables_chain(c, out, "forward", "FORWARD", p.forward, p.log, p.router,
	    err) == -1)
		return -1;
	sbuf_puts(out, "COMMIT\n");
	return 0;
}
