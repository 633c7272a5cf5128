/* Tests for server/cli/config.c: flags, NETSOT_* environment variables and defaults. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *const env_names[] = {
	"NETSOT_DB", "NETSOT_LISTEN", "NETSOT_THREADS", "NETSOT_MAX_BODY",
	"NETSOT_JWT_KEY_FILE", "NETSOT_TOKEN_TTL", "NETSOT_TIMEOUT",
	"NETSOT_LOGIN_MAX_FAILURES", "NETSOT_LOGIN_MAX_FAILURES_PER_ADDRESS",
	"NETSOT_LOGIN_WINDOW", "NETSOT_ROLE",
	"NETSOT_PASSWORD_STDIN",
};

struct fixture {
	struct config c;
	char err[256];
};

static void
clear_env(void)
{
	size_t i;

	for (i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		unsetenv(env_names[i]);
}

static int
setup(void **state)
{
	static struct fixture f;

	clear_env();
	config_init(&f.c);
	memset(f.err, 0, sizeof(f.err));
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	config_free(&f->c);
	clear_env();
	return 0;
}

/* config_parse on a literal argument list. */
#define PARSE(f, cmd, ...) \
	config_parse(&(f)->c, (cmd), \
	    (int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)), \
	    (char *[]){ __VA_ARGS__ }, (f)->err, sizeof((f)->err))

#define PARSE_NONE(f, cmd) config_parse(&(f)->c, (cmd), 0, NULL, (f)->err, sizeof((f)->err))

/* Expects the parse to fail with exactly msg. */
#define REFUSED(f, msg, cmd, ...) do { \
	memset((f)->err, 0, sizeof((f)->err)); \
	assert_int_equal(PARSE(f, cmd, __VA_ARGS__), -1); \
	assert_string_equal((f)->err, (msg)); \
	config_free(&(f)->c); \
} while (0)

static void
test_init_defaults(void **state)
{
	struct fixture *f = *state;

	assert_null(f->c.db);
	assert_null(f->c.listen);
	assert_int_equal(f->c.threads, 4);
	assert_int_equal(f->c.max_body, 1048576);
	assert_int_equal(f->c.token_ttl, 900);
	assert_int_equal(f->c.timeout, 30);
	assert_int_equal(f->c.max_connections, 1000);
	assert_int_equal(f->c.login_max_failures, 5);
	assert_int_equal(f->c.login_max_failures_addr, 20);
	assert_int_equal(f->c.login_window, 300);
	assert_int_equal(f->c.idempotency_ttl, 86400);
	assert_false(f->c.password_stdin);
	assert_false(f->c.help);
	assert_int_equal(f->c.nargs, 0);
}

static void
test_parse_defaults(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE_NONE(f, CMD_SERVE), 0);
	assert_string_equal(f->c.db, "netsot.db");
	assert_string_equal(f->c.listen, "127.0.0.1:8080");
	assert_null(f->c.jwt_key_file);
	assert_null(f->c.role);
	assert_int_equal(f->c.threads, 4);
	assert_int_equal(f->c.nargs, 0);
	config_free(&f->c);
	/* Only serve gets a listen address. */
	assert_int_equal(PARSE_NONE(f, CMD_MIGRATE), 0);
	assert_string_equal(f->c.db, "netsot.db");
	assert_null(f->c.listen);
}

static void
test_flag_space_value(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, CMD_SERVE, "--db", "/tmp/x.db", "--listen", "[::1]:0",
	    "--threads", "16", "--max-body", "2048", "--token-ttl", "60", "--timeout", "3600",
	    "--login-max-failures", "1000", "--login-max-failures-per-address", "100000",
	    "--login-window", "86400", "--idempotency-ttl", "3600", "--max-connections", "100000",
	    "--jwt-key-file", "/k"), 0);
	assert_string_equal(f->c.db, "/tmp/x.db");
	assert_string_equal(f->c.listen, "[::1]:0");
	assert_int_equal(f->c.threads, 16);
	assert_int_equal(f->c.max_body, 2048);
	assert_int_equal(f->c.token_ttl, 60);
	assert_int_equal(f->c.timeout, 3600);
	assert_int_equal(f->c.login_max_failures, 1000);
	assert_int_equal(f->c.login_max_failures_addr, 100000);
	assert_int_equal(f->c.login_window, 86400);
	assert_int_equal(f->c.idempotency_ttl, 3600);
	assert_int_equal(f->c.max_connections, 100000);
	assert_string_equal(f->c.jwt_key_file, "/k");
	assert_int_equal(f->c.nargs, 0);
}

