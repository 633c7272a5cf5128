/* Users in the database: create, find, list, change. Handlers and the command line share it. */
#ifndef NETSOT_USER_H
#define NETSOT_USER_H

#include <jansson.h>
#include <stdbool.h>

#include "auth.h"
#include "clock.h"

struct api_err;
struct db;

struct user {
	long long id;
	char username[AUTH_NAME_MAX + 1];
	enum role role;
	bool disabled;
	long long session_gen;     /* random; login tokens of another one are refused */
	char created_at[CLOCK_RFC3339_LEN];
	char updated_at[CLOCK_RFC3339_LEN];
	char password_changed_at[CLOCK_RFC3339_LEN];   /* "" when never */
	char sessions_revoked_at[CLOCK_RFC3339_LEN];   /* "" when never */
};

/* Checks a new user's fields (username or password NULL: not given); 422 with per-field
 * errors. */
int user_check(const char *username, enum role role, const char *password,
    struct api_err *err);
/* Hashes a password (about 80 ms): do it before a write transaction, not inside one. */
int user_hash(const char *password, char hash[AUTH_HASH_LEN], struct api_err *err);
int user_insert(struct db *db, const char *username, enum role role, const char *hash,
    struct user *out, struct api_err *err);
/* Stores a hash made by user_hash; with revoke, the user's sessions end. */
int user_set_hash(struct db *db, long long id, const char *hash, bool revoke,
    struct api_err *err);
/* user_check, user_hash and user_insert in one (the command line). */
int user_create(struct db *db, const char *username, enum role role, const char *password,
    struct user *out, struct api_err *err);
/* 1 found, 0 not found, -1 error. hash may be NULL. */
int user_find(struct db *db, const char *username, struct user *u, char hash[AUTH_HASH_LEN],
    struct api_err *err);
int user_get(struct db *db, long long id, struct user *u, struct api_err *err);
/* A new password ends every session of the user. */
int user_set_password(struct db *db, long long id, const char *password, struct api_err *err);
/* The same password hashed anew (stronger limits at login): sessions go on. */
int user_rehash_password(struct db *db, long long id, const char *password,
    struct api_err *err);
int user_set_role(struct db *db, long long id, enum role role, struct api_err *err);
/* Disabling ends every session of the user; enabling does not bring them back. */
int user_set_disabled(struct db *db, long long id, bool disabled, struct api_err *err);
/* Ends every session of the user ("log out everywhere"). */
int user_revoke_sessions(struct db *db, long long id, struct api_err *err);
/* Deletes the user and the API tokens the user made; 404 when there is no such user. */
int user_delete(struct db *db, long long id, struct api_err *err);
/* Refuses (409) a change that would leave no enabled admin. */
int user_check_admins(struct db *db, struct api_err *err);
int user_list(struct db *db, json_t **out, struct api_err *err);
json_t *user_json(const struct user *u);

#endif
