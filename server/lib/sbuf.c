#include "sbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
sbuf_init(struct sbuf *sb, size_t max)
{
	memset(sb, 0, sizeof(*sb));
	sb->max = max;
}

void
sbuf_free(struct sbuf *sb)
{
	if (sb == NULL)
		return;
	free(sb->buf);
	sbuf_init(sb, sb->max);
}

void
sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	sb->failed = false;
	if (sb->buf != NULL)
		sb->buf[0] = '\0';
}

static int
sbuf_reserve(struct sbuf *sb, size_t extra)
{
	size_t need, cap;
	char *p;

	if (sb->failed)
		return -1;
	if (extra > (size_t)-1 - sb->len - 1 ||
	    (sb->max != 0 && sb->len + extra > sb->max)) {
		sb->failed = true;
		return -1;
	}
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 256;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	if ((p = realloc(sb->buf, cap)) == NULL) {
		sb->failed = true;
		return -1;
	}
	sb->buf = p;
	sb->cap = cap;
	return 0;
}

int
sbuf_reserve_hint(struct sbuf *sb, size_t total)
{
	return total > sb->len ? sbuf_reserve(sb, total - sb->len) : 0;
}

int
sbuf_append(struct sbuf *sb, const void *data, size_t n)
{
	/* The common case, room to spare and no cap near, takes no call. */
	if (!(n < sb->cap - sb->len && sb->max == 0 && !sb->failed) &&
	    sbuf_reserve(sb, n) == -1)
		return -1;
	if (n > 0)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int
sbuf_puts(struct sbuf *sb, const char *s)
{
	return sbuf_append(sb, s, strlen(s));
}

int
sbuf_putc(struct sbuf *sb, char c)
{
	return sbuf_append(sb, &c, 1);
}

int
sbuf_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	size_t room;
	int n;

	if (sb->failed)
		return -1;
	/* Try to format in place first: one pass in the common case that it fits. */
	room = sb->cap > sb->len ? sb->cap - sb->len : 0;
	va_copy(cp, ap);
	n = vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, cp);
	va_end(cp);
	if (n < 0) {
		sb->failed = true;
		return -1;
	}
	if ((size_t)n < room) {
		if (sb->max != 0 && sb->len + (size_t)n > sb->max) {
			sb->buf[sb->len] = '\0';
			sb->failed = true;
			return -1;
		}
		sb->len += (size_t)n;
		return 0;
	}
	if (sbuf_reserve(sb, (size_t)n) == -1)
		return -1;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

/* Integers are most of what rows hold: written without printf. */
int
sbuf_int(struct sbuf *sb, long long v)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return sbuf_append(sb, p, (size_t)(buf + sizeof(buf) - p));
}

int
sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = sbuf_vprintf(sb, fmt, ap);
	va_end(ap);
	return rc;
}

/* The length of s's start that JSON carries as is: no control character, quote or backslash.
 * Eight bytes at a time (a page of 50 objects is 400 strings): each test is exact for "some
 * byte of the word", and a word with one is looked at byte by byte. */
static size_t
sbuf_json_plain(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w, q, b;

		memcpy(&w, s + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		if ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs)
			break;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\')
			break;
	}
	return i;
}

int
sbuf_json(struct sbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	char *p;

	/* Most strings need no escape (addresses, names, statuses): one reservation and one
	 * copy, instead of an append for each quote and run. */
	if ((i = sbuf_json_plain(s, n)) == n) {
		if (sbuf_reserve(sb, n + 2) == -1)
			return -1;
		p = sb->buf + sb->len;
		p[0] = '"';
		if (n > 0)
			memcpy(p + 1, s, n);
		p[n + 1] = '"';
		p[n + 2] = '\0';
		sb->len += n + 2;
		return 0;
	}
	sbuf_putc(sb, '"');
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7] = { '\\', 0 };
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		/* Flush the plain run before this character, then its escape. */
		sbuf_append(sb, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		sbuf_append(sb, esc, elen);
	}
	sbuf_append(sb, s + run, n - run);
	return sbuf_putc(sb, '"');
}

bool
sbuf_failed(const struct sbuf *sb)
{
	return sb->failed;
}

char *
sbuf_take(struct sbuf *sb, size_t *len)
{
	char *p;

	if (sb->failed || sbuf_reserve(sb, 0) == -1) {
		sbuf_free(sb);
		return NULL;
	}
	sb->buf[sb->len] = '\0';
	p = sb->buf;
	if (len != NULL)
		*len = sb->len;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

const char *
sbuf_str(const struct sbuf *sb)
{
	return sb->buf != NULL ? sb->buf : "";
}
