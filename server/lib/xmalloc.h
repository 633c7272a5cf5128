/* The one allocation policy: netsot does not run on after an allocation fails. Each of these
 * aborts with a message naming the size instead, so no caller keeps an out-of-memory path of
 * its own; jansson allocates through them too once xmalloc_install() has run. */
#ifndef NETSOT_XMALLOC_H
#define NETSOT_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* realloc of n items of size bytes, refusing a product that overflows. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Makes jansson allocate with xmalloc and free: call once, before any thread starts. */
void xmalloc_install(void);

#endif
