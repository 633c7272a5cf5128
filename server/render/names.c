#include "render/names.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apierr.h"
#include "db.h"
#include "vec.h"
#include "xmalloc.h"

void
render_names_fqdn(const char *name, const char *zone, char *buf, size_t len)
{
	size_t n = strlen(name);

	if (strcmp(name, "@") == 0)
		snprintf(buf, len, "%s", zone);
	else if (n > 0 && name[n - 1] == '.')
		snprintf(buf, len, "%.*s", (int)(n - 1), name);
	else
		snprintf(buf, len, "%s.%s", name, zone);
}

/* Bytes of names in blocks that never move, so names are borrowed by pointer. */
struct render_names_block {
	struct render_names_block *next;
	size_t used, cap;
	char data[];
};

static const char *
render_names_keep(struct render_names *rn, const char *s)
{
	struct render_names_block *b = rn->blocks;
	size_t n = strlen(s) + 1, cap;
	char *p;

	if (b == NULL || b->cap - b->used < n) {
		cap = n > 65536 ? n : 65536;
		b = xmalloc(sizeof(*b) + cap);
		b->next = rn->blocks;
		b->used = 0;
		b->cap = cap;
		rn->blocks = b;
	}
	p = b->data + b->used;
	memcpy(p, s, n);
	b->used += n;
	return p;
}

static bool
render_names_has(const struct render_names *rn, const struct render_name *e, const char *name)
{
	size_t l;

	for (l = e->head; l != 0; l = rn->items[l - 1].next)
		if (strcasecmp(rn->items[l - 1].name, name) == 0)
			return true;
	return false;
}

/* Appends a name (kept already, or copied when keep) to entry i. */
static void
render_names_add(struct render_names *rn, size_t i, const char *name, bool keep)
{
	struct render_name *e = &rn->list[i];

	if (keep)
		name = render_names_keep(rn, name);
	rn->items = vec_grow(rn->items, &rn->capitems, rn->nitems + 1, sizeof(*rn->items));
	rn->items[rn->nitems].name = name;
	rn->items[rn->nitems].next = 0;
	rn->nitems++;
	if (e->tail != 0)
		rn->items[e->tail - 1].next = rn->nitems;
	else
		e->head = rn->nitems;
	e->tail = rn->nitems;
}

static int
render_names_cmp(const void *x, const void *y)
{
	return memcmp(((const struct render_name *)x)->key, ((const struct render_name *)y)->key,
	    IPADDR_KEYLEN);
}

/* Names to values without case, borrowing the keys: the names of each address and the CNAMEs
 * are looked up by name instead of scanned, so aliases join their lines in linear time. */
struct render_names_map {
	const char **keys;
	size_t *vals;
	size_t cap, n;
};

static size_t
render_names_hash(const char *s)
{
	size_t h = 14695981039346656037ULL & SIZE_MAX;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s)) *
		    (1099511628211ULL & SIZE_MAX);
	return h;
}

/* The slot of key: where it is, or the empty one where it would go. */
static size_t
render_names_slot(const struct render_names_map *m, const char *key)
{
	size_t i;

	for (i = render_names_hash(key) & (m->cap - 1); m->keys[i] != NULL &&
	    strcasecmp(m->keys[i], key) != 0; i = (i + 1) & (m->cap - 1))
		;
	return i;
}

static bool
render_names_get(const struct render_names_map *m, const char *key, size_t *val)
{
	size_t i;

	if (m->cap == 0 || m->keys[i = render_names_slot(m, key)] == NULL)
		return false;
	*val = m->vals[i];
	return true;
}

/* Sets key to val (replacing). */
static void
render_names_put(struct render_names_map *m, const char *key, size_t val)
{
	struct render_names_map grown;
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		grown.cap = m->cap ? m->cap * 2 : 1024;
		grown.n = 0;
		grown.keys = xcalloc(grown.cap, sizeof(*grown.keys));
		grown.vals = xcalloc(grown.cap, sizeof(*grown.vals));
		for (i = 0; i < m->cap; i++)
			if (m->keys[i] != NULL)
				render_names_put(&grown, m->keys[i], m->vals[i]);
		free(m->keys);
		free(m->vals);
		*m = grown;
	}
	i = render_names_slot(m, key);
	if (m->keys[i] == NULL)
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
}

