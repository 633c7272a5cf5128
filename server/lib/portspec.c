#include "portspec.h"

#include <stdlib.h>
#include <string.h>

static int
portspec_number(const char **p, unsigned *out)
{
	unsigned v = 0;
	int digits = 0;

	if (**p == '0')
		return -1;   /* no leading zeros, and port 0 is not a port */
	while (**p >= '0' && **p <= '9' && digits < 6) {
		v = v * 10 + (unsigned)(**p - '0');
		(*p)++;
		digits++;
	}
	if (digits == 0 || v < 1 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

static int
portspec_cmp(const void *a, const void *b)
{
	const unsigned short *x = a, *y = b;

	return (int)x[0] - (int)y[0];
}

int
portspec_parse(const char *s, bool empty_ok, struct portspec *out, const char **why)
{
	const char *p = s;
	unsigned lo, hi;
	int i, n;

	memset(out, 0, sizeof(*out));
	if (*p == '\0') {
		*why = "must name ports, like 22, 80,443 or 5404-5412";
		return empty_ok ? 0 : -1;
	}
	for (;;) {
		if (portspec_number(&p, &lo) == -1) {
			*why = "ports are numbers from 1 to 65535, like 22, 80,443 or 5404-5412";
			return -1;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			if (portspec_number(&p, &hi) == -1 || hi < lo) {
				*why = "a range goes up, from 1 to 65535, like 5404-5412";
				return -1;
			}
		}
		if (out->n == PORTSPEC_MAX) {
			*why = "at most 32 ports or ranges";
			return -1;
		}
		out->r[out->n].lo = (unsigned short)lo;
		out->r[out->n].hi = (unsigned short)hi;
		out->n++;
		if (*p == '\0')
			break;
		if (*p++ != ',') {
			*why = "ports are separated by commas, like 80,443";
			return -1;
		}
	}
	/* Sorted and merged, so the checks below walk each list once. */
	qsort(out->r, (size_t)out->n, sizeof(out->r[0]), portspec_cmp);
	for (i = 1, n = 1; i < out->n; i++) {
		if (out->r[i].lo <= out->r[n - 1].hi + 1) {
			if (out->r[i].hi > out->r[n - 1].hi)
				out->r[n - 1].hi = out->r[i].hi;
		} else
			out->r[n++] = out->r[i];
	}
	out->n = n;
	return 0;
}

bool
portspec_overlaps(const struct portspec *a, const struct portspec *b)
{
	int i = 0, j = 0;

	if (a->n == 0 || b->n == 0)
		return true;
	while (i < a->n && j < b->n) {
		if (a->r[i].hi < b->r[j].lo)
			i++;
		else if (b->r[j].hi < a->r[i].lo)
			j++;
		else
			return true;
	}
	return false;
}

bool
portspec_covers(const struct portspec *outer, const struct portspec *inner)
{
	int i, j = 0;

	if (outer->n == 0)
		return true;
	if (inner->n == 0)
		return false;
	for (i = 0; i < inner->n; i++) {
		/* Merged ranges: an inner range lies inside exactly one outer range or none. */
		while (j < outer->n && outer->r[j].hi < inner->r[i].lo)
			j++;
		if (j == outer->n || outer->r[j].lo > inner->r[i].lo ||
		    outer->r[j].hi < inner->r[i].hi)
			return false;
	}
	return true;
}