static void
test_flag_equals_value(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, CMD_SERVE, "--db=a=b.db", "--threads=1", "--listen=0.0.0.0:80",
	    "--max-body=1073741824"), 0);
	assert_string_equal(f->c.db, "a=b.db");   /* only the first '=' splits */
	assert_int_equal(f->c.threads, 1);
	assert_string_equal(f->c.listen, "0.0.0.0:80");
	assert_int_equal(f->c.max_body, 1L << 30);
}

static void
test_repeated_flag_last_wins(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, CMD_MIGRATE, "--db", "one.db", "--db=two.db"), 0);
	assert_string_equal(f->c.db, "two.db");
}

static void
test_env_values(void **state)
{
	struct fixture *f = *state;

	setenv("NETSOT_DB", "/var/lib/netsot.db", 1);
	setenv("NETSOT_LISTEN", "0.0.0.0:9000", 1);
	setenv("NETSOT_THREADS", "8", 1);
	setenv("NETSOT_TOKEN_TTL", "120", 1);
	setenv("NETSOT_JWT_KEY_FILE", "/etc/netsot.key", 1);
	setenv("NETSOT_LOGIN_MAX_FAILURES", "7", 1);
	setenv("NETSOT_LOGIN_MAX_FAILURES_PER_ADDRESS", "70", 1);
	assert_int_equal(PARSE_NONE(f, CMD_SERVE), 0);
	assert_string_equal(f->c.db, "/var/lib/netsot.db");
	assert_string_equal(f->c.listen, "0.0.0.0:9000");
	assert_int_equal(f->c.threads, 8);
	assert_int_equal(f->c.token_ttl, 120);
	assert_string_equal(f->c.jwt_key_file, "/etc/netsot.key");
	assert_int_equal(f->c.login_max_failures, 7);
	assert_int_equal(f->c.login_max_failures_addr, 70);
}

static void
test_flags_override_env(void **state)
{
	struct fixture *f = *state;

	setenv("NETSOT_DB", "env.db", 1);
	setenv("NETSOT_THREADS", "8", 1);
	setenv("NETSOT_LISTEN", "0.0.0.0:9000", 1);
	assert_int_equal(PARSE(f, CMD_SERVE, "--threads", "2", "--db=flag.db"), 0);
	assert_string_equal(f->c.db, "flag.db");
	assert_int_equal(f->c.threads, 2);
	assert_string_equal(f->c.listen, "0.0.0.0:9000");  /* not given as a flag */
}

static void
test_env_errors(void **state)
{
	struct fixture *f = *state;

	setenv("NETSOT_THREADS", "lots", 1);
	assert_int_equal(PARSE_NONE(f, CMD_SERVE), -1);
	assert_string_equal(f->err, "NETSOT_THREADS: 'lots' is not a number from 1 to 256");
	config_free(&f->c);
	unsetenv("NETSOT_THREADS");
	setenv("NETSOT_DB", "", 1);
	assert_int_equal(PARSE_NONE(f, CMD_MIGRATE), -1);
	assert_string_equal(f->err, "NETSOT_DB: empty value");
	config_free(&f->c);
	unsetenv("NETSOT_DB");
	setenv("NETSOT_PASSWORD_STDIN", "yes", 1);
	assert_int_equal(PARSE_NONE(f, CMD_USER_ADD), -1);
	assert_string_equal(f->err, "NETSOT_PASSWORD_STDIN: 'yes' is not 1, 0, true or false");
}

static void
test_env_of_other_commands_ignored(void **state)
{
	struct fixture *f = *state;

	/* Invalid, but migrate takes neither option, so neither is read. */
	setenv("NETSOT_THREADS", "lots", 1);
	setenv("NETSOT_LISTEN", "", 1);
	setenv("NETSOT_ROLE", "admin", 1);
	assert_int_equal(PARSE_NONE(f, CMD_MIGRATE), 0);
	assert_int_equal(f->c.threads, 4);
	assert_null(f->c.listen);
	assert_null(f->c.role);
}

