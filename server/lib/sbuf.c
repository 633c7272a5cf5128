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
char *
sbuf_int_at(char *p, long long v)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, t;
	char *end;

	if (v < 0)
		*p++ = '-';
	for (end = p + 1, t = u; t >= 10; t /= 10)
		end++;
	p = end;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	return end;
}

int
sbuf_int(struct sbuf *sb, long long v)
{
	char *p = sbuf_room(sb, SBUF_INT_MAX);

	if (p == NULL)
		return -1;
	sbuf_wrote(sb, sbuf_int_at(p, v));
	return 0;
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

/* Whether some byte of the word w needs an escape in JSON: a control character, quote or
 * backslash. Exact for "some byte", not for which. */
static bool
sbuf_json_word(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs) != 0;
}

static bool
sbuf_json_needs(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* The length of s's start that JSON carries as is: no control character, quote or backslash.
 * Eight bytes at a time (a page of 50 objects is 400 strings), a word with one is looked at
 * byte by byte. */
static size_t
sbuf_json_plain(const char *s, size_t n)
{
	uint64_t w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (sbuf_json_word(w))
			break;
	}
	while (i < n && !sbuf_json_needs((unsigned char)s[i]))
		i++;
	return i;
}

/* One character's escape at p: its end (at most 6 bytes). */
static char *
sbuf_json_esc(char *p, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	*p++ = '\\';
	switch (c) {
	case '"': *p++ = '"'; break;
	case '\\': *p++ = '\\'; break;
	case '\n': *p++ = 'n'; break;
	case '\r': *p++ = 'r'; break;
	case '\t': *p++ = 't'; break;
	case '\b': *p++ = 'b'; break;
	case '\f': *p++ = 'f'; break;
	default:
		memcpy(p, "u00", 3);
		p[3] = hex[c >> 4];
		p[4] = hex[c & 15];
		p += 5;
	}
	return p;
}

/* sbuf_json_at from byte i on, the bytes before it copied to p already: byte by byte. Out of
 * line, so that the common path saves no registers for it. */
static __attribute__((noinline)) char *
sbuf_json_bytes(char *p, const char *s, size_t i, size_t n)
{
	for (p += i; i < n; i++)
		if (sbuf_json_needs((unsigned char)s[i]))
			p = sbuf_json_esc(p, (unsigned char)s[i]);
		else
			*p++ = s[i];
	*p++ = '"';
	return p;
}

char *
sbuf_json_at(char *p, const char *s, size_t n)
{
	uint64_t w;
	size_t i;

	*p++ = '"';
	if (n < 8)
		return sbuf_json_bytes(p, s, 0, n);
	/* Scanned and copied a word at a time; the last word overlaps the one before, so a string
	 * of eight bytes or more has no byte loop unless it needs an escape. */
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (sbuf_json_word(w))
			return sbuf_json_bytes(p, s, i, n);
		memcpy(p + i, &w, 8);
	}
	memcpy(&w, s + n - 8, 8);
	if (sbuf_json_word(w))
		return sbuf_json_bytes(p, s, i, n);
	memcpy(p + n - 8, &w, 8);
	p[n] = '"';
	return p + n + 1;
}

int
sbuf_json(struct sbuf *sb, const char *s, size_t n)
{
	size_t i, run = 0;
	char *p, esc[6];

	/* Most strings need no escape (addresses, names, statuses): one reservation and one
	 * copy, instead of an append for each quote and run. */
	if ((i = sbuf_json_plain(s, n)) == n) {
		if ((p = sbuf_room(sb, n + 2)) == NULL)
			return -1;
		sbuf_wrote(sb, sbuf_json_at(p, s, n));
		return 0;
	}
	/* Appended run by run rather than at a bound of 6 * n: a builder with a cap takes every
	 * string whose escaped form fits. */
	sbuf_putc(sb, '"');
	for (; i < n; i++) {
		if (!sbuf_json_needs((unsigned char)s[i]))
			continue;
		/* Flush the plain run before this character, then its escape. */
		sbuf_append(sb, s + run, i - run);
		run = i + 1;
		sbuf_append(sb, esc, (size_t)(sbuf_json_esc(esc, (unsigned char)s[i]) - esc));
	}
	sbuf_append(sb, s + run, n - run);
	return sbuf_putc(sb, '"');
}

char *
sbuf_room(struct sbuf *sb, size_t n)
{
	/* The common case, room to spare and no cap, takes no call. */
	if (!(n < sb->cap - sb->len && sb->max == 0 && !sb->failed) &&
	    sbuf_reserve(sb, n) == -1)
		return NULL;
	return sb->buf + sb->len;
}

void
sbuf_wrote(struct sbuf *sb, char *end)
{
	sb->len = (size_t)(end - sb->buf);
	*end = '\0';
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
