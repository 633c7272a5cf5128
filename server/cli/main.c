/* netsot: the command line. Each command is a line in the table below. */
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apierr.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "plan.h"
#include "ratelimit.h"
#include "render.h"
#include "res.h"
#include "sbuf.h"
#include "validate.h"
#include "xmalloc.h"

#ifndef NETSOT_VERSION
#define NETSOT_VERSION "0.0.0"
#endif

struct command {
	const char *name;
	const char *sub;          /* second word, or NULL */
	unsigned opts;            /* CMD_* bit: which options it takes */
	const char *args;         /* positional arguments, for usage */
	int nargs;
	int (*fn)(struct config *c);
	const char *help;
};

static int main_serve(struct config *c);
static int main_migrate(struct config *c);
static int main_user_add(struct config *c);
static int main_version(struct config *c);
static int main_validate(struct config *c);
static int main_import(struct config *c);
static int main_export(struct config *c);
static int main_render(struct config *c);

static const struct command main_commands[] = {
	{ .name = "serve", .opts = CMD_SERVE, .args = "", .fn = main_serve,
	  .help = "run the HTTP server" },
	{ .name = "migrate", .opts = CMD_MIGRATE, .args = "", .fn = main_migrate,
	  .help = "create or upgrade the database schema" },
	{ .name = "user", .sub = "add", .opts = CMD_USER_ADD, .args = "NAME", .nargs = 1,
	  .fn = main_user_add, .help = "add a user (the password is read from standard input)" },
	{ .name = "validate", .opts = CMD_VALIDATE, .args = "", .fn = main_validate,
	  .help = "print the plan's validation report; exit 1 when it holds an error" },
	{ .name = "import", .opts = CMD_IMPORT, .args = "FILE", .nargs = 1, .fn = main_import,
	  .help = "load a plan file ('-' for standard input) in one transaction; print what "
	  "changed" },
	{ .name = "export", .opts = CMD_EXPORT, .args = "", .fn = main_export,
	  .help = "print the plan as a plan file" },
	{ .name = "render", .opts = CMD_RENDER, .args = "TARGET", .nargs = 1, .fn = main_render,
	  .help = "print a rendered config (the bytes GET /api/v1/render/TARGET answers)" },
	{ .name = "version", .args = "", .fn = main_version, .help = "print the version" },
};

#define NCOMMANDS (sizeof(main_commands) / sizeof(main_commands[0]))

static void
main_usage(FILE *f, const struct command *cmd)
{
	char opts[4096];
	size_t i;

	if (cmd == NULL) {
		fprintf(f, "usage: netsot COMMAND [options]\n\ncommands:\n");
		for (i = 0; i < NCOMMANDS; i++)
			fprintf(f, "  %s%s%s %-10s %s\n", main_commands[i].name,
			    main_commands[i].sub ? " " : "",
			    main_commands[i].sub ? main_commands[i].sub : "",
			    main_commands[i].args, main_commands[i].help);
		fprintf(f, "\n'netsot COMMAND --help' lists a command's options.\n");
		return;
	}
	config_usage(cmd->opts, opts, sizeof(opts));
	fprintf(f, "usage: netsot %s%s%s%s%s [options]\n%s\n", cmd->name, cmd->sub ? " " : "",
	    cmd->sub ? cmd->sub : "", cmd->nargs ? " " : "", cmd->args, cmd->help);
	if (opts[0] != '\0')
		fprintf(f, "\noptions (and their environment variables):\n%s", opts);
}

