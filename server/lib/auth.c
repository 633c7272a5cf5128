#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <jwt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const auth_roles[] = {
	[ROLE_NONE] = "none",
	[ROLE_VIEWER] = "viewer",
	[ROLE_EDITOR] = "editor",
	[ROLE_ADMIN] = "admin",
	[ROLE_ADMIN + 1] = NULL,
};

/* A token carrying a JWT larger than this is not one of ours. */
#define AUTH_TOKEN_MAX 4096

const char *
auth_role_name(enum role r)
{
	return r >= ROLE_NONE && r <= ROLE_ADMIN ? auth_roles[r] : "none";
}

int
auth_role_parse(const char *s, enum role *out)
{
	int r;

	for (r = ROLE_VIEWER; r <= ROLE_ADMIN; r++)
		if (s != NULL && strcmp(s, auth_roles[r]) == 0) {
			*out = (enum role)r;
			return 0;
		}
	return -1;
}

bool
auth_name_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (i >= AUTH_NAME_MAX || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return i > 0;
}

/* Each hash takes 64 MiB for about 80 ms: at most AUTH_HASHES_AT_ONCE run at once, whatever
 * the server's thread count (32 threads logging in together would take 2 GiB). */
#define AUTH_HASHES_AT_ONCE 4

static pthread_mutex_t auth_gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t auth_gate_cv = PTHREAD_COND_INITIALIZER;
static int auth_gate_busy;

static void
auth_gate_enter(void)
{
	pthread_mutex_lock(&auth_gate_mu);
	while (auth_gate_busy >= AUTH_HASHES_AT_ONCE)
		pthread_cond_wait(&auth_gate_cv, &auth_gate_mu);
	auth_gate_busy++;
	pthread_mutex_unlock(&auth_gate_mu);
}

static void
auth_gate_leave(void)
{
	pthread_mutex_lock(&auth_gate_mu);
	auth_gate_busy--;
	pthread_cond_signal(&auth_gate_cv);
	pthread_mutex_unlock(&auth_gate_mu);
}

/* crypto_pwhash_str_verify through the gate: 0 when password matches hash. */
static int
auth_verify(const char *hash, const char *password)
{
	int rc;

	auth_gate_enter();
	rc = crypto_pwhash_str_verify(hash, password, strlen(password));
	auth_gate_leave();
	return rc == 0 ? 0 : -1;
}

int
auth_hash_password(const char *password, char out[AUTH_HASH_LEN])
{
	int rc;

	auth_gate_enter();
	rc = crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE);
	auth_gate_leave();
	return rc == 0 ? 0 : -1;
}

static char auth_dummy[AUTH_HASH_LEN];
static pthread_once_t auth_dummy_once = PTHREAD_ONCE_INIT;

static void
auth_make_dummy(void)
{
	if (auth_hash_password("netsot-no-such-user", auth_dummy) == -1)
		auth_dummy[0] = '\0';
}

int
auth_check_password(const char *hash, const char *password)
{
	if (hash == NULL) {
		/* Made on first need, not at start-up: it costs as much as a login. */
		pthread_once(&auth_dummy_once, auth_make_dummy);
		/* The answer is no either way; only the time spent matters. */
		if (auth_dummy[0] != '\0' && auth_verify(auth_dummy, password) == 0)
			return -1;
		return -1;
	}
	return auth_verify(hash, password);
}

