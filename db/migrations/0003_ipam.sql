-- Prefixes, IP ranges and IP addresses, the free-space map, and idempotency keys.
-- Addresses are stored as canonical text (for people and the API) and as a 17-byte key (family
-- byte + 16 big-endian bytes) whose byte order is address order, so range queries use an index.
-- Columns after the timestamps are derived by the server, never taken from a request.

CREATE TABLE prefixes (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	prefix      TEXT NOT NULL UNIQUE,
	vlan_id     INTEGER REFERENCES vlans (id),
	gateway     TEXT,
	role        TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL DEFAULT 'active'
	            CHECK (status IN ('active', 'reserved', 'deprecated', 'container')),
	dhcp        INTEGER NOT NULL DEFAULT 0 CHECK (dhcp IN (0, 1)),
	description TEXT NOT NULL DEFAULT '',
	parent_id   INTEGER REFERENCES prefixes (id),
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	first_key   BLOB NOT NULL,
	last_key    BLOB NOT NULL,
	prefix_len  INTEGER NOT NULL
) STRICT;
CREATE INDEX prefixes_first ON prefixes (first_key, prefix_len);
CREATE INDEX prefixes_vlan ON prefixes (vlan_id);
CREATE INDEX prefixes_parent ON prefixes (parent_id);

CREATE TABLE ip_ranges (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	start_address TEXT NOT NULL,
	end_address   TEXT NOT NULL,
	prefix_id     INTEGER NOT NULL REFERENCES prefixes (id),
	status        TEXT NOT NULL DEFAULT 'active'
	              CHECK (status IN ('active', 'reserved', 'deprecated')),
	dhcp          INTEGER NOT NULL DEFAULT 0 CHECK (dhcp IN (0, 1)),
	description   TEXT NOT NULL DEFAULT '',
	tags          TEXT NOT NULL DEFAULT '[]',
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	start_key     BLOB NOT NULL UNIQUE,
	end_key       BLOB NOT NULL
) STRICT;
CREATE INDEX ip_ranges_prefix ON ip_ranges (prefix_id);

CREATE TABLE ip_addresses (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	address     TEXT NOT NULL,
	prefix_id   INTEGER NOT NULL REFERENCES prefixes (id),
	host_id     INTEGER REFERENCES hosts (id),
	interface   TEXT NOT NULL DEFAULT '',
	dns_name    TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL DEFAULT 'active'
	            CHECK (status IN ('active', 'reserved', 'dhcp', 'deprecated')),
	role        TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	addr_key    BLOB NOT NULL UNIQUE
) STRICT;
CREATE INDEX ip_addresses_prefix ON ip_addresses (prefix_id);
CREATE INDEX ip_addresses_host ON ip_addresses (host_id);
CREATE INDEX ip_addresses_dns ON ip_addresses (dns_name);

-- Maximal runs of consecutive used addresses (server/freemap.c): the lowest free address of
-- any interval is one or two index lookups away, however large the prefix.
CREATE TABLE used_runs (
	start_key BLOB PRIMARY KEY,
	end_key   BLOB NOT NULL,
	CHECK (typeof(start_key) = 'blob' AND length(start_key) = 17),
	CHECK (typeof(end_key) = 'blob' AND length(end_key) = 17),
	CHECK (end_key >= start_key AND substr(end_key, 1, 1) = substr(start_key, 1, 1))
) WITHOUT ROWID;

-- A retried POST with the same Idempotency-Key gets the first answer again.
CREATE TABLE idempotency_keys (
	username   TEXT NOT NULL,
	key        TEXT NOT NULL,
	route      TEXT NOT NULL,
	status     INTEGER NOT NULL,
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (username, key)
) STRICT;
