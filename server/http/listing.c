#include "listing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "ipaddr.h"
#include "routes.h"

#define LISTING_LIMIT_DEFAULT 50
#define LISTING_LIMIT_MAX 1000

void
listing_init(struct listing *l, const struct resource *res)
{
	memset(l, 0, sizeof(*l));
	l->res = res;
	sbuf_init(&l->where, 0);
	sbuf_init(&l->order, 0);
	sbuf_puts(&l->where, "");
	l->binds = json_array();
	l->limit = LISTING_LIMIT_DEFAULT;
}

void
listing_free(struct listing *l)
{
	sbuf_free(&l->where);
	sbuf_free(&l->order);
	json_decref(l->binds);
}

void
listing_where(struct listing *l, const char *clause, json_t *value)
{
	sbuf_printf(&l->where, " AND (%s)", clause);
	json_array_append_new(l->binds, value);
}

json_t *
listing_blob(const unsigned char *data, size_t len)
{
	char hex[2 * 64 + 1];

	sodium_bin2hex(hex, sizeof(hex), data, len < 64 ? len : 64);
	return json_pack("{s:s}", "blob", hex);
}

void
listing_bind(sqlite3_stmt *st, int i, const json_t *v)
{
	unsigned char raw[64];
	size_t n;

	if (json_is_object(v)) {
		const char *hex = json_string_value(json_object_get(v, "blob"));

		if (hex != NULL && sodium_hex2bin(raw, sizeof(raw), hex, strlen(hex), NULL, &n,
		    NULL) == 0)
			sqlite3_bind_blob(st, i, raw, (int)n, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, i);
	} else if (json_is_integer(v))
		sqlite3_bind_int64(st, i, json_integer_value(v));
	else if (json_is_string(v))
		sqlite3_bind_text(st, i, json_string_value(v), (int)json_string_length(v),
		    SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* A filter value in the column's stored form: integers, booleans, canonical addresses. */
static int
listing_value(const struct field *f, const char *s, json_t **out, struct api_err *err)
{
	char buf[IPNET_STRLEN];
	const char *const *e;
	struct ipaddr a;
	struct ipnet n;
	long long v;
	bool b;

	switch (f->type) {
	case FT_INT:
	case FT_REF:
		if (strcmp(s, "null") == 0 && (f->flags & F_NULL)) {
			*out = json_null();
			return 0;
		}
		if (http_int(s, -(1LL << 62), 1LL << 62, &v) == -1)
			return api_err_field(err, f->name, "'%s' is not an integer", s);
		*out = json_integer(v);
		return 0;
	case FT_BOOL:
		if (http_bool(s, &b) == -1)
			return api_err_field(err, f->name, "must be true or false");
		*out = json_integer(b);
		return 0;
	case FT_ADDR:
		if (ipaddr_parse(s, &a) == -1)
			return api_err_field(err, f->name, "is not an IP address");
		ipaddr_format(&a, buf, sizeof(buf));
		*out = json_string(buf);
		return 0;
	case FT_CIDR:
		if (ipnet_parse(s, &n) == -1)
			return api_err_field(err, f->name, "is not a prefix");
		ipnet_format(&n, buf, sizeof(buf));
		*out = json_string(buf);
		return 0;
	case FT_ENUM:
		/* A value no object can hold is a typo, not an empty page (the spec's enum). */
		for (e = f->values; *e != NULL; e++)
			if (strcmp(*e, s) == 0) {
				*out = json_string(s);
				return 0;
			}
		return api_err_field(err, f->name, "'%s' is not one of the allowed values", s);
	default:
		*out = json_string(s);
		return *out != NULL ? 0 : api_err_field(err, f->name, "is not UTF-8");
	}
}

static const struct field *
listing_field(const struct resource *res, const char *name, size_t len)
{
	const struct field *f;

	for (f = res->fields; f->name != NULL; f++)
		if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
			return f;
	return NULL;
}

/* field=v1&field=v2: one IN (...) per field, so repeats are OR. */
static int
listing_equals(struct listing *l, const struct field *f, struct api_err *err)
{
	bool first = true, null = false;
	json_t *v = NULL;
	int i;

	sbuf_printf(&l->where, " AND (%s IN (", f->name);
	for (i = 0; i < l->nargs; i++) {
		if (strcmp(l->keys[i], f->name) != 0)
			continue;
		if (listing_value(f, l->values[i], &v, err) == -1)
			return -1;
		if (json_is_null(v)) {
			null = true;
			json_decref(v);
			continue;
		}
		sbuf_printf(&l->where, "%s?", first ? "" : ", ");
		json_array_append_new(l->binds, v);
		first = false;
	}
	if (null)
		sbuf_printf(&l->where, ") OR %s IS NULL)", f->name);
	else
		sbuf_puts(&l->where, "))");
	return 0;
}

static int
listing_order(struct listing *l, const char *spec, struct api_err *err)
{
	const struct field *f;
	const char *p = spec;
	size_t n;
	bool desc;

	while (*p != '\0') {
		desc = *p == '-';
		p += desc;
		n = strcspn(p, ",");
		if (n == 2 && strncmp(p, "id", 2) == 0)
			sbuf_printf(&l->order, "id%s, ", desc ? " DESC" : "");
		else if ((f = listing_field(l->res, p, n)) != NULL && (f->flags & F_ORDER))
			sbuf_printf(&l->order, "%s%s, ", f->sort ? f->sort : f->name,
			    desc ? " DESC" : "");
		else
			return api_err_field(err, "ordering", "cannot order by '%.*s'", (int)n, p);
		p += n;
		p += *p == ',';
	}
	return 0;
}

static void
listing_like(struct listing *l, const char *q)
{
	const struct field *f;
	struct sbuf pat;
	bool first = true;

	sbuf_init(&pat, 0);
	sbuf_putc(&pat, '%');
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			sbuf_putc(&pat, '\\');
		sbuf_putc(&pat, *q);
	}
	sbuf_putc(&pat, '%');
	sbuf_puts(&l->where, " AND (");
	for (f = l->res->fields; f->name != NULL; f++) {
		if (!(f->flags & F_SEARCH))
			continue;
		sbuf_printf(&l->where, "%s%s LIKE ? ESCAPE '\\'", first ? "" : " OR ", f->name);
		json_array_append_new(l->binds, json_string(sbuf_str(&pat)));
		first = false;
	}
	sbuf_printf(&l->where, "%s)", first ? "0" : "");
	sbuf_free(&pat);
}

/* Calls fn with each filter name of res: tag, every F_FILTER field (integers with __gte and
 * __lte too) and the resource's own filters. The one list of what a list takes besides its
 * route's parameters: listing_parse refuses anything else and the OpenAPI test reads it. */
void
listing_filters(const struct resource *res, void (*fn)(const char *name, void *arg), void *arg)
{
	const struct rfilter *rf;
	const struct field *f;
	char buf[128];

	if (!(res->flags & R_NO_META))
		fn("tag", arg);
	for (f = res->fields; f->name != NULL; f++) {
		if (!(f->flags & F_FILTER))
			continue;
		fn(f->name, arg);
		if (f->type != FT_INT)
			continue;
		snprintf(buf, sizeof(buf), "%s__gte", f->name);
		fn(buf, arg);
		snprintf(buf, sizeof(buf), "%s__lte", f->name);
		fn(buf, arg);
	}
	for (rf = res->filters; rf != NULL && rf->name != NULL; rf++)
		fn(rf->name, arg);
}

struct listing_seek {
	const char *name;
	bool found;
};

static void
listing_seek(const char *name, void *arg)
{
	struct listing_seek *s = arg;

	s->found |= strcmp(name, s->name) == 0;
}

bool
listing_filter(const struct resource *res, const char *name)
{
	struct listing_seek s = { name, false };

	listing_filters(res, listing_seek, &s);
	return s.found;
}

int
listing_parse(struct listing *l, struct req *r, struct api_err *err)
{
	const char *keys[LISTING_ARGS_MAX], *values[LISTING_ARGS_MAX];
	int n = http_query_all(r, keys, values, LISTING_ARGS_MAX);

	return listing_parse_args(l, r->route, keys, values, n, err);
}

int
listing_parse_args(struct listing *l, const struct route *route, const char *const *keys,
    const char *const *values, int n, struct api_err *err)
{
	const struct rfilter *rf;
	const struct field *f;
	const char *key, *op;
	unsigned long long done = 0;   /* fields already turned into an IN list */
	long long v;
	int i, j;

	if (n > LISTING_ARGS_MAX)
		return api_err_set(err, 400, "too many query parameters");
	for (i = 0; i < n; i++) {
		l->keys[i] = keys[i];
		l->values[i] = values[i];
	}
	l->nargs = n;
	/* http_check_query saw UTF-8 and the route's own parameters (limit, offset, q,
	 * ordering); the resource's filters are for listing_filter to name. */
	for (i = 0; i < l->nargs; i++) {
		key = l->keys[i];
		if (routes_param(route, key) == NULL && !listing_filter(l->res, key)) {
			api_err_field(err, key, "unknown query parameter");
			continue;
		}
		if (strcmp(key, "limit") == 0) {
			if (http_int(l->values[i], 1, LISTING_LIMIT_MAX, &l->limit) == -1)
				api_err_field(err, key, "must be 1 to %d", LISTING_LIMIT_MAX);
		} else if (strcmp(key, "offset") == 0) {
			if (http_int(l->values[i], 0, 1LL << 40, &l->offset) == -1)
				api_err_field(err, key, "must be a whole number");
		} else if (strcmp(key, "q") == 0) {
			listing_like(l, l->values[i]);
		} else if (strcmp(key, "ordering") == 0) {
			listing_order(l, l->values[i], err);
		} else if (strcmp(key, "tag") == 0 && !(l->res->flags & R_NO_META)) {
			/* Repeats are OR, like every other filter. */
			listing_where(l, "EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)",
			    json_string(l->values[i]));
		} else if ((op = strstr(key, "__")) != NULL &&
		    (f = listing_field(l->res, key, (size_t)(op - key))) != NULL &&
		    (f->flags & F_FILTER) && f->type == FT_INT &&
		    (strcmp(op, "__gte") == 0 || strcmp(op, "__lte") == 0)) {
			if (http_int(l->values[i], -(1LL << 62), 1LL << 62, &v) == -1) {
				api_err_field(err, key, "must be an integer");
				continue;
			}
			sbuf_printf(&l->where, " AND (%s %s ?)", f->name, op[2] == 'g' ? ">=" : "<=");
			json_array_append_new(l->binds, json_integer(v));
		} else if ((f = listing_field(l->res, key, strlen(key))) != NULL &&
		    (f->flags & F_FILTER)) {
			j = (int)(f - l->res->fields);
			if (j < 64 && !(done & (1ULL << j))) {
				done |= 1ULL << j;
				listing_equals(l, f, err);
			}
		} else {
			for (rf = l->res->filters; rf != NULL && rf->name != NULL; rf++)
				if (strcmp(rf->name, key) == 0)
					break;
			if (rf == NULL || rf->name == NULL) {
				api_err_field(err, key, "unknown query parameter");
				continue;
			}
			/* Resource filters get one value at a time; repeats narrow further. */
			if (rf->fn(&l->where, l->binds, &l->values[i], 1, err) == -1)
				continue;
		}
	}
	if (err->status != 0) {
		err->status = 400;
		snprintf(err->detail, sizeof(err->detail), "bad query parameters");
		return -1;
	}
	return 0;
}

void
listing_escape(struct sbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' || c == ',' || c == ':')
			sbuf_putc(sb, (char)c);
		else
			sbuf_printf(sb, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

/* The next or previous page's path as a JSON string, or null for offset -1. */
static void
listing_link(const struct listing *l, const char *base, long long offset, struct sbuf *out)
{
	struct sbuf sb;
	int i;

	if (offset < 0) {
		sbuf_puts(out, "null");
		return;
	}
	/* No printf on this path: a page makes two links, and formatting was a tenth of its
	 * fixed cost. */
	sbuf_init(&sb, 0);
	sbuf_puts(&sb, base);
	sbuf_putc(&sb, '?');
	for (i = 0; i < l->nargs; i++) {
		if (strcmp(l->keys[i], "limit") == 0 || strcmp(l->keys[i], "offset") == 0)
			continue;
		listing_escape(&sb, l->keys[i]);
		sbuf_putc(&sb, '=');
		listing_escape(&sb, l->values[i]);
		sbuf_putc(&sb, '&');
	}
	sbuf_puts(&sb, "limit=");
	sbuf_int(&sb, l->limit);
	sbuf_puts(&sb, "&offset=");
	sbuf_int(&sb, offset);
	sbuf_json(out, sbuf_str(&sb), sb.len);
	sbuf_free(&sb);
}

int
listing_run(struct listing *l, struct db *db, const char *base, struct sbuf *page,
    struct api_err *err)
{
	const struct resource *res = l->res;
	sqlite3_stmt *st = NULL;
	struct sbuf text;
	char *sql = NULL;
	long long count = 0;
	size_t i, n, nb = json_array_size(l->binds);
	int rc = -1;

	/* Unfiltered: the trigger-kept row count, not a scan of the table. */
	if (l->where.len == 0) {
		static const char counted[] = "SELECT n FROM bookkeeping WHERE key = ?";

		if ((st = db_stmt(db, counted)) == NULL)
			return db_fail(db, err, "counting");
		sqlite3_bind_text(st, 1, res->table, -1, SQLITE_STATIC);
	} else {
		if (asprintf(&sql, "SELECT count(*) FROM %s WHERE 1%s", res->table,
		    sbuf_str(&l->where)) < 0)
			return api_err_set(err, 500, "out of memory");
		st = db_stmt_text(db, sql);
		free(sql);
		sql = NULL;
		if (st == NULL)
			return db_fail(db, err, "counting");
		for (i = 0; i < nb; i++)
			listing_bind(st, (int)i + 1, json_array_get(l->binds, i));
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	st = NULL;
	/* The column list is the one resource_load uses, so rows look the same either way. */
	sbuf_init(&text, 0);
	sbuf_puts(&text, "SELECT ");
	sbuf_puts(&text, resource_columns(res));
	sbuf_puts(&text, " FROM ");
	sbuf_puts(&text, res->table);
	sbuf_puts(&text, " WHERE 1");
	sbuf_puts(&text, sbuf_str(&l->where));
	sbuf_puts(&text, " ORDER BY ");
	sbuf_puts(&text, sbuf_str(&l->order));
	sbuf_puts(&text, "id LIMIT ? OFFSET ?");
	if ((sql = sbuf_take(&text, NULL)) == NULL) {
		api_err_set(err, 500, "out of memory");
		goto out;
	}
	if ((st = db_stmt_text(db, sql)) == NULL) {
		db_fail(db, err, "listing");
		goto out;
	}
	for (i = 0; i < nb; i++)
		listing_bind(st, (int)i + 1, json_array_get(l->binds, i));
	sqlite3_bind_int64(st, (int)nb + 1, l->limit);
	sqlite3_bind_int64(st, (int)nb + 2, l->offset);
	/* The page is written as text, row by row: no JSON tree is built for it. Room for a
	 * typical page up front saves the regrowth copies. */
	if (sbuf_reserve_hint(page, 256 + (size_t)l->limit * 512) == -1) {
		api_err_set(err, 500, "out of memory");
		goto out;
	}
	sbuf_puts(page, "{\"count\":");
	sbuf_int(page, count);
	sbuf_puts(page, ",\"next\":");
	listing_link(l, base, l->offset + l->limit < count ? l->offset + l->limit : -1, page);
	sbuf_puts(page, ",\"previous\":");
	listing_link(l, base, l->offset > 0 ? (l->offset > l->limit ? l->offset - l->limit : 0) :
	    -1, page);
	sbuf_puts(page, ",\"results\":[");
	for (n = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; n++) {
		if (n > 0)
			sbuf_putc(page, ',');
		if (resource_row_text(res, db, st, true, page, err) == -1) {
			rc = -1;
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, err, "listing");
		rc = -1;
		goto out;
	}
	sbuf_puts(page, "]}");
	rc = sbuf_failed(page) ? api_err_set(err, 500, "out of memory") : 0;
out:
	if (st != NULL)
		sqlite3_reset(st);
	free(sql);
	return rc;
}
