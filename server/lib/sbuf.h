/* A growable string builder with a sticky error, in the spirit of SQLite's StrAccum:
 * callers append freely and check sbuf_failed() once at the end. */
#ifndef NETSOT_SBUF_H
#define NETSOT_SBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char *buf;     /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
	size_t max;    /* 0 = unlimited; appending past it fails the builder */
	bool failed;
};

void sbuf_init(struct sbuf *sb, size_t max);
void sbuf_free(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);
/* Makes room for total bytes in all, so that appends up to it do not regrow. */
int sbuf_reserve_hint(struct sbuf *sb, size_t total);
int sbuf_append(struct sbuf *sb, const void *data, size_t n);
int sbuf_puts(struct sbuf *sb, const char *s);
int sbuf_putc(struct sbuf *sb, char c);
int sbuf_printf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sbuf_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
int sbuf_int(struct sbuf *sb, long long v);
/* Appends s (n bytes of UTF-8) as a JSON string literal, quotes included. */
int sbuf_json(struct sbuf *sb, const char *s, size_t n);
/* For a writer of many small pieces (a row of a page): room for up to n more bytes and where
 * they go, or NULL once the builder failed; write there, then sbuf_wrote with the end. n is a
 * bound, and under a cap (max) the bound itself must fit. */
char *sbuf_room(struct sbuf *sb, size_t n);
void sbuf_wrote(struct sbuf *sb, char *end);
/* The same writes as sbuf_json and sbuf_int, at p: room for 6 * n + 2 bytes (a string) or
 * SBUF_INT_MAX (an integer). Each returns the end of what it wrote. */
#define SBUF_INT_MAX 20
char *sbuf_json_at(char *p, const char *s, size_t n);
char *sbuf_int_at(char *p, long long v);
bool sbuf_failed(const struct sbuf *sb);
/* Hands the buffer to the caller (free() it); the builder is left empty. NULL on failure. */
char *sbuf_take(struct sbuf *sb, size_t *len);
const char *sbuf_str(const struct sbuf *sb);

#endif
