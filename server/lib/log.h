/* Lines on stderr, each written with one write(2) so lines from server threads never interleave. */
#ifndef NETSOT_LOG_H
#define NETSOT_LOG_H

#include <stdint.h>

void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The access-log line: method, path, status, microseconds, user, request id. */
void log_access(const char *method, const char *path, int status, uint64_t usec,
    const char *user, const char *reqid);

#endif
