#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

enum opt_type { OPT_STR, OPT_LONG, OPT_FLAG, OPT_LIST };

struct opt {
	const char *name;       /* --name */
	const char *env;        /* NETSOT_NAME */
	enum opt_type type;
	size_t off;
	long min, max;
	unsigned cmds;
	const char *arg;
	const char *help;
};

#define ALL_DB (CMD_SERVE | CMD_MIGRATE | CMD_USER_ADD | CMD_USER_PASSWD | CMD_VALIDATE | \
    CMD_IMPORT | CMD_EXPORT | CMD_RENDER | CMD_PREVIEW | CMD_BACKUP | CMD_RESTORE)

/* Commands whose FILE argument may be '-', standard input. */
#define STDIN_ARG (CMD_IMPORT | CMD_PREVIEW)

static const struct opt config_opts[] = {
	{ .name = "db", .env = "NETSOT_DB", .type = OPT_STR, .off = offsetof(struct config, db),
	  .cmds = ALL_DB, .arg = "FILE", .help = "SQLite database file (default netsot.db)" },
	{ .name = "listen", .env = "NETSOT_LISTEN", .type = OPT_STR,
	  .off = offsetof(struct config, listen), .cmds = CMD_SERVE, .arg = "ADDR:PORT",
	  .help = "address to listen on (default 127.0.0.1:8080; port 0 picks one)" },
	{ .name = "threads", .env = "NETSOT_THREADS", .type = OPT_LONG,
	  .off = offsetof(struct config, threads), .min = 1, .max = 256, .cmds = CMD_SERVE,
	  .arg = "N", .help = "server threads (default 4)" },
	{ .name = "max-body", .env = "NETSOT_MAX_BODY", .type = OPT_LONG,
	  .off = offsetof(struct config, max_body), .min = 1024, .max = 1L << 30,
	  .cmds = CMD_SERVE, .arg = "BYTES",
	  .help = "largest request body accepted (default 1048576)" },
	{ .name = "max-import-body", .env = "NETSOT_MAX_IMPORT_BODY", .type = OPT_LONG,
	  .off = offsetof(struct config, max_import_body), .min = 1024, .max = 1L << 30,
	  .cmds = CMD_SERVE, .arg = "BYTES",
	  .help = "largest plan file POST /api/v1/import accepts (default 67108864)" },
	{ .name = "web", .env = "NETSOT_WEB", .type = OPT_STR, .off = offsetof(struct config, web),
	  .cmds = CMD_SERVE, .arg = "DIR",
	  .help = "serve the web UI from DIR (default: the copy built into the binary)" },
	{ .name = "jwt-key-file", .env = "NETSOT_JWT_KEY_FILE", .type = OPT_STR,
	  .off = offsetof(struct config, jwt_key_file), .cmds = CMD_SERVE, .arg = "FILE",
	  .help = "token signing key, made on first start (default DB.jwtkey)" },
	{ .name = "token-ttl", .env = "NETSOT_TOKEN_TTL", .type = OPT_LONG,
	  .off = offsetof(struct config, token_ttl), .min = 60, .max = 86400, .cmds = CMD_SERVE,
	  .arg = "SECONDS", .help = "lifetime of a login token (default 900)" },
	{ .name = "timeout", .env = "NETSOT_TIMEOUT", .type = OPT_LONG,
	  .off = offsetof(struct config, timeout), .min = 1, .max = 3600, .cmds = CMD_SERVE,
	  .arg = "SECONDS", .help = "idle connection timeout, and the time a request's headers have "
	  "to arrive (default 30)" },
	{ .name = "max-connections", .env = "NETSOT_MAX_CONNECTIONS", .type = OPT_LONG,
	  .off = offsetof(struct config, max_connections), .min = 1, .max = 100000,
	  .cmds = CMD_SERVE, .arg = "N",
	  .help = "open connections at most; more wait in the listen queue (default 1000)" },
	{ .name = "login-max-failures", .env = "NETSOT_LOGIN_MAX_FAILURES", .type = OPT_LONG,
	  .off = offsetof(struct config, login_max_failures), .min = 1, .max = 1000,
	  .cmds = CMD_SERVE, .arg = "N",
	  .help = "failed logins per user name before 429 (default 5)" },
	{ .name = "login-max-failures-per-address",
	  .env = "NETSOT_LOGIN_MAX_FAILURES_PER_ADDRESS", .type = OPT_LONG,
	  .off = offsetof(struct config, login_max_failures_addr), .min = 1, .max = 100000,
	  .cmds = CMD_SERVE, .arg = "N",
	  .help = "failed logins per client address before 429 (default 20)" },
	{ .name = "login-window", .env = "NETSOT_LOGIN_WINDOW", .type = OPT_LONG,
	  .off = offsetof(struct config, login_window), .min = 1, .max = 86400,
	  .cmds = CMD_SERVE, .arg = "SECONDS",
	  .help = "window for counting failed logins (default 300)" },
	{ .name = "idempotency-ttl", .env = "NETSOT_IDEMPOTENCY_TTL", .type = OPT_LONG,
	  .off = offsetof(struct config, idempotency_ttl), .min = 1, .max = 366L * 86400,
	  .cmds = CMD_SERVE, .arg = "SECONDS",
	  .help = "how long an Idempotency-Key is remembered (default 86400)" },
	{ .name = "metrics-allow", .env = "NETSOT_METRICS_ALLOW", .type = OPT_STR,
	  .off = offsetof(struct config, metrics_allow), .cmds = CMD_SERVE, .arg = "CIDR,...",
	  .help = "clients that read /metrics without a token, or none "
	  "(default 127.0.0.0/8,::1/128)" },
	{ .name = "tls-cert", .env = "NETSOT_TLS_CERT", .type = OPT_STR,
	  .off = offsetof(struct config, tls_cert), .cmds = CMD_SERVE, .arg = "FILE",
	  .help = "serve HTTPS with this PEM certificate (chain); needs --tls-key" },
	{ .name = "tls-key", .env = "NETSOT_TLS_KEY", .type = OPT_STR,
	  .off = offsetof(struct config, tls_key), .cmds = CMD_SERVE, .arg = "FILE",
	  .help = "the PEM private key of --tls-cert, unencrypted" },
	{ .name = "role", .env = "NETSOT_ROLE", .type = OPT_STR,
	  .off = offsetof(struct config, role), .cmds = CMD_USER_ADD,
	  .arg = "viewer|editor|admin", .help = "the user's role (default viewer)" },
	{ .name = "mode", .env = "NETSOT_IMPORT_MODE", .type = OPT_STR,
	  .off = offsetof(struct config, mode), .cmds = CMD_IMPORT, .arg = "merge|replace",
	  .help = "merge: create or update by natural key (default); replace: the database "
	  "becomes exactly the file" },
	{ .name = "dry-run", .env = "NETSOT_DRY_RUN", .type = OPT_FLAG,
	  .off = offsetof(struct config, dry_run), .cmds = CMD_IMPORT,
	  .help = "report what would change, change nothing" },
	{ .name = "force", .env = "NETSOT_RESTORE_FORCE", .type = OPT_FLAG,
	  .off = offsetof(struct config, force), .cmds = CMD_RESTORE,
	  .help = "restore even while another process (a server) has the database open" },
	{ .name = "param", .env = "NETSOT_RENDER_PARAM", .type = OPT_LIST,
	  .off = offsetof(struct config, params), .cmds = CMD_RENDER, .arg = "NAME=VALUE",
	  .help = "a parameter of the target (again for each)" },
	{ .name = "password-stdin", .env = "NETSOT_PASSWORD_STDIN", .type = OPT_FLAG,
	  .off = offsetof(struct config, password_stdin), .cmds = CMD_USER_ADD | CMD_USER_PASSWD,
	  .help = "read the password from standard input (required)" },
	{ .name = "json", .env = "NETSOT_JSON", .type = OPT_FLAG,
	  .off = offsetof(struct config, json),
	  .cmds = ALL_DB & ~(CMD_SERVE | CMD_BACKUP | CMD_RESTORE),
	  .help = "print an error as problem+json (for scripts) instead of one line" },
};

