import type { CandidateQuery, ScoredHit, TimeWindow } from '../../spec/store.js';
import { pinnedScope } from '../../util/filter-tree.js';
import { ftsMatchExpression } from '../shared/fts-query.js';
import { queryPartition } from '../shared/partition-key.js';
import { resolveWindow } from '../shared/time-window.js';
import { type AnnOptions, annIndexFor } from './ann-index.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { type SqliteVectors, toBuffer } from './sqlite-vectors.js';
import { memoryWhere, versionJoin } from './sqlite-window.js';

const ANN_MAX_K = 2048;

/** A query word found in more than this share of all memories (and more than the minimum) is skipped. */
const COMMON_TERM_SHARE = 0.05;
const COMMON_TERM_MIN_DOCS = 2000;

/**
 * Candidate retrieval over versions (vectors and full-text are keyed by version seq), filtered
 * by tenant, window and filter in SQL. Scores follow the contract: higher is better.
 */
export class SqliteSearch {
  readonly #connection: SqliteConnection;
  readonly #db: SqliteConnection['db'];
  readonly #vectors: () => SqliteVectors;
  readonly #ann: AnnOptions | false;
  #documents: { n: number; at: number } | undefined;

  constructor(connection: SqliteConnection, vectors: () => SqliteVectors, ann: AnnOptions | false) {
    this.#connection = connection;
    this.#db = connection.db;
    this.#vectors = vectors;
    this.#ann = ann;
  }

