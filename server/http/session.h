/* Who is calling: the bearer token checked, then its user or API token looked up, so that a
 * disabled user or a revoked token is refused at once. */
#ifndef NETSOT_SESSION_H
#define NETSOT_SESSION_H

#include "http.h"

int session_authenticate(struct req *r, struct api_err *err);
/* Forgets every verified token in every thread: call after any change to users or tokens. */
void session_invalidate(void);

#endif
