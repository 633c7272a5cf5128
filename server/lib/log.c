#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

static void
log_write(char *line, int n, size_t cap)
{
	if (n < 0)
		return;
	if ((size_t)n >= cap - 1)
		n = (int)cap - 2;
	line[n++] = '\n';
	/* stderr may be a closed pipe; nothing useful to do about a failed log write. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void
log_msg(const char *fmt, ...)
{
	char line[1024], ts[CLOCK_RFC3339_LEN];
	va_list ap;
	int n;

	clock_rfc3339(clock_now(), ts);
	n = snprintf(line, sizeof(line), "%s ", ts);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	log_write(line, n, sizeof(line));
}

/* Paths come from the network: keep control characters out of the log. */
static void
log_clean(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; src[i] != '\0' && i + 1 < cap; i++)
		dst[i] = (src[i] < 0x20 || src[i] == 0x7f || src[i] == ' ') ? '?' : src[i];
	dst[i] = '\0';
}

void
log_access(const char *method, const char *path, int status, uint64_t usec,
    const char *user, const char *reqid)
{
	char line[1024], ts[CLOCK_RFC3339_LEN], m[16], p[512];
	int n;

	clock_rfc3339(clock_now(), ts);
	log_clean(m, sizeof(m), method ? method : "-");
	log_clean(p, sizeof(p), path ? path : "-");
	n = snprintf(line, sizeof(line), "%s %s %s %d %lluus user=%s id=%s", ts, m, p, status,
	    (unsigned long long)usec, user && *user ? user : "-", reqid);
	log_write(line, n, sizeof(line));
}
