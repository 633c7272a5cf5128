-- The audit log and the addresses checked with OR instead of IN: SQLite (3.40) runs a CHECK
-- (x IN ('a', 'b', 'c')) of three values or more by building a temporary table of the values
-- on every INSERT (OpenEphemeral), about a tenth of an allocation's CPU for these two tables,
-- which every allocation writes. The rule is the same: x = 'a' OR x = 'b' ... allows exactly
-- what the IN list allowed, NULL included (rejected by NOT NULL either way).
--
-- Each table is rebuilt (SQLite's documented 12-step procedure: a new table, its rows copied,
-- the old one dropped, the new one renamed, its indexes and triggers made again). Neither table
-- is referenced by a foreign key and neither has a deferred one, so the DROP deletes no row one
-- by one and fires no trigger, with foreign keys on as every migration runs. The copy fires no
-- trigger either (the new table has none yet): the bookkeeping counts stay as they were. Ids
-- keep their AUTOINCREMENT high-water mark, which may be above the highest id left when the
-- newest rows were deleted, so none is ever handed out twice. The old tables' pages stay in
-- the file as free pages that later writes reuse (a database of 142,000 changes and 100,000
-- addresses: 1.3 s, 85 MB growing to 130 MB; VACUUM gives the space back).

CREATE TABLE changes_new (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	time        TEXT NOT NULL,
	username    TEXT NOT NULL,
	request_id  TEXT NOT NULL,
	action      TEXT NOT NULL
	            CHECK (action = 'create' OR action = 'update' OR action = 'delete'),
	object_type TEXT NOT NULL,
	object_id   INTEGER NOT NULL,
	before      TEXT,
	after       TEXT
) STRICT;
INSERT INTO changes_new (id, time, username, request_id, action, object_type, object_id,
	before, after)
	SELECT id, time, username, request_id, action, object_type, object_id, before, after
	FROM changes ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'changes_new';
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'changes_new', seq FROM sqlite_sequence WHERE name = 'changes';
DROP TABLE changes;
ALTER TABLE changes_new RENAME TO changes;
CREATE INDEX changes_object ON changes (object_type, object_id);
CREATE INDEX changes_user ON changes (username);
CREATE INDEX changes_request_id ON changes (request_id);
CREATE TRIGGER changes_count_ins AFTER INSERT ON changes
BEGIN
	UPDATE bookkeeping SET n = n + 1 WHERE key = 'changes';
	INSERT INTO bookkeeping (key, change_id, time)
		VALUES ('type:' || NEW.object_type, NEW.id, NEW.time)
		ON CONFLICT (key) DO UPDATE SET change_id = excluded.change_id, time = excluded.time;
END;
CREATE TRIGGER changes_count_del AFTER DELETE ON changes
BEGIN UPDATE bookkeeping SET n = n - 1 WHERE key = 'changes'; END;

CREATE TABLE ip_addresses_new (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	address     TEXT NOT NULL,
	prefix_id   INTEGER NOT NULL REFERENCES prefixes (id),
	host_id     INTEGER REFERENCES hosts (id),
	interface   TEXT NOT NULL DEFAULT '',
	dns_name    TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL DEFAULT 'active'
	            CHECK (status = 'active' OR status = 'reserved' OR status = 'dhcp' OR
	                   status = 'deprecated'),
	role        TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	addr_key    BLOB NOT NULL UNIQUE
) STRICT;
INSERT INTO ip_addresses_new (id, address, prefix_id, host_id, interface, dns_name, status,
	role, description, tags, created_at, updated_at, addr_key)
	SELECT id, address, prefix_id, host_id, interface, dns_name, status, role, description,
	tags, created_at, updated_at, addr_key FROM ip_addresses ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'ip_addresses_new';
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'ip_addresses_new', seq FROM sqlite_sequence WHERE name = 'ip_addresses';
DROP TABLE ip_addresses;
ALTER TABLE ip_addresses_new RENAME TO ip_addresses;
CREATE INDEX ip_addresses_prefix ON ip_addresses (prefix_id);
CREATE INDEX ip_addresses_host ON ip_addresses (host_id);
CREATE INDEX ip_addresses_dns ON ip_addresses (dns_name);
CREATE INDEX ip_addresses_address ON ip_addresses (address);
CREATE INDEX ip_addresses_dns_nocase ON ip_addresses (dns_name COLLATE NOCASE);
CREATE TRIGGER ip_addresses_ins AFTER INSERT ON ip_addresses
BEGIN UPDATE bookkeeping SET n = n + 1, rev = rev + 1 WHERE key = 'ip_addresses'; END;
CREATE TRIGGER ip_addresses_del AFTER DELETE ON ip_addresses
BEGIN UPDATE bookkeeping SET n = n - 1, rev = rev + 1 WHERE key = 'ip_addresses'; END;
CREATE TRIGGER ip_addresses_upd AFTER UPDATE ON ip_addresses
BEGIN UPDATE bookkeeping SET rev = rev + 1 WHERE key = 'ip_addresses'; END;
