/* The plan-wide settings, as a resource of the generic driver: one object (a row with id 1,
 * made by its migration) that is read and patched, never created or deleted. */
#include "res.h"

static const char *const res_settings_actions[] = { "drop", "reject", "accept", NULL };

static const struct field res_settings_fields[] = {
	/* What the router does with forwarded traffic no rule accepts. */
	{ .name = "forward_default_action", .type = FT_ENUM, .flags = F_REQUIRED,
	  .values = res_settings_actions, .def = "\"drop\"" },
	/* What a host does with incoming traffic no input rule accepts. */
	{ .name = "input_default_action", .type = FT_ENUM, .flags = F_REQUIRED,
	  .values = res_settings_actions, .def = "\"drop\"" },
	/* Log what the default policy denies. */
	{ .name = "log_denied", .type = FT_BOOL, .flags = F_REQUIRED, .def = "true" },
	{ .name = NULL },
};

const struct resource res_settings = {
	.name = "settings",
	.flags = R_NO_META | R_OWN_ROUTES | R_SINGLETON,
	.table = "settings",
	.object = "settings",
	.fields = res_settings_fields,
};
