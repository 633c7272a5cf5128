/* Hosts as the network sees them: a host by its name, and its interface into a VLAN. Read by
 * allocation (an address for a named host) and by the renders (a filter's interfaces). */
#ifndef NETSOT_HOSTNET_H
#define NETSOT_HOSTNET_H

#include <jansson.h>
#include <stddef.h>

#include "ipaddr.h"

struct api_err;
struct db;

#define HOSTNET_IFNAME_MAX 16   /* IFNAMSIZ */

/* SQL for the id of the primary address of the host h (an alias of hosts), or NULL: the one its
 * vars name as ansible_host, else its first address with a DNS name, else its first. Ansible
 * reaches a host there in both inventories (the ansible-inventory render and the NetBox
 * inventory's primary_ip). */
#define HOSTNET_PRIMARY_SQL(h) "coalesce((SELECT pa.id FROM ip_addresses pa WHERE " \
	"pa.host_id = " h ".id AND pa.address = json_extract(" h ".vars, '$.ansible_host')), " \
	"(SELECT pa.id FROM ip_addresses pa WHERE pa.host_id = " h ".id " \
	"ORDER BY pa.dns_name = '', pa.addr_key LIMIT 1))"

/* The host's id by name: 1 found, 0 not found, -1 on error. */
int hostnet_find(struct db *db, const char *name, long long *id, struct api_err *err);
/* The host's interface into a VLAN: the interface of its address in one of the VLAN's
 * prefixes, else "<ifname>.<vid>" of a trunk port that tags it, else the kernel name of the
 * access port that carries it untagged. "" when none is known or the name is not a Linux interface name. */
int hostnet_vlan_ifname(struct db *db, long long host_id, long long vlan_id, char *buf,
    size_t len, struct api_err *err);
/* An allocation's {"host": NAME}, in place, for address a: host_id becomes the host's id and,
 * unless obj names an interface, interface becomes the host's interface into the VLAN of a's
 * prefix. 422 naming host when no host has that name or host_id names another. */
int hostnet_alloc_host(struct db *db, const struct ipaddr *a, json_t *obj, struct api_err *err);

#endif
