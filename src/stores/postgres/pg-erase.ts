import type { ErasureCounts, ErasureScope } from '../../spec/store.js';
import { erasureColumns } from '../shared/erasure-scope.js';
import { erasedGraphPartition } from '../shared/graph-plan.js';
import type { PgConnection } from './pg-connection.js';
import { deleteGraphPartition } from './pg-graph.js';

const TOUCHED = [
  'memories',
  'memory_versions',
  'memory_vectors',
  'history',
  'messages',
  'jobs',
  'usage_totals',
  'entities',
  'entity_keys',
  'entity_merges',
  'relations',
];

/**
 * Erasure of one scope from the PostgreSQL schema: every row in one transaction (versions and
 * their vectors, tsvectors included, go with their memories), then VACUUM of the touched tables,
 * so the dead rows' space is reclaimed and reused. PostgreSQL does not zero freed space: until it
 * is overwritten the bytes may remain in the data files, and in WAL archives and backups taken
 * before — what a deployment's retention of those must cover (docs/postgres.md).
 */
export async function eraseScope(
  connection: PgConnection,
  tenant: string,
  scope: ErasureScope,
): Promise<ErasureCounts> {
  const columns = erasureColumns(scope);
  const where = columns.map((c, i) => `${c.column} = $${i + 2}`).join(' AND ');
  const values = columns.map((c) => c.value);
  const counts = await connection.write(async (q) => {
    const ids = (
      await q.rows<{ id: string }>(`SELECT id FROM memories WHERE tenant = $1 AND ${where} FOR UPDATE`, [
        tenant,
        ...values,
      ])
    ).map((r) => r.id);
    const history = await q.run('DELETE FROM history WHERE tenant = $1 AND memory_id = ANY($2::text[])', [
      tenant,
      ids,
    ]);
    const versions = await q.run('DELETE FROM memory_versions WHERE memory_id = ANY($1::text[])', [ids]);
    const memories = await q.run('DELETE FROM memories WHERE id = ANY($1::text[])', [ids]);
    const messages = await q.run(`DELETE FROM messages WHERE tenant = $1 AND ${where}`, [tenant, ...values]);
    const usage = await q.run(`DELETE FROM usage_totals WHERE tenant = $1 AND ${where}`, [tenant, ...values]);
    // The owner's graph when the scope names its owner alone; otherwise the relations of the
    // erased memories, which the memories' delete trigger removes.
    const graph = erasedGraphPartition(tenant, scope);
    if (graph !== null) await deleteGraphPartition(q, tenant, graph);
    // A queued add carries its messages in the payload, under the scope it was sent for.
    const jobs = await q.run(
      `DELETE FROM jobs WHERE tenant = $1 AND ${columns.map((c, i) => `payload #>> '{ids,${c.field}}' = $${i + 2}`).join(' AND ')}`,
      [tenant, ...values],
    );
    return { memories, versions, history, messages, jobs, usage };
  });
  await connection.withClient((q) => q.run(`VACUUM ${TOUCHED.join(', ')}`), 'write');
  return counts;
}
