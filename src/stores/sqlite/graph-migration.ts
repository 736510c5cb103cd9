import type { Migration } from './migrations.js';

/** Migration 9: the temporal graph (spec/graph.ts). */
export const GRAPH_MIGRATION: Migration = {
  version: 9,
  name: 'graph',
  sql: `
-- The temporal graph (spec/graph.ts): entities and relations of one owner's partition (the same
-- partition_key as vectors: user, else agent, else run), written with the memory changes.
CREATE TABLE entities (
seq INTEGER PRIMARY KEY,
id TEXT NOT NULL UNIQUE,
tenant TEXT NOT NULL,
partition_key TEXT NOT NULL,
name TEXT NOT NULL,
type TEXT NOT NULL,
summary TEXT,
aliases TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(aliases)),
key TEXT NOT NULL,
-- float32 values of the name's embedding, as written.
vector BLOB,
-- Reads resolve a merged entity to the one it was merged into (entity_merges keeps why).
merged_into TEXT REFERENCES entities(id) ON DELETE SET NULL,
created_at TEXT NOT NULL,
updated_at TEXT NOT NULL
);
CREATE INDEX entities_partition ON entities(tenant, partition_key, name);
CREATE INDEX entities_merged ON entities(merged_into) WHERE merged_into IS NOT NULL;

-- The keys an entity is found by (its name's and each alias's). Not unique per partition: a
-- merged entity and its target may share keys, and reads resolve through merged_into.
CREATE TABLE entity_keys (
entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
tenant TEXT NOT NULL,
partition_key TEXT NOT NULL,
key TEXT NOT NULL,
PRIMARY KEY (entity_id, key)
);
CREATE INDEX entity_keys_lookup ON entity_keys(tenant, partition_key, key);

CREATE TABLE entity_merges (
seq INTEGER PRIMARY KEY,
tenant TEXT NOT NULL,
partition_key TEXT NOT NULL,
from_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
into_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
reason TEXT,
at TEXT NOT NULL,
undone_at TEXT
);
CREATE INDEX entity_merges_from ON entity_merges(from_id, seq);
CREATE INDEX entity_merges_into ON entity_merges(into_id);

-- World time [valid_from, valid_to) and system time [created_at, expired_at). closed_at is when
-- a later write set valid_to, so a read as known before then still sees the relation open.
CREATE TABLE relations (
seq INTEGER PRIMARY KEY,
id TEXT NOT NULL UNIQUE,
tenant TEXT NOT NULL,
partition_key TEXT NOT NULL,
source_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
relationship TEXT NOT NULL,
destination_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
fact TEXT NOT NULL,
valid_from TEXT,
valid_to TEXT,
created_at TEXT NOT NULL,
expired_at TEXT,
closed_at TEXT,
memory_id TEXT,
message_refs TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(message_refs))
);
CREATE INDEX relations_partition ON relations(tenant, partition_key, created_at);
CREATE INDEX relations_source ON relations(source_id);
CREATE INDEX relations_destination ON relations(destination_id);
CREATE INDEX relations_memory ON relations(memory_id) WHERE memory_id IS NOT NULL;

-- A relation's fact is content: a user delete of its memory (tombstone or row delete) removes
-- it. An invalidation (superseded) keeps it: the relation's own world time says when it ended.
CREATE TRIGGER relations_memory_tombstone AFTER UPDATE OF state ON memories
WHEN new.state = 'deleted' AND old.state <> 'deleted' BEGIN
DELETE FROM relations WHERE memory_id = new.id AND tenant = new.tenant;
END;
CREATE TRIGGER relations_memory_delete AFTER DELETE ON memories BEGIN
DELETE FROM relations WHERE memory_id = old.id AND tenant = old.tenant;
END;
`,
};
