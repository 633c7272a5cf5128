/* Users, as a resource of the generic driver: the driver checks, stores, lists and audits
 * them; these hooks keep what a user row derives. The password is write-only: hashed before
 * the write transaction (the seal hook: about 80 ms that must not hold the write lock), stored
 * as a hash, never shown or logged. A new password or disabling ends the user's sessions. */
#include "res.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "clock.h"
#include "db.h"
#include "user.h"
#include "vec.h"

static const struct field res_users_fields[] = {
	{ .name = "username", .type = FT_TEXT,
	  .flags = F_REQUIRED | F_UNIQUE | F_FILTER | F_ORDER | F_SEARCH, .max = AUTH_NAME_MAX,
	  .rule = CR_NAME },
	{ .name = "role", .type = FT_ENUM, .flags = F_REQUIRED | F_FILTER | F_ORDER,
	  .values = auth_roles + ROLE_VIEWER },
	{ .name = "disabled", .type = FT_BOOL, .flags = F_FILTER, .def = "false" },
	/* Hashed, never rendered or shown: any text. */
	{ .name = "password", .type = FT_TEXT, .flags = F_WRITEONLY, .min = AUTH_PASSWORD_MIN,
	  .max = AUTH_PASSWORD_MAX, .rule = CR_SECRET },
	{ .name = "created_at", .type = FT_TEXT, .flags = F_READONLY | F_ORDER },
	{ .name = "updated_at", .type = FT_TEXT, .flags = F_READONLY | F_ORDER },
	{ .name = "password_changed_at", .type = FT_TEXT, .flags = F_READONLY | F_NULL },
	{ .name = "sessions_revoked_at", .type = FT_TEXT, .flags = F_READONLY | F_NULL },
	{ .name = NULL },
};

static const char *const res_users_hidden[] = { "password_hash", "session_gen", NULL };

enum { RES_USERS_HASH, RES_USERS_GEN };

static int
res_users_seal(const json_t *body, json_t **sealed, struct api_err *err)
{
	const json_t *pw = json_object_get(body, "password");
	char hash[AUTH_HASH_LEN];

	/* Only a password the field table will accept is worth 80 ms: the rest is refused by
	 * the driver's checks, with their message. */
	if (!json_is_string(pw) || json_string_length(pw) < AUTH_PASSWORD_MIN ||
	    json_string_length(pw) > AUTH_PASSWORD_MAX ||
	    strlen(json_string_value(pw)) != json_string_length(pw))
		return 0;
	if (auth_hash_password(json_string_value(pw), hash) == -1)
		return api_err_set(err, 500, "cannot hash the password");
	*sealed = json_pack("{s:s}", "password_hash", hash);
	sodium_memzero(hash, sizeof(hash));
	return 0;
}

static int
res_users_validate(struct wctx *w, json_t *obj, struct api_err *err)
{
	/* Sessions and the audit log know a user by name. */
	if (w->old != NULL && !json_equal(json_object_get(obj, "username"),
	    json_object_get(w->old, "username")))
		return api_err_field(err, "username", "cannot be changed");
	if (w->old == NULL && json_object_get(obj, "password") == NULL)
		return api_err_field(err, "password", "is required");
	return 0;
}

