/* api/openapi.yaml and the code describe the same API: every route is documented with its
 * method and every documented operation is a route; every resource schema has exactly its
 * field table's fields, with their types, enums, bounds, readOnly and required (the required
 * fields and the read-only ones, which every answer holds); every route
 * documents exactly the query parameters it takes (declared by the route, a list's filters from
 * the field table, a render target's from render.c). The YAML is read through PyYAML (python3,
 * which Debian's yamllint brings) into JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "listing.h"
#include "render.h"
#include "resource.h"
#include "routes.h"
#include "validate.h"

#define MAX_OPS 512

struct op {
	char method[8];
	char path[160];
};

static int
read_ops(struct op *ops)
{
	FILE *f = fopen(NETSOT_SOURCE_DIR "/api/openapi.yaml", "r");
	char line[512], path[160] = "";
	bool in_paths = false;
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != ' ' && line[0] != '\0')
			in_paths = strcmp(line, "paths:") == 0;
		if (!in_paths)
			continue;
		/* "  /path:" opens a path; "    get:" names an operation on it. */
		if (strncmp(line, "  /", 3) == 0 && line[strlen(line) - 1] == ':') {
			snprintf(path, sizeof(path), "%.*s", (int)strlen(line) - 3, line + 2);
		} else if (strncmp(line, "    ", 4) == 0 && isalpha((unsigned char)line[4])) {
			static const char *const methods[] = { "get", "post", "put", "patch", "delete" };
			size_t i;

			for (i = 0; i < 5; i++)
				if (strncmp(line + 4, methods[i], strlen(methods[i])) == 0 &&
				    line[4 + strlen(methods[i])] == ':') {
					assert_true(n < MAX_OPS);
					snprintf(ops[n].method, sizeof(ops[n].method), "%s", methods[i]);
					snprintf(ops[n].path, sizeof(ops[n].path), "%s", path);
					n++;
				}
		}
	}
	fclose(f);
	return n;
}

static const char *
method_name(unsigned m)
{
	return m == HTTP_GET ? "get" : m == HTTP_POST ? "post" : m == HTTP_PUT ? "put" :
	    m == HTTP_PATCH ? "patch" : m == HTTP_DELETE ? "delete" : "?";
}

/* The route table as concrete operations: "{res}" stands for each writable resource. */
static int
routed_ops(struct op *ops)
{
	const struct resource *res;
	const struct route *r;
	const char *at;
	size_t i;
	int n = 0;

	for (r = routes_table; r->pattern != NULL; r++) {
		if ((at = strstr(r->pattern, "{res}")) == NULL) {
			snprintf(ops[n].method, sizeof(ops[n].method), "%s", method_name(r->method));
			snprintf(ops[n].path, sizeof(ops[n].path), "%s", r->pattern);
			n++;
			continue;
		}
		for (i = 0; (res = resource_table[i]) != NULL; i++) {
			if (res->flags & (R_READONLY | R_OWN_ROUTES))
				continue;
			assert_true(n < MAX_OPS);
			snprintf(ops[n].method, sizeof(ops[n].method), "%s", method_name(r->method));
			snprintf(ops[n].path, sizeof(ops[n].path), "%.*s%s%s", (int)(at - r->pattern),
			    r->pattern, res->name, at + 5);
			n++;
		}
	}
	return n;
}

static bool
has_op(const struct op *ops, int n, const struct op *o)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(ops[i].path, o->path) == 0 && strcmp(ops[i].method, o->method) == 0)
			return true;
	return false;
}

static void
test_every_route_documented(void **state)
{
	static struct op doc[MAX_OPS], routed[MAX_OPS];
	int nd = read_ops(doc), nr = routed_ops(routed), i;

	(void)state;
	assert_true(nd > 0);
	for (i = 0; i < nr; i++) {
		if (!has_op(doc, nd, &routed[i]))
			fprintf(stderr, "not in openapi.yaml: %s %s\n", routed[i].method,
			    routed[i].path);
		assert_true(has_op(doc, nd, &routed[i]));
	}
}

static void
test_every_operation_routed(void **state)
{
	static struct op doc[MAX_OPS], routed[MAX_OPS];
	int nd = read_ops(doc), nr = routed_ops(routed), i;

	(void)state;
	for (i = 0; i < nd; i++) {
		if (!has_op(routed, nr, &doc[i]))
			fprintf(stderr, "documented but not routed: %s %s\n", doc[i].method,
			    doc[i].path);
		assert_true(has_op(routed, nr, &doc[i]));
	}
}

