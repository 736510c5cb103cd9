import type { MemoryErasureCounts } from '../../spec/store.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { deleteMemoryRows, eraseThenScrub } from './sqlite-erase.js';
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
  return eraseThenScrub(
    connection,
    () => {
      // The tenant is applied here: an id of another tenant matches nothing.
      const held = (
        connection.db
          .prepare('SELECT id FROM memories WHERE tenant = ? AND id IN (SELECT value FROM json_each(?))')
          .all(tenant, JSON.stringify(ids)) as { id: string }[]
      ).map((r) => r.id);
      return deleteMemoryRows(connection, vectors, tenant, held);
    },
    (counts) => counts.memories > 0,
  );
}

/** The tenants holding at least one memory, sorted. */
export function memoryTenants(connection: SqliteConnection): string[] {
  return (
    connection.db.prepare('SELECT DISTINCT tenant FROM memories ORDER BY tenant').all() as {
      tenant: string;
    }[]
  ).map((r) => r.tenant);
}
