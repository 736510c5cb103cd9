import { MemoryError } from '../../spec/memory-error.js';
import type { PgConnection, PgQuery } from './pg-connection.js';
import { vectorLiteral } from './pg-sql.js';

/**
 * The `memory_vectors` table: one pgvector per version, keyed by the version's seq. Its column
 * gets a width — `vector(n)` — and an HNSW cosine index when the first vector arrives (the width
 * depends on the embedder), under an advisory lock so two processes agree on it; reindex to
 * another model empties it and fixes a new width. The width is cached per process and re-read
 * whenever a vector or a query disagrees with it (another process may have reindexed).
 */
const HNSW_INDEX =
  'CREATE INDEX IF NOT EXISTS memory_vectors_hnsw ON memory_vectors USING hnsw (embedding vector_cosine_ops)';

/**
 * Inside the migration transaction: a schema whose vector width is fixed but whose HNSW index is
 * missing (a bulk load stopped between dropping and rebuilding it) gets it back. Searches stay
 * correct without it — exact scans — only slower.
 */
export async function ensureVectorIndex(q: PgQuery): Promise<void> {
  const width = await q.one<{ value: string }>(`SELECT value FROM meta WHERE key = 'vector_dimensions'`);
  const index = await q.one<{ name: string | null }>(
    `SELECT to_regclass('memory_vectors_hnsw')::text AS name`,
  );
  if (width && !index?.name) await q.run(HNSW_INDEX);
}

/**
 * Bulk loads: inserting into an HNSW index row by row costs far more than building it once over
 * the loaded rows (in parallel, with maintenance_work_mem). `drop` before a large load, `build`
 * after; `ensureVectorIndex` at the next start repairs a load that stopped in between.
 */
export async function dropVectorIndex(q: PgQuery): Promise<void> {
  await q.run('DROP INDEX IF EXISTS memory_vectors_hnsw');
}

export async function buildVectorIndex(q: PgQuery): Promise<void> {
  const width = await q.one<{ value: string }>(`SELECT value FROM meta WHERE key = 'vector_dimensions'`);
  if (width) await q.run(HNSW_INDEX);
  // Fresh statistics for the planner and for dropping common query words (pg-common-terms.ts).
  await q.run('ANALYZE memories, memory_versions, memory_vectors');
}

export class PgVectors {
  readonly #connection: PgConnection;
  #dimensions: number | null | undefined;
  /** During a bulk load: fixing the width does not create the HNSW index (it is built once after). */
  deferIndex = false;

  constructor(connection: PgConnection) {
    this.#connection = connection;
  }

  async #recorded(q: PgQuery): Promise<number | null> {
    const row = await q.one<{ value: string }>(`SELECT value FROM meta WHERE key = 'vector_dimensions'`);
    this.#dimensions = row ? Number(row.value) : null;
    return this.#dimensions;
  }

  /** After a rolled-back write: the width this process fixed may not exist. */
  forget(): void {
    this.#dimensions = undefined;
  }

  async dimensions(q: PgQuery): Promise<number | null> {
    if (this.#dimensions === undefined) return this.#recorded(q);
    return this.#dimensions;
  }

  /** Inside a write: fixes the width on first use; a different width points to reindex. */
  async ensure(q: PgQuery, dimensions: number): Promise<void> {
    if (this.#dimensions === dimensions) return;
    if ((await this.#recorded(q)) === dimensions) return;
    await q.run('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
      'engram:vectors',
      this.#connection.schema,
    ]);
    const recorded = await this.#recorded(q);
    if (recorded === dimensions) return;
    if (recorded !== null) throw mismatch(recorded, dimensions);
    await this.#create(q, dimensions);
  }

  async #create(q: PgQuery, dimensions: number): Promise<void> {
    if (!Number.isInteger(dimensions) || dimensions <= 0 || dimensions > 2000) {
      throw new MemoryError(
        'embedder_error',
        `The embedder returned vectors of a size pgvector cannot index (${dimensions}; HNSW takes 1 to 2000 dimensions).`,
        { details: { dimensions } },
      );
    }
    await q.run('DROP INDEX IF EXISTS memory_vectors_hnsw');
    await q.run(`ALTER TABLE memory_vectors ALTER COLUMN embedding TYPE vector(${dimensions})`);
    if (!this.deferIndex) await q.run(HNSW_INDEX);
    await q.run(
      `INSERT INTO meta(key, value) VALUES ('vector_dimensions', $1)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [String(dimensions)],
    );
    this.#dimensions = dimensions;
  }

  /** Inside a write: drops every vector and fixes a new width (reindex). */
  async recreate(q: PgQuery, dimensions: number): Promise<void> {
    await q.run('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
      'engram:vectors',
      this.#connection.schema,
    ]);
    await q.run('DELETE FROM memory_vectors');
    await q.run(`DELETE FROM meta WHERE key = 'vector_dimensions'`);
    await this.#create(q, dimensions);
  }

  async put(q: PgQuery, seq: number, partition: string, embedding: Float32Array): Promise<void> {
    await this.ensure(q, embedding.length);
    await q.run(
      `INSERT INTO memory_vectors(version_seq, partition_key, embedding) VALUES ($1, $2, $3)
       ON CONFLICT (version_seq) DO UPDATE SET embedding = excluded.embedding`,
      [seq, partition, vectorLiteral(embedding)],
    );
  }

  async remove(q: PgQuery, seqs: number[]): Promise<void> {
    if (seqs.length === 0) return;
    await q.run('DELETE FROM memory_vectors WHERE version_seq = ANY($1::bigint[])', [seqs]);
  }

  /**
   * Whether a query can be answered: false before the first vector; a query of another width is
   * `dimension_mismatch` (after re-reading the width, which another process may have changed).
   */
  async checkQuery(q: PgQuery, query: Float32Array): Promise<boolean> {
    let dimensions = await this.dimensions(q);
    if (dimensions === null || dimensions !== query.length) dimensions = await this.#recorded(q);
    if (dimensions === null) return false;
    if (dimensions !== query.length) {
      throw new MemoryError(
        'dimension_mismatch',
        `The query vector has ${query.length} dimensions but stored vectors have ${dimensions}. Run \`engram reindex\` after changing the embedding model.`,
        { details: { expected: dimensions, actual: query.length } },
      );
    }
    return true;
  }
}

function mismatch(expected: number, actual: number): MemoryError {
  return new MemoryError(
    'dimension_mismatch',
    `The embedder returns ${actual}-dimensional vectors but this database holds ${expected}-dimensional ones. Run \`engram reindex\` to re-embed every memory with the configured model, or configure the embedder that wrote them.`,
    { details: { expected, actual } },
  );
}
