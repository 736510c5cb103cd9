import type { Migration } from './migrations.js';

/** Migration 8: the outbox of derived vector indexes (spec/index-outbox.ts). */
export const OUTBOX_MIGRATION: Migration = {
  version: 8,
  name: 'index_outbox',
  sql: `
-- Derived vector indexes (Qdrant, Chroma) and the outbox that feeds them (spec/index-outbox.ts).
-- The triggers add one row per registered index whenever a memory's indexed point may have
-- changed, in the writing transaction; with no index registered they add nothing.
CREATE TABLE derived_indexes (
name TEXT PRIMARY KEY,
built INTEGER NOT NULL DEFAULT 0 CHECK (built IN (0, 1)),
dimensions INTEGER,
last_error TEXT,
failures INTEGER NOT NULL DEFAULT 0,
holder TEXT,
lease_until TEXT,
registered_at TEXT NOT NULL,
updated_at TEXT NOT NULL
);
CREATE TABLE index_outbox (
id INTEGER PRIMARY KEY AUTOINCREMENT,
index_name TEXT NOT NULL REFERENCES derived_indexes(name) ON DELETE CASCADE,
tenant TEXT NOT NULL,
memory_id TEXT NOT NULL,
created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX index_outbox_by_index ON index_outbox(index_name, id);

CREATE TRIGGER index_outbox_memory_insert AFTER INSERT ON memories
WHEN EXISTS (SELECT 1 FROM derived_indexes) BEGIN
INSERT INTO index_outbox(index_name, tenant, memory_id) SELECT name, new.tenant, new.id FROM derived_indexes;
END;
CREATE TRIGGER index_outbox_memory_update AFTER UPDATE OF state, version, version_seq, user_id, agent_id, run_id
ON memories WHEN EXISTS (SELECT 1 FROM derived_indexes) BEGIN
INSERT INTO index_outbox(index_name, tenant, memory_id) SELECT name, new.tenant, new.id FROM derived_indexes;
END;
CREATE TRIGGER index_outbox_memory_delete AFTER DELETE ON memories
WHEN EXISTS (SELECT 1 FROM derived_indexes) BEGIN
INSERT INTO index_outbox(index_name, tenant, memory_id) SELECT name, old.tenant, old.id FROM derived_indexes;
END;
-- A vector set or dropped later (reindex, a re-embedding import) changes the point too.
CREATE TRIGGER index_outbox_vector_insert AFTER INSERT ON memory_embeddings
WHEN EXISTS (SELECT 1 FROM derived_indexes) BEGIN
INSERT INTO index_outbox(index_name, tenant, memory_id)
SELECT d.name, v.tenant, v.memory_id FROM derived_indexes d JOIN memory_versions v ON v.seq = new.seq;
END;
CREATE TRIGGER index_outbox_vector_update AFTER UPDATE ON memory_embeddings
WHEN EXISTS (SELECT 1 FROM derived_indexes) BEGIN
INSERT INTO index_outbox(index_name, tenant, memory_id)
SELECT d.name, v.tenant, v.memory_id FROM derived_indexes d JOIN memory_versions v ON v.seq = new.seq;
END;
CREATE TRIGGER index_outbox_vector_delete AFTER DELETE ON memory_embeddings
WHEN EXISTS (SELECT 1 FROM derived_indexes) BEGIN
INSERT INTO index_outbox(index_name, tenant, memory_id)
SELECT d.name, v.tenant, v.memory_id FROM derived_indexes d JOIN memory_versions v ON v.seq = old.seq;
END;
`,
};
