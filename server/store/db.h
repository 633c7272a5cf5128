/* SQLite access: one connection per thread, each with the same pragmas and a cache of prepared
 * statements; migrations compiled into the binary. */
#ifndef NETSOT_DB_H
#define NETSOT_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct api_err;
struct db;

/* Opens a connection with the project's pragmas. err gets a message on failure. */
int db_open(const char *path, struct db **out, char *err, size_t errlen);
void db_close(struct db *db);
sqlite3 *db_handle(struct db *db);

/* Per-thread connections to the database named by db_thread_setup(). */
int db_thread_setup(const char *path);
struct db *db_thread(void);
/* One more connection to that database, owned by the caller (a connection shared by threads
 * in turn, never at once). */
int db_thread_open(struct db **out);
void db_thread_teardown(void);

/* A cached prepared statement, reset and with its bindings cleared, keyed by the SQL text (the
 * cache keeps its own copy). For the fixed queries of the program: the cache never evicts, so
 * SQL built at run time goes to db_stmt_text. NULL on error (logged). */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

/* The tables statements read, a bit each: names get bits in the order the process first sees
 * them (bits 0 to DB_TABLES_MAX - 1), and a table past the last bit sets DB_TABLES_OTHER. */
#define DB_TABLES_MAX 63
#define DB_TABLES_OTHER (1ULL << DB_TABLES_MAX)

/* Between db_watch and db_watched, the connection records every table read by the statements
 * it hands out (db_stmt, db_stmt_text) and by any it prepares (sqlite3_prepare_*, sqlite3_exec,
 * automatic re-preparation), temp and sqlite_ tables aside. A statement obtained before
 * db_watch and stepped after it is not seen: get statements inside the watch. */
void db_watch(struct db *db);
uint64_t db_watched(struct db *db);
/* The names of the named bits of tables into names (at most DB_TABLES_MAX, valid for the
 * process's life, in bit order); returns how many. */
int db_table_names(uint64_t tables, const char **names);

/* The same for SQL built at run time, cached by its text in a small ring of recent queries.
 * A caller holds at most one such statement at a time: a later call may replace it. */
sqlite3_stmt *db_stmt_text(struct db *db, const char *sql);

int db_begin(struct db *db, bool write);
int db_commit(struct db *db);
/* fn(arg) is called after every write that db_commit committed, in the writer's thread; set it
 * before the threads that write start and clear it (NULL) after they stopped. */
void db_on_commit(void (*fn)(void *), void *arg);
/* PRAGMA data_version: moves when another connection (of this process or another) committed
 * a change since this one last looked; -1 on error. */
long long db_data_version(struct db *db);
/* One read transaction around a whole read-only request (cached BEGIN/COMMIT). */
int db_read_begin(struct db *db);
void db_read_end(struct db *db);
void db_rollback(struct db *db);

/* Applies the embedded migrations that are missing, all in one transaction. Refuses a database
 * whose schema is newer than this binary. */
int db_migrate(struct db *db, char *err, size_t errlen);
int db_schema_version(struct db *db);   /* highest applied, 0 for none, -1 on error */
int db_latest_version(void);            /* highest embedded */

/* Fills err with a 500 for an unexpected SQLite failure (after logging it). */
int db_fail(struct db *db, struct api_err *err, const char *what);

#endif