static void
test_unknown_option(void **state)
{
	struct fixture *f = *state;

	REFUSED(f, "unknown option '--bogus'", CMD_SERVE, "--bogus");
	/* The value is not echoed. */
	REFUSED(f, "unknown option '--bogus'", CMD_SERVE, "--bogus=secret");
	/* Names match exactly: no prefixes, no case folding. */
	REFUSED(f, "unknown option '--thread'", CMD_SERVE, "--thread", "4");
	REFUSED(f, "unknown option '--threadsx'", CMD_SERVE, "--threadsx=4");
	REFUSED(f, "unknown option '--DB'", CMD_SERVE, "--DB", "x");
	REFUSED(f, "unknown option '--login-max-failures-per'", CMD_SERVE,
	    "--login-max-failures-per=3");
	REFUSED(f, "unknown option '--'", CMD_SERVE, "--=x");
	/* An error after good options still fails the whole parse. */
	REFUSED(f, "unknown option '--nope'", CMD_SERVE, "--db", "x.db", "--nope");
}

static void
test_missing_value(void **state)
{
	struct fixture *f = *state;

	REFUSED(f, "option '--db' needs a value", CMD_MIGRATE, "--db");
	REFUSED(f, "option '--threads' needs a value", CMD_SERVE, "--db", "x", "--threads");
	REFUSED(f, "--db: empty value", CMD_MIGRATE, "--db=");
	REFUSED(f, "--listen: empty value", CMD_SERVE, "--listen", "");
}

static void
test_numbers_out_of_range(void **state)
{
	struct fixture *f = *state;

	REFUSED(f, "--threads: '0' is not a number from 1 to 256", CMD_SERVE, "--threads", "0");
	REFUSED(f, "--threads: '257' is not a number from 1 to 256", CMD_SERVE, "--threads=257");
	REFUSED(f, "--threads: '-1' is not a number from 1 to 256", CMD_SERVE, "--threads", "-1");
	REFUSED(f, "--max-body: '1023' is not a number from 1024 to 1073741824", CMD_SERVE,
	    "--max-body", "1023");
	REFUSED(f, "--max-body: '1073741825' is not a number from 1024 to 1073741824", CMD_SERVE,
	    "--max-body", "1073741825");
	REFUSED(f, "--token-ttl: '59' is not a number from 60 to 86400", CMD_SERVE,
	    "--token-ttl", "59");
	REFUSED(f, "--login-window: '86401' is not a number from 1 to 86400", CMD_SERVE,
	    "--login-window", "86401");
	REFUSED(f, "--idempotency-ttl: '0' is not a number from 1 to 31622400", CMD_SERVE,
	    "--idempotency-ttl", "0");
	REFUSED(f, "--idempotency-ttl: '31622401' is not a number from 1 to 31622400",
	    CMD_SERVE, "--idempotency-ttl", "31622401");
	REFUSED(f, "--login-max-failures-per-address: '100001' is not a number from 1 to 100000",
	    CMD_SERVE, "--login-max-failures-per-address", "100001");
	REFUSED(f, "--threads: '99999999999999999999' is not a number from 1 to 256", CMD_SERVE,
	    "--threads", "99999999999999999999");
}

static void
test_numbers_not_numeric(void **state)
{
	struct fixture *f = *state;

	REFUSED(f, "--threads: 'four' is not a number from 1 to 256", CMD_SERVE, "--threads",
	    "four");
	REFUSED(f, "--threads: '4x' is not a number from 1 to 256", CMD_SERVE, "--threads=4x");
	REFUSED(f, "--threads: '' is not a number from 1 to 256", CMD_SERVE, "--threads=");
	REFUSED(f, "--threads: '4.0' is not a number from 1 to 256", CMD_SERVE, "--threads",
	    "4.0");
	REFUSED(f, "--timeout: '0x10' is not a number from 1 to 3600", CMD_SERVE, "--timeout",
	    "0x10");
	REFUSED(f, "--max-connections: '0' is not a number from 1 to 100000", CMD_SERVE,
	    "--max-connections", "0");
	/* A failed number leaves the default alone. */
	assert_int_equal(f->c.threads, 4);
}

