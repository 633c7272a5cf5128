/* Port lists as people write them: "22", "80,443", "5404-5412", "8545,8546,30000-30010".
 * Parsed into ascending, merged ranges of 1..65535. */
#ifndef NETSOT_PORTSPEC_H
#define NETSOT_PORTSPEC_H

#include <stdbool.h>
#include <stddef.h>

#define PORTSPEC_MAX 32

struct portspec {
	int n;                     /* 0 = every port */
	struct { unsigned short lo, hi; } r[PORTSPEC_MAX];
};

/* 0, or -1 with a reason in why (a string literal). An empty string is every port only when
 * empty_ok. */
int portspec_parse(const char *s, bool empty_ok, struct portspec *out, const char **why);
bool portspec_overlaps(const struct portspec *a, const struct portspec *b);
/* Whether every port of inner is a port of outer. */
bool portspec_covers(const struct portspec *outer, const struct portspec *inner);

#endif
