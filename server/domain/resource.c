#include "resource.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clock.h"
#include "db.h"
#include "xmalloc.h"
#include "dbtrigger.h"
#include "etag.h"
#include "ipaddr.h"
#include "log.h"
#include "res.h"
#include "sbuf.h"

#define RES_MAX 32
#define RES_TEXT_MAX 255
#define RES_TAGS_MAX 32

/* Adding a resource is one line here, one res_x.c, one migration. */
const struct resource *const resource_table[] = {
	&res_vlans,
	&res_prefixes,
	&res_ip_ranges,
	&res_ip_addresses,
	&res_hosts,
	&res_ports,
	&res_wan_links,
	&res_services,
	&res_firewall_rules,
	&res_dns_zones,
	&res_dns_records,
	&res_changes,
	&res_users,
	&res_tokens,
	&res_settings,
	NULL,
};

/* How a shown column after the id is written: its key and what its value is. */
enum rkind { RK_INT, RK_BOOL, RK_TEXT, RK_JSON };

/* Keys of up to RES_KEY_COPY bytes are copied as that many, a fixed size the compiler turns
 * into a move or two (the bytes past the key are written over next); longer ones by length. */
#define RES_KEY_COPY 32

struct rcol {
	char key[RES_KEY_COPY + 16];   /* ,"name": and zeros after it */
	size_t keylen;
	enum rkind kind;
};

/* Columns a row shows at most (a resource with more aborts at start-up). */
#define RES_COLS_MAX 48

/* SQL built once per resource from its field table; the strings live for the process, so the
 * per-connection statement cache can key on their addresses. */
struct rsql {
	char *cols;        /* "id, a, b, tags, created_at, updated_at" */
	char **keys;       /* per field: ,"name": as written before its value */
	size_t *keylens;
	struct rcol *shown;   /* the columns of cols after id, in order */
	size_t nshown;
	char **join_del;   /* per FT_REFLIST field: clear this object's rows of the join */
	char **join_ins;   /* and add one */
	char *select_one;
	char *insert;
	char *update;
	char *remove;
	char *exists;      /* SELECT 1 FROM t WHERE id = ? */
	char **unique;     /* per F_UNIQUE field: another row with its key */
	json_t **defs;     /* per field: its default parsed (copied into each new object) */
};

static struct rsql res_sql[RES_MAX];
static pthread_once_t res_once = PTHREAD_ONCE_INIT;

static size_t
res_index(const struct resource *res)
{
	size_t i;

	for (i = 0; resource_table[i] != NULL; i++)
		if (resource_table[i] == res)
			return i;
	return 0;
}

const struct resource *
resource_find(const char *name)
{
	size_t i;

	for (i = 0; resource_table[i] != NULL; i++)
		if (strcmp(resource_table[i]->name, name) == 0)
			return resource_table[i];
	return NULL;
}

static bool
res_meta(const struct resource *res)
{
	return !(res->flags & R_NO_META);
}

/* "SELECT 1 FROM t WHERE f = ? AND g = ? ... AND id != ?": another row holding f's key. */
static char *
res_unique_sql(const struct resource *res, const struct field *f)
{
	const char *const *w;
	struct sbuf sb;
	char *sql;

	sbuf_init(&sb, 0);
	sbuf_printf(&sb, "SELECT 1 FROM %s WHERE %s = ?", res->table, f->name);
	for (w = f->unique_with; w != NULL && *w != NULL; w++)
		sbuf_printf(&sb, " AND %s = ?", *w);
	sbuf_puts(&sb, " AND id != ? LIMIT 1");
	if ((sql = sbuf_take(&sb, NULL)) == NULL)
		abort();
	return sql;
}

static enum rkind
res_kind(enum ftype type)
{
	static const enum rkind kinds[] = {
		[FT_INT] = RK_INT, [FT_REF] = RK_INT, [FT_BOOL] = RK_BOOL,
		[FT_TEXT] = RK_TEXT, [FT_ENUM] = RK_TEXT, [FT_ADDR] = RK_TEXT, [FT_CIDR] = RK_TEXT,
		/* Stored as compact JSON by this server (or a JSON default): copied as is. */
		[FT_LIST] = RK_JSON, [FT_OBJECT] = RK_JSON, [FT_REFLIST] = RK_JSON,
	};

	return kinds[type];
}

/* The shown columns after id: each field that is not write-only, then tags and the times. */
static void
res_build_shown(const struct resource *res, struct rsql *q)
{
	static const struct rcol meta[] = {
		{ ",\"tags\":", 8, RK_JSON },
		{ ",\"created_at\":", 14, RK_TEXT },
		{ ",\"updated_at\":", 14, RK_TEXT },
	};
	size_t i, n = 0;

	q->shown = xcalloc(RES_COLS_MAX, sizeof(*q->shown));
	for (i = 0; res->fields[i].name != NULL; i++) {
		if (res->fields[i].flags & F_WRITEONLY)
			continue;
		if (n == RES_COLS_MAX)
			abort();
		if (q->keylens[i] >= sizeof(q->shown[n].key))
			abort();
		memcpy(q->shown[n].key, q->keys[i], q->keylens[i]);
		q->shown[n].keylen = q->keylens[i];
		q->shown[n++].kind = res_kind(res->fields[i].type);
	}
	for (i = 0; res_meta(res) && i < sizeof(meta) / sizeof(meta[0]); i++) {
		if (n == RES_COLS_MAX)
			abort();
		q->shown[n++] = meta[i];
	}
	q->nshown = n;
}

