#include "user.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "db.h"

#define USER_COLS "id, username, role, disabled, created_at, updated_at, password_hash, " \
    "session_gen, password_changed_at, sessions_revoked_at"

/* A fresh session generation: random, so that no other user's, and no earlier one of this
 * user's, comes back (a user deleted and made again has the same name). 53 bits stay exact
 * in any JSON reader. */
static long long
user_new_gen(void)
{
	uint64_t v;

	randombytes_buf(&v, sizeof(v));
	return (long long)((v & ((1ULL << 53) - 1)) | 1);
}

static void
user_copy(char *dst, size_t cap, const unsigned char *src)
{
	snprintf(dst, cap, "%s", src ? (const char *)src : "");
}

static void
user_row(sqlite3_stmt *st, struct user *u, char *hash)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	user_copy(u->username, sizeof(u->username), sqlite3_column_text(st, 1));
	if (auth_role_parse((const char *)sqlite3_column_text(st, 2), &u->role) == -1)
		u->role = ROLE_NONE;
	u->disabled = sqlite3_column_int(st, 3) != 0;
	user_copy(u->created_at, sizeof(u->created_at), sqlite3_column_text(st, 4));
	user_copy(u->updated_at, sizeof(u->updated_at), sqlite3_column_text(st, 5));
	if (hash != NULL)
		user_copy(hash, AUTH_HASH_LEN, sqlite3_column_text(st, 6));
	u->session_gen = sqlite3_column_int64(st, 7);
	user_copy(u->password_changed_at, sizeof(u->password_changed_at),
	    sqlite3_column_text(st, 8));
	user_copy(u->sessions_revoked_at, sizeof(u->sessions_revoked_at),
	    sqlite3_column_text(st, 9));
}

static int
user_check_password(const char *password, struct api_err *err)
{
	size_t n = strlen(password);

	if (n < AUTH_PASSWORD_MIN || n > AUTH_PASSWORD_MAX)
		return api_err_field(err, "password", "must be %d to %d bytes long",
		    AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
	return 0;
}

int
user_check(const char *username, enum role role, const char *password, struct api_err *err)
{
	if (username != NULL && !auth_name_valid(username))
		api_err_field(err, "username", "must be 1 to %d letters, digits, '.', '_' or '-'",
		    AUTH_NAME_MAX);
	if (password != NULL)
		user_check_password(password, err);
	if (role < ROLE_VIEWER || role > ROLE_ADMIN)
		api_err_field(err, "role", "must be viewer, editor or admin");
	return err->status != 0 ? -1 : 0;
}

int
user_hash(const char *password, char hash[AUTH_HASH_LEN], struct api_err *err)
{
	if (user_check_password(password, err) == -1)
		return -1;
	if (auth_hash_password(password, hash) == -1)
		return api_err_set(err, 500, "cannot hash the password");
	return 0;
}

int
user_insert(struct db *db, const char *username, enum role role, const char *hash,
    struct user *out, struct api_err *err)
{
	static const char sql[] = "INSERT INTO users (username, password_hash, role, created_at, "
	    "updated_at, session_gen) VALUES (?, ?, ?, ?, ?, ?) RETURNING " USER_COLS;
	char now[CLOCK_RFC3339_LEN];
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "creating a user");
	clock_rfc3339(clock_now(), now);
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, auth_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, user_new_gen());
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out != NULL)
		user_row(st, out, NULL);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		api_err_set(err, 409, "a user with that name exists");
		return api_err_field(err, "username", "already taken");
	}
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "creating a user");
	return 0;
}

int
user_create(struct db *db, const char *username, enum role role, const char *password,
    struct user *out, struct api_err *err)
{
	char hash[AUTH_HASH_LEN];
	int rc;

	if (user_check(username, role, password, err) == -1 || user_hash(password, hash, err) == -1)
		return -1;
	rc = user_insert(db, username, role, hash, out, err);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

static int
user_fetch(struct db *db, sqlite3_stmt *st, struct user *u, char *hash, struct api_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		user_row(st, u, hash);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(db, err, "reading a user");
}

int
user_find(struct db *db, const char *username, struct user *u, char hash[AUTH_HASH_LEN],
    struct api_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users WHERE username = ?";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading a user");
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	return user_fetch(db, st, u, hash, err);
}

int
user_get(struct db *db, long long id, struct user *u, struct api_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users WHERE id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading a user");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = user_fetch(db, st, u, NULL, err)) == 0)
		return api_err_set(err, 404, "no user with id %lld", id);
	return rc == 1 ? 0 : -1;
}

/* Runs a one-row UPDATE whose first parameter is the new value and second the id. */
static int
user_update(struct db *db, sqlite3_stmt *st, long long id, struct api_err *err)
{
	char now[CLOCK_RFC3339_LEN];
	int rc;

	clock_rfc3339(clock_now(), now);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "changing a user");
	if (sqlite3_changes(db_handle(db)) == 0)
		return api_err_set(err, 404, "no user with id %lld", id);
	return 0;
}

