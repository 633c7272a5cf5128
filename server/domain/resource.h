/* The generic resource driver: every resource is a field table plus a few hooks, and this file
 * checks objects against the table, reads and writes their rows, writes them as the API shows
 * them, checks references and keeps the audit log for all of them. It knows an actor, never a
 * request: server/http/api_resource.c and listing.c answer HTTP with it. */
#ifndef NETSOT_RESOURCE_H
#define NETSOT_RESOURCE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "actor.h"
#include "apierr.h"
#include "charrule.h"
#include "clock.h"
#include "sbuf.h"

struct db;

enum ftype {
	FT_INT,      /* integer, min..max */
	FT_TEXT,     /* string up to max characters (default 255) */
	FT_BOOL,     /* stored 0/1 */
	FT_ENUM,     /* one of values */
	FT_REF,      /* id of a row of resource ref, or null */
	FT_ADDR,     /* an IP address, stored canonical */
	FT_CIDR,     /* a prefix with host bits zero, stored canonical */
	FT_LIST,     /* array of strings, stored as JSON text */
	FT_OBJECT,   /* JSON object, stored as JSON text */
	FT_REFLIST,  /* array of ids of resource ref, kept in a join table: values names the
	              * table, its column for this object and its column for the other */
};

enum {
	F_REQUIRED = 1 << 0,
	F_READONLY = 1 << 1,   /* derived by the server; refused in requests */
	F_UNIQUE = 1 << 2,     /* UNIQUE in SQL (with unique_with): a clash is 409 naming it */
	F_FILTER = 1 << 3,     /* ?field=value (repeat = OR), __gte/__lte on integers */
	F_ORDER = 1 << 4,      /* may appear in ?ordering= */
	F_SEARCH = 1 << 5,     /* searched by ?q= */
	F_NULL = 1 << 6,       /* may be null */
	/* Input only: checked like any field, never a column, never shown or logged. The
	 * resource's seal or derive hook turns it into what is stored (a password into a hash,
	 * a lifetime in days into an expiry time). */
	F_WRITEONLY = 1 << 7,
};

struct field {
	const char *name;           /* JSON name and SQL column */
	enum ftype type;
	unsigned flags;
	const char *ref;            /* FT_REF: the referenced resource's name */
	const char *const *values;  /* FT_ENUM: allowed values, NULL-terminated */
	long long min, max;         /* FT_INT bounds; FT_TEXT maximum length */
	const char *def;            /* default for a create that leaves it out (JSON text) */
	const char *sort;           /* SQL expression to order by instead of the column */
	enum charrule rule;         /* FT_TEXT, FT_LIST items, FT_OBJECT keys: what they may hold */
	/* F_UNIQUE: the other columns of a composite UNIQUE key, NULL-terminated, or NULL. The
	 * field is the one a clash names, so it is the one SQLite would name first. */
	const char *const *unique_with;
};

#define RES_HIDDEN_TEXT 192

/* A column the server computes and never shows, set by a resource's derive hook. */
struct hidden {
	enum { HV_NULL, HV_INT, HV_BLOB, HV_TEXT } type;
	long long i;
	unsigned char blob[17];
	int len;
	char text[RES_HIDDEN_TEXT];   /* a password's hash, a token's id */
};

#define RES_MAX_HIDDEN 4

/* The state of one write, shared by the driver and the resource's hooks. */
struct wctx {
	const struct actor *a;      /* who writes; NULL is the database's owner */
	struct db *db;
	const struct resource *res;
	long long id;               /* 0 for a create until the row exists */
	json_t *old;                /* the stored object before the write, NULL for a create */
	int nhidden;
	struct hidden hidden[RES_MAX_HIDDEN];
	/* What the resource's seal hook made of the body before the transaction began (a
	 * password's hash), or NULL when it has no seal hook or the body nothing to seal. */
	const json_t *sealed;
	/* Fields shown in a create's answer only, never stored or logged (an API token's
	 * secret): set by the after hook, owned by the write. */
	json_t *once;
};

/* A resource-specific filter: appends SQL to where and binds via the values. */
struct rfilter {
	const char *name;
	/* Appends " AND (...)" for the given values; returns -1 with a 400 in err for bad ones. */
	int (*fn)(struct sbuf *where, json_t *binds, const char *const *values, int n,
	    struct api_err *err);
};

