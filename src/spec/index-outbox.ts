import type { IndexPoint } from './vector-index.js';

/**
 * The outbox that feeds derived indexes. Inside the transaction that changes an indexed vector —
 * insert, new version, invalidation, delete, erase, a vector set by reindex — the store adds one
 * row per registered index naming the memory (database triggers, so no write path can forget
 * it). With no index registered no row is written: a store without derived indexes pays nothing.
 *
 * A row says only "look at this memory again": the feeder reads the memory's current point (or
 * its absence) and upserts or removes it, then deletes the row. Applying rows is therefore
 * idempotent and order-free — a row applied late or twice converges on the store's state — and
 * no position has to be tracked across concurrent writers: a row from a transaction that commits
 * late is simply seen late. Rows survive a crash and are applied by the next feeder.
 */
export interface OutboxRow {
  /** Increasing within one index's rows (oldest first). */
  id: number;
  tenant: string;
  memoryId: string;
}

export interface IndexState {
  name: string;
  /** Outbox rows not yet applied (the lag). */
  pending: number;
  /** When the oldest pending row was written, or null. */
  oldestPendingAt: string | null;
  /** False until the first full build finished: until then search does not use the index. */
  built: boolean;
  /** The vector width the index was built for (null before the build). */
  dimensions: number | null;
  /** The last failure applying rows, until a later success clears it. */
  lastError: string | null;
  /** Consecutive failures. */
  failures: number;
  registeredAt: string;
  updatedAt: string;
}

export interface IndexProgress {
  built?: boolean;
  dimensions?: number | null;
  /** A failure to record (failures + 1), or null to clear the last one (failures = 0). */
  error?: string | null;
}

export interface IndexOutbox {
  /**
   * Registers the index if it is not (not built) and returns its state. From then on every
   * vector-changing write adds rows for it.
   */
  registerIndex(name: string, at: string): Promise<IndexState>;
  /** Forgets the index and its pending rows. */
  unregisterIndex(name: string): Promise<void>;
  indexStates(): Promise<IndexState[]>;
  /** The index's oldest pending rows (committed ones only). */
  outboxRows(name: string, limit: number): Promise<OutboxRow[]>;
  /** Deletes applied rows and records progress in the same transaction. */
  completeOutbox(name: string, ids: number[], progress: IndexProgress, at: string): Promise<void>;
  /** Records progress (a failure, the end of a build) without deleting rows. */
  recordIndexProgress(name: string, progress: IndexProgress, at: string): Promise<void>;
  /**
   * The current point of each listed memory of the tenant: its current version and vector when
   * the memory is active and that version has a vector; absent from the map otherwise (the index
   * must not hold it).
   */
  indexPoints(tenant: string, memoryIds: string[]): Promise<Map<string, IndexPoint>>;
  /** How many points a full build writes (active memories whose current version has a vector). */
  indexPointCount(): Promise<number>;
  /** Every point of the store (all tenants), in pages, for a full build; cursor null to start. */
  scanIndexPoints(
    cursor: string | null,
    limit: number,
  ): Promise<{ points: IndexPoint[]; next: string | null }>;
  /**
   * Takes (or renews) the right to feed the index until `now + ms`: one feeder per index across
   * every process sharing the store, so two feeders never race a stale point over a newer one.
   * False while another holder's lease is live.
   */
  leaseIndex(name: string, holder: string, ms: number, now: string): Promise<boolean>;
  /** Gives the lease up (on close), so another process can take over at once. */
  releaseIndex(name: string, holder: string): Promise<void>;
}
