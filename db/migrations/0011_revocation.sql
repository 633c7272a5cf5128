-- Revocation (issue 13): every login token carries its user's session generation, and a
-- password change, a disable or "log out everywhere" replaces it, so older tokens are refused.
-- The server draws each generation at random (53 bits), never counts up: a user deleted and
-- made again under the same name must not find the old user's tokens valid.
-- The times say when that last happened, for the audit log and the user list; no secret.
ALTER TABLE users ADD COLUMN session_gen INTEGER NOT NULL DEFAULT 1 CHECK (session_gen >= 1);
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
ALTER TABLE users ADD COLUMN sessions_revoked_at TEXT;

-- An API token works only while its creator is enabled and holds the token's role: each
-- check joins the creator, and deleting a user deletes (and audits) the user's tokens.
CREATE INDEX api_tokens_created_by ON api_tokens (created_by);
