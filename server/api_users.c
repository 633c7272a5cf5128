#include "api.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "session.h"
#include "jsonin.h"
#include "user.h"

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

static int
api_users_role(const json_t *obj, enum role *role, struct api_err *err)
{
	const json_t *v = json_object_get(obj, "role");

	if (v != NULL && auth_role_parse(json_string_value(v), role) == -1)
		return api_err_field(err, "role", "must be viewer, editor or admin");
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
	enum role role = ROLE_NONE;
	struct user u;
	struct db *db;

	if (jsonin_check(r->json, api_users_create_fields, err) == -1 ||
	    api_users_role(r->json, &role, err) == -1 || (db = http_db(r, err)) == NULL)
		return -1;
	if (user_create(db, json_string_value(json_object_get(r->json, "username")), role,
	    json_string_value(json_object_get(r->json, "password")), &u, err) == -1)
		return -1;
	http_reply_header(rep, "Location", "/api/v1/users/%lld", u.id);
	http_reply_json(rep, 201, user_json(&u));
	return 0;
}

int
api_users_update(struct req *r, struct reply *rep, struct api_err *err)
{
	enum role role = ROLE_NONE;
	const json_t *v;
	struct user u;
	struct db *db;
	int rc = -1;

	if (jsonin_check(r->json, api_users_update_fields, err) == -1 ||
	    api_users_role(r->json, &role, err) == -1 || (db = http_db(r, err)) == NULL)
		return -1;
	/* All fields change together or not at all. */
	if (db_begin(db, true) == -1)
		return db_fail(db, err, "changing a user");
	if (user_get(db, r->id, &u, err) == -1)
		goto out;
	if ((v = json_object_get(r->json, "password")) != NULL &&
	    user_set_password(db, u.id, json_string_value(v), err) == -1)
		goto out;
	if (role != ROLE_NONE && user_set_role(db, u.id, role, err) == -1)
		goto out;
	if ((v = json_object_get(r->json, "disabled")) != NULL &&
	    user_set_disabled(db, u.id, json_is_true(v), err) == -1)
		goto out;
	if (user_check_admins(db, err) == -1 || user_get(db, u.id, &u, err) == -1)
		goto out;
	if (db_commit(db) == -1) {
		db_fail(db, err, "changing a user");
		goto out;
	}
	session_invalidate();
	http_reply_json(rep, 200, user_json(&u));
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	return rc;
}
