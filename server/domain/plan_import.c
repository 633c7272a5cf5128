#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "dnszone.h"
#include "freemap.h"
#include "ipam.h"
#include "ipam_cache.h"
#include "plan_batch.h"
#include "plan_bulk.h"
#include "plan_refs.h"
#include "settings.h"
#include "vec.h"

#define PLAN_IMPORT_CHANGES_MAX 1000
#define PLAN_NKINDS_MAX 16

enum plan_import_action { PI_CREATED, PI_UPDATED, PI_DELETED, PI_UNCHANGED, PI_NACTIONS };

static const char *const plan_import_words[PI_NACTIONS] = { "created", "updated", "deleted",
	"unchanged" };
static const char *const plan_import_verbs[PI_NACTIONS] = { "create", "update", "delete",
	"keep" };

/* The ids of one kind the file holds: an open-addressing set (ids are positive). */
struct plan_idset {
	long long *slots;
	size_t cap, n;
};

struct plan_import {
	const struct actor *a;      /* the caller, marked as importing a plan */
	struct db *db;
	const struct plan_import_opts *opts;
	json_t *kinds;                      /* {"vlans": {"created": n, ...}, ...} */
	json_t *changes;                    /* the first PLAN_IMPORT_CHANGES_MAX changes */
	long long changes_total;
	long long totals[PI_NACTIONS];
	struct plan_idset *seen;            /* per kind, in plan_kinds order */
	long long addresses_derived;        /* address writes the derived state includes */
	json_t *derived;                    /* names the import made up: ports' ifnames */
	struct plan_batch *batch;           /* the kind's creates, when they are batched */
	struct plan_bulk *bulk;             /* the kind's table's bulk load, or NULL */
	struct plan_refs *refs;             /* objects references named, while nothing goes */
	bool exact;                         /* doing one object again: looked up, as ever */
};

static void
plan_import_count(struct plan_import *pi, const char *kind, enum plan_import_action a,
    const char *key)
{
	json_t *counts = json_object_get(pi->kinds, kind), *n;

	n = json_object_get(counts, plan_import_words[a]);
	json_integer_set(n, json_integer_value(n) + 1);
	pi->totals[a]++;
	if (a == PI_UNCHANGED)
		return;
	if (pi->changes_total++ < PLAN_IMPORT_CHANGES_MAX)
		json_array_append_new(pi->changes, json_pack("{s:s, s:s, s:s}", "action",
		    plan_import_verbs[a], "kind", kind, "key", key));
}

/* Names the failing object in err: the detail gets "kind key: " in front, and each field
 * becomes kind[key].field with the field's plan name. */
static void
plan_import_blame(struct api_err *err, const struct resource *res, const char *label)
{
	char detail[sizeof(err->detail)], name[64], full[320];
	const struct field *f;
	const char *key;
	json_t *renamed, *v;
	int n;

	/* In two steps: the same text, cut at the same place, without the compiler's warning
	 * about the cut once this is inlined. */
	n = snprintf(detail, sizeof(detail), "%s %s: ", res->name, label);
	if (n >= 0 && (size_t)n < sizeof(detail))
		snprintf(detail + n, sizeof(detail) - (size_t)n, "%.400s", err->detail);
	memcpy(err->detail, detail, sizeof(detail));
	if (err->errors == NULL)
		return;
	renamed = json_object();
	json_object_foreach(err->errors, key, v) {
		if ((f = resource_field(res, key)) != NULL)
			plan_field_name(f, name, sizeof(name));
		else
			snprintf(name, sizeof(name), "%s", key);
		snprintf(full, sizeof(full), "%s[%s].%s", res->name, label, name);
		json_object_set(renamed, full, v);
	}
	json_decref(err->errors);
	err->errors = renamed;
}

static int
plan_import_cmp_ids(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* A list of natural keys as the ascending ids the API stores. */
static json_t *
plan_import_ids(struct plan_import *pi, const struct field *f, const char *name,
    const json_t *keys, struct api_err *err)
{
	const struct resource *to = resource_find(f->ref);
	long long *ids;
	char text[128];
	json_t *out = NULL, *key;
	size_t i, n = json_array_size(keys);

	if (!json_is_array(keys)) {
		api_err_field(err, name, "must be an array of %s keys", to->object);
		return NULL;
	}
	if ((ids = calloc(n + 1, sizeof(*ids))) == NULL)
		return NULL;
	json_array_foreach(keys, i, key) {
		if (plan_refs_lookup(pi->refs, pi->db, to, key, name, &ids[i], err) == -1)
			goto out;
		if (ids[i] == 0) {
			plan_key_text(key, text, sizeof(text));
			api_err_field(err, name, "no %s %s", to->object, text);
			goto out;
		}
	}
	qsort(ids, n, sizeof(*ids), plan_import_cmp_ids);
	out = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_integer(ids[i]));
out:
	free(ids);
	return out;
}

