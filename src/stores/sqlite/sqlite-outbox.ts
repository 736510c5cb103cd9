import type { IndexOutbox, IndexProgress, IndexState, OutboxRow } from '../../spec/index-outbox.js';
import type { IndexPoint } from '../../spec/vector-index.js';
import {
  type IndexStateRow,
  type PointRow,
  progressAssignments,
  toIndexPoint,
  toIndexState,
} from '../shared/outbox-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';

const POINT_COLUMNS = `m.seq, m.id, m.tenant, m.version, m.user_id, m.agent_id, m.run_id, e.embedding`;

/** The outbox of derived indexes in the SQLite file (migration 8 writes its rows by trigger). */
export class SqliteOutbox implements IndexOutbox {
  readonly #connection: SqliteConnection;
  readonly #db: SqliteConnection['db'];

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    this.#db = connection.db;
  }

  async registerIndex(name: string, at: string): Promise<IndexState> {
    this.#connection.write(() => {
      this.#db
        .prepare(
          `INSERT INTO derived_indexes(name, registered_at, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING`,
        )
        .run(name, at, at);
    });
    const state = (await this.indexStates()).find((s) => s.name === name);
    if (!state) throw new Error(`index ${name} vanished right after it was registered`);
    return state;
  }

  async unregisterIndex(name: string): Promise<void> {
    this.#connection.write(() => {
      this.#db.prepare('DELETE FROM derived_indexes WHERE name = ?').run(name);
    });
  }

  async indexStates(): Promise<IndexState[]> {
    const rows = this.#connection.read(
      () =>
        this.#db
          .prepare(
            `SELECT d.*, (SELECT count(*) FROM index_outbox o WHERE o.index_name = d.name) AS pending,
               (SELECT min(created_at) FROM index_outbox o WHERE o.index_name = d.name) AS oldest
             FROM derived_indexes d ORDER BY d.name`,
          )
          .all() as IndexStateRow[],
    );
    return rows.map(toIndexState);
  }

  async outboxRows(name: string, limit: number): Promise<OutboxRow[]> {
    const rows = this.#connection.read(
      () =>
        this.#db
          .prepare('SELECT id, tenant, memory_id FROM index_outbox WHERE index_name = ? ORDER BY id LIMIT ?')
          .all(name, limit) as { id: number; tenant: string; memory_id: string }[],
    );
    return rows.map((r) => ({ id: r.id, tenant: r.tenant, memoryId: r.memory_id }));
  }

  async completeOutbox(name: string, ids: number[], progress: IndexProgress, at: string): Promise<void> {
    this.#connection.write(() => {
      this.#db
        .prepare('DELETE FROM index_outbox WHERE index_name = ? AND id IN (SELECT value FROM json_each(?))')
        .run(name, JSON.stringify(ids));
      this.#progress(name, progress, at);
    });
  }

  async recordIndexProgress(name: string, progress: IndexProgress, at: string): Promise<void> {
    this.#connection.write(() => this.#progress(name, progress, at));
  }

  #progress(name: string, progress: IndexProgress, at: string): void {
    const { sql, params } = progressAssignments(progress, () => '?');
    this.#db
      .prepare(`UPDATE derived_indexes SET ${sql} updated_at = ? WHERE name = ?`)
      .run(...params.map((p) => (typeof p === 'boolean' ? Number(p) : p)), at, name);
  }

  async indexPoints(tenant: string, memoryIds: string[]): Promise<Map<string, IndexPoint>> {
    if (memoryIds.length === 0) return new Map();
    const rows = this.#connection.read(
      () =>
        this.#db
          .prepare(
            `SELECT ${POINT_COLUMNS} FROM json_each(?) AS j CROSS JOIN memories m ON m.id = j.value
             JOIN memory_embeddings e ON e.seq = m.version_seq WHERE m.tenant = ? AND m.state = 'active'`,
          )
          .all(JSON.stringify(memoryIds), tenant) as SqlitePointRow[],
    );
    return new Map(rows.map((r) => [r.id, toPoint(r)]));
  }

  async indexPointCount(): Promise<number> {
    return this.#connection.read(
      () =>
        (
          this.#db
            .prepare(
              `SELECT count(*) AS n FROM memories m JOIN memory_embeddings e ON e.seq = m.version_seq
               WHERE m.state = 'active'`,
            )
            .get() as { n: number }
        ).n,
    );
  }

  async scanIndexPoints(
    cursor: string | null,
    limit: number,
  ): Promise<{ points: IndexPoint[]; next: string | null }> {
    const after = cursor === null ? 0 : Number(cursor);
    const rows = this.#connection.read(
      () =>
        this.#db
          .prepare(
            `SELECT ${POINT_COLUMNS} FROM memories m JOIN memory_embeddings e ON e.seq = m.version_seq
             WHERE m.seq > ? AND m.state = 'active' ORDER BY m.seq LIMIT ?`,
          )
          .all(after, limit) as SqlitePointRow[],
    );
    const last = rows[rows.length - 1];
    return { points: rows.map(toPoint), next: rows.length < limit || !last ? null : String(last.seq) };
  }

  async leaseIndex(name: string, holder: string, ms: number, now: string): Promise<boolean> {
    const until = new Date(Date.parse(now) + ms).toISOString();
    return this.#connection.write(
      () =>
        this.#db
          .prepare(
            `UPDATE derived_indexes SET holder = ?, lease_until = ?
             WHERE name = ? AND (holder IS NULL OR holder = ? OR lease_until IS NULL OR lease_until < ?)`,
          )
          .run(holder, until, name, holder, now).changes === 1,
    );
  }

  async releaseIndex(name: string, holder: string): Promise<void> {
    if (this.#connection.readOnly) return;
    this.#connection.write(() => {
      this.#db
        .prepare('UPDATE derived_indexes SET holder = NULL, lease_until = NULL WHERE name = ? AND holder = ?')
        .run(name, holder);
    });
  }
}

interface SqlitePointRow extends PointRow {
  seq: number;
  embedding: Buffer;
}

function toPoint(row: SqlitePointRow): IndexPoint {
  const blob = row.embedding;
  // Copy: the blob's buffer may be shared and unaligned.
  return toIndexPoint(
    row,
    new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength)),
  );
}
