#include "api.h"

#include "validate.h"

/* GET /api/v1/validate: the report of the whole plan, computed from one snapshot. */
int
api_validate(struct req *r, struct reply *rep, struct api_err *err)
{
	struct db *db;
	json_t *report;

	if ((db = http_db(r, err)) == NULL || validate_run(db, &report, err) == -1)
		return -1;
	http_reply_json(rep, 200, report);
	return 0;
}
