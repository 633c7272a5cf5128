/* Plan-wide settings: a fixed table of names, types and defaults; the database stores the
 * values that differ from nothing (every value once set). */
#ifndef NETSOT_SETTINGS_H
#define NETSOT_SETTINGS_H

#include <jansson.h>

struct api_err;
struct db;

/* Every setting, stored value or default: {"forward_default_action":"drop", ...}. */
int settings_load(struct db *db, json_t **out, struct api_err *err);
/* Checks and stores the settings in body (a JSON object); unknown names are 400. */
int settings_store(struct db *db, const json_t *body, struct api_err *err);

#endif