#define NOPTS (sizeof(config_opts) / sizeof(config_opts[0]))

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->threads = 4;
	c->max_body = 1L << 20;
	c->max_import_body = 64L << 20;
	c->token_ttl = 900;
	c->timeout = 30;
	c->max_connections = 1000;
	c->login_max_failures = 5;
	c->login_max_failures_addr = 20;
	c->login_window = 300;
	c->idempotency_ttl = 86400;
}

void
config_free(struct config *c)
{
	struct config_list *l;
	size_t i;
	int j;

	for (i = 0; i < NOPTS; i++) {
		if (config_opts[i].type == OPT_STR)
			free(*(char **)((char *)c + config_opts[i].off));
		if (config_opts[i].type != OPT_LIST)
			continue;
		l = (struct config_list *)((char *)c + config_opts[i].off);
		for (j = 0; j < l->n; j++)
			free(l->v[j]);
	}
	config_init(c);
}

static int
config_set(struct config *c, const struct opt *o, const char *val, const char *src,
    char *err, size_t errlen)
{
	void *field = (char *)c + o->off;
	char *end;
	long v;

	switch (o->type) {
	case OPT_STR:
		if (*val == '\0') {
			snprintf(err, errlen, "%s: empty value", src);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(val);
		return 0;
	case OPT_LONG:
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || v < o->min || v > o->max) {
			snprintf(err, errlen, "%s: '%s' is not a number from %ld to %ld", src, val,
			    o->min, o->max);
			return -1;
		}
		*(long *)field = v;
		return 0;
	case OPT_LIST:
		if (((struct config_list *)field)->n == CONFIG_MAX_LIST) {
			snprintf(err, errlen, "%s: at most %d", src, CONFIG_MAX_LIST);
			return -1;
		}
		((struct config_list *)field)->v[((struct config_list *)field)->n++] =
		    xstrdup(val);
		return 0;
	case OPT_FLAG:
		if (strcmp(val, "1") != 0 && strcmp(val, "true") != 0 &&
		    strcmp(val, "0") != 0 && strcmp(val, "false") != 0) {
			snprintf(err, errlen, "%s: '%s' is not 1, 0, true or false", src, val);
			return -1;
		}
		*(bool *)field = val[0] == '1' || val[0] == 't';
		return 0;
	}
	return -1;
}

