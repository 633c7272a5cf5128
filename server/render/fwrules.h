/* The firewall model (domain/firewall.h) as a packet filter of one host sees it: each side of a
 * rule as an interface (when the host has one into the VLAN) and as address sets per family,
 * names and comments made safe for the filters' syntax; shared by the nftables, iptables and
 * ufw targets. */
#ifndef NETSOT_RENDER_FWRULES_H
#define NETSOT_RENDER_FWRULES_H

#include <jansson.h>
#include <stdbool.h>

#include "firewall.h"
#include "render/host.h"
#include "vec.h"

struct api_err;
struct db;

struct fw_side {
	bool any;                        /* no selector */
	char ifname[RENDER_IFNAME_MAX];  /* the host's interface into the side's VLAN, or "" */
	json_t *v4, *v6;                 /* CIDR strings (arrays, owned); empty: none */
};

/* What the settings and the host's kind say for its packet filter. */
struct fw_policy {
	bool router;              /* a router gets the forward policy; others forward nothing */
	bool log;                 /* log what the default action denies */
	char forward[8], input[8];  /* default actions: accept, drop, reject */
};

struct fw_rule {
	const struct firewall_rule *rule;   /* the model's rule */
	char name[72];                   /* letters, digits, '-', '_', '.' only */
	char description[256];           /* control characters replaced by spaces */
	const char *action;              /* accept, drop, reject */
	const char *protocol;            /* any, tcp, udp, icmp */
	char ports[208];                 /* "22", "80,443", "5404-5412" or "" */
	bool log;
	struct fw_side src, dst;
};

struct fw_rules {
	struct firewall model;
	VEC(struct fw_rule) v;
};

int render_fwrules_policy(struct db *db, long long host_id, struct fw_policy *p,
    struct api_err *err);
/* The enabled rules of a scope in the order they apply; input rules only those protecting
 * host_id. Interfaces are the host's. */
int render_fwrules_load(struct db *db, const char *scope, long long host_id,
    struct fw_rules *out, struct api_err *err);
void render_fwrules_free(struct fw_rules *rules);
/* Whether a rule can match packets of a family (4 or 6), given its address sets. */
bool render_fwrules_family(const struct fw_rule *r, int family);
/* Whether a rule names any address at all (else it is family-neutral). */
bool render_fwrules_has_addresses(const struct fw_rule *r);

#endif