/* The plan form of an object as API input: references by natural key become ids. */
static json_t *
plan_import_input(struct plan_import *pi, const struct resource *res, const json_t *obj,
    struct api_err *err)
{
	const struct field *f;
	const char *name;
	json_t *in = json_object(), *v, *ids;
	long long id;
	char text[128];

	/* Keys set unchecked: each is a parsed key or a field's name, valid UTF-8 already. */
	json_object_foreach((json_t *)obj, name, v) {
		if (strcmp(name, "tags") == 0 && !(res->flags & R_NO_META)) {
			json_object_set_nocheck(in, name, v);
			continue;
		}
		if ((f = plan_field(res, name)) == NULL) {
			api_err_field(err, name, "unknown field");
			continue;
		}
		if (f->flags & F_READONLY) {
			api_err_field(err, name, "is derived by the server");
			continue;
		}
		if (f->type == FT_REF && !json_is_null(v)) {
			if (plan_refs_lookup(pi->refs, pi->db, resource_find(f->ref), v, name, &id,
			    err) == -1)
				continue;
			if (id == 0) {
				plan_key_text(v, text, sizeof(text));
				api_err_field(err, name, "no %s %s", resource_find(f->ref)->object,
				    text);
				continue;
			}
			json_object_set_new_nocheck(in, f->name, json_integer(id));
		} else if (f->type == FT_REFLIST) {
			if ((ids = plan_import_ids(pi, f, name, v, err)) != NULL)
				json_object_set_new_nocheck(in, f->name, ids);
		} else {
			json_object_set_nocheck(in, f->name, v);
		}
	}
	if (err->status != 0) {
		json_decref(in);
		return NULL;
	}
	return in;
}

static bool
plan_idset_has(const struct plan_idset *set, long long id)
{
	size_t i;

	if (set->cap == 0)
		return false;
	for (i = (size_t)id * 0x9E3779B97F4A7C15ull & (set->cap - 1); set->slots[i] != 0;
	    i = (i + 1) & (set->cap - 1))
		if (set->slots[i] == id)
			return true;
	return false;
}

/* Adds id; false when it was there already. */
static bool
plan_idset_add(struct plan_idset *set, long long id)
{
	struct plan_idset grown = { NULL, 0, 0 };
	size_t i;

	if (plan_idset_has(set, id))
		return false;
	if ((set->n + 1) * 2 > set->cap) {
		grown.cap = set->cap ? set->cap * 2 : 1024;
		if ((grown.slots = calloc(grown.cap, sizeof(*grown.slots))) == NULL)
			abort();
		for (i = 0; i < set->cap; i++)
			if (set->slots[i] != 0)
				plan_idset_add(&grown, set->slots[i]);
		free(set->slots);
		*set = grown;
	}
	for (i = (size_t)id * 0x9E3779B97F4A7C15ull & (set->cap - 1); set->slots[i] != 0;
	    i = (i + 1) & (set->cap - 1))
		;
	set->slots[i] = id;
	set->n++;
	return true;
}

/* Remembers that the file holds object id of kind k; a second mention is an error. */
static int
plan_import_seen(struct plan_import *pi, size_t k, long long id, struct api_err *err)
{
	if (!plan_idset_add(&pi->seen[k], id))
		return api_err_set(err, 422, "the plan holds this object twice");
	return 0;
}

/* A port the plan gives no interface name gets one derived from its label (res_ports.c): the
 * report lists each, so the operator sees what the OS is asked to call it. */
static int
plan_import_derived_ifname(struct plan_import *pi, const json_t *obj, long long id,
    const char *label, struct api_err *err)
{
	static const char sql[] = "SELECT ifname FROM ports WHERE id = ?";
	sqlite3_stmt *st;
	int rc;

	if (json_string_length(json_object_get(obj, "ifname")) > 0)
		return 0;
	if ((st = db_stmt(pi->db, sql)) == NULL)
		return db_fail(pi->db, err, "reading ports");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(pi->derived, json_pack("{s:s, s:s, s:s}", "kind", "ports",
		    "key", label, "ifname", (const char *)sqlite3_column_text(st, 0)));
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(pi->db, err, "reading ports");
}

