#include "plan.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "ipaddr.h"
#include "sbuf.h"
#include "vec.h"

static const char *const plan_key_vid[] = { "vid", NULL };
static const char *const plan_key_name[] = { "name", NULL };
static const char *const plan_key_prefix[] = { "prefix", NULL };
static const char *const plan_key_start[] = { "start_address", NULL };
static const char *const plan_key_address[] = { "address", NULL };
static const char *const plan_key_host_name[] = { "host_id", "name", NULL };
static const char *const plan_key_record[] = { "zone_id", "name", "type", "value", NULL };

/* Adding a kind to the plan format is one line here. The order is the import order. */
const struct plan_kind plan_kinds[] = {
	{ .name = "vlans", .key = plan_key_vid, .order = "vid" },
	{ .name = "hosts", .key = plan_key_name, .order = "name", .bulk = true },
	{ .name = "prefixes", .key = plan_key_prefix, .order = "first_key, prefix_len" },
	{ .name = "ip-ranges", .key = plan_key_start, .order = "start_key" },
	{ .name = "ip-addresses", .key = plan_key_address, .order = "addr_key", .bulk = true },
	{ .name = "ports", .key = plan_key_host_name,
	  .order = "(SELECT h.name FROM hosts h WHERE h.id = host_id), name" },
	{ .name = "wan-links", .key = plan_key_name, .order = "name" },
	{ .name = "services", .key = plan_key_host_name,
	  .order = "(SELECT h.name FROM hosts h WHERE h.id = host_id), name", .bulk = true },
	{ .name = "firewall-rules", .key = plan_key_name, .order = "scope, priority, name" },
	{ .name = "dns-zones", .key = plan_key_name, .order = "name" },
	{ .name = "dns-records", .key = plan_key_record,
	  .order = "(SELECT z.name FROM dns_zones z WHERE z.id = zone_id), name, type, value" },
	{ .name = NULL },
};

#define PLAN_NKINDS (sizeof(plan_kinds) / sizeof(plan_kinds[0]) - 1)

/* SQL per kind, built once; the strings live for the process so db_stmt can key on them. */
static char *plan_lookup_sql[PLAN_NKINDS];   /* SELECT id FROM t WHERE k1 = ? AND ... */
static char *plan_keys_sql[PLAN_NKINDS];     /* SELECT id, k1, ... FROM t ORDER BY id */
static pthread_once_t plan_once = PTHREAD_ONCE_INIT;

static void
plan_build(void)
{
	struct sbuf where, cols;
	size_t i, j;

	for (i = 0; i < PLAN_NKINDS; i++) {
		const struct resource *res = resource_find(plan_kinds[i].name);

		sbuf_init(&where, 0);
		sbuf_init(&cols, 0);
		for (j = 0; plan_kinds[i].key[j] != NULL; j++) {
			sbuf_printf(&where, "%s%s = ?", j ? " AND " : "", plan_kinds[i].key[j]);
			sbuf_printf(&cols, ", %s", plan_kinds[i].key[j]);
		}
		if (asprintf(&plan_lookup_sql[i], "SELECT id FROM %s WHERE %s", res->table,
		    sbuf_str(&where)) < 0 || asprintf(&plan_keys_sql[i], "SELECT id%s FROM %s "
		    "ORDER BY id", sbuf_str(&cols), res->table) < 0)
			abort();
		sbuf_free(&where);
		sbuf_free(&cols);
	}
}

static size_t
plan_index(const struct plan_kind *k)
{
	pthread_once(&plan_once, plan_build);
	return (size_t)(k - plan_kinds);
}

const struct plan_kind *
plan_kind_of(const struct resource *res)
{
	const struct plan_kind *k;

	for (k = plan_kinds; k->name != NULL; k++)
		if (strcmp(k->name, res->name) == 0)
			return k;
	return NULL;
}

void
plan_field_name(const struct field *f, char *buf, size_t len)
{
	/* Copied, not printed: plan_field asks for every field of every object's keys. */
	size_t n = strlen(f->name), keep = n;
	const char *tail = "";

	if (f->type == FT_REF && n > 3 && strcmp(f->name + n - 3, "_id") == 0)
		keep = n - 3;
	else if (f->type == FT_REFLIST && n > 4 && strcmp(f->name + n - 4, "_ids") == 0) {
		keep = n - 4;
		tail = "s";
	}
	if (len == 0)
		return;
	keep = keep < len ? keep : len - 1;
	memcpy(buf, f->name, keep);
	buf[keep] = '\0';
	if (*tail != '\0' && keep + 1 < len) {
		buf[keep] = *tail;
		buf[keep + 1] = '\0';
	}
}

