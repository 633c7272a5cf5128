#include "res.h"

static const char *const res_changes_actions[] = { "create", "update", "delete", NULL };

/* The audit log, read through the same driver: every field read-only, no writes. */
static const struct field res_changes_fields[] = {
	{ .name = "time", .type = FT_TEXT, .flags = F_READONLY | F_ORDER },
	{ .name = "username", .type = FT_TEXT, .flags = F_READONLY | F_FILTER },
	{ .name = "request_id", .type = FT_TEXT, .flags = F_READONLY | F_FILTER },
	{ .name = "action", .type = FT_ENUM, .flags = F_READONLY | F_FILTER,
	  .values = res_changes_actions },
	{ .name = "object_type", .type = FT_TEXT, .flags = F_READONLY | F_FILTER },
	{ .name = "object_id", .type = FT_INT, .flags = F_READONLY | F_FILTER },
	{ .name = "before", .type = FT_OBJECT, .flags = F_READONLY | F_NULL },
	{ .name = "after", .type = FT_OBJECT, .flags = F_READONLY | F_NULL },
	{ .name = NULL },
};

const struct resource res_changes = {
	.name = "changes",
	.flags = R_NO_META | R_READONLY,
	.table = "changes",
	.object = "change",
	.fields = res_changes_fields,
};
