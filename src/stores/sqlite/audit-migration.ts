import type { Migration } from './migrations.js';

/** Migration 10: the audit log (spec/audit-log.ts). */
export const AUDIT_MIGRATION: Migration = {
  version: 10,
  name: 'audit_log',
  sql: `
-- Who did what to which memories, when, with what outcome: ids, scope ids, counts and codes,
-- never content. Append-only: only the retention purge (DELETE by age) removes rows.
CREATE TABLE audit_log (
seq INTEGER PRIMARY KEY,
tenant TEXT NOT NULL,
at TEXT NOT NULL,
key_id TEXT,
actor TEXT,
channel TEXT NOT NULL CHECK (channel IN ('rest', 'mcp', 'cli', 'library')),
operation TEXT NOT NULL,
user_id TEXT,
agent_id TEXT,
run_id TEXT,
target_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(target_ids)),
counts TEXT CHECK (counts IS NULL OR json_valid(counts)),
outcome TEXT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log(tenant, seq);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log BEGIN
  SELECT RAISE(ABORT, 'audit log entries cannot be changed');
END;
`,
};
