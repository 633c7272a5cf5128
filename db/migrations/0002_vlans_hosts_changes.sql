-- VLANs, hosts and the audit log: the first resources of the generic driver. Every write to a
-- resource appends to changes in the same transaction.

CREATE TABLE vlans (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	vid         INTEGER NOT NULL UNIQUE CHECK (vid BETWEEN 1 AND 4094),
	name        TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE hosts (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL DEFAULT 'vm'
	            CHECK (kind IN ('hypervisor', 'vm', 'router', 'appliance', 'service',
	                            'container', 'switch', 'storage')),
	groups      TEXT NOT NULL DEFAULT '[]',
	vars        TEXT NOT NULL DEFAULT '{}',
	description TEXT NOT NULL DEFAULT '',
	tags        TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE changes (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	time        TEXT NOT NULL,
	username    TEXT NOT NULL,
	request_id  TEXT NOT NULL,
	action      TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
	object_type TEXT NOT NULL,
	object_id   INTEGER NOT NULL,
	before      TEXT,
	after       TEXT
) STRICT;
CREATE INDEX changes_object ON changes (object_type, object_id);
CREATE INDEX changes_user ON changes (username);
