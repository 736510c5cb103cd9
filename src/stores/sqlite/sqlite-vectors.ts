import type Database from 'better-sqlite3';
import { MemoryError } from '../../spec/memory-error.js';

/**
 * The sqlite-vec `vec0` table that holds one vector per memory (rowid = memories.seq),
 * partitioned by owner. Its width is fixed when it is created, so it is created on the first
 * vector and recreated by reindex when the embedding model changes.
 */
export class SqliteVectors {
  readonly #db: Database.Database;
  #dimensions: number | null;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#dimensions = this.#recorded();
  }

  #recorded(): number | null {
    const row = this.#db.prepare(`SELECT value FROM meta WHERE key = 'vector_dimensions'`).get() as
      | { value: string }
      | undefined;
    return row ? Number(row.value) : null;
  }

  /** Another process may have created (or recreated) the table since we looked: ask the file. */
  #refresh(): void {
    const recorded = this.#recorded();
    if (recorded !== this.#dimensions) this.#dimensions = recorded;
  }

  /** After a rolled-back write: the table this object created (or dropped) may not exist. */
  forget(): void {
    this.#dimensions = null;
  }

  get dimensions(): number | null {
    if (this.#dimensions === null) this.#refresh();
    return this.#dimensions;
  }

  /** Creates the table on first use; a different width is an error that points to reindex. */
  ensure(dimensions: number): void {
    if (this.#dimensions === dimensions) return;
    this.#refresh();
    if (this.#dimensions === dimensions) return;
    if (this.#dimensions !== null) {
      throw new MemoryError(
        'dimension_mismatch',
        `The embedder returns ${dimensions}-dimensional vectors but this database holds ${this.#dimensions}-dimensional ones. Run \`engram reindex\` to re-embed every memory with the configured model, or configure the embedder that wrote them.`,
        { details: { expected: this.#dimensions, actual: dimensions } },
      );
    }
    this.#create(dimensions);
  }

  #create(dimensions: number): void {
    if (!Number.isInteger(dimensions) || dimensions <= 0 || dimensions > 8192) {
      throw new MemoryError(
        'embedder_error',
        `The embedder returned vectors of an unusable size (${dimensions}).`,
      );
    }
    this.#db.exec(
      `CREATE VIRTUAL TABLE memory_vectors USING vec0(partition_key TEXT PARTITION KEY, embedding float[${dimensions}] distance_metric=cosine)`,
    );
    this.#db
      .prepare(
        `INSERT INTO meta(key, value) VALUES ('vector_dimensions', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      )
      .run(String(dimensions));
    this.#dimensions = dimensions;
  }

  /** Drops every vector and recreates the table at a new width (reindex). */
  recreate(dimensions: number): void {
    this.#db.exec('DROP TABLE IF EXISTS memory_vectors; DELETE FROM memory_embeddings;');
    this.#db.prepare(`DELETE FROM meta WHERE key = 'vector_dimensions'`).run();
    this.#dimensions = null;
    this.#create(dimensions);
  }

  put(seq: number, partition: string, embedding: Float32Array): void {
    this.ensure(embedding.length);
    const buffer = Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
    this.#db.prepare('DELETE FROM memory_vectors WHERE rowid = ?').run(BigInt(seq));
    this.#db
      .prepare('INSERT INTO memory_vectors(rowid, partition_key, embedding) VALUES (?, ?, ?)')
      .run(BigInt(seq), partition, buffer);
    this.#db
      .prepare('INSERT OR REPLACE INTO memory_embeddings(seq, embedding) VALUES (?, ?)')
      .run(seq, buffer);
  }

  remove(seqs: number[]): void {
    if (this.dimensions === null) return;
    const del = this.#db.prepare('DELETE FROM memory_vectors WHERE rowid = ?');
    const delCopy = this.#db.prepare('DELETE FROM memory_embeddings WHERE seq = ?');
    for (const seq of seqs) {
      del.run(BigInt(seq));
      delCopy.run(seq);
    }
  }

  count(): number {
    if (this.dimensions === null) return 0;
    return (this.#db.prepare('SELECT count(*) AS n FROM memory_vectors').get() as { n: number }).n;
  }

  /** Exact KNN inside one partition. */
  knn(query: Float32Array, partition: string, k: number): { seq: number; distance: number }[] {
    if (this.dimensions === null) return [];
    this.#checkQuery(query);
    return (
      this.#db
        .prepare(
          'SELECT rowid AS seq, distance FROM memory_vectors WHERE embedding MATCH ? AND k = ? AND partition_key = ?',
        )
        .all(toBuffer(query), k, partition) as { seq: number | bigint; distance: number }[]
    ).map((r) => ({ seq: Number(r.seq), distance: r.distance }));
  }

  #checkQuery(query: Float32Array): void {
    if (query.length !== this.#dimensions) {
      throw new MemoryError(
        'dimension_mismatch',
        `The query vector has ${query.length} dimensions but stored vectors have ${this.#dimensions}. Run \`engram reindex\` after changing the embedding model.`,
        { details: { expected: this.#dimensions, actual: query.length } },
      );
    }
  }

  checkQuery(query: Float32Array): boolean {
    if (this.#dimensions === null || this.#dimensions !== query.length) this.#refresh();
    if (this.#dimensions === null) return false;
    this.#checkQuery(query);
    return true;
  }
}

export function toBuffer(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
