#include "api.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "jsonin.h"
#include "ratelimit.h"
#include "resource.h"
#include "session.h"
#include "token.h"
#include "user.h"

/* Every change here is audited in its own transaction: user_json and token rows only, never
 * a password, a hash, a token or a jti. Passwords are hashed before the transaction begins, so
 * the write lock is not held for the 80 ms a hash takes. */

static const struct jsonin_field api_users_create_fields[] = {
	{ "username", JSONIN_STRING, true, 1, AUTH_NAME_MAX },
	{ "password", JSONIN_STRING, true, AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX },
	{ "role", JSONIN_STRING, true, 0, 0 },
	{ NULL, JSONIN_STRING, false, 0, 0 },
};

static const struct jsonin_field api_users_update_fields[] = {
	{ "password", JSONIN_STRING, false, AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX },
	{ "role", JSONIN_STRING, false, 0, 0 },
	{ "disabled", JSONIN_BOOL, false, 0, 0 },
	{ NULL, JSONIN_STRING, false, 0, 0 },
};

/* Logout and unlock take no fields: an empty object or no body at all. */
static const struct jsonin_field api_users_no_fields[] = {
	{ NULL, JSONIN_STRING, false, 0, 0 },
};

static int
api_users_role(const json_t *obj, enum role *role, struct api_err *err)
{
	const json_t *v = json_object_get(obj, "role");

	if (v != NULL && auth_role_parse(json_string_value(v), role) == -1)
		return api_err_field(err, "role", "must be viewer, editor or admin");
	return 0;
}

/* Logs one change of a user; before or after may be NULL (create, delete). */
static int
api_users_log(struct req *r, struct db *db, const char *action, long long id,
    const struct user *before, const struct user *after, struct api_err *err)
{
	json_t *b = before != NULL ? user_json(before) : NULL;
	json_t *a = after != NULL ? user_json(after) : NULL;
	int rc;

	rc = (before != NULL && b == NULL) || (after != NULL && a == NULL) ?
	    api_err_set(err, 500, "out of memory") :
	    resource_log(http_actor(r), db, action, "user", id, b, a, err);
	json_decref(b);
	json_decref(a);
	return rc;
}

static int
api_users_commit(struct db *db, struct api_err *err)
{
	if (db_commit(db) == -1)
		return db_fail(db, err, "changing a user");
	/* Every thread's verified tokens are forgotten, so the next request sees the change. */
	session_invalidate();
	return 0;
}

int
api_users_list(struct req *r, struct reply *rep, struct api_err *err)
{
	struct db *db;
	json_t *arr;

	if ((db = http_db(r, err)) == NULL || user_list(db, &arr, err) == -1)
		return -1;
	http_reply_list(rep, arr);
	return 0;
}

