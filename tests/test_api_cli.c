/* The command line: commands, flags, environment variables, exit codes, and the checks the
 * server makes before it starts. */
#include "harness.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
netsot(const char *const *args, const char *input, char **out, char **err)
{
	return run_netsot(args, input, out, err);
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void
test_version_and_help(void **state)
{
	static const char *const version[] = { "version", NULL };
	static const char *const help[] = { "--help", NULL };
	static const char *const none[] = { NULL };
	static const char *const cmds[][4] = { { "serve", "--help" }, { "migrate", "--help" },
		{ "user", "add", "--help" }, { "version", "--help" } };
	char *out, *err;
	size_t i;

	(void)state;
	assert_int_equal(netsot(version, NULL, &out, NULL), 0);
	assert_non_null(strstr(out, "netsot "));
	free(out);
	assert_int_equal(netsot(help, NULL, &out, NULL), 0);
	assert_non_null(strstr(out, "serve"));
	assert_non_null(strstr(out, "migrate"));
	free(out);
	assert_int_equal(netsot(none, NULL, NULL, &err), 2);
	assert_non_null(strstr(err, "usage:"));
	free(err);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		assert_int_equal(netsot(cmds[i], NULL, &out, NULL), 0);
		assert_non_null(strstr(out, "usage: netsot"));
		free(out);
	}
	assert_int_equal(netsot(cmds[0], NULL, &out, NULL), 0);
	assert_non_null(strstr(out, "--listen"));
	assert_non_null(strstr(out, "NETSOT_LISTEN"));
	assert_non_null(strstr(out, "--threads"));
	free(out);
}

static void
test_bad_flags_exit_2(void **state)
{
	static const char *const cases[][5] = {
		{ "serve", "--bogus" },
		{ "serve", "--threads", "zero" },
		{ "serve", "--threads", "0" },
		{ "serve", "--max-body" },
		{ "migrate", "--listen", "1.2.3.4:5" },
		{ "user", "add", "--role", "admin" },
		{ "frobnicate" },
		{ "version", "extra" },
	};
	char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(netsot(cases[i], NULL, NULL, &err), 2);
		/* One line saying what is wrong, then the usage. */
		assert_true(strncmp(err, "netsot", 6) == 0);
		assert_non_null(strstr(strchr(err, '\n'), "usage:"));
		free(err);
	}
}

static void
test_migrate_env_and_newer_schema(void **state)
{
	char dir[] = "/tmp/netsot-cli-XXXXXX", db[128], *out, *err;
	const char *migrate[] = { "migrate", NULL };
	const char *serve[] = { "serve", "--listen", "127.0.0.1:0", NULL };
	sqlite3 *h;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/env.db", dir);
	/* NETSOT_DB names the database when --db is not given. */
	setenv("NETSOT_DB", db, 1);
	assert_int_equal(netsot(migrate, NULL, &out, NULL), 0);
	assert_non_null(strstr(out, "schema version"));
	free(out);
	assert_int_equal(access(db, F_OK), 0);
	/* Migrating again changes nothing and succeeds. */
	assert_int_equal(netsot(migrate, NULL, NULL, NULL), 0);
	/* A database from a newer netsot is refused, by migrate and by serve. */
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "INSERT INTO schema_migrations VALUES (9999, "
	    "'9999_future.sql', 'x')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(netsot(migrate, NULL, NULL, &err), 1);
	assert_non_null(strstr(err, "newer"));
	free(err);
	assert_int_equal(netsot(serve, NULL, NULL, &err), 1);
	assert_non_null(strstr(err, "newer"));
	free(err);
	unsetenv("NETSOT_DB");
	unlink(db);
	rmdir(dir);
}

