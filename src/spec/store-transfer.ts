import type { JsonValue, Metadata } from './memory-record.js';

/*
 * Moving a whole store to another backend (`engram migrate`): every row a store holds, in a
 * neutral shape, read in pages and written idempotently. Sources page by their own position
 * (`after`); targets record how far an import got in the same transaction as the rows it
 * wrote, so an interrupted migration resumes where it stopped and never writes a row twice.
 */

/** One memory with every version (and its vector) and every history event: moved as a unit. */
export interface MemoryBundle {
  id: string;
  tenant: string;
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  actorId: string | null;
  role: string | null;
  metadata: Metadata;
  categories: string[];
  importance: number;
  memoryType: string;
  state: string;
  createdAt: string;
  updatedAt: string;
  validTo: string | null;
  expiredAt: string | null;
  supersededBy: string | null;
  source: string[];
  accessCount: number;
  lastAccessedAt: string | null;
  /** The current version's number. */
  version: number;
  versions: {
    version: number;
    text: string;
    hash: string;
    validFrom: string;
    validTo: string | null;
    recordedAt: string;
    expiredAt: string | null;
    embeddingModel: string | null;
    /** false once the memory was deleted (out of full-text, no vector). */
    indexed: boolean;
    embedding: number[] | null;
  }[];
  history: {
    event: string;
    oldText: string | null;
    newText: string | null;
    actor: string | null;
    reason: string | null;
    at: string;
    version: number;
  }[];
}

export interface MessageRowOut {
  tenant: string;
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  role: string;
  name: string | null;
  content: string;
  eventTime: string;
  createdAt: string;
  ref: string | null;
}

/** An API key as stored: the secret's hash, never the secret. */
export interface KeyRowOut {
  id: string;
  tenant: string;
  hash: string;
  prefix: string;
  name: string | null;
  userId: string | null;
  agentId: string | null;
  admin: boolean;
  createdAt: string;
  revokedAt: string | null;
}

export interface JobRowOut {
  id: string;
  tenant: string;
  kind: string;
  payload: JsonValue;
  state: string;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string;
  lockedUntil: string | null;
  lastError: string | null;
  idempotencyKey: string | null;
  result: JsonValue | null;
  createdAt: string;
  updatedAt: string;
}

export interface UsageRowOut {
  tenant: string;
  userId: string;
  agentId: string;
  runId: string;
  adds: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  embedCalls: number;
  updatedAt: string;
}

/**
 * Where a graph row belongs (spec/graph.ts): its tenant and its owner partition — the user, else
 * the agent, else the run — as that one id, the other two null. A store rebuilds its partition
 * key from these, and a scope export selects by them like other rows.
 */
export interface GraphOwnerOut {
  tenant: string;
  userId: string | null;
  agentId: string | null;
  runId: string | null;
}

/** An entity with everything it is found by: its keys (name and aliases normalised) and its name's vector. */
export interface EntityRowOut extends GraphOwnerOut {
  id: string;
  name: string;
  type: string;
  summary: string | null;
  aliases: string[];
  key: string;
  /** The entity_keys rows, as stored. */
  keys: string[];
  /** float32 values (SQLite: a BLOB; PostgreSQL: real[]), exact either way. */
  vector: number[] | null;
  mergedInto: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One entry of the merge log (undone or not); the entities' own mergedInto says what holds now. */
export interface MergeRowOut extends GraphOwnerOut {
  fromId: string;
  intoId: string;
  reason: string | null;
  at: string;
  undoneAt: string | null;
}

/** A relation on both time axes, as stored: its ends unresolved (merges resolve on read). */
export interface RelationRowOut extends GraphOwnerOut {
  id: string;
  sourceId: string;
  relationship: string;
  destinationId: string;
  fact: string;
  validFrom: string | null;
  validTo: string | null;
  createdAt: string;
  expiredAt: string | null;
  /** When a later write set validTo (reads as known before then still see it open). */
  closedAt: string | null;
  memoryId: string | null;
  messageRefs: string[];
}

export interface TransferRows {
  memories: MemoryBundle;
  messages: MessageRowOut;
  keys: KeyRowOut;
  jobs: JobRowOut;
  usage: UsageRowOut;
  entities: EntityRowOut;
  merges: MergeRowOut;
  relations: RelationRowOut;
}

export type TransferKind = keyof TransferRows;

/**
 * In the order an import needs: entities before the merges and relations that name them (foreign
 * keys), relations after the memories they came from (a memory's delete removes its relations).
 */
export const TRANSFER_KINDS: readonly TransferKind[] = [
  'memories',
  'messages',
  'keys',
  'jobs',
  'usage',
  'entities',
  'merges',
  'relations',
];

/** The graph's kinds (spec/graph.ts). */
export const GRAPH_TRANSFER_KINDS = [
  'entities',
  'merges',
  'relations',
] as const satisfies readonly TransferKind[];
export type GraphTransferKind = (typeof GRAPH_TRANSFER_KINDS)[number];

export function isGraphTransferKind(kind: TransferKind): kind is GraphTransferKind {
  return (GRAPH_TRANSFER_KINDS as readonly TransferKind[]).includes(kind);
}

export interface TransferPage<K extends TransferKind> {
  rows: TransferRows[K][];
  /**
   * The position of this page's last row: pass it as `after` for the next page, and record it
   * with the rows an import wrote. Null when the page is empty (the end). Positions are the
   * source's own (a row sequence) and mean nothing to another store.
   */
  next: number | null;
}

/** Counts per kind, for the check at the end of a migration (deleted memories count: they are rows). */
export type TransferCounts = Record<TransferKind, number>;

export interface StoreTransfer {
  counts(): Promise<TransferCounts>;
  /** Rows of one kind after position `after` (0: from the start), at most `limit`. */
  exportRows<K extends TransferKind>(kind: K, after: number, limit: number): Promise<TransferPage<K>>;
  /**
   * Writes rows in one transaction, skipping any already present (memories, keys, jobs, entities
   * and relations by id; merges by their entities and instant; messages by the progress mark;
   * usage replaced), and records `progress` (a meta key and the source position reached) in the
   * same transaction. Returns how many rows were written. An entity merged into one not there yet
   * (a later page) is linked when that one arrives: the link waits under `<progress key>:links`.
   */
  importRows<K extends TransferKind>(
    kind: K,
    rows: TransferRows[K][],
    progress: { key: string; position: number },
  ): Promise<number>;
  /** The position a previous import recorded under this key (0 when none). */
  progress(key: string): Promise<number>;
  /**
   * Optional, for a large import: stop maintaining the vector index row by row (PostgreSQL:
   * HNSW) until `endBulk`, which builds it once. A process that dies in between leaves searches
   * exact (slower, still correct) until the store's next init rebuilds the index.
   */
  beginBulk?(): Promise<void>;
  endBulk?(): Promise<void>;
}