static const struct opt *
config_find(const char *name, size_t len, unsigned cmd)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if ((config_opts[i].cmds & cmd) && strlen(config_opts[i].name) == len &&
		    strncmp(config_opts[i].name, name, len) == 0)
			return &config_opts[i];
	return NULL;
}

int
config_parse(struct config *c, unsigned cmd, int argc, char **argv, char *err, size_t errlen)
{
	const struct opt *o;
	const char *val, *eq;
	char src[96];
	size_t i;
	int a;

	for (i = 0; i < NOPTS; i++) {
		o = &config_opts[i];
		if ((o->cmds & cmd) && (val = getenv(o->env)) != NULL &&
		    config_set(c, o, val, o->env, err, errlen) == -1)
			return -1;
	}
	for (a = 0; a < argc; a++) {
		const char *arg = argv[a];

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			c->help = true;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			if (c->nargs == CONFIG_MAX_ARGS || (arg[0] == '-' &&
			    !(strcmp(arg, "-") == 0 && (cmd & STDIN_ARG)))) {
				snprintf(err, errlen, "unexpected argument '%s'", arg);
				return -1;
			}
			c->args[c->nargs++] = argv[a];
			continue;
		}
		eq = strchr(arg + 2, '=');
		o = config_find(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2), cmd);
		if (o == NULL) {
			snprintf(err, errlen, "unknown option '%.*s'",
			    eq ? (int)(eq - arg) : (int)strlen(arg), arg);
			return -1;
		}
		snprintf(src, sizeof(src), "--%s", o->name);
		if (o->type == OPT_FLAG && eq == NULL)
			val = "1";
		else if (eq != NULL)
			val = eq + 1;
		else if (a + 1 < argc)
			val = argv[++a];
		else {
			snprintf(err, errlen, "option '--%s' needs a value", o->name);
			return -1;
		}
		if (config_set(c, o, val, src, err, errlen) == -1)
			return -1;
	}
	if ((cmd & ALL_DB) && c->db == NULL)
		c->db = xstrdup("netsot.db");
	if ((cmd & CMD_SERVE) && c->listen == NULL)
		c->listen = xstrdup("127.0.0.1:8080");
	if ((cmd & CMD_SERVE) && c->metrics_allow == NULL)
		c->metrics_allow = xstrdup("127.0.0.0/8,::1/128");
	return 0;
}

void
config_usage(unsigned cmd, char *buf, size_t len)
{
	size_t i, used = 0;
	char flag[64];
	int n;

	buf[0] = '\0';
	for (i = 0; i < NOPTS && used < len; i++) {
		const struct opt *o = &config_opts[i];

		if (!(o->cmds & cmd))
			continue;
		snprintf(flag, sizeof(flag), "--%s%s%s", o->name, o->arg ? " " : "",
		    o->arg ? o->arg : "");
		n = snprintf(buf + used, len - used, "  %-32s %s [%s]\n", flag, o->help, o->env);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

char *
config_key_path(const struct config *c)
{
	if (c->jwt_key_file != NULL)
		return xstrdup(c->jwt_key_file);
	return xasprintf("%s.jwtkey", c->db);
}
