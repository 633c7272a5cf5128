-- Users, API tokens and the settings go through the generic resource driver (issue 14).
--
-- The settings become one row with a column per setting, so that the driver reads, checks
-- (CHECK matches the C field table, test_schema compares them), patches and audits them like
-- any object. Stored values carry over; one that no longer fits falls back to its default.
CREATE TABLE settings_row (
	id                     INTEGER PRIMARY KEY CHECK (id = 1),
	forward_default_action TEXT NOT NULL DEFAULT 'drop'
	    CHECK (forward_default_action IN ('drop', 'reject', 'accept')),
	input_default_action   TEXT NOT NULL DEFAULT 'drop'
	    CHECK (input_default_action IN ('drop', 'reject', 'accept')),
	log_denied             INTEGER NOT NULL DEFAULT 1 CHECK (log_denied IN (0, 1))
) STRICT;

INSERT INTO settings_row (id, forward_default_action, input_default_action, log_denied)
SELECT 1,
    coalesce((SELECT json_extract(value, '$') FROM settings
        WHERE key = 'forward_default_action' AND json_valid(value)
        AND json_extract(value, '$') IN ('drop', 'reject', 'accept')), 'drop'),
    coalesce((SELECT json_extract(value, '$') FROM settings
        WHERE key = 'input_default_action' AND json_valid(value)
        AND json_extract(value, '$') IN ('drop', 'reject', 'accept')), 'drop'),
    coalesce((SELECT json_extract(value, '$') FROM settings
        WHERE key = 'log_denied' AND json_valid(value) AND value IN ('true', 'false')), 1);

DROP TABLE settings;
ALTER TABLE settings_row RENAME TO settings;

CREATE TRIGGER settings_rev_ins AFTER INSERT ON settings
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'settings'; END;
CREATE TRIGGER settings_rev_upd AFTER UPDATE ON settings
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'settings'; END;
CREATE TRIGGER settings_rev_del AFTER DELETE ON settings
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'settings'; END;
UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'settings';

-- Users and tokens are listed by the driver, whose unfiltered count is the kept row count.
INSERT INTO row_counts (tbl, n) VALUES
    ('users', (SELECT count(*) FROM users)),
    ('api_tokens', (SELECT count(*) FROM api_tokens));
CREATE TRIGGER users_count_ins AFTER INSERT ON users
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'users'; END;
CREATE TRIGGER users_count_del AFTER DELETE ON users
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'users'; END;
CREATE TRIGGER api_tokens_count_ins AFTER INSERT ON api_tokens
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'api_tokens'; END;
CREATE TRIGGER api_tokens_count_del AFTER DELETE ON api_tokens
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'api_tokens'; END;
