import { MemoryError } from '../../spec/memory-error.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { sqliteFailure } from './sqlite-failure.js';

const META_TABLE = 'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)';

/** Tables every current engram database has; one missing means the file was damaged or edited. */
const REQUIRED_TABLES = [
  'meta',
  'memories',
  'memory_versions',
  'memories_fts',
  'memory_embeddings',
  'history',
  'messages',
  'jobs',
  'api_keys',
  'usage_totals',
  'derived_indexes',
  'index_outbox',
  'entities',
  'entity_keys',
  'entity_merges',
  'relations',
  'audit_log',
] as const;

/**
 * Checks that the file is an engram database (or a new, empty one), then applies the numbered
 * migrations it has not seen, each in its own IMMEDIATE transaction that re-reads the version
 * first, so two processes opening one file at once migrate once. A file of another application
 * is refused before anything is written to it.
 */
export function migrate(connection: SqliteConnection): void {
  const found = guarded(connection, () => inspect(connection));
  if (found > SCHEMA_VERSION) {
    throw new MemoryError(
      'store_error',
      `The database at ${connection.path} was written by a newer engram (schema ${found}, this one knows ${SCHEMA_VERSION}). Upgrade engram.`,
      { details: { path: connection.path, found, known: SCHEMA_VERSION } },
    );
  }
  if (found < SCHEMA_VERSION && connection.readOnly) {
    throw new MemoryError(
      'store_error',
      `The database at ${connection.path} is at schema ${found} and this engram needs ${SCHEMA_VERSION}, but it is opened read-only (store.readOnly), so it cannot be migrated. Open it once with an engram that may write it (without store.readOnly), then open it read-only again.`,
      { details: { path: connection.path, found, known: SCHEMA_VERSION } },
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= found) continue;
    connection.write(() => {
      connection.db.exec(META_TABLE);
      if (readVersion(connection) >= migration.version) return;
      connection.db.exec(migration.sql);
      connection.setMeta('schema_version', String(migration.version));
    });
  }
  guarded(connection, () => checkTables(connection));
}

/**
 * Refuses a file of another application before anything touches it — even the switch to WAL,
 * which is recorded in the file's header. Only reads.
 */
export function refuseForeignFile(connection: SqliteConnection): void {
  guarded(connection, () => inspect(connection));
}

/** The schema version recorded in the file (stats, health). */
export function schemaVersion(connection: SqliteConnection): number {
  return readVersion(connection);
}

/** 0 for a new file (no tables, or only an empty meta); the recorded version of an engram file. */
function inspect(connection: SqliteConnection): number {
  const tables = userTables(connection);
  if (tables.size === 0) return 0;
  if (!tables.has('meta')) {
    throw notEngram(
      connection,
      `it has tables (${[...tables].slice(0, 5).join(', ')}) but no meta table`,
      isMem0File(tables),
    );
  }
  if (connection.getMeta('schema_version') === null) {
    // Only an empty meta: an engram that stopped before its first migration committed.
    if (tables.size === 1) return 0;
    throw notEngram(connection, 'its meta table records no schema_version');
  }
  return readVersion(connection);
}

function readVersion(connection: SqliteConnection): number {
  const raw = connection.getMeta('schema_version');
  if (raw === null) return 0;
  if (!/^\d{1,9}$/.test(raw)) {
    throw new MemoryError(
      'store_error',
      `The database at ${connection.path} records meta.schema_version = ${JSON.stringify(raw.slice(0, 40))}, which is not a schema number: the file was changed by something other than engram. Restore it from a backup, or point config store.path, dbPath or ENGRAM_DB at another file.`,
      { details: { path: connection.path, schemaVersion: raw.slice(0, 40) } },
    );
  }
  return Number(raw);
}

function checkTables(connection: SqliteConnection): void {
  const tables = userTables(connection);
  const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) {
    throw new MemoryError(
      'store_error',
      `The database at ${connection.path} is damaged: it records engram schema ${readVersion(connection)} but lacks the tables ${missing.join(', ')}. Restore it from a backup, or move it away to start a new one.`,
      { details: { path: connection.path, missing } },
    );
  }
}

function userTables(connection: SqliteConnection): Set<string> {
  const rows = connection.db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`)
    .all() as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

/** mem0's own SQLite files: its history database (TypeScript or Python) or its vector store. */
const MEM0_TABLES = new Set(['memory_history', 'history', 'messages', 'vectors', 'memory_migrations']);

function isMem0File(tables: Set<string>): boolean {
  return (
    [...tables].every((t) => MEM0_TABLES.has(t)) &&
    (tables.has('memory_history') || tables.has('history') || tables.has('vectors'))
  );
}

function notEngram(connection: SqliteConnection, why: string, mem0 = false): MemoryError {
  const fix = mem0
    ? ` It looks like a mem0 database (history_db_path or a mem0 vector store): engram never writes into it. Point dbPath at a new file and bring its memories along with \`engram import --from-mem0 ${connection.path}\`.`
    : ' Point config store.path, dbPath or ENGRAM_DB at an engram database or at a new file.';
  return new MemoryError(
    'store_error',
    `The file at ${connection.path} is a SQLite database but not an engram one: ${why}. engram leaves it untouched.${fix}`,
    { details: { path: connection.path, ...(mem0 ? { mem0: true } : {}) } },
  );
}

/** Runs reads of the file; a SQLite error (not a database, damaged) becomes a MemoryError. */
function guarded<T>(connection: SqliteConnection, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    throw sqliteFailure(connection.path, cause, 'open');
  }
}
