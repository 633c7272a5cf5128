#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "sbuf.h"
#include "settings.h"

#define PLAN_EXPORT_FIELDS 32

/* One object per line, keys in field-table order, values as JSON with ", " and ": ": easy to
 * read and to diff. */
static int
plan_export_dump(json_t *v, struct sbuf *out, struct api_err *err)
{
	char *text = json_dumps(v, JSON_ENCODE_ANY);

	if (text == NULL)
		return api_err_set(err, 500, "out of memory");
	sbuf_puts(out, text);
	free(text);
	return 0;
}

/* Lists of references are written in their keys' order, not their ids', so a plan reads the
 * same whatever ids the database gave. */
static int
plan_export_cmp_keys(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	char tx[128], ty[128];

	if (json_is_integer(x) && json_is_integer(y))
		return json_integer_value(x) < json_integer_value(y) ? -1 :
		    json_integer_value(x) > json_integer_value(y);
	plan_key_text(x, tx, sizeof(tx));
	plan_key_text(y, ty, sizeof(ty));
	return strcmp(tx, ty);
}

/* A column of a resource's SELECT as the plan writes it; NULL with err on failure. */
static json_t *
plan_export_value(struct plan_keys *pk, const struct field *f, sqlite3_stmt *st, int col,
    struct api_err *err)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	json_t *v, *list, *id, *key, **keys;
	size_t i, n;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	switch (f->type) {
	case FT_INT:
		return json_integer(sqlite3_column_int64(st, col));
	case FT_BOOL:
		return json_boolean(sqlite3_column_int(st, col));
	case FT_REF:
		key = plan_keys_get(pk, resource_find(f->ref), sqlite3_column_int64(st, col), err);
		return key != NULL ? json_incref(key) : NULL;
	case FT_LIST:
	case FT_OBJECT:
		return json_loads(text, JSON_DECODE_ANY, NULL);
	case FT_REFLIST:
		if ((list = json_loads(text, 0, NULL)) == NULL ||
		    (keys = calloc(json_array_size(list) + 1, sizeof(*keys))) == NULL) {
			json_decref(list);
			return NULL;
		}
		n = 0;
		json_array_foreach(list, i, id)
			if ((keys[n] = plan_keys_get(pk, resource_find(f->ref),
			    json_integer_value(id), err)) != NULL)
				n++;
		v = NULL;
		if (n == json_array_size(list)) {
			qsort(keys, n, sizeof(*keys), plan_export_cmp_keys);
			v = json_array();
			for (i = 0; i < n; i++)
				json_array_append(v, keys[i]);
		}
		free(keys);
		json_decref(list);
		return v;
	default:
		return json_stringn(text, (size_t)sqlite3_column_bytes(st, col));
	}
}

/* One row in plan form: no ids, no read-only fields, no field at its default value. */
static json_t *
plan_export_row(struct plan_keys *pk, const struct resource *res, json_t *const *defs,
    sqlite3_stmt *st, struct api_err *err)
{
	const struct field *f;
	json_t *obj = json_object(), *v, *def;
	char name[64];
	int col = 1, i;

	for (f = res->fields, i = 0; f->name != NULL; f++, i++, col++) {
		if (f->flags & F_READONLY)
			continue;
		if ((v = plan_export_value(pk, f, st, col, err)) == NULL) {
			if (err->status == 0)
				api_err_set(err, 500, "a stored %s does not read back", res->object);
			json_decref(obj);
			return NULL;
		}
		def = i < PLAN_EXPORT_FIELDS ? defs[i] : NULL;
		if (json_equal(v, def) || (json_is_null(v) && def == NULL)) {
			json_decref(v);
			continue;
		}
		plan_field_name(f, name, sizeof(name));
		json_object_set_new(obj, name, v);
	}
	if (!(res->flags & R_NO_META) && sqlite3_column_bytes(st, col) > 2)
		json_object_set_new(obj, "tags", json_loads((const char *)sqlite3_column_text(st,
		    col), 0, NULL));
	return obj;
}

static int
plan_export_kind(struct db *db, struct plan_keys *pk, const struct plan_kind *k,
    struct sbuf *out, struct api_err *err)
{
	const struct resource *res = resource_find(k->name);
	json_t *defs[PLAN_EXPORT_FIELDS] = { NULL }, *obj;
	const struct field *f;
	sqlite3_stmt *st = NULL;
	char *sql = NULL;
	int i, rc = -1, step, n = 0;

	for (f = res->fields, i = 0; f->name != NULL && i < PLAN_EXPORT_FIELDS; f++, i++)
		defs[i] = f->def ? json_loads(f->def, JSON_DECODE_ANY, NULL) : NULL;
	if (asprintf(&sql, "SELECT %s FROM %s ORDER BY %s", resource_columns(res), res->table,
	    k->order) < 0) {
		api_err_set(err, 500, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, err, "exporting");
		goto out;
	}
	sbuf_printf(out, ",\n  \"%s\": [", k->name);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((obj = plan_export_row(pk, res, defs, st, err)) == NULL)
			goto out;
		sbuf_puts(out, n++ ? ",\n    " : "\n    ");
		rc = plan_export_dump(obj, out, err);
		json_decref(obj);
		if (rc == -1)
			goto out;
		rc = -1;
	}
	if (step != SQLITE_DONE) {
		db_fail(db, err, "exporting");
		goto out;
	}
	sbuf_puts(out, n ? "\n  ]" : "]");
	rc = 0;
out:
	for (i = 0; i < PLAN_EXPORT_FIELDS; i++)
		json_decref(defs[i]);
	sqlite3_finalize(st);
	free(sql);
	return rc;
}

int
plan_export(struct db *db, struct sbuf *out, struct api_err *err)
{
	const struct plan_kind *k;
	struct plan_keys *pk;
	json_t *settings = NULL;
	int rc = -1;

	if ((pk = plan_keys_new(db)) == NULL)
		return api_err_set(err, 500, "out of memory");
	if (settings_load(db, &settings, err) == -1)
		goto out;
	sbuf_puts(out, "{\n  \"format\": \"" PLAN_FORMAT "\",\n  \"settings\": ");
	if (plan_export_dump(settings, out, err) == -1)
		goto out;
	for (k = plan_kinds; k->name != NULL; k++)
		if (plan_export_kind(db, pk, k, out, err) == -1)
			goto out;
	sbuf_puts(out, "\n}\n");
	rc = sbuf_failed(out) ? api_err_set(err, 500, "out of memory") : 0;
out:
	json_decref(settings);
	plan_keys_free(pk);
	return rc;
}