static void
res_build_one(const struct resource *res, struct rsql *q)
{
	struct sbuf cols, ins, vals, upd;
	const struct field *f;
	size_t i;

	sbuf_init(&cols, 0);
	sbuf_init(&ins, 0);
	sbuf_init(&vals, 0);
	sbuf_init(&upd, 0);
	sbuf_puts(&cols, "id");
	for (f = res->fields; f->name != NULL; f++) {
		if (f->flags & F_WRITEONLY)
			continue;
		if (f->type == FT_REFLIST) {
			/* Read back from the join table, ids in order, as a JSON array. */
			sbuf_printf(&cols, ", (SELECT json_group_array(%s) FROM (SELECT %s FROM %s "
			    "WHERE %s = %s.id ORDER BY %s))", f->values[2], f->values[2],
			    f->values[0], f->values[1], res->table, f->values[2]);
			continue;
		}
		sbuf_printf(&cols, ", %s", f->name);
		sbuf_printf(&ins, "%s%s", ins.len ? ", " : "", f->name);
		sbuf_printf(&vals, "%s?", vals.len ? ", " : "");
		sbuf_printf(&upd, "%s%s = ?", upd.len ? ", " : "", f->name);
	}
	for (i = 0; res->hidden != NULL && res->hidden[i] != NULL; i++) {
		sbuf_printf(&ins, ", %s", res->hidden[i]);
		sbuf_puts(&vals, ", ?");
		sbuf_printf(&upd, ", %s = ?", res->hidden[i]);
	}
	if (res_meta(res)) {
		sbuf_puts(&cols, ", tags, created_at, updated_at");
		sbuf_puts(&ins, ", tags, created_at, updated_at");
		sbuf_puts(&vals, ", ?, ?, ?");
		sbuf_puts(&upd, ", tags = ?, updated_at = ?");
	}
	q->cols = sbuf_take(&cols, NULL);
	for (i = 0; res->fields[i].name != NULL; i++)
		;
	if ((q->keys = calloc(i, sizeof(*q->keys))) == NULL ||
	    (q->keylens = calloc(i, sizeof(*q->keylens))) == NULL)
		abort();
	if ((q->join_del = calloc(i, sizeof(*q->join_del))) == NULL ||
	    (q->join_ins = calloc(i, sizeof(*q->join_ins))) == NULL ||
	    (q->unique = calloc(i, sizeof(*q->unique))) == NULL ||
	    (q->defs = calloc(i, sizeof(*q->defs))) == NULL)
		abort();
	for (i = 0; res->fields[i].name != NULL; i++) {
		const struct field *jf = &res->fields[i];

		if (asprintf(&q->keys[i], ",\"%s\":", jf->name) < 0)
			abort();
		q->keylens[i] = strlen(q->keys[i]);
		if (jf->type == FT_REFLIST &&
		    (asprintf(&q->join_del[i], "DELETE FROM %s WHERE %s = ?", jf->values[0],
		    jf->values[1]) < 0 || asprintf(&q->join_ins[i], "INSERT INTO %s (%s, %s) "
		    "VALUES (?, ?)", jf->values[0], jf->values[1], jf->values[2]) < 0))
			abort();
		if (jf->flags & F_UNIQUE)
			q->unique[i] = res_unique_sql(res, jf);
		if (jf->def != NULL && (q->defs[i] = json_loads(jf->def, JSON_DECODE_ANY,
		    NULL)) == NULL)
			abort();
	}
	res_build_shown(res, q);
	if (asprintf(&q->select_one, "SELECT %s FROM %s WHERE id = ?", q->cols, res->table) < 0 ||
	    asprintf(&q->insert, "INSERT INTO %s (%s) VALUES (%s)", res->table, sbuf_str(&ins),
	    sbuf_str(&vals)) < 0 ||
	    asprintf(&q->update, "UPDATE %s SET %s WHERE id = ?", res->table, sbuf_str(&upd)) < 0 ||
	    asprintf(&q->remove, "DELETE FROM %s WHERE id = ?", res->table) < 0 ||
	    asprintf(&q->exists, "SELECT 1 FROM %s WHERE id = ?", res->table) < 0)
		abort();
	sbuf_free(&ins);
	sbuf_free(&vals);
	sbuf_free(&upd);
}

static void
res_build(void)
{
	size_t i;

	for (i = 0; resource_table[i] != NULL && i < RES_MAX; i++)
		res_build_one(resource_table[i], &res_sql[i]);
}

static const struct rsql *
res_q(const struct resource *res)
{
	pthread_once(&res_once, res_build);
	return &res_sql[res_index(res)];
}

/* ---- rows to JSON text ----
 * Objects are written as JSON text straight from the row: no tree is built on the read path,
 * and the ETag is a hash of exactly the bytes a client receives. */

const char *
resource_columns(const struct resource *res)
{
	return res_q(res)->cols;
}

const char *
resource_column_text(const struct resource *res, sqlite3_stmt *st, const char *name)
{
	const struct field *f;
	int col = 1;

	for (f = res->fields; f->name != NULL; f++) {
		if (f->flags & F_WRITEONLY)
			continue;
		if (strcmp(f->name, name) == 0)
			return (const char *)sqlite3_column_text(st, col);
		col++;
	}
	return NULL;
}

/* One column's value, read before anything is written so that the row's room is known. */
struct res_cell {
	bool null;
	long long i;
	const char *s;
	size_t n;
};

/* Reads column col as kind into c: the most bytes its JSON takes. The database connections
 * are opened without a mutex (SQLITE_OPEN_NOMUTEX, db.c), so the value sqlite3_column_value
 * gives is as good as a protected one, and one call per column is half of column_text and
 * column_bytes, each of which takes and leaves the statement's API guard. */
static size_t
res_cell_read(sqlite3_stmt *st, int col, enum rkind kind, struct res_cell *c)
{
	sqlite3_value *v = sqlite3_column_value(st, col);

	if ((c->null = sqlite3_value_type(v) == SQLITE_NULL))
		return 4;
	switch (kind) {
	case RK_INT:
		c->i = sqlite3_value_int64(v);
		return SBUF_INT_MAX;
	case RK_BOOL:
		c->i = sqlite3_value_int(v) != 0;
		return 5;
	default:
		/* Text of a value that has none (out of memory) is shown as null, as before. */
		if ((c->s = (const char *)sqlite3_value_text(v)) == NULL) {
			c->null = true;
			return 4;
		}
		c->n = (size_t)sqlite3_value_bytes(v);
		return kind == RK_JSON ? c->n : 6 * c->n + 2;
	}
}

static char *
res_cell_write(char *p, const struct res_cell *c, enum rkind kind)
{
	if (c->null) {
		memcpy(p, "null", 4);
		return p + 4;
	}
	switch (kind) {
	case RK_INT:
		return sbuf_int_at(p, c->i);
	case RK_BOOL:
		memcpy(p, c->i ? "true" : "false", 5);
		return p + (c->i ? 4 : 5);
	case RK_JSON:
		memcpy(p, c->s, c->n);
		return p + c->n;
	default:
		/* Empty is the default of most text fields: written here, not by a call. */
		if (c->n == 0) {
			memcpy(p, "\"\"", 2);
			return p + 2;
		}
		return sbuf_json_at(p, c->s, c->n);
	}
}

int
resource_row_text(const struct resource *res, struct db *db, sqlite3_stmt *st, bool decorate,
    struct sbuf *sb, struct api_err *err)
{
	const struct rsql *q = res_q(res);
	struct res_cell cell[RES_COLS_MAX];
	bool single = res->flags & R_SINGLETON, hook = decorate && res->decorate != NULL;
	/* {"id":N, the closing brace, and what a key's fixed-size copy writes past its end */
	size_t i, skip, need = 7 + SBUF_INT_MAX + RES_KEY_COPY;
	const struct rcol *c;
	char *p;

	assert(sqlite3_db_mutex(sqlite3_db_handle(st)) == NULL);
	for (i = 0; i < q->nshown; i++)
		need += q->shown[i].keylen + res_cell_read(st, (int)i + 1, q->shown[i].kind,
		    &cell[i]);
	/* The whole row is written in place: one check for room instead of one per piece. */
	if ((p = sbuf_room(sb, need)) == NULL)
		return api_err_set(err, 500, "out of memory");
	/* A singleton is shown without its id: its first key has no comma before it. */
	if (single) {
		*p++ = '{';
	} else {
		memcpy(p, "{\"id\":", 6);
		p = sbuf_int_at(p + 6, sqlite3_column_int64(st, 0));
	}
	for (i = 0; i < q->nshown; i++) {
		c = &q->shown[i];
		skip = single && i == 0;
		if (c->keylen <= RES_KEY_COPY)
			memcpy(p, c->key + skip, RES_KEY_COPY);
		else
			memcpy(p, c->key + skip, c->keylen - skip);
		p = res_cell_write(p + c->keylen - skip, &cell[i], c->kind);
	}
	if (!hook)
		*p++ = '}';
	sbuf_wrote(sb, p);
	if (hook) {
		if (res->decorate(db, res, st, sb, err) == -1)
			return -1;
		sbuf_putc(sb, '}');
	}
	return sbuf_failed(sb) ? api_err_set(err, 500, "out of memory") : 0;
}

