/* A plan import's short cuts give what the long way gives. Its bulk load sets counting
 * triggers aside (the audit log's, and a bulk-loaded table's) and does their work itself once
 * per INSERT: the bookkeeping it leaves is the triggers' own, to the row, and the triggers are
 * back afterwards; shown by importing the same plan into two databases, one whose triggers are
 * recognised and set aside, one whose triggers were made again in other words (not recognised:
 * left to do their work row by row). Its addresses find their zones among the zones it read
 * once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tmpdir.h"
#include "actor.h"
#include "apierr.h"
#include "db.h"
#include "plan.h"

struct fixture {
	char dir[64];
	struct db *fast, *kept;   /* triggers set aside; triggers left in place */
};

static const char *const counted[] = { "changes_count_ins", "hosts_ins", "ip_addresses_ins",
	"services_ins", NULL };

static void
exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_handle(db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* The rows of a query as one text, "|" between columns and "\n" after each row. */
static char *
query_text(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	size_t len = 0;
	char *text = NULL;
	FILE *f = open_memstream(&text, &len);
	int i;

	assert_non_null(f);
	if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db_handle(db)));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++)
			fprintf(f, "%s%s", i > 0 ? "|" : "",
			    sqlite3_column_type(st, i) == SQLITE_NULL ? "NULL" :
			    (const char *)sqlite3_column_text(st, i));
		fputc('\n', f);
	}
	sqlite3_finalize(st);
	fclose(f);
	return text;
}

