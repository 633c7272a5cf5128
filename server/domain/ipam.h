/* What prefixes, ranges and addresses share: address keys, the most specific containing
 * prefix, keeping derived parents right, and utilization. */
#ifndef NETSOT_IPAM_H
#define NETSOT_IPAM_H

#include <jansson.h>
#include <stdint.h>

#include "ipaddr.h"
#include "sbuf.h"

struct api_err;
struct db;

/* A nesting deeper than 129 prefixes cannot exist (IPv6 has 129 lengths); a walk up the
 * parents that goes further has met a broken chain. */
#define IPAM_MAX_HOPS 130

/* The most specific prefix holding [first, last] whose length is below below_len, other than
 * exclude: 1 with *id, 0 for none, -1 on error. */
int ipam_containing(struct db *db, const unsigned char first[IPADDR_KEYLEN],
    const unsigned char last[IPADDR_KEYLEN], int below_len, long long exclude, long long *id,
    struct api_err *err);
/* After prefixes changed inside [first, last]: recomputes the parent of every prefix, and the
 * prefix of every address and range, there. 409 when an address or range would be left
 * outside every prefix. */
int ipam_rederive(struct db *db, const unsigned char first[IPADDR_KEYLEN],
    const unsigned char last[IPADDR_KEYLEN], struct api_err *err);
/* Used counts (prefixes.used, ip_ranges.used: how many addresses lie in the span), kept here
 * and nowhere else. An address of key key and prefix prefix (its most specific) counts delta
 * (+1, -1) in that prefix, each of its parents, and the range holding it. */
int ipam_count_address(struct db *db, const unsigned char key[IPADDR_KEYLEN], long long prefix,
    int delta, struct api_err *err);
/* Counts the addresses in the span of one row: res_table is "prefixes" or "ip_ranges". */
int ipam_recount(struct db *db, const char *res_table, long long id, struct api_err *err);
/* Sets every count that differs from what its span holds (after writes that skipped
 * ipam_count_address, a plan import); rows already right are not written. */
int ipam_recount_all(struct db *db, struct api_err *err);
/* Appends ,"utilization":{"used","total","percent"}: used is the count kept above, of the
 * row that sql_used (a literal: "SELECT used FROM t WHERE id = ?") reads, total the size of
 * [lo, hi]. */
int ipam_utilization(struct db *db, const char *sql_used, long long id,
    const struct ipaddr *lo, const struct ipaddr *hi, struct sbuf *out, struct api_err *err);
/* A prefix's network, or a range's first and last address, read from their key columns
 * alone (what allocation needs, without the row as JSON): 0, or -1 with a 404 when there is
 * no such row. */
int ipam_prefix_net(struct db *db, long long id, struct ipnet *n, struct api_err *err);
int ipam_range_ends(struct db *db, long long id, struct ipaddr *lo, struct ipaddr *hi,
    struct api_err *err);
/* The addresses of a prefix that may be handed out: without the network and broadcast
 * addresses of an IPv4 prefix shorter than /31, nor the Subnet-Router anycast address of an
 * IPv6 prefix shorter than /127. -1 when none are. */
int ipam_usable(const struct ipnet *n, struct ipaddr *lo, struct ipaddr *hi);

#endif
