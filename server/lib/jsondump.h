/* Compact JSON text of a jansson value, as the HTTP replies send it. */
#ifndef NETSOT_JSONDUMP_H
#define NETSOT_JSONDUMP_H

#include <jansson.h>

#include "sbuf.h"

/* Deeper values than this are refused (the replies are built by the server: none is). */
#define JSONDUMP_MAX_DEPTH 512

/* Appends v as json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(10) | JSON_ENCODE_ANY)
 * writes it, but for the case of the hex digits of a \u escape (sbuf_json's lower case, as
 * in the rows the server writes itself). -1 when the builder failed or v is too deep. */
int jsondump(struct sbuf *sb, const json_t *v);

#endif
