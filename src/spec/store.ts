import type { KeyStore } from './api-key.js';
import type { AuditStore } from './audit-log.js';
import type { FilterNode } from './filter.js';
import type { GraphStore, GraphWrite } from './graph.js';
import type { IndexOutbox } from './index-outbox.js';
import type { JobStore, LeaseGuard } from './job.js';
import type {
  Change,
  ChangeOutcome,
  InsertOutcome,
  Invalidation,
  MemoryPatch,
  NewMemory,
} from './memory-change.js';
import type {
  HistoryEntry,
  HistoryEvent,
  MemoryRecord,
  MemoryState,
  MemoryVersion,
  StoredMessage,
} from './memory-record.js';
import type { Scope } from './scope.js';
import type { StoreTransfer } from './store-transfer.js';
import type { UsageStore } from './usage-store.js';

/*
 * The Store contract, split by capability. A backend composes the interfaces it implements into
 * one object and declares them in `capabilities`; the conformance suite runs the checks of each
 * declared capability and lists the ones a backend lacks. Every method takes the tenant and
 * applies it in the store itself, so no caller can read or change another tenant's rows — even
 * by id. Every write is one transaction.
 *
 * Time, precisely (docs/architecture.md, "Versions and the two time axes"):
 * - A memory has one or more versions. Version n is true in the world over
 *   [validFrom, validTo) (validTo null: still true) and was held by engram over
 *   [createdAt, expiredAt) on the system axis (expiredAt null: still held).
 * - A TimeWindow {asOf, knownAt} selects, per memory, the version that was true at `asOf`
 *   according to what engram knew at `knownAt`: a version recorded by then
 *   (createdAt <= knownAt) whose world interval contains asOf — where a closing recorded after
 *   knownAt (expiredAt > knownAt) is not yet known, so the version still counts as open.
 *   Deleted memories are never selected. Without a window, the current version of each active
 *   memory is used.
 */

/** Known backends. A third-party store registers under its own name (see stores/registry). */
export type StoreDialect = 'sqlite' | 'postgres' | (string & {});

/** What a backend can do; the conformance suite is organised by these names. */
export type StoreCapability =
  | 'memories'
  | 'versions'
  | 'vector-search'
  | 'text-search'
  | 'messages'
  | 'meta'
  | 'jobs'
  | 'keys'
  | 'usage'
  | 'graph'
  | 'outbox'
  | 'audit';

export const STORE_CAPABILITIES: readonly StoreCapability[] = [
  'memories',
  'versions',
  'vector-search',
  'text-search',
  'messages',
  'meta',
  'jobs',
  'keys',
  'usage',
  'graph',
  'outbox',
  'audit',
];

export interface TimeWindow {
  /** World time: the version true at this instant (ISO 8601). Default: now when knownAt is set. */
  asOf?: string | undefined;
  /** System time: judge by what engram had recorded at this instant (ISO 8601). Default: now. */
  knownAt?: string | undefined;
}

export interface NewMessage {
  role: string;
  name?: string | null;
  content: string;
  eventTime: string;
  /** Idempotency reference: a message with a ref already logged for the tenant is not logged again. */
  ref?: string | null;
}

