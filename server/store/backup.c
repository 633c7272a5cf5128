#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"

#define BACKUP_BUSY_MS 10000

/* A plain connection for the copy: db_open's pragmas would turn a backup into WAL mode. */
static sqlite3 *
backup_open(const char *path, int flags, char *err, size_t errlen)
{
	sqlite3 *h = NULL;

	if (sqlite3_open_v2(path, &h, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path, h ? sqlite3_errmsg(h) :
		    "out of memory");
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_busy_timeout(h, BACKUP_BUSY_MS);
	return h;
}

/* One whole copy from src to dst. In WAL mode one step reads one snapshot and blocks no
 * writer; chunked steps would restart at every commit of the running server and might never
 * end under write load. */
static int
backup_copy(sqlite3 *dst, sqlite3 *src, char *err, size_t errlen)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc;

	if (b == NULL) {
		snprintf(err, errlen, "cannot start the copy: %s", sqlite3_errmsg(dst));
		return -1;
	}
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED)
		sqlite3_sleep(50);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "the copy failed: %s", sqlite3_errstr(rc));
		return -1;
	}
	if (sqlite3_errcode(dst) != SQLITE_OK && sqlite3_errcode(dst) != SQLITE_DONE) {
		snprintf(err, errlen, "the copy failed: %s", sqlite3_errmsg(dst));
		return -1;
	}
	return 0;
}

static int
backup_sync(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), rc;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
backup_check(const char *file, int *version, char *err, size_t errlen)
{
	static const char ver_sql[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
	sqlite3_stmt *st = NULL;
	sqlite3 *h;
	int rc = -1;

	*version = 0;
	if ((h = backup_open(file, SQLITE_OPEN_READONLY, err, errlen)) == NULL)
		return -1;
	if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%s is not a database: %s", file, sqlite3_errmsg(h));
		goto out;
	}
	if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
		snprintf(err, errlen, "%s fails its integrity check: %s", file,
		    (const char *)sqlite3_column_text(st, 0));
		goto out;
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(h, ver_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%s is not a netsot database (no schema_migrations)", file);
		goto out;
	}
	*version = sqlite3_column_int(st, 0);
	if (*version < 1 || *version > db_latest_version()) {
		snprintf(err, errlen, "%s has schema version %d; this netsot knows 1 to %d", file,
		    *version, db_latest_version());
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(h);
	return rc;
}

int
backup_save(const char *db, const char *file, char *err, size_t errlen)
{
	char *tmp = NULL, *dircopy = NULL;
	sqlite3 *src = NULL, *dst = NULL;
	int fd, version, rc = -1;

	if (access(db, F_OK) == -1) {
		snprintf(err, errlen, "no database %s", db);
		return -1;
	}
	if (asprintf(&tmp, "%s.tmp-XXXXXX", file) == -1) {
		tmp = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* mkstemp makes it 0600: the backup holds password hashes and the audit log. */
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	close(fd);
	if ((src = backup_open(db, SQLITE_OPEN_READWRITE, err, errlen)) == NULL ||
	    (dst = backup_open(tmp, SQLITE_OPEN_READWRITE, err, errlen)) == NULL ||
	    backup_copy(dst, src, err, errlen) == -1)
		goto out;
	/* The copy's header says WAL, as the server's database does: a backup is one file. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot finish %s: %s", tmp, sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_close(dst);
	dst = NULL;
	if (backup_check(tmp, &version, err, errlen) == -1)
		goto out;
	if (backup_sync(tmp, O_RDONLY) == -1 || rename(tmp, file) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", file, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* The rename itself survives a crash once the directory is synced. */
	dircopy = strdup(file);
	if (dircopy != NULL)
		backup_sync(dirname(dircopy), O_RDONLY | O_DIRECTORY);
	rc = 0;
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(dircopy);
	return rc;
}

/* Whether another connection has the database open: a WAL database's every connection holds
 * a shared lock on the file for as long as it is open, and exclusive locking mode needs the
 * exclusive lock at once. */
static bool
backup_in_use(sqlite3 *h)
{
	bool busy;

	sqlite3_busy_timeout(h, 0);
	sqlite3_exec(h, "PRAGMA locking_mode = EXCLUSIVE", NULL, NULL, NULL);
	busy = sqlite3_exec(h, "BEGIN EXCLUSIVE; COMMIT", NULL, NULL, NULL) != SQLITE_OK;
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	return busy;
}

int
backup_restore(const char *file, const char *db, bool force, char *err, size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	int fd, version, rc = -1;

	if (backup_check(file, &version, err, errlen) == -1)
		return -1;
	/* A new database is private from its first byte, as db_open makes one. */
	if ((fd = open(db, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) != -1)
		close(fd);
	if ((src = backup_open(file, SQLITE_OPEN_READONLY, err, errlen)) == NULL ||
	    (dst = backup_open(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err,
	    errlen)) == NULL)
		goto out;
	if (!force && backup_in_use(dst)) {
		snprintf(err, errlen, "%s is in use (a running server?): stop it first, or give "
		    "--force", db);
		goto out;
	}
	/* The copy is one write transaction of the database: all of it or none. */
	sqlite3_busy_timeout(dst, BACKUP_BUSY_MS);
	if (backup_copy(dst, src, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	return rc;
}
