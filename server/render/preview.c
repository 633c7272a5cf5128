#include "render/preview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "db.h"
#include "render.h"
#include "resource.h"
#include "sbuf.h"
#include "udiff.h"
#include "vec.h"
#include "xmalloc.h"

/* The values a render parameter takes in a preview: every host for host=, every zone, every
 * prefix's reverse zone. A target without parameters is rendered once. */
static const struct {
	const char *param;
	const char *sql;
} preview_values[] = {
	{ .param = "host", .sql = "SELECT name FROM hosts ORDER BY name" },
	{ .param = "zone", .sql = "SELECT name FROM dns_zones ORDER BY name" },
	{ .param = "reverse", .sql = "SELECT prefix FROM prefixes ORDER BY first_key, prefix_len" },
};

/* One render: its target, parameter and value (both NULL without), and its text (NULL when
 * it does not exist: a host not made yet, a zone deleted). */
struct preview_file {
	const struct render_target *target;
	char *param, *value;
	char *path;              /* "nftables?host=router": the key that pairs before and after */
	char *before, *after;
};

typedef VEC(struct preview_file) preview_files;

static const char *const preview_ops[] = { "create", "replace", "patch", "delete", NULL };

static struct preview_file *
preview_find(preview_files *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].path, path) == 0)
			return &f->v[i];
	return NULL;
}

/* The text of one render without its header (whose revision moves with every change), or
 * NULL when the render answers 404 (its host or zone is not there). */
static int
preview_render(struct db *db, const struct render_target *t, const char *param,
    const char *value, char **text, struct api_err *err)
{
	const char *keys[1] = { param }, *values[1] = { value };
	struct render_ctx c;
	struct sbuf sb;

	*text = NULL;
	if (render_prepare(db, t->name, param ? 1 : 0, keys, values, &c, err) == -1) {
		if (err->status != 404)
			return -1;
		api_err_free(err);
		api_err_init(err);
		return 0;
	}
	sbuf_init(&sb, 0);
	if (render_content(&c, &sb, err) == -1) {
		sbuf_free(&sb);
		return -1;
	}
	*text = xstrdup(sbuf_str(&sb));
	sbuf_free(&sb);
	return 0;
}

/* Renders every file the plan makes now, into before (first) or after. */
static int
preview_all(struct db *db, preview_files *files, bool after, struct api_err *err)
{
	const struct render_target *t;
	const struct render_param *p;
	struct preview_file *f;
	sqlite3_stmt *st;
	char path[512], *text;
	VEC(char *) values = { 0 };
	size_t i, k;
	int rc = 0, step;

	for (t = render_targets; t->name != NULL && rc == 0; t++) {
		for (k = 0; k < sizeof(preview_values) / sizeof(preview_values[0]); k++) {
			for (p = t->params; p->name != NULL; p++)
				if (strcmp(p->name, preview_values[k].param) == 0)
					break;
			if (p->name == NULL && (k > 0 || t->params[0].name != NULL))
				continue;
			/* No parameters: the one file; else one per value of this one. */
			if (p->name == NULL) {
				vec_push(&values, NULL);
			} else {
				if ((st = db_stmt(db, preview_values[k].sql)) == NULL)
					return db_fail(db, err, "listing what renders");
				while ((step = sqlite3_step(st)) == SQLITE_ROW)
					vec_push(&values,
					    xstrdup((const char *)sqlite3_column_text(st, 0)));
				sqlite3_reset(st);
				if (step != SQLITE_DONE)
					rc = db_fail(db, err, "listing what renders");
			}
			for (i = 0; i < values.n && rc == 0; i++) {
				snprintf(path, sizeof(path), "%s%s%s%s%s", t->name,
				    values.v[i] ? "?" : "", values.v[i] ? p->name : "",
				    values.v[i] ? "=" : "", values.v[i] ? values.v[i] : "");
				if ((rc = preview_render(db, t, values.v[i] ? p->name : NULL,
				    values.v[i], &text, err)) == -1)
					break;
				if ((f = preview_find(files, path)) == NULL) {
					f = vec_push_zero(files);
					f->target = t;
					f->param = values.v[i] ? xstrdup(p->name) : NULL;
					f->value = values.v[i] ? xstrdup(values.v[i]) : NULL;
					f->path = xstrdup(path);
				}
				*(after ? &f->after : &f->before) = text;
			}
			for (i = 0; i < values.n; i++)
				free(values.v[i]);
			values.n = 0;
			if (p->name == NULL)
				break;
		}
	}
	vec_free(&values);
	return rc;
}

