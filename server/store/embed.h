/* Files compiled into the binary by cmake/embed.cmake, so netsot runs from any directory. */
#ifndef NETSOT_EMBED_H
#define NETSOT_EMBED_H

#include <stddef.h>

struct embed_file {
	const char *name;             /* path relative to the embedded directory */
	const unsigned char *data;    /* NUL-terminated for convenience; len excludes it */
	size_t len;
};

/* db/migrations/NNNN_name.sql, sorted by name. */
extern const struct embed_file embed_migrations[];
extern const size_t embed_migrations_count;

/* web/: the UI's static files. */
extern const struct embed_file embed_web[];
extern const size_t embed_web_count;

/* api/openapi.yaml: the OpenAPI document GET /api/v1/openapi.yaml serves. */
extern const struct embed_file embed_api[];
extern const size_t embed_api_count;

#endif
