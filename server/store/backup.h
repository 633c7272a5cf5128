/* Online backups of the database with SQLite's backup API, and restoring one. */
#ifndef NETSOT_BACKUP_H
#define NETSOT_BACKUP_H

#include <stdbool.h>
#include <stddef.h>

/* Copies the database at db, live or not, into file: one consistent snapshot, written to a
 * temporary file beside it (0600), checked, synced and renamed over file. The copy is a
 * single self-contained file (rollback journal mode). err gets one line on failure. */
int backup_save(const char *db, const char *file, char *err, size_t errlen);
/* Checks a backup: PRAGMA integrity_check, and a schema this binary knows (1 to
 * db_latest_version()); its version into *version. */
int backup_check(const char *file, int *version, char *err, size_t errlen);
/* Replaces the database at db by the backup in file (checked first), in one transaction of
 * the database. Refused while another connection has db open (a running server) unless
 * force. */
int backup_restore(const char *file, const char *db, bool force, char *err, size_t errlen);

#endif
