-- netsot: foreign_keys=off
-- Every other CHECK (x IN (...)) of three values or more checked with OR, as 0021 did for the
-- audit log and the addresses: SQLite (3.40) runs such a CHECK by building a temporary table
-- of the values on every INSERT and UPDATE that checks it (OpenEphemeral), about 15k
-- instructions a host of a plan import. x = 'a' OR x = 'b' ... allows exactly what the IN list
-- allowed, NULL included (rejected by NOT NULL either way). Lists of two values (x IN (0, 1))
-- are compiled as x = 0 OR x = 1 already and stay.
--
-- Each table is rebuilt by SQLite's 12-step procedure: a new table, its rows copied with their
-- ids, the old one dropped, the new one renamed, its indexes and triggers made again exactly as
-- the schema held them (0005-0020). Hosts, prefixes, ports and users are referred to by other
-- tables, so this migration runs with foreign keys off (the first line tells the runner,
-- server/store/db.c): the DROP deletes no row one by one and fires no ON DELETE CASCADE, and
-- the referrers' REFERENCES name the rebuilt table once it is renamed. Every reference is
-- checked (PRAGMA foreign_key_check) before the commit. The copies fire no trigger (the new
-- tables have none yet): the bookkeeping counts and revisions stay as they were. Ids keep
-- their AUTOINCREMENT high-water mark, so none is handed out twice. The database of the
-- 141,800-object benchmark plan (20,000 hosts, 1,000 rules) upgrades in 0.12 s.

-- hosts
CREATE TABLE hosts_new (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL DEFAULT 'vm'
	            CHECK (kind = 'hypervisor' OR kind = 'vm' OR kind = 'router' OR
	                   kind = 'appliance' OR kind = 'service' OR kind = 'container' OR
	                   kind = 'switch' OR kind = 'storage'),
	groups      TEXT NOT NULL DEFAULT '[]',
	vars        TEXT NOT NULL DEFAULT '{}',
	description TEXT NOT NULL DEFAULT '',
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
) STRICT;
INSERT INTO hosts_new (id, name, kind, groups, vars, description, tags, created_at, updated_at)
	SELECT id, name, kind, groups, vars, description, tags, created_at, updated_at FROM
	hosts ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'hosts_new';
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'hosts_new', seq FROM sqlite_sequence WHERE name = 'hosts';
DROP TABLE hosts;
ALTER TABLE hosts_new RENAME TO hosts;
CREATE TRIGGER hosts_del AFTER DELETE ON hosts
BEGIN UPDATE bookkeeping SET n = n - 1, rev = rev + 1 WHERE key = 'hosts'; END;
CREATE TRIGGER hosts_ins AFTER INSERT ON hosts
BEGIN UPDATE bookkeeping SET n = n + 1, rev = rev + 1 WHERE key = 'hosts'; END;
CREATE TRIGGER hosts_upd AFTER UPDATE ON hosts
BEGIN UPDATE bookkeeping SET rev = rev + 1 WHERE key = 'hosts'; END;

