#include "render/names.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apierr.h"
#include "db.h"
#include "dnszone.h"

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

static bool
render_names_has(const json_t *names, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(names, i, v)
		if (strcasecmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

/* The entry of an address (index: canonical address to position), made when it is new; the
 * list is sorted at the end. */
static struct render_name *
render_names_entry(struct render_names *rn, json_t *index, size_t *cap, const char *address)
{
	char canon[IPADDR_STRLEN];
	struct render_name *e;
	struct ipaddr a;
	json_t *at;

	if (ipaddr_parse(address, &a) == -1)
		return NULL;
	ipaddr_format(&a, canon, sizeof(canon));
	if ((at = json_object_get(index, canon)) != NULL)
		return &rn->list[json_integer_value(at)];
	if (rn->n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		if ((e = realloc(rn->list, *cap * sizeof(*e))) == NULL)
			return NULL;
		rn->list = e;
	}
	json_object_set_new(index, canon, json_integer((json_int_t)rn->n));
	e = &rn->list[rn->n++];
	ipaddr_to_key(&a, e->key);
	ipaddr_format(&a, e->address, sizeof(e->address));
	e->names = json_array();
	return e;
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
		h = (h ^ (unsigned char)tolower((unsigned char)*s)) * (1099511628211ULL & SIZE_MAX);
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

/* Sets key to val (replacing); -1 when out of memory. */
static int
render_names_put(struct render_names_map *m, const char *key, size_t val)
{
	struct render_names_map grown;
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		grown.cap = m->cap ? m->cap * 2 : 1024;
		grown.n = 0;
		grown.keys = calloc(grown.cap, sizeof(*grown.keys));
		grown.vals = calloc(grown.cap, sizeof(*grown.vals));
		if (grown.keys == NULL || grown.vals == NULL) {
			free(grown.keys);
			free(grown.vals);
			return -1;
		}
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
	return 0;
}

static void
render_names_map_free(struct render_names_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
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

static int
render_names_link(struct render_names_where *w, const char *name, size_t entry)
{
	size_t head = 0;
	void *p;

	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 1024;
		if ((p = realloc(w->links, w->cap * sizeof(*w->links))) == NULL)
			return -1;
		w->links = p;
	}
	render_names_get(&w->first, name, &head);
	w->links[w->n].entry = entry;
	w->links[w->n].next = head;
	w->n++;
	return render_names_put(&w->first, name, w->n);
}

/* Aliases join the line of each address their chain of CNAMEs ends at. Chains are refused at
 * write time beyond DNSZONE_CHAIN_MAX and loops never stored; the bound keeps a hand-edited
 * database from looping here. */
static int
render_names_aliases(struct render_names *rn)
{
	struct render_names_map cname = { 0 };
	struct render_names_where where = { 0 };
	const char *alias, *end;
	size_t i, j, k, l;
	json_t *pair, *v;
	int rc = -1, depth;

	for (i = 0; i < rn->n; i++)
		json_array_foreach(rn->list[i].names, j, v)
			if (render_names_link(&where, json_string_value(v), i) == -1)
				goto out;
	json_array_foreach(rn->cnames, k, pair)
		if (render_names_put(&cname, json_string_value(json_array_get(pair, 0)), k) == -1)
			goto out;
	json_array_foreach(rn->cnames, k, pair) {
		alias = json_string_value(json_array_get(pair, 0));
		end = json_string_value(json_array_get(pair, 1));
		for (depth = 0; depth < DNSZONE_CHAIN_MAX && render_names_get(&cname, end, &j);
		    depth++)
			end = json_string_value(json_array_get(json_array_get(rn->cnames, j), 1));
		/* Linking the alias changes only the alias's own list, never end's (no loops). */
		if (strcasecmp(alias, end) == 0 || !render_names_get(&where.first, end, &l))
			continue;
		for (; l != 0; l = where.links[l - 1].next) {
			i = where.links[l - 1].entry;
			if (render_names_carries(&where, alias, i))
				continue;
			json_array_append(rn->list[i].names, json_array_get(pair, 0));
			if (render_names_link(&where, alias, i) == -1)
				goto out;
		}
	}
	rc = 0;
out:
	render_names_map_free(&cname);
	render_names_map_free(&where.first);
	free(where.links);
	return rc;
}

int
render_names_load(struct db *db, struct render_names *out, struct api_err *err)
{
	static const char named[] = "SELECT address, dns_name FROM ip_addresses "
	    "WHERE dns_name != '' ORDER BY addr_key";
	static const char stored[] = "SELECT r.type, r.name, r.value, z.name FROM dns_records r "
	    "JOIN dns_zones z ON z.id = r.zone_id ORDER BY z.name, r.name, r.type, r.value";
	char fqdn[512], target[512];
	const char *type, *value;
	struct render_name *e;
	json_t *index;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->cnames = json_array();
	out->records = json_array();
	index = json_object();
	/* Addresses with a name come in address order, so the scan for a repeat stays short. */
	if ((st = db_stmt(db, named)) == NULL) {
		json_decref(index);
		return db_fail(db, err, "reading names");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((e = render_names_entry(out, index, &cap,
		    (const char *)sqlite3_column_text(st, 0))) == NULL)
			continue;
		/* dns_name is already fully qualified. */
		snprintf(fqdn, sizeof(fqdn), "%s", (const char *)sqlite3_column_text(st, 1));
		if (fqdn[0] != '\0' && fqdn[strlen(fqdn) - 1] == '.')
			fqdn[strlen(fqdn) - 1] = '\0';
		if (!render_names_has(e->names, fqdn))
			json_array_append_new(e->names, json_string(fqdn));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(db, stored)) == NULL) {
		json_decref(index);
		return db_fail(db, err, "reading names");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		type = (const char *)sqlite3_column_text(st, 0);
		value = (const char *)sqlite3_column_text(st, 2);
		render_names_fqdn((const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 3), fqdn, sizeof(fqdn));
		if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0) {
			if ((e = render_names_entry(out, index, &cap, value)) != NULL &&
			    !render_names_has(e->names, fqdn))
				json_array_append_new(e->names, json_string(fqdn));
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
	json_decref(index);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading records");
	if (render_names_aliases(out) == -1)
		return api_err_set(err, 500, "out of memory");
	if (out->n > 0)
		qsort(out->list, out->n, sizeof(*out->list), render_names_cmp);
	return 0;
}

void
render_names_free(struct render_names *rn)
{
	size_t i;

	for (i = 0; i < rn->n; i++)
		json_decref(rn->list[i].names);
	free(rn->list);
	json_decref(rn->cnames);
	json_decref(rn->records);
	memset(rn, 0, sizeof(*rn));
}
