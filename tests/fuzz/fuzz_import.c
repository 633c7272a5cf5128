/* The plan file (server/domain/plan_import.c and plan.c), as POST /api/v1/import and netsot
 * import read it: a document parsed the way the HTTP layer parses it, imported as a dry run
 * (everything written, then rolled back) into the database that holds the seed plan, merged
 * and then as a replacement. */
#include "fuzz_common.h"

#include <jansson.h>
#include <stdlib.h>

#include "plan.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan_import_opts opts = { .dry_run = true };
	struct db *db = fuzz_db();
	struct api_err err;
	json_t *doc, *report = NULL;
	int i;

	if ((doc = fuzz_parse(data, size)) == NULL)
		return 0;
	for (i = 0; i < 2; i++) {
		opts.replace = i == 1;
		api_err_init(&err);
		if (plan_import(fuzz_actor(), db, doc, &opts, &report, &err) == 0 &&
		    !json_is_object(report))
			abort();
		fuzz_no_5xx(opts.replace ? "import (replace)" : "import (merge)", &err);
		if (err.status != 0 && (err.status < 400 || err.detail[0] == '\0'))
			abort();
		json_decref(report);
		report = NULL;
		api_err_free(&err);
	}
	json_decref(doc);
	return 0;
}
