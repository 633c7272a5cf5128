/* The migrations and the field tables agree: every enum CHECK (col IN ('a', 'b')), or its
 * form (col = 'a' OR col = 'b') that SQLite runs without a temporary table, in a table's
 * final CREATE statement holds exactly the `.values` of the FT_ENUM field of the resource kept
 * in that table, and every FT_ENUM field has such a CHECK. The migrations are applied to an
 * in-memory database and the statements read back from sqlite_master, so a later ALTER or
 * table rebuild is what is compared. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "resource.h"
#include "sbuf.h"
#include "vec.h"
#include "xmalloc.h"

/* One CHECK (col IN (...)) of string values found in a CREATE statement. */
struct check {
	char *col;
	VEC(char *) values;
};

typedef VEC(struct check) checks_t;

static void
check_free(struct check *c)
{
	size_t j;

	free(c->col);
	for (j = 0; j < c->values.n; j++)
		free(c->values.v[j]);
	vec_free(&c->values);
}

static void
checks_free(checks_t *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		check_free(&cs->v[i]);
	vec_free(cs);
}

static const char *
skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* A quoted SQL string at p ('' is a quote) into *out; the position after it, or NULL. */
static const char *
parse_string(const char *p, char **out)
{
	VEC(char) s = { 0 };

	if (*p++ != '\'')
		return NULL;
	for (;;) {
		if (*p == '\0') {
			vec_free(&s);
			return NULL;
		}
		if (*p == '\'' && p[1] != '\'')
			break;
		if (*p == '\'')
			p++;
		vec_push(&s, *p++);
	}
	vec_push(&s, '\0');
	*out = s.v;
	return p + 1;
}

/* After "col = 'a'" of "(col = 'a' OR col = 'b')": the values, up to the closing ')' (at
 * *end), all compared with the same column; -1 for any other rule. */
static int
parse_ors(const char *p, struct check *c, const char **end)
{
	size_t len = strlen(c->col);
	char *v;

	for (;;) {
		p = skip_space(p);
		if ((p = parse_string(p, &v)) == NULL)
			return -1;
		vec_push(&c->values, v);
		p = skip_space(p);
		if (*p == ')')
			break;
		if (strncasecmp(p, "OR", 2) != 0 || !isspace((unsigned char)p[2]))
			return -1;
		p = skip_space(p + 2);
		if (strncmp(p, c->col, len) != 0 || isalnum((unsigned char)p[len]) ||
		    p[len] == '_')
			return -1;
		p = skip_space(p + len);
		if (*p++ != '=')
			return -1;
	}
	*end = p;
	return 0;
}

/* After "CHECK": "(col IN ('a', 'b'))" or "(col = 'a' OR col = 'b')" with string values
 * only; 0 and the check in *c, or -1 for any other kind of CHECK (0/1 flags, lengths, types),
 * which is not an enum's. */
static int
parse_check(const char *p, struct check *c)
{
	const char *id;
	char *v;

	memset(c, 0, sizeof(*c));
	p = skip_space(p);
	if (*p++ != '(')
		return -1;
	p = skip_space(p);
	for (id = p; isalnum((unsigned char)*p) || *p == '_'; p++)
		;
	if (p == id)
		return -1;
	c->col = xasprintf("%.*s", (int)(p - id), id);
	p = skip_space(p);
	if (*p == '=') {
		if (parse_ors(p + 1, c, &p) == -1)
			goto bad;
		return 0;
	}
	if (strncasecmp(p, "IN", 2) != 0 || !isspace((unsigned char)p[2]))
		goto bad;
	p = skip_space(p + 2);
	if (*p++ != '(')
		goto bad;
	for (;;) {
		p = skip_space(p);
		if ((p = parse_string(p, &v)) == NULL)
			goto bad;
		vec_push(&c->values, v);
		p = skip_space(p);
		if (*p == ')')
			break;
		if (*p++ != ',')
			goto bad;
	}
	/* The whole CHECK is the IN list: "(x IN (...) OR ...)" is another rule. */
	p = skip_space(p + 1);
	if (*p != ')')
		goto bad;
	return 0;
bad:
	check_free(c);
	return -1;
}

/* Every enum CHECK of a CREATE statement. */
static void
find_checks(const char *sql, checks_t *out)
{
	const char *p = sql;
	struct check c;

	while ((p = strcasestr(p, "CHECK")) != NULL) {
		p += 5;
		if (parse_check(p, &c) == 0)
			vec_push(out, c);
	}
}

static const struct field *
enum_field(const struct resource *res, const char *col)
{
	const struct field *f;

	for (f = res->fields; f->name != NULL; f++)
		if (strcmp(f->name, col) == 0)
			return f;
	return NULL;
}

static bool
has_value(const char *const *values, const char *v)
{
	for (; *values != NULL; values++)
		if (strcmp(*values, v) == 0)
			return true;
	return false;
}

/* Compares one table's CREATE statement with a resource's field table; each disagreement
 * appended to report as a line. The number of disagreements. */
