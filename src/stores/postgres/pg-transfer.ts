import type { JsonValue } from '../../spec/memory-record.js';
import {
  type GraphTransferKind,
  isGraphTransferKind,
  type JobRowOut,
  type KeyRowOut,
  type MemoryBundle,
  type MessageRowOut,
  type StoreTransfer,
  type TransferCounts,
  type TransferKind,
  type TransferPage,
  type TransferRows,
  type UsageRowOut,
} from '../../spec/store-transfer.js';
import type { MemoryRow } from '../shared/row-mapping.js';
import {
  type HistoryTransferRow,
  type JobTransferRow,
  type KeyTransferRow,
  type MessageTransferRow,
  pageEnd,
  toBundle,
  toJobOut,
  toKeyOut,
  toMessageOut,
  toUsageOut,
  type UsageTransferRow,
  type VersionTransferRow,
} from '../shared/transfer-rows.js';
import type { PgConnection, PgQuery } from './pg-connection.js';
import { graphPage, importGraph } from './pg-graph-transfer.js';
import {
  groupBy,
  importBundles,
  importJobs,
  importKeys,
  importMessages,
  importUsage,
} from './pg-transfer-import.js';
import { buildVectorIndex, dropVectorIndex, type PgVectors } from './pg-vectors.js';

type Positioned<T> = T & { position: number };

/**
 * `engram migrate` on a PostgreSQL schema: pages of every kind in row order (memories by seq, with
 * all their versions, vectors and history; usage by its key, positions counted; the graph in
 * pg-graph-transfer.ts), and idempotent imports, each one transaction of a few bulk statements
 * that also records how far it got. Imported rows get new seqs; what they say (texts, both time
 * axes, events) is copied as stored.
 */
export class PgTransfer implements StoreTransfer {
  readonly #connection: PgConnection;
  readonly #vectors: PgVectors;

  constructor(connection: PgConnection, vectors: PgVectors) {
    this.#connection = connection;
    this.#vectors = vectors;
  }

