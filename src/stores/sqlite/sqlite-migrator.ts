import { MemoryError } from '../../spec/memory-error.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import type { SqliteConnection } from './sqlite-connection.js';

/**
 * Applies the numbered migrations this file has not seen, each in its own IMMEDIATE transaction
 * that re-reads the version first, so two processes opening one file at once migrate once.
 */
export function migrate(connection: SqliteConnection): void {
  const { db } = connection;
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const found = Number(connection.getMeta('schema_version') ?? 0);
  if (found > SCHEMA_VERSION) {
    throw new MemoryError(
      'store_error',
      `The database was written by a newer engram (schema ${found}, this one knows ${SCHEMA_VERSION}). Upgrade engram.`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= found) continue;
    connection.write(() => {
      if (Number(connection.getMeta('schema_version') ?? 0) >= migration.version) return;
      db.exec(migration.sql);
      connection.setMeta('schema_version', String(migration.version));
    });
  }
}

export function schemaVersion(connection: SqliteConnection): number {
  return Number(connection.getMeta('schema_version') ?? 0);
}