const struct field *
plan_field(const struct resource *res, const char *plan_name)
{
	const struct field *f;
	char name[64];

	for (f = res->fields; f->name != NULL; f++) {
		plan_field_name(f, name, sizeof(name));
		if (strcmp(name, plan_name) == 0)
			return f;
	}
	return NULL;
}

/* The part of a key for one of its fields: the key itself for a one-field key. */
static const json_t *
plan_key_part(const struct plan_kind *k, const struct field *f, const json_t *key)
{
	char name[64];

	if (k->key[1] == NULL)
		return key;
	plan_field_name(f, name, sizeof(name));
	return json_object_get(key, name);
}

int
plan_lookup(struct db *db, const struct resource *res, const json_t *key, const char *field,
    long long *id, struct api_err *err)
{
	const struct plan_kind *k = plan_kind_of(res);
	char text[IPNET_STRLEN];
	const struct field *f;
	const json_t *part;
	sqlite3_stmt *st;
	struct ipaddr a;
	struct ipnet n;
	long long ref;
	int i, rc;

	*id = 0;
	if (k == NULL)
		return api_err_field(err, field, "%s cannot be referred to", res->name);
	if (k->key[1] != NULL && !json_is_object(key))
		return api_err_field(err, field, "must be an object naming a %s by its key",
		    res->object);
	if ((st = db_stmt(db, plan_lookup_sql[plan_index(k)])) == NULL)
		return db_fail(db, err, "looking up a key");
	for (i = 0; k->key[i] != NULL; i++) {
		f = resource_field(res, k->key[i]);
		part = plan_key_part(k, f, key);
		if (f->type == FT_INT && json_is_integer(part)) {
			sqlite3_bind_int64(st, i + 1, json_integer_value(part));
		} else if (f->type == FT_REF && part != NULL && !json_is_null(part)) {
			if (plan_lookup(db, resource_find(f->ref), part, field, &ref, err) == -1)
				return -1;
			if (ref == 0)
				return 0;
			/* The nested lookup used its own statement; ours is still bound so far. */
			sqlite3_bind_int64(st, i + 1, ref);
		} else if (json_is_string(part)) {
			/* Addresses and prefixes are stored canonical: compare them so. */
			if (f->type == FT_ADDR && ipaddr_parse(json_string_value(part), &a) == 0) {
				ipaddr_format(&a, text, sizeof(text));
				sqlite3_bind_text(st, i + 1, text, -1, SQLITE_TRANSIENT);
			} else if (f->type == FT_CIDR && ipnet_parse(json_string_value(part), &n) == 0) {
				ipnet_format(&n, text, sizeof(text));
				sqlite3_bind_text(st, i + 1, text, -1, SQLITE_TRANSIENT);
			} else {
				sqlite3_bind_text(st, i + 1, json_string_value(part),
				    (int)json_string_length(part), SQLITE_TRANSIENT);
			}
		} else {
			sqlite3_reset(st);
			return api_err_field(err, field, "does not name a %s (%s is %s)", res->object,
			    k->key[i], part == NULL ? "missing" : "of the wrong type");
		}
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, err, "looking up a key");
}

json_t *
plan_key_of_object(const struct plan_kind *k, const struct resource *res, const json_t *obj)
{
	char name[64];
	json_t *key, *v;
	size_t i;

	if (k->key[1] == NULL) {
		plan_field_name(resource_field(res, k->key[0]), name, sizeof(name));
		v = json_object_get(obj, name);
		return v != NULL && !json_is_null(v) ? json_incref(v) : NULL;
	}
	key = json_object();
	for (i = 0; k->key[i] != NULL; i++) {
		plan_field_name(resource_field(res, k->key[i]), name, sizeof(name));
		if ((v = json_object_get(obj, name)) == NULL || json_is_null(v)) {
			json_decref(key);
			return NULL;
		}
		json_object_set(key, name, v);
	}
	return key;
}

static void
plan_key_append(const json_t *key, struct sbuf *sb)
{
	const char *name;
	json_t *v;
	int first = 1;

	if (json_is_string(key))
		sbuf_puts(sb, json_string_value(key));
	else if (json_is_integer(key))
		sbuf_int(sb, json_integer_value(key));
	else if (json_is_object(key))
		json_object_foreach((json_t *)key, name, v) {
			if (!first)
				sbuf_putc(sb, '/');
			plan_key_append(v, sb);
			first = 0;
		}
	else
		sbuf_puts(sb, "?");
}