enum {
	R_NO_META = 1 << 0,    /* no tags, created_at, updated_at columns */
	R_READONLY = 1 << 1,   /* no writes through the API */
	/* Served only by its own lines of the route table (their roles), never by /{res}. */
	R_OWN_ROUTES = 1 << 2,
	/* Its writes change who may use the API: the HTTP layer forgets verified tokens. */
	R_SESSIONS = 1 << 3,
	/* One object, id 1, that always exists: read and patched, never created or deleted;
	 * shown without its id. */
	R_SINGLETON = 1 << 4,
};

struct resource {
	const char *name;           /* "ip-addresses": the path segment */
	unsigned flags;
	const char *table;          /* "ip_addresses" */
	const char *object;         /* "ip-address": object_type in the audit log */
	const struct field *fields;
	const char *const *hidden;  /* columns derive() fills, in w->hidden order, or NULL */
	const struct rfilter *filters;  /* extra filters, NULL-name terminated, or NULL */
	/* Slow work on the body done before the write transaction begins, so that the write
	 * lock is not held for it: *sealed (new, or NULL) reaches the hooks as w->sealed. */
	int (*seal)(const json_t *body, json_t **sealed, struct api_err *err);
	/* Rules beyond the field table, on the whole new object (merged for PATCH); 422s. */
	int (*validate)(struct wctx *w, json_t *obj, struct api_err *err);
	/* Computes read-only fields into obj and hidden columns into w before the row is written. */
	int (*derive)(struct wctx *w, json_t *obj, struct api_err *err);
	/* Keeps derived state elsewhere right after the row was written or deleted (obj NULL). */
	int (*after)(struct wctx *w, const json_t *obj, struct api_err *err);
	/* Refuses or prepares a delete beyond the generic reference check. */
	int (*before_delete)(struct wctx *w, struct api_err *err);
	/* Appends computed fields (",\"utilization\":{...}") to an object's JSON text. */
	int (*decorate)(struct db *db, const struct resource *res, sqlite3_stmt *row,
	    struct sbuf *out, struct api_err *err);
};

extern const struct resource *const resource_table[];

const struct resource *resource_find(const char *name);
/* A resource's field by its JSON name, or NULL. */
const struct field *resource_field(const struct resource *res, const char *name);
/* The stored object as the API shows it; 0, or -1 with 404. */
int resource_load(struct db *db, const struct resource *res, long long id, json_t **out,
    struct api_err *err);
/* The same without computed fields: cheaper when only stored fields are needed. */
int resource_load_plain(struct db *db, const struct resource *res, long long id, json_t **out,
    struct api_err *err);
/* Until called again with NULL, this thread's checks of a reference (an id field, a list of
 * ids) ask known first: true means the object exists, and the database is not asked. For a
 * plan import, which knows the objects its references found, while it deletes none. */
void resource_refs_known(bool (*known)(void *ctx, const struct resource *to, long long id),
    void *ctx);
/* Creates one object inside the caller's write transaction (used by allocation too): its id
 * in *id and the object as the API shows it in *out, each when not NULL. */
int resource_create_one(const struct actor *a, struct db *db, const struct resource *res,
    const json_t *in, long long *id, json_t **out, struct api_err *err);
/* The same with the object's text (as the API shows it) appended to shown instead of a tree:
 * nothing is parsed back. */
int resource_create_text(const struct actor *a, struct db *db, const struct resource *res,
    const json_t *in, long long *id, struct sbuf *shown, struct api_err *err);
/* A create in steps, for a caller that writes many rows with one INSERT (a plan import):
 * prepare checks and builds the object exactly as a create through the API does (sealed as
 * for res_create: NULL seals here); the caller writes the row with the id it chose, binding
 * the values of resource_insert_sql's columns from parameter first on (bind returns the next
 * parameter; the values stay s's, not copied: the caller clears the bindings before s is
 * freed); finish does what follows the write: the object's lists, the resource's after
 * hook, the audit row, and *out and shown as resource_create_one. The audit row holds the
 * object as read back after the after hook, or as the caller read it (read, from
 * resource_row_text) when that hook leaves the row as it was. free in every case. */
struct resource_staged {
	struct wctx w;
	json_t *obj;                   /* the object to store */
	json_t *own;                   /* the body as sealed here, or NULL */
	char now[CLOCK_RFC3339_LEN];   /* its created_at and updated_at */
};
int resource_create_prepare(const struct actor *a, struct db *db, const struct resource *res,
    const json_t *in, const json_t *sealed, struct resource_staged *s, struct api_err *err);