/* The stored object as JSON text (appended to sb); 404 when there is none. */
static int
res_text(struct db *db, const struct resource *res, long long id, bool decorate,
    struct sbuf *sb, struct api_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, res_q(res)->select_one)) == NULL)
		return db_fail(db, err, "reading an object");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && resource_row_text(res, db, st, decorate, sb, err) == -1) {
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return api_err_set(err, 404, "no %s with id %lld", res->object, id);
	return rc == SQLITE_ROW ? 0 : db_fail(db, err, "reading an object");
}

static int
res_load(struct db *db, const struct resource *res, long long id, bool decorate,
    json_t **out, struct api_err *err)
{
	struct sbuf sb;
	int rc = -1;

	*out = NULL;
	sbuf_init(&sb, 0);
	if (res_text(db, res, id, decorate, &sb, err) == 0 &&
	    (*out = json_loadb(sbuf_str(&sb), sb.len, 0, NULL)) != NULL)
		rc = 0;
	else if (err->status == 0)
		api_err_set(err, 500, "an object does not read back as JSON");
	sbuf_free(&sb);
	return rc;
}

int
resource_load(struct db *db, const struct resource *res, long long id, json_t **out,
    struct api_err *err)
{
	return res_load(db, res, id, true, out, err);
}

int
resource_load_plain(struct db *db, const struct resource *res, long long id, json_t **out,
    struct api_err *err)
{
	return res_load(db, res, id, false, out, err);
}

/* If-Match on a write: compared with the object as it is now, inside the transaction. */
static int
res_if_match(struct db *db, const struct resource *res, long long id, const char *if_match,
    struct api_err *err)
{
	struct sbuf sb;
	char etag[ETAG_LEN];
	int rc;

	if (if_match == NULL)
		return 0;
	sbuf_init(&sb, 0);
	rc = res_text(db, res, id, true, &sb, err);
	if (rc == 0) {
		etag_of(sbuf_str(&sb), sb.len, etag);
		if (!etag_listed(if_match, etag))
			rc = api_err_set(err, 412, "the object has changed since you read it "
			    "(ETag %s)", etag);
	}
	sbuf_free(&sb);
	return rc;
}

int
resource_text(struct db *db, const struct resource *res, long long id, struct sbuf *sb,
    struct api_err *err)
{
	if (res_text(db, res, id, true, sb, err) == -1)
		return -1;
	return sbuf_failed(sb) ? api_err_set(err, 500, "out of memory") : 0;
}

int
resource_filter_vid(struct sbuf *where, json_t *binds, const char *const *values, int n,
    const char *cond, struct api_err *err)
{
	const char *at;
	char *end;
	long long vid;
	int i;

	for (i = 0; i < n; i++) {
		vid = strtoll(values[i], &end, 10);
		if (*values[i] == '\0' || *end != '\0' || vid < 1 || vid > 4094)
			return api_err_field(err, "vlan", "must be a VLAN id (VID) from 1 to 4094");
	}
	sbuf_puts(where, " AND (");
	while ((at = strstr(cond, "{vlans}")) != NULL) {
		sbuf_append(where, cond, (size_t)(at - cond));
		sbuf_puts(where, "SELECT id FROM vlans WHERE vid IN (");
		for (i = 0; i < n; i++) {
			sbuf_puts(where, i ? ", ?" : "?");
			json_array_append_new(binds, json_integer(strtoll(values[i], NULL, 10)));
		}
		sbuf_putc(where, ')');
		cond = at + strlen("{vlans}");
	}
	sbuf_puts(where, cond);
	sbuf_putc(where, ')');
	return 0;
}

json_t *
resource_blob(const unsigned char *data, size_t len)
{
	char hex[2 * 64 + 1];

	sodium_bin2hex(hex, sizeof(hex), data, len < 64 ? len : 64);
	return json_pack("{s:s}", "blob", hex);
}

/* ---- checking input ---- */

static bool
res_reserved(const char *key)
{
	return strcmp(key, "id") == 0 || strcmp(key, "created_at") == 0 ||
	    strcmp(key, "updated_at") == 0;
}

const struct field *
resource_field(const struct resource *res, const char *name)
{
	const struct field *f;

	for (f = res->fields; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static bool
res_json_type_ok(const struct field *f, const json_t *v)
{
	if (json_is_null(v))
		return true;   /* whether null is allowed is a rule, checked later */
	switch (f->type) {
	case FT_INT:
	case FT_REF:
		return json_is_integer(v);
	case FT_BOOL:
		return json_is_boolean(v);
	case FT_LIST:
	case FT_REFLIST:
		return json_is_array(v);
	case FT_OBJECT:
		return json_is_object(v);
	default:
		return json_is_string(v);
	}
}

static const char *
res_type_word(const struct field *f)
{
	switch (f->type) {
	case FT_INT:
	case FT_REF:
		return "an integer";
	case FT_BOOL:
		return "a boolean";
	case FT_LIST:
		return "an array of strings";
	case FT_REFLIST:
		return "an array of ids";
	case FT_OBJECT:
		return "an object";
	default:
		return "a string";
	}
}

/* Shape (400): unknown fields, read-only fields, wrong JSON types. */
static int
res_check_shape(const struct resource *res, const json_t *body, struct api_err *err)
{
	const struct field *f;
	const char *key;
	json_t *v;

	if (!json_is_object(body))
		return api_err_set(err, 400, "the body must be a JSON object");
	json_object_foreach((json_t *)body, key, v) {
		if (strcmp(key, "tags") == 0 && res_meta(res)) {
			if (!json_is_array(v))
				api_err_field(err, key, "must be an array of strings");
			continue;
		}
		if (res_reserved(key)) {
			api_err_field(err, key, "is read-only");
			continue;
		}
		if ((f = resource_field(res, key)) == NULL)
			api_err_field(err, key, "unknown field");
		else if (f->flags & F_READONLY)
			api_err_field(err, key, "is read-only");
		else if (!res_json_type_ok(f, v))
			api_err_field(err, key, "must be %s", res_type_word(f));
	}
	if (err->status != 0) {
		err->status = 400;
		snprintf(err->detail, sizeof(err->detail), "the body does not fit a %s",
		    res->object);
		return -1;
	}
	return 0;
}

/* The field's character rule (charrule.h): a 422 that names the field and the rule. */
static int
res_check_rule(enum charrule rule, const char *name, const char *s, size_t len,
    struct api_err *err)
{
	if (charrule_ok(rule, s, len))
		return 0;
	return api_err_field(err, name, "must be %s (rule %s)", charrule_says(rule),
	    charrule_name(rule));
}

static int
res_check_strings(const json_t *arr, const char *name, size_t max_items, enum charrule rule,
    struct api_err *err)
{
	size_t i;
	json_t *v;

	if (json_array_size(arr) > max_items)
		return api_err_field(err, name, "at most %zu items", max_items);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 64)
			return api_err_field(err, name, "items must be strings of 1 to 64 characters");
		if (res_check_rule(rule, name, json_string_value(v), json_string_length(v),
		    err) == -1)
			return -1;
	}
	return 0;
}

/* The keys of an object field keep the field's rule (host vars: Ansible variable names). */
static int
res_check_keys(const json_t *obj, const struct field *f, struct api_err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		if (strlen(key) == 0 || strlen(key) > 64)
			return api_err_field(err, f->name, "keys must be 1 to 64 characters");
		if (!charrule_ok(f->rule, key, strlen(key)))
			return api_err_field(err, f->name, "key '%.64s' must be %s (rule %s)", key,
			    charrule_says(f->rule), charrule_name(f->rule));
	}
	return 0;
}