static void
test_user_add(void **state)
{
	struct srv s;
	const char *add[] = { "user", "add", "alice", "--role", "editor", "--password-stdin",
		"--db", NULL, NULL };
	const char *nostdin[] = { "user", "add", "bob", "--db", NULL, NULL };
	const char *shortpw[] = { "user", "add", "carol", "--password-stdin", "--db", NULL, NULL };
	char *err;

	(void)state;
	srv_prepare(&s);
	add[7] = s.db;
	nostdin[4] = s.db;
	shortpw[5] = s.db;
	assert_int_equal(netsot(add, "a fine password\n", NULL, NULL), 0);
	/* The same name again fails without touching the first. */
	assert_int_equal(netsot(add, "another password\n", NULL, &err), 1);
	assert_non_null(strstr(err, "already used by another user"));
	free(err);
	assert_int_equal(netsot(nostdin, NULL, NULL, &err), 2);
	free(err);
	assert_int_equal(netsot(shortpw, "short\n", NULL, &err), 1);
	assert_non_null(strstr(err, "password"));
	free(err);
	srv_start(&s, NULL);
	free(login(&s, "alice", "a fine password"));
	srv_stop(&s);
	srv_cleanup(&s);
}

/* Every command has its own help: "netsot CMD --help" and "netsot help CMD" print its usage
 * and exit 0; a group ("user") lists its subcommands; unknown ones are 2. */
static void
test_help_per_command(void **state)
{
	static const char *const cmds[][2] = { { "serve" }, { "migrate" }, { "user", "add" },
		{ "user", "passwd" }, { "validate" }, { "import" }, { "export" }, { "render" },
		{ "preview" }, { "backup" }, { "restore" }, { "version" } };
	const char *args[5];
	char *out, *err, want[64];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(want, sizeof(want), "usage: netsot %s%s%s", cmds[i][0],
		    cmds[i][1] ? " " : "", cmds[i][1] ? cmds[i][1] : "");
		/* netsot CMD [SUB] --help, then netsot help CMD [SUB]. */
		n = 0;
		args[n++] = cmds[i][0];
		if (cmds[i][1] != NULL)
			args[n++] = cmds[i][1];
		args[n++] = "--help";
		args[n] = NULL;
		assert_int_equal(netsot(args, NULL, &out, NULL), 0);
		if (strstr(out, want) == NULL)
			fail_msg("%s --help: %s", cmds[i][0], out);
		free(out);
		args[0] = "help";
		args[1] = cmds[i][0];
		args[2] = cmds[i][1];
		args[3] = NULL;
		assert_int_equal(netsot(args, NULL, &out, NULL), 0);
		assert_non_null(strstr(out, want));
		free(out);
	}
	{
		static const char *const group[] = { "user", "--help", NULL };
		static const char *const helpgroup[] = { "help", "user", NULL };
		static const char *const bare[] = { "user", NULL };
		static const char *const unknown[] = { "user", "frob", NULL };
		static const char *const helpunknown[] = { "help", "frob", NULL };
		static const char *const top[] = { "help", NULL };

		assert_int_equal(netsot(group, NULL, &out, NULL), 0);
		assert_non_null(strstr(out, "user add"));
		assert_non_null(strstr(out, "user passwd"));
		free(out);
		assert_int_equal(netsot(helpgroup, NULL, &out, NULL), 0);
		assert_non_null(strstr(out, "user passwd"));
		free(out);
		assert_int_equal(netsot(bare, NULL, NULL, &err), 2);
		assert_non_null(strstr(err, "user add"));
		free(err);
		assert_int_equal(netsot(unknown, NULL, NULL, &err), 2);
		assert_non_null(strstr(err, "unknown subcommand 'user frob'"));
		free(err);
		assert_int_equal(netsot(helpunknown, NULL, NULL, &err), 2);
		free(err);
		/* The exit codes are documented where a user looks. */
		assert_int_equal(netsot(top, NULL, &out, NULL), 0);
		assert_non_null(strstr(out, "exit status: 0"));
		assert_non_null(strstr(out, "2 the command line is wrong"));
		free(out);
	}
}

/* An error is one line for a person, naming what failed and why; --json gives scripts the
 * problem+json document. */
