/* The web UI's files: the built-in copy (what web/ held at build time), or a directory given
 * with --web; only plain names of known types; a strict Content-Security-Policy on each. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WEB NETSOT_SOURCE_DIR "/web"

static void
assert_csp(const struct resp *r)
{
	char csp[512];

	assert_non_null(resp_header(r, "Content-Security-Policy", csp, sizeof(csp)));
	assert_non_null(strstr(csp, "script-src 'self'"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_null(strstr(csp, "unsafe"));
	assert_non_null(resp_header(r, "X-Content-Type-Options", csp, sizeof(csp)));
	assert_string_equal(csp, "nosniff");
	assert_non_null(resp_header(r, "Referrer-Policy", csp, sizeof(csp)));
	assert_string_equal(csp, "no-referrer");
}

/* Without --web: the page and every file of web/ as they were built in, byte for byte. */
static void
test_builtin(void **state)
{
	static const char *const files[] = { "app.js", "api.js", "dom.js", "style.css",
		"prefix.js" };
	char path[256], url[128], ctype[128], etag[64], hdr[96];
	struct resp r;
	struct srv s;
	size_t i, len;
	char *want;

	(void)state;
	srv_prepare(&s);
	srv_start(&s, NULL);
	assert_int_equal(req(&s, "GET", "/", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	want = read_file(WEB "/index.html", &len);
	assert_int_equal(r.len, len);
	assert_memory_equal(r.body, want, len);
	assert_non_null(resp_header(&r, "Content-Type", ctype, sizeof(ctype)));
	assert_string_equal(ctype, "text/html; charset=utf-8");
	assert_csp(&r);
	free(want);
	resp_free(&r);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), WEB "/%s", files[i]);
		snprintf(url, sizeof(url), "/web/%s", files[i]);
		assert_int_equal(req(&s, "GET", url, NULL, NULL, NULL, &r), 0);
		assert_int_equal(r.status, 200);
		want = read_file(path, &len);
		assert_int_equal(r.len, len);
		assert_memory_equal(r.body, want, len);
		assert_csp(&r);
		/* Revalidation is a 304. */
		assert_non_null(resp_header(&r, "ETag", etag, sizeof(etag)));
		snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag);
		free(want);
		resp_free(&r);
		assert_int_equal(req_hdr(&s, "GET", url, NULL, hdr, NULL, &r), 0);
		assert_int_equal(r.status, 304);
		resp_free(&r);
	}
	assert_int_equal(req(&s, "GET", "/web/app.js", NULL, NULL, NULL, &r), 0);
	assert_non_null(resp_header(&r, "Content-Type", ctype, sizeof(ctype)));
	assert_string_equal(ctype, "text/javascript; charset=utf-8");
	resp_free(&r);
	srv_stop(&s);
	srv_cleanup(&s);
}

/* With --web DIR: that directory's files, and nothing outside it. */
static void
test_directory(void **state)
{
	static const char *const refused[] = { "/web/.secret.js", "/web/notes.txt",
		"/web/..%2Fnetsot.db", "/web/%2e%2e", "/web/missing.js", "/web/a%00.js" };
	const char *flags[] = { "--web", NULL, NULL };
	char dir[256], file[300];
	struct resp r;
	struct srv s;
	size_t i;
	FILE *f;

	(void)state;
	srv_prepare(&s);
	snprintf(dir, sizeof(dir), "%s/ui", s.dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/index.html", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs("<!doctype html><title>mine</title>", f);
	fclose(f);
	snprintf(file, sizeof(file), "%s/.secret.js", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs("secret", f);
	fclose(f);
	snprintf(file, sizeof(file), "%s/notes.txt", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs("notes", f);
	fclose(f);
	flags[1] = dir;
	srv_start(&s, flags);
	assert_int_equal(req(&s, "GET", "/", NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<title>mine</title>"));
	assert_csp(&r);
	resp_free(&r);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(req(&s, "GET", refused[i], NULL, NULL, NULL, &r), 0);
		if (r.status != 404)
			fail_msg("%s: %ld", refused[i], r.status);
		resp_free(&r);
	}
	srv_stop(&s);
	srv_cleanup(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
