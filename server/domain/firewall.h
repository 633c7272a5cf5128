/* The firewall model: the enabled rules of the plan in the order they apply, each side resolved
 * from its selector to the networks it names. Built once from the database and read by the
 * validation (shadowing, unreachable services) and by the nftables, iptables and ufw renders,
 * so the meaning of a rule is written in one place. */
#ifndef NETSOT_FIREWALL_H
#define NETSOT_FIREWALL_H

#include <stdbool.h>

#include "ipaddr.h"
#include "portspec.h"
#include "vec.h"

struct api_err;
struct db;

enum firewall_sel { FW_ANY, FW_VLAN, FW_PREFIX, FW_HOST, FW_CIDR };

struct firewall_net {
	struct ipnet net;
	char text[IPNET_STRLEN];   /* as stored; an address made a /32 or /128 */
};

struct firewall_side {
	enum firewall_sel sel;
	long long ref;             /* the VLAN, prefix or host of the selector */
	VEC(struct firewall_net) nets;   /* what it names; empty for FW_ANY */
};

struct firewall_rule {
	long long id;
	bool input;                /* scope input (on dst_host), else forward */
	char *name, *description, *ports;   /* as stored */
	const char *action;        /* accept, drop, reject */
	const char *protocol;      /* any, tcp, udp, icmp */
	bool ports_ok;             /* ports parsed into ps ("" is every port) */
	struct portspec ps;
	bool log;
	struct firewall_side src, dst;
};

struct firewall {
	VEC(struct firewall_rule) rules;
};

/* The enabled rules by scope, priority and id; scope NULL for both, host non-zero for only
 * the input rules protecting it. */
int firewall_load(struct db *db, const char *scope, long long host, struct firewall *fw,
    struct api_err *err);
void firewall_free(struct firewall *fw);
/* Whether a side can match nothing: a selector that names no network. */
bool firewall_side_empty(const struct firewall_side *s);
/* Whether every packet rule b matches, rule a (earlier) matches first. */
bool firewall_shadows(const struct firewall_rule *a, const struct firewall_rule *b);
/* Whether the rule's protocol and ports take in all of a service's (protocol tcp or udp). */
bool firewall_opens(const struct firewall_rule *r, const char *protocol,
    const struct portspec *ports);

#endif
