/* netsot: the command line. Each command is a line in the table below. */
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "apierr.h"
#include "auth.h"
#include "backup.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "jsonload.h"
#include "log.h"
#include "logbuf.h"
#include "plan.h"
#include "ratelimit.h"
#include "render.h"
#include "render/preview.h"
#include "res.h"
#include "sbuf.h"
#include "user.h"
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
static int main_user_passwd(struct config *c);
static int main_version(struct config *c);
static int main_validate(struct config *c);
static int main_import(struct config *c);
static int main_export(struct config *c);
static int main_render(struct config *c);
static int main_preview(struct config *c);
static int main_backup(struct config *c);
static int main_restore(struct config *c);
static void main_problem(const struct config *c, const char *cmd, struct api_err *err);

static const struct command main_commands[] = {
	{ .name = "serve", .opts = CMD_SERVE, .args = "", .fn = main_serve,
	  .help = "run the HTTP server" },
	{ .name = "migrate", .opts = CMD_MIGRATE, .args = "", .fn = main_migrate,
	  .help = "create or upgrade the database schema" },
	{ .name = "user", .sub = "add", .opts = CMD_USER_ADD, .args = "NAME", .nargs = 1,
	  .fn = main_user_add, .help = "add a user (the password is read from standard input)" },
	{ .name = "user", .sub = "passwd", .opts = CMD_USER_PASSWD, .args = "NAME", .nargs = 1,
	  .fn = main_user_passwd, .help = "set a user's password (read from standard input); "
	  "their sessions end" },
	{ .name = "validate", .opts = CMD_VALIDATE, .args = "", .fn = main_validate,
	  .help = "print the plan's validation report; exit 1 when it holds an error" },
	{ .name = "import", .opts = CMD_IMPORT, .args = "FILE", .nargs = 1, .fn = main_import,
	  .help = "load a plan file ('-' for standard input) in one transaction; print what "
	  "changed" },
	{ .name = "export", .opts = CMD_EXPORT, .args = "", .fn = main_export,
	  .help = "print the plan as a plan file" },
	{ .name = "render", .opts = CMD_RENDER, .args = "TARGET", .nargs = 1, .fn = main_render,
	  .help = "print a rendered config (the bytes GET /api/v1/render/TARGET answers)" },
	{ .name = "preview", .opts = CMD_PREVIEW, .args = "FILE", .nargs = 1, .fn = main_preview,
	  .help = "print what changes ('-' for standard input) would do to every rendered file, "
	  "as unified diffs; nothing is kept" },
	{ .name = "backup", .opts = CMD_BACKUP, .args = "FILE", .nargs = 1, .fn = main_backup,
	  .help = "copy the database, also while a server writes to it, into FILE (0600, "
	  "checked, written whole or not at all)" },
	{ .name = "restore", .opts = CMD_RESTORE, .args = "FILE", .nargs = 1, .fn = main_restore,
	  .help = "replace the database by the backup FILE (checked first), audit log "
	  "included; refused while a server has it open unless --force" },
	{ .name = "version", .args = "", .fn = main_version, .help = "print the version" },
};

#define NCOMMANDS (sizeof(main_commands) / sizeof(main_commands[0]))

/* The commands whose first word is group (every command when group is NULL), one a line. */
static void
main_list(FILE *f, const char *group)
{
	char name[32];
	size_t i;

	for (i = 0; i < NCOMMANDS; i++) {
		if (group != NULL && strcmp(main_commands[i].name, group) != 0)
			continue;
		snprintf(name, sizeof(name), "%s%s%s %s", main_commands[i].name,
		    main_commands[i].sub ? " " : "", main_commands[i].sub ? main_commands[i].sub : "",
		    main_commands[i].args);
		fprintf(f, "  %-20s %s\n", name, main_commands[i].help);
	}
}

static void
main_usage(FILE *f, const struct command *cmd)
{
	char opts[4096];

	if (cmd == NULL) {
		fprintf(f, "usage: netsot COMMAND [options]\n\ncommands:\n");
		main_list(f, NULL);
		fprintf(f, "  %-20s %s\n", "help [COMMAND]", "this text, or a command's options");
		fprintf(f, "\n'netsot COMMAND --help' lists a command's options.\n\n"
		    "exit status: 0 done; 1 the command failed (validate: the plan has an error;\n"
		    "import: nothing was changed); 2 the command line is wrong.\n");
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

/* The server's 1000 connections (held renders among them, docs/api.md) and its database
 * files need more descriptors than the usual soft limit of 1024: raised to 2048, or to the
 * hard limit when that is lower. */
static void
main_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= 2048)
		return;
	rl.rlim_cur = rl.rlim_max < 2048 ? rl.rlim_max : 2048;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 1100)
		log_msg("netsot: only %llu file descriptors: fewer than 1000 connections fit",
		    (unsigned long long)rl.rlim_cur);
}

static int
main_backup(struct config *c)
{
	char err[512];

	if (backup_save(c->db, c->args[0], err, sizeof(err)) == -1) {
		fprintf(stderr, "netsot backup: %s\n", err);
		return 1;
	}
	printf("%s: backup of %s\n", c->args[0], c->db);
	return 0;
}

