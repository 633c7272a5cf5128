/* Tests for server/lib/ipaddr.c. inet_pton/inet_ntop serve as a cross-check oracle. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipaddr.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct ipaddr addr(const char *s)
{
	struct ipaddr a;
	if (ipaddr_parse(s, &a) != 0)
		fail_msg("parse failed: %s", s);
	return a;
}

static struct ipnet net(const char *s)
{
	struct ipnet n;
	if (ipnet_parse(s, &n) != 0)
		fail_msg("ipnet_parse failed: %s", s);
	return n;
}

static struct ipaddr v6(uint64_t hi, uint64_t lo)
{
	return (struct ipaddr){ .hi = hi, .lo = lo, .family = 6 };
}

static struct ipaddr v4(uint32_t v)
{
	return (struct ipaddr){ .hi = 0, .lo = v, .family = 4 };
}

static void assert_addr_eq(struct ipaddr a, struct ipaddr b)
{
	assert_int_equal(a.family, b.family);
	assert_true(a.hi == b.hi);
	assert_true(a.lo == b.lo);
}

static void assert_fmt(struct ipaddr a, const char *want)
{
	char buf[IPADDR_STRLEN];
	assert_int_equal(ipaddr_format(&a, buf, sizeof buf), 0);
	assert_string_equal(buf, want);
}

static uint64_t rng_next(uint64_t *s) /* xorshift64*: deterministic */
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static void bytes_to_v6(const unsigned char b[16], struct ipaddr *a)
{
	a->hi = a->lo = 0;
	for (int i = 0; i < 8; i++) {
		a->hi = a->hi << 8 | b[i];
		a->lo = a->lo << 8 | b[8 + i];
	}
	a->family = 6;
}

static void v6_to_bytes(const struct ipaddr *a, unsigned char b[16])
{
	for (int i = 0; i < 8; i++) {
		b[i] = (unsigned char)(a->hi >> (56 - 8 * i));
		b[8 + i] = (unsigned char)(a->lo >> (56 - 8 * i));
	}
}

/* ---- parsing ---- */

static void test_parse_v4_valid(void **state)
{
	(void)state;
	static const struct { const char *s; uint32_t v; } cases[] = {
		{ "0.0.0.0", 0 },
		{ "1.2.3.4", 0x01020304 },
		{ "255.255.255.255", 0xffffffff },
		{ "10.0.0.1", 0x0a000001 },
		{ "192.168.100.200", 0xc0a864c8 },
		{ "100.64.0.0", 0x64400000 },
		{ "0.0.0.255", 0xff },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_addr_eq(addr(cases[i].s), v4(cases[i].v));
}

static void test_parse_v4_invalid(void **state)
{
	(void)state;
	static const char *bad[] = {
		"01.2.3.4", "1.2.3.04", "00.0.0.0", "256.1.1.1", "1.2.3.256", "1000.1.1.1",
		"1.2.3", "1.2.3.4.5", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "", "1.2.3.-4",
		"0x1.2.3.4", "1.2.3.4/24", "1.2.3.", ".1.2.3", "1.2.3.4.", "a.b.c.d",
		"1.2.3.+4", "1.2.3.4\n", "1,2,3,4", "4294967295", "1.2.3.0004",
	};
	struct ipaddr a = v4(42);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		if (ipaddr_parse(bad[i], &a) != -1)
			fail_msg("accepted bad v4: '%s'", bad[i]);
	}
	assert_addr_eq(a, v4(42)); /* output untouched on failure */
	assert_int_equal(ipaddr_parse(NULL, &a), -1);
	assert_int_equal(ipaddr_parse("1.2.3.4", NULL), -1);
}

static void test_parse_v6_valid(void **state)
{
	(void)state;
	static const struct { const char *s; uint64_t hi, lo; } cases[] = {
		{ "::", 0, 0 },
		{ "::1", 0, 1 },
		{ "1::", UINT64_C(0x0001000000000000), 0 },
		{ "1:2:3:4:5:6:7::", UINT64_C(0x0001000200030004), UINT64_C(0x0005000600070000) },
		{ "::2:3:4:5:6:7:8", UINT64_C(0x0000000200030004), UINT64_C(0x0005000600070008) },
		{ "1:2:3:4:5:6:7:8", UINT64_C(0x0001000200030004), UINT64_C(0x0005000600070008) },
		{ "2001:db8::1", UINT64_C(0x20010db800000000), 1 },
		{ "2001:DB8::A", UINT64_C(0x20010db800000000), 0xa },
		{ "2001:0db8:0000:0000:0000:0000:0000:0001", UINT64_C(0x20010db800000000), 1 },
		{ "fe80::1:2", UINT64_C(0xfe80000000000000), UINT64_C(0x0000000000010002) },
		{ "::ffff:1.2.3.4", 0, UINT64_C(0x0000ffff01020304) },
		{ "::1.2.3.4", 0, UINT64_C(0x01020304) },
		{ "1:2:3:4:5:6:1.2.3.4", UINT64_C(0x0001000200030004), UINT64_C(0x0005000601020304) },
		{ "64:ff9b::192.0.2.33", UINT64_C(0x0064ff9b00000000), UINT64_C(0xc0000221) },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", UINT64_MAX, UINT64_MAX },
		{ "0:0:0:0:0:0:0:0", 0, 0 },
		{ "1:0::", UINT64_C(0x0001000000000000), 0 },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_addr_eq(addr(cases[i].s), v6(cases[i].hi, cases[i].lo));
}

static void test_parse_v6_invalid(void **state)
{
	(void)state;
	static const char *bad[] = {
		":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.256",
		"fe80::1%eth0", "[::1]", "g::1", ":", "1:", ":1", "1:2:3:4:5:6:7",
		"1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:::2", "1:2:3:4:5:6:7:1.2.3.4",
		"::ffff:01.2.3.4", "::ffff:1.2.3", "::1.2.3.4:5", "1.2.3.4::", ":: ", " ::",
		"::1 ", "00000::", "::-1", "1::2:", ":1::2", "::ffff:1.2.3.4.5", "::a.2.3.4",
		"2001:db8::/32", "1::2::", "::%", "::ffff:1.2.3.4 ", "1:2:3:4:5:6:7:8:",
		"1::3:4:5:6:7:8:1.2.3.4", "::2:3:4:5:6:7:1.2.3.4",
	};
	struct ipaddr a;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		if (ipaddr_parse(bad[i], &a) != -1)
			fail_msg("accepted bad v6: '%s'", bad[i]);
	}
}

