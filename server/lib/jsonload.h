/* JSON text to jansson values, as json_loadb gives them, in a third of its instructions for
 * the text a plan or a request body is (jansson reads a byte at a time through a buffer). */
#ifndef NETSOT_JSONLOAD_H
#define NETSOT_JSONLOAD_H

#include <jansson.h>
#include <stddef.h>

/* json_loadb(buf, len, flags, error). The text is read here when it keeps to what this reader
 * knows (flags 0 or JSON_REJECT_DUPLICATES; no \u escape, no real, no integer of more than 18
 * digits, no nesting deeper than JSONLOAD_MAX_DEPTH), else and on any error by json_loadb
 * itself: the values, and an error's text and place, are jansson's. */
json_t *jsonload(const char *buf, size_t len, size_t flags, json_error_t *error);

#define JSONLOAD_MAX_DEPTH 256

#endif
