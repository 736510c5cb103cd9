import type Database from 'better-sqlite3';
import type { Index } from 'usearch';
import { MemoryError } from '../../spec/memory-error.js';
import { ANN_LOG_SCHEMA, annLogFloor, pruneAnnLog } from './ann-log.js';
import type { SqliteConnection } from './sqlite-connection.js';

export interface AnnOptions {
  /** Partitions with at least this many vectors are searched through HNSW (default 20,000). */
  minVectors?: number;
  /** How long a partition's vector count is trusted before it is counted again (default 5 s). */
  recountMs?: number;
}

interface Partition {
  index: Index;
  dimensions: number;
  /** Last ann_log id applied. */
  position: number;
}

type UsearchModule = typeof import('usearch');

const DEFAULT_MIN_VECTORS = 20_000;
let usearchLoad: Promise<UsearchModule | null> | undefined;

/** usearch is an optional dependency: without it every search takes the exact path. */
function loadUsearch(): Promise<UsearchModule | null> {
  usearchLoad ??= import('usearch').then(
    (m) => (m as unknown as { default?: UsearchModule }).default ?? m,
    () => null,
  );
  return usearchLoad;
}

/**
 * An in-process HNSW index (usearch) per large vector partition — derived, never a source of truth.
 *
 * It is built lazily from the vec0 rows the first time a partition with at least `minVectors`
 * vectors is searched. Writes from this process and from any other process that opens the file
 * are seen through `ann_log`, which triggers on the vector copies fill for registered partitions; every
 * search first applies the log entries it has not seen, reading the current vector of each touched
 * row (present: re-added; gone: removed). The caller filters hits through SQL exactly as on the
 * exact path, so deleted, superseded or out-of-scope rows never leak.
 *
 * Registering a partition is a write. A read-only store never registers (it scans exactly), and
 * a registration that fails (a full disk, a file this process may not write) falls back to the
 * exact scan for a while instead of failing the search.
 */
export class AnnIndex {
  readonly #connection: SqliteConnection;
  readonly #db: Database.Database;
  readonly #minVectors: number;
  readonly #recountMs: number;
  readonly #partitions = new Map<string, Partition>();
  readonly #counted = new Map<string, { n: number; at: number }>();
  /** Date.now() before which no partition is registered again (after a failed registration). */
  #registerAfter = 0;

  constructor(connection: SqliteConnection, options: AnnOptions = {}) {
    this.#connection = connection;
    this.#db = connection.db;
    this.#minVectors = options.minVectors ?? DEFAULT_MIN_VECTORS;
    this.#recountMs = options.recountMs ?? 5000;
  }

  /**
   * Approximate KNN in one partition: up to k {seq, distance} (cosine distance, nearest first), or
   * null when the partition is small or usearch is unavailable — the caller then scans exactly.
   */
  async knn(
    partition: string,
    query: Float32Array,
    k: number,
  ): Promise<{ seq: number; distance: number }[] | null> {
    let state = this.#partitions.get(partition);
    if (!state) {
      if (this.#connection.readOnly || Date.now() < this.#registerAfter) return null;
      if (this.#vectorCount(partition) < this.#minVectors) return null;
      const usearch = await loadUsearch();
      if (!usearch) return null;
      try {
        state = this.#build(usearch, partition, query.length);
      } catch (error) {
        if (!(error instanceof MemoryError)) throw error;
        this.#registerAfter = Date.now() + Math.max(this.#recountMs, 1000);
        return null;
      }
      this.#partitions.set(partition, state);
    }
    if (state.dimensions !== query.length || !this.#catchUp(partition, state)) {
      this.#partitions.delete(partition);
      return this.knn(partition, query, k);
    }
    const size = state.index.size();
    if (size === 0) return [];
    const found = state.index.search(query, Math.min(k, size), 0);
    const hits: { seq: number; distance: number }[] = [];
    for (let i = 0; i < found.keys.length; i++) {
      hits.push({ seq: Number(found.keys[i]), distance: found.distances[i] ?? 1 });
    }
    return hits;
  }

  #vectorCount(partition: string): number {
    const cached = this.#counted.get(partition);
    if (cached && Date.now() - cached.at < this.#recountMs) return cached.n;
    const n = (
      this.#db
        .prepare(
          `SELECT count(*) AS n FROM memory_versions WHERE partition_key = ? AND embedding_model IS NOT NULL`,
        )
        .get(partition) as { n: number }
    ).n;
    this.#counted.set(partition, { n, at: Date.now() });
    return n;
  }

  /** Registers the partition for logging, then reads every vector and the log head in one snapshot. */
  #build(usearch: UsearchModule, partition: string, dimensions: number): Partition {
    this.#connection.write(() => {
      this.#db.exec(ANN_LOG_SCHEMA);
      this.#db.prepare('INSERT OR IGNORE INTO ann_partitions(partition_key) VALUES (?)').run(partition);
      pruneAnnLog(this.#db);
    });
    const index = new usearch.Index({
      metric: usearch.MetricKind.Cos,
      quantization: usearch.ScalarKind.F32,
      dimensions,
      connectivity: 16,
      expansion_add: 128,
      expansion_search: 128,
      multi: false,
    });
    const position = this.#db.transaction(() => {
      const head = (
        this.#db.prepare('SELECT coalesce(max(id), 0) AS head FROM ann_log').get() as { head: number }
      ).head;
      const rows = this.#db
        .prepare(
          `SELECT v.seq AS seq, e.embedding AS embedding FROM memory_versions v JOIN memory_embeddings e ON e.seq = v.seq
           WHERE v.partition_key = ?`,
        )
        .all(partition) as { seq: number; embedding: Buffer }[];
      const usable = rows.filter((r) => r.embedding.byteLength === dimensions * 4);
      if (usable.length > 0) {
        index.add(
          BigUint64Array.from(usable, (r) => BigInt(r.seq)),
          usable.map((r) => toVector(r.embedding)),
          0,
        );
      }
      return head;
    })();
    return { index, dimensions, position };
  }

  /** Applies log entries newer than the partition's position; false when the log was pruned past it. */
  #catchUp(partition: string, state: Partition): boolean {
    return this.#db.transaction(() => {
      if (state.position < annLogFloor(this.#db)) return false;
      const changes = this.#db
        .prepare('SELECT id, memory_seq AS seq FROM ann_log WHERE partition_key = ? AND id > ? ORDER BY id')
        .all(partition, state.position) as { id: number; seq: number }[];
      if (changes.length === 0) return true;
      const vector = this.#db.prepare('SELECT embedding FROM memory_embeddings WHERE seq = ?');
      for (const seq of new Set(changes.map((c) => c.seq))) {
        const key = BigInt(seq);
        if (state.index.contains(key)) state.index.remove(key);
        const row = vector.get(key) as { embedding: Buffer } | undefined;
        if (row && row.embedding.byteLength === state.dimensions * 4)
          state.index.add(key, toVector(row.embedding));
      }
      state.position = changes[changes.length - 1]!.id;
      return true;
    })();
  }
}

function toVector(blob: Buffer): Float32Array {
  // Copy: the blob's buffer may be shared and unaligned.
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

const indexes = new WeakMap<SqliteConnection, AnnIndex>();

/** The ANN index of one connection (one per SqliteStore), created on first use. */
export function annIndexFor(connection: SqliteConnection, options: AnnOptions = {}): AnnIndex {
  let index = indexes.get(connection);
  if (!index) {
    index = new AnnIndex(connection, options);
    indexes.set(connection, index);
  }
  return index;
}
