/* ipaddr: IPv4/IPv6 addresses and prefixes as plain values.
 *
 * Pure functions, no allocation, no global state. Parsing is strict so that
 * every stored address has exactly one textual form (see ipaddr_format). */
#ifndef NETSOT_IPADDR_H
#define NETSOT_IPADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 address as a 128-bit value. IPv4 lives in the low 32 bits
 * (hi = 0, lo = v4) and family tells them apart. */
struct ipaddr {
	uint64_t hi, lo;
	int family; /* 4 or 6 */
};

struct ipnet {
	struct ipaddr addr;
	int len; /* prefix length: 0..32 or 0..128 */
};

#define IPADDR_STRLEN 46         /* longest canonical text incl. NUL */
#define IPNET_STRLEN 50          /* address + "/128" incl. NUL */
#define IPADDR_KEYLEN 17         /* family byte + 16 value bytes */
#define IPADDR_REVERSE_STRLEN 73 /* 32 nibbles "x." + "ip6.arpa" + NUL */

/* Strict parse of a dotted quad (no leading zeros, exactly 4 parts) or an
 * RFC 4291 IPv6 text (one '::' at most, 1-4 hex digits per group, optional
 * dotted IPv4 tail). No spaces, zone ids or brackets. */
int ipaddr_parse(const char *s, struct ipaddr *out);
/* Canonical text: dotted quad, or RFC 5952 (::ffff:a.b.c.d for v4-mapped).
 * -1 if the buffer is too small or the value is malformed. */
int ipaddr_format(const struct ipaddr *a, char *buf, size_t n);
struct sockaddr;
/* A socket's address (AF_INET or AF_INET6): 0, or -1 for another family. */
int ipaddr_from_sockaddr(const struct sockaddr *sa, struct ipaddr *out);

/* "addr/len" with len in decimal, no leading zeros, within the family max.
 * ipnet_parse rejects host bits; the loose variant reports them instead and
 * keeps the given address. A bare address is rejected by both. */
int ipnet_parse(const char *s, struct ipnet *out);
int ipnet_parse_loose(const char *s, struct ipnet *out, bool *host_bits_set);
int ipnet_format(const struct ipnet *n, char *buf, size_t len);

/* Family first (4 < 6), then value. Returns -1, 0 or 1. */
int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b);

/* All containment tests are false across families. */
bool ipnet_contains(const struct ipnet *n, const struct ipaddr *a);
bool ipnet_contains_net(const struct ipnet *outer, const struct ipnet *inner);
bool ipnet_overlaps(const struct ipnet *a, const struct ipnet *b);

void ipnet_first(const struct ipnet *n, struct ipaddr *out); /* network address */
void ipnet_last(const struct ipnet *n, struct ipaddr *out);  /* broadcast / last */

/* Arithmetic within the family range; -1 on overflow or underflow. */
int ipaddr_next(const struct ipaddr *a, struct ipaddr *out);
int ipaddr_prev(const struct ipaddr *a, struct ipaddr *out);
int ipaddr_add(const struct ipaddr *a, uint64_t k, struct ipaddr *out);

/* Number of addresses, saturating at UINT64_MAX (any IPv6 /64 or shorter). */
uint64_t ipnet_size(const struct ipnet *n);
/* b - a, saturating; 0 if b < a or the families differ. */
uint64_t ipaddr_distance(const struct ipaddr *a, const struct ipaddr *b);
/* Netmask as an address of the same family (e.g. 255.255.255.0). */
int ipnet_mask(const struct ipnet *n, struct ipaddr *mask_out);

/* Sortable key: family byte (4 or 6) then 16 big-endian value bytes, so that
 * memcmp order equals ipaddr_cmp order (used as an indexed SQLite BLOB). */
void ipaddr_to_key(const struct ipaddr *a, unsigned char key[IPADDR_KEYLEN]);
/* Inverse; -1 if len != 17, bad family byte or a v4 value above 32 bits. */
int ipaddr_from_key(const unsigned char *key, size_t len, struct ipaddr *out);

/* "4.3.2.1.in-addr.arpa" or the 32-nibble "...ip6.arpa" name (no final dot). */
int ipaddr_reverse_name(const struct ipaddr *a, char *buf, size_t n);

#endif