/* ---- formatting ---- */

static void test_format_v4(void **state)
{
	(void)state;
	assert_fmt(v4(0), "0.0.0.0");
	assert_fmt(v4(0xffffffff), "255.255.255.255");
	assert_fmt(v4(0x0a00640a), "10.0.100.10");
	assert_fmt(v4(0xc0000201), "192.0.2.1");
}

static void test_format_rfc5952(void **state)
{
	(void)state;
	static const struct { const char *in, *out; } cases[] = {
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
		{ "2001:0db8::0001", "2001:db8::1" },
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
		{ "0:0:0:0:0:0:0:0", "::" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ "0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1" },
		{ "::ffff:0:0", "::ffff:0.0.0.0" },
		{ "0:0:0:0:0:0:0:1", "::1" },
		{ "1:0:0:0:0:0:0:0", "1::" },
		{ "2001:DB8::ABCD", "2001:db8::abcd" },
		{ "2001:db8:0:0:0:0:2:1", "2001:db8::2:1" },
		{ "2001:db8::1:0:0:0:1", "2001:db8:0:1::1" }, /* later run is longer */
		{ "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },
		{ "1:0:0:2:0:0:3:4", "1::2:0:0:3:4" }, /* tie: first run wins */
		{ "1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7" }, /* single zero not compressed */
		{ "1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0" },
		{ "0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7" },
		{ "0:0:1:2:3:4:5:6", "::1:2:3:4:5:6" },
		{ "1:2:3:4:5:6:0:0", "1:2:3:4:5:6::" },
		{ "fe80:0000:0000:0000:0200:5efe:c000:0201", "fe80::200:5efe:c000:201" },
		{ "0:0:0:0:0:0:1.2.3.4", "::102:304" }, /* only v4-mapped gets dotted form */
		{ "0:0:0:0:0:fffe:1.2.3.4", "::fffe:102:304" },
		{ "1:0:0:0:0:ffff:1.2.3.4", "1::ffff:102:304" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "0010:0100:1000:0001::", "10:100:1000:1::" },
		{ "::0:1:0:0", "::1:0:0" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char buf[IPADDR_STRLEN];
		struct ipaddr a = addr(cases[i].in);
		assert_int_equal(ipaddr_format(&a, buf, sizeof buf), 0);
		if (strcmp(buf, cases[i].out) != 0)
			fail_msg("%s formatted as %s, want %s", cases[i].in, buf, cases[i].out);
		/* canonical text parses back to the same value */
		assert_addr_eq(addr(buf), a);
	}
}

static void test_format_buffer_and_invalid(void **state)
{
	(void)state;
	char buf[IPADDR_STRLEN];
	struct ipaddr a = addr("10.11.12.13");
	memset(buf, 'x', sizeof buf);
	assert_int_equal(ipaddr_format(&a, buf, 11), -1); /* needs 11 chars + NUL */
	assert_int_equal(buf[0], 'x');                     /* nothing partial written */
	assert_int_equal(ipaddr_format(&a, buf, 12), 0);
	assert_string_equal(buf, "10.11.12.13");
	assert_int_equal(ipaddr_format(&a, buf, 0), -1);
	assert_int_equal(ipaddr_format(&a, NULL, 12), -1);

	/* exact-fit boundaries for the longest v6 and v4-mapped texts */
	a = addr("::ffff:255.255.255.255");
	struct ipaddr b = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_int_equal(ipaddr_format(&b, buf, 40), 0);
	assert_int_equal(ipaddr_format(&b, buf, 39), -1);
	assert_int_equal(ipaddr_format(&a, buf, 23), 0);
	assert_int_equal(ipaddr_format(&a, buf, 22), -1);

	struct ipaddr bad = { .hi = 0, .lo = UINT64_C(0x100000000), .family = 4 };
	assert_int_equal(ipaddr_format(&bad, buf, sizeof buf), -1);
	bad = (struct ipaddr){ .hi = 1, .lo = 0, .family = 4 };
	assert_int_equal(ipaddr_format(&bad, buf, sizeof buf), -1);
	bad = (struct ipaddr){ .hi = 0, .lo = 0, .family = 5 };
	assert_int_equal(ipaddr_format(&bad, buf, sizeof buf), -1);
}

static void test_roundtrip_v4_random(void **state)
{
	(void)state;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	for (int i = 0; i < 5000; i++) {
		uint32_t v = (uint32_t)rng_next(&seed);
		struct in_addr in = { .s_addr = htonl(v) };
		char want[INET_ADDRSTRLEN], got[IPADDR_STRLEN];
		assert_non_null(inet_ntop(AF_INET, &in, want, sizeof want));
		struct ipaddr a = v4(v), back;
		assert_int_equal(ipaddr_format(&a, got, sizeof got), 0);
		assert_string_equal(got, want);
		assert_int_equal(ipaddr_parse(want, &back), 0);
		assert_addr_eq(back, a);
	}
}

static void test_roundtrip_v6_random(void **state)
{
	(void)state;
	uint64_t seed = 12345;
	for (int i = 0; i < 5000; i++) {
		/* Bias towards zero groups so that '::' placement gets exercised. */
		struct ipaddr a = v6(0, 0);
		for (int g = 0; g < 8; g++) {
			uint64_t r = rng_next(&seed);
			uint64_t grp = (r & 3) == 0 ? (r >> 8) & 0xffff : (r & 3) == 1 ? (r >> 8) & 1 : 0;
			if (g < 4)
				a.hi = a.hi << 16 | grp;
			else
				a.lo = a.lo << 16 | grp;
		}
		if (i % 10 == 0) /* some IPv4-mapped */
			a = v6(0, UINT64_C(0xffff00000000) | (rng_next(&seed) & 0xffffffff));

		unsigned char bytes[16], back_bytes[16];
		char ours[IPADDR_STRLEN], theirs[INET6_ADDRSTRLEN];
		v6_to_bytes(&a, bytes);
		assert_non_null(inet_ntop(AF_INET6, bytes, theirs, sizeof theirs));
		assert_int_equal(ipaddr_format(&a, ours, sizeof ours), 0);

		/* glibc prints deprecated IPv4-compatible ::a.b.c.d; RFC 5952 does not */
		bool v4_compat = a.hi == 0 && a.lo >> 32 == 0 && a.lo >> 16 != 0;
		if (!v4_compat && strcmp(ours, theirs) != 0)
			fail_msg("format mismatch: ours %s, inet_ntop %s", ours, theirs);

		assert_int_equal(inet_pton(AF_INET6, ours, back_bytes), 1);
		assert_memory_equal(bytes, back_bytes, 16);

		struct ipaddr back;
		assert_int_equal(ipaddr_parse(theirs, &back), 0);
		assert_addr_eq(back, a);

		/* fully expanded form with leading zeros parses to the same value */
		char full[64];
		snprintf(full, sizeof full, "%04x:%04x:%04x:%04x:%04x:%04x:%04x:%04x",
			 (unsigned)(a.hi >> 48), (unsigned)(a.hi >> 32 & 0xffff),
			 (unsigned)(a.hi >> 16 & 0xffff), (unsigned)(a.hi & 0xffff),
			 (unsigned)(a.lo >> 48), (unsigned)(a.lo >> 32 & 0xffff),
			 (unsigned)(a.lo >> 16 & 0xffff), (unsigned)(a.lo & 0xffff));
		assert_int_equal(ipaddr_parse(full, &back), 0);
		assert_addr_eq(back, a);
	}
}

/* Acceptance must match glibc inet_pton on mutations of valid text. */
static void test_parse_differential(void **state)
{
	(void)state;
	static const char *seeds[] = {
		"1.2.3.4", "255.255.255.255", "10.0.0.1", "::", "::1", "1::", "2001:db8::1",
		"1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "fe80::1:2:3",
		"1:2:3:4:5:6:7::", "ab:cd::ef:1.2.3.4", "0.0.0.0",
	};
	static const char alphabet[] = "0123456789abcdefABCDEFg:.:.%/ ";
	uint64_t seed = 777;
	for (int i = 0; i < 40000; i++) {
		char s[64];
		snprintf(s, sizeof s, "%s", seeds[rng_next(&seed) % ARRAY_LEN(seeds)]);
		int edits = 1 + (int)(rng_next(&seed) % 3);
		for (int e = 0; e < edits; e++) {
			size_t len = strlen(s);
			size_t pos = (size_t)(rng_next(&seed) % (len + 1));
			char c = alphabet[rng_next(&seed) % (sizeof alphabet - 1)];
			switch (rng_next(&seed) % 3) {
			case 0: /* insert */
				if (len + 1 < sizeof s) {
					memmove(s + pos + 1, s + pos, len - pos + 1);
					s[pos] = c;
				}
				break;
			case 1: /* delete */
				if (pos < len)
					memmove(s + pos, s + pos + 1, len - pos);
				break;
			default: /* replace */
				if (pos < len)
					s[pos] = c;
				break;
			}
		}
		unsigned char buf[16];
		bool is6 = strchr(s, ':') != NULL;
		int want = inet_pton(is6 ? AF_INET6 : AF_INET, s, buf) == 1 ? 0 : -1;
		struct ipaddr a;
		int got = ipaddr_parse(s, &a);
		if (got != want)
			fail_msg("'%s': ours %d, inet_pton %d", s, got, want);
		if (got == 0 && is6) {
			struct ipaddr ref;
			bytes_to_v6(buf, &ref);
			assert_addr_eq(a, ref);
		} else if (got == 0) {
			assert_addr_eq(a, v4((uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
					     (uint32_t)buf[2] << 8 | buf[3]));
		}
	}
}

/* ---- prefixes ---- */

static void test_net_parse_valid(void **state)
{
	(void)state;
	struct ipnet n = net("10.0.0.0/8");
	assert_addr_eq(n.addr, v4(0x0a000000));
	assert_int_equal(n.len, 8);
	n = net("0.0.0.0/0");
	assert_addr_eq(n.addr, v4(0));
	assert_int_equal(n.len, 0);
	n = net("::/0");
	assert_addr_eq(n.addr, v6(0, 0));
	assert_int_equal(n.len, 0);
	n = net("2001:db8::/32");
	assert_addr_eq(n.addr, v6(UINT64_C(0x20010db800000000), 0));
	assert_int_equal(n.len, 32);
	n = net("10.0.0.1/32");
	assert_int_equal(n.len, 32);
	n = net("2001:db8::1/128");
	assert_int_equal(n.len, 128);
	n = net("::ffff:10.0.0.0/104");
	assert_addr_eq(n.addr, v6(0, UINT64_C(0xffff0a000000)));
	assert_int_equal(n.len, 104);
	n = net("192.168.0.0/16");
	assert_int_equal(n.len, 16);
}

static void test_net_parse_invalid(void **state)
{
	(void)state;
	static const char *bad[] = {
		"10.0.0.1/24", "10.0.0.0/33", "10.0.0.0/024", "10.0.0.0/00", "10.0.0.0",
		"10.0.0.0/", "/24", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8 ", "10.0.0.0 /8",
		"10.0.0.0/8/8", "10.0.0.0/0x8", "::/129", "::1/127", "2001:db8::/", "2001:db8::",
		"::/01280", "01.0.0.0/8", "10.0.0.0/1000", "10.0.0.0/4294967304",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999/128", "",
		"0000:0000:0000:0000:0000:0000:000.000.000.000/0",
	};
	struct ipnet n;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		if (ipnet_parse(bad[i], &n) != -1)
			fail_msg("accepted bad prefix: '%s'", bad[i]);
	}
	assert_int_equal(ipnet_parse(NULL, &n), -1);
}

static void test_net_parse_loose(void **state)
{
	(void)state;
	struct ipnet n;
	bool host = false;
	assert_int_equal(ipnet_parse_loose("10.0.0.1/24", &n, &host), 0);
	assert_true(host);
	assert_addr_eq(n.addr, v4(0x0a000001)); /* given address kept */
	assert_int_equal(n.len, 24);

	assert_int_equal(ipnet_parse_loose("10.0.0.0/24", &n, &host), 0);
	assert_false(host);

	assert_int_equal(ipnet_parse_loose("2001:db8::1/64", &n, &host), 0);
	assert_true(host);
	assert_addr_eq(n.addr, addr("2001:db8::1"));
	/* host bit in the upper 64-bit half */
	assert_int_equal(ipnet_parse_loose("2001:db8:0:1::/48", &n, &host), 0);
	assert_true(host);
	assert_int_equal(ipnet_parse_loose("1.2.3.4/32", &n, &host), 0);
	assert_false(host);
	assert_int_equal(ipnet_parse_loose("1.2.3.4/0", &n, &host), 0);
	assert_true(host);

	assert_int_equal(ipnet_parse_loose("10.0.0.1", &n, &host), -1);
	assert_int_equal(ipnet_parse_loose("10.0.0.1/33", &n, &host), -1);
	assert_int_equal(ipnet_parse_loose("10.0.0.1/24", &n, NULL), -1);
}

static void test_net_format(void **state)
{
	(void)state;
	static const char *cases[] = {
		"10.0.0.0/8", "0.0.0.0/0", "::/0", "2001:db8::/32", "::ffff:10.0.0.0/104",
		"255.255.255.255/32", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
	};
	char buf[IPNET_STRLEN];
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct ipnet n = net(cases[i]);
		assert_int_equal(ipnet_format(&n, buf, sizeof buf), 0);
		assert_string_equal(buf, cases[i]);
	}
	struct ipnet n = net("2001:DB8:0::/48");
	assert_int_equal(ipnet_format(&n, buf, sizeof buf), 0);
	assert_string_equal(buf, "2001:db8::/48");
	assert_int_equal(ipnet_format(&n, buf, 14), 0);
	assert_int_equal(ipnet_format(&n, buf, 13), -1);

	n = net("::ffff:255.255.255.255/128"); /* longest possible text */
	assert_int_equal(ipnet_format(&n, buf, sizeof buf), 0);
	assert_string_equal(buf, "::ffff:255.255.255.255/128");

	n.len = 129;
	assert_int_equal(ipnet_format(&n, buf, sizeof buf), -1);
	n = net("10.0.0.0/8");
	n.len = 33;
	assert_int_equal(ipnet_format(&n, buf, sizeof buf), -1);
	n.len = -1;
	assert_int_equal(ipnet_format(&n, buf, sizeof buf), -1);
}

/* ---- comparison and containment ---- */

static void test_cmp(void **state)
{
	(void)state;
	struct ipaddr a = addr("1.2.3.4"), b = addr("1.2.3.5"), c = addr("::1");
	struct ipaddr d = addr("::1:0:0:0:0"), e = addr("::ffff:ffff:ffff:ffff");
	assert_int_equal(ipaddr_cmp(&a, &a), 0);
	assert_int_equal(ipaddr_cmp(&a, &b), -1);
	assert_int_equal(ipaddr_cmp(&b, &a), 1);
	/* family dominates: 255.255.255.255 < :: */
	struct ipaddr big4 = addr("255.255.255.255"), zero6 = addr("::");
	assert_int_equal(ipaddr_cmp(&big4, &zero6), -1);
	assert_int_equal(ipaddr_cmp(&c, &a), 1);
	/* high half decides before low half */
	assert_int_equal(ipaddr_cmp(&e, &d), -1);
	assert_int_equal(ipaddr_cmp(&d, &e), 1);
}

static void test_contains(void **state)
{
	(void)state;
	struct ipnet n = net("10.0.0.0/8");
	struct ipaddr in = addr("10.255.255.255"), out = addr("11.0.0.0");
	assert_true(ipnet_contains(&n, &in));
	assert_false(ipnet_contains(&n, &out));

	struct ipnet all4 = net("0.0.0.0/0"), all6 = net("::/0");
	struct ipaddr a4 = addr("203.0.113.7"), a6 = addr("2001:db8::7");
	assert_true(ipnet_contains(&all4, &a4));
	assert_false(ipnet_contains(&all4, &a6)); /* cross-family */
	assert_true(ipnet_contains(&all6, &a6));
	assert_false(ipnet_contains(&all6, &a4));
	/* v4-mapped v6 is not the v4 address */
	struct ipaddr mapped = addr("::ffff:203.0.113.7");
	assert_false(ipnet_contains(&all4, &mapped));

	struct ipnet host4 = net("203.0.113.7/32"), host6 = net("2001:db8::7/128");
	struct ipaddr next4 = addr("203.0.113.8"), next6 = addr("2001:db8::8");
	assert_true(ipnet_contains(&host4, &a4));
	assert_false(ipnet_contains(&host4, &next4));
	assert_true(ipnet_contains(&host6, &a6));
	assert_false(ipnet_contains(&host6, &next6));

	/* prefix boundary inside the low half, and in the high half */
	struct ipnet n6 = net("2001:db8::/64");
	struct ipaddr last = addr("2001:db8::ffff:ffff:ffff:ffff"), beyond = addr("2001:db8:0:1::");
	assert_true(ipnet_contains(&n6, &last));
	assert_false(ipnet_contains(&n6, &beyond));
	struct ipnet n65 = net("2001:db8::8000:0:0:0/65");
	struct ipaddr lowhalf = addr("2001:db8::7fff:ffff:ffff:ffff");
	assert_false(ipnet_contains(&n65, &lowhalf));
	assert_true(ipnet_contains(&n65, &last));

	/* a loosely parsed prefix with host bits still contains its network */
	struct ipnet loose;
	bool hb;
	assert_int_equal(ipnet_parse_loose("10.1.2.3/16", &loose, &hb), 0);
	struct ipaddr netaddr = addr("10.1.0.0"), other = addr("10.2.0.0");
	assert_true(ipnet_contains(&loose, &netaddr));
	assert_false(ipnet_contains(&loose, &other));
}

static void test_contains_net(void **state)
{
	(void)state;
	struct ipnet n8 = net("10.0.0.0/8"), n16 = net("10.1.0.0/16"), other = net("11.0.0.0/16");
	assert_true(ipnet_contains_net(&n8, &n16));
	assert_false(ipnet_contains_net(&n16, &n8));
	assert_true(ipnet_contains_net(&n8, &n8)); /* equal counts */
	assert_false(ipnet_contains_net(&n8, &other));

	struct ipnet all4 = net("0.0.0.0/0"), all6 = net("::/0"), h32 = net("1.2.3.4/32");
	struct ipnet h128 = net("::1/128"), h128b = net("::2/128");
	assert_true(ipnet_contains_net(&all4, &h32));
	assert_true(ipnet_contains_net(&all4, &all4));
	assert_false(ipnet_contains_net(&all4, &h128)); /* cross-family */
	assert_false(ipnet_contains_net(&all6, &h32));
	assert_true(ipnet_contains_net(&all6, &h128));
	assert_true(ipnet_contains_net(&h128, &h128));
	assert_false(ipnet_contains_net(&h128, &h128b));
	assert_false(ipnet_contains_net(&h32, &all4));

	struct ipnet a = net("2001:db8::/32"), b = net("2001:db8:ffff::/48"), c = net("2001:db9::/48");
	assert_true(ipnet_contains_net(&a, &b));
	assert_false(ipnet_contains_net(&a, &c));
}

static void test_overlaps(void **state)
{
	(void)state;
	struct ipnet n8 = net("10.0.0.0/8"), n24 = net("10.9.9.0/24"), n11 = net("11.0.0.0/8");
	struct ipnet all4 = net("0.0.0.0/0"), all6 = net("::/0"), h32 = net("10.9.9.9/32");
	struct ipnet a6 = net("2001:db8::/32"), b6 = net("2001:db8:1::/48"), c6 = net("2001:db9::/32");
	assert_true(ipnet_overlaps(&n8, &n24));
	assert_true(ipnet_overlaps(&n24, &n8)); /* symmetric */
	assert_true(ipnet_overlaps(&n8, &n8));
	assert_false(ipnet_overlaps(&n8, &n11));
	assert_true(ipnet_overlaps(&all4, &n11));
	assert_true(ipnet_overlaps(&h32, &n24));
	assert_false(ipnet_overlaps(&all4, &all6)); /* cross-family */
	assert_false(ipnet_overlaps(&all6, &n8));
	assert_true(ipnet_overlaps(&all6, &b6));
	assert_true(ipnet_overlaps(&a6, &b6));
	assert_false(ipnet_overlaps(&a6, &c6));
	/* adjacent v4 blocks do not overlap */
	struct ipnet lo = net("192.168.0.0/24"), hi = net("192.168.1.0/24");
	assert_false(ipnet_overlaps(&lo, &hi));
}

/* ---- ranges and arithmetic ---- */

static void check_first_last(const char *prefix, const char *first, const char *last)
{
	struct ipnet n = net(prefix);
	struct ipaddr f, l;
	ipnet_first(&n, &f);
	ipnet_last(&n, &l);
	assert_addr_eq(f, addr(first));
	assert_addr_eq(l, addr(last));
}

static void test_first_last(void **state)
{
	(void)state;
	check_first_last("192.168.1.0/24", "192.168.1.0", "192.168.1.255");
	check_first_last("10.0.0.0/31", "10.0.0.0", "10.0.0.1");
	check_first_last("10.0.0.7/32", "10.0.0.7", "10.0.0.7");
	check_first_last("0.0.0.0/0", "0.0.0.0", "255.255.255.255");
	check_first_last("172.16.0.0/12", "172.16.0.0", "172.31.255.255");
	check_first_last("2001:db8::/127", "2001:db8::", "2001:db8::1");
	check_first_last("2001:db8::5/128", "2001:db8::5", "2001:db8::5");
	check_first_last("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	check_first_last("2001:db8::/64", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff");
	check_first_last("2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	check_first_last("2001:db8::8000:0:0:0/65", "2001:db8::8000:0:0:0",
			 "2001:db8::ffff:ffff:ffff:ffff");

	/* first masks the host bits of a loosely parsed prefix */
	struct ipnet loose;
	bool hb;
	struct ipaddr f;
	assert_int_equal(ipnet_parse_loose("10.1.2.3/8", &loose, &hb), 0);
	ipnet_first(&loose, &f);
	assert_addr_eq(f, addr("10.0.0.0"));
}

static void test_next_prev(void **state)
{
	(void)state;
	struct ipaddr a, r = v4(7);
	a = addr("255.255.255.255");
	assert_int_equal(ipaddr_next(&a, &r), -1);
	assert_addr_eq(r, v4(7)); /* untouched on failure */
	assert_int_equal(ipaddr_prev(&a, &r), 0);
	assert_addr_eq(r, addr("255.255.255.254"));

	a = addr("0.0.0.0");
	assert_int_equal(ipaddr_prev(&a, &r), -1);
	assert_int_equal(ipaddr_next(&a, &r), 0);
	assert_addr_eq(r, addr("0.0.0.1"));

	a = addr("10.0.0.255");
	assert_int_equal(ipaddr_next(&a, &r), 0);
	assert_addr_eq(r, addr("10.0.1.0"));

	a = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_int_equal(ipaddr_next(&a, &r), -1);
	assert_int_equal(ipaddr_prev(&a, &r), 0);
	assert_addr_eq(r, addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));

	a = addr("::");
	assert_int_equal(ipaddr_prev(&a, &r), -1);
	assert_int_equal(ipaddr_next(&a, &r), 0);
	assert_addr_eq(r, addr("::1"));

	/* carry and borrow across the 64-bit halves */
	a = addr("::ffff:ffff:ffff:ffff");
	assert_int_equal(ipaddr_next(&a, &r), 0);
	assert_addr_eq(r, addr("0:0:0:1::"));
	a = addr("0:0:0:1::");
	assert_int_equal(ipaddr_prev(&a, &r), 0);
	assert_addr_eq(r, addr("::ffff:ffff:ffff:ffff"));

	/* v4 stays v4: no spill into bit 32 */
	a = addr("0.0.0.255");
	assert_int_equal(ipaddr_next(&a, &r), 0);
	assert_int_equal(r.family, 4);
	assert_true(r.hi == 0);

	struct ipaddr bad = { .hi = 0, .lo = UINT64_C(1) << 32, .family = 4 };
	assert_int_equal(ipaddr_next(&bad, &r), -1);
	assert_int_equal(ipaddr_prev(&bad, &r), -1);
}

