import type { IndexOutbox, IndexProgress, IndexState, OutboxRow } from '../../spec/index-outbox.js';
import type { IndexPoint } from '../../spec/vector-index.js';
import {
  type IndexStateRow,
  type PointRow,
  progressAssignments,
  toIndexPoint,
  toIndexState,
} from '../shared/outbox-rows.js';
import type { PgConnection, PgQuery } from './pg-connection.js';

const POINT_COLUMNS = `m.seq, m.id, m.tenant, m.version, m.user_id, m.agent_id, m.run_id, e.embedding::text AS vector`;

/** The outbox of derived indexes in the PostgreSQL schema (migration 2 writes its rows by trigger). */
export class PgOutbox implements IndexOutbox {
  readonly #connection: PgConnection;

  constructor(connection: PgConnection) {
    this.#connection = connection;
  }

  async registerIndex(name: string, at: string): Promise<IndexState> {
    await this.#connection.write((q) =>
      q.run(
        `INSERT INTO derived_indexes(name, registered_at, updated_at) VALUES ($1, $2::timestamptz, $2::timestamptz)
         ON CONFLICT (name) DO NOTHING`,
        [name, at],
      ),
    );
    const state = (await this.indexStates()).find((s) => s.name === name);
    if (!state) throw new Error(`index ${name} vanished right after it was registered`);
    return state;
  }

  async unregisterIndex(name: string): Promise<void> {
    await this.#connection.write((q) => q.run('DELETE FROM derived_indexes WHERE name = $1', [name]));
  }

  async indexStates(): Promise<IndexState[]> {
    const rows = await this.#connection.read((q) =>
      q.rows<IndexStateRow>(
        `SELECT d.*, (SELECT count(*) FROM index_outbox o WHERE o.index_name = d.name) AS pending,
           (SELECT min(created_at) FROM index_outbox o WHERE o.index_name = d.name) AS oldest
         FROM derived_indexes d ORDER BY d.name`,
      ),
    );
    return rows.map(toIndexState);
  }

  async outboxRows(name: string, limit: number): Promise<OutboxRow[]> {
    const rows = await this.#connection.read((q) =>
      q.rows<{ id: string; tenant: string; memory_id: string }>(
        'SELECT id, tenant, memory_id FROM index_outbox WHERE index_name = $1 ORDER BY id LIMIT $2',
        [name, limit],
      ),
    );
    return rows.map((r) => ({ id: Number(r.id), tenant: r.tenant, memoryId: r.memory_id }));
  }

  async completeOutbox(name: string, ids: number[], progress: IndexProgress, at: string): Promise<void> {
    await this.#connection.write(async (q) => {
      await q.run('DELETE FROM index_outbox WHERE index_name = $1 AND id = ANY($2::bigint[])', [name, ids]);
      await this.#progress(q, name, progress, at);
    });
  }

  async recordIndexProgress(name: string, progress: IndexProgress, at: string): Promise<void> {
    await this.#connection.write((q) => this.#progress(q, name, progress, at));
  }

  async #progress(q: PgQuery, name: string, progress: IndexProgress, at: string): Promise<void> {
    const { sql, params } = progressAssignments(progress, (i) => `$${i + 3}`);
    await q.run(`UPDATE derived_indexes SET ${sql} updated_at = $2::timestamptz WHERE name = $1`, [
      name,
      at,
      ...params,
    ]);
  }

  async indexPoints(tenant: string, memoryIds: string[]): Promise<Map<string, IndexPoint>> {
    if (memoryIds.length === 0) return new Map();
    const rows = await this.#connection.read((q) =>
      q.rows<PgPointRow>(
        `SELECT ${POINT_COLUMNS} FROM memories m JOIN memory_vectors e ON e.version_seq = m.version_seq
         WHERE m.id = ANY($1::text[]) AND m.tenant = $2 AND m.state = 'active'`,
        [memoryIds, tenant],
      ),
    );
    return new Map(rows.map((r) => [r.id, toPoint(r)]));
  }

  async indexPointCount(): Promise<number> {
    const row = await this.#connection.read((q) =>
      q.one<{ n: string }>(
        `SELECT count(*) AS n FROM memories m JOIN memory_vectors e ON e.version_seq = m.version_seq
         WHERE m.state = 'active'`,
      ),
    );
    return Number(row?.n ?? 0);
  }

  async scanIndexPoints(
    cursor: string | null,
    limit: number,
  ): Promise<{ points: IndexPoint[]; next: string | null }> {
    const rows = await this.#connection.read((q) =>
      q.rows<PgPointRow>(
        `SELECT ${POINT_COLUMNS} FROM memories m JOIN memory_vectors e ON e.version_seq = m.version_seq
         WHERE m.seq > $1 AND m.state = 'active' ORDER BY m.seq LIMIT $2`,
        [cursor ?? '0', limit],
      ),
    );
    const last = rows[rows.length - 1];
    return { points: rows.map(toPoint), next: rows.length < limit || !last ? null : String(last.seq) };
  }

  async leaseIndex(name: string, holder: string, ms: number, now: string): Promise<boolean> {
    const changed = await this.#connection.write((q) =>
      q.run(
        `UPDATE derived_indexes SET holder = $2, lease_until = $3::timestamptz + ($4 || ' milliseconds')::interval
         WHERE name = $1 AND (holder IS NULL OR holder = $2 OR lease_until IS NULL OR lease_until < $3::timestamptz)`,
        [name, holder, now, String(ms)],
      ),
    );
    return changed === 1;
  }

  async releaseIndex(name: string, holder: string): Promise<void> {
    if (this.#connection.readOnly) return;
    await this.#connection.write((q) =>
      q.run('UPDATE derived_indexes SET holder = NULL, lease_until = NULL WHERE name = $1 AND holder = $2', [
        name,
        holder,
      ]),
    );
  }
}

interface PgPointRow extends PointRow {
  seq: string;
  vector: string;
}

function toPoint(row: PgPointRow): IndexPoint {
  // pgvector's text form "[0.1,0.2]" is JSON; float4 values print exactly.
  return toIndexPoint(row, Float32Array.from(JSON.parse(row.vector) as number[]));
}
