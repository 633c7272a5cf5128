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
	char created_at[CLOCK_RFC3339_LEN];
	char updated_at[CLOCK_RFC3339_LEN];
};

int user_create(struct db *db, const char *username, enum role role, const char *password,
    struct user *out, struct api_err *err);
/* 1 found, 0 not found, -1 error. hash may be NULL. */
int user_find(struct db *db, const char *username, struct user *u, char hash[AUTH_HASH_LEN],
    struct api_err *err);
int user_get(struct db *db, long long id, struct user *u, struct api_err *err);
int user_set_password(struct db *db, long long id, const char *password, struct api_err *err);
int user_set_role(struct db *db, long long id, enum role role, struct api_err *err);
int user_set_disabled(struct db *db, long long id, bool disabled, struct api_err *err);
/* Refuses (409) a change that would leave no enabled admin. */
int user_check_admins(struct db *db, struct api_err *err);
int user_list(struct db *db, json_t **out, struct api_err *err);
json_t *user_json(const struct user *u);

#endif