static void
test_errors_human_and_json(void **state)
{
	struct srv s;
	const char *add[] = { "user", "add", "bad name", "--password-stdin", "--db", NULL, NULL,
		NULL };
	char *err;
	json_t *p;

	(void)state;
	srv_prepare(&s);
	add[5] = s.db;
	assert_int_equal(netsot(add, "long enough\n", NULL, &err), 1);
	assert_int_equal(count_lines(err), 1);
	assert_int_equal(strncmp(err, "netsot user add: ", 17), 0);
	assert_non_null(strstr(err, "username: must be"));
	assert_null(strstr(err, "{"));
	free(err);
	add[6] = "--json";
	assert_int_equal(netsot(add, "long enough\n", NULL, &err), 1);
	assert_non_null(p = json_loads(err, 0, NULL));
	assert_int_equal(json_integer_value(json_object_get(p, "status")), 422);
	assert_non_null(json_object_get(json_object_get(p, "errors"), "username"));
	json_decref(p);
	free(err);
	srv_cleanup(&s);
}

/* netsot user passwd: through the driver like PATCH /users/{id}: the old password stops
 * working, the change is audited under the process owner, no password needs argv. */
static void
test_user_passwd(void **state)
{
	struct srv s;
	const char *add[] = { "user", "add", "dora", "--role", "admin", "--password-stdin", "--db",
		NULL, NULL };
	const char *passwd[] = { "user", "passwd", "dora", "--password-stdin", "--db", NULL,
		NULL };
	const char *nobody[] = { "user", "passwd", "nobody", "--password-stdin", "--db", NULL,
		NULL };
	const char *argvpw[] = { "user", "passwd", "dora", "--db", NULL, NULL };
	const char *addeve[] = { "user", "add", "eve", "--password-stdin", "--db", NULL, NULL };
	const char *passeve[] = { "user", "passwd", "eve", "--password-stdin", "--db", NULL, NULL };
	char body[128], *err, *tok;
	struct resp r;

	(void)state;
	srv_prepare(&s);
	add[7] = passwd[5] = nobody[5] = argvpw[4] = addeve[5] = passeve[5] = s.db;
	/* No admin yet: a change that takes no admin away goes through. */
	assert_int_equal(netsot(addeve, "first password\n", NULL, NULL), 0);
	assert_int_equal(netsot(passeve, "second password\n", NULL, NULL), 0);
	assert_int_equal(netsot(add, "first password\n", NULL, NULL), 0);
	assert_int_equal(netsot(passwd, "second password\n", NULL, NULL), 0);
	assert_int_equal(netsot(passwd, "short\n", NULL, &err), 1);
	assert_non_null(strstr(err, "password: at least 8"));
	free(err);
	assert_int_equal(netsot(nobody, "second password\n", NULL, &err), 1);
	assert_non_null(strstr(err, "no user named 'nobody'"));
	free(err);
	assert_int_equal(netsot(argvpw, NULL, NULL, &err), 2);
	free(err);
	srv_start(&s, NULL);
	snprintf(body, sizeof(body), "{\"username\":\"dora\",\"password\":\"first password\"}");
	assert_int_equal(api(&s, "POST", "/api/v1/auth/login", NULL, body, NULL), 401);
	tok = login(&s, "dora", "second password");
	assert_int_equal(api(&s, "GET", "/api/v1/changes?object_type=user&action=update", tok,
	    NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 2);
	assert_int_equal(strncmp(json_string_value(json_object_get(json_array_get(
	    json_object_get(r.json, "results"), 0), "username")), "cli:", 4), 0);
	assert_null(strstr(r.body, "second password"));
	resp_free(&r);
	free(tok);
	srv_stop(&s);
	srv_cleanup(&s);
}

static void
test_serve_refusals(void **state)
{
	struct srv s, t;
	const char *serve[] = { "serve", "--db", NULL, "--listen", NULL, NULL };
	char listen[64], *err;

	(void)state;
	srv_prepare(&s);
	srv_start(&s, NULL);
	/* A port in use is a clear error, not a hang. */
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", s.port);
	srv_prepare(&t);
	serve[2] = t.db;
	serve[4] = listen;
	assert_int_equal(netsot(serve, NULL, NULL, &err), 1);
	assert_non_null(strstr(err, "cannot listen"));
	/* Every line names the port asked for, never "port 0". */
	if (strstr(err, listen + strlen("127.0.0.1:")) == NULL || strstr(err, "port 0") != NULL)
		fail_msg("a busy port's error: %s", err);
	free(err);
	srv_stop(&s);
	/* A key file others can read is refused. */
	assert_int_equal(chmod(s.key, 0644), 0);
	serve[2] = s.db;
	serve[4] = "127.0.0.1:0";
	assert_int_equal(netsot(serve, NULL, NULL, &err), 1);
	assert_non_null(strstr(err, "chmod 600"));
	free(err);
	/* Neither is a listen address that is not one. */
	serve[2] = t.db;
	serve[4] = "localhost";
	assert_int_equal(netsot(serve, NULL, NULL, &err), 1);
	assert_non_null(strstr(err, "--listen"));
	assert_int_equal(count_lines(err), 1);
	free(err);
	srv_cleanup(&s);
	srv_cleanup(&t);
}

static void
test_signal_stops_cleanly(void **state)
{
	struct srv s;
	char *log;

	(void)state;
	srv_prepare(&s);
	srv_start(&s, NULL);
	srv_stop(&s); /* asserts exit status 0 */
	log = srv_log(&s);
	assert_non_null(strstr(log, "stopping"));
	free(log);
	srv_cleanup(&s);
}


/* A file's permission bits, or -1 when it does not exist. */
static int
mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* The database and its -wal and -shm are the owner's alone, even under umask 0, and an
 * existing database left readable by others is made private when netsot opens it. */
static void
test_database_files_0600(void **state)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char path[256];
	mode_t old = umask(0);
	struct srv s;
	size_t i;
	int round, fd;

	(void)state;
	for (round = 0; round < 2; round++) {
		srv_prepare(&s);
		if (round == 1) {
			/* As an older netsot left it: all readable by others. */
			snprintf(path, sizeof(path), "%s-wal", s.db);
			assert_true((fd = open(path, O_WRONLY | O_CREAT, 0644)) >= 0);
			close(fd);
			assert_int_equal(chmod(s.db, 0644), 0);
		}
		/* A running server holds the database open, so its -wal and -shm exist. */
		srv_start(&s, NULL);
		for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
			snprintf(path, sizeof(path), "%s%s", s.db, suffixes[i]);
			if (mode_of(path) != 0600)
				fail_msg("round %d: %s is %o", round, path, mode_of(path));
		}
		srv_stop(&s);
		srv_cleanup(&s);
	}
	umask(old);
}