static int plan_import_object(struct plan_import *pi, const struct plan_kind *k,
    const struct resource *res, const json_t *obj, size_t idx, struct api_err *err);

/* Writes the staged creates of kind k, then counts them as plan_import_one would have. When
 * the INSERT fails, they are done again one by one, the ordinary way: the first that fails
 * fails as it always did. */
static int
plan_import_flush(struct plan_import *pi, const struct plan_kind *k, struct api_err *err)
{
	struct plan_batch *b = pi->batch;
	const struct plan_batch_row *row, *failed;
	struct { const json_t *obj; size_t idx; } redo[PLAN_BATCH_ROWS];
	size_t i, n = plan_batch_count(b);
	int rc;

	if ((rc = plan_batch_flush(b, &failed, err)) == 0) {
		for (i = 0; i < n && rc == 0; i++) {
			row = plan_batch_row(b, i);
			if ((rc = plan_import_seen(pi, (size_t)(k - plan_kinds), row->id, err)) == 0)
				plan_import_count(pi, k->name, PI_CREATED, row->label);
			else
				plan_import_blame(err, plan_batch_resource(b), row->label);
		}
	} else if (rc == -1 && failed != NULL) {
		plan_import_blame(err, plan_batch_resource(b), failed->label);
	}
	if (rc != PLAN_BATCH_REDO) {
		plan_batch_clear(b);
		return rc;
	}
	for (i = 0; i < n; i++) {
		redo[i].obj = plan_batch_row(b, i)->obj;
		redo[i].idx = plan_batch_row(b, i)->idx;
	}
	plan_batch_clear(b);
	/* Rows written one by one count themselves: the trigger is back for the rest of the
	 * kind, and the batches after these leave the counting to it. */
	if (plan_bulk_trigger_back(pi->db, pi->bulk, err) == -1)
		return -1;
	pi->batch = NULL;
	for (i = 0, rc = 0; i < n && rc == 0; i++)
		rc = plan_import_object(pi, k, plan_batch_resource(b), redo[i].obj, redo[i].idx,
		    err);
	pi->batch = b;
	return rc;
}

/* Creates or updates one object of the file, found by its natural key; a create of a batched
 * kind is staged. */
static int
plan_import_one(struct plan_import *pi, const struct plan_kind *k,
    const struct resource *res, const json_t *obj, size_t idx, struct api_err *err)
{
	json_t *key = NULL, *in = NULL;
	char label[160];
	long long id = 0;
	bool changed = true, created = false, named = false;
	int rc = -1;

	if (!json_is_object(obj)) {
		api_err_set(err, 422, "must be a JSON object");
		goto out;
	}
	if ((key = plan_key_of_object(k, res, obj)) == NULL) {
		api_err_set(err, 422, "lacks its natural key (%s)", k->key[0]);
		goto out;
	}
	plan_key_text(key, label, sizeof(label));
	named = true;
	/* A batched kind's table held nothing: only a key twice in the file could be found,
	 * and that fails the batch's INSERT, whose objects are then done again the ordinary
	 * way. So the lookup is left to those, and to an object that fails (plan_import_object). */
	if ((in = plan_import_input(pi, res, obj, err)) == NULL ||
	    ((pi->batch == NULL || pi->exact) &&
	    plan_lookup(pi->db, res, key, k->key[0], &id, err) == -1))
		goto out;
	if (pi->batch != NULL && id == 0) {
		if (plan_batch_add(pi->batch, pi->a, in, obj, idx, label, &id, err) == -1)
			goto out;
		/* Counted when written (plan_import_object). */
		json_decref(key);
		json_decref(in);
		return 0;
	}
	/* What was staged before this object is written before it. */
	if (pi->batch != NULL && plan_import_flush(pi, k, err) == -1) {
		json_decref(key);
		json_decref(in);
		return -1;
	}
	if (id != 0) {
		if (resource_update_one(pi->a, pi->db, res, id, in, false, &changed, err) == -1)
			goto out;
	} else {
		if (resource_create_one(pi->a, pi->db, res, in, &id, NULL, err) == -1)
			goto out;
		created = true;
	}
	if (plan_import_seen(pi, (size_t)(k - plan_kinds), id, err) == -1)
		goto out;
	if (strcmp(res->name, "ports") == 0 &&
	    plan_import_derived_ifname(pi, obj, id, label, err) == -1)
		goto out;
	plan_import_count(pi, k->name, created ? PI_CREATED : changed ? PI_UPDATED :
	    PI_UNCHANGED, label);
	rc = 0;
out:
	/* Named by its place in the file when its key is not known. */
	if (rc == -1 && !named)
		snprintf(label, sizeof(label), "#%zu", idx);
	if (rc == -1)
		plan_import_blame(err, res, label);
	json_decref(key);
	json_decref(in);
	return rc;
}