export interface ListOptions {
  filter: FilterNode | null;
  states: MemoryState[];
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string | undefined;
  /**
   * Rows to skip (after the cursor, when both are given), for numbered pages: page n of size k is
   * `offset (n - 1) * k` in ONE query, not n - 1 cursor pages. Cost grows with the offset, never
   * past the number of matching rows.
   */
  offset?: number | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

export interface CandidateQuery extends TimeWindow {
  filter: FilterNode | null;
  limit: number;
}

/**
 * A search hit: the memory, the version that matched, and a relevance where higher is better.
 * - vector search: cosine similarity of the version's vector to the query, in [-1, 1].
 * - text search: the backend's text score s ≥ 0 mapped to s / (1 + s), in [0, 1); comparable
 *   only between hits of one query (SQLite: s = −bm25; PostgreSQL: ts_rank_cd).
 */
export interface ScoredHit {
  id: string;
  version: number;
  score: number;
}

/** Memories and their versions: identity, the current state, every text a memory has had. */
export interface MemoryStore {
  /**
   * Inserts in one transaction. A memory whose exact text (hash) is already active in the same
   * scope is not inserted: the existing record comes back with `inserted: false`.
   */
  insertMemories(tenant: string, memories: NewMemory[]): Promise<InsertOutcome[]>;
  /**
   * Applies every change or none (one transaction); a missing id fails the whole list. With a
   * guard (the changes are a job's effects), the same transaction first checks that every lease is
   * still held and extends it: a lost one is `lease_lost` and nothing is written. Needs `jobs`.
   * With `graph` (stores with the `graph` capability), the add's entities and relations are written
   * in the same transaction, after the changes (a relation may name a memory by `{change: n}`).
   */
  applyChanges(
    tenant: string,
    changes: Change[],
    guard?: LeaseGuard,
    graph?: GraphWrite,
  ): Promise<ChangeOutcome[]>;
  /** The current version, or the one the window selects; null when there is none. */
  getMemory(tenant: string, id: string, window?: TimeWindow): Promise<MemoryRecord | null>;
  getMemories(tenant: string, ids: string[], window?: TimeWindow): Promise<MemoryRecord[]>;
  /** An active memory matching the filter whose current text has this hash. */
  findByHash(tenant: string, filter: FilterNode, hash: string): Promise<MemoryRecord | null>;
  listMemories(tenant: string, options: ListOptions): Promise<Page<MemoryRecord>>;
  /** See MemoryPatch: a text change is a new version; metadata and importance change in place. */
  updateMemory(tenant: string, id: string, patch: MemoryPatch): Promise<MemoryRecord>;
  invalidateMemory(tenant: string, id: string, change: Invalidation): Promise<MemoryRecord>;
  /** Removes the memory from every index; history keeps a DELETE event. */
  deleteMemory(tenant: string, id: string, change: { at: string; actor?: string | null }): Promise<void>;
  /** Deletes every memory matching the (non-empty) scope filter; returns how many. */
  deleteMemories(
    tenant: string,
    filter: FilterNode,
    change: { at: string; actor?: string | null },
  ): Promise<number>;
  /** Events newest first, each with the interval of the version it concerns. */
  history(tenant: string, id: string): Promise<HistoryEntry[]>;
  /** Every version of a memory, newest first (empty when the memory is unknown or deleted). */
  versions(tenant: string, id: string): Promise<MemoryVersion[]>;
  /**
   * Counts accesses: each occurrence of an id in `ids` adds one to its access count (the engine
   * batches several searches into one call), and `at` becomes its last access.
   */
  recordAccess(tenant: string, ids: string[], at: string): Promise<void>;
}

/** Candidate retrieval. Hits are versions selected by the query's window (default: current). */
export interface SearchStore {
  vectorSearch(tenant: string, query: Float32Array, options: CandidateQuery): Promise<ScoredHit[]>;
  textSearch(tenant: string, query: string, options: CandidateQuery): Promise<ScoredHit[]>;
  /**
   * The store's own ranking of candidates another index proposed: of the listed memories, those
   * the filter and window select, scored by cosine similarity with the store's vectors, best
   * first, at most `limit`. A listed id the store does not select (deleted, another scope) is
   * dropped: this is what keeps a derived index from resurrecting or leaking a memory. With a
   * null query, the selected ids come back in the order given, score 0, vector or not (the graph's
   * candidates are checked this way).
   */
  vectorSearchAmong(
    tenant: string,
    ids: string[],
    query: Float32Array | null,
    options: CandidateQuery,
  ): Promise<ScoredHit[]>;
  /** Cosine similarity between the query and the selected version of each listed memory that has a vector. */
  vectorSimilarities(
    tenant: string,
    ids: string[],
    query: Float32Array,
    window?: TimeWindow,
  ): Promise<Map<string, number>>;
}

/** A version whose vector is missing or was made by another model (reindex works through these). */
export interface VersionToEmbed {
  tenant: string;
  id: string;
  version: number;
  text: string;
}

/** Vector width and re-embedding: what `engram reindex` needs from any backend. */
export interface VectorMaintenance {
  /** The width of stored vectors, or null before the first one. */
  vectorWidth(): Promise<number | null>;
  /** Drops every vector and fixes the width for the ones to come; memories and versions stay. */
  resetVectors(width: number): Promise<void>;
  /** Versions (of memories not deleted) whose vector is missing or made by another model. */
  versionsToEmbed(tenant: string | null, model: string, limit: number): Promise<VersionToEmbed[]>;
  setEmbeddings(
    rows: { tenant: string; id: string; version: number; embedding: Float32Array }[],
    model: string,
  ): Promise<void>;
}

export interface MessageStore {
  /**
   * Logs messages in order; returns those logged now (a known ref is skipped). `at` is when they
   * were logged (`createdAt`): the engine passes its clock; without it the store uses its own.
   */
  appendMessages(scope: Scope, messages: NewMessage[], at?: string): Promise<StoredMessage[]>;
  /** The scope's last `limit` messages, oldest first. */
  recentMessages(scope: Scope, limit: number, options?: RecentMessagesOptions): Promise<StoredMessage[]>;
  /**
   * The scope's messages logged after the one with id `afterId` (0: from the first), oldest first,
   * at most `limit` — a reader that keeps its place in the log (observation windows).
   */
  messagesAfter(scope: Scope, afterId: number, limit: number): Promise<StoredMessage[]>;
}

export interface RecentMessagesOptions {
  /**
   * Only messages logged before the earliest logged message carrying one of these refs (the
   * context of a job as it was when its messages were logged, however many came after). None
   * when no message of the tenant carries any of them.
   */
  beforeRefs?: readonly string[];
}

export interface MetaStore {
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
}

export interface StoreHealth {
  ok: boolean;
  /** What was checked and what was found, in words ("integrity check: ok"). */
  detail: string;
}

export interface StoreStats {
  memories: number;
  versions: number;
  vectors: number;
  messages: number;
  history: number;
  schemaVersion: number;
  dimensions: number | null;
  embeddingModel: string | null;
  health: StoreHealth;
}

export interface StoreLifecycle {
  readonly dialect: StoreDialect;
  readonly capabilities: ReadonlySet<StoreCapability>;
  /**
   * Opens, checks that the data is this backend's (a file of another application or a damaged
   * one is a `store_error` naming it) and migrates; idempotent.
   */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Counts and the full integrity check (may read the whole database: `engram doctor`). */
  stats(): Promise<StoreStats>;
  /**
   * A cheap check for readiness probes, made often: the store answers and still holds an engram
   * schema. It writes nothing (a read-only store is ready) and never throws.
   */
  health(): Promise<StoreHealth>;
  /** Removes everything of one tenant, or of all tenants when tenant is null. */
  reset(tenant: string | null): Promise<void>;
  /**
   * Right to be forgotten: removes every row of the scope (memories of every state with all
   * their versions, vectors, full-text rows and history; the scope's messages, queued jobs and
   * usage totals) in one transaction, then makes the freed bytes unrecoverable where the backend
   * can (SQLite: secure_delete, full-text merge, VACUUM, WAL truncated; PostgreSQL: VACUUM).
   * Every id given must match; at least one is required.
   */
  eraseScope(tenant: string, scope: ErasureScope): Promise<ErasureCounts>;
  /**
   * Erasure of given memories (the retention purge): each listed memory of the tenant, of any
   * state, with every version, vector, full-text row and history entry and the graph relations
   * drawn from it, in one transaction, then the freed bytes as eraseScope does. An id the tenant
   * does not hold (another tenant's, unknown, already erased) is skipped, so the counts say what
   * went. The derived-index outbox names each erased memory, so derived indexes drop it. Messages,
   * jobs, usage and entities belong to the scope, not to one memory: they stay.
   */
  eraseMemories(tenant: string, ids: string[]): Promise<MemoryErasureCounts>;
  /** The tenants holding at least one memory of any state, sorted (what a store-wide purge visits). */
  memoryTenants(): Promise<string[]>;
  /**
   * Runs `fn` holding an exclusive lock on `key` (a scope) that every process using this store
   * respects — PostgreSQL: an advisory lock — so two processes never reconcile one scope's facts
   * at once. Optional: without it the engine's in-process lock serialises a scope, and across
   * processes the unique index on active text is the backstop (the SQLite store: one machine).
   */
  lockScope?<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export interface ErasureScope {
  userId?: string | undefined;
  agentId?: string | undefined;
  runId?: string | undefined;
}

/** What an erasure of given memories removed. */
export interface MemoryErasureCounts {
  memories: number;
  versions: number;
  history: number;
}

export interface ErasureCounts {
  memories: number;
  versions: number;
  history: number;
  messages: number;
  jobs: number;
  usage: number;
}

/** Everything engram's engine needs from a backend. */
export interface Store
  extends StoreLifecycle,
    MemoryStore,
    SearchStore,
    VectorMaintenance,
    MessageStore,
    MetaStore,
    JobStore,
    KeyStore,
    UsageStore {
  /** Whole-store export and idempotent import (`engram migrate`); absent: this backend cannot be migrated. */
  readonly transfer?: StoreTransfer;
  /** The outbox feeding derived vector indexes (Qdrant, Chroma); present with the 'outbox' capability. */
  readonly outbox?: IndexOutbox;
  /** Entities and relations (reads; writes go through applyChanges); present with the 'graph' capability. */
  readonly graph?: GraphStore;
  /** The audit log (spec/audit-log.ts); present with the 'audit' capability. */
  readonly audit?: AuditStore;
}

export type { Change, ChangeOutcome, HistoryEvent, InsertOutcome, Invalidation, MemoryPatch, NewMemory };