/* What this thread's caller knows to exist (resource_refs_known), or NULL. */
static _Thread_local bool (*res_known)(void *ctx, const struct resource *to, long long id);
static _Thread_local void *res_known_ctx;

void
resource_refs_known(bool (*known)(void *ctx, const struct resource *to, long long id),
    void *ctx)
{
	res_known = known;
	res_known_ctx = ctx;
}

static int
res_ref_exists(struct db *db, const struct field *f, long long id, struct api_err *err)
{
	const struct resource *to = resource_find(f->ref);
	sqlite3_stmt *st;
	int rc;

	if (to != NULL && res_known != NULL && res_known(res_known_ctx, to, id))
		return 0;
	if (to == NULL || (st = db_stmt(db, res_q(to)->exists)) == NULL)
		return db_fail(db, err, "checking a reference");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return api_err_field(err, f->name, "no %s with id %lld", to->object, id);
	return rc == SQLITE_ROW ? 0 : db_fail(db, err, "checking a reference");
}

/* An array of distinct ids of existing objects, kept in ascending order. */
static int
res_check_ids(struct db *db, const struct field *f, json_t *arr, struct api_err *err)
{
	size_t i, j;
	json_t *v;

	if (json_array_size(arr) > 4094)
		return api_err_field(err, f->name, "at most 4094 ids");
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return api_err_field(err, f->name, "must hold positive ids");
		for (j = 0; j < i; j++)
			if (json_integer_value(json_array_get(arr, j)) == json_integer_value(v))
				return api_err_field(err, f->name, "holds id %lld twice",
				    (long long)json_integer_value(v));
		if (res_ref_exists(db, f, json_integer_value(v), err) == -1)
			return -1;
	}
	return 0;
}

/* Rules (422) on one value; canonicalises addresses and prefixes in place. */
static int
res_check_value(struct db *db, json_t *obj, const struct field *f, struct api_err *err)
{
	json_t *v = json_object_get(obj, f->name);
	char buf[IPNET_STRLEN];
	const char *const *e;
	struct ipaddr a;
	struct ipnet n;
	long long i;

	if (v == NULL || json_is_null(v)) {
		if (f->flags & F_REQUIRED)
			return api_err_field(err, f->name, "is required");
		if (v != NULL && !(f->flags & F_NULL))
			return api_err_field(err, f->name, "cannot be null");
		return 0;
	}
	switch (f->type) {
	case FT_INT:
		i = json_integer_value(v);
		if ((f->min != 0 || f->max != 0) && (i < f->min || i > f->max))
			return api_err_field(err, f->name, "must be from %lld to %lld", f->min,
			    f->max);
		return 0;
	case FT_TEXT:
		if (json_string_length(v) > (size_t)(f->max ? f->max : RES_TEXT_MAX))
			return api_err_field(err, f->name, "at most %lld characters",
			    f->max ? f->max : RES_TEXT_MAX);
		if (json_string_length(v) < (size_t)f->min)
			return api_err_field(err, f->name, "at least %lld characters", f->min);
		if (json_string_length(v) == 0 && (f->flags & F_REQUIRED))
			return api_err_field(err, f->name, "must not be empty");
		return res_check_rule(f->rule, f->name, json_string_value(v),
		    json_string_length(v), err);
	case FT_ENUM:
		for (e = f->values; *e != NULL; e++)
			if (strcmp(*e, json_string_value(v)) == 0)
				return 0;
		return api_err_field(err, f->name, "must be one of the allowed values");
	case FT_REF:
		if (json_integer_value(v) <= 0)
			return api_err_field(err, f->name, "must be a positive id");
		return res_ref_exists(db, f, json_integer_value(v), err);
	case FT_ADDR:
		if (ipaddr_parse(json_string_value(v), &a) == -1)
			return api_err_field(err, f->name, "is not an IP address");
		ipaddr_format(&a, buf, sizeof(buf));
		json_object_set_new_nocheck(obj, f->name, json_string(buf));
		return 0;
	case FT_CIDR:
		if (ipnet_parse(json_string_value(v), &n) == -1)
			return api_err_field(err, f->name, "is not a prefix (ADDR/LEN with the host "
			    "bits zero)");
		ipnet_format(&n, buf, sizeof(buf));
		json_object_set_new_nocheck(obj, f->name, json_string(buf));
		return 0;
	case FT_LIST:
		return res_check_strings(v, f->name, 64, f->rule, err);
	case FT_OBJECT:
		return res_check_keys(v, f, err);
	case FT_REFLIST:
		return res_check_ids(db, f, v, err);
	default:
		return 0;
	}
}

int
resource_check_input(const struct resource *res, const json_t *body, struct api_err *err)
{
	const struct field *f;
	json_t *copy;

	if (res_check_shape(res, body, err) == -1)
		return -1;
	/* The checks canonicalise some values in place: the caller's body stays as it came. */
	copy = json_deep_copy(body);
	for (f = res->fields; f->name != NULL; f++)
		res_check_value(NULL, copy, f, err);
	json_decref(copy);
	return err->status != 0 ? -1 : 0;
}

/* Builds the object to store: defaults (create, replace) or the old object (patch), then the
 * body over it; checks every rule. Returns a new reference in *out. */
static int
res_prepare(struct wctx *w, const json_t *body, bool patch, json_t **out, struct api_err *err)
{
	const struct resource *res = w->res;
	const struct rsql *q = res_q(res);
	const struct field *f;
	const char *key;
	json_t *obj, *v;
	size_t i;

	*out = NULL;
	if (res_check_shape(res, body, err) == -1)
		return -1;
	obj = patch ? json_deep_copy(w->old) : json_object();
	/* Keys set unchecked (no UTF-8 scan): field names and "tags", what res_check_shape
	 * lets by. */
	/* A list or object default is a copy: a hook may change one in place (a WAN link's
	 * track_ips). A string or number is never changed in place (a check that canonicalises
	 * one puts a new one), so the default itself is shared; jansson counts its references
	 * atomically, and every thread shares it. */
	for (f = res->fields, i = 0; !patch && f->name != NULL; f++, i++)
		if (q->defs[i] != NULL)
			json_object_set_new_nocheck(obj, f->name, json_is_array(q->defs[i]) ||
			    json_is_object(q->defs[i]) ? json_deep_copy(q->defs[i]) :
			    json_incref(q->defs[i]));
	if (!patch && res_meta(res))
		json_object_set_new_nocheck(obj, "tags", json_array());
	json_object_foreach((json_t *)body, key, v)
		json_object_set_nocheck(obj, key, v);
	for (f = res->fields; f->name != NULL; f++)
		if (!(f->flags & F_READONLY))
			res_check_value(w->db, obj, f, err);
	if (res_meta(res))
		res_check_strings(json_object_get(obj, "tags"), "tags", RES_TAGS_MAX, CR_NAME, err);
	if (err->status == 0 && res->validate != NULL)
		res->validate(w, obj, err);
	if (err->status == 0 && res->derive != NULL)
		res->derive(w, obj, err);
	if (err->status != 0) {
		json_decref(obj);
		return -1;
	}
	/* Input only: what they became is in obj's other fields or the hidden columns. */
	for (f = res->fields; f->name != NULL; f++)
		if (f->flags & F_WRITEONLY)
			json_object_del(obj, f->name);
	*out = obj;
	return 0;
}

/* ---- writing ---- */