const char *resource_insert_sql(const struct resource *res);
int resource_create_bind(struct resource_staged *s, sqlite3_stmt *st, int first);
int resource_create_finish(struct resource_staged *s, long long id, const struct sbuf *read,
    json_t **out, struct sbuf *shown, struct api_err *err);
void resource_staged_free(struct resource_staged *s);
/* Replaces (patch: merges into) one stored object inside the caller's write transaction. With
 * changed non-NULL an object that would store what it holds already is neither written nor
 * logged, and *changed says which happened. */
int resource_update_one(const struct actor *a, struct db *db, const struct resource *res,
    long long id, const json_t *in, bool patch, bool *changed, struct api_err *err);
/* Deletes one object inside the caller's write transaction: 409 while others refer to it. */
int resource_delete_one(const struct actor *a, struct db *db, const struct resource *res,
    long long id, struct api_err *err);
/* Appends one row to the audit log. */
/* Between begin and end, this thread's audit rows (resource_log and every write's own) are
 * kept and written many to one INSERT, in order: a plan import's. aside (inside the write
 * transaction, for a long one) sets the audit log's counting trigger aside: each INSERT of
 * kept rows does its work once. flush writes those kept and makes the trigger again (before
 * the commit; a failed write is an error of the transaction); end drops any left. */
void resource_log_batch_begin(void);
int resource_log_batch_aside(struct db *db, struct api_err *err);
int resource_log_batch_flush(struct db *db, struct api_err *err);
void resource_log_batch_end(void);
int resource_log(const struct actor *a, struct db *db, const char *action, const char *object,
    long long id, const json_t *before, const json_t *after, struct api_err *err);

/* Whole writes, each one transaction (begun and ended here). */
/* One object (its text appended to out, its id in *id), or an array of them all or none (the
 * created objects in *results, new, the first failure named by its index). */
int resource_create(const struct actor *a, struct db *db, const struct resource *res,
    const json_t *body, struct sbuf *out, long long *id, json_t **results,
    struct api_err *err);

enum resource_op { RESOURCE_REPLACE, RESOURCE_PATCH, RESOURCE_DELETE };

/* Replaces, merges into or deletes one object. if_match (an If-Match list, or NULL) is
 * compared with the object as it is now, inside the transaction: 412 when it names another
 * version. body may be NULL (an empty object); out gets the object's text after a write. */
int resource_modify(const struct actor *a, struct db *db, const struct resource *res,
    long long id, enum resource_op op, const json_t *body, const char *if_match,
    struct sbuf *out, struct api_err *err);
/* The stored object as the API shows it, as JSON text appended to sb; 404 when there is none.
 * Its ETag is etag_of() these bytes. */
int resource_text(struct db *db, const struct resource *res, long long id, struct sbuf *sb,
    struct api_err *err);
/* Checks a body against the field table of a resource that no table stores (a login's
 * credentials; no references): its shape (400) and each field's rules (422), as for any
 * resource. */
int resource_check_input(const struct resource *res, const json_t *body, struct api_err *err);
/* Names the object of a bulk write in err: "object 3: ..." and fields as "[3].field". */
void resource_error_index(struct api_err *err, size_t idx);
/* The column list of SELECTs, and a row written as the API shows it (shared with listing.c). */
const char *resource_columns(const struct resource *res);
int resource_row_text(const struct resource *res, struct db *db, sqlite3_stmt *st,
    bool decorate, struct sbuf *sb, struct api_err *err);
/* A field's column of a row, as text (for decorate hooks). */
const char *resource_column_text(const struct resource *res, sqlite3_stmt *st,
    const char *name);

/* An rfilter body for ?vlan=VID (repeat = OR): appends " AND (cond)" where each "{vlans}" in
 * cond becomes the ids of the VLANs with those VIDs (a subquery, its binds appended). */
int resource_filter_vid(struct sbuf *where, json_t *binds, const char *const *values, int n,
    const char *cond, struct api_err *err);
/* A value for an rfilter's binds that binds as a BLOB (address keys): {"blob":"<hex>"}, the
 * form listing_bind() reads. */
json_t *resource_blob(const unsigned char *data, size_t len);

#endif