int
api_users_create(struct req *r, struct reply *rep, struct api_err *err)
{
	char hash[AUTH_HASH_LEN];
	enum role role = ROLE_NONE;
	const char *name, *password;
	struct user u;
	struct db *db;
	int rc = -1;

	if (jsonin_check(r->json, api_users_create_fields, err) == -1 ||
	    api_users_role(r->json, &role, err) == -1)
		return -1;
	name = json_string_value(json_object_get(r->json, "username"));
	password = json_string_value(json_object_get(r->json, "password"));
	if (user_check(name, role, password, err) == -1 || (db = http_db(r, err)) == NULL ||
	    user_hash(password, hash, err) == -1)
		return -1;
	if (db_begin(db, true) == -1) {
		sodium_memzero(hash, sizeof(hash));
		return db_fail(db, err, "creating a user");
	}
	if (user_insert(db, name, role, hash, &u, err) == -1 ||
	    api_users_log(r, db, "create", u.id, NULL, &u, err) == -1 ||
	    api_users_commit(db, err) == -1)
		goto out;
	http_reply_header(rep, "Location", "/api/v1/users/%lld", u.id);
	http_reply_json(rep, 201, user_json(&u));
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int
api_users_update(struct req *r, struct reply *rep, struct api_err *err)
{
	char hash[AUTH_HASH_LEN] = "";
	enum role role = ROLE_NONE;
	const json_t *v;
	struct user before, u;
	struct db *db;
	int rc = -1;

	if (jsonin_check(r->json, api_users_update_fields, err) == -1 ||
	    api_users_role(r->json, &role, err) == -1 || (db = http_db(r, err)) == NULL)
		return -1;
	if ((v = json_object_get(r->json, "password")) != NULL &&
	    user_hash(json_string_value(v), hash, err) == -1)
		return -1;
	/* All fields change together or not at all. */
	if (db_begin(db, true) == -1) {
		sodium_memzero(hash, sizeof(hash));
		return db_fail(db, err, "changing a user");
	}
	if (user_get(db, r->id, &before, err) == -1)
		goto out;
	if (hash[0] != '\0' && user_set_hash(db, before.id, hash, true, err) == -1)
		goto out;
	if (role != ROLE_NONE && user_set_role(db, before.id, role, err) == -1)
		goto out;
	if ((v = json_object_get(r->json, "disabled")) != NULL &&
	    user_set_disabled(db, before.id, json_is_true(v), err) == -1)
		goto out;
	if (user_check_admins(db, err) == -1 || user_get(db, before.id, &u, err) == -1 ||
	    api_users_log(r, db, "update", u.id, &before, &u, err) == -1 ||
	    api_users_commit(db, err) == -1)
		goto out;
	http_reply_json(rep, 200, user_json(&u));
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

/* The user's tokens go with the user, each audited as a delete of its own. */
static int
api_users_log_tokens(struct req *r, struct db *db, long long uid, struct api_err *err)
{
	json_t *arr, *t;
	size_t i;
	int rc = 0;

	if (token_list(db, uid, &arr, err) == -1)
		return -1;
	json_array_foreach(arr, i, t)
		if ((rc = resource_log(http_actor(r), db, "delete", "token",
		    (long long)json_integer_value(json_object_get(t, "id")), t, NULL, err)) == -1)
			break;
	json_decref(arr);
	return rc;
}

int
api_users_delete(struct req *r, struct reply *rep, struct api_err *err)
{
	struct user u;
	struct db *db;
	int rc = -1;

	if ((db = http_db(r, err)) == NULL)
		return -1;
	if (db_begin(db, true) == -1)
		return db_fail(db, err, "deleting a user");
	if (user_get(db, r->id, &u, err) == -1 || api_users_log_tokens(r, db, u.id, err) == -1 ||
	    user_delete(db, u.id, err) == -1 || user_check_admins(db, err) == -1 ||
	    api_users_log(r, db, "delete", u.id, &u, NULL, err) == -1 ||
	    api_users_commit(db, err) == -1)
		goto out;
	rep->status = 204;
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	return rc;
}

/* "Log out everywhere": every login token of the user stops working; API tokens do not. */
int
api_users_logout(struct req *r, struct reply *rep, struct api_err *err)
{
	struct user before, u;
	struct db *db;
	int rc = -1;

	if ((r->json != NULL && jsonin_check(r->json, api_users_no_fields, err) == -1) ||
	    (db = http_db(r, err)) == NULL)
		return -1;
	if (db_begin(db, true) == -1)
		return db_fail(db, err, "changing a user");
	if (user_get(db, r->id, &before, err) == -1 ||
	    user_revoke_sessions(db, before.id, err) == -1 ||
	    user_get(db, before.id, &u, err) == -1 ||
	    api_users_log(r, db, "update", u.id, &before, &u, err) == -1 ||
	    api_users_commit(db, err) == -1)
		goto out;
	http_reply_json(rep, 200, user_json(&u));
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	return rc;
}

/* Ends the user's login slowdowns at every address. The limiter lives in memory, so the audit
 * row records how many addresses were waiting, and the clearing follows the commit. */
int
api_users_unlock(struct req *r, struct reply *rep, struct api_err *err)
{
	char prefix[AUTH_NAME_MAX + 8];
	json_t *before = NULL, *after = NULL;
	struct user u;
	struct db *db;
	int n, rc = -1;

	if ((r->json != NULL && jsonin_check(r->json, api_users_no_fields, err) == -1) ||
	    (db = http_db(r, err)) == NULL)
		return -1;
	if (db_begin(db, true) == -1)
		return db_fail(db, err, "unlocking a user");
	if (user_get(db, r->id, &u, err) == -1)
		goto out;
	api_auth_user_key(u.username, "", prefix, sizeof(prefix));
	n = ratelimit_count_prefix(r->srv->login_users, prefix, clock_now());
	before = json_pack("{s:s, s:i}", "username", u.username, "locked_addresses", n);
	after = json_pack("{s:s, s:i}", "username", u.username, "locked_addresses", 0);
	if (before == NULL || after == NULL) {
		api_err_set(err, 500, "out of memory");
		goto out;
	}
	if (resource_log(http_actor(r), db, "update", "user", u.id, before, after, err) == -1)
		goto out;
	if (db_commit(db) == -1) {
		db_fail(db, err, "unlocking a user");
		goto out;
	}
	ratelimit_clear_prefix(r->srv->login_users, prefix);
	http_reply_json(rep, 200, json_pack("{s:I, s:s, s:i}", "id", (json_int_t)u.id,
	    "username", u.username, "locked_addresses", n));
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	json_decref(before);
	json_decref(after);
	return rc;
}