/* One object; an object of a batched kind that fails is done again, looked up, once the
 * creates staged before it are written: the first object of the file that fails is the one
 * named, with the error it gets the ordinary way. */
static int
plan_import_object(struct plan_import *pi, const struct plan_kind *k,
    const struct resource *res, const json_t *obj, size_t idx, struct api_err *err)
{
	int rc;

	if (plan_import_one(pi, k, res, obj, idx, err) == 0)
		/* A full batch is written; its failure is the first object's that fails. */
		return pi->batch != NULL && plan_batch_count(pi->batch) == PLAN_BATCH_ROWS ?
		    plan_import_flush(pi, k, err) : 0;
	if (pi->batch == NULL || pi->exact)
		return -1;
	api_err_free(err);
	api_err_init(err);
	if (plan_batch_count(pi->batch) > 0 && plan_import_flush(pi, k, err) == -1)
		return -1;
	pi->exact = true;
	rc = plan_import_one(pi, k, res, obj, idx, err);
	pi->exact = false;
	return rc;
}

/* Replace mode: what the file does not hold goes, referrers before what they refer to. */
static int
plan_import_prune(struct plan_import *pi, const struct plan_kind *k, struct plan_keys *pk,
    struct api_err *err)
{
	const struct resource *res = resource_find(k->name);
	long long *ids = NULL;
	size_t n = 0, cap = 0, i;
	char *sql = NULL, label[160];
	sqlite3_stmt *st = NULL;
	json_t *key;
	int rc = -1;