int
user_set_hash(struct db *db, long long id, const char *hash, bool revoke, struct api_err *err)
{
	/* ?4 says whether sessions end: a new password does, a rehash of the same one not. */
	static const char sql[] = "UPDATE users SET password_hash = ?, updated_at = ?3, "
	    "session_gen = iif(?4, ?5, session_gen), "
	    "password_changed_at = iif(?4, ?3, password_changed_at), "
	    "sessions_revoked_at = iif(?4, ?3, sessions_revoked_at) WHERE id = ?2";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "changing a user");
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, revoke);
	sqlite3_bind_int64(st, 5, user_new_gen());
	return user_update(db, st, id, err);
}

static int
user_store_password(struct db *db, long long id, const char *password, bool revoke,
    struct api_err *err)
{
	char hash[AUTH_HASH_LEN];
	int rc;

	if (user_hash(password, hash, err) == -1)
		return -1;
	rc = user_set_hash(db, id, hash, revoke, err);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int
user_set_password(struct db *db, long long id, const char *password, struct api_err *err)
{
	return user_store_password(db, id, password, true, err);
}

int
user_rehash_password(struct db *db, long long id, const char *password, struct api_err *err)
{
	return user_store_password(db, id, password, false, err);
}

int
user_set_role(struct db *db, long long id, enum role role, struct api_err *err)
{
	static const char sql[] = "UPDATE users SET role = ?, updated_at = ?3 WHERE id = ?2";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "changing a user");
	sqlite3_bind_text(st, 1, auth_role_name(role), -1, SQLITE_STATIC);
	return user_update(db, st, id, err);
}

int
user_set_disabled(struct db *db, long long id, bool disabled, struct api_err *err)
{
	/* Disabling ends the sessions (the generation moves on); enabling leaves them ended. */
	static const char sql[] = "UPDATE users SET disabled = ?1, updated_at = ?3, "
	    "session_gen = iif(?1 AND NOT disabled, ?4, session_gen), "
	    "sessions_revoked_at = iif(?1 AND NOT disabled, ?3, sessions_revoked_at) "
	    "WHERE id = ?2";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "changing a user");
	sqlite3_bind_int(st, 1, disabled);
	sqlite3_bind_int64(st, 4, user_new_gen());
	return user_update(db, st, id, err);
}

int
user_revoke_sessions(struct db *db, long long id, struct api_err *err)
{
	static const char sql[] = "UPDATE users SET session_gen = ?1, "
	    "updated_at = ?3, sessions_revoked_at = ?3 WHERE id = ?2";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "changing a user");
	sqlite3_bind_int64(st, 1, user_new_gen());
	return user_update(db, st, id, err);
}

int
user_delete(struct db *db, long long id, struct api_err *err)
{
	static const char *const sql[] = {
		"DELETE FROM api_tokens WHERE created_by = ?",
		"DELETE FROM users WHERE id = ?",
	};
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if ((st = db_stmt(db, sql[i])) == NULL)
			return db_fail(db, err, "deleting a user");
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return db_fail(db, err, "deleting a user");
	}
	if (sqlite3_changes(db_handle(db)) == 0)
		return api_err_set(err, 404, "no user with id %lld", id);
	return 0;
}

int
user_check_admins(struct db *db, struct api_err *err)
{
	static const char sql[] =
	    "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0";
	sqlite3_stmt *st;
	int n = -1;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "counting admins");
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (n < 0)
		return db_fail(db, err, "counting admins");
	if (n == 0)
		return api_err_set(err, 409, "this would leave no enabled admin");
	return 0;
}

static json_t *
user_time(const char *t)
{
	return t[0] != '\0' ? json_string(t) : json_null();
}

json_t *
user_json(const struct user *u)
{
	return json_pack("{s:I, s:s, s:s, s:b, s:s, s:s, s:o, s:o}", "id", (json_int_t)u->id,
	    "username", u->username, "role", auth_role_name(u->role), "disabled", u->disabled,
	    "created_at", u->created_at, "updated_at", u->updated_at,
	    "password_changed_at", user_time(u->password_changed_at),
	    "sessions_revoked_at", user_time(u->sessions_revoked_at));
}

int
user_list(struct db *db, json_t **out, struct api_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users ORDER BY id";
	sqlite3_stmt *st;
	struct user u;
	json_t *arr;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "listing users");
	if ((arr = json_array()) == NULL)
		return api_err_set(err, 500, "out of memory");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		user_row(st, &u, NULL);
		json_array_append_new(arr, user_json(&u));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_fail(db, err, "listing users");
	}
	*out = arr;
	return 0;
}
