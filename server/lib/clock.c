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

/* n as width digits at p. */
static void
clock_digits(char *p, unsigned n, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + n % 10);
		n /= 10;
	}
}

/* The civil date of a day count since 1970-01-01 (Howard Hinnant's days_from_civil turned
 * round): gmtime_r and strftime were 2.8k instructions, a token's expiry on every /auth/me. */
static void
clock_civil(long long z, unsigned *y, unsigned *m, unsigned *d)
{
	unsigned doe, yoe, doy, mp;
	long long era;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

/* 1970 to 9999 by arithmetic; anything else as strftime writes it (a year past 9999 does not
 * fit: "" rather than what strftime left). */
static void
clock_format(time_t t, char text[CLOCK_RFC3339_LEN])
{
	unsigned y, m, d, s;
	struct tm tm;

	if (t >= 0 && t <= CLOCK_RFC3339_LAST) {
		clock_civil((long long)t / 86400, &y, &m, &d);
		s = (unsigned)((long long)t % 86400);
		memcpy(text, "0000-00-00T00:00:00Z", CLOCK_RFC3339_LEN);
		clock_digits(text, y, 4);
		clock_digits(text + 5, m, 2);
		clock_digits(text + 8, d, 2);
		clock_digits(text + 11, s / 3600, 2);
		clock_digits(text + 14, s / 60 % 60, 2);
		clock_digits(text + 17, s % 60, 2);
		return;
	}
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(text, CLOCK_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		text[0] = '\0';
}

void
clock_rfc3339(time_t t, char buf[CLOCK_RFC3339_LEN])
{
	/* Each thread keeps the last second it wrote: an access line a request asks for it. */
	static _Thread_local time_t last = -1;
	static _Thread_local char text[CLOCK_RFC3339_LEN];

	if (t != last) {
		clock_format(t, text);
		last = t;
	}
	memcpy(buf, text, CLOCK_RFC3339_LEN);
}
