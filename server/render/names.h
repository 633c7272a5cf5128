/* The names of each address, for /etc/hosts and dnsmasq: its dns_name, the stored A and AAAA
 * records that point to it, and the CNAMEs that lead to one of those. */
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
	json_t *names;                      /* fully qualified, without the final dot */
};

struct render_names {
	struct render_name *list;           /* in address order, one entry per address */
	size_t n;
	json_t *cnames;                     /* [[alias, target], ...] */
	json_t *records;                    /* other stored records: [[type, fqdn, value], ...] */
};

int render_names_load(struct db *db, struct render_names *out, struct api_err *err);
void render_names_free(struct render_names *rn);
/* A name fully qualified in its zone, without the final dot ("@" is the zone itself). */
void render_names_fqdn(const char *name, const char *zone, char *buf, size_t len);

#endif