void
plan_copy(char *buf, size_t len, const char *s)
{
	size_t n = strnlen(s, len - 1);

	memcpy(buf, s, n);
	buf[n] = '\0';
}

void
plan_key_text(const json_t *key, char *buf, size_t len)
{
	struct sbuf sb;

	sbuf_init(&sb, 0);
	plan_key_append(key, &sb);
	plan_copy(buf, len, sbuf_failed(&sb) ? "?" : sbuf_str(&sb));
	sbuf_free(&sb);
}

/* ---- natural keys of stored objects, by id ---- */

struct plan_keyset {
	bool loaded;
	size_t n;
	long long *ids;       /* ascending */
	json_t **keys;        /* owned */
};

struct plan_keys {
	struct db *db;
	struct plan_keyset sets[PLAN_NKINDS];
};

struct plan_keys *
plan_keys_new(struct db *db)
{
	struct plan_keys *pk = calloc(1, sizeof(*pk));

	if (pk != NULL)
		pk->db = db;
	return pk;
}

void
plan_keys_free(struct plan_keys *pk)
{
	size_t i, j;

	if (pk == NULL)
		return;
	for (i = 0; i < PLAN_NKINDS; i++) {
		for (j = 0; j < pk->sets[i].n; j++)
			json_decref(pk->sets[i].keys[j]);
		free(pk->sets[i].ids);
		free(pk->sets[i].keys);
	}
	free(pk);
}

/* One stored column of a key as JSON: references become their own natural keys. */
static json_t *
plan_keys_column(struct plan_keys *pk, const struct field *f, sqlite3_stmt *st, int col,
    struct api_err *err)
{
	json_t *v;

	if (f->type == FT_INT)
		return json_integer(sqlite3_column_int64(st, col));
	if (f->type == FT_REF) {
		v = plan_keys_get(pk, resource_find(f->ref), sqlite3_column_int64(st, col), err);
		return v != NULL ? json_incref(v) : NULL;
	}
	return json_stringn((const char *)sqlite3_column_text(st, col),
	    (size_t)sqlite3_column_bytes(st, col));
}

static int
plan_keys_load(struct plan_keys *pk, const struct plan_kind *k, struct plan_keyset *set,
    struct api_err *err)
{
	const struct resource *res = resource_find(k->name);
	char name[64];
	sqlite3_stmt *st;
	json_t *key, *part;
	size_t cap = 0;
	int i, rc;

	/* Not a cached statement: a key column may need another kind loaded meanwhile. */
	if (sqlite3_prepare_v2(db_handle(pk->db), plan_keys_sql[plan_index(k)], -1, &st,
	    NULL) != SQLITE_OK)
		return db_fail(pk->db, err, "reading keys");
	set->loaded = true;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (set->n == cap) {
			size_t c = cap;

			/* Two arrays of one length: both grow to the same capacity. */
			set->ids = vec_grow(set->ids, &c, set->n + 1, sizeof(*set->ids));
			set->keys = vec_grow(set->keys, &cap, set->n + 1, sizeof(*set->keys));
		}
		key = k->key[1] == NULL ? NULL : json_object();
		for (i = 0; k->key[i] != NULL; i++) {
			const struct field *f = resource_field(res, k->key[i]);

			if ((part = plan_keys_column(pk, f, st, i + 1, err)) == NULL) {
				json_decref(key);
				sqlite3_finalize(st);
				return -1;
			}
			if (key == NULL) {
				key = part;
				continue;
			}
			plan_field_name(f, name, sizeof(name));
			json_object_set_new(key, name, part);
		}
		set->ids[set->n] = sqlite3_column_int64(st, 0);
		set->keys[set->n++] = key;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(pk->db, err, "reading keys");
}

json_t *
plan_keys_get(struct plan_keys *pk, const struct resource *res, long long id,
    struct api_err *err)
{
	const struct plan_kind *k = plan_kind_of(res);
	struct plan_keyset *set;
	size_t lo = 0, hi, mid;

	if (k == NULL) {
		api_err_set(err, 500, "%s has no natural key", res->name);
		return NULL;
	}
	set = &pk->sets[plan_index(k)];
	if (!set->loaded && plan_keys_load(pk, k, set, err) == -1)
		return NULL;
	for (hi = set->n; lo < hi;) {
		mid = lo + (hi - lo) / 2;
		if (set->ids[mid] == id)
			return set->keys[mid];
		if (set->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	api_err_set(err, 500, "%s %lld is referred to but missing", res->object, id);
	return NULL;
}