/* netsot import - reads the plan from standard input. */
static void
test_import_from_stdin(void **state)
{
	static const char plan[] = "{\"format\":\"netsot-plan/1\",\"vlans\":[{\"vid\":42,"
	    "\"name\":\"from-stdin\"}]}";
	const char *import[] = { "import", "-", "--db", NULL, NULL };
	const char *export[] = { "export", "--db", NULL, NULL };
	char *out = NULL, *err = NULL;
	struct srv s;

	(void)state;
	srv_prepare(&s);
	import[3] = s.db;
	export[2] = s.db;
	if (netsot(import, plan, &out, &err) != 0)
		fail_msg("netsot import -: %s", err ? err : "");
	free(out);
	free(err);
	assert_int_equal(netsot(export, NULL, &out, NULL), 0);
	assert_non_null(strstr(out, "from-stdin"));
	free(out);
	/* Nothing on standard input is a broken plan, not a hang or an empty import. */
	assert_int_equal(netsot(import, "", NULL, &err), 1);
	assert_non_null(strstr(err, "-:"));
	free(err);
	srv_cleanup(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_and_help),
		cmocka_unit_test(test_bad_flags_exit_2),
		cmocka_unit_test(test_migrate_env_and_newer_schema),
		cmocka_unit_test(test_user_add),
		cmocka_unit_test(test_help_per_command),
		cmocka_unit_test(test_errors_human_and_json),
		cmocka_unit_test(test_user_passwd),
		cmocka_unit_test(test_serve_refusals),
		cmocka_unit_test(test_signal_stops_cleanly),
		cmocka_unit_test(test_database_files_0600),
		cmocka_unit_test(test_import_from_stdin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
