/* API test harness: runs the real netsot binary on an ephemeral loopback port with a temporary
 * database, and speaks HTTP to it with libcurl. */
#ifndef NETSOT_HARNESS_H
#define NETSOT_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct srv {
	pid_t pid;
	int port;
	char dir[128];       /* temporary directory, removed by srv_stop */
	char db[160];
	char key[176];
	char log[160];
};

struct resp {
	long status;
	char *body;
	size_t len;
	json_t *json;        /* the body parsed, when it is JSON */
	char *headers;       /* raw header block */
};

/* The password of the users the tests make. */
#define TEST_PASSWORD "correct horse"

/* The usual fixture: a started server (with flags, or NULL) holding an editor "ed" and, when
 * vi is not NULL, a viewer "vi", both logged in (tokens malloc'd). */
void srv_up(struct srv *s, const char *const *flags, char **ed, char **vi);
/* Stops and removes it, and frees the tokens (either may be NULL). */
void srv_down(struct srv *s, char *ed, char *vi);

/* Creates the temporary directory and database (migrated), without starting the server. */
void srv_prepare(struct srv *s);
/* Starts netsot serve with extra flags (NULL-terminated); waits until it listens. */
void srv_start(struct srv *s, const char *const *flags);
/* SIGTERM, and asserts a clean exit (status 0). */
void srv_stop(struct srv *s);
void srv_cleanup(struct srv *s);
void srv_add_user(struct srv *s, const char *name, const char *role, const char *password);

/* Runs netsot with args (NULL-terminated) and optional stdin text; returns the exit status and
 * fills out/err with what it printed (malloc'd, may be NULL). */
int run_netsot(const char *const *args, const char *input, char **out, char **err);

int req(struct srv *s, const char *method, const char *path, const char *token,
    const char *ctype, const char *body, struct resp *r);
/* Like req() with a JSON body sent as application/json. */
int req_json(struct srv *s, const char *method, const char *path, const char *token,
    const char *body, struct resp *r);
/* Like req_json() with one extra request header ("Name: value"). */
int req_hdr(struct srv *s, const char *method, const char *path, const char *token,
    const char *header, const char *body, struct resp *r);
void resp_free(struct resp *r);
/* Sends a JSON request and returns the status, asserting a problem body for errors; the
 * response goes to out when given, else it is freed. */
long api(struct srv *s, const char *method, const char *path, const char *token,
    const char *body, struct resp *out);
/* GETs a list, asserts 200, and returns its count. */
long long api_count(struct srv *s, const char *token, const char *path);
/* GETs a list, asserts 200 and at least one object, and returns the first one's id. */
long long api_first_id(struct srv *s, const char *token, const char *path);
/* POSTs a body made from fmt, asserts 201, and returns the new object's id. */
long long api_create(struct srv *s, const char *token, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A per-field message from a problem's errors map, or NULL. */
const char *field_error(const struct resp *r, const char *field);
/* The value of a response header (case-insensitive), copied into buf; NULL if absent. */
const char *resp_header(const struct resp *r, const char *name, char *buf, size_t len);

/* Logs in and returns the access token (malloc'd); asserts success. */
char *login(struct srv *s, const char *user, const char *password);
/* Asserts a problem+json response with this status and an X-Request-Id. */
void assert_problem(const struct resp *r, long status);
/* Runs SQL on the server's database behind its back (as a hand edit would); asserts success. */
void srv_sql(struct srv *s, const char *sql);
/* A whole file (malloc'd, NUL-terminated), its length in *len when len is not NULL; NULL
 * when it cannot be read. */
char *read_file(const char *path, size_t *len);
/* Reads the server's log. */
char *srv_log(struct srv *s);
/* Whether the log comes to hold needle within a few seconds (a line is written when the
 * connection finishes the request, just after the client has its answer). */
bool srv_log_has(struct srv *s, const char *needle);



/* Sends raw bytes on a new connection and reads until the server closes it or timeout_ms passes
 * with nothing to read; returns bytes read, the connection's close is reported in *closed. */
ssize_t raw_exchange(struct srv *s, const char *data, size_t len, char *out, size_t outlen,
    int timeout_ms, bool *closed);
#endif
