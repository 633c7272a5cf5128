/* Idempotency keys: a retried POST carrying the same Idempotency-Key header gets the first
 * answer again instead of doing the work twice. Keys are per user and kept for
 * --idempotency-ttl seconds (a day by default); an older key is a new one. */
#ifndef NETSOT_IDEM_H
#define NETSOT_IDEM_H

#include "http.h"

#define IDEM_KEY_MAX 128
#define IDEM_HASH_LEN 32   /* BLAKE2b of the request's canonical JSON body */

/* Inside the write transaction: 1 and the stored answer in rep when the key was used before
 * on this route with the same body, 0 when it is new (or absent), -1 with err (422 for a key
 * reused on another route or with another body, or a bad key). */
int idem_replay(struct req *r, struct db *db, struct reply *rep, struct api_err *err);
/* Records the answer about to be sent, in the same transaction as the work: body as JSON
 * text (compact, as json_dumps writes it for idem_store). */
int idem_store(struct req *r, struct db *db, int status, const json_t *body,
    struct api_err *err);
int idem_store_text(struct req *r, struct db *db, int status, const char *body,
    struct api_err *err);

#endif
