#include "api.h"

#include "db.h"
#include "resource.h"
#include "settings.h"

int
api_settings_get(struct req *r, struct reply *rep, struct api_err *err)
{
	struct db *db;
	json_t *obj;

	if ((db = http_db(r, err)) == NULL || settings_load(db, &obj, err) == -1)
		return -1;
	http_reply_json(rep, 200, obj);
	return 0;
}

/* PATCH merges the named settings; the change is audited like any other write. */
int
api_settings_patch(struct req *r, struct reply *rep, struct api_err *err)
{
	json_t *before = NULL, *after = NULL;
	struct db *db;
	int rc = -1;

	if ((db = http_db(r, err)) == NULL)
		return -1;
	if (db_begin(db, true) == -1)
		return db_fail(db, err, "starting a write");
	if (settings_load(db, &before, err) == -1 || settings_store(db, r->json, err) == -1 ||
	    settings_load(db, &after, err) == -1 ||
	    resource_log(http_actor(r), db, "update", "settings", 0, before, after, err) == -1)
		goto out;
	if (db_commit(db) == -1) {
		db_fail(db, err, "committing");
		goto out;
	}
	http_reply_json(rep, 200, after);
	after = NULL;
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	json_decref(before);
	json_decref(after);
	return rc;
}
