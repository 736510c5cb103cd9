import type { ErasureCounts, ErasureScope } from '../../spec/store.js';
import { erasureColumns } from '../shared/erasure-scope.js';
import { erasedGraphPartition } from '../shared/graph-plan.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { sqliteFailure } from './sqlite-failure.js';
import { deleteGraphPartition } from './sqlite-graph.js';
import type { SqliteVectors } from './sqlite-vectors.js';

/**
 * Erasure of one scope from the SQLite file, then of its bytes: the deletes run with
 * `secure_delete` on (freed pages are overwritten with zeros), the full-text index is merged
 * (FTS5 keeps deleted terms in older segments until a merge), VACUUM rewrites the file from live
 * rows only, and the WAL is checkpointed and truncated — so no text of the scope is left in the
 * database, its WAL or its shared memory. Costs grow with the whole file (VACUUM): an erasure is
 * rare, and correct before fast.
 */
export function eraseScope(
  connection: SqliteConnection,
  vectors: () => SqliteVectors,
  tenant: string,
  scope: ErasureScope,
): ErasureCounts {
  const columns = erasureColumns(scope);
  const db = connection.db;
  const memoryWhere = columns.map((c) => `${c.column} = ?`).join(' AND ');
  const values = columns.map((c) => c.value);
  const previous = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    const counts = connection.write(() => {
      const ids = (
        db.prepare(`SELECT id FROM memories WHERE tenant = ? AND ${memoryWhere}`).all(tenant, ...values) as {
          id: string;
        }[]
      ).map((r) => r.id);
      const list = JSON.stringify(ids);
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
      const memories = run('DELETE FROM memories WHERE id IN (SELECT value FROM json_each(?))', list);
      const messages = run(`DELETE FROM messages WHERE tenant = ? AND ${memoryWhere}`, tenant, ...values);
      const usage = run(`DELETE FROM usage_totals WHERE tenant = ? AND ${memoryWhere}`, tenant, ...values);
      // The owner's graph when the scope names its owner alone; otherwise the relations of the
      // erased memories, which the memories' delete trigger removes.
      const graph = erasedGraphPartition(tenant, scope);
      if (graph !== null) deleteGraphPartition(connection, tenant, graph);
      // A queued add carries its messages in the payload, under the scope it was sent for.
      const jobs = run(
        `DELETE FROM jobs WHERE tenant = ? AND ${columns
          .map((c) => `json_extract(payload, '$.ids.${c.field}') = ?`)
          .join(' AND ')}`,
        tenant,
        ...values,
      );
      db.exec(`INSERT INTO memories_fts(memories_fts) VALUES ('optimize')`);
      return { memories, versions, history, messages, jobs, usage };
    });
    try {
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (cause) {
      throw sqliteFailure(connection.path, cause, 'write');
    }
    return counts;
  } finally {
    db.pragma(`secure_delete = ${previous ? 'ON' : 'OFF'}`);
  }
}
