#include "token.h"

#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "clock.h"
#include "db.h"
#include "user.h"

#define TOKEN_COLS "t.id, t.name, t.role, t.created_at, t.expires_at, u.username"
#define TOKEN_FROM " FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by "

static json_t *
token_row(sqlite3_stmt *st)
{
	const char *by = (const char *)sqlite3_column_text(st, 5);

	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0),
	    "name", (const char *)sqlite3_column_text(st, 1),
	    "role", (const char *)sqlite3_column_text(st, 2),
	    "created_at", (const char *)sqlite3_column_text(st, 3),
	    "expires_at", (const char *)sqlite3_column_text(st, 4),
	    "created_by", by != NULL ? json_string(by) : json_null());
}

int
token_create(struct db *db, const unsigned char key[AUTH_KEY_LEN], const char *name,
    enum role role, int days, const char *creator, json_t **out, struct api_err *err)
{
	static const char sql[] = "INSERT INTO api_tokens (name, role, jti, created_by, "
	    "created_at, expires_at, expires_unix) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	char created[CLOCK_RFC3339_LEN], expires[CLOCK_RFC3339_LEN];
	struct claims c;
	struct user u;
	time_t now = clock_now();
	sqlite3_stmt *st;
	char *jwt = NULL;
	json_t *obj = NULL;
	int rc = -1, step;

	if (days < 1 || days > TOKEN_DAYS_MAX)
		return api_err_field(err, "expires_in_days", "must be 1 to %d", TOKEN_DAYS_MAX);
	/* A token without a live creator would never work: say so now, not at first use. */
	if ((step = user_find(db, creator, &u, NULL, err)) == -1)
		return -1;
	if (step == 0 || u.disabled || u.role < role)
		return api_err_set(err, 403, "only an enabled user holding the role may make a "
		    "token with it");
	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "token:%s", name);
	c.role = role;
	c.kind = TOKEN_API;
	c.iat = now;
	c.exp = now + (long long)days * 86400;
	auth_new_jti(c.jti);
	clock_rfc3339(now, created);
	clock_rfc3339((time_t)c.exp, expires);
	if (auth_token_issue(key, &c, &jwt) == -1) {
		api_err_set(err, 500, "cannot sign the token");
		goto out;
	}
	if ((st = db_stmt(db, sql)) == NULL) {
		db_fail(db, err, "creating a token");
		goto out;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, auth_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c.jti, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, u.id);
	sqlite3_bind_text(st, 5, created, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, expires, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, c.exp);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		db_fail(db, err, "creating a token");
		goto out;
	}
	if (token_get(db, sqlite3_last_insert_rowid(db_handle(db)), &obj, err) == -1)
		goto out;
	json_object_set_new(obj, "token", json_string(jwt));
	*out = obj;
	obj = NULL;
	rc = 0;
out:
	json_decref(obj);
	if (jwt != NULL)
		sodium_memzero(jwt, strlen(jwt));
	free(jwt);
	return rc;
}

int
token_get(struct db *db, long long id, json_t **out, struct api_err *err)
{
	static const char sql[] = "SELECT " TOKEN_COLS TOKEN_FROM "WHERE t.id = ?";
	sqlite3_stmt *st;
	json_t *obj = NULL;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading a token");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		obj = token_row(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return api_err_set(err, 404, "no token with id %lld", id);
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "reading a token");
	if (obj == NULL)
		return api_err_set(err, 500, "out of memory");
	*out = obj;
	return 0;
}

int
token_list(struct db *db, long long creator, json_t **out, struct api_err *err)
{
	static const char sql[] = "SELECT " TOKEN_COLS TOKEN_FROM
	    "WHERE ?1 = 0 OR t.created_by = ?1 ORDER BY t.id";
	sqlite3_stmt *st;
	json_t *arr;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "listing tokens");
	if ((arr = json_array()) == NULL)
		return api_err_set(err, 500, "out of memory");
	sqlite3_bind_int64(st, 1, creator);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, token_row(st));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_fail(db, err, "listing tokens");
	}
	*out = arr;
	return 0;
}

int
token_delete(struct db *db, long long id, struct api_err *err)
{
	static const char sql[] = "DELETE FROM api_tokens WHERE id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "revoking a token");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "revoking a token");
	if (sqlite3_changes(db_handle(db)) == 0)
		return api_err_set(err, 404, "no token with id %lld", id);
	return 0;
}

int
token_lookup(struct db *db, const char *jti, time_t now, enum role *role, struct api_err *err)
{
	/* The creator is joined on every check: disabling, deleting or demoting the user who
	 * made a token stops it at once, and a token without a creator never works. */
	static const char sql[] = "SELECT t.role, u.role FROM api_tokens t "
	    "JOIN users u ON u.id = t.created_by "
	    "WHERE t.jti = ? AND t.expires_unix > ? AND u.disabled = 0";
	sqlite3_stmt *st;
	enum role tr, ur;
	int rc, found = 0;

	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "checking a token");
	sqlite3_bind_text(st, 1, jti, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    auth_role_parse((const char *)sqlite3_column_text(st, 0), &tr) == 0 &&
	    auth_role_parse((const char *)sqlite3_column_text(st, 1), &ur) == 0 && ur >= tr) {
		*role = tr;
		found = 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, err, "checking a token");
	return found;
}
