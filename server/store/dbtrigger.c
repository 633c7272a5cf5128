#include "dbtrigger.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>

#include "xmalloc.h"

/* Whether a and b are the same text, every run of white space in either read as one space. */
static bool
dbtrigger_same(const char *a, const char *b)
{
	for (;;) {
		if (isspace((unsigned char)*a) && isspace((unsigned char)*b)) {
			while (isspace((unsigned char)*a))
				a++;
			while (isspace((unsigned char)*b))
				b++;
			continue;
		}
		if (*a != *b)
			return false;
		if (*a == '\0')
			return true;
		a++;
		b++;
	}
}

int
dbtrigger_aside(struct db *db, const char *name, const char *want, char **saved,
    struct api_err *err)
{
	static const char sql[] = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND "
	    "name = ?";
	sqlite3_stmt *st;
	const char *have;
	char *drop = NULL;
	int rc;

	*saved = NULL;
	if ((st = db_stmt(db, sql)) == NULL)
		return db_fail(db, err, "reading a trigger");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && (have = (const char *)sqlite3_column_text(st,
	    0)) != NULL && dbtrigger_same(have, want))
		*saved = xstrdup(have);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, err, "reading a trigger");
	if (*saved == NULL)
		return 0;
	/* Dropped once the statement that read it is reset. */
	drop = sqlite3_mprintf("DROP TRIGGER \"%w\"", name);
	rc = drop != NULL ? sqlite3_exec(db_handle(db), drop, NULL, NULL, NULL) : SQLITE_NOMEM;
	sqlite3_free(drop);
	if (rc != SQLITE_OK) {
		free(*saved);
		*saved = NULL;
		return db_fail(db, err, "setting a trigger aside");
	}
	return 1;
}

int
dbtrigger_restore(struct db *db, char **saved, struct api_err *err)
{
	int rc = 0;

	if (*saved == NULL)
		return 0;
	if (sqlite3_exec(db_handle(db), *saved, NULL, NULL, NULL) != SQLITE_OK)
		rc = db_fail(db, err, "making a trigger again");
	free(*saved);
	*saved = NULL;
	return rc;
}
