import type { MemoryErasureCounts } from '../../spec/store.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { sqliteFailure } from './sqlite-failure.js';
import type { SqliteVectors } from './sqlite-vectors.js';

/**
 * Erasure of given memories of one tenant (the retention purge), with the guarantees of
 * eraseScope (sqlite-erase.ts): the rows go in one transaction with `secure_delete` on — versions,
 * vectors, history, and through the memories' delete triggers their full-text rows and graph
 * relations, and an outbox row per derived index so it drops the point — then the full-text index
 * is merged, the file VACUUMed and the WAL truncated, so no text of them is left in any file.
 * Ids the tenant does not hold are skipped; nothing is rewritten when nothing was erased.
 */
export function eraseMemories(
  connection: SqliteConnection,
  vectors: () => SqliteVectors,
  tenant: string,
  ids: readonly string[],
): MemoryErasureCounts {
  if (ids.length === 0) return { memories: 0, versions: 0, history: 0 };
  const db = connection.db;
  const previous = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    const counts = connection.write(() => {
      // The tenant is applied here: an id of another tenant matches nothing.
      const held = (
        db
          .prepare('SELECT id FROM memories WHERE tenant = ? AND id IN (SELECT value FROM json_each(?))')
          .all(tenant, JSON.stringify(ids)) as { id: string }[]
      ).map((r) => r.id);
      if (held.length === 0) return { memories: 0, versions: 0, history: 0 };
      const list = JSON.stringify(held);
      const seqs = (
        db
          .prepare('SELECT seq FROM memory_versions WHERE memory_id IN (SELECT value FROM json_each(?))')
          .all(list) as { seq: number }[]
      ).map((r) => r.seq);
      vectors().remove(seqs);
      const run = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params).changes;
      const history = run(
        'DELETE FROM history WHERE tenant = ? AND memory_id IN (SELECT value FROM json_each(?))',
        tenant,
        list,
      );
      const versions = run(
        'DELETE FROM memory_versions WHERE memory_id IN (SELECT value FROM json_each(?))',
        list,
      );
      const memories = run(
        'DELETE FROM memories WHERE tenant = ? AND id IN (SELECT value FROM json_each(?))',
        tenant,
        list,
      );
      db.exec(`INSERT INTO memories_fts(memories_fts) VALUES ('optimize')`);
      return { memories, versions, history };
    });
    if (counts.memories > 0) {
      try {
        db.exec('VACUUM');
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (cause) {
        throw sqliteFailure(connection.path, cause, 'write');
      }
    }
    return counts;
  } finally {
    db.pragma(`secure_delete = ${previous ? 'ON' : 'OFF'}`);
  }
}

/** The tenants holding at least one memory, sorted. */
export function memoryTenants(connection: SqliteConnection): string[] {
  return (
    connection.db.prepare('SELECT DISTINCT tenant FROM memories ORDER BY tenant').all() as {
      tenant: string;
    }[]
  ).map((r) => r.tenant);
}
