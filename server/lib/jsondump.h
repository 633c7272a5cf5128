/* Compact JSON text of a jansson value, as the HTTP replies send it. */
#ifndef NETSOT_JSONDUMP_H
#define NETSOT_JSONDUMP_H

#include <jansson.h>

#include "sbuf.h"

/* Deeper values than this are refused. Twice jansson's parser limit (2048): a reply holds
 * stored values a body brought, wrapped in a few levels of its own, and json_dumps, which
 * this replaces, had no limit. A level is one small stack frame. */
#define JSONDUMP_MAX_DEPTH 4096

/* Appends v as json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(10) | JSON_ENCODE_ANY)
 * writes it, but for the case of the hex digits of a \u escape (sbuf_json's lower case, as
 * in the rows the server writes itself). -1 when the builder failed or v is too deep. */
int jsondump(struct sbuf *sb, const json_t *v);

#endif
