/* A change preview: changes applied in a write transaction that is rolled back, and the
 * unified diff of every render they alter. POST /api/v1/changes/preview and `netsot preview`
 * answer it, so a person (or a CI job) sees what a firewall rule or DNS record will do to the
 * files before it is saved. */
#ifndef NETSOT_RENDER_PREVIEW_H
#define NETSOT_RENDER_PREVIEW_H

#include <jansson.h>

#include "actor.h"

struct api_err;
struct db;

#define PREVIEW_CHANGES_MAX 100

/* doc is {"changes": [{"op": "create"|"replace"|"patch"|"delete", "resource": NAME, "id": N,
 * "object": {...}}]}; *out is {"results": [the objects as they would be, null for a delete],
 * "renders": [{"target", "params", "path", "diff"}] for each render that would change}. A
 * change the driver refuses is its error, naming the change by index. Nothing is kept. */
int render_preview(const struct actor *a, struct db *db, const json_t *doc, json_t **out,
    struct api_err *err);

#endif