static void
render_names_map_free(struct render_names_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* The entry of an address, made when it is new. The addresses with names come in key order
 * and are found by binary search in that sorted run (sorted, the first sorted entries); others
 * (stored records' addresses) through index. The list is sorted at the end. SIZE_MAX when the
 * address does not parse. */
static size_t
render_names_entry(struct render_names *rn, size_t sorted, struct render_names_map *index,
    size_t *cap, const char *address)
{
	unsigned char key[IPADDR_KEYLEN];
	char canon[IPADDR_STRLEN];
	struct render_name *e;
	struct ipaddr a;
	size_t at, lo = 0, hi = sorted;
	int d;

	if (ipaddr_parse(address, &a) == -1)
		return SIZE_MAX;
	ipaddr_to_key(&a, key);
	if (sorted == SIZE_MAX) {
		/* Still reading them in order: a repeat is the last one. */
		if (rn->n > 0 && memcmp(rn->list[rn->n - 1].key, key, IPADDR_KEYLEN) == 0)
			return rn->n - 1;
	} else {
		while (lo < hi) {
			at = lo + (hi - lo) / 2;
			if ((d = memcmp(rn->list[at].key, key, IPADDR_KEYLEN)) == 0)
				return at;
			if (d < 0)
				lo = at + 1;
			else
				hi = at;
		}
	}
	ipaddr_format(&a, canon, sizeof(canon));
	if (sorted != SIZE_MAX && render_names_get(index, canon, &at))
		return at;
	rn->list = vec_grow(rn->list, cap, rn->n + 1, sizeof(*rn->list));
	if (sorted != SIZE_MAX)
		render_names_put(index, render_names_keep(rn, canon), rn->n);
	e = &rn->list[rn->n];
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, IPADDR_KEYLEN);
	memcpy(e->address, canon, sizeof(e->address));
	return rn->n++;
}

/* Which addresses carry each name: a chain of (entry, next) links per name. */
struct render_names_where {
	struct render_names_map first;     /* name -> link + 1 */
	struct { size_t entry, next; } *links;   /* next: link + 1, 0 ends */
	size_t n, cap;
};

static bool
render_names_carries(const struct render_names_where *w, const char *name, size_t entry)
{
	size_t l;

	if (!render_names_get(&w->first, name, &l))
		return false;
	for (; l != 0; l = w->links[l - 1].next)
		if (w->links[l - 1].entry == entry)
			return true;
	return false;
}

static void
render_names_link(struct render_names_where *w, const char *name, size_t entry)
{
	size_t head = 0;

	w->links = vec_grow(w->links, &w->cap, w->n + 1, sizeof(*w->links));
	render_names_get(&w->first, name, &head);
	w->links[w->n].entry = entry;
	w->links[w->n].next = head;
	w->n++;
	render_names_put(&w->first, name, w->n);
}

/* The name end, which no address carries, when a wildcard answers it: added to the wildcard's
 * addresses (kept, so the returned name lives as long as rn), and *l set to its links. The
 * closest encloser decides, as in DNS: a wildcard above a name that exists does not apply.
 * NULL when no wildcard answers end. */
static const char *
render_names_wildcard(struct render_names *rn, struct render_names_where *w, const char *end,
    size_t *l)
{
	char wild[512];
	const char *p, *kept = NULL;
	size_t link, i;

	for (p = strchr(end, '.'); p != NULL; p = strchr(p + 1, '.')) {
		snprintf(wild, sizeof(wild), "*.%s", p + 1);
		if (render_names_get(&w->first, wild, &link))
			break;
		if (render_names_get(&w->first, p + 1, &link))
			return NULL;
	}
	if (p == NULL)
		return NULL;
	for (; link != 0; link = w->links[link - 1].next) {
		i = w->links[link - 1].entry;
		if (kept == NULL)
			kept = render_names_keep(rn, end);
		if (!render_names_carries(w, kept, i)) {
			render_names_add(rn, i, kept, false);
			render_names_link(w, kept, i);
		}
	}
	if (kept == NULL || !render_names_get(&w->first, kept, l))
		return NULL;
	return kept;
}

/* A bound on the CNAMEs followed: loops are never stored, but a hand edit could make one. */
#define RENDER_NAMES_CHAIN 64

/* Aliases join the line of each address their chain of CNAMEs ends at. */
static void
render_names_aliases(struct render_names *rn)
{
	struct render_names_map cname = { 0 };
	struct render_names_where where = { 0 };
	const char *alias, *end;
	size_t i, j, k, l;
	json_t *pair;
	int depth;

	for (i = 0; i < rn->n; i++)
		for (j = rn->list[i].head; j != 0; j = rn->items[j - 1].next)
			render_names_link(&where, rn->items[j - 1].name, i);
	json_array_foreach(rn->cnames, k, pair)
		render_names_put(&cname, json_string_value(json_array_get(pair, 0)), k);
	json_array_foreach(rn->cnames, k, pair) {
		alias = json_string_value(json_array_get(pair, 0));
		end = json_string_value(json_array_get(pair, 1));
		for (depth = 0; depth < RENDER_NAMES_CHAIN && render_names_get(&cname, end, &j);
		    depth++)
			end = json_string_value(json_array_get(json_array_get(rn->cnames, j), 1));
		/* Linking the alias changes only the alias's own list, never end's (no loops). */
		if (strcasecmp(alias, end) == 0)
			continue;
		if (!render_names_get(&where.first, end, &l)) {
			/* A name only a wildcard answers: it joins the wildcard's addresses by its
			 * own name, which dnsmasq's cname needs as a target. */
			if ((end = render_names_wildcard(rn, &where, end, &l)) == NULL)
				continue;
		}
		for (; l != 0; l = where.links[l - 1].next) {
			i = where.links[l - 1].entry;
			if (render_names_carries(&where, alias, i))
				continue;
			render_names_add(rn, i, alias, false);
			render_names_link(&where, alias, i);
		}
	}
	render_names_map_free(&cname);
	render_names_map_free(&where.first);
	free(where.links);
}

int
render_names_load(struct db *db, struct render_names *out, struct api_err *err)
{
	static const char named[] = "SELECT address, dns_name FROM ip_addresses "
	    "WHERE dns_name != '' ORDER BY addr_key";
	static const char stored[] = "SELECT r.type, r.name, r.value, z.name FROM dns_records r "
	    "JOIN dns_zones z ON z.id = r.zone_id ORDER BY z.name, r.name, r.type, r.value";
	struct render_names_map index = { 0 };
	char fqdn[512], target[512];
	const char *type, *value;
	sqlite3_stmt *st;
	size_t cap = 0, e, sorted;
	int rc;

	memset(out, 0, sizeof(*out));
	out->cnames = json_array();
	out->records = json_array();
	/* Addresses with a name come in address order: a repeat is the entry before. */
	if ((st = db_stmt(db, named)) == NULL)
		return db_fail(db, err, "reading names");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((e = render_names_entry(out, SIZE_MAX, &index, &cap,
		    (const char *)sqlite3_column_text(st, 0))) == SIZE_MAX)
			continue;
		/* dns_name is already fully qualified. */
		snprintf(fqdn, sizeof(fqdn), "%s", (const char *)sqlite3_column_text(st, 1));
		if (fqdn[0] != '\0' && fqdn[strlen(fqdn) - 1] == '.')
			fqdn[strlen(fqdn) - 1] = '\0';
		if (!render_names_has(out, &out->list[e], fqdn))
			render_names_add(out, e, fqdn, true);
	}
	sqlite3_reset(st);
	sorted = out->n;
	if (rc != SQLITE_DONE || (st = db_stmt(db, stored)) == NULL) {
		render_names_map_free(&index);
		return db_fail(db, err, "reading names");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		type = (const char *)sqlite3_column_text(st, 0);
		value = (const char *)sqlite3_column_text(st, 2);
		render_names_fqdn((const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 3), fqdn, sizeof(fqdn));
		if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0) {
			e = render_names_entry(out, sorted, &index, &cap, value);
			if (e != SIZE_MAX && !render_names_has(out, &out->list[e], fqdn))
				render_names_add(out, e, fqdn, true);
		} else if (strcmp(type, "CNAME") == 0) {
			render_names_fqdn(value, (const char *)sqlite3_column_text(st, 3), target,
			    sizeof(target));
			json_array_append_new(out->cnames, json_pack("[s, s]", fqdn, target));
		} else {
			json_array_append_new(out->records, json_pack("[s, s, s, s]", type, fqdn,
			    value, (const char *)sqlite3_column_text(st, 3)));
		}
	}
	sqlite3_reset(st);
	render_names_map_free(&index);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading records");
	render_names_aliases(out);
	if (out->n > 0)
		qsort(out->list, out->n, sizeof(*out->list), render_names_cmp);
	return 0;
}

void
render_names_free(struct render_names *rn)
{
	struct render_names_block *b;

	while ((b = rn->blocks) != NULL) {
		rn->blocks = b->next;
		free(b);
	}
	free(rn->items);
	free(rn->list);
	json_decref(rn->cnames);
	json_decref(rn->records);
	memset(rn, 0, sizeof(*rn));
}
