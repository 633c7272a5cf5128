/* api/openapi.yaml and the route table describe the same API: every route is documented with
 * its method, and every documented operation is a route. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
			if (res->flags & R_READONLY)
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_documented),
		cmocka_unit_test(test_every_operation_routed),
		cmocka_unit_test(test_finding_codes_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
