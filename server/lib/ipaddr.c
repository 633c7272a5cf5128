#include "ipaddr.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define V4_MAX UINT64_C(0xffffffff)

static int fam_bits(int family)
{
	return family == 4 ? 32 : 128;
}

/* Values outside the family range would break arithmetic and formatting. */
static bool addr_valid(const struct ipaddr *a)
{
	return a->family == 6 || (a->family == 4 && a->hi == 0 && a->lo <= V4_MAX);
}

static bool net_valid(const struct ipnet *n)
{
	return addr_valid(&n->addr) && n->len >= 0 && n->len <= fam_bits(n->addr.family);
}

/* Low n bits set, 0 <= n <= 128, without ever shifting a uint64_t by 64. */
static void low_bits(int n, uint64_t *hi, uint64_t *lo)
{
	*hi = n <= 64 ? 0 : n == 128 ? UINT64_MAX : (UINT64_C(1) << (n - 64)) - 1;
	*lo = n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

/* Host part of a prefix. len is clamped so a malformed ipnet cannot cause an
 * out-of-range shift in the void/bool helpers that cannot report errors. */
static void host_mask(const struct ipnet *n, uint64_t *hi, uint64_t *lo)
{
	int bits = fam_bits(n->addr.family);
	int len = n->len < 0 ? 0 : n->len > bits ? bits : n->len;
	low_bits(bits - len, hi, lo);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_val(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Dotted quad that must run to the end of s. */
static int parse_v4(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		if (i > 0 && *s++ != '.')
			return -1;
		if (!is_digit(*s) || (*s == '0' && is_digit(s[1])))
			return -1; /* empty part or a leading zero (octal ambiguity) */
		unsigned part = 0;
		for (int d = 0; d < 3 && is_digit(*s); d++)
			part = part * 10 + (unsigned)(*s++ - '0');
		if (part > 255 || is_digit(*s))
			return -1;
		v = v << 8 | part;
	}
	if (*s != '\0')
		return -1;
	*out = v;
	return 0;
}

static int parse_v6(const char *p, struct ipaddr *out)
{
	uint16_t g[8] = { 0 };
	int n = 0, gap = -1; /* gap: group index where '::' sits */

	if (p[0] == ':') {
		if (p[1] != ':')
			return -1;
		gap = 0;
		p += 2;
	}
	while (*p != '\0') {
		const char *q = p;
		unsigned v = 0;
		int d = 0, x;
		/* Read one digit too many so that 5-digit groups are caught. */
		for (; d < 5 && (x = hex_val(*q)) >= 0; q++, d++)
			v = v << 4 | (unsigned)x;
		if (*q == '.') {
			uint32_t v4;
			if (n > 6 || parse_v4(p, &v4) < 0)
				return -1;
			g[n++] = (uint16_t)(v4 >> 16);
			g[n++] = (uint16_t)v4;
			break; /* parse_v4 consumed the rest of the string */
		}
		if (d == 0 || d > 4 || n == 8)
			return -1;
		g[n++] = (uint16_t)v;
		p = q;
		if (*p == '\0')
			break;
		if (*p++ != ':')
			return -1;
		if (*p == ':') {
			if (gap >= 0)
				return -1;
			gap = n;
			p++;
		} else if (*p == '\0') {
			return -1; /* trailing single ':' */
		}
	}
	if (gap >= 0) {
		if (n == 8)
			return -1; /* '::' must stand for at least one group */
		int tail = n - gap;
		memmove(&g[8 - tail], &g[gap], (size_t)tail * sizeof g[0]);
		memset(&g[gap], 0, (size_t)(8 - n) * sizeof g[0]);
	} else if (n != 8) {
		return -1;
	}
	out->hi = out->lo = 0;
	for (int i = 0; i < 4; i++) {
		out->hi = out->hi << 16 | g[i];
		out->lo = out->lo << 16 | g[i + 4];
	}
	out->family = 6;
	return 0;
}

int ipaddr_parse(const char *s, struct ipaddr *out)
{
	if (!s || !out)
		return -1;
	if (strchr(s, ':'))
		return parse_v6(s, out);
	uint32_t v4;
	if (parse_v4(s, &v4) < 0)
		return -1;
	*out = (struct ipaddr){ .hi = 0, .lo = v4, .family = 4 };
	return 0;
}

static char *put_dec(char *p, unsigned v)
{
	char tmp[10];
	int i = 0;
	do
		tmp[i++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (i > 0)
		*p++ = tmp[--i];
	return p;
}

static char *put_quad(char *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--) {
		p = put_dec(p, v >> (8 * i) & 0xff);
		if (i > 0)
			*p++ = '.';
	}
	return p;
}

static const char hex_digits[] = "0123456789abcdef";

static char *put_hex(char *p, unsigned v)
{
	int shift = 12;
	while (shift > 0 && (v >> shift) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = hex_digits[v >> shift & 0xf];
	return p;
}

/* Copy the finished text [tmp, end) out only if it fits entirely. */
static int emit(const char *tmp, const char *end, char *buf, size_t n)
{
	size_t len = (size_t)(end - tmp);
	if (!buf || len >= n)
		return -1;
	memcpy(buf, tmp, len);
	buf[len] = '\0';
	return 0;
}

static char *put_addr(char *p, const struct ipaddr *a)
{
	if (a->family == 4)
		return put_quad(p, (uint32_t)a->lo);
	if (a->hi == 0 && a->lo >> 32 == 0xffff) { /* RFC 5952 section 5 */
		memcpy(p, "::ffff:", 7);
		return put_quad(p + 7, (uint32_t)a->lo);
	}
	unsigned g[8];
	for (int i = 0; i < 4; i++) {
		g[i] = (unsigned)(a->hi >> (48 - 16 * i) & 0xffff);
		g[i + 4] = (unsigned)(a->lo >> (48 - 16 * i) & 0xffff);
	}
	/* Longest run of zero groups, the first one on ties; runs of 1 stay. */
	int best = -1, best_len = 1;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			*p++ = ':';
			i += best_len - 1;
			continue;
		}
		if (i > 0 && !(best >= 0 && i == best + best_len))
			*p++ = ':';
		p = put_hex(p, g[i]);
	}
	return p;
}

int ipaddr_format(const struct ipaddr *a, char *buf, size_t n)
{
	char tmp[IPADDR_STRLEN];
	if (!a || !addr_valid(a))
		return -1;
	return emit(tmp, put_addr(tmp, a), buf, n);
}

int ipaddr_from_sockaddr(const struct sockaddr *sa, struct ipaddr *out)
{
	const unsigned char *b;
	int i;

	*out = (struct ipaddr){ 0, 0, 4 };
	if (sa->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		for (i = 0; i < 4; i++)
			out->lo = out->lo << 8 | b[i];
		return 0;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	out->family = 6;
	for (i = 0; i < 8; i++) {
		out->hi = out->hi << 8 | b[i];
		out->lo = out->lo << 8 | b[i + 8];
	}
	return 0;
}

static int parse_net(const char *s, struct ipnet *out, bool *host_bits_set)
{
	if (!s || !out)
		return -1;
	const char *slash = strchr(s, '/');
	char abuf[IPADDR_STRLEN];
	/* Longer than any valid address text: reject before copying. */
	if (!slash || (size_t)(slash - s) >= sizeof abuf)
		return -1;
	memcpy(abuf, s, (size_t)(slash - s));
	abuf[slash - s] = '\0';

	struct ipnet net;
	if (ipaddr_parse(abuf, &net.addr) < 0)
		return -1;
	const char *p = slash + 1;
	if (p[0] == '0' && p[1] != '\0')
		return -1; /* leading zero */
	int len = 0, d = 0;
	for (; d < 4 && is_digit(*p); d++)
		len = len * 10 + (*p++ - '0');
	if (d == 0 || *p != '\0' || len > fam_bits(net.addr.family))
		return -1;
	net.len = len;

	uint64_t hh, hl;
	host_mask(&net, &hh, &hl);
	*host_bits_set = (net.addr.hi & hh) != 0 || (net.addr.lo & hl) != 0;
	*out = net;
	return 0;
}

int ipnet_parse(const char *s, struct ipnet *out)
{
	struct ipnet net;
	bool host_bits;
	if (parse_net(s, &net, &host_bits) < 0 || host_bits)
		return -1;
	*out = net;
	return 0;
}

int ipnet_parse_loose(const char *s, struct ipnet *out, bool *host_bits_set)
{
	bool host_bits;
	if (!host_bits_set || parse_net(s, out, &host_bits) < 0)
		return -1;
	*host_bits_set = host_bits;
	return 0;
}

int ipnet_format(const struct ipnet *n, char *buf, size_t len)
{
	char tmp[IPNET_STRLEN];
	if (!n || !net_valid(n))
		return -1;
	char *p = put_addr(tmp, &n->addr);
	*p++ = '/';
	return emit(tmp, put_dec(p, (unsigned)n->len), buf, len);
}

int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

bool ipnet_contains(const struct ipnet *n, const struct ipaddr *a)
{
	if (n->addr.family != a->family)
		return false;
	uint64_t hh, hl;
	host_mask(n, &hh, &hl);
	/* Mask both sides: a loosely parsed net may carry host bits. */
	return ((n->addr.hi ^ a->hi) & ~hh) == 0 && ((n->addr.lo ^ a->lo) & ~hl) == 0;
}

bool ipnet_contains_net(const struct ipnet *outer, const struct ipnet *inner)
{
	return outer->len <= inner->len && ipnet_contains(outer, &inner->addr);
}

bool ipnet_overlaps(const struct ipnet *a, const struct ipnet *b)
{
	/* Prefixes either nest or are disjoint. */
	return ipnet_contains_net(a, b) || ipnet_contains_net(b, a);
}

void ipnet_first(const struct ipnet *n, struct ipaddr *out)
{
	uint64_t hh, hl;
	host_mask(n, &hh, &hl);
	*out = (struct ipaddr){ .hi = n->addr.hi & ~hh, .lo = n->addr.lo & ~hl, .family = n->addr.family };
}

void ipnet_last(const struct ipnet *n, struct ipaddr *out)
{
	uint64_t hh, hl;
	host_mask(n, &hh, &hl);
	*out = (struct ipaddr){ .hi = n->addr.hi | hh, .lo = n->addr.lo | hl, .family = n->addr.family };
}

int ipaddr_add(const struct ipaddr *a, uint64_t k, struct ipaddr *out)
{
	if (!addr_valid(a))
		return -1;
	struct ipaddr r = *a;
	if (a->family == 4) {
		if (k > V4_MAX - a->lo)
			return -1;
		r.lo += k;
	} else {
		r.lo += k;
		if (r.lo < k) { /* carry into the high half */
			if (r.hi == UINT64_MAX)
				return -1;
			r.hi++;
		}
	}
	*out = r;
	return 0;
}

int ipaddr_next(const struct ipaddr *a, struct ipaddr *out)
{
	return ipaddr_add(a, 1, out);
}

int ipaddr_prev(const struct ipaddr *a, struct ipaddr *out)
{
	if (!addr_valid(a) || (a->hi == 0 && a->lo == 0))
		return -1;
	struct ipaddr r = *a;
	if (r.lo-- == 0)
		r.hi--;
	*out = r;
	return 0;
}

uint64_t ipnet_size(const struct ipnet *n)
{
	int bits = fam_bits(n->addr.family);
	int host = bits - (n->len < 0 ? 0 : n->len > bits ? bits : n->len);
	return host >= 64 ? UINT64_MAX : UINT64_C(1) << host;
}

uint64_t ipaddr_distance(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family || ipaddr_cmp(b, a) <= 0)
		return 0;
	uint64_t hi = b->hi - a->hi - (b->lo < a->lo);
	return hi != 0 ? UINT64_MAX : b->lo - a->lo;
}

int ipnet_mask(const struct ipnet *n, struct ipaddr *mask_out)
{
	if (!net_valid(n))
		return -1;
	uint64_t fh, fl, hh, hl;
	low_bits(fam_bits(n->addr.family), &fh, &fl);
	host_mask(n, &hh, &hl);
	*mask_out = (struct ipaddr){ .hi = fh & ~hh, .lo = fl & ~hl, .family = n->addr.family };
	return 0;
}

void ipaddr_to_key(const struct ipaddr *a, unsigned char key[IPADDR_KEYLEN])
{
	key[0] = (unsigned char)a->family;
	for (int i = 0; i < 8; i++) {
		key[1 + i] = (unsigned char)(a->hi >> (56 - 8 * i));
		key[9 + i] = (unsigned char)(a->lo >> (56 - 8 * i));
	}
}

int ipaddr_from_key(const unsigned char *key, size_t len, struct ipaddr *out)
{
	if (!key || len != IPADDR_KEYLEN || (key[0] != 4 && key[0] != 6))
		return -1;
	struct ipaddr r = { .hi = 0, .lo = 0, .family = key[0] };
	for (int i = 0; i < 8; i++) {
		r.hi = r.hi << 8 | key[1 + i];
		r.lo = r.lo << 8 | key[9 + i];
	}
	if (!addr_valid(&r))
		return -1;
	*out = r;
	return 0;
}

int ipaddr_reverse_name(const struct ipaddr *a, char *buf, size_t n)
{
	char tmp[IPADDR_REVERSE_STRLEN];
	char *p = tmp;
	if (!a || !addr_valid(a))
		return -1;
	if (a->family == 4) {
		for (int i = 0; i < 4; i++) {
			p = put_dec(p, (unsigned)(a->lo >> (8 * i) & 0xff));
			*p++ = '.';
		}
		memcpy(p, "in-addr.arpa", 12);
		return emit(tmp, p + 12, buf, n);
	}
	for (int i = 0; i < 32; i++) { /* least significant nibble first */
		uint64_t half = i < 16 ? a->lo : a->hi;
		*p++ = hex_digits[half >> (4 * (i % 16)) & 0xf];
		*p++ = '.';
	}
	memcpy(p, "ip6.arpa", 8);
	return emit(tmp, p + 8, buf, n);
}