/* Every finding code of the validation report is documented. */
static void
test_finding_codes_documented(void **state)
{
	const struct validate_check *c;
	char needle[96], *text;
	FILE *f = fopen(NETSOT_SOURCE_DIR "/api/openapi.yaml", "r");
	long n;

	(void)state;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	for (c = validate_checks; c->code != NULL; c++) {
		snprintf(needle, sizeof(needle), "`%s` (%s)", c->code, c->severity);
		if (strstr(text, needle) == NULL)
			fail_msg("finding code %s is not documented in openapi.yaml", c->code);
	}
	free(text);
}

static json_t *doc;

static int
doc_setup(void **state)
{
	static const char cmd[] = "python3 -c 'import json, sys, yaml; "
	    "json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "
	    NETSOT_SOURCE_DIR "/api/openapi.yaml";
	json_error_t e;
	FILE *f;

	(void)state;
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	doc = json_loadf(f, 0, &e);
	if (pclose(f) != 0 || doc == NULL) {
		fprintf(stderr, "api/openapi.yaml does not load: %s\n", e.text);
		return -1;
	}
	return 0;
}

static int
doc_teardown(void **state)
{
	(void)state;
	json_decref(doc);
	return 0;
}

/* A node, or what its "$ref" names in this document. */
static json_t *
deref(json_t *node)
{
	const char *ref = json_string_value(json_object_get(node, "$ref"));
	char part[128];
	json_t *at = doc;
	size_t n;

	if (ref == NULL)
		return node;
	assert_memory_equal(ref, "#/", 2);
	for (ref += 2; *ref != '\0' && at != NULL; ref += n + (ref[n] == '/')) {
		n = strcspn(ref, "/");
		snprintf(part, sizeof(part), "%.*s", (int)n, ref);
		at = json_object_get(at, part);
	}
	if (at == NULL)
		fail_msg("dangling $ref %s", json_string_value(json_object_get(node, "$ref")));
	return at;
}

static json_t *
operation(const char *path, const char *method)
{
	return json_object_get(json_object_get(json_object_get(doc, "paths"), path), method);
}

/* The schema of a list's results, through allOf and $ref. */
static json_t *
results_schema(json_t *schema)
{
	json_t *items, *part, *found;
	size_t i;

	schema = deref(schema);
	items = json_object_get(json_object_get(json_object_get(schema, "properties"),
	    "results"), "items");
	if (items != NULL)
		return deref(items);
	json_array_foreach(json_object_get(schema, "allOf"), i, part)
		if ((found = results_schema(part)) != NULL)
			return found;
	return NULL;
}

/* A schema's properties and required names, merged through allOf. */
static void
schema_flatten(json_t *schema, json_t *props, json_t *required)
{
	json_t *part;
	size_t i;

	schema = deref(schema);
	json_object_update(props, json_object_get(schema, "properties"));
	if (json_is_array(json_object_get(schema, "required")))
		json_array_extend(required, json_object_get(schema, "required"));
	json_array_foreach(json_object_get(schema, "allOf"), i, part)
		schema_flatten(part, props, required);
}

