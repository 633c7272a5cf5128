/* A trigger set aside for the length of one long write transaction, its work done by the
 * caller once per statement instead of by SQLite once per row. Only a trigger whose SQL is
 * the one the caller knows is set aside: a migration that changes it leaves it in place (the
 * caller's own work would then be wrong), so the write is slower and still right. Dropped and
 * made again inside the caller's transaction, from the schema's own text: a rollback or a
 * crash leaves it as it was. */
#ifndef NETSOT_DBTRIGGER_H
#define NETSOT_DBTRIGGER_H

#include "db.h"

/* Drops trigger name when its SQL is want (both read with every run of white space as one
 * space): 1 and its SQL in *saved (new); 0 when it is missing or another (*saved NULL); -1
 * with err. */
int dbtrigger_aside(struct db *db, const char *name, const char *want, char **saved,
    struct api_err *err);
/* Makes the trigger of *saved again and frees it (*saved NULL); nothing when *saved is NULL. */
int dbtrigger_restore(struct db *db, char **saved, struct api_err *err);

#endif
