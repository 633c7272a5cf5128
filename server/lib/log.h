/* Lines on stderr, each written with one write(2) so lines from server threads never interleave. */
#ifndef NETSOT_LOG_H
#define NETSOT_LOG_H

#include <stdint.h>

void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Caps of the access log: any field, and the path. */
#define LOG_FIELD_MAX 512
#define LOG_PATH_MAX 256

/* One answered request. Strings may be NULL (written as null); none of them may hold a secret:
 * the path is the URL without its query string. */
struct log_access {
	const char *reqid, *client, *user, *method, *route, *path;
	int status;
	uint64_t usec, bytes;
};

/* The access-log line: one JSON object on one line. */
void log_access(const struct log_access *a);

#endif
