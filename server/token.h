/* API tokens for CI: long-lived JWTs whose jti is stored, so deleting the row revokes them. */
#ifndef NETSOT_TOKEN_H
#define NETSOT_TOKEN_H

#include <jansson.h>

#include "auth.h"

struct api_err;
struct db;

#define TOKEN_NAME_MAX 48

/* Creates the row and the JWT; *out is the token's JSON with the secret (shown once). */
int token_create(struct db *db, const unsigned char key[AUTH_KEY_LEN], const char *name,
    enum role role, int days, const char *creator, json_t **out, struct api_err *err);
int token_list(struct db *db, json_t **out, struct api_err *err);
int token_delete(struct db *db, long long id, struct api_err *err);
/* 1 with the token's role when the jti is live, 0 when revoked or expired, -1 on error. */
int token_lookup(struct db *db, const char *jti, time_t now, enum role *role,
    struct api_err *err);

#endif
