#include "settings.h"

#include "res.h"

int
settings_load(struct db *db, json_t **out, struct api_err *err)
{
	return resource_load_plain(db, &res_settings, 1, out, err);
}

int
settings_import(const struct actor *a, struct db *db, const json_t *want, bool replace,
    bool *changed, struct api_err *err)
{
	json_t *empty = want == NULL ? json_object() : NULL;
	int rc;

	/* A replace is the driver's PUT: defaults from the field table, then want over them. */
	rc = resource_update_one(a, db, &res_settings, 1, want != NULL ? want : empty, !replace,
	    changed, err);
	json_decref(empty);
	return rc;
}
