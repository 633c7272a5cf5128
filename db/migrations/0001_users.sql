-- Users and API tokens: who may read and change the plan.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
	disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
) STRICT;

-- A token's secret is the JWT itself and is never stored; its jti is, so that deleting the row
-- revokes the token at once.
CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL,
	role         TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
	jti          TEXT NOT NULL UNIQUE,
	created_by   INTEGER REFERENCES users (id),
	created_at   TEXT NOT NULL,
	expires_at   TEXT NOT NULL,
	expires_unix INTEGER NOT NULL
) STRICT;
