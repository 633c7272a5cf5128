#include "clock.h"

#include <stdio.h>
#include <string.h>

time_t
clock_now(void)
{
	return time(NULL);
}

uint64_t
clock_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void
clock_after_ms(clockid_t clk, long ms, struct timespec *out)
{
	clock_gettime(clk, out);
	out->tv_sec += ms / 1000;
	out->tv_nsec += (ms % 1000) * 1000000L;
	out->tv_sec += out->tv_nsec / 1000000000L;
	out->tv_nsec %= 1000000000L;
}

void
clock_rfc3339(time_t t, char buf[CLOCK_RFC3339_LEN])
{
	/* Each thread keeps the last second it wrote: an access line a request asks for it,
	 * and strftime was a fifth of a log line's cost. */
	static _Thread_local time_t last = -1;
	static _Thread_local char text[CLOCK_RFC3339_LEN];
	struct tm tm;

	if (t != last) {
		/* A year past 9999 does not fit: "" rather than what strftime left. */
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(text, CLOCK_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
			text[0] = '\0';
		last = t;
	}
	memcpy(buf, text, CLOCK_RFC3339_LEN);
}
