/* Who asks the domain for a write: the HTTP layer makes one from the authenticated principal,
 * the command line from the process owner. The domain never sees a request. */
#ifndef NETSOT_ACTOR_H
#define NETSOT_ACTOR_H

#include <stdbool.h>

#include "auth.h"

struct actor {
	const char *name;          /* audit log user: "alice", "cli:root"; NULL is "-" */
	enum role role;            /* what the caller may do; ROLE_NONE is the database's owner */
	const char *request_id;    /* audit log request id; NULL is "-" */
	bool plan;                 /* a plan import: whole-plan checks run once, at the end */
	bool api_token;            /* the caller is an API token, not a user who logged in */
};

#endif