static bool
json_has_string(const json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* The JSON type of a field, as the API writes it. */
static const char *
field_json_type(const struct field *f)
{
	static const char *const types[] = {
		[FT_INT] = "integer", [FT_TEXT] = "string", [FT_BOOL] = "boolean",
		[FT_ENUM] = "string", [FT_REF] = "integer", [FT_ADDR] = "string",
		[FT_CIDR] = "string", [FT_LIST] = "array", [FT_OBJECT] = "object",
		[FT_REFLIST] = "array",
	};

	return types[f->type];
}

static long long
json_ll(const json_t *v, long long none)
{
	return json_is_integer(v) ? json_integer_value(v) : json_is_real(v) ?
	    (long long)json_real_value(v) : none;
}

#define MISMATCH(...) do { fprintf(stderr, __VA_ARGS__); bad++; } while (0)

/* One property against its field: type (and null), enum, bounds, readOnly, required. */
static int
field_check(const char *schema, const struct field *f, json_t *prop, const json_t *required)
{
	const char *want = field_json_type(f);
	json_t *type = json_object_get(prop, "type"), *en = json_object_get(prop, "enum");
	bool null = f->flags & F_NULL, ro = json_is_true(json_object_get(prop, "readOnly"));
	bool wo = json_is_true(json_object_get(prop, "writeOnly"));
	long long maxlen = f->max ? f->max : 255;
	size_t n;
	int bad = 0;

	if (null ? !(json_array_size(type) == 2 && json_has_string(type, want) &&
	    json_has_string(type, "null")) : !(json_is_string(type) &&
	    strcmp(json_string_value(type), want) == 0))
		MISMATCH("%s.%s: type should be %s%s\n", schema, f->name, want,
		    null ? " or null" : "");
	if (f->type == FT_ENUM) {
		for (n = 0; f->values[n] != NULL; n++)
			if (!json_has_string(en, f->values[n]))
				MISMATCH("%s.%s: enum lacks %s\n", schema, f->name, f->values[n]);
		if (json_array_size(en) != n + (null ? 1 : 0))
			MISMATCH("%s.%s: enum has %zu values, the field %zu\n", schema, f->name,
			    json_array_size(en), n);
	} else if (en != NULL)
		MISMATCH("%s.%s: enum on a field that has none\n", schema, f->name);
	if (f->type == FT_INT && (f->min != 0 || f->max != 0) &&
	    (json_ll(json_object_get(prop, "minimum"), -1) != f->min ||
	    json_ll(json_object_get(prop, "maximum"), -1) != f->max))
		MISMATCH("%s.%s: minimum %lld, maximum %lld\n", schema, f->name, f->min, f->max);
	if (f->type == FT_TEXT && !(f->flags & F_READONLY) &&
	    json_ll(json_object_get(prop, "maxLength"), -1) != maxlen)
		MISMATCH("%s.%s: maxLength %lld\n", schema, f->name, maxlen);
	if (f->type == FT_TEXT && f->min > 0 &&
	    json_ll(json_object_get(prop, "minLength"), -1) != f->min)
		MISMATCH("%s.%s: minLength %lld\n", schema, f->name, f->min);
	if (wo != !!(f->flags & F_WRITEONLY))
		MISMATCH("%s.%s: writeOnly should be %s\n", schema, f->name,
		    wo ? "absent" : "true");
	if (ro != !!(f->flags & F_READONLY))
		MISMATCH("%s.%s: readOnly should be %s\n", schema, f->name,
		    ro ? "absent" : "true");
	/* A read-only field is in every answer: required, which binds answers only. */
	if (json_has_string(required, f->name) != !!(f->flags & (F_REQUIRED | F_READONLY)))
		MISMATCH("%s.%s: required should be %s\n", schema, f->name,
		    f->flags & (F_REQUIRED | F_READONLY) ? "listed" : "absent");
	return bad;
}

/* Properties a resource has besides its field table: its id, the metadata, and what its
 * decorate hook computes, which must be read-only. */
static bool
extra_property(const struct resource *res, const char *name, json_t *prop)
{
	static const char *const meta[] = { "tags", "created_at", "updated_at", NULL };
	size_t i;

	if (strcmp(name, "id") == 0)
		return true;
	for (i = 0; !(res->flags & R_NO_META) && meta[i] != NULL; i++)
		if (strcmp(name, meta[i]) == 0)
			return true;
	return res->decorate != NULL && json_is_true(json_object_get(prop, "readOnly"));
}

/* The resource schema of every list route: exactly the field table. */
static void
test_schemas_match_fields(void **state)
{
	const struct resource *res;
	const struct field *f;
	char path[96];
	json_t *schema, *props, *required, *prop;
	const char *name;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; (res = resource_table[i]) != NULL; i++) {
		snprintf(path, sizeof(path), "/api/v1/%s", res->name);
		schema = json_object_get(json_object_get(json_object_get(json_object_get(
		    json_object_get(operation(path, "get"), "responses"), "200"), "content"),
		    "application/json"), "schema");
		/* A singleton's GET answers the object itself; a list its page. */
		schema = (res->flags & R_SINGLETON) ? deref(schema) : results_schema(schema);
		if (schema == NULL)
			fail_msg("GET %s documents no results schema", path);
		props = json_object();
		required = json_array();
		schema_flatten(schema, props, required);
		for (f = res->fields; f->name != NULL; f++) {
			if ((prop = json_object_get(props, f->name)) == NULL) {
				MISMATCH("%s: no property %s\n", res->name, f->name);
				continue;
			}
			bad += field_check(res->name, f, prop, required);
		}
		json_object_foreach(props, name, prop)
			if (resource_field(res, name) == NULL && !extra_property(res, name, prop))
				MISMATCH("%s: property %s is no field\n", res->name, name);
		json_decref(props);
		json_decref(required);
	}
	assert_int_equal(bad, 0);
}

/* The query parameters an operation documents (its own and its path's), by name. */
static json_t *
documented_query(const char *path, const char *method)
{
	json_t *out = json_object(), *p, *lists[2];
	size_t i, j;

	lists[0] = json_object_get(json_object_get(json_object_get(doc, "paths"), path),
	    "parameters");
	lists[1] = json_object_get(operation(path, method), "parameters");
	for (j = 0; j < 2; j++)
		json_array_foreach(lists[j], i, p) {
			p = deref(p);
			if (strcmp(json_string_value(json_object_get(p, "in")), "query") == 0)
				json_object_set(out, json_string_value(json_object_get(p, "name")),
				    json_object_get(p, "schema"));
		}
	return out;
}

