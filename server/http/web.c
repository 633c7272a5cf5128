#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apierr.h"
#include "config.h"
#include "embed.h"
#include "etag.h"
#include "sbuf.h"

#define WEB_FILE_MAX (4L << 20)

static const struct {
	const char *ext;
	const char *ctype;
} web_types[] = {
	{ .ext = ".html", .ctype = "text/html; charset=utf-8" },
	{ .ext = ".js", .ctype = "text/javascript; charset=utf-8" },
	{ .ext = ".css", .ctype = "text/css; charset=utf-8" },
	{ .ext = ".svg", .ctype = "image/svg+xml" },
	{ .ext = ".png", .ctype = "image/png" },
	{ .ext = ".ico", .ctype = "image/x-icon" },
};

/* Scripts and styles from this origin only, no inline code, no framing, no plugins; the page
 * talks to this server's API and nothing else. */
static const char web_csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

static const char *
web_ctype(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot != NULL && i < sizeof(web_types) / sizeof(web_types[0]); i++)
		if (strcmp(dot, web_types[i].ext) == 0)
			return web_types[i].ctype;
	return NULL;
}

/* A file's bytes from --web DIR, or from the copy built in. */
static int
web_read(const struct config *cfg, const char *name, struct sbuf *out, struct api_err *err)
{
	char path[4096], buf[8192];
	size_t i, n;
	FILE *f;

	if (cfg->web == NULL) {
		for (i = 0; i < embed_web_count; i++)
			if (strcmp(embed_web[i].name, name) == 0) {
				sbuf_append(out, embed_web[i].data, embed_web[i].len);
				return 0;
			}
		return api_err_set(err, 404, "no such file");
	}
	snprintf(path, sizeof(path), "%s/%s", cfg->web, name);
	if ((f = fopen(path, "rb")) == NULL)
		return api_err_set(err, 404, "no such file");
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && out->len < (size_t)WEB_FILE_MAX)
		sbuf_append(out, buf, n);
	fclose(f);
	return 0;
}

static int
web_serve(struct req *r, struct reply *rep, const char *name, struct api_err *err)
{
	const char *ctype = web_ctype(name);
	struct sbuf sb;

	/* Plain names only: no path, no dot file, a known type. */
	if (ctype == NULL || name[0] == '.' || strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(name))
		return api_err_set(err, 404, "no such file");
	sbuf_init(&sb, (size_t)WEB_FILE_MAX);
	if (web_read(r->srv->cfg, name, &sb, err) == -1) {
		sbuf_free(&sb);
		return -1;
	}
	http_reply_header(rep, "Content-Security-Policy", "%s", web_csp);
	http_reply_header(rep, "Referrer-Policy", "no-referrer");
	http_reply_header(rep, "Cache-Control", "no-cache");
	if (http_reply_etag(r, rep, &sb, ctype, err) == -1) {
		sbuf_free(&sb);
		return -1;
	}
	return 0;
}

int
web_index(struct req *r, struct reply *rep, struct api_err *err)
{
	return web_serve(r, rep, "index.html", err);
}

int
web_file(struct req *r, struct reply *rep, struct api_err *err)
{
	return web_serve(r, rep, r->param, err);
}
