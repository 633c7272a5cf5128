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
bool sbuf_failed(const struct sbuf *sb);
/* Hands the buffer to the caller (free() it); the builder is left empty. NULL on failure. */
char *sbuf_take(struct sbuf *sb, size_t *len);
const char *sbuf_str(const struct sbuf *sb);

#endif