static long long
query_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row", sql);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static struct db *
open_migrated(struct fixture *f, const char *name)
{
	char path[128], err[512];
	struct db *db = NULL;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	if (db_open(path, &db, err, sizeof(err)) != 0 || db_migrate(db, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	return db;
}

/* Makes each counted trigger again with "after insert" in lower case: the same work, but not
 * the text the import knows, so it stays in place. */
static void
recase_triggers(struct db *db)
{
	const char *const *name;
	char *q, *sql, *at;

	for (name = counted; *name != NULL; name++) {
		q = sqlite3_mprintf("SELECT sql FROM sqlite_master WHERE name = '%q'", *name);
		sql = query_text(db, q);
		sqlite3_free(q);
		assert_non_null(at = strstr(sql, "AFTER INSERT"));
		memcpy(at, "after insert", strlen("after insert"));
		sql[strlen(sql) - 1] = '\0';   /* the row's "\n" */
		q = sqlite3_mprintf("DROP TRIGGER \"%w\"; %s", *name, sql);
		exec(db, q);
		sqlite3_free(q);
		free(sql);
	}
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/netsot-test-plan-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	f->fast = open_migrated(f, "fast.db");
	f->kept = open_migrated(f, "kept.db");
	recase_triggers(f->kept);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	db_close(f->fast);
	db_close(f->kept);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* nhosts hosts, an address and a service for each, and one more host named dup when dup is
 * not NULL (a second object of the same key). */
static json_t *
plan_of(int nhosts, const char *dup)
{
	json_t *doc = json_pack("{s:s, s:[{s:i, s:s}], s:[{s:s, s:i}], s:[], s:[], s:[]}",
	    "format", "netsot-plan/1", "vlans", "vid", 10, "name", "v10", "prefixes", "prefix",
	    "10.1.0.0/16", "vlan", 10, "hosts", "ip-addresses", "services");
	char name[32], addr[32];
	int i;

	for (i = 0; i < nhosts; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		snprintf(addr, sizeof(addr), "10.1.%d.%d", i / 200, 1 + i % 200);
		json_array_append_new(json_object_get(doc, "hosts"), json_pack("{s:s}", "name",
		    name));
		json_array_append_new(json_object_get(doc, "ip-addresses"), json_pack("{s:s, s:s}",
		    "address", addr, "host", name));
		json_array_append_new(json_object_get(doc, "services"), json_pack("{s:s, s:s, s:s, "
		    "s:s}", "host", name, "name", "ssh", "protocol", "tcp", "ports", "22"));
	}
	if (dup != NULL)
		json_array_append_new(json_object_get(doc, "hosts"), json_pack("{s:s}", "name",
		    dup));
	return doc;
}

static int
import(struct db *db, const json_t *doc, struct api_err *err)
{
	struct actor a = { .name = "tester", .role = ROLE_ADMIN, .request_id = "req-1" };
	struct plan_import_opts opts = { 0 };
	json_t *report = NULL;
	int rc;

	api_err_init(err);
	rc = plan_import(&a, db, doc, &opts, &report, err);
	json_decref(report);
	return rc;
}

static const char bookkeeping_sql[] = "SELECT key, n, rev, change_id FROM bookkeeping "
    "ORDER BY key";
static const char triggers_sql[] = "SELECT name, sql FROM sqlite_master WHERE type = "
    "'trigger' ORDER BY name";
static const char changes_sql[] = "SELECT id, username, request_id, action, object_type, "
    "object_id FROM changes ORDER BY id";

static void
assert_same(struct db *a, struct db *b, const char *sql)
{
	char *x = query_text(a, sql), *y = query_text(b, sql);

	assert_string_equal(x, y);
	free(x);
	free(y);
}

/* The bookkeeping of the import that set the triggers aside is the triggers' own. */
static void
test_counts_as_triggers(void **state)
{
	struct fixture *f = *state;
	struct api_err err;
	json_t *doc = plan_of(150, NULL);
	char *triggers = query_text(f->fast, triggers_sql);
	int before_fast = sqlite3_total_changes(db_handle(f->fast));
	int before_kept = sqlite3_total_changes(db_handle(f->kept));
	int rows_fast, rows_kept;

	assert_int_equal(import(f->fast, doc, &err), 0);
	api_err_free(&err);
	assert_int_equal(import(f->kept, doc, &err), 0);
	api_err_free(&err);
	/* The triggers' rows went in for each row of the one, never for the other: each row of
	 * the kept database's 452 audit rows and 450 bulk-loaded rows moved bookkeeping. */
	rows_fast = sqlite3_total_changes(db_handle(f->fast)) - before_fast;
	rows_kept = sqlite3_total_changes(db_handle(f->kept)) - before_kept;
	assert_true(rows_kept - rows_fast >= 452 * 2 + 450 - 64);
	assert_same(f->fast, f->kept, bookkeeping_sql);
	assert_same(f->fast, f->kept, changes_sql);
	assert_int_equal(query_int(f->fast, "SELECT n FROM bookkeeping WHERE key = 'changes'"),
	    452);
	assert_int_equal(query_int(f->fast, "SELECT n FROM bookkeeping WHERE key = 'hosts'"),
	    150);
	/* Each type's latest change is the row with its time. */
	assert_int_equal(query_int(f->fast, "SELECT count(*) FROM bookkeeping b JOIN changes c "
	    "ON c.id = b.change_id AND c.time = b.time AND b.key = 'type:' || c.object_type "
	    "AND c.id = (SELECT max(id) FROM changes WHERE object_type = c.object_type)"), 5);
	/* The triggers are back, as they were. */
	{
		char *now = query_text(f->fast, triggers_sql);

		assert_string_equal(now, triggers);
		free(now);
	}
	/* And they count again: one more host through the ordinary path. */
	json_decref(doc);
	doc = json_pack("{s:s, s:[{s:s}]}", "format", "netsot-plan/1", "hosts", "name", "late");
	assert_int_equal(import(f->fast, doc, &err), 0);
	api_err_free(&err);
	assert_int_equal(query_int(f->fast, "SELECT n FROM bookkeeping WHERE key = 'hosts'"),
	    151);
	assert_int_equal(query_int(f->fast, "SELECT n FROM bookkeeping WHERE key = 'changes'"),
	    453);
	free(triggers);
	json_decref(doc);
}

/* A batch whose INSERT fails is done again row by row with the trigger back: the import fails
 * on the second object of the same key as it always did, and leaves nothing behind. */
static void
test_batch_done_again(void **state)
{
	struct fixture *f = *state;
	struct api_err err;
	json_t *doc = plan_of(100, "h7");
	char *triggers = query_text(f->fast, triggers_sql);
	char *counts = query_text(f->fast, bookkeeping_sql);
	char *now;

	assert_int_equal(import(f->fast, doc, &err), -1);
	assert_int_equal(err.status, 422);
	assert_non_null(strstr(err.detail, "h7"));
	api_err_free(&err);
	now = query_text(f->fast, triggers_sql);
	assert_string_equal(now, triggers);
	free(now);
	now = query_text(f->fast, bookkeeping_sql);
	assert_string_equal(now, counts);
	free(now);
	assert_int_equal(query_int(f->fast, "SELECT count(*) FROM hosts"), 0);
	free(triggers);
	free(counts);
	json_decref(doc);
}

static json_t *
parse(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);

	if (doc == NULL)
		fail_msg("%s", jerr.text);
	return doc;
}

/* Zones read once at the start of the import, as the query would find them: a name in a
 * zone (any case) moves its serial, and a CNAME's name is refused to an address. */
static void
test_zones_read_once(void **state)
{
	struct fixture *f = *state;
	struct api_err err;
	json_t *doc = parse("{\"format\": \"netsot-plan/1\", "
	    "\"prefixes\": [{\"prefix\": \"10.1.0.0/16\"}], "
	    "\"ip-addresses\": [{\"address\": \"10.1.0.53\", \"dns_name\": \"ns1.lab.example\"}, "
	    "{\"address\": \"10.1.0.54\", \"dns_name\": \"ns1.example\"}], "
	    "\"dns-zones\": [{\"name\": \"lab.example\"}, {\"name\": \"example\"}], "
	    "\"dns-records\": [{\"zone\": \"lab.example\", \"name\": \"www\", "
	    "\"type\": \"CNAME\", \"value\": \"other.example.\"}]}");
	long long serial, other;

	assert_int_equal(import(f->fast, doc, &err), 0);
	api_err_free(&err);
	json_decref(doc);
	serial = query_int(f->fast, "SELECT serial FROM dns_zones WHERE name = 'lab.example'");
	other = query_int(f->fast, "SELECT serial FROM dns_zones WHERE name = 'example'");

	doc = parse("{\"format\": \"netsot-plan/1\", \"ip-addresses\": ["
	    "{\"address\": \"10.1.0.1\", \"dns_name\": \"h1.LAB.example\"}, "
	    "{\"address\": \"10.1.0.2\", \"dns_name\": \"www.lab.example\"}]}");
	assert_int_equal(import(f->fast, doc, &err), -1);
	assert_int_equal(err.status, 409);
	assert_non_null(strstr(err.detail, "a CNAME owns www.lab.example"));
	api_err_free(&err);
	json_decref(doc);

	/* The most specific zone moves, the one above it does not. */
	doc = parse("{\"format\": \"netsot-plan/1\", \"ip-addresses\": ["
	    "{\"address\": \"10.1.0.1\", \"dns_name\": \"h1.LAB.example\"}]}");
	assert_int_equal(import(f->fast, doc, &err), 0);
	api_err_free(&err);
	json_decref(doc);
	assert_true(query_int(f->fast, "SELECT serial FROM dns_zones WHERE name = "
	    "'lab.example'") > serial);
	assert_int_equal(query_int(f->fast, "SELECT serial FROM dns_zones WHERE name = "
	    "'example'"), other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_as_triggers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_done_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zones_read_once, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
