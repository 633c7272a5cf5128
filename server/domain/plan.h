/* The plan file: every object of the plan in one JSON document, objects referring to each other
 * by natural keys (a VLAN by vid, a prefix by CIDR, a host by name, a port by host and name, a
 * zone by name) instead of database ids, so a person can write and diff it. This file holds the
 * format's table and the key translations shared by plan_export.c and plan_import.c. */
#ifndef NETSOT_PLAN_H
#define NETSOT_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "resource.h"

#define PLAN_FORMAT "netsot-plan/1"

struct plan_kind {
	const char *name;              /* the resource, and the document's key: "ip-addresses" */
	const char *const *key;        /* fields of the natural key, NULL-terminated */
	const char *order;             /* SQL ORDER BY for an export, from natural keys only */
	/* Loaded in bulk into an empty table (plan_bulk.c, plan_batch.c): a many-object kind
	 * whose checks and after hooks read no other row of its own table, whose after hook
	 * leaves its own row as written, and whose natural key is UNIQUE in the schema. Not
	 * prefixes (a parent is found among them), nor firewall rules (unnamed ones hold ''
	 * until their after hook names them). */
	bool bulk;
};

/* Every kind in dependency order (what an object refers to comes first), NULL-terminated. */
extern const struct plan_kind plan_kinds[];

const struct plan_kind *plan_kind_of(const struct resource *res);

/* The field's name in a plan: a reference loses its "_id" (host_id: host), a list of them
 * "_ids" (tagged_vlan_ids: tagged_vlans). */
void plan_field_name(const struct field *f, char *buf, size_t len);
/* The field a plan name stands for, or NULL. */
const struct field *plan_field(const struct resource *res, const char *plan_name);

/* The id of the object of res whose natural key is key (a scalar for a one-field key, else an
 * object of the key's plan names); 0 in *id when there is none. -1 with a 422 naming field when
 * key has the wrong shape. */
int plan_lookup(struct db *db, const struct resource *res, const json_t *key, const char *field,
    long long *id, struct api_err *err);
/* An object's own natural key, taken from its plan form; NULL when a part is missing. */
json_t *plan_key_of_object(const struct plan_kind *k, const struct resource *res,
    const json_t *obj);
/* A natural key as people read it: "10.0.0.0/24", "router/wan1". */
void plan_key_text(const json_t *key, char *buf, size_t len);
/* s into buf of len bytes (len > 0), cut to fit and always terminated: a label, which an
 * import copies once an object. */
void plan_copy(char *buf, size_t len, const char *s);

/* Natural keys of stored objects by id, loaded per resource on first use (for export). */
struct plan_keys;
struct plan_keys *plan_keys_new(struct db *db);
void plan_keys_free(struct plan_keys *pk);
/* The natural key of object id of res (borrowed), or NULL with err. */
json_t *plan_keys_get(struct plan_keys *pk, const struct resource *res, long long id,
    struct api_err *err);

/* The whole plan as a plan document (appended to out), read inside the caller's transaction. */
int plan_export(struct db *db, struct sbuf *out, struct api_err *err);

struct plan_import_opts {
	bool replace;    /* the database becomes exactly the file; else merge by natural key */
	bool dry_run;    /* report, then roll everything back */
};

/* Imports a plan document in one write transaction (begun and ended here): all or nothing.
 * *report says what was (or would be) created, updated, deleted and left unchanged. Every
 * write is logged under a's name and request id (a NULL a is the database's owner). */
int plan_import(const struct actor *a, struct db *db, const json_t *doc,
    const struct plan_import_opts *opts, json_t **report, struct api_err *err);

#endif
