#include "api.h"

#include <string.h>

#include "db.h"
#include "jsonin.h"
#include "resource.h"
#include "session.h"
#include "token.h"

static const struct jsonin_field api_tokens_fields[] = {
	{ "name", JSONIN_STRING, true, 1, TOKEN_NAME_MAX },
	{ "role", JSONIN_STRING, true, 0, 0 },
	{ "expires_in_days", JSONIN_INTEGER, false, 1, TOKEN_DAYS_MAX },
	{ NULL, JSONIN_STRING, false, 0, 0 },
};

int
api_tokens_list(struct req *r, struct reply *rep, struct api_err *err)
{
	struct db *db;
	json_t *arr;

	if ((db = http_db(r, err)) == NULL || token_list(db, 0, &arr, err) == -1)
		return -1;
	http_reply_list(rep, arr);
	return 0;
}

/* The audit row is the token as the list shows it: the secret is taken out first. */
int
api_tokens_create(struct req *r, struct reply *rep, struct api_err *err)
{
	const json_t *days;
	const char *name;
	enum role role;
	struct db *db;
	json_t *tok = NULL, *logged = NULL;
	int rc = -1;

	if (jsonin_check(r->json, api_tokens_fields, err) == -1)
		return -1;
	/* A token lives only as long as its creator may hold it, so it must have a user as its
	 * creator: one made by another token would have none. */
	if (r->who.kind == TOKEN_API)
		return api_err_set(err, 403, "log in as a user to make API tokens");
	name = json_string_value(json_object_get(r->json, "name"));
	if (!auth_name_valid(name))
		api_err_field(err, "name", "must be letters, digits, '.', '_' or '-'");
	if (auth_role_parse(json_string_value(json_object_get(r->json, "role")), &role) == -1)
		api_err_field(err, "role", "must be viewer, editor or admin");
	if (err->status != 0 || (db = http_db(r, err)) == NULL)
		return -1;
	days = json_object_get(r->json, "expires_in_days");
	if (db_begin(db, true) == -1)
		return db_fail(db, err, "creating a token");
	if (token_create(db, r->srv->key, name, role, days ? (int)json_integer_value(days) : 90,
	    r->who.name, &tok, err) == -1)
		goto out;
	if ((logged = json_deep_copy(tok)) == NULL || json_object_del(logged, "token") == -1) {
		api_err_set(err, 500, "out of memory");
		goto out;
	}
	if (resource_log(http_actor(r), db, "create", "token",
	    (long long)json_integer_value(json_object_get(tok, "id")), NULL, logged, err) == -1)
		goto out;
	if (db_commit(db) == -1) {
		db_fail(db, err, "creating a token");
		goto out;
	}
	http_reply_header(rep, "Location", "/api/v1/tokens/%lld",
	    (long long)json_integer_value(json_object_get(tok, "id")));
	http_reply_json(rep, 201, tok);
	tok = NULL;
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	json_decref(tok);
	json_decref(logged);
	return rc;
}

int
api_tokens_delete(struct req *r, struct reply *rep, struct api_err *err)
{
	struct db *db;
	json_t *before = NULL;
	int rc = -1;

	if ((db = http_db(r, err)) == NULL)
		return -1;
	if (db_begin(db, true) == -1)
		return db_fail(db, err, "revoking a token");
	if (token_get(db, r->id, &before, err) == -1 || token_delete(db, r->id, err) == -1 ||
	    resource_log(http_actor(r), db, "delete", "token", r->id, before, NULL, err) == -1)
		goto out;
	if (db_commit(db) == -1) {
		db_fail(db, err, "revoking a token");
		goto out;
	}
	session_invalidate();
	rep->status = 204;
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	json_decref(before);
	return rc;
}
