/**
 * Numbered migrations. Each runs once, inside a transaction, and bumps meta.schema_version.
 * The vector table is not here: its width depends on the embedder and is created by
 * SqliteVectors when the first vector arrives (and recreated by reindex). Vectors and full-text
 * rows are keyed by memory_versions.seq (migration 7).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'init',
    sql: `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE memories (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  user_id TEXT, agent_id TEXT, run_id TEXT, actor_id TEXT, role TEXT,
  text TEXT NOT NULL,
  hash TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  categories TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(categories)),
  importance REAL NOT NULL DEFAULT 0.5 CHECK (importance BETWEEN 0 AND 1),
  memory_type TEXT NOT NULL DEFAULT 'semantic' CHECK (memory_type IN ('semantic','episodic','procedural')),
  state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','superseded','deleted')),
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  expired_at TEXT,
  superseded_by TEXT,
  source TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(source)),
  access_count INTEGER NOT NULL DEFAULT 0,
  last_accessed_at TEXT,
  embedding_model TEXT,
  CHECK (user_id IS NOT NULL OR agent_id IS NOT NULL OR run_id IS NOT NULL)
);
CREATE INDEX memories_user ON memories(tenant, user_id, state);
CREATE INDEX memories_agent ON memories(tenant, agent_id, state);
CREATE INDEX memories_run ON memories(tenant, run_id, state);
CREATE INDEX memories_hash ON memories(tenant, hash);
-- One active memory per exact text per scope, enforced by the store (across processes too).
CREATE UNIQUE INDEX memories_active_text ON memories(
  tenant, coalesce(user_id, ''), coalesce(agent_id, ''), coalesce(run_id, ''), hash
) WHERE state = 'active';
CREATE INDEX memories_model ON memories(embedding_model);

-- Full-text index over the memories table (external content). Triggers keep it in the same
-- transaction as every row change; deleted memories leave it, superseded ones stay (asOf).
CREATE VIRTUAL TABLE memories_fts USING fts5(
  text, content='memories', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories WHEN new.state <> 'deleted' BEGIN
  INSERT INTO memories_fts(rowid, text) VALUES (new.seq, new.text);
END;
CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories WHEN old.state <> 'deleted' BEGIN
  INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;
-- One trigger, old row out before new row in (two triggers would fire in an unspecified order).
CREATE TRIGGER memories_fts_update AFTER UPDATE OF text, state ON memories BEGIN
  INSERT INTO memories_fts(memories_fts, rowid, text) SELECT 'delete', old.seq, old.text WHERE old.state <> 'deleted';
  INSERT INTO memories_fts(rowid, text) SELECT new.seq, new.text WHERE new.state <> 'deleted';
END;

CREATE TABLE history (
  seq INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  memory_id TEXT NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('ADD','UPDATE','DELETE','INVALIDATE','RESTORE')),
  old_text TEXT,
  new_text TEXT,
  actor TEXT,
  reason TEXT,
  at TEXT NOT NULL
);
CREATE INDEX history_memory ON history(tenant, memory_id, seq);
CREATE TRIGGER history_append_only BEFORE UPDATE ON history BEGIN
  SELECT RAISE(ABORT, 'history is append-only');
END;

CREATE TABLE messages (
  seq INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  user_id TEXT, agent_id TEXT, run_id TEXT,
  role TEXT NOT NULL,
  name TEXT,
  content TEXT NOT NULL,
  event_time TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX messages_scope ON messages(tenant, user_id, agent_id, run_id, seq);
`,
  },
  {
    version: 2,
    name: 'jobs',
    sql: `
CREATE TABLE jobs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  state TEXT NOT NULL CHECK (state IN ('pending','running','done','dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  next_attempt_at TEXT NOT NULL,
  locked_until TEXT,
  last_error TEXT,
  idempotency_key TEXT,
  result TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs(tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_due ON jobs(state, next_attempt_at);
CREATE INDEX jobs_tenant ON jobs(tenant, state, seq);
`,
  },
  {
    version: 3,
    name: 'api_keys',
    sql: `
CREATE TABLE api_keys (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  name TEXT,
  user_id TEXT,
  agent_id TEXT,
  admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX api_keys_tenant ON api_keys(tenant, seq);
`,
  },
  {
    version: 4,
    name: 'message_refs',
    sql: `
-- A message logged on behalf of a queued job carries "<job id>:<index>", so a job re-run after a
-- crash does not log the same turns twice.
ALTER TABLE messages ADD COLUMN ref TEXT;
CREATE UNIQUE INDEX messages_ref ON messages(tenant, ref) WHERE ref IS NOT NULL;
`,
  },
  {
    version: 5,
    name: 'usage_totals',
    sql: `
CREATE TABLE usage_totals (
  tenant TEXT NOT NULL,
  user_id TEXT NOT NULL DEFAULT '',
  agent_id TEXT NOT NULL DEFAULT '',
  run_id TEXT NOT NULL DEFAULT '',
  adds INTEGER NOT NULL DEFAULT 0,
  llm_calls INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  embed_calls INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant, user_id, agent_id, run_id)
);
`,
  },
  {
    version: 6,
    name: 'fts_vocabulary',
    sql: `
-- Document frequency per indexed term: lets a query skip words that occur in a large share of
-- all memories (they add almost nothing to bm25 and dominate its cost on big indexes).
CREATE VIRTUAL TABLE memories_fts_vocab USING fts5vocab(memories_fts, 'row');

-- A plain copy of each vector keyed by memories.seq. vec0 serves KNN scans; reading one vector
-- back out of vec0 walks its chunk blobs and grows with the table, so point reads (the distance
-- of a keyword-only candidate, scans filtered by SQL) use this table instead.
CREATE TABLE memory_embeddings (seq INTEGER PRIMARY KEY, embedding BLOB NOT NULL);
`,
  },
  {
    version: 7,
    name: 'memory_versions',
    sql: `
-- Every text a memory has had is a version with its own world interval (valid_from, valid_to)
-- and system interval (created_at, expired_at). A version is written once and closed once; it
-- is never rewritten. memories keeps the identity and a copy of the current version's text.
-- Existing memories become version 1, keeping their seq, so stored vectors stay attached.
CREATE TABLE memory_versions (
  seq INTEGER PRIMARY KEY,
  memory_id TEXT NOT NULL,
  tenant TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  text TEXT NOT NULL,
  hash TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  created_at TEXT NOT NULL,
  expired_at TEXT,
  embedding_model TEXT,
  -- 0 once the memory is deleted by the user: out of full-text (and its vectors are dropped).
  indexed INTEGER NOT NULL DEFAULT 1 CHECK (indexed IN (0, 1)),
  UNIQUE (memory_id, version)
);
CREATE INDEX memory_versions_model ON memory_versions(embedding_model);

INSERT INTO memory_versions(seq, memory_id, tenant, partition_key, version, text, hash, valid_from, valid_to,
  created_at, expired_at, embedding_model, indexed)
SELECT seq, id, tenant, partition_key, 1, text, hash, valid_from, valid_to, created_at,
  CASE WHEN state = 'active' THEN NULL ELSE coalesce(expired_at, updated_at) END,
  embedding_model, CASE WHEN state = 'deleted' THEN 0 ELSE 1 END
FROM memories;

ALTER TABLE memories ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE memories ADD COLUMN version_seq INTEGER NOT NULL DEFAULT 0;
UPDATE memories SET version_seq = seq;
-- Search reaches a memory from its current version's vector or full-text row through this index.
CREATE UNIQUE INDEX memories_version_seq ON memories(version_seq);

ALTER TABLE history ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TRIGGER memory_versions_immutable
BEFORE UPDATE OF memory_id, tenant, partition_key, version, text, hash, valid_from, created_at ON memory_versions
BEGIN
  SELECT RAISE(ABORT, 'a memory version is immutable: write a new version');
END;
CREATE TRIGGER memory_versions_close_once BEFORE UPDATE OF valid_to, expired_at ON memory_versions
WHEN old.expired_at IS NOT NULL BEGIN
  SELECT RAISE(ABORT, 'a closed memory version cannot be reopened or moved');
END;

-- Full-text now indexes versions, so an old text stays findable as of its time.
DROP TRIGGER memories_fts_insert;
DROP TRIGGER memories_fts_delete;
DROP TRIGGER memories_fts_update;
DROP TABLE memories_fts_vocab;
DROP TABLE memories_fts;
CREATE VIRTUAL TABLE memories_fts USING fts5(
  text, content='memory_versions', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2'
);
INSERT INTO memories_fts(rowid, text) SELECT seq, text FROM memory_versions WHERE indexed = 1;
CREATE VIRTUAL TABLE memories_fts_vocab USING fts5vocab(memories_fts, 'row');
CREATE TRIGGER memory_versions_fts_insert AFTER INSERT ON memory_versions WHEN new.indexed = 1 BEGIN
  INSERT INTO memories_fts(rowid, text) VALUES (new.seq, new.text);
END;
CREATE TRIGGER memory_versions_fts_delete AFTER DELETE ON memory_versions WHEN old.indexed = 1 BEGIN
  INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;
CREATE TRIGGER memory_versions_fts_unindex AFTER UPDATE OF indexed ON memory_versions
WHEN old.indexed = 1 AND new.indexed = 0 BEGIN
  INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;

-- The ANN change log now follows vectors (keyed by version seq), not memory rows; it is derived.
DROP TRIGGER IF EXISTS ann_log_insert;
DROP TRIGGER IF EXISTS ann_log_update;
DROP TRIGGER IF EXISTS ann_log_delete;
DROP TABLE IF EXISTS ann_log;
DROP TABLE IF EXISTS ann_partitions;
DELETE FROM meta WHERE key = 'ann_log_floor';
`,
  },
  {
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
  },
  {
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
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
