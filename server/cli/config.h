/* Settings from flags and NETSOT_* environment variables, described by one option table. */
#ifndef NETSOT_CONFIG_H
#define NETSOT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Which commands take an option. */
enum {
	CMD_SERVE = 1 << 0,
	CMD_MIGRATE = 1 << 1,
	CMD_USER_ADD = 1 << 2,
	CMD_VALIDATE = 1 << 3,
	CMD_IMPORT = 1 << 4,
	CMD_EXPORT = 1 << 5,
	CMD_RENDER = 1 << 6,
	CMD_USER_PASSWD = 1 << 7,
	CMD_PREVIEW = 1 << 8,
	CMD_BACKUP = 1 << 9,
	CMD_RESTORE = 1 << 10,
};

#define CONFIG_MAX_ARGS 8
#define CONFIG_MAX_LIST 8

/* An option that may be given several times. */
struct config_list {
	int n;
	char *v[CONFIG_MAX_LIST];
};

struct config {
	char *db;
	char *listen;
	char *jwt_key_file;     /* NULL = next to the database */
	char *web;              /* serve the UI from this directory, NULL = the embedded copy */
	char *role;
	char *metrics_allow;    /* CIDRs that read /metrics without a token, comma-separated */
	char *tls_cert;         /* PEM files for HTTPS, or NULL for plain HTTP */
	char *tls_key;
	long threads;
	long max_body;
	long max_import_body;   /* the cap for POST /api/v1/import, which takes whole plans */
	char *mode;             /* import: merge or replace */
	bool dry_run;
	bool force;             /* restore: even while the database is in use */
	struct config_list params;   /* render: --param k=v */
	long token_ttl;
	long timeout;
	long max_connections;
	long login_max_failures;
	long login_max_failures_addr;
	long login_window;
	long idempotency_ttl;   /* seconds an Idempotency-Key is remembered */
	bool password_stdin;
	bool json;              /* errors as problem+json instead of one line */
	bool help;
	int nargs;              /* positional arguments */
	char *args[CONFIG_MAX_ARGS];
};

void config_init(struct config *c);
void config_free(struct config *c);
/* Reads the environment, then argv (flags win). On error, writes one line to err. */
int config_parse(struct config *c, unsigned cmd, int argc, char **argv, char *err,
    size_t errlen);
/* One line per option the command takes, for --help. */
void config_usage(unsigned cmd, char *buf, size_t len);
/* The key file: the flag's value, or the database path with ".jwtkey" appended. */
char *config_key_path(const struct config *c);

#endif
