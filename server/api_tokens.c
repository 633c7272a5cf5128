#include "api.h"

#include <string.h>

#include "db.h"
#include "session.h"
#include "jsonin.h"
#include "token.h"

static const struct jsonin_field api_tokens_fields[] = {
	{ "name", JSONIN_STRING, true, 1, TOKEN_NAME_MAX },
	{ "role", JSONIN_STRING, true, 0, 0 },
	{ "expires_in_days", JSONIN_INTEGER, false, 1, 3650 },
	{ NULL, JSONIN_STRING, false, 0, 0 },
};

int
api_tokens_list(struct req *r, struct reply *rep, struct api_err *err)
{
	struct db *db;
	json_t *arr;

	if ((db = http_db(r, err)) == NULL || token_list(db, &arr, err) == -1)
		return -1;
	http_reply_list(rep, arr);
	return 0;
}

int
api_tokens_create(struct req *r, struct reply *rep, struct api_err *err)
{
	const json_t *days;
	const char *name;
	enum role role;
	struct db *db;
	json_t *tok;

	if (jsonin_check(r->json, api_tokens_fields, err) == -1)
		return -1;
	name = json_string_value(json_object_get(r->json, "name"));
	if (!auth_name_valid(name))
		api_err_field(err, "name", "must be letters, digits, '.', '_' or '-'");
	if (auth_role_parse(json_string_value(json_object_get(r->json, "role")), &role) == -1)
		api_err_field(err, "role", "must be viewer, editor or admin");
	if (err->status != 0 || (db = http_db(r, err)) == NULL)
		return -1;
	days = json_object_get(r->json, "expires_in_days");
	if (token_create(db, r->srv->key, name, role, days ? (int)json_integer_value(days) : 90,
	    r->who.name, &tok, err) == -1)
		return -1;
	http_reply_header(rep, "Location", "/api/v1/tokens/%lld",
	    (long long)json_integer_value(json_object_get(tok, "id")));
	http_reply_json(rep, 201, tok);
	return 0;
}

int
api_tokens_delete(struct req *r, struct reply *rep, struct api_err *err)
{
	struct db *db;

	if ((db = http_db(r, err)) == NULL || token_delete(db, r->id, err) == -1)
		return -1;
	session_invalidate();
	rep->status = 204;
	return 0;
}