static void
test_flag_options(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, CMD_USER_ADD, "--password-stdin", "alice"), 0);
	assert_true(f->c.password_stdin);
	/* A flag does not take the next argument as its value. */
	assert_int_equal(f->c.nargs, 1);
	assert_string_equal(f->c.args[0], "alice");
	config_free(&f->c);

	assert_int_equal(PARSE(f, CMD_USER_ADD, "--password-stdin=true"), 0);
	assert_true(f->c.password_stdin);
	config_free(&f->c);
	assert_int_equal(PARSE(f, CMD_USER_ADD, "--password-stdin=1", "--password-stdin=0"), 0);
	assert_false(f->c.password_stdin);
	config_free(&f->c);
	assert_int_equal(PARSE(f, CMD_USER_ADD, "--password-stdin", "--password-stdin=false"), 0);
	assert_false(f->c.password_stdin);
	config_free(&f->c);

	setenv("NETSOT_PASSWORD_STDIN", "true", 1);
	assert_int_equal(PARSE_NONE(f, CMD_USER_ADD), 0);
	assert_true(f->c.password_stdin);
	config_free(&f->c);
	assert_int_equal(PARSE(f, CMD_USER_ADD, "--password-stdin=0"), 0);
	assert_false(f->c.password_stdin);
	config_free(&f->c);
	unsetenv("NETSOT_PASSWORD_STDIN");

	REFUSED(f, "--password-stdin: 'yes' is not 1, 0, true or false", CMD_USER_ADD,
	    "--password-stdin=yes");
	REFUSED(f, "--password-stdin: '' is not 1, 0, true or false", CMD_USER_ADD,
	    "--password-stdin=");
	REFUSED(f, "--password-stdin: 'TRUE' is not 1, 0, true or false", CMD_USER_ADD,
	    "--password-stdin=TRUE");
}

static void
test_positional_args(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, CMD_USER_ADD, "alice", "--role", "admin", "extra"), 0);
	assert_int_equal(f->c.nargs, 2);
	assert_string_equal(f->c.args[0], "alice");
	assert_string_equal(f->c.args[1], "extra");
	assert_string_equal(f->c.role, "admin");
	config_free(&f->c);

	assert_int_equal(PARSE(f, CMD_USER_ADD, "1", "2", "3", "4", "5", "6", "7", "8"), 0);
	assert_int_equal(f->c.nargs, CONFIG_MAX_ARGS);
	assert_string_equal(f->c.args[7], "8");
	config_free(&f->c);

	REFUSED(f, "unexpected argument '9'", CMD_USER_ADD,
	    "1", "2", "3", "4", "5", "6", "7", "8", "9");
	REFUSED(f, "unexpected argument '-x'", CMD_USER_ADD, "-x");
	REFUSED(f, "unexpected argument '-'", CMD_USER_ADD, "-");
	REFUSED(f, "unexpected argument '--'", CMD_USER_ADD, "--");

	/* import's FILE may be '-' (standard input); no other dash is an argument. */
	assert_int_equal(PARSE(f, CMD_IMPORT, "-", "--dry-run"), 0);
	assert_int_equal(f->c.nargs, 1);
	assert_string_equal(f->c.args[0], "-");
	assert_true(f->c.dry_run);
	config_free(&f->c);
	REFUSED(f, "unexpected argument '-x'", CMD_IMPORT, "-x");
	REFUSED(f, "unexpected argument '-'", CMD_RENDER, "-");
}

static void
test_help(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, CMD_SERVE, "--help", "--threads", "3"), 0);
	assert_true(f->c.help);
	assert_int_equal(f->c.threads, 3);   /* parsing goes on */
	assert_int_equal(f->c.nargs, 0);
	config_free(&f->c);
	assert_false(f->c.help);
	assert_int_equal(PARSE(f, CMD_MIGRATE, "-h"), 0);
	assert_true(f->c.help);
	assert_int_equal(f->c.nargs, 0);
}

