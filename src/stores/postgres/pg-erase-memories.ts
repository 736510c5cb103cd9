import type { MemoryErasureCounts } from '../../spec/store.js';
import type { PgConnection } from './pg-connection.js';

const TOUCHED = ['memories', 'memory_versions', 'memory_vectors', 'history', 'relations'];

/**
 * Erasure of given memories of one tenant (the retention purge), with the guarantees of
 * eraseScope (pg-erase.ts): the rows in one transaction — versions with their vectors and
 * tsvectors, history, and through the memories' delete triggers the graph relations drawn from
 * them and an outbox row per derived index — then VACUUM of the touched tables. Ids the tenant
 * does not hold are skipped.
 */
export async function eraseMemories(
  connection: PgConnection,
  tenant: string,
  ids: readonly string[],
): Promise<MemoryErasureCounts> {
  if (ids.length === 0) return { memories: 0, versions: 0, history: 0 };
  const counts = await connection.write(async (q) => {
    // The tenant is applied here: an id of another tenant matches nothing.
    const held = (
      await q.rows<{ id: string }>(
        'SELECT id FROM memories WHERE tenant = $1 AND id = ANY($2::text[]) FOR UPDATE',
        [tenant, [...ids]],
      )
    ).map((r) => r.id);
    if (held.length === 0) return { memories: 0, versions: 0, history: 0 };
    const history = await q.run('DELETE FROM history WHERE tenant = $1 AND memory_id = ANY($2::text[])', [
      tenant,
      held,
    ]);
    const versions = await q.run('DELETE FROM memory_versions WHERE memory_id = ANY($1::text[])', [held]);
    const memories = await q.run('DELETE FROM memories WHERE tenant = $1 AND id = ANY($2::text[])', [
      tenant,
      held,
    ]);
    return { memories, versions, history };
  });
  if (counts.memories > 0) {
    await connection.withClient((q) => q.run(`VACUUM ${TOUCHED.join(', ')}`), 'write');
  }
  return counts;
}

/** The tenants holding at least one memory, sorted. */
export async function memoryTenants(connection: PgConnection): Promise<string[]> {
  const rows = await connection.withClient(
    (q) => q.rows<{ tenant: string }>('SELECT DISTINCT tenant FROM memories ORDER BY tenant'),
    'read',
  );
  return rows.map((r) => r.tenant);
}
