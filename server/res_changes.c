#include "res.h"

static const char *const res_changes_actions[] = { "create", "update", "delete", NULL };

/* The audit log, read through the same driver: every field read-only, no writes. */
static const struct field res_changes_fields[] = {
	{ "time", FT_TEXT, F_READONLY | F_ORDER, NULL, NULL, 0, 0, NULL, NULL },
	{ "username", FT_TEXT, F_READONLY | F_FILTER, NULL, NULL, 0, 0, NULL, NULL },
	{ "request_id", FT_TEXT, F_READONLY | F_FILTER, NULL, NULL, 0, 0, NULL, NULL },
	{ "action", FT_ENUM, F_READONLY | F_FILTER, NULL, res_changes_actions, 0, 0, NULL,
	  NULL },
	{ "object_type", FT_TEXT, F_READONLY | F_FILTER, NULL, NULL, 0, 0, NULL, NULL },
	{ "object_id", FT_INT, F_READONLY | F_FILTER, NULL, NULL, 0, 0, NULL, NULL },
	{ "before", FT_OBJECT, F_READONLY | F_NULL, NULL, NULL, 0, 0, NULL, NULL },
	{ "after", FT_OBJECT, F_READONLY | F_NULL, NULL, NULL, 0, 0, NULL, NULL },
	{ NULL, FT_INT, 0, NULL, NULL, 0, 0, NULL, NULL },
};

const struct resource res_changes = {
	.name = "changes",
	.flags = R_NO_META | R_READONLY,
	.table = "changes",
	.object = "change",
	.fields = res_changes_fields,
};
