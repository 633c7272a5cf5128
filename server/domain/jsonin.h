/* Strict checking of a JSON object against a small field table: unknown fields and wrong types
 * are 400, missing required fields 422, each named in the error's field map. */
#ifndef NETSOT_JSONIN_H
#define NETSOT_JSONIN_H

#include <jansson.h>
#include <stdbool.h>

struct api_err;

enum jsonin_type { JSONIN_STRING, JSONIN_INTEGER, JSONIN_BOOL };

struct jsonin_field {
	const char *name;
	enum jsonin_type type;
	bool required;
	long long min, max;   /* string length or integer value bounds */
};

/* Checks obj (which may be NULL for a missing body) against a table ended by a NULL name. */
int jsonin_check(const json_t *obj, const struct jsonin_field *fields, struct api_err *err);
const char *jsonin_type_name(enum jsonin_type t);

#endif
