#include "plan_refs.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "xmalloc.h"

struct plan_ref {
	const struct resource *res;   /* NULL: a free slot */
	char *key;                    /* "s" and the string, or "i" and the integer */
	long long id;
};

/* An object found, by its id: what resource_refs_known is told. */
struct plan_ref_id {
	const struct resource *res;   /* NULL: a free slot */
	long long id;
};

/* Open addressing, each table at most half full. */
struct plan_refs {
	struct plan_ref *slots;
	size_t cap, n;
	struct plan_ref_id *ids;
	size_t ids_cap, ids_n;
};

struct plan_refs *
plan_refs_new(void)
{
	return xcalloc(1, sizeof(struct plan_refs));
}

void
plan_refs_free(struct plan_refs *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->cap; i++)
		free(r->slots[i].key);
	free(r->slots);
	free(r->ids);
	free(r);
}

static size_t
plan_refs_id_hash(const struct resource *res, long long id)
{
	return (size_t)(((uint64_t)id ^ (uintptr_t)res) * 0x9e3779b97f4a7c15ULL >> 17);
}

/* The slot of (res, id) in ids, or the free slot where it would go. */
static struct plan_ref_id *
plan_refs_id_slot(struct plan_ref_id *ids, size_t cap, const struct resource *res, long long id)
{
	size_t i;

	for (i = plan_refs_id_hash(res, id) & (cap - 1); ids[i].res != NULL; i = (i + 1) & (cap - 1))
		if (ids[i].res == res && ids[i].id == id)
			break;
	return &ids[i];
}

static void
plan_refs_id_add(struct plan_refs *r, const struct resource *res, long long id)
{
	struct plan_ref_id *grown, *s;
	size_t cap, i;

	if ((r->ids_n + 1) * 2 > r->ids_cap) {
		cap = r->ids_cap ? r->ids_cap * 2 : 1024;
		grown = xcalloc(cap, sizeof(*grown));
		for (i = 0; i < r->ids_cap; i++)
			if (r->ids[i].res != NULL)
				*plan_refs_id_slot(grown, cap, r->ids[i].res, r->ids[i].id) =
				    r->ids[i];
		free(r->ids);
		r->ids = grown;
		r->ids_cap = cap;
	}
	if ((s = plan_refs_id_slot(r->ids, r->ids_cap, res, id))->res == NULL) {
		*s = (struct plan_ref_id){ .res = res, .id = id };
		r->ids_n++;
	}
}

bool
plan_refs_known(void *refs, const struct resource *res, long long id)
{
	const struct plan_refs *r = refs;

	return r->ids_cap > 0 && plan_refs_id_slot(r->ids, r->ids_cap, res, id)->res != NULL;
}

static size_t
plan_refs_hash(const struct resource *res, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (uintptr_t)res;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 0x100000001b3ULL;
	return (size_t)h;
}

/* The slot of (res, key), or the free slot where it would go. */
static struct plan_ref *
plan_refs_slot(const struct plan_refs *r, const struct resource *res, const char *key)
{
	size_t i;

	for (i = plan_refs_hash(res, key) & (r->cap - 1); r->slots[i].res != NULL;
	    i = (i + 1) & (r->cap - 1))
		if (r->slots[i].res == res && strcmp(r->slots[i].key, key) == 0)
			break;
	return &r->slots[i];
}

static void
plan_refs_add(struct plan_refs *r, const struct resource *res, const char *key, long long id)
{
	struct plan_refs grown = { .slots = NULL };
	struct plan_ref *s;
	size_t i;

	if ((r->n + 1) * 2 > r->cap) {
		grown.cap = r->cap ? r->cap * 2 : 1024;
		grown.slots = xcalloc(grown.cap, sizeof(*grown.slots));
		for (i = 0; i < r->cap; i++)
			if (r->slots[i].res != NULL)
				*plan_refs_slot(&grown, r->slots[i].res, r->slots[i].key) =
				    r->slots[i];
		free(r->slots);
		r->slots = grown.slots;
		r->cap = grown.cap;
	}
	s = plan_refs_slot(r, res, key);
	*s = (struct plan_ref){ .res = res, .key = xstrdup(key), .id = id };
	r->n++;
	plan_refs_id_add(r, res, id);
}

int
plan_refs_lookup(struct plan_refs *r, struct db *db, const struct resource *res,
    const json_t *key, const char *field, long long *id, struct api_err *err)
{
	char small[160], *text = small;
	struct plan_ref *s;
	int rc;

	/* Typed, so "7" and 7 stay apart: plan_lookup treats them apart too. */
	if (json_is_string(key)) {
		/* Long names, and names holding a NUL that the text would cut, are asked. */
		if (json_string_length(key) + 2 > sizeof(small) ||
		    strlen(json_string_value(key)) != json_string_length(key))
			return plan_lookup(db, res, key, field, id, err);
		small[0] = 's';
		memcpy(small + 1, json_string_value(key), json_string_length(key) + 1);
	} else if (json_is_integer(key)) {
		snprintf(small, sizeof(small), "i%lld", (long long)json_integer_value(key));
	} else {
		return plan_lookup(db, res, key, field, id, err);
	}
	if (r->cap > 0 && (s = plan_refs_slot(r, res, text))->res != NULL) {
		*id = s->id;
		return 0;
	}
	if ((rc = plan_lookup(db, res, key, field, id, err)) == 0 && *id != 0)
		plan_refs_add(r, res, text, *id);
	return rc;
}
