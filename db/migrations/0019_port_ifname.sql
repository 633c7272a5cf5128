-- Ports get the name the OS gives them (issue 16): ifname (enp3s0, eno1, eth0) beside the
-- label (LAN2.5-1), unique per host like the label.
--
-- Existing ports get a stable name derived from their label now, rather than "" for renders to
-- derive each time: a name that a render makes up can change when another port is added, and a
-- host's configuration must not rename its interfaces behind the operator's back. The rule is
-- the one res_ports.c applies to a new port without one: the label lowercased without its dots
-- (a label is letters, digits, '.', '_' and '-'; ifupdown reads NAME.VID as a VLAN), cut to 15
-- characters. Two ports of a host that would share a name: the later keeps its id at the end.
ALTER TABLE ports ADD COLUMN ifname TEXT NOT NULL DEFAULT '';

UPDATE ports SET ifname = substr(lower(replace(name, '.', '')), 1, 15);

UPDATE ports SET ifname = substr(ifname, 1, 14 - length(CAST(id AS TEXT))) || '-' || id
WHERE EXISTS (SELECT 1 FROM ports o WHERE o.host_id = ports.host_id
    AND o.ifname = ports.ifname AND o.id < ports.id);

CREATE UNIQUE INDEX ports_host_ifname ON ports (host_id, ifname);
