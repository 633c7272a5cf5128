/* The one growable array. VEC(type) is { type *v; size_t n, cap; }, zeroed to start; items are
 * v[0..n-1]; vec_push appends (growing by doubling through xreallocarray, so it cannot fail),
 * vec_free releases. The array owns its items' memory only as the caller says. */
#ifndef NETSOT_VEC_H
#define NETSOT_VEC_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define VEC(type) struct { type *v; size_t n, cap; }

/* Room for need items: v grown as needed (a new pointer, or v itself). */
void *vec_grow(void *v, size_t *cap, size_t need, size_t size);

#define vec_reserve(vec, need) \
	((vec)->v = vec_grow((vec)->v, &(vec)->cap, (need), sizeof(*(vec)->v)))
#define vec_push(vec, item) \
	(vec_reserve((vec), (vec)->n + 1), (vec)->v[(vec)->n++] = (item))
/* A new zeroed item at the end; its address (valid until the next push). */
#define vec_push_zero(vec) \
	(vec_reserve((vec), (vec)->n + 1), \
	memset(&(vec)->v[(vec)->n], 0, sizeof(*(vec)->v)), &(vec)->v[(vec)->n++])
#define vec_free(vec) \
	(free((vec)->v), (vec)->v = NULL, (vec)->n = 0, (vec)->cap = 0)

#endif
