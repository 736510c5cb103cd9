import type { CandidateQuery, ScoredHit, TimeWindow } from '../../spec/store.js';
import { pinnedScope } from '../../util/filter-tree.js';
import { ftsTerms } from '../shared/fts-query.js';
import { queryPartition } from '../shared/partition-key.js';
import { resolveWindow } from '../shared/time-window.js';
import { CommonTerms } from './pg-common-terms.js';
import type { PgConnection, PgQuery } from './pg-connection.js';
import { numbered, vectorLiteral } from './pg-sql.js';
import type { PgVectors } from './pg-vectors.js';
import { memoryWhere, versionJoin } from './pg-window.js';

/** The HNSW candidate list: at least pgvector's default, and a few times the hits asked for. */
const MIN_EF_SEARCH = 40;
const MAX_EF_SEARCH = 1000;

/**
 * Candidate retrieval over versions, filtered by tenant, window and filter in SQL; scores follow
 * the contract (higher is better).
 *
 * Vectors: the HNSW index answers with pgvector's iterative scan in strict order, so a filter
 * that rejects the nearest rows makes the index go on walking instead of returning short. When
 * the walk still returns fewer hits than asked (a very selective filter: the scan stops at
 * hnsw.max_scan_tuples), the same query runs again as an exact scan of the rows the filter keeps
 * (ordered by an expression the index cannot serve), so filtering never loses a nearer match
 * that exists — the guarantee the SQLite store gives.
 */
export class PgSearch {
  readonly #connection: PgConnection;
  readonly #vectors: PgVectors;
  readonly #common: CommonTerms;

  constructor(connection: PgConnection, vectors: PgVectors) {
    this.#connection = connection;
    this.#vectors = vectors;
    this.#common = new CommonTerms(connection.schema);
  }

  async vectorSearch(tenant: string, query: Float32Array, options: CandidateQuery): Promise<ScoredHit[]> {
    const ef = Math.min(MAX_EF_SEARCH, Math.max(MIN_EF_SEARCH, options.limit * 4));
    const settings = `SET LOCAL hnsw.ef_search = ${ef}; SET LOCAL hnsw.iterative_scan = strict_order;`;
    return this.#connection.read(async (q) => {
      if (!(await this.#vectors.checkQuery(q, query))) return [];
      const window = resolveWindow(options, new Date().toISOString());
      const where = memoryWhere(tenant, options.filter, window);
      const partition = queryPartition(tenant, pinnedScope(options.filter));
      const from =
        window === null
          ? 'memory_vectors e JOIN memories m ON m.version_seq = e.version_seq'
          : `memory_vectors e JOIN memory_versions v ON v.seq = e.version_seq JOIN memories m ON m.id = v.memory_id`;
      const version = window === null ? 'm.version' : 'v.version';
      const scoped = partition === null ? '' : 'AND e.partition_key = ?';
      const params = [vectorLiteral(query), ...(partition === null ? [] : [partition]), ...where.params];
      const run = (order: string) =>
        q.rows<{ id: string; version: number; distance: number }>(
          numbered(
            `SELECT m.id, ${version} AS version, (e.embedding <=> $1::vector) AS distance FROM ${from}
             WHERE TRUE ${scoped} AND ${where.sql} ORDER BY ${order} LIMIT ?`,
            1,
          ),
          [...params, options.limit],
        );
      let rows = await run('e.embedding <=> $1::vector');
      if (rows.length < options.limit) {
        // Exact: `+ 0` hides the distance from the index, so PostgreSQL scans the kept rows.
        rows = await run('(e.embedding <=> $1::vector) + 0');
      }
      return rows.map((r) => ({ id: r.id, version: r.version, score: 1 - r.distance }));
    }, settings);
  }

  async textSearch(tenant: string, query: string, options: CandidateQuery): Promise<ScoredHit[]> {
    const all = ftsTerms(query);
    if (all.length === 0) return [];
    const window = resolveWindow(options, new Date().toISOString());
    const where = memoryWhere(tenant, options.filter, window);
    const version = window === null ? 'm.version' : 'v.version';
    return this.#connection.withClient(async (q) => {
      const terms = await this.#common.keep(q, all);
      // Each word quoted as a tsquery lexeme and OR-ed; the configuration stems them and drops stop words.
      const tsquery = terms.map((t) => `'${t.replaceAll("'", "''").replaceAll('\\', '\\\\')}'`).join(' | ');
      const rows = await q.rows<{ id: string; version: number; rank: number }>(
        numbered(
          `SELECT m.id, ${version} AS version, ts_rank_cd(v.tsv, query, 32) AS rank
           FROM to_tsquery(engram_text_config(), ?) AS query, ${versionJoin(window)}
           WHERE v.tsv @@ query AND ${where.sql} ORDER BY rank DESC, m.seq DESC LIMIT ?`,
        ),
        [tsquery, ...where.params, options.limit],
      );
      // ts_rank_cd with normalisation 32 is already s / (1 + s).
      return rows.map((r) => ({ id: r.id, version: r.version, score: r.rank }));
    });
  }

  /** Contract: SearchStore.vectorSearchAmong (an exact scan of the listed ids only). */
  async vectorSearchAmong(
    tenant: string,
    ids: string[],
    query: Float32Array | null,
    options: CandidateQuery,
  ): Promise<ScoredHit[]> {
    if (ids.length === 0) return [];
    return this.#connection.withClient(async (q: PgQuery) => {
      const window = resolveWindow(options, new Date().toISOString());
      const where = memoryWhere(tenant, options.filter, window);
      if (query === null) {
        const rows = await q.rows<{ id: string; version: number }>(
          numbered(
            `SELECT m.id, v.version FROM unnest(?::text[]) WITH ORDINALITY AS j(id, n)
             JOIN ${versionJoin(window)} ON m.id = j.id WHERE ${where.sql} ORDER BY j.n LIMIT ?`,
          ),
          [ids, ...where.params, options.limit],
        );
        return rows.map((r) => ({ id: r.id, version: r.version, score: 0 }));
      }
      if (!(await this.#vectors.checkQuery(q, query))) return [];
      const rows = await q.rows<{ id: string; version: number; distance: number }>(
        numbered(
          `SELECT m.id, v.version, (e.embedding <=> ?::vector) AS distance
           FROM ${versionJoin(window)} JOIN memory_vectors e ON e.version_seq = v.seq
           WHERE m.id = ANY(?::text[]) AND ${where.sql} ORDER BY distance LIMIT ?`,
        ),
        [vectorLiteral(query), ids, ...where.params, options.limit],
      );
      return rows.map((r) => ({ id: r.id, version: r.version, score: 1 - r.distance }));
    });
  }

  async vectorSimilarities(
    tenant: string,
    ids: string[],
    query: Float32Array,
    window?: TimeWindow,
  ): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    return this.#connection.withClient(async (q: PgQuery) => {
      if (!(await this.#vectors.checkQuery(q, query))) return new Map();
      const resolved = resolveWindow(window, new Date().toISOString());
      const where = memoryWhere(tenant, null, resolved, ['active', 'superseded']);
      const rows = await q.rows<{ id: string; distance: number }>(
        numbered(
          `SELECT m.id, (e.embedding <=> ?::vector) AS distance
           FROM ${versionJoin(resolved)} JOIN memory_vectors e ON e.version_seq = v.seq
           WHERE m.id = ANY(?::text[]) AND ${where.sql}`,
        ),
        [vectorLiteral(query), ids, ...where.params],
      );
      return new Map(rows.map((r) => [r.id, 1 - r.distance]));
    });
  }
}
