/* The validation report of the whole plan: {"findings":[{"severity","code","message",
 * "objects":[{"type","id"}]}],"summary":{...}}. The codes are the table in validate.c. */
#ifndef NETSOT_VALIDATE_H
#define NETSOT_VALIDATE_H

#include <jansson.h>

struct api_err;
struct db;
struct vctx;

struct validate_check {
	const char *code;
	const char *severity;      /* "error" or "warning" */
	int (*fn)(struct vctx *v, struct api_err *err);
	const char *doc;
};

extern const struct validate_check validate_checks[];

int validate_run(struct db *db, json_t **out, struct api_err *err);

#endif
