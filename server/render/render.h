/* Rendering the plan into the files its consumers read: a table of targets (one file each in
 * server/render/), their parameters, and what every render shares: the parameter checks, the
 * tables a target reads (found by watching it read, not listed), their revisions, the ETag,
 * and the header comment. */
#ifndef NETSOT_RENDER_H
#define NETSOT_RENDER_H

#include <jansson.h>
#include <stdbool.h>

#include "clock.h"
#include "etag.h"

struct api_err;
struct db;
struct sbuf;

#define RENDER_PARAMS_MAX 4

struct render_param {
	const char *name;
	bool required;
	const char *help;
};

struct render_ctx {
	struct db *db;
	const struct render_target *target;
	int nparams;
	const char *keys[RENDER_PARAMS_MAX];
	const char *values[RENDER_PARAMS_MAX];
	long long host_id;                 /* the host= parameter's host, when the target has one */
	const char *host;
	long long revision;                /* the latest change of the data the target reads */
	char changed[CLOCK_RFC3339_LEN];   /* and its time ("" when there was none) */
	char etag[ETAG_LEN];
};

struct render_target {
	const char *name;
	const struct render_param *params;  /* NULL-name terminated */
	const char *ctype;
	const char *comment;                /* the language's line comment; NULL: no header */
	const char *preamble;               /* what must come before the header, or NULL */
	int (*fn)(struct render_ctx *c, struct sbuf *out, struct api_err *err);
	const char *help;
};

extern const struct render_target render_targets[];

#define RENDER_ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* in copied to out (at most len - 1 bytes, in and out may be the same), each byte that is not
 * in allowed made '_': a name made safe for the syntax of a target. */
void render_safe(const char *in, const char *allowed, char *out, size_t len);
/* Free text made safe for a line comment of any target: charrule_clean(), and no backslash at
 * its end, which ifupdown would read as joining the next line into the comment. */
void render_comment(const char *in, char *out, size_t len);
/* A parameter's value, or NULL. */
const char *render_param(const struct render_ctx *c, const char *name);

/* Checks the target and parameters (400, 404 for an unknown target or host), and finds the
 * revision and the ETag, without rendering: enough to answer If-None-Match. */
int render_prepare(struct db *db, const char *target, int n, const char *const *keys,
    const char *const *values, struct render_ctx *c, struct api_err *err);
/* Appends the header and the file. */
int render_body(struct render_ctx *c, struct sbuf *out, struct api_err *err);
/* Appends the file alone, without the preamble and the header that names the plan revision
 * (a change preview compares files across a change, which moves the revision). */
int render_content(struct render_ctx *c, struct sbuf *out, struct api_err *err);
/* The targets and their parameters, as GET /api/v1/render lists them. */
json_t *render_list(void);

/* Target functions, one file each in server/render/. */
int render_hosts(struct render_ctx *c, struct sbuf *out, struct api_err *err);
int render_dnsmasq(struct render_ctx *c, struct sbuf *out, struct api_err *err);
int render_bind(struct render_ctx *c, struct sbuf *out, struct api_err *err);
int render_nftables(struct render_ctx *c, struct sbuf *out, struct api_err *err);
int render_iptables(struct render_ctx *c, struct sbuf *out, struct api_err *err);
int render_ufw(struct render_ctx *c, struct sbuf *out, struct api_err *err);
int render_interfaces(struct render_ctx *c, struct sbuf *out, struct api_err *err);
int render_mwan3(struct render_ctx *c, struct sbuf *out, struct api_err *err);
int render_k3s(struct render_ctx *c, struct sbuf *out, struct api_err *err);
int render_ansible(struct render_ctx *c, struct sbuf *out, struct api_err *err);

#endif
