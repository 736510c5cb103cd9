import type { KeyStore } from './api-key.js';
import type { FilterNode } from './filter.js';
import type { JobStore } from './job.js';
import type {
  HistoryEntry,
  HistoryEvent,
  MemoryRecord,
  MemoryState,
  MemoryType,
  Metadata,
  StoredMessage,
} from './memory-record.js';
import type { Scope } from './scope.js';
import type { UsageStore } from './usage-store.js';

export interface NewMessage {
  role: string;
  name?: string | null;
  content: string;
  eventTime: string;
  /** Idempotency reference: a message with a ref already logged for the tenant is not logged again. */
  ref?: string | null;
}

export interface NewMemory {
  id: string;
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  actorId?: string | null;
  role?: string | null;
  text: string;
  hash: string;
  metadata: Metadata;
  categories?: string[];
  importance: number;
  memoryType: MemoryType;
  validFrom: string;
  source?: string[];
  embedding: Float32Array | null;
  embeddingModel: string | null;
  /** Time of the write (system axis). */
  at: string;
  actor?: string | null;
  reason?: string | null;
}

export interface MemoryPatch {
  text?: string;
  hash?: string;
  metadata?: Metadata;
  importance?: number;
  embedding?: Float32Array | null;
  embeddingModel?: string | null;
  at: string;
  /** World time the new version became true (defaults to unchanged). */
  validFrom?: string;
  actor?: string | null;
  reason?: string | null;
}

export interface InsertOutcome {
  record: MemoryRecord;
  inserted: boolean;
}

/** One step of an inferred add; a list of them is applied in one transaction. */
export type Change =
  | { kind: 'insert'; memory: NewMemory }
  | { kind: 'update'; id: string; patch: MemoryPatch }
  | {
      kind: 'invalidate';
      id: string;
      validTo: string;
      /** The memory that replaces it: an id, or the index of an earlier change in the same list. */
      supersededBy: string | { change: number } | null;
      at: string;
      actor?: string | null;
      reason?: string | null;
    };

export interface ChangeOutcome {
  kind: Change['kind'];
  record: MemoryRecord;
  /** insert: false when the exact text was already active (nothing written). */
  inserted: boolean;
  /** update / invalidate: the text before the change. */
  previousText: string | null;
}

export interface ListOptions {
  filter: FilterNode | null;
  states: MemoryState[];
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

export interface CandidateQuery {
  filter: FilterNode | null;
  /** Only memories valid at this instant (world axis) and known by then (system axis); else active only. */
  asOf?: string | undefined;
  limit: number;
}

export interface ScoredId {
  id: string;
  /** Vector: cosine distance (0 = same direction). Text: bm25 rank (lower is better). */
  raw: number;
}

/**
 * The Store contract. Every method takes the tenant and applies it in the store itself, so no
 * caller can read or change another tenant's rows — even by id. Every write is one transaction.
 */
export interface Store extends JobStore, KeyStore, UsageStore {
  readonly dialect: string;
  init(): Promise<void>;
  close(): Promise<void>;

  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  appendMessages(scope: Scope, messages: NewMessage[]): Promise<StoredMessage[]>;
  recentMessages(scope: Scope, limit: number): Promise<StoredMessage[]>;

  /**
   * Inserts in one transaction. A memory whose exact text (hash) is already active in the same
   * scope is not inserted: the existing record comes back with `inserted: false`.
   */
  insertMemories(tenant: string, memories: NewMemory[]): Promise<InsertOutcome[]>;
  /** Applies every change or none (one transaction); a missing id fails the whole list. */
  applyChanges(tenant: string, changes: Change[]): Promise<ChangeOutcome[]>;
  getMemory(tenant: string, id: string): Promise<MemoryRecord | null>;
  getMemories(tenant: string, ids: string[]): Promise<MemoryRecord[]>;
  findByHash(tenant: string, filter: FilterNode, hash: string): Promise<MemoryRecord | null>;
  listMemories(tenant: string, options: ListOptions): Promise<Page<MemoryRecord>>;
  updateMemory(tenant: string, id: string, patch: MemoryPatch): Promise<MemoryRecord>;
  invalidateMemory(
    tenant: string,
    id: string,
    change: {
      validTo: string;
      supersededBy: string | null;
      at: string;
      actor?: string | null;
      reason?: string | null;
    },
  ): Promise<MemoryRecord>;
  /** Removes the memory from every index; history keeps a DELETE event. */
  deleteMemory(tenant: string, id: string, change: { at: string; actor?: string | null }): Promise<void>;
  /** Deletes every memory matching the (non-empty) scope filter; returns how many. */
  deleteMemories(
    tenant: string,
    filter: FilterNode,
    change: { at: string; actor?: string | null },
  ): Promise<number>;
  history(tenant: string, id: string): Promise<HistoryEntry[]>;
  recordAccess(tenant: string, ids: string[], at: string): Promise<void>;

  vectorSearch(tenant: string, query: Float32Array, options: CandidateQuery): Promise<ScoredId[]>;
  textSearch(tenant: string, query: string, options: CandidateQuery): Promise<ScoredId[]>;
  /** Cosine distance between the query and each listed memory that has a vector. */
  vectorDistances(tenant: string, ids: string[], query: Float32Array): Promise<Map<string, number>>;

  /** Memories (any state but deleted) whose vector is missing or made by another model. */
  memoriesToEmbed(tenant: string | null, model: string, limit: number): Promise<MemoryRecord[]>;
  setEmbeddings(
    rows: { tenant: string; id: string; embedding: Float32Array }[],
    model: string,
  ): Promise<void>;
  /** Drops every vector (dimension change); memories stay. */
  clearVectors(dimensions: number): Promise<void>;
  stats(): Promise<StoreStats>;
  /** Removes everything of one tenant, or of all tenants when tenant is null. */
  reset(tenant: string | null): Promise<void>;
}

export interface StoreStats {
  memories: number;
  vectors: number;
  messages: number;
  history: number;
  schemaVersion: number;
  dimensions: number | null;
  embeddingModel: string | null;
  integrity: string;
}

export type { HistoryEvent };
