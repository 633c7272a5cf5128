#include "api.h"

#include "db.h"
#include "embed.h"

/* Liveness and readiness in one: the database must answer. No authentication. */
int
api_meta_healthz(struct req *r, struct reply *rep, struct api_err *err)
{
	struct db *db;

	if ((db = http_db(r, err)) == NULL)
		return -1;
	http_reply_json(rep, 200, json_pack("{s:s, s:i}", "status", "ok", "schema",
	    db_schema_version(db)));
	return 0;
}

/* GET /api/v1/openapi.yaml: the contract, built in; no authentication, like most APIs' docs. */
int
api_meta_openapi(struct req *r, struct reply *rep, struct api_err *err)
{
	(void)r;
	if (embed_api_count == 0)
		return api_err_set(err, 500, "the OpenAPI document is not built in");
	rep->status = 200;
	rep->ctype = "application/yaml";
	rep->body = (char *)embed_api[0].data;
	rep->len = embed_api[0].len;
	rep->body_static = true;
	return 0;
}
