/* What renders ask of a host: whether it routes, its primary address (its interface into a
 * VLAN is the domain's: hostnet.h). */
#ifndef NETSOT_RENDER_HOST_H
#define NETSOT_RENDER_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "ipaddr.h"

struct api_err;
struct db;

#define RENDER_IFNAME_MAX 16   /* IFNAMSIZ */

/* A Linux interface name: 1 to 15 of letters, digits, '-', '_', '.', not "." or "..". */
bool render_host_ifname_ok(const char *s);
/* Whether the host routes between VLANs (kind router): it gets the forward policy. */
int render_host_is_router(struct db *db, long long host_id, bool *router, struct api_err *err);
/* The host's primary address: the first (in address order) with a DNS name, else its first.
 * 0 when it has none, 1 when found (text in buf), -1 on error. */
int render_host_primary(struct db *db, long long host_id, char *buf, size_t len,
    struct api_err *err);
#endif