/* One change of the document, through the driver as the API would make it. */
static int
preview_apply(const struct actor *a, struct db *db, const json_t *ch, json_t **result,
    struct api_err *err)
{
	const char *op = json_string_value(json_object_get(ch, "op"));
	const char *name = json_string_value(json_object_get(ch, "resource"));
	const json_t *obj = json_object_get(ch, "object"), *idv = json_object_get(ch, "id");
	const struct resource *res = name ? resource_find(name) : NULL;
	long long id = json_integer_value(idv);
	size_t k;

	*result = NULL;
	for (k = 0; op != NULL && preview_ops[k] != NULL && strcmp(op, preview_ops[k]) != 0; k++)
		;
	if (op == NULL || preview_ops[k] == NULL)
		return api_err_field(err, "op", "must be create, replace, patch or delete");
	/* Plan objects only: users and tokens change no file, and are not previewed. */
	if (res == NULL || (res->flags & (R_READONLY | R_SESSIONS)))
		return api_err_field(err, "resource", "must name a resource of the plan");
	if (res->flags & R_SINGLETON)
		id = 1;
	if (k > 0 && !(res->flags & R_SINGLETON) && (!json_is_integer(idv) || id < 1))
		return api_err_field(err, "id", "must be the object's id");
	if (k < 3 && !json_is_object(obj))
		return api_err_field(err, "object", "must be the object's fields");
	if (k == 0)
		return resource_create_one(a, db, res, obj, NULL, result, err);
	if (k == 3)
		return resource_delete_one(a, db, res, id, err) == -1 ? -1 :
		    (*result = json_null(), 0);
	if (resource_update_one(a, db, res, id, obj, k == 2, NULL, err) == -1)
		return -1;
	return resource_load(db, res, id, result, err);
}

static void
preview_files_free(preview_files *files)
{
	size_t i;

	for (i = 0; i < files->n; i++) {
		free(files->v[i].param);
		free(files->v[i].value);
		free(files->v[i].path);
		free(files->v[i].before);
		free(files->v[i].after);
	}
	vec_free(files);
}

int
render_preview(const struct actor *a, struct db *db, const json_t *doc, json_t **out,
    struct api_err *err)
{
	const json_t *changes = json_object_get(doc, "changes"), *ch;
	preview_files files = { 0 };
	json_t *results = NULL, *renders, *one;
	char name_a[600], name_b[600];
	struct sbuf diff;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (!json_is_object(doc) || !json_is_array(changes) || json_object_size(doc) != 1)
		return api_err_set(err, 400, "the body must be {\"changes\": [...]}");
	if (json_array_size(changes) == 0 || json_array_size(changes) > PREVIEW_CHANGES_MAX)
		return api_err_set(err, 400, "1 to %d changes", PREVIEW_CHANGES_MAX);
	if (db_begin(db, true) == -1)
		return db_fail(db, err, "starting a preview");
	if (preview_all(db, &files, false, err) == -1)
		goto out;
	results = json_array();
	json_array_foreach(changes, i, ch) {
		if (!json_is_object(ch)) {
			api_err_set(err, 400, "each change must be an object");
		} else if (preview_apply(a, db, ch, &one, err) == 0) {
			json_array_append_new(results, one);
			continue;
		}
		if (err->status == 422 && err->detail[0] == '\0')
			api_err_set(err, 422, "the change breaks a rule");
		resource_error_index(err, i);
		goto out;
	}
	if (preview_all(db, &files, true, err) == -1)
		goto out;
	renders = json_array();
	for (i = 0; i < files.n; i++) {
		const struct preview_file *f = &files.v[i];

		sbuf_init(&diff, 0);
		snprintf(name_a, sizeof(name_a), "%s%s", f->before ? "a/" : "", f->before ?
		    f->path : "/dev/null");
		snprintf(name_b, sizeof(name_b), "%s%s", f->after ? "b/" : "", f->after ?
		    f->path : "/dev/null");
		if (udiff(f->before ? f->before : "", f->after ? f->after : "", name_a, name_b,
		    &diff))
			json_array_append_new(renders, json_pack("{s:s, s:o, s:s+, s:s}",
			    "target", f->target->name, "params", f->param ?
			    json_pack("{s:s}", f->param, f->value) : json_object(),
			    "path", "/api/v1/render/", f->path, "diff", sbuf_str(&diff)));
		sbuf_free(&diff);
	}
	*out = json_pack("{s:O, s:o}", "results", results, "renders", renders);
	rc = 0;
out:
	/* Nothing of a preview is kept: not the changes, not their audit rows. */
	db_rollback(db);
	json_decref(results);
	preview_files_free(&files);
	return rc;
}
