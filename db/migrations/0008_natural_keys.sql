-- Natural keys, so a plan file can name every object without database ids (issue 5):
-- firewall rules get a unique name (Capirca's term name), a host's services are unique by
-- name, and a zone holds each record once. Existing rows are renamed to be unique; only a
-- record identical to an older one in every key is dropped.
ALTER TABLE firewall_rules ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE firewall_rules SET name = 'rule-' || id;
CREATE UNIQUE INDEX firewall_rules_name ON firewall_rules (name);

UPDATE services SET name = name || '-' || id
	WHERE EXISTS (SELECT 1 FROM services s
		WHERE s.host_id = services.host_id AND s.name = services.name AND s.id < services.id);
-- Name first: a clash is reported on the column SQLite names first.
CREATE UNIQUE INDEX services_name_host ON services (name, host_id);

DELETE FROM dns_records
	WHERE EXISTS (SELECT 1 FROM dns_records d
		WHERE d.zone_id = dns_records.zone_id AND d.name = dns_records.name
		AND d.type = dns_records.type AND d.value = dns_records.value AND d.id < dns_records.id);
CREATE UNIQUE INDEX dns_records_key ON dns_records (name, zone_id, type, value);
