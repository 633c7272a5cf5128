/* Unified diffs of two texts, line by line, as `diff -u` writes them (three lines of context),
 * for a change preview. */
#ifndef NETSOT_UDIFF_H
#define NETSOT_UDIFF_H

#include <stdbool.h>

struct sbuf;

/* Appends the diff from a to b, under the names given in its --- and +++ lines, to out;
 * returns whether the texts differ (nothing is appended when they do not). A middle part too
 * large for a line-by-line match (more than UDIFF_MATCH_MAX line pairs) is shown replaced
 * whole: a correct diff, not the shortest. */
bool udiff(const char *a, const char *b, const char *name_a, const char *name_b,
    struct sbuf *out);

#define UDIFF_MATCH_MAX 4000000L

#endif
