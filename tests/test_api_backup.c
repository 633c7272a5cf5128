/* netsot backup and restore: backups taken while a client creates addresses as fast as it
 * can are each a whole database (PRAGMA integrity_check) holding one consistent moment (the
 * addresses, their row count kept by triggers and their audit rows agree); a restore is
 * refused while a server has the database open (unless --force) and for a file that is no
 * backup, and a restored database serves its data and its users. */
#include "harness.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#define BACKUPS 4

static struct srv S;
static char *ed;
static atomic_bool writer_stop;
static atomic_int writer_made;

static size_t
discard(char *p, size_t size, size_t n, void *cls)
{
	(void)p;
	(void)cls;
	return size * n;
}

/* Creates addresses one request each on its own libcurl handle until told to stop. */
static void *
writer(void *arg)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	char url[128], auth[1024], body[128];
	long status;
	int i;

	(void)arg;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/ip-addresses", S.port);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", ed);
	hdrs = curl_slist_append(hdrs, auth);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	for (i = 0; !atomic_load(&writer_stop) && i < 60000; i++) {
		snprintf(body, sizeof(body), "{\"address\":\"10.8.%d.%d\",\"dns_name\":"
		    "\"w%d.example.net\"}", i / 250, i % 250 + 1, i);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		if (curl_easy_perform(h) != CURLE_OK)
			break;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (status == 201)
			atomic_fetch_add(&writer_made, 1);
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return NULL;
}

static long long
one(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A backup file: integrity, privacy, one file, and the addresses as one moment saw them.
 * Returns how many addresses it holds. */
static long long
check_backup(const char *path)
{
	char ic[16] = "", wal[1100];
	sqlite3_stmt *st;
	struct stat sb;
	long long n;
	sqlite3 *h;

	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(ic, sizeof(ic), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	assert_string_equal(ic, "ok");
	n = one(h, "SELECT count(*) FROM ip_addresses");
	assert_int_equal(one(h, "SELECT n FROM bookkeeping WHERE key = 'ip_addresses'"), n);
	assert_int_equal(one(h, "SELECT count(*) FROM changes WHERE object_type = 'ip-address' "
	    "AND action = 'create'"), n);
	assert_int_equal(one(h, "SELECT count(*) FROM users WHERE username = 'ed'"), 1);
	sqlite3_close(h);
	/* Nothing beside it: the backup is the one file. */
	snprintf(wal, sizeof(wal), "%s-wal", path);
	assert_int_not_equal(access(wal, F_OK), 0);
	return n;
}

static void
test_backup_under_load(void **state)
{
	char path[BACKUPS][256], *out = NULL, *err = NULL;
	long long n[BACKUPS], made;
	pthread_t th;
	struct srv T;
	int i;

	(void)state;
	srv_up(&S, NULL, &ed, NULL);
	api_create(&S, ed, "/api/v1/prefixes", "{\"prefix\":\"10.8.0.0/16\"}");
	atomic_store(&writer_stop, false);
	assert_int_equal(pthread_create(&th, NULL, writer, NULL), 0);
	usleep(300000);
	for (i = 0; i < BACKUPS; i++) {
		const char *args[] = { "backup", path[i], "--db", S.db, NULL };

		snprintf(path[i], sizeof(path[i]), "%s/backup%d.db", S.dir, i);
		assert_int_equal(run_netsot(args, NULL, &out, &err), 0);
		free(out);
		free(err);
		n[i] = check_backup(path[i]);
		print_message("backup %d: %lld addresses, %d made so far\n", i, n[i],
		    atomic_load(&writer_made));
		usleep(200000);
	}
	atomic_store(&writer_stop, true);
	pthread_join(th, NULL);
	made = atomic_load(&writer_made);
	/* Taken while writes went on: each later backup holds more. */
	for (i = 1; i < BACKUPS; i++)
		assert_true(n[i] > n[i - 1]);
	assert_true(n[BACKUPS - 1] < made);

	/* Not over the database the running server has open, not from a file that is no
	 * backup. */
	{
		const char *args[] = { "restore", path[0], "--db", S.db, NULL };
		char junk[256];
		FILE *f;

		assert_int_equal(run_netsot(args, NULL, &out, &err), 1);
		assert_non_null(strstr(err, "in use"));
		free(out);
		free(err);
		snprintf(junk, sizeof(junk), "%s/junk.db", S.dir);
		assert_non_null(f = fopen(junk, "w"));
		fputs("not a database\n", f);
		fclose(f);
		args[1] = junk;
		assert_int_equal(run_netsot(args, NULL, &out, &err), 1);
		assert_non_null(strstr(err, "not a database"));
		free(out);
		free(err);
		/* --force restores under the running server, which then serves the backup's
		 * data. */
		{
			const char *forced[] = { "restore", path[0], "--db", S.db, "--force", NULL };

			assert_int_equal(run_netsot(forced, NULL, &out, &err), 0);
			free(out);
			free(err);
			assert_int_equal(api_count(&S, ed, "/api/v1/ip-addresses"), n[0]);
		}
	}

	/* Restored into a fresh path, served: its addresses and its users are there. */
	memset(&T, 0, sizeof(T));
	srv_prepare(&T);
	assert_int_equal(unlink(T.db), 0);
	{
		const char *args[] = { "restore", path[BACKUPS - 1], "--db", T.db, NULL };
		struct stat sb;
		char *tok;

		assert_int_equal(run_netsot(args, NULL, &out, &err), 0);
		free(out);
		free(err);
		assert_int_equal(stat(T.db, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		srv_start(&T, NULL);
		tok = login(&T, "ed", TEST_PASSWORD);
		assert_int_equal(api_count(&T, tok, "/api/v1/ip-addresses"), n[BACKUPS - 1]);
		assert_int_equal(api(&T, "GET", "/api/v1/ip-addresses?address=10.8.0.1", tok, NULL,
		    NULL), 200);
		free(tok);
		srv_stop(&T);
		srv_cleanup(&T);
	}
	srv_down(&S, ed, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_under_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
