/* Figures about the database for monitoring: its size and the plan's revision. */
#ifndef NETSOT_DBSTATS_H
#define NETSOT_DBSTATS_H

struct api_err;
struct db;

struct dbstats {
	long long bytes;      /* page_count * page_size: the main file's pages, WAL aside */
	long long revision;   /* the plan's revision: the audit log's latest change id, 0 for none */
};

int dbstats_read(struct db *db, struct dbstats *out, struct api_err *err);

#endif
