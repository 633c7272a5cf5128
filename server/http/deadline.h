#ifndef NETSOT_DEADLINE_H
#define NETSOT_DEADLINE_H

/* Request-header deadlines: a connection must deliver each request's headers within a span
 * (--timeout) of its start or of the end of its previous request, or it is closed. */

#include <microhttpd.h>
#include <stdint.h>

/* Starts the watchdog thread; span_usec is the time allowed. 0 or -1. */
int deadline_start(uint64_t span_usec);
/* Stops and joins it, once the daemon is stopped (no connection is left). */
void deadline_stop(void);
/* MHD_OPTION_NOTIFY_CONNECTION: a connection opens (its clock starts) or closes. */
void deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe);
/* A request's headers are in (no deadline while it is handled) / its answer is done (the
 * next request's clock starts). */
void deadline_busy(struct MHD_Connection *conn);
void deadline_idle(struct MHD_Connection *conn);

#endif
