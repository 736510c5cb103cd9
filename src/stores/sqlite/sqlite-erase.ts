import type { ErasureCounts, ErasureScope, MemoryErasureCounts } from '../../spec/store.js';
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
  return eraseThenScrub(
    connection,
    () => {
      const ids = (
        db.prepare(`SELECT id FROM memories WHERE tenant = ? AND ${memoryWhere}`).all(tenant, ...values) as {
          id: string;
        }[]
      ).map((r) => r.id);
      const erased = deleteMemoryRows(connection, vectors, tenant, ids);
      const run = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params).changes;
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
      return { ...erased, messages, jobs, usage };
    },
    () => true,
  );
}

/**
 * Deletes the rows of the given memories (ids the tenant holds): their vectors, history, versions
 * and the memories — whose delete triggers take their full-text rows, graph relations and an
 * outbox row per derived index. Runs inside the caller's transaction.
 */
export function deleteMemoryRows(
  connection: SqliteConnection,
  vectors: () => SqliteVectors,
  tenant: string,
  ids: readonly string[],
): MemoryErasureCounts {
  const db = connection.db;
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
  const memories = run(
    'DELETE FROM memories WHERE tenant = ? AND id IN (SELECT value FROM json_each(?))',
    tenant,
    list,
  );
  return { memories, versions, history };
}

/**
 * Runs `erase` in one write transaction with `secure_delete` on (freed pages are overwritten with
 * zeros) and merges the full-text index (FTS5 keeps deleted terms in older segments until a
 * merge); then, when `rewrite(result)` says something went, VACUUMs the file from live rows and
 * checkpoints and truncates the WAL — so no erased text is left in the database, its WAL or its
 * shared memory.
 */
export function eraseThenScrub<T>(
  connection: SqliteConnection,
  erase: () => T,
  rewrite: (result: T) => boolean,
): T {
  const db = connection.db;
  const previous = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    const result = connection.write(() => {
      const done = erase();
      db.exec(`INSERT INTO memories_fts(memories_fts) VALUES ('optimize')`);
      return done;
    });
    if (rewrite(result)) {
      try {
        db.exec('VACUUM');
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (cause) {
        throw sqliteFailure(connection.path, cause, 'write');
      }
    }
    return result;
  } finally {
    db.pragma(`secure_delete = ${previous ? 'ON' : 'OFF'}`);
  }
}
