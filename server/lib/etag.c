#include "etag.h"

#include <sodium.h>
#include <string.h>


void
etag_of(const char *text, size_t len, char buf[ETAG_LEN])
{
	unsigned char h[8];

	/* "<16 hex digits>": the digits written in place, between the quotes. */
	crypto_generichash(h, sizeof(h), (const unsigned char *)text, len, NULL, 0);
	buf[0] = '"';
	sodium_bin2hex(buf + 1, 2 * sizeof(h) + 1, h, sizeof(h));
	buf[17] = '"';
	buf[18] = '\0';
}

bool
etag_listed(const char *list, const char *etag)
{
	size_t n = strlen(etag);
	const char *p;

	for (p = list; *p != '\0';) {
		p += strspn(p, " \t,");
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p == '*' || (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' ||
		    p[n] == ' ')))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}
