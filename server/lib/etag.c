#include "etag.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "apierr.h"
#include "sbuf.h"

void
etag_of(const char *text, size_t len, char buf[ETAG_LEN])
{
	unsigned char h[8];
	char hex[17];

	crypto_generichash(h, sizeof(h), (const unsigned char *)text, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(buf, ETAG_LEN, "\"%s\"", hex);
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

int
etag_reply(struct req *r, struct reply *rep, struct sbuf *body, const char *ctype,
    struct api_err *err)
{
	const char *inm = http_header(r, "If-None-Match");
	char etag[ETAG_LEN];

	if (sbuf_failed(body))
		return api_err_set(err, 500, "out of memory");
	etag_of(sbuf_str(body), body->len, etag);
	http_reply_header(rep, "ETag", "%s", etag);
	if (inm != NULL && etag_listed(inm, etag)) {
		sbuf_free(body);
		rep->status = 304;
		return 0;
	}
	rep->status = 200;
	rep->ctype = ctype;
	rep->body = sbuf_take(body, &rep->len);
	return rep->body != NULL ? 0 : api_err_set(err, 500, "out of memory");
}
