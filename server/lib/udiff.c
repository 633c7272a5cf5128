#include "udiff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "vec.h"
#include "xmalloc.h"

#define UDIFF_CONTEXT 3

struct udiff_line {
	const char *s;
	size_t len;          /* without its newline */
};

typedef VEC(struct udiff_line) udiff_lines;

/* One step of the edit script: a line kept, taken out of a or put in from b. */
enum udiff_op { OP_KEEP, OP_DEL, OP_ADD };

struct udiff_step {
	enum udiff_op op;
	size_t ai, bi;       /* the line's index in a (KEEP, DEL) and in b (KEEP, ADD) */
};

typedef VEC(struct udiff_step) udiff_script;

static void
udiff_split(const char *text, udiff_lines *out)
{
	const char *nl;

	while (*text != '\0') {
		nl = strchr(text, '\n');
		vec_push(out, ((struct udiff_line){ .s = text,
		    .len = nl ? (size_t)(nl - text) : strlen(text) }));
		if (nl == NULL)
			break;
		text = nl + 1;
	}
}

static bool
udiff_same(const struct udiff_line *x, const struct udiff_line *y)
{
	return x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
}

static void
udiff_step(udiff_script *sc, enum udiff_op op, size_t ai, size_t bi)
{
	vec_push(sc, ((struct udiff_step){ .op = op, .ai = ai, .bi = bi }));
}

/* The middle a[p, p + m) against b[p2, p2 + n): the longest common subsequence by a table of
 * suffix lengths, walked from the front; or, past the limit, all of a out and all of b in. */
static void
udiff_middle(const udiff_lines *a, size_t p, size_t m, const udiff_lines *b, size_t p2,
    size_t n, udiff_script *sc)
{
	uint32_t *t;
	size_t i, j;

	if ((long)m * (long)n > UDIFF_MATCH_MAX) {
		for (i = 0; i < m; i++)
			udiff_step(sc, OP_DEL, p + i, p2);
		for (j = 0; j < n; j++)
			udiff_step(sc, OP_ADD, p + m, p2 + j);
		return;
	}
	t = xcalloc((m + 1) * (n + 1), sizeof(*t));
#define T(x, y) t[(x) * (n + 1) + (y)]
	for (i = m; i-- > 0;)
		for (j = n; j-- > 0;)
			T(i, j) = udiff_same(&a->v[p + i], &b->v[p2 + j]) ? T(i + 1, j + 1) + 1 :
			    T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1);
	for (i = 0, j = 0; i < m || j < n;) {
		if (i < m && j < n && udiff_same(&a->v[p + i], &b->v[p2 + j])) {
			udiff_step(sc, OP_KEEP, p + i++, p2 + j++);
		} else if (i < m && (j == n || T(i + 1, j) >= T(i, j + 1))) {
			/* Out before in, as diff -u writes a changed line. */
			udiff_step(sc, OP_DEL, p + i++, p2 + j);
		} else {
			udiff_step(sc, OP_ADD, p + i, p2 + j++);
		}
	}
#undef T
	free(t);
}

static void
udiff_range(struct sbuf *out, size_t start, size_t count)
{
	if (count == 1)
		sbuf_printf(out, "%zu", start);
	else
		sbuf_printf(out, "%zu,%zu", start, count);
}

/* One hunk: steps [from, to) of the script. */
static void
udiff_hunk(const udiff_lines *a, const udiff_lines *b, const udiff_script *sc, size_t from,
    size_t to, struct sbuf *out)
{
	size_t k, na = 0, nb = 0;
	const struct udiff_step *s;

	for (k = from; k < to; k++) {
		na += sc->v[k].op != OP_ADD;
		nb += sc->v[k].op != OP_DEL;
	}
	s = &sc->v[from];
	/* As diff -u: a range of no lines names the line before it, one of one line no count. */
	sbuf_puts(out, "@@ -");
	udiff_range(out, na ? s->ai + 1 : s->ai, na);
	sbuf_puts(out, " +");
	udiff_range(out, nb ? s->bi + 1 : s->bi, nb);
	sbuf_puts(out, " @@\n");
	for (k = from; k < to; k++) {
		const struct udiff_line *l = sc->v[k].op == OP_ADD ? &b->v[sc->v[k].bi] :
		    &a->v[sc->v[k].ai];

		sbuf_putc(out, sc->v[k].op == OP_KEEP ? ' ' : sc->v[k].op == OP_DEL ? '-' : '+');
		sbuf_append(out, l->s, l->len);
		sbuf_putc(out, '\n');
	}
}

bool
udiff(const char *a, const char *b, const char *name_a, const char *name_b, struct sbuf *out)
{
	udiff_lines la = { 0 }, lb = { 0 };
	udiff_script sc = { 0 };
	size_t p = 0, s = 0, k, from, last;
	bool differ;

	if ((differ = strcmp(a, b) != 0)) {
		udiff_split(a, &la);
		udiff_split(b, &lb);
		while (p < la.n && p < lb.n && udiff_same(&la.v[p], &lb.v[p]))
			p++;
		while (s < la.n - p && s < lb.n - p &&
		    udiff_same(&la.v[la.n - 1 - s], &lb.v[lb.n - 1 - s]))
			s++;
		for (k = 0; k < p; k++)
			udiff_step(&sc, OP_KEEP, k, k);
		udiff_middle(&la, p, la.n - p - s, &lb, p, lb.n - p - s, &sc);
		for (k = 0; k < s; k++)
			udiff_step(&sc, OP_KEEP, la.n - s + k, lb.n - s + k);
		sbuf_printf(out, "--- %s\n+++ %s\n", name_a, name_b);
		/* Hunks: each change with its context; changes closer than twice the context
		 * share one. */
		for (k = 0; k < sc.n;) {
			if (sc.v[k].op == OP_KEEP) {
				k++;
				continue;
			}
			from = k > UDIFF_CONTEXT ? k - UDIFF_CONTEXT : 0;
			for (last = k; k < sc.n; k++) {
				if (sc.v[k].op != OP_KEEP)
					last = k;
				else if (k - last > 2 * UDIFF_CONTEXT)
					break;
			}
			k = last + 1 + UDIFF_CONTEXT < sc.n ? last + 1 + UDIFF_CONTEXT : sc.n;
			udiff_hunk(&la, &lb, &sc, from, k, out);
		}
	}
	vec_free(&la);
	vec_free(&lb);
	vec_free(&sc);
	return differ;
}