  async counts(): Promise<TransferCounts> {
    return this.#connection.read(async (q) => {
      const row = await q.one<TransferCounts>(
        `SELECT (SELECT count(*) FROM memories) AS memories, (SELECT count(*) FROM messages) AS messages,
           (SELECT count(*) FROM api_keys) AS keys, (SELECT count(*) FROM jobs) AS jobs,
           (SELECT count(*) FROM usage_totals) AS usage, (SELECT count(*) FROM entities) AS entities,
           (SELECT count(*) FROM entity_merges) AS merges, (SELECT count(*) FROM relations) AS relations`,
      );
      return (
        row ?? { memories: 0, messages: 0, keys: 0, jobs: 0, usage: 0, entities: 0, merges: 0, relations: 0 }
      );
    });
  }

  async exportRows<K extends TransferKind>(kind: K, after: number, limit: number): Promise<TransferPage<K>> {
    return this.#connection.read(async (q) => {
      const page = await this.#page(q, kind, after, limit);
      return { rows: page.map(({ position: _, ...row }) => row), next: pageEnd(page.map((r) => r.position)) };
    }) as Promise<TransferPage<K>>;
  }

  async #page(
    q: PgQuery,
    kind: TransferKind,
    after: number,
    limit: number,
  ): Promise<Positioned<TransferRows[TransferKind]>[]> {
    if (isGraphTransferKind(kind)) return graphPage(q, kind, after, limit);
    const rows = <T>(table: string) =>
      q.rows<Positioned<T>>(`SELECT *, seq AS position FROM ${table} WHERE seq > $1 ORDER BY seq LIMIT $2`, [
        after,
        limit,
      ]);
    switch (kind) {
      case 'memories':
        return this.#bundles(q, await rows<MemoryRow>('memories'));
      case 'messages':
        return (await rows<MessageTransferRow>('messages')).map((r) => ({
          ...toMessageOut(r),
          position: r.position,
        }));
      case 'keys':
        return (await rows<KeyTransferRow>('api_keys')).map((r) => ({
          ...toKeyOut(r),
          position: r.position,
        }));
      case 'jobs':
        return (await rows<JobTransferRow<JsonValue>>('jobs')).map((r) => ({
          ...toJobOut(r, (value: JsonValue) => value),
          position: r.position,
        }));
      case 'usage': {
        // usage_totals has no seq: the position is the number of rows before, in key order.
        const usage = await q.rows<UsageTransferRow>(
          'SELECT * FROM usage_totals ORDER BY tenant, user_id, agent_id, run_id OFFSET $1 LIMIT $2',
          [after, limit],
        );
        return usage.map((r, i) => ({ ...toUsageOut(r), position: after + i + 1 }));
      }
    }
  }

  async #bundles(q: PgQuery, memories: Positioned<MemoryRow>[]): Promise<Positioned<MemoryBundle>[]> {
    if (memories.length === 0) return [];
    const versions = await q.rows<VersionTransferRow & { memory_id: string; vector: string | null }>(
      `SELECT v.seq, v.memory_id, v.version, v.text, v.hash, v.valid_from, v.valid_to, v.created_at, v.expired_at,
         v.embedding_model, v.indexed, e.embedding::text AS vector
       FROM memory_versions v LEFT JOIN memory_vectors e ON e.version_seq = v.seq
       WHERE v.memory_id = ANY($1::text[]) ORDER BY v.memory_id, v.version`,
      [memories.map((m) => m.id)],
    );
    const history = await q.rows<HistoryTransferRow & { memory_id: string }>(
      `SELECT h.memory_id, h.event, h.old_text, h.new_text, h.actor, h.reason, h.at, h.version
       FROM history h JOIN unnest($1::text[], $2::text[]) AS k(tenant, id) ON h.tenant = k.tenant AND h.memory_id = k.id
       ORDER BY h.seq`,
      [memories.map((m) => m.tenant), memories.map((m) => m.id)],
    );
    const versionsOf = groupBy(versions, (v) => v.memory_id);
    const historyOf = groupBy(history, (h) => h.memory_id);
    return memories.map((m) => {
      const withVectors = (versionsOf.get(m.id) ?? []).map(({ vector, memory_id: _, ...row }) => ({
        row,
        // pgvector's text form "[0.1,0.2]" is JSON; float4 values print exactly.
        embedding: vector === null ? null : (JSON.parse(vector) as number[]),
      }));
      return { ...toBundle(m, withVectors, historyOf.get(m.id) ?? []), position: m.position };
    });
  }

  async importRows<K extends TransferKind>(
    kind: K,
    rows: TransferRows[K][],
    progress: { key: string; position: number },
  ): Promise<number> {
    try {
      return await this.#connection.write(async (q) => {
        const written = isGraphTransferKind(kind)
          ? await importGraph(q, kind, rows as TransferRows[GraphTransferKind][], progress.key)
          : await this.#import(q, kind, rows);
        await q.run(
          'INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          [progress.key, String(progress.position)],
        );
        return written;
      });
    } catch (error) {
      // A rolled-back write may have fixed the vector width this process now remembers.
      this.#vectors.forget();
      throw error;
    }
  }

  async #import(
    q: PgQuery,
    kind: Exclude<TransferKind, GraphTransferKind>,
    rows: TransferRows[TransferKind][],
  ): Promise<number> {
    if (rows.length === 0) return 0;
    switch (kind) {
      case 'memories':
        return importBundles(q, this.#vectors, rows as MemoryBundle[]);
      case 'messages':
        return importMessages(q, rows as MessageRowOut[]);
      case 'keys':
        return importKeys(q, rows as KeyRowOut[]);
      case 'jobs':
        return importJobs(q, rows as JobRowOut[]);
      case 'usage':
        return importUsage(q, rows as UsageRowOut[]);
    }
  }

  /** Bulk import: the HNSW index is dropped now and built once by endBulk (with ANALYZE). */
  async beginBulk(): Promise<void> {
    this.#vectors.deferIndex = true;
    await this.#connection.write(dropVectorIndex);
  }

  async endBulk(): Promise<void> {
    this.#vectors.deferIndex = false;
    await this.#connection.write(buildVectorIndex);
  }

  async progress(key: string): Promise<number> {
    const row = await this.#connection.withClient((q) =>
      q.one<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]),
    );
    const position = Number(row?.value ?? 0);
    return Number.isFinite(position) ? position : 0;
  }
}
