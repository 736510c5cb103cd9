import type { StoreStats, VersionToEmbed } from '../../spec/store.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { schemaVersion } from './sqlite-migrator.js';
import type { SqliteVectors } from './sqlite-vectors.js';

const TENANT_TABLES = [
  'relations',
  'entity_merges',
  'entity_keys',
  'entities',
  'memory_versions',
  'memories',
  'history',
  'messages',
  'jobs',
  'usage_totals',
] as const;

/** Vector width, re-embedding, statistics and tenant resets. */
export class SqliteMaintenance {
  readonly #connection: SqliteConnection;
  readonly #vectors: () => SqliteVectors;

  constructor(connection: SqliteConnection, vectors: () => SqliteVectors) {
    this.#connection = connection;
    this.#vectors = vectors;
  }

  get #db() {
    return this.#connection.db;
  }

  vectorWidth(): number | null {
    return this.#vectors().dimensions;
  }

  resetVectors(width: number): void {
    this.#connection.write(() => {
      this.#vectors().recreate(width);
      this.#db.exec(
        'UPDATE memory_versions SET embedding_model = NULL; UPDATE memories SET embedding_model = NULL;',
      );
    });
  }

  versionsToEmbed(tenant: string | null, model: string, limit: number): VersionToEmbed[] {
    return this.#db
      .prepare(
        `SELECT m.tenant, m.id, v.version, v.text FROM memory_versions v JOIN memories m ON m.id = v.memory_id
         WHERE m.state <> 'deleted' AND (v.embedding_model IS NULL OR v.embedding_model <> ?)
         ${tenant === null ? '' : 'AND m.tenant = ?'} ORDER BY v.seq LIMIT ?`,
      )
      .all(model, ...(tenant === null ? [] : [tenant]), limit) as VersionToEmbed[];
  }

  setEmbeddings(
    rows: { tenant: string; id: string; version: number; embedding: Float32Array }[],
    model: string,
  ): void {
    const find = this.#db.prepare(
      `SELECT v.seq, v.partition_key, m.seq AS memory_seq, m.version_seq FROM memory_versions v
       JOIN memories m ON m.id = v.memory_id WHERE m.tenant = ? AND v.memory_id = ? AND v.version = ?`,
    );
    const markVersion = this.#db.prepare('UPDATE memory_versions SET embedding_model = ? WHERE seq = ?');
    const markMemory = this.#db.prepare('UPDATE memories SET embedding_model = ? WHERE seq = ?');
    this.#connection.write(() => {
      for (const r of rows) {
        const row = find.get(r.tenant, r.id, r.version) as
          | { seq: number; partition_key: string; memory_seq: number; version_seq: number }
          | undefined;
        if (!row) continue;
        this.#vectors().put(row.seq, row.partition_key, r.embedding);
        markVersion.run(model, row.seq);
        if (row.version_seq === row.seq) markMemory.run(model, row.memory_seq);
      }
    });
  }

  stats(): StoreStats {
    const count = (table: string, where = '1'): number =>
      (this.#db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
    const check = (this.#db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
    const ok = check.length === 1 && check[0] === 'ok';
    return {
      memories: count('memories', `state <> 'deleted'`),
      versions: count('memory_versions', 'indexed = 1'),
      vectors: this.#vectors().count(),
      messages: count('messages'),
      history: count('history'),
      schemaVersion: schemaVersion(this.#connection),
      dimensions: this.#vectors().dimensions,
      embeddingModel: this.#connection.getMeta('embedding_model'),
      health: { ok, detail: `SQLite quick_check: ${check.join('; ')}` },
    };
  }

  reset(tenant: string | null): void {
    this.#connection.write(() => {
      if (tenant === null) {
        // Vectors first (the ANN change log looks their partition up in memory_versions).
        this.#db.exec('DELETE FROM memory_embeddings');
        if (this.#vectors().dimensions !== null) this.#db.exec('DELETE FROM memory_vectors');
        for (const table of TENANT_TABLES) this.#db.exec(`DELETE FROM ${table}`);
        return;
      }
      const seqs = (
        this.#db.prepare('SELECT seq FROM memory_versions WHERE tenant = ?').all(tenant) as { seq: number }[]
      ).map((r) => r.seq);
      this.#vectors().remove(seqs);
      for (const table of TENANT_TABLES) {
        this.#db.prepare(`DELETE FROM ${table} WHERE tenant = ?`).run(tenant);
      }
    });
  }
}