static void test_add(void **state)
{
	(void)state;
	struct ipaddr a = addr("10.0.0.0"), r;
	assert_int_equal(ipaddr_add(&a, 0, &r), 0);
	assert_addr_eq(r, a);
	assert_int_equal(ipaddr_add(&a, 256, &r), 0);
	assert_addr_eq(r, addr("10.0.1.0"));
	a = addr("0.0.0.0");
	assert_int_equal(ipaddr_add(&a, 0xffffffffu, &r), 0);
	assert_addr_eq(r, addr("255.255.255.255"));
	assert_int_equal(ipaddr_add(&a, UINT64_C(0x100000000), &r), -1);
	a = addr("255.255.255.0");
	assert_int_equal(ipaddr_add(&a, 255, &r), 0);
	assert_int_equal(ipaddr_add(&a, 256, &r), -1);
	assert_int_equal(ipaddr_add(&a, UINT64_MAX, &r), -1); /* no uint64 wrap */

	a = addr("2001:db8::ffff:ffff:ffff:fff0");
	assert_int_equal(ipaddr_add(&a, 0x20, &r), 0);
	assert_addr_eq(r, addr("2001:db8:0:1::10"));
	a = addr("::");
	assert_int_equal(ipaddr_add(&a, UINT64_MAX, &r), 0);
	assert_addr_eq(r, addr("::ffff:ffff:ffff:ffff"));
	a = addr("ffff:ffff:ffff:ffff::1");
	assert_int_equal(ipaddr_add(&a, UINT64_MAX - 1, &r), 0);
	assert_addr_eq(r, addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	assert_int_equal(ipaddr_add(&a, UINT64_MAX, &r), -1);
}

static void check_size(const char *prefix, uint64_t want)
{
	struct ipnet n = net(prefix);
	if (ipnet_size(&n) != want)
		fail_msg("size(%s) = %llu, want %llu", prefix,
			 (unsigned long long)ipnet_size(&n), (unsigned long long)want);
}

static void test_size(void **state)
{
	(void)state;
	check_size("0.0.0.0/0", UINT64_C(1) << 32);
	check_size("10.0.0.0/8", UINT64_C(1) << 24);
	check_size("10.0.0.0/24", 256);
	check_size("10.0.0.0/31", 2);
	check_size("10.0.0.0/32", 1);
	check_size("::/0", UINT64_MAX);
	check_size("2001:db8::/32", UINT64_MAX);
	check_size("2001:db8::/64", UINT64_MAX); /* exactly 2^64, saturated */
	check_size("2001:db8::/65", UINT64_C(1) << 63);
	check_size("2001:db8::/120", 256);
	check_size("2001:db8::/127", 2);
	check_size("2001:db8::/128", 1);
}

static void test_distance(void **state)
{
	(void)state;
	struct ipaddr a = addr("10.0.0.0"), b = addr("10.0.1.0");
	assert_true(ipaddr_distance(&a, &b) == 256);
	assert_true(ipaddr_distance(&b, &a) == 0);
	assert_true(ipaddr_distance(&a, &a) == 0);
	a = addr("0.0.0.0");
	b = addr("255.255.255.255");
	assert_true(ipaddr_distance(&a, &b) == 0xffffffffu);

	a = addr("::ffff:ffff:ffff:ffff");
	b = addr("0:0:0:1::5");
	assert_true(ipaddr_distance(&a, &b) == 6); /* borrow across halves */
	a = addr("::");
	b = addr("::ffff:ffff:ffff:ffff");
	assert_true(ipaddr_distance(&a, &b) == UINT64_MAX);
	b = addr("0:0:0:1::");
	assert_true(ipaddr_distance(&a, &b) == UINT64_MAX); /* 2^64 saturates */
	b = addr("ffff::");
	assert_true(ipaddr_distance(&a, &b) == UINT64_MAX);
	assert_true(ipaddr_distance(&b, &a) == 0);

	struct ipaddr x4 = addr("1.2.3.4"), x6 = addr("::ffff:1.2.3.5");
	assert_true(ipaddr_distance(&x4, &x6) == 0); /* cross-family */
}

static void check_mask(const char *prefix, const char *want)
{
	struct ipnet n = net(prefix);
	struct ipaddr m;
	assert_int_equal(ipnet_mask(&n, &m), 0);
	assert_addr_eq(m, addr(want));
}

static void test_mask(void **state)
{
	(void)state;
	check_mask("10.0.0.0/24", "255.255.255.0");
	check_mask("0.0.0.0/0", "0.0.0.0");
	check_mask("10.0.0.0/32", "255.255.255.255");
	check_mask("172.16.0.0/12", "255.240.0.0");
	check_mask("10.0.0.0/31", "255.255.255.254");
	check_mask("::/0", "::");
	check_mask("::/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	check_mask("2001:db8::/32", "ffff:ffff::");
	check_mask("2001:db8::/64", "ffff:ffff:ffff:ffff::");
	check_mask("2001:db8::/65", "ffff:ffff:ffff:ffff:8000::");
	check_mask("2001:db8::/127", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");

	struct ipnet bad = net("10.0.0.0/8");
	struct ipaddr m;
	bad.len = 33;
	assert_int_equal(ipnet_mask(&bad, &m), -1);
	bad.len = -1;
	assert_int_equal(ipnet_mask(&bad, &m), -1);
}

/* ---- keys ---- */

static int cmp_addr(const void *a, const void *b)
{
	return ipaddr_cmp(a, b);
}

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, IPADDR_KEYLEN);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_key_order(void **state)
{
	(void)state;
	static const char *fixed[] = {
		"0.0.0.0", "0.0.0.1", "1.0.0.0", "255.255.255.255", "10.0.0.1", "::", "::1",
		"::ffff:0.0.0.0", "::ffff:255.255.255.255", "0:0:0:1::", "::ffff:ffff:ffff:ffff",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "8000::", "7fff:ffff:ffff:ffff::",
		"2001:db8::1", "2001:db8::",
	};
	enum { N = 200 };
	struct ipaddr addrs[N];
	unsigned char keys[N][IPADDR_KEYLEN];
	uint64_t seed = 4242;
	for (size_t i = 0; i < N; i++) {
		if (i < ARRAY_LEN(fixed))
			addrs[i] = addr(fixed[i]);
		else if (i % 2)
			addrs[i] = v4((uint32_t)rng_next(&seed));
		else
			addrs[i] = v6(rng_next(&seed) >> (rng_next(&seed) % 64), rng_next(&seed));
	}
	/* pairwise: memcmp sign equals ipaddr_cmp sign */
	for (size_t i = 0; i < N; i++)
		ipaddr_to_key(&addrs[i], keys[i]);
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++)
			assert_int_equal(sign(memcmp(keys[i], keys[j], IPADDR_KEYLEN)),
					 ipaddr_cmp(&addrs[i], &addrs[j]));

	/* sorting both ways gives the same sequence */
	qsort(addrs, N, sizeof addrs[0], cmp_addr);
	qsort(keys, N, sizeof keys[0], cmp_key);
	for (size_t i = 0; i < N; i++) {
		unsigned char k[IPADDR_KEYLEN];
		struct ipaddr back;
		ipaddr_to_key(&addrs[i], k);
		assert_memory_equal(k, keys[i], IPADDR_KEYLEN);
		assert_int_equal(ipaddr_from_key(keys[i], IPADDR_KEYLEN, &back), 0);
		assert_addr_eq(back, addrs[i]);
	}

	/* exact layout */
	unsigned char k[IPADDR_KEYLEN];
	static const unsigned char want4[IPADDR_KEYLEN] = { 4, 0, 0, 0, 0, 0, 0, 0, 0,
							    0, 0, 0, 0, 192, 0, 2, 1 };
	static const unsigned char want6[IPADDR_KEYLEN] = { 6, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
							    0, 0, 0, 0, 0, 0, 0, 0x2a };
	struct ipaddr a = addr("192.0.2.1");
	ipaddr_to_key(&a, k);
	assert_memory_equal(k, want4, IPADDR_KEYLEN);
	a = addr("2001:db8::2a");
	ipaddr_to_key(&a, k);
	assert_memory_equal(k, want6, IPADDR_KEYLEN);
}

static void test_from_key_rejects(void **state)
{
	(void)state;
	unsigned char k[IPADDR_KEYLEN + 1] = { 0 };
	struct ipaddr a = v4(99);
	k[0] = 4;
	assert_int_equal(ipaddr_from_key(k, IPADDR_KEYLEN, &a), 0);
	assert_addr_eq(a, v4(0));
	assert_int_equal(ipaddr_from_key(k, IPADDR_KEYLEN - 1, &a), -1);
	assert_int_equal(ipaddr_from_key(k, IPADDR_KEYLEN + 1, &a), -1);
	assert_int_equal(ipaddr_from_key(k, 0, &a), -1);
	assert_int_equal(ipaddr_from_key(NULL, IPADDR_KEYLEN, &a), -1);

	k[0] = 5;
	assert_int_equal(ipaddr_from_key(k, IPADDR_KEYLEN, &a), -1);
	k[0] = 0;
	assert_int_equal(ipaddr_from_key(k, IPADDR_KEYLEN, &a), -1);
	k[0] = 6;
	assert_int_equal(ipaddr_from_key(k, IPADDR_KEYLEN, &a), 0);
	assert_addr_eq(a, v6(0, 0));

	/* v4 values above 32 bits, in either half */
	k[0] = 4;
	k[12] = 1;
	assert_int_equal(ipaddr_from_key(k, IPADDR_KEYLEN, &a), -1);
	k[12] = 0;
	k[1] = 0x80;
	assert_int_equal(ipaddr_from_key(k, IPADDR_KEYLEN, &a), -1);
	k[1] = 0;
	k[13] = 0xff;
	assert_int_equal(ipaddr_from_key(k, IPADDR_KEYLEN, &a), 0);
	assert_addr_eq(a, addr("255.0.0.0"));
}

/* ---- reverse DNS ---- */

static void test_reverse_name(void **state)
{
	(void)state;
	char buf[IPADDR_REVERSE_STRLEN];
	struct ipaddr a = addr("1.2.3.4");
	assert_int_equal(ipaddr_reverse_name(&a, buf, sizeof buf), 0);
	assert_string_equal(buf, "4.3.2.1.in-addr.arpa");
	a = addr("192.0.2.10");
	assert_int_equal(ipaddr_reverse_name(&a, buf, sizeof buf), 0);
	assert_string_equal(buf, "10.2.0.192.in-addr.arpa");
	assert_int_equal(ipaddr_reverse_name(&a, buf, 24), 0);
	assert_int_equal(ipaddr_reverse_name(&a, buf, 23), -1);
	a = addr("255.255.255.255");
	assert_int_equal(ipaddr_reverse_name(&a, buf, sizeof buf), 0);
	assert_string_equal(buf, "255.255.255.255.in-addr.arpa");

	a = addr("2001:db8::567:89ab");
	assert_int_equal(ipaddr_reverse_name(&a, buf, sizeof buf), 0);
	assert_string_equal(buf, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	a = addr("::");
	assert_int_equal(ipaddr_reverse_name(&a, buf, sizeof buf), 0);
	assert_string_equal(buf, "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa");
	assert_int_equal(strlen(buf), IPADDR_REVERSE_STRLEN - 1);
	assert_int_equal(ipaddr_reverse_name(&a, buf, IPADDR_REVERSE_STRLEN - 1), -1);

	struct ipaddr bad = { .hi = 0, .lo = 0, .family = 0 };
	assert_int_equal(ipaddr_reverse_name(&bad, buf, sizeof buf), -1);
}

/* A socket's address formats as inet_ntop writes it (the access log's client), every family
 * the server listens with; another family is refused. */
static void test_from_sockaddr(void **state)
{
	static const char *const v4[] = { "127.0.0.1", "0.0.0.0", "255.255.255.255", "10.1.2.3" };
	static const char *const v6[] = { "::1", "::", "2001:db8::1", "::ffff:192.0.2.7",
	    "fe80::1:2:3:4", "2001:db8:0:0:1::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" };
	char buf[IPADDR_STRLEN], want[INET6_ADDRSTRLEN];
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	struct sockaddr sa;
	struct ipaddr a;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(v4); i++) {
		memset(&s4, 0, sizeof s4);
		s4.sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, v4[i], &s4.sin_addr), 1);
		assert_int_equal(ipaddr_from_sockaddr((struct sockaddr *)&s4, &a), 0);
		assert_int_equal(ipaddr_format(&a, buf, sizeof buf), 0);
		assert_string_equal(buf, v4[i]);
	}
	for (i = 0; i < ARRAY_LEN(v6); i++) {
		memset(&s6, 0, sizeof s6);
		s6.sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, v6[i], &s6.sin6_addr), 1);
		assert_int_equal(ipaddr_from_sockaddr((struct sockaddr *)&s6, &a), 0);
		assert_int_equal(ipaddr_format(&a, buf, sizeof buf), 0);
		assert_non_null(inet_ntop(AF_INET6, &s6.sin6_addr, want, sizeof want));
		assert_string_equal(buf, want);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_family = AF_UNIX;
	assert_int_equal(ipaddr_from_sockaddr(&sa, &a), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v4_valid),
		cmocka_unit_test(test_parse_v4_invalid),
		cmocka_unit_test(test_parse_v6_valid),
		cmocka_unit_test(test_parse_v6_invalid),
		cmocka_unit_test(test_format_v4),
		cmocka_unit_test(test_from_sockaddr),
		cmocka_unit_test(test_format_rfc5952),
		cmocka_unit_test(test_format_buffer_and_invalid),
		cmocka_unit_test(test_roundtrip_v4_random),
		cmocka_unit_test(test_roundtrip_v6_random),
		cmocka_unit_test(test_parse_differential),
		cmocka_unit_test(test_net_parse_valid),
		cmocka_unit_test(test_net_parse_invalid),
		cmocka_unit_test(test_net_parse_loose),
		cmocka_unit_test(test_net_format),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_contains_net),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_first_last),
		cmocka_unit_test(test_next_prev),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_from_key_rejects),
		cmocka_unit_test(test_reverse_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
