/* Who is calling: the bearer token checked, then its user or API token looked up, so that a
 * disabled user or a revoked token is refused at once. */
#ifndef NETSOT_SESSION_H
#define NETSOT_SESSION_H

#include "http.h"

int session_authenticate(struct req *r, struct api_err *err);

#endif
