/* One error report per failing call chain: every function that can fail fills a struct api_err
 * and returns -1; only http_reply_error() turns it into an RFC 9457 problem response. */
#ifndef NETSOT_APIERR_H
#define NETSOT_APIERR_H

#include <jansson.h>

struct api_err {
	int status;          /* HTTP status; 0 = no error recorded */
	char detail[512];
	json_t *errors;      /* per-field messages: {"field": "message"}, owned */
	char allow[96];      /* Allow header for 405 */
	int retry_after;     /* Retry-After seconds for 429, 0 = none */
};

void api_err_init(struct api_err *e);
void api_err_free(struct api_err *e);
/* dst takes src's error (what dst held is freed); src is left empty. */
void api_err_move(struct api_err *dst, struct api_err *src);
/* Records status and detail (printf-style); keeps the first status if one is already set. */
int api_err_set(struct api_err *e, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds a per-field message; the status defaults to 422 if none was set. */
int api_err_field(struct api_err *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *api_err_title(int status);
/* The problem+json document for the error; new reference. */
json_t *api_err_problem(const struct api_err *e, const char *instance);

#endif