int
auth_key_load(const char *path, unsigned char key[AUTH_KEY_LEN], char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		randombytes_buf(key, AUTH_KEY_LEN);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1) {
			snprintf(err, errlen, "cannot create key file %s: %s", path,
			    strerror(errno));
			return -1;
		}
		if (write(fd, key, AUTH_KEY_LEN) != AUTH_KEY_LEN || fsync(fd) == -1) {
			snprintf(err, errlen, "cannot write key file %s: %s", path,
			    strerror(errno));
			close(fd);
			unlink(path);
			return -1;
		}
		close(fd);
		return 0;
	}
	if (fd == -1) {
		snprintf(err, errlen, "cannot open key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "key file %s must not be readable by group or others "
		    "(chmod 600 it)", path);
		goto out;
	}
	n = read(fd, key, AUTH_KEY_LEN);
	if (n != AUTH_KEY_LEN || st.st_size != AUTH_KEY_LEN) {
		snprintf(err, errlen, "key file %s must hold exactly %d bytes", path,
		    AUTH_KEY_LEN);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

void
auth_new_jti(char jti[AUTH_JTI_LEN])
{
	unsigned char raw[16];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(jti, AUTH_JTI_LEN, raw, sizeof(raw));
}

int
auth_token_issue(const unsigned char key[AUTH_KEY_LEN], const struct claims *c, char **out)
{
	jwt_t *j = NULL;
	int rc = -1;

	*out = NULL;
	if (c->iat <= 0 || c->exp <= c->iat || c->exp - c->iat > AUTH_TTL_MAX ||
	    (c->kind == TOKEN_SESSION && c->gen < 1))
		return -1;
	if (jwt_new(&j) != 0 ||
	    jwt_add_grant(j, "sub", c->sub) != 0 ||
	    jwt_add_grant(j, "role", auth_role_name(c->role)) != 0 ||
	    jwt_add_grant_int(j, "iat", c->iat) != 0 ||
	    jwt_add_grant_int(j, "exp", c->exp) != 0 ||
	    jwt_add_grant(j, "jti", c->jti) != 0 ||
	    (c->kind == TOKEN_SESSION && jwt_add_grant_int(j, "gen", c->gen) != 0) ||
	    (c->kind == TOKEN_API && jwt_add_grant(j, "kind", "api") != 0) ||
	    jwt_set_alg(j, JWT_ALG_HS256, key, AUTH_KEY_LEN) != 0 ||
	    (*out = jwt_encode_str(j)) == NULL)
		goto out;
	rc = 0;
out:
	jwt_free(j);
	return rc;
}

static int
auth_copy_grant(jwt_t *j, const char *name, char *dst, size_t cap)
{
	const char *v = jwt_get_grant(j, name);

	if (v == NULL || strlen(v) >= cap || *v == '\0')
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int
auth_token_verify(const unsigned char key[AUTH_KEY_LEN], const char *token, time_t now,
    struct claims *out)
{
	char role[16];
	char *kind;
	jwt_t *j = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* libjwt 1.10 skips verification when the key is missing: never let that happen. */
	if (key == NULL || token == NULL || strlen(token) > AUTH_TOKEN_MAX)
		return -1;
	if (jwt_decode(&j, token, key, AUTH_KEY_LEN) != 0)
		goto out;
	/* HS384/HS512 tokens made with the same key also decode: pin the algorithm. */
	if (jwt_get_alg(j) != JWT_ALG_HS256)
		goto out;
	out->exp = jwt_get_grant_int(j, "exp");
	out->iat = jwt_get_grant_int(j, "iat");
	/* Bounded both ways: an exp past year 9999 once overran a date buffer. */
	if (out->iat <= 0 || out->iat > (long long)now + AUTH_SKEW || out->exp <= out->iat ||
	    out->exp <= (long long)now || out->exp - out->iat > AUTH_TTL_MAX ||
	    out->exp - (long long)now > AUTH_TTL_MAX)
		goto out;
	if (auth_copy_grant(j, "sub", out->sub, sizeof(out->sub)) == -1 ||
	    auth_copy_grant(j, "jti", out->jti, sizeof(out->jti)) == -1 ||
	    auth_copy_grant(j, "role", role, sizeof(role)) == -1 ||
	    auth_role_parse(role, &out->role) == -1)
		goto out;
	/* jwt_get_grant() hides a non-string claim as absent; the JSON form shows any type. */
	kind = jwt_get_grants_json(j, "kind");
	if (kind != NULL && strcmp(kind, "\"api\"") != 0) {
		free(kind);
		goto out;
	}
	out->kind = kind != NULL ? TOKEN_API : TOKEN_SESSION;
	free(kind);
	/* A session token names the generation it was issued in; revocation bumps it. */
	if (out->kind == TOKEN_SESSION && (out->gen = jwt_get_grant_int(j, "gen")) < 1)
		goto out;
	rc = 0;
out:
	jwt_free(j);
	if (rc == -1)
		memset(out, 0, sizeof(*out));
	return rc;
}
