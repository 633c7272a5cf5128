-- Ports (with their tagged VLANs in a join table), WAN links, services and firewall rules.

CREATE TABLE ports (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	host_id          INTEGER NOT NULL REFERENCES hosts (id),
	name             TEXT NOT NULL,
	nic              TEXT NOT NULL DEFAULT '',
	speed_mbps       INTEGER,
	mode             TEXT NOT NULL DEFAULT 'unused'
	                 CHECK (mode IN ('access', 'trunk', 'routed', 'wan', 'unused')),
	untagged_vlan_id INTEGER REFERENCES vlans (id),
	bridge           TEXT NOT NULL DEFAULT '',
	connected_to     TEXT NOT NULL DEFAULT '',
	description      TEXT NOT NULL DEFAULT '',
	tags             TEXT NOT NULL DEFAULT '[]',
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL,
	UNIQUE (name, host_id)
) STRICT;
CREATE INDEX ports_host ON ports (host_id);

CREATE TABLE port_tagged_vlans (
	port_id INTEGER NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
	vlan_id INTEGER NOT NULL REFERENCES vlans (id),
	PRIMARY KEY (port_id, vlan_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX port_tagged_vlans_vlan ON port_tagged_vlans (vlan_id);

CREATE TABLE wan_links (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL UNIQUE,
	port_id     INTEGER NOT NULL REFERENCES ports (id),
	provider    TEXT NOT NULL DEFAULT '',
	weight      INTEGER NOT NULL DEFAULT 1,
	metric      INTEGER NOT NULL DEFAULT 1,
	track_ips   TEXT NOT NULL DEFAULT '[]',
	enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	description TEXT NOT NULL DEFAULT '',
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE services (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	host_id     INTEGER NOT NULL REFERENCES hosts (id),
	name        TEXT NOT NULL,
	protocol    TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
	ports       TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX services_host ON services (host_id);

CREATE TABLE firewall_rules (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	scope         TEXT NOT NULL CHECK (scope IN ('forward', 'input')),
	priority      INTEGER NOT NULL DEFAULT 100,
	action        TEXT NOT NULL CHECK (action IN ('accept', 'drop', 'reject')),
	protocol      TEXT NOT NULL DEFAULT 'any' CHECK (protocol IN ('any', 'tcp', 'udp', 'icmp')),
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
	updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX firewall_rules_order ON firewall_rules (scope, priority, id);

INSERT INTO row_counts (tbl, n) VALUES ('ports', 0), ('wan_links', 0), ('services', 0),
	('firewall_rules', 0);
CREATE TRIGGER ports_count_ins AFTER INSERT ON ports
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'ports'; END;
CREATE TRIGGER ports_count_del AFTER DELETE ON ports
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'ports'; END;
CREATE TRIGGER wan_links_count_ins AFTER INSERT ON wan_links
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'wan_links'; END;
CREATE TRIGGER wan_links_count_del AFTER DELETE ON wan_links
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'wan_links'; END;
CREATE TRIGGER services_count_ins AFTER INSERT ON services
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'services'; END;
CREATE TRIGGER services_count_del AFTER DELETE ON services
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'services'; END;
CREATE TRIGGER firewall_rules_count_ins AFTER INSERT ON firewall_rules
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'firewall_rules'; END;
CREATE TRIGGER firewall_rules_count_del AFTER DELETE ON firewall_rules
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'firewall_rules'; END;
