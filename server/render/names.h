/* The names of each address, for /etc/hosts and dnsmasq: its dns_name, the stored A and AAAA
 * records that point to it, and the CNAMEs that lead to one of those. Built with hashes and
 * plain arrays (no JSON per name): 20,000 names and 3,000 aliases in a few milliseconds. */
#ifndef NETSOT_RENDER_NAMES_H
#define NETSOT_RENDER_NAMES_H

#include <jansson.h>
#include <stddef.h>

#include "ipaddr.h"

struct api_err;
struct db;

struct render_name {
	unsigned char key[IPADDR_KEYLEN];   /* address order */
	char address[IPADDR_STRLEN];
	size_t head, tail;                  /* its names in render_names.items: index + 1 */
};

struct render_names_item {
	const char *name;                   /* fully qualified, without the final dot */
	size_t next;                        /* the entry's next name: index + 1, 0 ends */
};

struct render_names_block;

struct render_names {
	struct render_name *list;           /* in address order, one entry per address */
	size_t n;
	struct render_names_item *items;
	size_t nitems, capitems;
	struct render_names_block *blocks;  /* where the names' bytes live */
	json_t *cnames;                     /* [[alias, target], ...] */
	json_t *records;                    /* other stored records: [[type, fqdn, value], ...] */
};

/* The names of entry e, in order: for (l = e->head; l != 0; l = rn->items[l - 1].next). */
int render_names_load(struct db *db, struct render_names *out, struct api_err *err);
void render_names_free(struct render_names *rn);
/* A name fully qualified in its zone, without the final dot ("@" is the zone itself). */
void render_names_fqdn(const char *name, const char *zone, char *buf, size_t len);

#endif