/* The stored hash and session generation of an existing user, into the hidden columns. */
static int
res_users_keep(struct wctx *w, struct api_err *err)
{
	static const char sql[] = "SELECT password_hash, session_gen FROM users WHERE id = ?";
	struct hidden *h = w->hidden;
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(w->db, sql)) == NULL)
		return db_fail(w->db, err, "reading a user");
	sqlite3_bind_int64(st, 1, w->id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(h[RES_USERS_HASH].text, sizeof(h[RES_USERS_HASH].text), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		h[RES_USERS_GEN].i = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(w->db, err, "reading a user");
}

static void
res_users_revoke(struct wctx *w, json_t *obj, const char *now)
{
	w->hidden[RES_USERS_GEN].i = user_new_gen();
	json_object_set_new(obj, "sessions_revoked_at", json_string(now));
}

static int
res_users_derive(struct wctx *w, json_t *obj, struct api_err *err)
{
	const char *hash = json_string_value(json_object_get(w->sealed, "password_hash"));
	char now[CLOCK_RFC3339_LEN];
	const json_t *old = w->old;

	clock_rfc3339(clock_now(), now);
	w->nhidden = 2;
	w->hidden[RES_USERS_HASH].type = HV_TEXT;
	w->hidden[RES_USERS_GEN].type = HV_INT;
	if (json_object_get(obj, "password") != NULL && hash == NULL)
		return api_err_set(err, 500, "the password was not sealed");
	json_object_set_new(obj, "updated_at", json_string(now));
	if (old == NULL) {
		json_object_set_new(obj, "created_at", json_string(now));
		json_object_set_new(obj, "password_changed_at", json_null());
		json_object_set_new(obj, "sessions_revoked_at", json_null());
		w->hidden[RES_USERS_GEN].i = user_new_gen();
	} else {
		if (res_users_keep(w, err) == -1)
			return -1;
		/* A replace brings none of these: they are the stored ones. */
		json_object_set(obj, "created_at", json_object_get(old, "created_at"));
		json_object_set(obj, "password_changed_at",
		    json_object_get(old, "password_changed_at"));
		json_object_set(obj, "sessions_revoked_at",
		    json_object_get(old, "sessions_revoked_at"));
		/* Disabling ends the sessions; enabling leaves them ended. */
		if (json_is_true(json_object_get(obj, "disabled")) &&
		    !json_is_true(json_object_get(old, "disabled")))
			res_users_revoke(w, obj, now);
	}
	if (hash != NULL) {
		snprintf(w->hidden[RES_USERS_HASH].text, sizeof(w->hidden[0].text), "%s", hash);
		if (old != NULL) {
			/* A new password ends every session of the user. */
			res_users_revoke(w, obj, now);
			json_object_set_new(obj, "password_changed_at", json_string(now));
		}
	}
	return 0;
}

static bool
res_users_enabled_admin(const json_t *u)
{
	return u != NULL && json_is_string(json_object_get(u, "role")) &&
	    strcmp(json_string_value(json_object_get(u, "role")), "admin") == 0 &&
	    !json_is_true(json_object_get(u, "disabled"));
}

/* No change may take the last enabled admin away (a demotion, a disable, a delete); other
 * changes go through even where there is none yet, as in a new database. */
static int
res_users_after(struct wctx *w, const json_t *obj, struct api_err *err)
{
	if (res_users_enabled_admin(w->old) && !res_users_enabled_admin(obj))
		return user_check_admins(w->db, err);
	return 0;
}

/* The user's API tokens go with the user, each audited as a delete of its own. */
static int
res_users_before_delete(struct wctx *w, struct api_err *err)
{
	static const char sql[] = "SELECT id FROM api_tokens WHERE created_by = ? ORDER BY id";
	VEC(long long) ids = { 0 };
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((st = db_stmt(w->db, sql)) == NULL)
		return db_fail(w->db, err, "listing a user's tokens");
	sqlite3_bind_int64(st, 1, w->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		vec_push(&ids, sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		rc = db_fail(w->db, err, "listing a user's tokens");
	else
		for (rc = 0, i = 0; i < ids.n && rc == 0; i++)
			rc = resource_delete_one(w->a, w->db, &res_tokens, ids.v[i], err);
	vec_free(&ids);
	return rc;
}

/* What a login sends: checked by the driver like any body, stored nowhere. */
static const struct field res_users_login_fields[] = {
	{ .name = "username", .type = FT_TEXT, .flags = F_REQUIRED, .max = 256, .rule = CR_TEXT },
	{ .name = "password", .type = FT_TEXT, .flags = F_REQUIRED, .max = AUTH_PASSWORD_MAX,
	  .rule = CR_SECRET },
	{ .name = NULL },
};

const struct resource res_users_login = {
	.name = "login",
	.flags = R_NO_META | R_READONLY,
	.object = "login",
	.fields = res_users_login_fields,
};

const struct resource res_users = {
	.name = "users",
	.flags = R_NO_META | R_OWN_ROUTES | R_SESSIONS,
	.table = "users",
	.object = "user",
	.fields = res_users_fields,
	.hidden = res_users_hidden,
	.seal = res_users_seal,
	.validate = res_users_validate,
	.derive = res_users_derive,
	.after = res_users_after,
	.before_delete = res_users_before_delete,
};
