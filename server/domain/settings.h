/* Plan-wide settings: one object of the settings resource (res_settings.c), whose field table
 * holds their names, types and defaults. */
#ifndef NETSOT_SETTINGS_H
#define NETSOT_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>

#include "actor.h"

struct api_err;
struct db;

/* Every setting: {"forward_default_action":"drop", ...}. */
int settings_load(struct db *db, json_t **out, struct api_err *err);
/* A plan import's settings, inside its transaction: merged into the stored ones, or with
 * replace the defaults with want (may be NULL) over them; *changed says whether they did. */
int settings_import(const struct actor *a, struct db *db, const json_t *want, bool replace,
    bool *changed, struct api_err *err);

#endif