struct expect {
	json_t *names;   /* name: the schema type it should have, or null for any */
};

static void
expect_filter(const char *name, void *arg)
{
	json_object_set_new(arg, name, json_null());
}

/* The JSON type a list filter's value reads as. */
static const char *
filter_type(const struct resource *res, const char *name)
{
	const struct field *f = resource_field(res, name);
	const char *op = strstr(name, "__");
	char base[64];

	if (f == NULL && op != NULL) {
		snprintf(base, sizeof(base), "%.*s", (int)(op - name), name);
		f = resource_field(res, base);
	}
	if (f == NULL)
		return NULL;
	return f->type == FT_BOOL ? "boolean" : f->type == FT_INT || f->type == FT_REF ?
	    "integer" : "string";
}

static int
query_check(const char *method, const char *path, const struct route *r,
    const struct resource *res, json_t *want)
{
	static const char *const qtypes[] = { [Q_TEXT] = "string", [Q_INT] = "integer",
		[Q_BOOL] = "boolean", [Q_ENUM] = "string" };
	json_t *doc_q = documented_query(path, method), *schema, *type;
	const struct field *f;
	const struct qparam *p;
	size_t n;
	const char *name, *t;
	int bad = 0;

	json_object_foreach(want, name, schema)
		if (json_object_get(doc_q, name) == NULL)
			MISMATCH("%s %s: ?%s is taken but not documented\n", method, path, name);
	json_object_foreach(doc_q, name, schema) {
		if (json_object_get(want, name) == NULL) {
			MISMATCH("%s %s: ?%s is documented but refused\n", method, path, name);
			continue;
		}
		type = json_object_get(schema, "type");
		if ((p = routes_param(r, name)) != NULL) {
			t = qtypes[p->type];
			if (p->type == Q_INT && (json_ll(json_object_get(schema, "minimum"), -1) !=
			    p->min || json_ll(json_object_get(schema, "maximum"), -1) != p->max))
				MISMATCH("%s %s: ?%s is %lld to %lld\n", method, path, name, p->min,
				    p->max);
		} else {
			t = res != NULL ? filter_type(res, name) : NULL;
			f = res != NULL ? resource_field(res, name) : NULL;
			for (n = 0; f != NULL && f->type == FT_ENUM && f->values[n] != NULL; n++)
				if (!json_has_string(json_object_get(schema, "enum"), f->values[n]))
					MISMATCH("%s %s: ?%s lacks %s\n", method, path, name,
					    f->values[n]);
		}
		if (t != NULL && (!json_is_string(type) || strcmp(json_string_value(type), t) != 0))
			MISMATCH("%s %s: ?%s should be %s\n", method, path, name, t);
	}
	json_decref(doc_q);
	return bad;
}

/* Every route documents exactly the query parameters it takes: its own, a list's filters, a
 * render target's. */
static void
test_query_parameters(void **state)
{
	const struct render_target *t;
	const struct render_param *rp;
	const struct resource *res, *lres;
	const struct qparam *p;
	const struct route *r;
	const char *at;
	char path[160];
	json_t *want;
	size_t i;
	int bad = 0;

	(void)state;
	for (r = routes_table; r->pattern != NULL; r++)
		for (i = 0; (res = resource_table[i]) != NULL || i == 0; i++) {
			at = strstr(r->pattern, "{res}");
			if (at != NULL && (res == NULL || (res->flags & (R_READONLY | R_OWN_ROUTES))))
				continue;
			if (at != NULL)
				snprintf(path, sizeof(path), "%.*s%s%s", (int)(at - r->pattern),
				    r->pattern, res->name, at + 5);
			else
				snprintf(path, sizeof(path), "%s", r->pattern);
			want = json_object();
			for (p = r->params; p != NULL && p->name != NULL; p++)
				json_object_set_new(want, p->name, json_null());
			lres = NULL;
			if (r->flags & ROUTE_LIST) {
				lres = resource_find(r->arg != NULL ? r->arg :
				    strstr(r->pattern, "/changes") != NULL ? "changes" : res->name);
				listing_filters(lres, expect_filter, want);
			}
			for (t = render_targets; (r->flags & ROUTE_TARGET) && t->name != NULL; t++)
				for (rp = t->params; rp->name != NULL; rp++)
					json_object_set_new(want, rp->name, json_null());
			bad += query_check(method_name(r->method), path, r, lres, want);
			json_decref(want);
			if (at == NULL)
				break;
		}
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_documented),
		cmocka_unit_test(test_every_operation_routed),
		cmocka_unit_test(test_finding_codes_documented),
		cmocka_unit_test(test_schemas_match_fields),
		cmocka_unit_test(test_query_parameters),
	};

	return cmocka_run_group_tests(tests, doc_setup, doc_teardown);
}
