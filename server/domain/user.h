/* Users as authentication sees them: find one by name, rehash a password at login, end a
 * user's sessions, keep an enabled admin. The users resource (res_users.c) makes and changes
 * them through the generic driver. */
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

/* A fresh session generation: random, never 0. */
long long user_new_gen(void);
/* 1 found, 0 not found, -1 error. hash may be NULL. */
int user_find(struct db *db, const char *username, struct user *u, char hash[AUTH_HASH_LEN],
    struct api_err *err);
/* The same password hashed anew (stronger limits at login): sessions go on. */
int user_rehash_password(struct db *db, long long id, const char *password,
    struct api_err *err);
/* Ends every session of the user ("log out everywhere"). */
int user_revoke_sessions(struct db *db, long long id, struct api_err *err);
/* Refuses (409) a change that would leave no enabled admin. */
int user_check_admins(struct db *db, struct api_err *err);

#endif
