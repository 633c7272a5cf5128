#ifndef NETSOT_CLOCK_H
#define NETSOT_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CLOCK_RFC3339_LEN 21 /* "2026-11-29T14:39:00Z" + NUL */
#define CLOCK_RFC3339_LAST 253402300799LL   /* 9999-12-31T23:59:59Z */

time_t clock_now(void);
uint64_t clock_usec(void);    /* monotonic microseconds, for durations */
void clock_rfc3339(time_t t, char buf[CLOCK_RFC3339_LEN]);
/* The time ms milliseconds from now on clock clk: pthread_cond_timedwait's deadline. */
void clock_after_ms(clockid_t clk, long ms, struct timespec *out);

#endif
