-- Row counts kept by triggers, so an unfiltered list page does not count a million rows on
-- every request.
CREATE TABLE row_counts (
	tbl TEXT PRIMARY KEY,
	n   INTEGER NOT NULL
) STRICT;

INSERT INTO row_counts (tbl, n) SELECT 'vlans', count(*) FROM vlans;
INSERT INTO row_counts (tbl, n) SELECT 'hosts', count(*) FROM hosts;
INSERT INTO row_counts (tbl, n) SELECT 'changes', count(*) FROM changes;
INSERT INTO row_counts (tbl, n) SELECT 'prefixes', count(*) FROM prefixes;
INSERT INTO row_counts (tbl, n) SELECT 'ip_ranges', count(*) FROM ip_ranges;
INSERT INTO row_counts (tbl, n) SELECT 'ip_addresses', count(*) FROM ip_addresses;

CREATE TRIGGER vlans_count_ins AFTER INSERT ON vlans
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'vlans'; END;
CREATE TRIGGER vlans_count_del AFTER DELETE ON vlans
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'vlans'; END;
CREATE TRIGGER hosts_count_ins AFTER INSERT ON hosts
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'hosts'; END;
CREATE TRIGGER hosts_count_del AFTER DELETE ON hosts
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'hosts'; END;
CREATE TRIGGER changes_count_ins AFTER INSERT ON changes
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'changes'; END;
CREATE TRIGGER changes_count_del AFTER DELETE ON changes
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'changes'; END;
CREATE TRIGGER prefixes_count_ins AFTER INSERT ON prefixes
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'prefixes'; END;
CREATE TRIGGER prefixes_count_del AFTER DELETE ON prefixes
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'prefixes'; END;
CREATE TRIGGER ip_ranges_count_ins AFTER INSERT ON ip_ranges
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'ip_ranges'; END;
CREATE TRIGGER ip_ranges_count_del AFTER DELETE ON ip_ranges
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'ip_ranges'; END;
CREATE TRIGGER ip_addresses_count_ins AFTER INSERT ON ip_addresses
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'ip_addresses'; END;
CREATE TRIGGER ip_addresses_count_del AFTER DELETE ON ip_addresses
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'ip_addresses'; END;