/* Opens the database and brings its schema up to date. */
static int
main_open(const struct config *c, struct db **db)
{
	char err[512];

	if (db_open(c->db, db, err, sizeof(err)) == -1 ||
	    db_migrate(*db, err, sizeof(err)) == -1) {
		fprintf(stderr, "netsot: %s\n", err);
		db_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

static int
main_migrate(struct config *c)
{
	struct db *db;

	if (main_open(c, &db) == -1)
		return 1;
	printf("%s: schema version %d\n", c->db, db_schema_version(db));
	db_close(db);
	return 0;
}

static int
main_validate(struct config *c)
{
	struct api_err err;
	struct db *db;
	json_t *report = NULL;
	char *text;
	int rc = 1;

	api_err_init(&err);
	if (main_open(c, &db) == -1)
		return 1;
	if (validate_run(db, &report, &err) == -1) {
		fprintf(stderr, "netsot validate: %s\n", err.detail);
		goto out;
	}
	if ((text = json_dumps(report, JSON_INDENT(2))) != NULL) {
		printf("%s\n", text);
		free(text);
	}
	rc = json_integer_value(json_object_get(json_object_get(report, "summary"), "errors")) ?
	    1 : 0;
out:
	json_decref(report);
	api_err_free(&err);
	db_close(db);
	return rc;
}

static void
main_problem(const char *cmd, struct api_err *err)
{
	json_t *p = api_err_problem(err, NULL);
	char *s = json_dumps(p, JSON_INDENT(2));

	fprintf(stderr, "netsot %s: %s\n", cmd, s ? s : err->detail);
	free(s);
	json_decref(p);
}

/* The command line's actor: the process owner, who owns the database file, as an admin. The
 * audit log names the local user and one request id for the whole command. */
static void
main_actor(char *name, size_t namelen, char *reqid, size_t reqidlen, struct actor *a)
{
	const struct passwd *pw;
	const char *user = getenv("USER");

	if (user == NULL || *user == '\0')
		user = (pw = getpwuid(geteuid())) != NULL ? pw->pw_name : "?";
	snprintf(name, namelen, "cli:%.32s", user);
	snprintf(reqid, reqidlen, "cli-%ld-%ld", (long)getpid(), (long)time(NULL));
	*a = (struct actor){ .name = name, .role = ROLE_ADMIN, .request_id = reqid };
}

static int
main_import(struct config *c)
{
	struct plan_import_opts opts = { .dry_run = c->dry_run };
	char name[AUTH_NAME_MAX + 1], reqid[32];
	struct actor actor;
	json_t *doc = NULL, *report = NULL;
	struct db *db = NULL;
	struct api_err err;
	json_error_t jerr;
	char *text;
	int rc = 1;

	api_err_init(&err);
	if (c->mode != NULL && strcmp(c->mode, "merge") != 0 && strcmp(c->mode, "replace") != 0) {
		fprintf(stderr, "netsot import: --mode must be merge or replace\n");
		rc = 2;
		goto out;
	}
	opts.replace = c->mode != NULL && strcmp(c->mode, "replace") == 0;
	doc = strcmp(c->args[0], "-") == 0 ?
	    json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr) :
	    json_load_file(c->args[0], JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		fprintf(stderr, "netsot import: %s:%d:%d: %s\n", c->args[0], jerr.line, jerr.column,
		    jerr.text);
		goto out;
	}
	if (main_open(c, &db) == -1)
		goto out;
	main_actor(name, sizeof(name), reqid, sizeof(reqid), &actor);
	if (plan_import(&actor, db, doc, &opts, &report, &err) == -1) {
		main_problem("import", &err);
		goto out;
	}
	if ((text = json_dumps(report, JSON_INDENT(2))) != NULL) {
		printf("%s\n", text);
		free(text);
	}
	rc = 0;
out:
	json_decref(doc);
	json_decref(report);
	api_err_free(&err);
	db_close(db);
	return rc;
}

static int
main_export(struct config *c)
{
	struct api_err err;
	struct db *db;
	struct sbuf sb;
	int rc = 1;

	api_err_init(&err);
	sbuf_init(&sb, 0);
	if (main_open(c, &db) == -1)
		goto out;
	if (db_read_begin(db) == -1 || plan_export(db, &sb, &err) == -1) {
		if (err.status == 0)
			api_err_set(&err, 500, "cannot read the database");
		main_problem("export", &err);
		goto out;
	}
	db_read_end(db);
	if (fwrite(sbuf_str(&sb), 1, sb.len, stdout) == sb.len && fflush(stdout) == 0)
		rc = 0;
out:
	sbuf_free(&sb);
	api_err_free(&err);
	db_close(db);
	return rc;
}

static int
main_render(struct config *c)
{
	const char *keys[CONFIG_MAX_LIST], *values[CONFIG_MAX_LIST];
	char *pairs[CONFIG_MAX_LIST] = { NULL }, *eq;
	struct render_ctx rc;
	struct api_err err;
	struct db *db = NULL;
	struct sbuf sb;
	int i, status = 1;

	api_err_init(&err);
	sbuf_init(&sb, 0);
	for (i = 0; i < c->params.n; i++) {
		if ((pairs[i] = strdup(c->params.v[i])) == NULL)
			goto out;
		if ((eq = strchr(pairs[i], '=')) == NULL) {
			fprintf(stderr, "netsot render: --param takes NAME=VALUE\n");
			status = 2;
			goto out;
		}
		*eq = '\0';
		keys[i] = pairs[i];
		values[i] = eq + 1;
	}
	if (main_open(c, &db) == -1)
		goto out;
	if (db_read_begin(db) == -1) {
		api_err_set(&err, 500, "cannot read the database");
		main_problem("render", &err);
		goto out;
	}
	if (render_prepare(db, c->args[0], c->params.n, keys, values, &rc, &err) == -1 ||
	    render_body(&rc, &sb, &err) == -1) {
		db_read_end(db);
		main_problem("render", &err);
		goto out;
	}
	db_read_end(db);
	if (fwrite(sbuf_str(&sb), 1, sb.len, stdout) == sb.len && fflush(stdout) == 0)
		status = 0;
out:
	for (i = 0; i < c->params.n; i++)
		free(pairs[i]);
	sbuf_free(&sb);
	api_err_free(&err);
	db_close(db);
	return status;
}

static int
main_version(struct config *c)
{
	(void)c;
	printf("netsot %s (schema %d)\n", NETSOT_VERSION, db_latest_version());
	return 0;
}

static int
main_user_add(struct config *c)
{
	char password[AUTH_PASSWORD_MAX + 2], name[96], reqid[64];
	enum role role = ROLE_VIEWER;
	struct actor actor;
	struct api_err err;
	struct sbuf shown;
	struct db *db = NULL;
	json_t *body = NULL, *results = NULL;
	long long id;
	size_t n;
	int rc = 1;

	api_err_init(&err);
	sbuf_init(&shown, 0);
	if (!c->password_stdin) {
		fprintf(stderr, "netsot user add: --password-stdin is required (passwords are never "
		    "taken from the command line)\n");
		return 2;
	}
	if (c->role != NULL && auth_role_parse(c->role, &role) == -1) {
		fprintf(stderr, "netsot user add: --role must be viewer, editor or admin\n");
		return 2;
	}
	if (fgets(password, sizeof(password), stdin) == NULL) {
		fprintf(stderr, "netsot user add: no password on standard input\n");
		return 1;
	}
	n = strcspn(password, "\r\n");
	password[n] = '\0';
	if (main_open(c, &db) == -1)
		goto out;
	/* The same door as POST /api/v1/users: checked by the users field table, audited. */
	main_actor(name, sizeof(name), reqid, sizeof(reqid), &actor);
	body = json_pack("{s:s, s:s, s:s}", "username", c->args[0], "role",
	    auth_role_name(role), "password", password);
	if (resource_create(&actor, db, &res_users, body, &shown, &id, &results, &err) == -1) {
		main_problem("user add", &err);
		goto out;
	}
	printf("added %s user %s\n", auth_role_name(role), c->args[0]);
	rc = 0;
out:
	sodium_memzero(password, sizeof(password));
	json_decref(body);
	json_decref(results);
	sbuf_free(&shown);
	api_err_free(&err);
	db_close(db);
	return rc;
}

static int
main_serve(struct config *c)
{
	struct server srv;
	struct db *db = NULL;
	char err[512], *keypath = NULL;
	sigset_t set;
	int sig, rc = 1;

	memset(&srv, 0, sizeof(srv));
	srv.cfg = c;
	if (main_open(c, &db) == -1)
		goto out;
	if ((keypath = config_key_path(c)) == NULL ||
	    auth_key_load(keypath, srv.key, err, sizeof(err)) == -1) {
		fprintf(stderr, "netsot: %s\n", keypath ? err : "out of memory");
		goto out;
	}
	srv.login_users = ratelimit_new((int)c->login_max_failures, (int)c->login_window);
	srv.login_addrs = ratelimit_new((int)c->login_max_failures_addr, (int)c->login_window);
	if (srv.login_users == NULL || srv.login_addrs == NULL || db_thread_setup(c->db) == -1) {
		fprintf(stderr, "netsot: out of memory\n");
		goto out;
	}
	/* Signals are taken by sigwait below, never by the server threads started after this. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (http_start(&srv, err, sizeof(err)) == -1) {
		fprintf(stderr, "netsot: %s\n", err);
		goto out;
	}
	log_msg("netsot %s listening on %s (port %u, %ld threads, schema %d)", NETSOT_VERSION,
	    c->listen, srv.port, c->threads, db_schema_version(db));
	sigwait(&set, &sig);
	log_msg("netsot: signal %d, stopping", sig);
	rc = 0;
out:
	http_stop(&srv);
	db_thread_teardown();
	ratelimit_free(srv.login_users);
	ratelimit_free(srv.login_addrs);
	sodium_memzero(srv.key, sizeof(srv.key));
	free(keypath);
	db_close(db);
	return rc;
}

static const struct command *
main_find(int argc, char **argv, int *used)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++) {
		const struct command *cmd = &main_commands[i];

		if (strcmp(argv[1], cmd->name) != 0)
			continue;
		if (cmd->sub == NULL) {
			*used = 2;
			return cmd;
		}
		if (argc > 2 && strcmp(argv[2], cmd->sub) == 0) {
			*used = 3;
			return cmd;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	struct config c;
	char err[512];
	int used, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		main_usage(argc < 2 ? stderr : stdout, NULL);
		return argc < 2 ? 2 : 0;
	}
	if ((cmd = main_find(argc, argv, &used)) == NULL) {
		fprintf(stderr, "netsot: unknown command '%s'\n", argv[1]);
		main_usage(stderr, NULL);
		return 2;
	}
	xmalloc_install();
	if (sodium_init() < 0) {
		fprintf(stderr, "netsot: libsodium cannot start\n");
		return 1;
	}
	config_init(&c);
	if (config_parse(&c, cmd->opts, argc - used, argv + used, err, sizeof(err)) == -1) {
		fprintf(stderr, "netsot %s: %s\n", cmd->name, err);
		main_usage(stderr, cmd);
		config_free(&c);
		return 2;
	}
	if (c.help) {
		main_usage(stdout, cmd);
		config_free(&c);
		return 0;
	}
	if (c.nargs != cmd->nargs) {
		fprintf(stderr, "netsot %s: expected %d argument%s, got %d\n", cmd->name,
		    cmd->nargs, cmd->nargs == 1 ? "" : "s", c.nargs);
		main_usage(stderr, cmd);
		config_free(&c);
		return 2;
	}
	rc = cmd->fn(&c);
	config_free(&c);
	return rc;
}
