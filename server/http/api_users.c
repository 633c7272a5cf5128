/* The two actions on a user beside the driver's create, change and delete: log out everywhere
 * and unlock. Each is audited in its own transaction as an update of the user. */
#include "api.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "ratelimit.h"
#include "res.h"
#include "resource.h"
#include "session.h"
#include "user.h"

/* Logout and unlock take no fields: an empty object or no body at all. */
static int
api_users_no_body(struct req *r, struct api_err *err)
{
	if (r->json != NULL && (!json_is_object(r->json) || json_object_size(r->json) != 0))
		return api_err_set(err, 400, "this action takes no fields");
	return 0;
}

/* "Log out everywhere": every login token of the user stops working; API tokens do not. */
int
api_users_logout(struct req *r, struct reply *rep, struct api_err *err)
{
	json_t *before = NULL, *after = NULL;
	struct db *db;
	int rc = -1;

	if (api_users_no_body(r, err) == -1 || (db = http_db(r, err)) == NULL)
		return -1;
	if (db_begin(db, true) == -1)
		return db_fail(db, err, "changing a user");
	if (resource_load(db, &res_users, r->id, &before, err) == -1 ||
	    user_revoke_sessions(db, r->id, err) == -1 ||
	    resource_load(db, &res_users, r->id, &after, err) == -1 ||
	    resource_log(http_actor(r), db, "update", res_users.object, r->id, before, after,
	    err) == -1)
		goto out;
	if (db_commit(db) == -1) {
		db_fail(db, err, "changing a user");
		goto out;
	}
	/* Every thread's verified tokens are forgotten, so the next request sees the change. */
	session_invalidate();
	http_reply_json(rep, 200, after);
	after = NULL;
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	json_decref(before);
	json_decref(after);
	return rc;
}

/* Ends the user's login slowdowns at every address. The limiter lives in memory, so the audit
 * row records how many addresses were waiting, and the clearing follows the commit. */
int
api_users_unlock(struct req *r, struct reply *rep, struct api_err *err)
{
	char prefix[AUTH_NAME_MAX + 8];
	json_t *user = NULL, *before = NULL, *after = NULL;
	const char *name;
	struct db *db;
	int n, rc = -1;

	if (api_users_no_body(r, err) == -1 || (db = http_db(r, err)) == NULL)
		return -1;
	if (db_begin(db, true) == -1)
		return db_fail(db, err, "unlocking a user");
	if (resource_load(db, &res_users, r->id, &user, err) == -1)
		goto out;
	name = json_string_value(json_object_get(user, "username"));
	api_auth_user_key(name, "", prefix, sizeof(prefix));
	n = ratelimit_count_prefix(r->srv->login_users, prefix, clock_now());
	before = json_pack("{s:s, s:i}", "username", name, "locked_addresses", n);
	after = json_pack("{s:s, s:i}", "username", name, "locked_addresses", 0);
	if (resource_log(http_actor(r), db, "update", res_users.object, r->id, before, after,
	    err) == -1)
		goto out;
	if (db_commit(db) == -1) {
		db_fail(db, err, "unlocking a user");
		goto out;
	}
	ratelimit_clear_prefix(r->srv->login_users, prefix);
	http_reply_json(rep, 200, json_pack("{s:I, s:s, s:i}", "id", (json_int_t)r->id,
	    "username", name, "locked_addresses", n));
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	json_decref(user);
	json_decref(before);
	json_decref(after);
	return rc;
}
