#include "vec.h"

#include "xmalloc.h"

void *
vec_grow(void *v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return v;
	while (n < need)
		n *= 2;
	*cap = n;
	return xreallocarray(v, n, size);
}
