/* The prefixes' nesting held in memory while a plan import writes its addresses: each address
 * asks for its most specific prefix (ipam_containing), and nothing the import does while it
 * writes addresses adds, moves or removes a prefix. */
#ifndef NETSOT_IPAM_CACHE_H
#define NETSOT_IPAM_CACHE_H

#include "ipaddr.h"

struct api_err;
struct db;

/* Between begin and end, this thread's ipam_containing answers from the prefixes as begin read
 * them. end is a no-op when nothing was begun. */
int ipam_cache_begin(struct db *db, struct api_err *err);
void ipam_cache_end(void);
/* ipam_containing's answer from the cache: 1 with *id, 0 for none, -1 when there is no cache
 * or it cannot tell (a broken chain): then the database is asked. */
int ipam_cache_containing(const unsigned char first[IPADDR_KEYLEN],
    const unsigned char last[IPADDR_KEYLEN], int below_len, long long exclude, long long *id);

#endif
