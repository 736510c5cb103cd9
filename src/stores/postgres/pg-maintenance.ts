import type { StoreStats, VersionToEmbed } from '../../spec/store.js';
import type { PgConnection } from './pg-connection.js';
import { schemaVersion } from './pg-migrator.js';
import type { PgVectors } from './pg-vectors.js';

/** Tables holding a tenant's rows; vectors go with their versions (ON DELETE CASCADE). */
const TENANT_TABLES = [
  'relations',
  'entity_merges',
  'entity_keys',
  'entities',
  'memories',
  'memory_versions',
  'history',
  'messages',
  'jobs',
  'usage_totals',
] as const;

/** Vector width, re-embedding, statistics and tenant resets. */
export class PgMaintenance {
  readonly #connection: PgConnection;
  readonly #vectors: PgVectors;

  constructor(connection: PgConnection, vectors: PgVectors) {
    this.#connection = connection;
    this.#vectors = vectors;
  }

  async vectorWidth(): Promise<number | null> {
    return this.#connection.withClient((q) => this.#vectors.dimensions(q));
  }

  async resetVectors(width: number): Promise<void> {
    await this.#connection.write(async (q) => {
      await this.#vectors.recreate(q, width);
      await q.run('UPDATE memory_versions SET embedding_model = NULL WHERE embedding_model IS NOT NULL');
      await q.run('UPDATE memories SET embedding_model = NULL WHERE embedding_model IS NOT NULL');
    });
  }

  async versionsToEmbed(tenant: string | null, model: string, limit: number): Promise<VersionToEmbed[]> {
    return this.#connection.withClient((q) =>
      q.rows<VersionToEmbed>(
        `SELECT m.tenant, m.id, v.version, v.text FROM memory_versions v JOIN memories m ON m.id = v.memory_id
         WHERE m.state <> 'deleted' AND (v.embedding_model IS NULL OR v.embedding_model <> $1)
         ${tenant === null ? '' : 'AND m.tenant = $3'} ORDER BY v.seq LIMIT $2`,
        tenant === null ? [model, limit] : [model, limit, tenant],
      ),
    );
  }

  async setEmbeddings(
    rows: { tenant: string; id: string; version: number; embedding: Float32Array }[],
    model: string,
  ): Promise<void> {
    await this.#connection.write(async (q) => {
      for (const r of rows) {
        const row = await q.one<{
          seq: number;
          partition_key: string;
          memory_seq: number;
          version_seq: number;
        }>(
          `SELECT v.seq, v.partition_key, m.seq AS memory_seq, m.version_seq FROM memory_versions v
           JOIN memories m ON m.id = v.memory_id WHERE m.tenant = $1 AND v.memory_id = $2 AND v.version = $3
           AND m.state <> 'deleted'`,
          [r.tenant, r.id, r.version],
        );
        if (!row) continue;
        await this.#vectors.put(q, row.seq, row.partition_key, r.embedding);
        await q.run('UPDATE memory_versions SET embedding_model = $1 WHERE seq = $2', [model, row.seq]);
        if (row.version_seq === row.seq) {
          await q.run('UPDATE memories SET embedding_model = $1 WHERE seq = $2', [model, row.memory_seq]);
        }
      }
    });
  }

  async stats(): Promise<StoreStats> {
    return this.#connection.read(async (q) => {
      const counts = await q.one<
        Record<'memories' | 'versions' | 'vectors' | 'messages' | 'history' | 'orphans', number>
      >(
        `SELECT (SELECT count(*) FROM memories WHERE state <> 'deleted')::int AS memories,
           (SELECT count(*) FROM memory_versions WHERE indexed)::int AS versions,
           (SELECT count(*) FROM memory_vectors)::int AS vectors,
           (SELECT count(*) FROM messages)::int AS messages,
           (SELECT count(*) FROM history)::int AS history,
           (SELECT count(*) FROM memories m LEFT JOIN memory_versions v ON v.seq = m.version_seq
              WHERE v.seq IS NULL OR v.memory_id <> m.id OR v.version <> m.version)::int AS orphans`,
      );
      const server = await q.one<{ server_version: string }>('SHOW server_version');
      const model = await q.one<{ value: string }>(`SELECT value FROM meta WHERE key = 'embedding_model'`);
      const orphans = counts?.orphans ?? 0;
      return {
        memories: counts?.memories ?? 0,
        versions: counts?.versions ?? 0,
        vectors: counts?.vectors ?? 0,
        messages: counts?.messages ?? 0,
        history: counts?.history ?? 0,
        schemaVersion: await schemaVersion(q),
        dimensions: await this.#vectors.dimensions(q),
        embeddingModel: model?.value ?? null,
        health: {
          ok: orphans === 0,
          detail:
            orphans === 0
              ? `PostgreSQL ${server?.server_version ?? '?'}: every memory points at its current version`
              : `PostgreSQL ${server?.server_version ?? '?'}: ${orphans} memories do not point at their current version (the schema was edited outside engram)`,
        },
      };
    });
  }

  async reset(tenant: string | null): Promise<void> {
    await this.#connection.write(async (q) => {
      if (tenant === null) {
        await q.run(`TRUNCATE memory_vectors, index_outbox, ${TENANT_TABLES.join(', ')}`);
        // TRUNCATE fires no row trigger: derived indexes are rebuilt from the (empty) store instead.
        await q.run('UPDATE derived_indexes SET built = false');
        return;
      }
      for (const table of TENANT_TABLES) await q.run(`DELETE FROM ${table} WHERE tenant = $1`, [tenant]);
    });
  }
}