static void
test_options_of_other_commands(void **state)
{
	struct fixture *f = *state;

	REFUSED(f, "unknown option '--listen'", CMD_MIGRATE, "--listen", "0.0.0.0:1");
	REFUSED(f, "unknown option '--threads'", CMD_USER_ADD, "--threads=2");
	REFUSED(f, "unknown option '--role'", CMD_SERVE, "--role", "admin");
	REFUSED(f, "unknown option '--password-stdin'", CMD_SERVE, "--password-stdin");
	REFUSED(f, "unknown option '--jwt-key-file'", CMD_MIGRATE, "--jwt-key-file", "k");
	/* --db belongs to all three. */
	assert_int_equal(PARSE(f, CMD_SERVE, "--db", "s.db"), 0);
	config_free(&f->c);
	assert_int_equal(PARSE(f, CMD_MIGRATE, "--db", "m.db"), 0);
	config_free(&f->c);
	assert_int_equal(PARSE(f, CMD_USER_ADD, "--db", "u.db"), 0);
	assert_string_equal(f->c.db, "u.db");
}

static void
test_key_path(void **state)
{
	struct fixture *f = *state;
	char *p;

	assert_int_equal(PARSE_NONE(f, CMD_SERVE), 0);
	p = config_key_path(&f->c);
	assert_string_equal(p, "netsot.db.jwtkey");
	free(p);
	config_free(&f->c);

	assert_int_equal(PARSE(f, CMD_SERVE, "--db", "/srv/data/plan.sqlite"), 0);
	p = config_key_path(&f->c);
	assert_string_equal(p, "/srv/data/plan.sqlite.jwtkey");
	free(p);
	config_free(&f->c);

	assert_int_equal(PARSE(f, CMD_SERVE, "--db", "a.db", "--jwt-key-file", "/etc/k"), 0);
	p = config_key_path(&f->c);
	assert_string_equal(p, "/etc/k");
	assert_ptr_not_equal(p, f->c.jwt_key_file);  /* a copy the caller frees */
	free(p);
}

static void
test_free_resets(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(PARSE(f, CMD_SERVE, "--db", "x", "--threads", "9", "--help", "arg"), 0);
	config_free(&f->c);
	assert_null(f->c.db);
	assert_null(f->c.listen);
	assert_int_equal(f->c.threads, 4);
	assert_false(f->c.help);
	assert_int_equal(f->c.nargs, 0);
}

static void
test_usage(void **state)
{
	char buf[4096], small[40];
	const char *p;

	(void)state;
	config_usage(CMD_MIGRATE, buf, sizeof(buf));
	assert_non_null(strstr(buf, "--db FILE"));
	assert_non_null(strstr(buf, "[NETSOT_DB]"));
	assert_null(strstr(buf, "--listen"));
	assert_null(strstr(buf, "--role"));
	config_usage(CMD_SERVE, buf, sizeof(buf));
	assert_non_null(strstr(buf, "--threads N"));
	assert_non_null(strstr(buf, "[NETSOT_LOGIN_WINDOW]"));
	assert_null(strstr(buf, "--password-stdin"));
	config_usage(CMD_USER_ADD, buf, sizeof(buf));
	assert_non_null(strstr(buf, "--role viewer|editor|admin"));
	/* A flag shows no value placeholder: its help text follows the name directly. */
	assert_non_null(p = strstr(buf, "--password-stdin "));
	p += strspn(p + strlen("--password-stdin"), " ") + strlen("--password-stdin");
	assert_memory_equal(p, "read the password", strlen("read the password"));
	assert_null(strstr(buf, "--threads"));
	/* A short buffer is cut, never overrun. */
	memset(small, 'x', sizeof(small));
	config_usage(CMD_SERVE, small, sizeof(small));
	assert_true(memchr(small, '\0', sizeof(small)) != NULL);
	assert_memory_equal(small, "  --db FILE", 11);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_defaults),
		T(test_parse_defaults),
		T(test_flag_space_value),
		T(test_flag_equals_value),
		T(test_repeated_flag_last_wins),
		T(test_env_values),
		T(test_flags_override_env),
		T(test_env_errors),
		T(test_env_of_other_commands_ignored),
		T(test_unknown_option),
		T(test_missing_value),
		T(test_numbers_out_of_range),
		T(test_numbers_not_numeric),
		T(test_flag_options),
		T(test_positional_args),
		T(test_help),
		T(test_options_of_other_commands),
		T(test_key_path),
		T(test_free_resets),
		T(test_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
