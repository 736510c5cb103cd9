import { AUDIT_MIGRATION } from './audit-migration.js';
import { GRAPH_MIGRATION } from './graph-migration.js';
import { OUTBOX_MIGRATION } from './outbox-migration.js';
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
  OUTBOX_MIGRATION,
  GRAPH_MIGRATION,
  AUDIT_MIGRATION,
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
