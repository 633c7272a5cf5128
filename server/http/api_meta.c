#include "api.h"

#include "db.h"

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