/* keep: SQLITE_TRANSIENT, or SQLITE_STATIC when v outlives the statement's use of it. */
static void
res_bind_value(sqlite3_stmt *st, int i, const struct field *f, const json_t *v,
    sqlite3_destructor_type keep)
{
	char *s;

	if (v == NULL || json_is_null(v)) {
		sqlite3_bind_null(st, i);
		return;
	}
	switch (f->type) {
	case FT_INT:
	case FT_REF:
		sqlite3_bind_int64(st, i, json_integer_value(v));
		break;
	case FT_BOOL:
		sqlite3_bind_int(st, i, json_is_true(v));
		break;
	case FT_LIST:
	case FT_OBJECT:
		/* Most are empty (tags, a host's groups and vars): the text json_dumps gives. */
		if (json_is_array(v) && json_array_size(v) == 0) {
			sqlite3_bind_text(st, i, "[]", 2, SQLITE_STATIC);
			break;
		}
		if (json_is_object(v) && json_object_size(v) == 0) {
			sqlite3_bind_text(st, i, "{}", 2, SQLITE_STATIC);
			break;
		}
		/* Handed over, not copied: SQLite frees it. */
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (s != NULL)
			sqlite3_bind_text(st, i, s, -1, free);
		else
			sqlite3_bind_text(st, i, "null", -1, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_text(st, i, json_string_value(v), (int)json_string_length(v), keep);
		break;
	}
}

/* Binds fields, hidden columns and tags in the order the insert and update SQL list them,
 * from parameter first on; returns the next parameter index. keep: as for res_bind_value, for
 * obj, w's hidden columns and now alike. */
static int
res_bind_row(struct wctx *w, sqlite3_stmt *st, int first, const json_t *obj, const char *now,
    bool create, sqlite3_destructor_type keep)
{
	static const struct field tags = { .name = "tags", .type = FT_LIST, .rule = CR_NAME };
	const struct field *f;
	int i = first, h;

	for (f = w->res->fields; f->name != NULL; f++)
		if (f->type != FT_REFLIST && !(f->flags & F_WRITEONLY))
			res_bind_value(st, i++, f, json_object_get(obj, f->name), keep);
	for (h = 0; w->res->hidden != NULL && w->res->hidden[h] != NULL; h++, i++) {
		const struct hidden *hv = &w->hidden[h];

		if (h >= w->nhidden || hv->type == HV_NULL)
			sqlite3_bind_null(st, i);
		else if (hv->type == HV_INT)
			sqlite3_bind_int64(st, i, hv->i);
		else if (hv->type == HV_TEXT)
			sqlite3_bind_text(st, i, hv->text, -1, keep);
		else
			sqlite3_bind_blob(st, i, hv->blob, hv->len, keep);
	}
	if (res_meta(w->res)) {
		res_bind_value(st, i++, &tags, json_object_get(obj, "tags"), keep);
		if (create)
			sqlite3_bind_text(st, i++, now, -1, keep);
		sqlite3_bind_text(st, i++, now, -1, keep);
	}
	return i;
}

/* The join-table rows of every FT_REFLIST field: this object's rows replaced by the list. */
static int
res_write_joins(struct wctx *w, const json_t *obj, struct api_err *err)
{
	const struct rsql *q = res_q(w->res);
	const struct field *f;
	sqlite3_stmt *st;
	size_t i, k;
	json_t *v;
	int rc;

	for (f = w->res->fields, i = 0; f->name != NULL; f++, i++) {
		if (f->type != FT_REFLIST)
			continue;
		if ((st = db_stmt(w->db, q->join_del[i])) == NULL)
			return db_fail(w->db, err, "writing a list");
		sqlite3_bind_int64(st, 1, w->id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return db_fail(w->db, err, "writing a list");
		json_array_foreach(json_object_get(obj, f->name), k, v) {
			if ((st = db_stmt(w->db, q->join_ins[i])) == NULL)
				return db_fail(w->db, err, "writing a list");
			sqlite3_bind_int64(st, 1, w->id);
			sqlite3_bind_int64(st, 2, json_integer_value(v));
			rc = sqlite3_step(st);
			sqlite3_reset(st);
			if (rc != SQLITE_DONE)
				return db_fail(w->db, err, "writing a list");
		}
	}
	return 0;
}

/* Whether another row holds the key of unique field f that obj would write: 1, 0, or -1. */
static int
res_clashes(struct wctx *w, const json_t *obj, const struct field *f, const char *sql,
    struct api_err *err)
{
	const struct field *other;
	const char *const *name;
	sqlite3_stmt *st;
	int i = 1, rc;

	if ((st = db_stmt(w->db, sql)) == NULL)
		return db_fail(w->db, err, "looking for a clash");
	res_bind_value(st, i++, f, json_object_get(obj, f->name), SQLITE_TRANSIENT);
	for (name = f->unique_with; name != NULL && *name != NULL; name++) {
		if ((other = resource_field(w->res, *name)) == NULL) {
			sqlite3_reset(st);
			return api_err_set(err, 500, "%s: unique_with names no field", f->name);
		}
		res_bind_value(st, i++, other, json_object_get(obj, other->name),
		    SQLITE_TRANSIENT);
	}
	sqlite3_bind_int64(st, i, w->id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(w->db, err, "looking for a clash");
}

/* A failed INSERT or UPDATE of obj. A UNIQUE violation (SQLite's extended code) is a 409
 * naming the F_UNIQUE field whose key another row holds: asked of the table, never read from
 * the error's text. */
static int
res_write_failed(struct wctx *w, const json_t *obj, struct api_err *err)
{
	const struct resource *res = w->res;
	const struct rsql *q = res_q(res);
	const struct field *f;
	size_t i;
	int rc;

	if (sqlite3_extended_errcode(db_handle(w->db)) != SQLITE_CONSTRAINT_UNIQUE)
		return db_fail(w->db, err, "writing an object");
	for (f = res->fields, i = 0; f->name != NULL; f++, i++) {
		if (!(f->flags & F_UNIQUE))
			continue;
		if ((rc = res_clashes(w, obj, f, q->unique[i], err)) == -1)
			return -1;
		if (rc == 1) {
			api_err_set(err, 409, "another %s has this %s", res->object, f->name);
			return api_err_field(err, f->name, "already used by another %s",
			    res->object);
		}
	}
	/* A UNIQUE key the field table does not describe: a conflict all the same. */
	return api_err_set(err, 409, "another %s has the same key", res->object);
}

/* A plan import's audit rows, written RES_LOG_BATCH to one INSERT: each INSERT statement of
 * a long transaction copies every page it touches into its statement journal first, and the
 * audit log's pages (the table, three indexes, the bookkeeping row its trigger moves) are
 * touched by every row. The rows are the same, in the same order; they reach the table
 * before the import's commit (resource_log_batch_flush). One batch per thread. */
#define RES_LOG_BATCH 64

struct res_logrow {
	char time[CLOCK_RFC3339_LEN];
	char *user, *reqid, *before, *after;
	const char *action, *object;   /* literals and resource names: they live for good */
	long long id;
};

struct res_logbatch {
	struct res_logrow rows[RES_LOG_BATCH];
	size_t n;
	/* The audit log's counting trigger while it is set aside (resource_log_batch_aside):
	 * each INSERT of kept rows does its work, once. */
	char *trigger;
};

static _Thread_local struct res_logbatch *res_batch;

static const char res_log_sql[] = "INSERT INTO changes (time, username, request_id, action, "
    "object_type, object_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

/* The trigger of migration 0021 and, for a batch that set it aside, its work for the rows of
 * one INSERT: the same counts, and each object type's latest change, as its row by row. */
static const char res_log_trigger[] = "CREATE TRIGGER changes_count_ins AFTER INSERT ON changes "
    "BEGIN UPDATE bookkeeping SET n = n + 1 WHERE key = 'changes'; "
    "INSERT INTO bookkeeping (key, change_id, time) "
    "VALUES ('type:' || NEW.object_type, NEW.id, NEW.time) "
    "ON CONFLICT (key) DO UPDATE SET change_id = excluded.change_id, time = excluded.time; END";
static const char res_log_count_sql[] = "UPDATE bookkeeping SET n = n + ? WHERE key = 'changes'";
static const char res_log_latest_sql[] = "INSERT INTO bookkeeping (key, change_id, time) "
    "VALUES ('type:' || ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET change_id = excluded.change_id, time = excluded.time";

static void
res_logrow_free(struct res_logrow *row)
{
	free(row->user);
	free(row->reqid);
	free(row->before);
	free(row->after);
}

void
resource_log_batch_begin(void)
{
	resource_log_batch_end();
	res_batch = calloc(1, sizeof(*res_batch));
}

void
resource_log_batch_end(void)
{
	size_t i;

	if (res_batch == NULL)
		return;
	for (i = 0; i < res_batch->n; i++)
		res_logrow_free(&res_batch->rows[i]);
	free(res_batch->trigger);
	free(res_batch);
	res_batch = NULL;
}

int
resource_log_batch_aside(struct db *db, struct api_err *err)
{
	if (res_batch == NULL || res_batch->trigger != NULL)
		return 0;
	return dbtrigger_aside(db, "changes_count_ins", res_log_trigger, &res_batch->trigger,
	    err) == -1 ? -1 : 0;
}

/* The set-aside trigger's work for the n rows just written, ids last - n + 1 to last in the
 * order of rows: the count, and the latest row of each object type among them. */
static int
res_log_batch_count(struct db *db, const struct res_logrow *rows, size_t n, long long last,
    struct api_err *err)
{
	const char *done[RES_LOG_BATCH];
	sqlite3_stmt *st;
	size_t i, j, ndone = 0;
	int rc;

	if ((st = db_stmt(db, res_log_count_sql)) == NULL)
		return db_fail(db, err, "counting the audit log");
	sqlite3_bind_int64(st, 1, (long long)n);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "counting the audit log");
	for (i = n; i-- > 0;) {
		for (j = 0; j < ndone && strcmp(done[j], rows[i].object) != 0; j++)
			;
		if (j < ndone)
			continue;
		done[ndone++] = rows[i].object;
		if ((st = db_stmt(db, res_log_latest_sql)) == NULL)
			return db_fail(db, err, "counting the audit log");
		sqlite3_bind_text(st, 1, rows[i].object, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, last - (long long)(n - 1 - i));
		sqlite3_bind_text(st, 3, rows[i].time, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (rc != SQLITE_DONE)
			return db_fail(db, err, "counting the audit log");
	}
	return 0;
}

/* Writes the kept rows, many to one INSERT. */
static int
res_log_batch_write(struct db *db, struct api_err *err)
{
	struct res_logbatch *b = res_batch;
	struct res_logrow *row;
	sqlite3_stmt *st;
	struct sbuf sql;
	size_t i;
	int rc, k;

	if (b == NULL || b->n == 0)
		return 0;
	/* OR FAIL: a statement of many rows that may abort halfway keeps a statement journal,
	 * a copy of each page it touches, to undo itself alone; a failed audit write fails the
	 * import's whole transaction, so it has nothing to undo alone. */
	sbuf_init(&sql, 0);
	sbuf_puts(&sql, "INSERT OR FAIL");
	sbuf_puts(&sql, res_log_sql + strlen("INSERT"));
	for (i = 1; i < b->n; i++)
		sbuf_puts(&sql, ", (?, ?, ?, ?, ?, ?, ?, ?)");
	st = sbuf_failed(&sql) ? NULL : db_stmt_text(db, sbuf_str(&sql));
	sbuf_free(&sql);
	if (st == NULL)
		return db_fail(db, err, "writing the audit log");
	for (i = 0, k = 1; i < b->n; i++) {
		row = &b->rows[i];
		sqlite3_bind_text(st, k++, row->time, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, k++, row->user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, k++, row->reqid, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, k++, row->action, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, k++, row->object, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, k++, row->id);
		sqlite3_bind_text(st, k++, row->before, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, k++, row->after, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	/* Without a trigger the INSERT's last row is the last row it wrote; AUTOINCREMENT gives
	 * the rows of one statement consecutive ids. */
	rc = rc != SQLITE_DONE ? db_fail(db, err, "writing the audit log") :
	    b->trigger == NULL ? 0 : res_log_batch_count(db, b->rows, b->n,
	    sqlite3_last_insert_rowid(db_handle(db)), err);
	for (i = 0; i < b->n; i++)
		res_logrow_free(&b->rows[i]);
	b->n = 0;
	return rc;
}

int
resource_log_batch_flush(struct db *db, struct api_err *err)
{
	if (res_batch == NULL)
		return 0;
	if (res_log_batch_write(db, err) == -1)
		return -1;
	return dbtrigger_restore(db, &res_batch->trigger, err);
}

/* A copy of s, NULL for NULL; *failed when it could not be made. */
static char *
res_dup(const char *s, bool *failed)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*failed = true;
	return d;
}

/* One row of the audit log, the objects given as JSON text (either may be NULL). */
static int
res_log_text(const struct actor *a, struct db *db, const char *action, const char *object,
    long long id, const char *before, const char *after, struct api_err *err)
{
	const char *user = a != NULL && a->name != NULL && a->name[0] != '\0' ? a->name : "-";
	const char *reqid = a != NULL && a->request_id != NULL ? a->request_id : "-";
	char now[CLOCK_RFC3339_LEN];
	struct res_logrow *row;
	sqlite3_stmt *st;
	bool failed = false;
	int rc;

	clock_rfc3339(clock_now(), now);
	if (res_batch != NULL) {
		row = &res_batch->rows[res_batch->n];
		*row = (struct res_logrow){ .action = action, .object = object, .id = id };
		memcpy(row->time, now, sizeof(now));
		row->user = res_dup(user, &failed);
		row->reqid = res_dup(reqid, &failed);
		row->before = res_dup(before, &failed);
		row->after = res_dup(after, &failed);
		res_batch->n++;
		if (failed)
			return api_err_set(err, 500, "out of memory");
		return res_batch->n == RES_LOG_BATCH ? res_log_batch_write(db, err) : 0;
	}
	if ((st = db_stmt(db, res_log_sql)) == NULL)
		return db_fail(db, err, "writing the audit log");
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, reqid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, object, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, id);
	if (before != NULL)
		sqlite3_bind_text(st, 7, before, -1, SQLITE_STATIC);
	if (after != NULL)
		sqlite3_bind_text(st, 8, after, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "writing the audit log");
}

int
resource_log(const struct actor *a, struct db *db, const char *action, const char *object,
    long long id, const json_t *before, const json_t *after, struct api_err *err)
{
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *t = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc;

	rc = (before != NULL && b == NULL) || (after != NULL && t == NULL) ?
	    api_err_set(err, 500, "out of memory") :
	    res_log_text(a, db, action, object, id, b, t, err);
	free(b);
	free(t);
	return rc;
}

/* The resource's seal hook on a body: *sealed is new, or NULL when there is nothing to seal. */
static int
res_seal(const struct resource *res, const json_t *body, json_t **sealed, struct api_err *err)
{
	*sealed = NULL;
	if (res->seal == NULL || !json_is_object(body))
		return 0;
	return res->seal(body, sealed, err);
}

/* Fields shown once (w->once) added to an object's text and tree, never to its log row. */
static int
res_add_once(const json_t *once, struct sbuf *text, json_t *out, struct api_err *err)
{
	char *extra;

	if (once == NULL || json_object_size(once) == 0)
		return 0;
	if (out != NULL)
		json_object_update(out, (json_t *)once);
	if (text == NULL)
		return 0;
	/* "{...}" and "{a,b}" become "{...,a,b}": the object's closing brace is its last byte. */
	extra = json_dumps(once, JSON_COMPACT);
	text->len--;
	sbuf_putc(text, ',');
	sbuf_puts(text, extra + 1);
	free(extra);
	return sbuf_failed(text) ? api_err_set(err, 500, "out of memory") : 0;
}

int
resource_create_prepare(const struct actor *a, struct db *db, const struct resource *res,
    const json_t *in, const json_t *sealed, struct resource_staged *s, struct api_err *err)
{
	*s = (struct resource_staged){ .w = { .a = a, .db = db, .res = res, .sealed = sealed } };
	if (res->flags & R_SINGLETON)
		return api_err_set(err, 405, "there is one %s; it is changed, not created",
		    res->object);
	if (sealed == NULL) {
		if (res_seal(res, in, &s->own, err) == -1)
			return -1;
		s->w.sealed = s->own;
	}
	if (res_prepare(&s->w, in, false, &s->obj, err) == -1)
		return -1;
	clock_rfc3339(clock_now(), s->now);
	return 0;
}

const char *
resource_insert_sql(const struct resource *res)
{
	return res_q(res)->insert;
}

int
resource_create_bind(struct resource_staged *s, sqlite3_stmt *st, int first)
{
	return res_bind_row(&s->w, st, first, s->obj, s->now, true, SQLITE_STATIC);
}

int
resource_create_finish(struct resource_staged *s, long long id, const struct sbuf *read,
    json_t **out, struct sbuf *shown, struct api_err *err)
{
	struct wctx *w = &s->w;
	struct sbuf text;
	int rc = -1;

	sbuf_init(&text, 0);
	w->id = id;
	if (res_write_joins(w, s->obj, err) == -1 ||
	    (w->res->after != NULL && w->res->after(w, s->obj, err) == -1))
		goto out;
	if (read != NULL) {
		sbuf_append(&text, read->buf, read->len);
		if (sbuf_failed(&text)) {
			api_err_set(err, 500, "out of memory");
			goto out;
		}
	}
	/* The object as the API shows it, logged as that text: no tree is built unless the
	 * caller wants one. */
	if ((read == NULL && res_text(w->db, w->res, w->id, true, &text, err) == -1) ||
	    res_log_text(w->a, w->db, "create", w->res->object, w->id, NULL, sbuf_str(&text),
	    err) == -1)
		goto out;
	if (out != NULL && (*out = json_loadb(sbuf_str(&text), text.len, 0, NULL)) == NULL) {
		api_err_set(err, 500, "an object does not read back as JSON");
		goto out;
	}
	if (res_add_once(w->once, &text, out != NULL ? *out : NULL, err) == -1)
		goto out;
	if (shown != NULL)
		sbuf_append(shown, sbuf_str(&text), text.len);
	rc = 0;
out:
	/* The text may hold a secret shown once. */
	sodium_memzero(text.buf, text.cap);
	sbuf_free(&text);
	return rc;
}

void
resource_staged_free(struct resource_staged *s)
{
	json_decref(s->obj);
	json_decref(s->own);
	json_decref(s->w.once);
	*s = (struct resource_staged){ .obj = NULL };
}

/* A create with the body sealed already (sealed NULL: sealed here, inside the transaction).
 * The object as the API shows it goes to *out and to text (each when not NULL). */
static int
res_create(const struct actor *a, struct db *db, const struct resource *res, const json_t *in,
    const json_t *sealed, long long *id, json_t **out, struct sbuf *shown,
    struct api_err *err)
{
	struct resource_staged s;
	sqlite3_stmt *st;
	int rc = -1;

	if (out != NULL)
		*out = NULL;
	if (resource_create_prepare(a, db, res, in, sealed, &s, err) == -1)
		goto out;
	if ((st = db_stmt(db, res_q(res)->insert)) == NULL) {
		db_fail(db, err, "writing an object");
		goto out;
	}
	resource_create_bind(&s, st, 1);
	if (sqlite3_step(st) != SQLITE_DONE) {
		res_write_failed(&s.w, s.obj, err);
		sqlite3_reset(st);
		/* The values bound are s's: gone before s is. */
		sqlite3_clear_bindings(st);
		goto out;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (resource_create_finish(&s, sqlite3_last_insert_rowid(db_handle(db)), NULL, out,
	    shown, err) == -1)
		goto out;
	if (id != NULL)
		*id = s.w.id;
	rc = 0;
out:
	resource_staged_free(&s);
	return rc;
}

int
resource_create_one(const struct actor *a, struct db *db, const struct resource *res,
    const json_t *in, long long *id, json_t **out, struct api_err *err)
{
	return res_create(a, db, res, in, NULL, id, out, NULL, err);
}

int
resource_create_text(const struct actor *a, struct db *db, const struct resource *res,
    const json_t *in, long long *id, struct sbuf *shown, struct api_err *err)
{
	return res_create(a, db, res, in, NULL, id, NULL, shown, err);
}

/* Field names of one object in a bulk create are prefixed with its index: "[3].vid". */
void
resource_error_index(struct api_err *err, size_t idx)
{
	const char *key;
	json_t *v, *renamed;
	char name[160], detail[sizeof(err->detail)];

	snprintf(detail, sizeof(detail), "object %zu: %.480s", idx, err->detail);
	memcpy(err->detail, detail, sizeof(detail));
	if (err->errors == NULL)
		return;
	renamed = json_object();
	json_object_foreach(err->errors, key, v) {
		snprintf(name, sizeof(name), "[%zu].%s", idx, key);
		json_object_set(renamed, name, v);
	}
	json_decref(err->errors);
	err->errors = renamed;
}

/* Whether the prepared object stores exactly what is stored now (read-only fields aside). A
 * write-only field in the body is always a change. */
static bool
res_same(const struct resource *res, const json_t *in, const json_t *obj, const json_t *old)
{
	const struct field *f;

	for (f = res->fields; f->name != NULL; f++)
		if ((f->flags & F_WRITEONLY) ? json_object_get(in, f->name) != NULL :
		    !(f->flags & F_READONLY) &&
		    !json_equal(json_object_get(obj, f->name), json_object_get(old, f->name)))
			return false;
	return !res_meta(res) ||
	    json_equal(json_object_get(obj, "tags"), json_object_get(old, "tags"));
}

/* An update with the body sealed already (sealed NULL: sealed here, inside the transaction). */
static int
res_update(const struct actor *a, struct db *db, const struct resource *res, long long id,
    const json_t *in, const json_t *sealed, bool patch, bool *changed, struct api_err *err)
{
	struct wctx w = { .a = a, .db = db, .res = res, .id = id, .sealed = sealed };
	char now[CLOCK_RFC3339_LEN];
	json_t *obj = NULL, *after = NULL, *own = NULL;
	sqlite3_stmt *st;
	int rc = -1, i;

	if (res->flags & R_READONLY)
		return api_err_set(err, 405, "%s cannot be changed", res->name);
	if (sealed == NULL) {
		if (res_seal(res, in, &own, err) == -1)
			goto out;
		w.sealed = own;
	}
	if (resource_load(db, res, id, &w.old, err) == -1 ||
	    res_prepare(&w, in, patch, &obj, err) == -1)
		goto out;
	if (changed != NULL && !(*changed = !res_same(res, in, obj, w.old))) {
		rc = 0;
		goto out;
	}
	if ((st = db_stmt(db, res_q(res)->update)) == NULL) {
		db_fail(db, err, "writing an object");
		goto out;
	}
	clock_rfc3339(clock_now(), now);
	i = res_bind_row(&w, st, 1, obj, now, false, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, i, id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		res_write_failed(&w, obj, err);
		sqlite3_reset(st);
		goto out;
	}
	sqlite3_reset(st);
	if (res_write_joins(&w, obj, err) == -1 ||
	    (res->after != NULL && res->after(&w, obj, err) == -1) ||
	    resource_load(db, res, id, &after, err) == -1 ||
	    resource_log(a, db, "update", res->object, id, w.old, after, err) == -1)
		goto out;
	rc = 0;
out:
	json_decref(obj);
	json_decref(after);
	json_decref(w.old);
	json_decref(own);
	json_decref(w.once);
	return rc;
}

int
resource_update_one(const struct actor *a, struct db *db, const struct resource *res,
    long long id, const json_t *in, bool patch, bool *changed, struct api_err *err)
{
	return res_update(a, db, res, id, in, NULL, patch, changed, err);
}

/* Writable references to this object from any resource: 409 naming them. */
static int
res_check_referrers(struct db *db, const struct resource *res, long long id,
    struct api_err *err)
{
	const struct resource *other;
	const struct field *f;
	struct sbuf ids;
	sqlite3_stmt *st;
	char *sql;
	size_t i;
	int n;

	for (i = 0; (other = resource_table[i]) != NULL; i++) {
		for (f = other->fields; f->name != NULL; f++) {
			if ((f->type != FT_REF && f->type != FT_REFLIST) ||
			    strcmp(f->ref, res->name) != 0 || (f->flags & F_READONLY))
				continue;
			if ((f->type == FT_REF ? asprintf(&sql, "SELECT id FROM %s WHERE %s = ? "
			    "ORDER BY id LIMIT 11", other->table, f->name) : asprintf(&sql,
			    "SELECT %s FROM %s WHERE %s = ? ORDER BY 1 LIMIT 11", f->values[1],
			    f->values[0], f->values[2])) < 0)
				return api_err_set(err, 500, "out of memory");
			if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK) {
				free(sql);
				return db_fail(db, err, "checking references");
			}
			free(sql);
			sqlite3_bind_int64(st, 1, id);
			sbuf_init(&ids, 0);
			for (n = 0; sqlite3_step(st) == SQLITE_ROW; n++)
				sbuf_printf(&ids, "%s%s", n ? ", " : "", n < 10 ?
				    (const char *)sqlite3_column_text(st, 0) : "…");
			sqlite3_finalize(st);
			if (n > 0) {
				api_err_set(err, 409, "the %s is still referenced by %s (%s)",
				    res->object, other->name, sbuf_str(&ids));
				api_err_field(err, other->name, "ids %s refer to it by %s",
				    sbuf_str(&ids), f->name);
			}
			sbuf_free(&ids);
		}
	}
	return err->status != 0 ? -1 : 0;
}

int
resource_delete_one(const struct actor *a, struct db *db, const struct resource *res,
    long long id, struct api_err *err)
{
	struct wctx w = { .a = a, .db = db, .res = res, .id = id };
	sqlite3_stmt *st;
	int rc = -1;

	if (res->flags & R_READONLY)
		return api_err_set(err, 405, "%s cannot be changed", res->name);
	if (res->flags & R_SINGLETON)
		return api_err_set(err, 405, "there is one %s; it is changed, not deleted",
		    res->object);
	if (resource_load(db, res, id, &w.old, err) == -1 ||
	    res_check_referrers(db, res, id, err) == -1 ||
	    (res->before_delete != NULL && res->before_delete(&w, err) == -1))
		goto out;
	if ((st = db_stmt(db, res_q(res)->remove)) == NULL) {
		db_fail(db, err, "deleting an object");
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		db_fail(db, err, "deleting an object");
		goto out;
	}
	sqlite3_reset(st);
	if ((res->after != NULL && res->after(&w, NULL, err) == -1) ||
	    resource_log(a, db, "delete", res->object, id, w.old, NULL, err) == -1)
		goto out;
	rc = 0;
out:
	json_decref(w.old);
	return rc;
}

/* POST: one object, or an array of them all or none, in one write transaction. */
int
resource_create(const struct actor *a, struct db *db, const struct resource *res,
    const json_t *body, struct sbuf *out, long long *id, json_t **results,
    struct api_err *err)
{
	json_t *one, *created = NULL, *sealed = NULL;
	size_t i;
	int rc = -1;

	*id = 0;
	*results = NULL;
	if (body == NULL)
		return api_err_set(err, 400, "the body must be a JSON object or array");
	if (json_is_array(body) && json_array_size(body) == 0)
		return api_err_set(err, 400, "the array is empty");
	/* One object is sealed before the write lock is taken; the objects of an array each in
	 * turn, inside it. */
	if (!json_is_array(body) && res_seal(res, body, &sealed, err) == -1)
		return -1;
	if (db_begin(db, true) == -1) {
		json_decref(sealed);
		return db_fail(db, err, "starting a write");
	}
	if (!json_is_array(body)) {
		if (res_create(a, db, res, body, sealed, id, NULL, out, err) == -1)
			goto out;
	} else {
		/* The first failure names its object. */
		*results = json_array();
		json_array_foreach(body, i, one) {
			if (resource_create_one(a, db, res, one, NULL, &created, err) == -1) {
				resource_error_index(err, i);
				goto out;
			}
			json_array_append_new(*results, created);
		}
	}
	if (db_commit(db) == -1) {
		db_fail(db, err, "committing");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1) {
		db_rollback(db);
		json_decref(*results);
		*results = NULL;
	}
	json_decref(sealed);
	return rc;
}

int
resource_modify(const struct actor *a, struct db *db, const struct resource *res, long long id,
    enum resource_op op, const json_t *body, const char *if_match, struct sbuf *out,
    struct api_err *err)
{
	json_t *empty = NULL, *sealed = NULL;
	int rc = -1;

	if (op != RESOURCE_DELETE && res_seal(res, body, &sealed, err) == -1)
		return -1;
	if (db_begin(db, true) == -1) {
		json_decref(sealed);
		return db_fail(db, err, "starting a write");
	}
	if (res_if_match(db, res, id, if_match, err) == -1)
		goto out;
	if (op == RESOURCE_DELETE) {
		if (resource_delete_one(a, db, res, id, err) == -1)
			goto out;
	} else {
		/* A write without a body changes nothing but is still checked and logged. */
		if (body == NULL)
			body = empty = json_object();
		if (res_update(a, db, res, id, body, sealed, op == RESOURCE_PATCH, NULL,
		    err) == -1 || resource_text(db, res, id, out, err) == -1)
			goto out;
	}
	if (db_commit(db) == -1) {
		db_fail(db, err, "committing");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	json_decref(empty);
	json_decref(sealed);
	return rc;
}
