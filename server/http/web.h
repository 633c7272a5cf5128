/* The web UI: static files (web/), built into the binary or read from --web DIR, served with a
 * strict Content-Security-Policy. */
#ifndef NETSOT_WEB_H
#define NETSOT_WEB_H

#include "http.h"

/* GET /: the page. */
int web_index(struct req *r, struct reply *rep, struct api_err *err);
/* GET /web/{name}: its scripts and styles. */
int web_file(struct req *r, struct reply *rep, struct api_err *err);

#endif
