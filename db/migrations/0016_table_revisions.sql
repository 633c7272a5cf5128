-- A revision per table, moved by every write to it (the API's, an import's, a trigger's), so
-- a render's ETag can name the revisions of exactly the tables it was seen to read (issue 14):
-- render.c records them with an SQLite authorizer instead of a hand-kept list per target.
-- A table without a row here is covered by the audit log's latest change instead.
CREATE TABLE table_revisions (
	tbl TEXT PRIMARY KEY,
	rev INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO table_revisions (tbl, rev) VALUES ('vlans', 1);
CREATE TRIGGER vlans_rev_ins AFTER INSERT ON vlans
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'vlans'; END;
CREATE TRIGGER vlans_rev_upd AFTER UPDATE ON vlans
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'vlans'; END;
CREATE TRIGGER vlans_rev_del AFTER DELETE ON vlans
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'vlans'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('hosts', 1);
CREATE TRIGGER hosts_rev_ins AFTER INSERT ON hosts
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'hosts'; END;
CREATE TRIGGER hosts_rev_upd AFTER UPDATE ON hosts
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'hosts'; END;
CREATE TRIGGER hosts_rev_del AFTER DELETE ON hosts
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'hosts'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('prefixes', 1);
CREATE TRIGGER prefixes_rev_ins AFTER INSERT ON prefixes
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'prefixes'; END;
CREATE TRIGGER prefixes_rev_upd AFTER UPDATE ON prefixes
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'prefixes'; END;
CREATE TRIGGER prefixes_rev_del AFTER DELETE ON prefixes
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'prefixes'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('ip_ranges', 1);
CREATE TRIGGER ip_ranges_rev_ins AFTER INSERT ON ip_ranges
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'ip_ranges'; END;
CREATE TRIGGER ip_ranges_rev_upd AFTER UPDATE ON ip_ranges
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'ip_ranges'; END;
CREATE TRIGGER ip_ranges_rev_del AFTER DELETE ON ip_ranges
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'ip_ranges'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('ip_addresses', 1);
CREATE TRIGGER ip_addresses_rev_ins AFTER INSERT ON ip_addresses
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'ip_addresses'; END;
CREATE TRIGGER ip_addresses_rev_upd AFTER UPDATE ON ip_addresses
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'ip_addresses'; END;
CREATE TRIGGER ip_addresses_rev_del AFTER DELETE ON ip_addresses
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'ip_addresses'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('ports', 1);
CREATE TRIGGER ports_rev_ins AFTER INSERT ON ports
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'ports'; END;
CREATE TRIGGER ports_rev_upd AFTER UPDATE ON ports
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'ports'; END;
CREATE TRIGGER ports_rev_del AFTER DELETE ON ports
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'ports'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('port_tagged_vlans', 1);
CREATE TRIGGER port_tagged_vlans_rev_ins AFTER INSERT ON port_tagged_vlans
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'port_tagged_vlans'; END;
CREATE TRIGGER port_tagged_vlans_rev_upd AFTER UPDATE ON port_tagged_vlans
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'port_tagged_vlans'; END;
CREATE TRIGGER port_tagged_vlans_rev_del AFTER DELETE ON port_tagged_vlans
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'port_tagged_vlans'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('wan_links', 1);
CREATE TRIGGER wan_links_rev_ins AFTER INSERT ON wan_links
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'wan_links'; END;
CREATE TRIGGER wan_links_rev_upd AFTER UPDATE ON wan_links
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'wan_links'; END;
CREATE TRIGGER wan_links_rev_del AFTER DELETE ON wan_links
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'wan_links'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('services', 1);
CREATE TRIGGER services_rev_ins AFTER INSERT ON services
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'services'; END;
CREATE TRIGGER services_rev_upd AFTER UPDATE ON services
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'services'; END;
CREATE TRIGGER services_rev_del AFTER DELETE ON services
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'services'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('firewall_rules', 1);
CREATE TRIGGER firewall_rules_rev_ins AFTER INSERT ON firewall_rules
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'firewall_rules'; END;
CREATE TRIGGER firewall_rules_rev_upd AFTER UPDATE ON firewall_rules
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'firewall_rules'; END;
CREATE TRIGGER firewall_rules_rev_del AFTER DELETE ON firewall_rules
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'firewall_rules'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('dns_zones', 1);
CREATE TRIGGER dns_zones_rev_ins AFTER INSERT ON dns_zones
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'dns_zones'; END;
CREATE TRIGGER dns_zones_rev_upd AFTER UPDATE ON dns_zones
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'dns_zones'; END;
CREATE TRIGGER dns_zones_rev_del AFTER DELETE ON dns_zones
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'dns_zones'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('dns_records', 1);
CREATE TRIGGER dns_records_rev_ins AFTER INSERT ON dns_records
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'dns_records'; END;
CREATE TRIGGER dns_records_rev_upd AFTER UPDATE ON dns_records
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'dns_records'; END;
CREATE TRIGGER dns_records_rev_del AFTER DELETE ON dns_records
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'dns_records'; END;

INSERT INTO table_revisions (tbl, rev) VALUES ('settings', 1);
CREATE TRIGGER settings_rev_ins AFTER INSERT ON settings
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'settings'; END;
CREATE TRIGGER settings_rev_upd AFTER UPDATE ON settings
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'settings'; END;
CREATE TRIGGER settings_rev_del AFTER DELETE ON settings
BEGIN UPDATE table_revisions SET rev = rev + 1 WHERE tbl = 'settings'; END;
