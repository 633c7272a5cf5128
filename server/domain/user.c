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
long long
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

/* The same password hashed anew (stronger limits than when it was set): not a change of the
 * password, so sessions go on and password_changed_at stays. */
int
user_rehash_password(struct db *db, long long id, const char *password, struct api_err *err)
{
	static const char sql[] = "UPDATE users SET password_hash = ?1, updated_at = ?3 "
	    "WHERE id = ?2";
	char hash[AUTH_HASH_LEN];
	sqlite3_stmt *st;
	int rc;

	if (auth_hash_password(password, hash) == -1)
		return api_err_set(err, 500, "cannot hash the password");
	if ((st = db_stmt(db, sql)) == NULL)
		rc = db_fail(db, err, "changing a user");
	else {
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
		rc = user_update(db, st, id, err);
	}
	sodium_memzero(hash, sizeof(hash));
	return rc;
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
