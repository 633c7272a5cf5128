-- DNS zones and records, and the plan-wide settings.

CREATE TABLE dns_zones (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL UNIQUE,
	soa_mname   TEXT NOT NULL DEFAULT '',
	soa_rname   TEXT NOT NULL DEFAULT '',
	refresh     INTEGER NOT NULL DEFAULT 3600,
	retry       INTEGER NOT NULL DEFAULT 600,
	expire      INTEGER NOT NULL DEFAULT 604800,
	minimum     INTEGER NOT NULL DEFAULT 300,
	ttl         INTEGER NOT NULL DEFAULT 3600,
	serial      INTEGER NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE dns_records (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	zone_id     INTEGER NOT NULL REFERENCES dns_zones (id),
	name        TEXT NOT NULL,
	type        TEXT NOT NULL CHECK (type IN ('A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'PTR')),
	value       TEXT NOT NULL,
	ttl         INTEGER,
	description TEXT NOT NULL DEFAULT '',
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX dns_records_zone ON dns_records (zone_id, name);

-- Plan-wide settings as JSON values, one row each; the server knows their names and types.
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO row_counts (tbl, n) VALUES ('dns_zones', 0), ('dns_records', 0);
CREATE TRIGGER dns_zones_count_ins AFTER INSERT ON dns_zones
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'dns_zones'; END;
CREATE TRIGGER dns_zones_count_del AFTER DELETE ON dns_zones
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'dns_zones'; END;
CREATE TRIGGER dns_records_count_ins AFTER INSERT ON dns_records
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'dns_records'; END;
CREATE TRIGGER dns_records_count_del AFTER DELETE ON dns_records
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'dns_records'; END;

-- Addresses are looked up by their text too (filters, DNS records, gateways).
CREATE INDEX ip_addresses_address ON ip_addresses (address);
-- The validation report asks for each host's input rules.
CREATE INDEX firewall_rules_dst_host ON firewall_rules (dst_host_id);
