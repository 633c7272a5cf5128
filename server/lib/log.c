#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "logbuf.h"
#include "sbuf.h"

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

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not one. */
static size_t
log_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* s as a JSON string, at most max bytes of it: values come from the network, so bytes that are
 * not UTF-8 become U+FFFD and control characters are escaped; the line stays one line of JSON. */
static void
log_json_str(struct sbuf *sb, const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	char clean[LOG_FIELD_MAX];
	size_t i = 0, o = 0, n, k;

	if (s == NULL || *s == '\0') {
		sbuf_puts(sb, "null");
		return;
	}
	if (max > sizeof(clean))
		max = sizeof(clean);
	n = strlen(s);
	while (i < n && o < max) {
		/* ASCII runs, the usual case, go in one copy. */
		for (k = 0; i + k < n && o + k < max && u[i + k] < 0x80; k++)
			;
		memcpy(clean + o, s + i, k);
		o += k;
		i += k;
		if (i == n || o == max)
			break;
		if ((k = log_utf8_len(u + i, n - i)) == 0) {
			/* U+FFFD REPLACEMENT CHARACTER, as a decoder shows it. */
			if (o + 3 > max)
				break;
			memcpy(clean + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		if (o + k > max)
			break;
		memcpy(clean + o, s + i, k);
		o += k;
		i += k;
	}
	sbuf_json(sb, clean, o);
}

void
log_access(const struct log_access *a)
{
	char ts[CLOCK_RFC3339_LEN];
	struct sbuf sb;

	clock_rfc3339(clock_now(), ts);
	sbuf_init(&sb, 0);
	sbuf_reserve_hint(&sb, 512);
	sbuf_puts(&sb, "{\"time\":\"");
	sbuf_puts(&sb, ts);
	sbuf_puts(&sb, "\",\"id\":");
	log_json_str(&sb, a->reqid, 64);
	sbuf_puts(&sb, ",\"client\":");
	log_json_str(&sb, a->client, 64);
	sbuf_puts(&sb, ",\"user\":");
	log_json_str(&sb, a->user, 64);
	sbuf_puts(&sb, ",\"method\":");
	log_json_str(&sb, a->method, 16);
	sbuf_puts(&sb, ",\"route\":");
	log_json_str(&sb, a->route, 128);
	sbuf_puts(&sb, ",\"path\":");
	log_json_str(&sb, a->path, LOG_PATH_MAX);
	sbuf_puts(&sb, ",\"status\":");
	sbuf_int(&sb, a->status);
	sbuf_puts(&sb, ",\"duration_us\":");
	sbuf_int(&sb, (long long)a->usec);
	sbuf_puts(&sb, ",\"bytes\":");
	sbuf_int(&sb, (long long)a->bytes);
	sbuf_puts(&sb, "}\n");
	/* Whole lines, gathered per thread while the server runs (logbuf.c). */
	if (!sbuf_failed(&sb))
		logbuf_put(sbuf_str(&sb), sb.len);
	sbuf_free(&sb);
}