/* The restored database is then brought to this binary's schema, as any start would. */
static int
main_restore(struct config *c)
{
	char err[512];
	struct db *db;

	if (backup_restore(c->args[0], c->db, c->force, err, sizeof(err)) == -1) {
		fprintf(stderr, "netsot restore: %s\n", err);
		return 1;
	}
	if (main_open(c, &db) == -1)
		return 1;
	printf("%s: restored from %s, schema version %d\n", c->db, c->args[0],
	    db_schema_version(db));
	db_close(db);
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
		main_problem(c, "validate", &err);
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

/* An error for a person: one line, what failed and why, each field named ("netsot import:
 * vlans[3]: the body does not fit a vlan: vid: must be an integer"). With --json, the
 * problem+json document a script can read, as the API would answer it. */
static void
main_problem(const struct config *c, const char *cmd, struct api_err *err)
{
	json_t *p = api_err_problem(err, NULL), *v;
	const char *field;
	char *s;

	if (c->json) {
		s = json_dumps(p, JSON_INDENT(2));
		fprintf(stderr, "%s\n", s ? s : err->detail);
		free(s);
	} else {
		fprintf(stderr, "netsot %s: %s", cmd, err->detail);
		json_object_foreach(err->errors, field, v)
			fprintf(stderr, "; %s: %s", field, json_string_value(v));
		fputc('\n', stderr);
	}
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

/* A JSON file, or standard input for "-". A file is read whole and parsed from memory
 * (jsonload): jansson reads a FILE a byte at a time through getc. A file that cannot be read
 * is left to jansson, so that its error is the same. */
static json_t *
main_load_json(const char *path, json_error_t *jerr)
{
	FILE *f;
	struct sbuf text;
	char chunk[65536];
	size_t n;
	json_t *doc = NULL;

	if (strcmp(path, "-") == 0)
		return json_loadf(stdin, JSON_REJECT_DUPLICATES, jerr);
	if ((f = fopen(path, "rb")) == NULL)
		return json_load_file(path, JSON_REJECT_DUPLICATES, jerr);
	sbuf_init(&text, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sbuf_append(&text, chunk, n);
	if (ferror(f) || sbuf_failed(&text))
		doc = json_load_file(path, JSON_REJECT_DUPLICATES, jerr);
	else
		doc = jsonload(text.len > 0 ? text.buf : "", text.len, JSON_REJECT_DUPLICATES,
		    jerr);
	fclose(f);
	sbuf_free(&text);
	return doc;
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
	doc = main_load_json(c->args[0], &jerr);
	if (doc == NULL) {
		fprintf(stderr, "netsot import: %s:%d:%d: %s\n", c->args[0], jerr.line, jerr.column,
		    jerr.text);
		goto out;
	}
	if (main_open(c, &db) == -1)
		goto out;
	main_actor(name, sizeof(name), reqid, sizeof(reqid), &actor);
	if (plan_import(&actor, db, doc, &opts, &report, &err) == -1) {
		main_problem(c, "import", &err);
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
		main_problem(c, "export", &err);
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
		main_problem(c, "render", &err);
		goto out;
	}
	if (render_prepare(db, c->args[0], c->params.n, keys, values, &rc, &err) == -1 ||
	    render_body(&rc, &sb, &err) == -1) {
		db_read_end(db);
		main_problem(c, "render", &err);
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

/* The password from the first line of standard input: 0, 1 (none there) or 2 (the command
 * line does not say --password-stdin: passwords are never taken from argv). */
static int
main_password(const struct config *c, const char *cmd, char *buf, size_t len)
{
	if (!c->password_stdin) {
		fprintf(stderr, "netsot %s: --password-stdin is required (passwords are never taken "
		    "from the command line)\n", cmd);
		return 2;
	}
	if (fgets(buf, (int)len, stdin) == NULL) {
		fprintf(stderr, "netsot %s: no password on standard input\n", cmd);
		return 1;
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* One write of a user through the users resource, the same door as POST /api/v1/users (role
 * given: a new user) or PATCH /api/v1/users/{id} {"password"} (role ROLE_NONE): checked by its
 * field table and audited under cli:LOGIN; a new password ends the user's sessions. The
 * password comes from standard input, never from argv. */
static int
main_user_write(struct config *c, const char *cmd, enum role role)
{
	char password[AUTH_PASSWORD_MAX + 2], name[96], reqid[64];
	struct actor actor;
	struct api_err err;
	struct sbuf shown;
	struct user u;
	struct db *db = NULL;
	json_t *body = NULL, *results = NULL;
	long long id;
	int rc, found;

	if ((rc = main_password(c, cmd, password, sizeof(password))) != 0)
		return rc;
	rc = 1;
	api_err_init(&err);
	sbuf_init(&shown, 0);
	if (main_open(c, &db) == -1)
		goto out;
	main_actor(name, sizeof(name), reqid, sizeof(reqid), &actor);
	if (role != ROLE_NONE) {
		body = json_pack("{s:s, s:s, s:s}", "username", c->args[0], "role",
		    auth_role_name(role), "password", password);
		rc = resource_create(&actor, db, &res_users, body, &shown, &id, &results, &err);
	} else {
		body = json_pack("{s:s}", "password", password);
		if ((found = user_find(db, c->args[0], &u, NULL, &err)) == 0)
			api_err_set(&err, 404, "no user named '%.64s'", c->args[0]);
		rc = found != 1 ? -1 : resource_modify(&actor, db, &res_users, u.id,
		    RESOURCE_PATCH, body, NULL, &shown, &err);
	}
	if (rc == -1) {
		main_problem(c, cmd, &err);
		rc = 1;
		goto out;
	}
	if (role != ROLE_NONE)
		printf("added %s user %s\n", auth_role_name(role), c->args[0]);
	else
		printf("changed the password of %s; their sessions have ended\n", c->args[0]);
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
main_user_add(struct config *c)
{
	enum role role = ROLE_VIEWER;

	if (c->role != NULL && auth_role_parse(c->role, &role) == -1) {
		fprintf(stderr, "netsot user add: --role must be viewer, editor or admin\n");
		return 2;
	}
	return main_user_write(c, "user add", role);
}

static int
main_user_passwd(struct config *c)
{
	return main_user_write(c, "user passwd", ROLE_NONE);
}

/* The same as POST /api/v1/changes/preview, with the diffs one after another on standard
 * output (like diff -u of many files). */
static int
main_preview(struct config *c)
{
	char name[96], reqid[64];
	struct actor actor;
	struct api_err err;
	struct db *db = NULL;
	json_t *doc = NULL, *out = NULL, *f;
	json_error_t jerr;
	size_t i;
	int rc = 1;

	api_err_init(&err);
	doc = main_load_json(c->args[0], &jerr);
	if (doc == NULL) {
		fprintf(stderr, "netsot preview: %s:%d:%d: %s\n", c->args[0], jerr.line,
		    jerr.column, jerr.text);
		goto out;
	}
	if (main_open(c, &db) == -1)
		goto out;
	main_actor(name, sizeof(name), reqid, sizeof(reqid), &actor);
	if (render_preview(&actor, db, doc, &out, &err) == -1) {
		main_problem(c, "preview", &err);
		goto out;
	}
	json_array_foreach(json_object_get(out, "renders"), i, f)
		fputs(json_string_value(json_object_get(f, "diff")), stdout);
	if (json_array_size(json_object_get(out, "renders")) == 0)
		fprintf(stderr, "netsot preview: no rendered file would change\n");
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	json_decref(doc);
	json_decref(out);
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
	main_raise_nofile();
	if (http_start(&srv, err, sizeof(err)) == -1) {
		fprintf(stderr, "netsot: %s\n", err);
		goto out;
	}
	/* Without the flusher, each access line is written at once: slower, nothing lost. */
	if (logbuf_start() == -1)
		log_msg("netsot: access log unbuffered (cannot start its thread)");
	log_msg("netsot %s listening on %s (port %u, %s, %ld threads, schema %d)", NETSOT_VERSION,
	    c->listen, srv.port, srv.tls_cert ? "https" : "http", c->threads,
	    db_schema_version(db));
	sigwait(&set, &sig);
	log_msg("netsot: signal %d, stopping", sig);
	rc = 0;
out:
	http_stop(&srv);
	logbuf_stop();
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

/* Whether name is a group of commands ("user": add, passwd). */
static bool
main_is_group(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (main_commands[i].sub != NULL && strcmp(main_commands[i].name, name) == 0)
			return true;
	return false;
}

/* "netsot help [COMMAND [SUB]]", "netsot --help", "netsot GROUP [--help]": 0, or 2 when the
 * command is unknown or missing. */
static int
main_help(int argc, char **argv)
{
	const struct command *cmd;
	bool asked = argc >= 2, via_help = false;
	int used;

	if (argc >= 3 && strcmp(argv[1], "help") == 0) {
		argc--;
		argv++;
		via_help = true;
	} else if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		main_usage(asked ? stdout : stderr, NULL);
		return asked ? 0 : 2;
	}
	if ((cmd = main_find(argc, argv, &used)) != NULL) {
		main_usage(stdout, cmd);
		return 0;
	}
	if (main_is_group(argv[1])) {
		/* "netsot user" alone is a question too, but not a command that ran. */
		asked = via_help || (argc >= 3 && (strcmp(argv[2], "--help") == 0 ||
		    strcmp(argv[2], "-h") == 0));
		fprintf(asked ? stdout : stderr, "usage: netsot %s SUBCOMMAND [options]\n\n"
		    "subcommands:\n", argv[1]);
		main_list(asked ? stdout : stderr, argv[1]);
		if (!asked && argc >= 3)
			fprintf(stderr, "\nnetsot: unknown subcommand '%s %s'\n", argv[1], argv[2]);
		return asked ? 0 : 2;
	}
	fprintf(stderr, "netsot: unknown command '%s'\n", argv[1]);
	main_usage(stderr, NULL);
	return 2;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	struct config c;
	char err[512];
	int used, rc;

	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    (cmd = main_find(argc, argv, &used)) == NULL)
		return main_help(argc, argv);
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
