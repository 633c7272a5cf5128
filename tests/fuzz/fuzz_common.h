/* What the libFuzzer harnesses share: one in-memory database per process, migrated and holding
 * the seed plan (db/seed/hybrid-cloud.json) plus an admin user, so that references, uniqueness
 * and the whole-plan checks meet real rows. Every run writes inside a transaction it rolls
 * back, so runs do not depend on each other and a crash file replays alone. */
#ifndef NETSOT_FUZZ_COMMON_H
#define NETSOT_FUZZ_COMMON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "actor.h"
#include "apierr.h"

struct db;

/* The process's database (made on first use; aborts when it cannot be). */
struct db *fuzz_db(void);
/* The admin user every write is made by. */
const struct actor *fuzz_actor(void);
/* A hostile input never earns a 5xx: prints the problem and aborts, so libFuzzer keeps the
 * input as a crash. With NETSOT_FUZZ_VERBOSE set it prints every outcome (why a seed is
 * refused). */
void fuzz_no_5xx(const char *what, const struct api_err *err);
/* data parsed as the server parses a request body or a plan file (jsonload, duplicates
 * refused), or NULL when it is no JSON. jsonload must give what json_loadb gives: the same
 * values with the keys in the same order, or the same error at the same place; a difference
 * aborts. */
json_t *fuzz_parse(const uint8_t *data, size_t size);
/* A NUL-terminated copy of data (malloc'd). */
char *fuzz_string(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