  async vectorSearch(tenant: string, query: Float32Array, options: CandidateQuery): Promise<ScoredHit[]> {
    const vectors = this.#vectors();
    if (!vectors.checkQuery(query)) return [];
    const window = resolveWindow(options, new Date().toISOString());
    const where = memoryWhere(tenant, options.filter, window);
    const partition = queryPartition(tenant, pinnedScope(options.filter));
    if (partition === null) {
      // Current view: memories alone (version_seq keys the vector); a window goes through versions.
      const from =
        window === null
          ? 'memories m JOIN memory_embeddings e ON e.seq = m.version_seq'
          : `${versionJoin(window)} JOIN memory_embeddings e ON e.seq = v.seq`;
      const rows = this.#db
        .prepare(
          `SELECT m.id, ${window === null ? 'm' : 'v'}.version AS version, vec_distance_cosine(e.embedding, ?) AS distance
           FROM ${from} WHERE ${where.sql} ORDER BY distance LIMIT ?`,
        )
        .all(toBuffer(query), ...where.params, options.limit) as {
        id: string;
        version: number;
        distance: number;
      }[];
      return rows.map((r) => ({ id: r.id, version: r.version, score: 1 - r.distance }));
    }
    // KNN inside the owner's partition, then the exact filter; widen k until enough survive
    // or the partition is exhausted, so filtering never silently loses a nearer match.
    const keep = this.#db.prepare(
      window === null
        ? // A hit is current when a memory points at it (index memories_version_seq): one probe.
          `SELECT m.version_seq AS seq, m.id, m.version FROM json_each(?) AS j
           CROSS JOIN memories m ON m.version_seq = j.value WHERE ${where.sql}`
        : `SELECT v.seq, m.id, v.version FROM json_each(?) AS j CROSS JOIN memory_versions v ON v.seq = j.value
           JOIN memories m ON m.id = v.memory_id WHERE ${where.sql}`,
    );
    // Large partitions go through the ANN index (ann-index.ts) while k is small; a filter that keeps
    // too few of its hits widens k past ANN_MAX_K and the exact scan takes over.
    const ann = this.#ann === false ? null : annIndexFor(this.#connection, this.#ann);
    let k = Math.max(options.limit * 2, 20);
    for (;;) {
      const approx = ann && k <= ANN_MAX_K ? await ann.knn(partition, query, k) : null;
      const hits = approx ?? vectors.knn(query, partition, k);
      const allowed = new Map(
        (
          keep.all(JSON.stringify(hits.map((h) => h.seq)), ...where.params) as {
            seq: number;
            id: string;
            version: number;
          }[]
        ).map((r) => [r.seq, r]),
      );
      const results: ScoredHit[] = [];
      for (const hit of hits) {
        const row = allowed.get(hit.seq);
        if (row !== undefined) results.push({ id: row.id, version: row.version, score: 1 - hit.distance });
      }
      if (results.length >= options.limit || hits.length < k) return results.slice(0, options.limit);
      k *= 4;
    }
  }

  textSearch(tenant: string, query: string, options: CandidateQuery): ScoredHit[] {
    const documents = this.#documentCount();
    const tooCommon = Math.max(COMMON_TERM_MIN_DOCS, documents * COMMON_TERM_SHARE);
    const frequency = this.#db.prepare('SELECT doc FROM memories_fts_vocab WHERE term = ?');
    // Words in a large share of all memories are dropped when rarer ones remain (see migration 6).
    const match = ftsMatchExpression(query, (term) => {
      const row = frequency.get(term) as { doc: number } | undefined;
      return (row?.doc ?? 0) <= tooCommon;
    });
    if (match === null) return [];
    const window = resolveWindow(options, new Date().toISOString());
    const where = memoryWhere(tenant, options.filter, window);
    // Current view: a full-text row is current when a memory points at it (one index probe per
    // match, as cheap as before versions existed); a window goes through the version rows.
    const from =
      window === null
        ? 'memories_fts JOIN memories m ON m.version_seq = memories_fts.rowid'
        : 'memories_fts JOIN memory_versions v ON v.seq = memories_fts.rowid JOIN memories m ON m.id = v.memory_id';
    const rows = this.#db
      .prepare(
        `SELECT m.id, ${window === null ? 'm' : 'v'}.version AS version, bm25(memories_fts) AS rank FROM ${from}
         WHERE memories_fts MATCH ? AND ${where.sql} ORDER BY rank LIMIT ?`,
      )
      .all(match, ...where.params, options.limit) as { id: string; version: number; rank: number }[];
    // bm25() is negative, more negative is better: s = −bm25 ≥ 0, reported as s / (1 + s).
    return rows.map((r) => {
      const s = Math.max(0, -r.rank);
      return { id: r.id, version: r.version, score: s / (1 + s) };
    });
  }

  /** Indexed versions in the file, recounted at most every few seconds (it only sets a threshold). */
  #documentCount(): number {
    const now = Date.now();
    if (!this.#documents || now - this.#documents.at > 5000) {
      const n =
        // Every version row, deleted ones included: a threshold needs no precision, and a bare
        // count(*) reads the smallest index instead of every row.
        (this.#db.prepare('SELECT count(*) AS n FROM memory_versions').get() as { n: number }).n;
      this.#documents = { n, at: now };
    }
    return this.#documents.n;
  }

  /** Contract: SearchStore.vectorSearchAmong (one query over the listed ids). */
  vectorSearchAmong(
    tenant: string,
    ids: string[],
    query: Float32Array | null,
    options: CandidateQuery,
  ): ScoredHit[] {
    if (ids.length === 0) return [];
    const window = resolveWindow(options, new Date().toISOString());
    const where = memoryWhere(tenant, options.filter, window);
    if (query === null) {
      const rows = this.#db
        .prepare(
          `SELECT m.id, ${window === null ? 'm' : 'v'}.version AS version FROM json_each(?) AS j
           CROSS JOIN memories m ON m.id = j.value
           ${window === null ? '' : 'JOIN memory_versions v ON v.memory_id = m.id'}
           WHERE ${where.sql} ORDER BY j.key LIMIT ?`,
        )
        .all(JSON.stringify(ids), ...where.params, options.limit) as { id: string; version: number }[];
      return rows.map((r) => ({ id: r.id, version: r.version, score: 0 }));
    }
    if (!this.#vectors().checkQuery(query)) return [];
    const from =
      window === null
        ? 'json_each(?) AS j CROSS JOIN memories m ON m.id = j.value JOIN memory_embeddings e ON e.seq = m.version_seq'
        : 'json_each(?) AS j CROSS JOIN memories m ON m.id = j.value JOIN memory_versions v ON v.memory_id = m.id JOIN memory_embeddings e ON e.seq = v.seq';
    const rows = this.#db
      .prepare(
        `SELECT m.id, ${window === null ? 'm' : 'v'}.version AS version, vec_distance_cosine(e.embedding, ?) AS distance
         FROM ${from} WHERE ${where.sql} ORDER BY distance LIMIT ?`,
      )
      .all(toBuffer(query), JSON.stringify(ids), ...where.params, options.limit) as {
      id: string;
      version: number;
      distance: number;
    }[];
    return rows.map((r) => ({ id: r.id, version: r.version, score: 1 - r.distance }));
  }

  vectorSimilarities(
    tenant: string,
    ids: string[],
    query: Float32Array,
    window?: TimeWindow,
  ): Map<string, number> {
    if (ids.length === 0 || !this.#vectors().checkQuery(query)) return new Map();
    const resolved = resolveWindow(window, new Date().toISOString());
    const where = memoryWhere(tenant, null, resolved, ['active', 'superseded']);
    const rows = this.#db
      .prepare(
        `SELECT m.id, vec_distance_cosine(e.embedding, ?) AS distance
         FROM json_each(?) AS j CROSS JOIN memories m ON m.id = j.value
         ${resolved === null ? 'JOIN memory_embeddings e ON e.seq = m.version_seq' : 'JOIN memory_versions v ON v.memory_id = m.id JOIN memory_embeddings e ON e.seq = v.seq'}
         WHERE ${where.sql}`,
      )
      .all(toBuffer(query), JSON.stringify(ids), ...where.params) as { id: string; distance: number }[];
    return new Map(rows.map((r) => [r.id, 1 - r.distance]));
  }
}
