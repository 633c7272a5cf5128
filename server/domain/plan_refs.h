/* The objects a plan import's references name, remembered once found: an address names its
 * host by name, and 100,000 addresses name 20,000 hosts. */
#ifndef NETSOT_PLAN_REFS_H
#define NETSOT_PLAN_REFS_H

#include <jansson.h>
#include <stdbool.h>

#include "apierr.h"
#include "db.h"
#include "resource.h"

struct plan_refs;

struct plan_refs *plan_refs_new(void);
void plan_refs_free(struct plan_refs *r);
/* plan_lookup, answered from memory for a one-field key (a string or an integer) that was
 * found before. Only found objects are remembered: valid while no object is deleted and no
 * natural key changes, as in an import's creates and updates (an update by natural key
 * writes the same key). */
int plan_refs_lookup(struct plan_refs *r, struct db *db, const struct resource *res,
    const json_t *key, const char *field, long long *id, struct api_err *err);
/* True when the object (res, id) was found by a lookup of refs (a struct plan_refs): it
 * exists while no object is deleted. The form resource_refs_known takes. */
bool plan_refs_known(void *refs, const struct resource *res, long long id);

#endif
