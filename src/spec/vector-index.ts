/**
 * A derived vector index: an external engine (Qdrant, Chroma) that holds a copy of the current
 * vector of every active memory and answers the vector leg of search. It is never a source of
 * truth — the store is. The index is fed from the store's outbox (spec/index-outbox.ts), can be
 * dropped and rebuilt at any time (`engram reindex --index <name>`), and whatever it returns is
 * re-read and re-scored by the store, so a lagging index can miss a memory but never resurrect
 * a deleted one or show one to another tenant or scope.
 */

/** One memory's current version, as a derived index holds it. */
export interface IndexPoint {
  tenant: string;
  memoryId: string;
  version: number;
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  vector: Float32Array;
}

/** Scope ids the query pins: the index returns only points whose ids equal every one given. */
export interface IndexScope {
  userId?: string | undefined;
  agentId?: string | undefined;
  runId?: string | undefined;
}

export interface IndexQuery {
  /** Always applied inside the index, as a filter on the points' payload. */
  tenant: string;
  scope: IndexScope;
  vector: Float32Array;
  limit: number;
}

/** A point the index found: cosine similarity in [-1, 1], nearest first. */
export interface IndexHit {
  memoryId: string;
  version: number;
  score: number;
}

export interface VectorIndex {
  /** The provider: 'qdrant' or 'chroma' (also the index's name in the outbox bookkeeping). */
  readonly name: string;
  /** Where it lives, for `engram index status` ("qdrant http://localhost:6333 collection engram"). */
  readonly location: string;
  /**
   * Makes sure the collection exists for vectors of this width (creating it when missing). A
   * collection of another width is a `dimension_mismatch` that says to run `engram reindex --index`.
   */
  prepare(dimensions: number): Promise<void>;
  /** Drops the collection and creates it empty for this width (a rebuild starts here). */
  reset(dimensions: number): Promise<void>;
  /** Writes these points, replacing any point of the same memory (idempotent). */
  upsert(points: IndexPoint[]): Promise<void>;
  /** Removes every point of these memories; ids the index does not hold are not an error. */
  remove(memoryIds: string[]): Promise<void>;
  /** Nearest points within the tenant and scope. */
  query(query: IndexQuery): Promise<IndexHit[]>;
  /** Points held (for status and tests). */
  count(): Promise<number>;
  /** Releases connections this index opened; idempotent. */
  close(): Promise<void>;
}