static int
compare(const struct resource *res, const char *sql, struct sbuf *report)
{
	checks_t cs = { 0 };
	const struct field *f;
	const struct check *c;
	size_t i, j, n;
	int bad = 0;

	find_checks(sql, &cs);
	for (f = res->fields; f->name != NULL; f++) {
		if (f->type != FT_ENUM)
			continue;
		for (c = NULL, i = 0; i < cs.n; i++)
			if (strcmp(cs.v[i].col, f->name) == 0)
				c = &cs.v[i];
		if (c == NULL) {
			sbuf_printf(report, "%s.%s: FT_ENUM without a CHECK in the migrations\n",
			    res->table, f->name);
			bad++;
			continue;
		}
		for (j = 0; j < c->values.n; j++)
			if (!has_value(f->values, c->values.v[j])) {
				sbuf_printf(report, "%s.%s: the CHECK allows '%s', the C table "
				    "does not\n", res->table, f->name, c->values.v[j]);
				bad++;
			}
		for (n = 0; f->values[n] != NULL; n++) {
			for (j = 0; j < c->values.n; j++)
				if (strcmp(c->values.v[j], f->values[n]) == 0)
					break;
			if (j == c->values.n) {
				sbuf_printf(report, "%s.%s: the C table allows '%s', the CHECK "
				    "does not\n", res->table, f->name, f->values[n]);
				bad++;
			}
		}
	}
	/* A CHECK on a column whose field is not an enum: one of the two is wrong. */
	for (i = 0; i < cs.n; i++) {
		f = enum_field(res, cs.v[i].col);
		if (f == NULL || f->type != FT_ENUM) {
			sbuf_printf(report, "%s.%s: an enum CHECK, but no FT_ENUM field\n",
			    res->table, cs.v[i].col);
			bad++;
		}
	}
	checks_free(&cs);
	return bad;
}

static void
test_migrations_match_field_tables(void **state)
{
	static const char sql[] = "SELECT sql FROM sqlite_master WHERE type = 'table' AND "
	    "name = ?";
	const struct resource *const *r;
	const struct field *f;
	struct sbuf report;
	sqlite3_stmt *st;
	struct db *db;
	char err[512];
	int bad = 0, enums = 0;

	(void)state;
	sbuf_init(&report, 0);
	if (db_open(":memory:", &db, err, sizeof(err)) != 0 ||
	    db_migrate(db, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
	for (r = resource_table; *r != NULL; r++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, (*r)->table, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW)
			fail_msg("resource %s: no table %s", (*r)->name, (*r)->table);
		bad += compare(*r, (const char *)sqlite3_column_text(st, 0), &report);
		for (f = (*r)->fields; f->name != NULL; f++)
			enums += f->type == FT_ENUM;
	}
	sqlite3_finalize(st);
	db_close(db);
	if (bad != 0)
		fail_msg("migrations and field tables disagree:\n%s", sbuf_str(&report));
	/* Not vacuous: the resources have enums, and each was found and compared. */
	assert_true(enums >= 10);
	sbuf_free(&report);
}

/* The comparison itself reports each kind of disagreement. */
static void
test_compare_reports_disagreements(void **state)
{
	static const char *const kinds[] = { "a", "b", "it's", NULL };
	static const char *const modes[] = { "x", "y", NULL };
	static const struct field fields[] = {
		{ .name = "kind", .type = FT_ENUM, .values = kinds },
		{ .name = "mode", .type = FT_ENUM, .values = modes },
		{ .name = "note", .type = FT_TEXT },
		{ .name = NULL },
	};
	static const struct resource res = { .name = "things", .table = "things",
	    .fields = fields };
	struct sbuf report;
	const char *s;

	(void)state;
	sbuf_init(&report, 0);
	/* Agreeing, over lines, with a quote in a value, a flag CHECK and an OR rule ignored. */
	assert_int_equal(compare(&res, "CREATE TABLE things (\n kind TEXT CHECK (kind\n IN "
	    "('a','b', 'it''s')),\n mode TEXT NOT NULL check(mode in ('y', 'x')),\n"
	    " on INTEGER CHECK (on IN (0, 1)),\n note TEXT CHECK (note IS NULL OR length(note) "
	    "< 9))", &report), 0);
	assert_int_equal(report.len, 0);
	/* The same rules written as OR chains; an OR over another column is no enum CHECK. */
	assert_int_equal(compare(&res, "CREATE TABLE things (\n kind TEXT CHECK (kind = 'a' OR\n"
	    " kind = 'b' OR kind='it''s'),\n mode TEXT NOT NULL check(mode = 'y' or mode = 'x'),\n"
	    " note TEXT CHECK (note = 'n' OR kind = 'a'))", &report), 0);
	assert_int_equal(report.len, 0);
	/* One value more and one less, a missing CHECK, a CHECK on a text field. */
	assert_int_equal(compare(&res, "CREATE TABLE things (kind TEXT CHECK (kind IN "
	    "('a', 'c', 'it''s')), mode TEXT, note TEXT CHECK (note IN ('n')))", &report), 4);
	s = sbuf_str(&report);
	assert_non_null(strstr(s, "things.kind: the CHECK allows 'c', the C table does not"));
	assert_non_null(strstr(s, "things.kind: the C table allows 'b', the CHECK does not"));
	assert_non_null(strstr(s, "things.mode: FT_ENUM without a CHECK"));
	assert_non_null(strstr(s, "things.note: an enum CHECK, but no FT_ENUM field"));
	/* In the OR form too: a value less, a value more, a CHECK on a text field. */
	sbuf_reset(&report);
	assert_int_equal(compare(&res, "CREATE TABLE things (kind TEXT CHECK (kind = 'a' OR "
	    "kind = 'it''s'), mode TEXT CHECK (mode = 'x' OR mode = 'y' OR mode = 'z'), "
	    "note TEXT CHECK (note = 'n'))", &report), 3);
	s = sbuf_str(&report);
	assert_non_null(strstr(s, "things.kind: the C table allows 'b', the CHECK does not"));
	assert_non_null(strstr(s, "things.mode: the CHECK allows 'z', the C table does not"));
	assert_non_null(strstr(s, "things.note: an enum CHECK, but no FT_ENUM field"));
	sbuf_free(&report);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_match_field_tables),
		cmocka_unit_test(test_compare_reports_disagreements),
	};

	xmalloc_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