	if (asprintf(&sql, "SELECT id FROM %s ORDER BY id DESC", res->table) < 0) {
		api_err_set(err, 500, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(db_handle(pi->db), sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(pi->db, err, "importing");
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (plan_idset_has(&pi->seen[k - plan_kinds], sqlite3_column_int64(st, 0)))
			continue;
		ids = vec_grow(ids, &cap, n + 1, sizeof(*ids));
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	for (i = 0; i < n; i++) {
		/* The key is read before the object goes. */
		if ((key = plan_keys_get(pk, res, ids[i], err)) == NULL)
			goto out;
		plan_key_text(key, label, sizeof(label));
		if (resource_delete_one(pi->a, pi->db, res, ids[i], err) == -1) {
			plan_import_blame(err, res, label);
			goto out;
		}
		plan_import_count(pi, k->name, PI_DELETED, label);
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	free(sql);
	free(ids);
	return rc;
}

static int
plan_import_settings(struct plan_import *pi, const json_t *doc, struct api_err *err)
{
	const json_t *want = json_object_get(doc, "settings");
	bool changed = false;
	int rc = -1;

	if (want == NULL && !pi->opts->replace)
		return 0;
	/* Replace: the defaults with the plan's settings over them; merge: the plan's over the
	 * stored ones. The driver checks, stores and audits them like any object. */
	if (settings_import(pi->a, pi->db, want, pi->opts->replace, &changed, err) == -1)
		goto out;
	plan_import_count(pi, "settings", changed ? PI_UPDATED : PI_UNCHANGED, "settings");
	rc = 0;
out:
	if (rc == -1 && strncmp(err->detail, "settings", 8) != 0) {
		char detail[sizeof(err->detail)];

		snprintf(detail, sizeof(detail), "settings: %.480s", err->detail);
		memcpy(err->detail, detail, sizeof(detail));
	}
	return rc;
}

/* The document's shape: its format, known keys only, and an array for each kind. */
static int
plan_import_check(const json_t *doc, struct api_err *err)
{
	const struct plan_kind *k;
	const char *name;
	json_t *v;

	if (!json_is_object(doc))
		return api_err_set(err, 400, "a plan is a JSON object");
	v = json_object_get(doc, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), PLAN_FORMAT) != 0) {
		api_err_set(err, 400, "not a plan file");
		return api_err_field(err, "format", "must be \"" PLAN_FORMAT "\"");
	}
	json_object_foreach((json_t *)doc, name, v) {
		if (strcmp(name, "format") == 0)
			continue;
		if (strcmp(name, "settings") == 0) {
			if (!json_is_object(v))
				api_err_field(err, name, "must be an object");
			continue;
		}
		for (k = plan_kinds; k->name != NULL; k++)
			if (strcmp(k->name, name) == 0)
				break;
		if (k->name == NULL)
			api_err_field(err, name, "unknown kind of object");
		else if (!json_is_array(v))
			api_err_field(err, name, "must be an array");
	}
	if (err->status != 0) {
		err->status = 400;
		snprintf(err->detail, sizeof(err->detail), "the plan's shape is wrong");
		return -1;
	}
	return 0;
}

static json_t *
plan_import_report(struct plan_import *pi)
{
	json_t *report = json_object(), *summary = json_object();
	int a;

	for (a = 0; a < PI_NACTIONS; a++)
		json_object_set_new(summary, plan_import_words[a], json_integer(pi->totals[a]));
	json_object_set_new(report, "mode", json_string(pi->opts->replace ? "replace" : "merge"));
	json_object_set_new(report, "dry_run", json_boolean(pi->opts->dry_run));
	json_object_set_new(report, "request_id",
	    json_string(pi->a->request_id != NULL ? pi->a->request_id : "-"));
	json_object_set_new(report, "summary", summary);
	json_object_set(report, "kinds", pi->kinds);
	json_object_set(report, "changes", pi->changes);
	json_object_set_new(report, "changes_truncated",
	    json_boolean(pi->changes_total > PLAN_IMPORT_CHANGES_MAX));
	json_object_set(report, "derived", pi->derived);
	return report;
}

/* Addresses written by an import leave the free map and the used counts alone
 * (res_ip_addresses.c); they are rebuilt here, once, when any address changed since the last
 * rebuild: before objects that show a count (prefixes, ranges) are pruned and logged, and
 * before the commit. */
static int
plan_import_derived(struct plan_import *pi, struct api_err *err)
{
	json_t *counts = json_object_get(pi->kinds, "ip-addresses");
	long long n = 0;
	int a;

	for (a = 0; a < PI_NACTIONS; a++)
		if (a != PI_UNCHANGED)
			n += json_integer_value(json_object_get(counts, plan_import_words[a]));
	if (n == pi->addresses_derived)
		return 0;
	pi->addresses_derived = n;
	if (ipam_recount_all(pi->db, err) == -1 || freemap_rebuild(pi->db, "SELECT addr_key FROM "
	    "ip_addresses ORDER BY addr_key", err) == -1)
		return -1;
	return 0;
}

int
plan_import(const struct actor *who, struct db *db, const json_t *doc,
    const struct plan_import_opts *opts, json_t **report, struct api_err *err)
{
	struct actor importer = who != NULL ? *who : (struct actor){ .role = ROLE_NONE };
	struct plan_import pi = { .a = &importer, .db = db, .opts = opts };
	const struct plan_kind *k;
	struct plan_keys *pk = NULL;
	struct plan_bulk *built;
	int empty = 0;
	const struct resource *res;
	json_t *arr, *obj;
	size_t i;
	int a, rc = -1;

	*report = NULL;
	importer.plan = true;
	if (plan_import_check(doc, err) == -1)
		return -1;
	for (k = plan_kinds; k->name != NULL; k++)
		if (k - plan_kinds >= PLAN_NKINDS_MAX - 1)
			return api_err_set(err, 500, "PLAN_NKINDS_MAX is too small");
	if ((pi.seen = calloc(PLAN_NKINDS_MAX, sizeof(*pi.seen))) == NULL)
		return api_err_set(err, 500, "out of memory");
	pi.kinds = json_object();
	pi.changes = json_array();
	pi.derived = json_array();
	for (k = plan_kinds; k->name != NULL; k++) {
		json_t *counts = json_object();

		for (a = 0; a < PI_NACTIONS; a++)
			json_object_set_new(counts, plan_import_words[a], json_integer(0));
		json_object_set_new(pi.kinds, k->name, counts);
	}
	json_object_set_new(pi.kinds, "settings", json_pack("{s:i, s:i, s:i, s:i}", "created", 0,
	    "updated", 0, "deleted", 0, "unchanged", 0));
	/* A whole plan's pages stay in memory until the commit instead of spilling to the WAL
	 * midway; the connection's usual cache comes back afterwards. */
	sqlite3_exec(db_handle(db), "PRAGMA cache_size=-262144", NULL, NULL, NULL);
	if (db_begin(db, true) == -1) {
		db_fail(db, err, "starting the import");
		goto done;
	}
	/* Its reference checks need not ask for what its lookups found. */
	pi.refs = plan_refs_new();
	resource_refs_known(plan_refs_known, pi.refs);
	resource_log_batch_begin();
	/* Setting the audit log's trigger aside and making it again costs more than a few
	 * objects' audit rows save. */
	for (k = plan_kinds, i = 0; k->name != NULL; k++)
		i += json_array_size(json_object_get(doc, k->name));
	if (i >= PLAN_BATCH_ROWS && resource_log_batch_aside(db, err) == -1)
		goto out;
	/* The zones stay as they are until the import writes some (addresses ask for theirs). */
	if (dnszone_cache_begin(db, err) == -1)
		goto out;
	for (k = plan_kinds; k->name != NULL; k++) {
		res = resource_find(k->name);
		if (strcmp(res->table, "dns_zones") == 0)
			dnszone_cache_end();
		arr = json_object_get(doc, k->name);
		if (json_array_size(arr) > 0 && k->bulk) {
			if ((empty = plan_bulk_empty(db, res->table, err)) == -1 || (empty &&
			    plan_bulk_begin(db, res->table, k->key[0], &pi.bulk, err) == -1))
				goto out;
			if (empty)
				pi.batch = plan_batch_new(db, res, pi.bulk);
		}
		/* The prefixes stay as they are while addresses are written (each asks for its
		 * prefix). */
		if (json_array_size(arr) > 0 && strcmp(res->table, "ip_addresses") == 0 &&
		    ipam_cache_begin(db, err) == -1)
			goto out;
		json_array_foreach(arr, i, obj)
			if (plan_import_object(&pi, k, res, obj, i, err) == -1)
				goto out;
		if (pi.batch != NULL && plan_import_flush(&pi, k, err) == -1)
			goto out;
		ipam_cache_end();
		plan_batch_free(pi.batch);
		pi.batch = NULL;
		/* Built again before the next kind, whose checks may read this table. */
		built = pi.bulk;
		pi.bulk = NULL;
		if (plan_bulk_end(db, built, err) == -1)
			goto out;
	}
	/* Replace deletes objects next: what was remembered could name one that went. */
	resource_refs_known(NULL, NULL);
	plan_refs_free(pi.refs);
	pi.refs = NULL;
	if (plan_import_settings(&pi, doc, err) == -1)
		goto out;
	if (opts->replace) {
		if ((pk = plan_keys_new(db)) == NULL) {
			api_err_set(err, 500, "out of memory");
			goto out;
		}
		for (k = plan_kinds; k->name != NULL; k++)
			;
		while (k-- != plan_kinds)
			if (plan_import_derived(&pi, err) == -1 ||
			    plan_import_prune(&pi, k, pk, err) == -1)
				goto out;
	}
	if (plan_import_derived(&pi, err) == -1)
		goto out;
	/* Zones come before the records and addresses they need: checked once, whole. */
	/* The audit rows still kept go in before the commit. */
	if (dnszone_verify_all(db, err) == -1 || resource_log_batch_flush(db, err) == -1)
		goto out;
	if (opts->dry_run) {
		db_rollback(db);
	} else if (db_commit(db) == -1) {
		db_fail(db, err, "committing the import");
		goto out;
	}
	*report = plan_import_report(&pi);
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	plan_bulk_free(pi.bulk);
	plan_batch_free(pi.batch);
	resource_refs_known(NULL, NULL);
	plan_refs_free(pi.refs);
done:
	dnszone_cache_end();
	ipam_cache_end();
	resource_log_batch_end();
	sqlite3_exec(db_handle(db), "PRAGMA cache_size=-2000", NULL, NULL, NULL);
	for (i = 0; i < PLAN_NKINDS_MAX; i++)
		free(pi.seen[i].slots);
	free(pi.seen);
	plan_keys_free(pk);
	json_decref(pi.kinds);
	json_decref(pi.changes);
	json_decref(pi.derived);
	return rc;
}
