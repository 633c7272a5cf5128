/* Addresses and prefixes as text (server/lib/ipaddr.c), the way every FT_ADDR and FT_CIDR
 * field and filter reads them. Properties checked on each input:
 * - what ipaddr_parse accepts, inet_pton accepts too, with the same value;
 * - parse, format, parse gives the same value, and formatting is a fixed point;
 * - the sortable key and the reverse name of an address go back and forth;
 * - a prefix's first and last addresses are in it, its size and mask agree with its length,
 *   and ipnet_parse_loose accepts what ipnet_parse does, with no host bits;
 * - the first 17 bytes, read as a stored key, come back the same when ipaddr_from_key takes
 *   them. */
#include "fuzz_common.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ipaddr.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static bool
ip_same(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && a->hi == b->hi && a->lo == b->lo &&
	    ipaddr_cmp(a, b) == 0;
}

/* The address as 4 or 16 network-order bytes. */
static void
ip_bytes(const struct ipaddr *a, unsigned char *out)
{
	unsigned char key[IPADDR_KEYLEN];

	ipaddr_to_key(a, key);
	if (a->family == 4)
		memcpy(out, key + 13, 4);
	else
		memcpy(out, key + 1, 16);
}

static void
ip_address(const char *s)
{
	char text[IPADDR_STRLEN], again[IPADDR_STRLEN], rev[IPADDR_REVERSE_STRLEN];
	unsigned char key[IPADDR_KEYLEN], bytes[16], libc[16];
	struct ipaddr a, b, c;

	if (ipaddr_parse(s, &a) == -1)
		return;
	CHECK(a.family == 4 || a.family == 6);
	/* The C library agrees on what it means. */
	CHECK(inet_pton(a.family == 4 ? AF_INET : AF_INET6, s, libc) == 1);
	ip_bytes(&a, bytes);
	CHECK(memcmp(bytes, libc, a.family == 4 ? 4 : 16) == 0);
	/* One text per value. */
	CHECK(ipaddr_format(&a, text, sizeof(text)) == 0);
	CHECK(ipaddr_parse(text, &b) == 0 && ip_same(&a, &b));
	CHECK(ipaddr_format(&b, again, sizeof(again)) == 0 && strcmp(text, again) == 0);
	/* A buffer one byte short is refused, never overrun. */
	CHECK(ipaddr_format(&a, again, strlen(text)) == -1);
	ipaddr_to_key(&a, key);
	CHECK(ipaddr_from_key(key, sizeof(key), &c) == 0 && ip_same(&a, &c));
	CHECK(ipaddr_reverse_name(&a, rev, sizeof(rev)) == 0);
	CHECK(strlen(rev) == (a.family == 4 ? strlen(text) + 13 : 72));
	if (ipaddr_next(&a, &b) == 0) {
		CHECK(ipaddr_cmp(&b, &a) == 1 && ipaddr_distance(&a, &b) == 1);
		CHECK(ipaddr_prev(&b, &c) == 0 && ip_same(&a, &c));
	}
}

static void
ip_prefix(const char *s)
{
	char text[IPNET_STRLEN], again[IPNET_STRLEN];
	struct ipnet n, m, loose;
	struct ipaddr first, last, mask;
	bool host_bits;

	if (ipnet_parse_loose(s, &loose, &host_bits) == 0) {
		CHECK(ipnet_format(&loose, text, sizeof(text)) == 0);
		CHECK(ipnet_parse(s, &n) == (host_bits ? -1 : 0));
	}
	if (ipnet_parse(s, &n) == -1)
		return;
	CHECK(ipnet_parse_loose(s, &loose, &host_bits) == 0 && !host_bits);
	CHECK(ipnet_format(&n, text, sizeof(text)) == 0);
	CHECK(ipnet_parse(text, &m) == 0 && ip_same(&n.addr, &m.addr) && n.len == m.len);
	CHECK(ipnet_format(&m, again, sizeof(again)) == 0 && strcmp(text, again) == 0);
	ipnet_first(&n, &first);
	ipnet_last(&n, &last);
	CHECK(ip_same(&first, &n.addr));
	CHECK(ipnet_contains(&n, &first) && ipnet_contains(&n, &last));
	CHECK(ipnet_contains_net(&n, &n) && ipnet_overlaps(&n, &n));
	CHECK(ipaddr_cmp(&first, &last) <= 0);
	CHECK(ipnet_size(&n) == UINT64_MAX ||
	    ipaddr_distance(&first, &last) == ipnet_size(&n) - 1);
	CHECK(ipnet_mask(&n, &mask) == 0 && mask.family == n.addr.family);
	if (ipaddr_next(&last, &mask) == 0)
		CHECK(!ipnet_contains(&n, &mask));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[IPADDR_STRLEN];
	struct ipaddr a, b;
	char *s;

	/* Anything longer is no address: the fields cap their text long before. */
	if (size > 256)
		return 0;
	s = fuzz_string(data, size);
	ip_address(s);
	ip_prefix(s);
	/* The bytes as a stored key: what comes back is what went in. */
	if (size >= IPADDR_KEYLEN && ipaddr_from_key(data, IPADDR_KEYLEN, &a) == 0) {
		unsigned char key[IPADDR_KEYLEN];

		ipaddr_to_key(&a, key);
		CHECK(memcmp(key, data, IPADDR_KEYLEN) == 0);
		CHECK(ipaddr_format(&a, text, sizeof(text)) == 0);
		CHECK(ipaddr_parse(text, &b) == 0 && ip_same(&a, &b));
	}
	free(s);
	return 0;
}
