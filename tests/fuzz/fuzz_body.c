/* The JSON body of every write, through the path POST, PUT and PATCH take after the HTTP layer
 * parsed it: the field table's shape and rules, the resource's validate and derive hooks, the
 * references and unique keys against the seed plan's rows, the INSERT or UPDATE, and the
 * audit row, all rolled back. Input: a byte choosing the resource, a byte choosing the write
 * (create, patch or replace of the resource's first row; a login's credentials get the bare
 * check, resource_check_input, as POST /auth/login does), then the body as the client would
 * send it. A created object must also replace itself unchanged (body_round_trip). */
#include "fuzz_common.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "res.h"
#include "sbuf.h"

enum { BODY_CREATE, BODY_PATCH, BODY_REPLACE, BODY_NOPS };

/* The resources a client writes through the driver: every one but the read-only ones, and
 * the login's credentials (checked, never stored). */
static const struct resource *
body_target(unsigned char pick)
{
	const struct resource *const *r;
	size_t n = 0, i = 0;

	for (r = resource_table; *r != NULL; r++)
		n += !((*r)->flags & R_READONLY);
	pick %= (unsigned char)(n + 1);
	for (r = resource_table; *r != NULL; r++)
		if (!((*r)->flags & R_READONLY) && i++ == pick)
			return *r;
	return &res_users_login;
}

/* The lowest id of res's table, or 0 when it is empty. */
static long long
body_first_id(const struct resource *res)
{
	char sql[128];
	sqlite3_stmt *st;
	long long id = 0;

	snprintf(sql, sizeof(sql), "SELECT min(id) FROM %s", res->table);
	if (sqlite3_prepare_v2(db_handle(fuzz_db()), sql, -1, &st, NULL) != SQLITE_OK)
		abort();
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* What a client reads back is what it may write back: the created object as shown, less its
 * id, its read-only and computed fields (utilization), replaces itself as an unchanged object
 * (a token is never changed, so it is left out). */
static void
body_round_trip(struct db *db, const struct resource *res, long long id, const json_t *shown)
{
	const struct field *f;
	struct api_err err;
	json_t *again = json_deep_copy(shown), *v;
	const char *key;
	void *tmp;
	bool changed = true;

	if (res == &res_tokens) {
		json_decref(again);
		return;
	}
	json_object_foreach_safe(again, tmp, key, v)
		if (strcmp(key, "tags") != 0 && ((f = resource_field(res, key)) == NULL ||
		    (f->flags & F_READONLY)))
			json_object_del(again, key);
	api_err_init(&err);
	if (resource_update_one(fuzz_actor(), db, res, id, again, false, &changed, &err) == -1 ||
	    changed) {
		char *text = json_dumps(shown, JSON_COMPACT);

		fprintf(stderr, "%s %lld does not replace itself (%s): %d %s\n%s\n", res->name, id,
		    changed ? "changed" : "refused", err.status, err.detail, text);
		free(text);
		abort();
	}
	api_err_free(&err);
	json_decref(again);
}

/* resource_create's loop, inside the caller's transaction. */
static void
body_create(struct db *db, const struct resource *res, const json_t *body,
    struct api_err *err)
{
	json_t *one, *out = NULL;
	size_t i;

	long long id;

	if (!json_is_array(body)) {
		if (resource_create_one(fuzz_actor(), db, res, body, &id, &out, err) == 0) {
			if (!json_is_object(out))
				abort();
			body_round_trip(db, res, id, out);
		}
		json_decref(out);
		return;
	}
	json_array_foreach(body, i, one) {
		if (resource_create_one(fuzz_actor(), db, res, one, NULL, &out, err) == -1) {
			resource_error_index(err, i);
			return;
		}
		json_decref(out);
		out = NULL;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct resource *res;
	struct db *db = fuzz_db();
	struct api_err err;
	json_t *body;
	int op;

	if (size < 2)
		return 0;
	res = body_target(data[0]);
	op = data[1] % BODY_NOPS;
	/* As http_parse_body reads it. */
	if ((body = fuzz_parse(data + 2, size - 2)) == NULL)
		return 0;
	api_err_init(&err);
	if (res == &res_users_login) {
		resource_check_input(res, body, &err);
	} else {
		if (db_begin(db, true) == -1)
			abort();
		if (op == BODY_CREATE)
			body_create(db, res, body, &err);
		else
			resource_update_one(fuzz_actor(), db, res, body_first_id(res), body,
			    op == BODY_PATCH, NULL, &err);
		db_rollback(db);
	}
	fuzz_no_5xx(res->name, &err);
	/* Every refusal is a problem the API can write. */
	if (err.status != 0 && (err.status < 400 || err.detail[0] == '\0'))
		abort();
	api_err_free(&err);
	json_decref(body);
	return 0;
}