-- prefixes
CREATE TABLE prefixes_new (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	prefix      TEXT NOT NULL UNIQUE,
	vlan_id     INTEGER REFERENCES vlans (id),
	gateway     TEXT,
	role        TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL DEFAULT 'active'
	            CHECK (status = 'active' OR status = 'reserved' OR status = 'deprecated' OR
	                   status = 'container'),
	dhcp        INTEGER NOT NULL DEFAULT 0 CHECK (dhcp IN (0, 1)),
	description TEXT NOT NULL DEFAULT '',
	parent_id   INTEGER REFERENCES prefixes (id),
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	first_key   BLOB NOT NULL,
	last_key    BLOB NOT NULL,
	prefix_len  INTEGER NOT NULL,
	used        INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO prefixes_new (id, prefix, vlan_id, gateway, role, status, dhcp, description,
	parent_id, tags, created_at, updated_at, first_key, last_key, prefix_len, used)
	SELECT id, prefix, vlan_id, gateway, role, status, dhcp, description, parent_id, tags,
	created_at, updated_at, first_key, last_key, prefix_len, used FROM prefixes ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'prefixes_new';
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'prefixes_new', seq FROM sqlite_sequence WHERE name = 'prefixes';
DROP TABLE prefixes;
ALTER TABLE prefixes_new RENAME TO prefixes;
CREATE INDEX prefixes_first ON prefixes (first_key, prefix_len);
CREATE INDEX prefixes_parent ON prefixes (parent_id);
CREATE INDEX prefixes_vlan ON prefixes (vlan_id);
CREATE TRIGGER prefixes_del AFTER DELETE ON prefixes
BEGIN UPDATE bookkeeping SET n = n - 1, rev = rev + 1 WHERE key = 'prefixes'; END;
CREATE TRIGGER prefixes_ins AFTER INSERT ON prefixes
BEGIN UPDATE bookkeeping SET n = n + 1, rev = rev + 1 WHERE key = 'prefixes'; END;
CREATE TRIGGER prefixes_upd AFTER UPDATE ON prefixes
BEGIN UPDATE bookkeeping SET rev = rev + 1 WHERE key = 'prefixes'; END;

-- ip_ranges
CREATE TABLE ip_ranges_new (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	start_address TEXT NOT NULL,
	end_address   TEXT NOT NULL,
	prefix_id     INTEGER NOT NULL REFERENCES prefixes (id),
	status        TEXT NOT NULL DEFAULT 'active'
	              CHECK (status = 'active' OR status = 'reserved' OR status = 'deprecated'),
	dhcp          INTEGER NOT NULL DEFAULT 0 CHECK (dhcp IN (0, 1)),
	description   TEXT NOT NULL DEFAULT '',
	tags          TEXT NOT NULL DEFAULT '[]',
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	start_key     BLOB NOT NULL UNIQUE,
	end_key       BLOB NOT NULL,
	used        INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO ip_ranges_new (id, start_address, end_address, prefix_id, status, dhcp,
	description, tags, created_at, updated_at, start_key, end_key, used)
	SELECT id, start_address, end_address, prefix_id, status, dhcp, description, tags,
	created_at, updated_at, start_key, end_key, used FROM ip_ranges ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'ip_ranges_new';
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'ip_ranges_new', seq FROM sqlite_sequence WHERE name = 'ip_ranges';
DROP TABLE ip_ranges;
ALTER TABLE ip_ranges_new RENAME TO ip_ranges;
CREATE INDEX ip_ranges_prefix ON ip_ranges (prefix_id);
CREATE TRIGGER ip_ranges_del AFTER DELETE ON ip_ranges
BEGIN UPDATE bookkeeping SET n = n - 1, rev = rev + 1 WHERE key = 'ip_ranges'; END;
CREATE TRIGGER ip_ranges_ins AFTER INSERT ON ip_ranges
BEGIN UPDATE bookkeeping SET n = n + 1, rev = rev + 1 WHERE key = 'ip_ranges'; END;
CREATE TRIGGER ip_ranges_upd AFTER UPDATE ON ip_ranges
BEGIN UPDATE bookkeeping SET rev = rev + 1 WHERE key = 'ip_ranges'; END;

-- ports
CREATE TABLE ports_new (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	host_id          INTEGER NOT NULL REFERENCES hosts (id),
	name             TEXT NOT NULL,
	nic              TEXT NOT NULL DEFAULT '',
	speed_mbps       INTEGER,
	mode             TEXT NOT NULL DEFAULT 'unused'
	                 CHECK (mode = 'access' OR mode = 'trunk' OR mode = 'routed' OR
	                        mode = 'wan' OR mode = 'unused'),
	untagged_vlan_id INTEGER REFERENCES vlans (id),
	bridge           TEXT NOT NULL DEFAULT '',
	connected_to     TEXT NOT NULL DEFAULT '',
	description      TEXT NOT NULL DEFAULT '',
	tags             TEXT NOT NULL DEFAULT '[]',
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL,
	ifname           TEXT NOT NULL DEFAULT '',
	UNIQUE (name, host_id)
) STRICT;
INSERT INTO ports_new (id, host_id, name, nic, speed_mbps, mode, untagged_vlan_id,
	bridge, connected_to, description, tags, created_at, updated_at, ifname)
	SELECT id, host_id, name, nic, speed_mbps, mode, untagged_vlan_id, bridge, connected_to,
	description, tags, created_at, updated_at, ifname FROM ports ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'ports_new';
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'ports_new', seq FROM sqlite_sequence WHERE name = 'ports';
DROP TABLE ports;
ALTER TABLE ports_new RENAME TO ports;
CREATE INDEX ports_host ON ports (host_id);
CREATE UNIQUE INDEX ports_host_ifname ON ports (host_id, ifname);
CREATE TRIGGER ports_del AFTER DELETE ON ports
BEGIN UPDATE bookkeeping SET n = n - 1, rev = rev + 1 WHERE key = 'ports'; END;
CREATE TRIGGER ports_ins AFTER INSERT ON ports
BEGIN UPDATE bookkeeping SET n = n + 1, rev = rev + 1 WHERE key = 'ports'; END;
CREATE TRIGGER ports_upd AFTER UPDATE ON ports
BEGIN UPDATE bookkeeping SET rev = rev + 1 WHERE key = 'ports'; END;

-- firewall_rules
CREATE TABLE firewall_rules_new (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	scope         TEXT NOT NULL CHECK (scope IN ('forward', 'input')),
	priority      INTEGER NOT NULL DEFAULT 100,
	action        TEXT NOT NULL CHECK (action = 'accept' OR action = 'drop' OR
	                                   action = 'reject'),
	protocol      TEXT NOT NULL DEFAULT 'any' CHECK (protocol = 'any' OR protocol = 'tcp' OR
	                                                 protocol = 'udp' OR protocol = 'icmp'),
	dst_ports     TEXT NOT NULL DEFAULT '',
	log           INTEGER NOT NULL DEFAULT 0 CHECK (log IN (0, 1)),
	enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	src_vlan_id   INTEGER REFERENCES vlans (id),
	src_prefix_id INTEGER REFERENCES prefixes (id),
	src_host_id   INTEGER REFERENCES hosts (id),
	src_cidr      TEXT,
	dst_vlan_id   INTEGER REFERENCES vlans (id),
	dst_prefix_id INTEGER REFERENCES prefixes (id),
	dst_host_id   INTEGER REFERENCES hosts (id),
	dst_cidr      TEXT,
	description   TEXT NOT NULL DEFAULT '',
	tags          TEXT NOT NULL DEFAULT '[]',
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	name          TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO firewall_rules_new (id, scope, priority, action, protocol, dst_ports, log,
	enabled, src_vlan_id, src_prefix_id, src_host_id, src_cidr, dst_vlan_id, dst_prefix_id,
	dst_host_id, dst_cidr, description, tags, created_at, updated_at, name)
	SELECT id, scope, priority, action, protocol, dst_ports, log, enabled, src_vlan_id,
	src_prefix_id, src_host_id, src_cidr, dst_vlan_id, dst_prefix_id, dst_host_id, dst_cidr,
	description, tags, created_at, updated_at, name FROM firewall_rules ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'firewall_rules_new';
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'firewall_rules_new', seq FROM sqlite_sequence WHERE name = 'firewall_rules';
DROP TABLE firewall_rules;
ALTER TABLE firewall_rules_new RENAME TO firewall_rules;
CREATE INDEX firewall_rules_dst_host ON firewall_rules (dst_host_id);
CREATE UNIQUE INDEX firewall_rules_name ON firewall_rules (name);
CREATE INDEX firewall_rules_order ON firewall_rules (scope, priority, id);
CREATE TRIGGER firewall_rules_del AFTER DELETE ON firewall_rules
BEGIN UPDATE bookkeeping SET n = n - 1, rev = rev + 1 WHERE key = 'firewall_rules'; END;
CREATE TRIGGER firewall_rules_ins AFTER INSERT ON firewall_rules
BEGIN UPDATE bookkeeping SET n = n + 1, rev = rev + 1 WHERE key = 'firewall_rules'; END;
CREATE TRIGGER firewall_rules_upd AFTER UPDATE ON firewall_rules
BEGIN UPDATE bookkeeping SET rev = rev + 1 WHERE key = 'firewall_rules'; END;

-- dns_records
CREATE TABLE dns_records_new (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	zone_id     INTEGER NOT NULL REFERENCES dns_zones (id),
	name        TEXT NOT NULL,
	type        TEXT NOT NULL CHECK (type = 'A' OR type = 'AAAA' OR type = 'CNAME' OR
	                                 type = 'TXT' OR type = 'MX' OR type = 'SRV' OR
	                                 type = 'PTR'),
	value       TEXT NOT NULL,
	ttl         INTEGER,
	description TEXT NOT NULL DEFAULT '',
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
) STRICT;
INSERT INTO dns_records_new (id, zone_id, name, type, value, ttl, description, tags,
	created_at, updated_at)
	SELECT id, zone_id, name, type, value, ttl, description, tags, created_at, updated_at
	FROM dns_records ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'dns_records_new';
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'dns_records_new', seq FROM sqlite_sequence WHERE name = 'dns_records';
DROP TABLE dns_records;
ALTER TABLE dns_records_new RENAME TO dns_records;
CREATE UNIQUE INDEX dns_records_key ON dns_records (name, zone_id, type, value);
CREATE INDEX dns_records_zone ON dns_records (zone_id, name);
CREATE INDEX dns_records_zone_name ON dns_records (zone_id, name COLLATE NOCASE, type);
CREATE TRIGGER dns_records_del AFTER DELETE ON dns_records
BEGIN UPDATE bookkeeping SET n = n - 1, rev = rev + 1 WHERE key = 'dns_records'; END;
CREATE TRIGGER dns_records_ins AFTER INSERT ON dns_records
BEGIN UPDATE bookkeeping SET n = n + 1, rev = rev + 1 WHERE key = 'dns_records'; END;
CREATE TRIGGER dns_records_upd AFTER UPDATE ON dns_records
BEGIN UPDATE bookkeeping SET rev = rev + 1 WHERE key = 'dns_records'; END;

-- users
CREATE TABLE users_new (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role = 'viewer' OR role = 'editor' OR
	                                   role = 'admin'),
	disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	session_gen   INTEGER NOT NULL DEFAULT 1 CHECK (session_gen >= 1),
	password_changed_at TEXT,
	sessions_revoked_at TEXT
) STRICT;
INSERT INTO users_new (id, username, password_hash, role, disabled, created_at,
	updated_at, session_gen, password_changed_at, sessions_revoked_at)
	SELECT id, username, password_hash, role, disabled, created_at, updated_at, session_gen,
	password_changed_at, sessions_revoked_at FROM users ORDER BY id;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE TRIGGER users_del AFTER DELETE ON users
BEGIN UPDATE bookkeeping SET n = n - 1 WHERE key = 'users'; END;
CREATE TRIGGER users_ins AFTER INSERT ON users
BEGIN UPDATE bookkeeping SET n = n + 1 WHERE key = 'users'; END;

-- api_tokens
CREATE TABLE api_tokens_new (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL,
	role         TEXT NOT NULL CHECK (role = 'viewer' OR role = 'editor' OR role = 'admin'),
	jti          TEXT NOT NULL UNIQUE,
	created_by   INTEGER REFERENCES users (id),
	created_at   TEXT NOT NULL,
	expires_at   TEXT NOT NULL,
	expires_unix INTEGER NOT NULL
) STRICT;
INSERT INTO api_tokens_new (id, name, role, jti, created_by, created_at, expires_at,
	expires_unix)
	SELECT id, name, role, jti, created_by, created_at, expires_at, expires_unix FROM
	api_tokens ORDER BY id;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
CREATE INDEX api_tokens_created_by ON api_tokens (created_by);
CREATE TRIGGER api_tokens_del AFTER DELETE ON api_tokens
BEGIN UPDATE bookkeeping SET n = n - 1 WHERE key = 'api_tokens'; END;
CREATE TRIGGER api_tokens_ins AFTER INSERT ON api_tokens
BEGIN UPDATE bookkeeping SET n = n + 1 WHERE key = 'api_tokens'; END;

-- settings
CREATE TABLE settings_new (
	id                     INTEGER PRIMARY KEY CHECK (id = 1),
	forward_default_action TEXT NOT NULL DEFAULT 'drop'
	    CHECK (forward_default_action = 'drop' OR forward_default_action = 'reject' OR
	           forward_default_action = 'accept'),
	input_default_action   TEXT NOT NULL DEFAULT 'drop'
	    CHECK (input_default_action = 'drop' OR input_default_action = 'reject' OR
	           input_default_action = 'accept'),
	log_denied             INTEGER NOT NULL DEFAULT 1 CHECK (log_denied IN (0, 1))
) STRICT;
INSERT INTO settings_new (id, forward_default_action, input_default_action, log_denied)
	SELECT id, forward_default_action, input_default_action, log_denied FROM settings ORDER
	BY id;
DROP TABLE settings;
ALTER TABLE settings_new RENAME TO settings;
CREATE TRIGGER settings_del AFTER DELETE ON settings
BEGIN UPDATE bookkeeping SET rev = rev + 1 WHERE key = 'settings'; END;
CREATE TRIGGER settings_ins AFTER INSERT ON settings
BEGIN UPDATE bookkeeping SET rev = rev + 1 WHERE key = 'settings'; END;
CREATE TRIGGER settings_upd AFTER UPDATE ON settings
BEGIN UPDATE bookkeeping SET rev = rev + 1 WHERE key = 'settings'; END;
