import type { MemoryRecord, MemoryType, Metadata } from './memory-record.js';

/**
 * What a write asks of the store (MemoryStore in store.ts): a new memory, a patch that may open a
 * new version, an invalidation, and the change list `applyChanges` commits as one transaction.
 */
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
  /** New text: closes the current version and opens a new one (when it differs). */
  text?: string;
  hash?: string;
  /** The complete metadata after the change (the engine merges; the store stores). */
  metadata?: Metadata;
  importance?: number;
  embedding?: Float32Array | null;
  embeddingModel?: string | null;
  /** Time of the write (system axis): the old version's expiredAt and the new one's createdAt. */
  at: string;
  /**
   * World time the change became true: the old version's validTo and the new one's validFrom
   * (default `at`). A time before the current version's validFrom is a `invalid_input` error,
   * unless `backdate: 'clamp'`, which closes the old version at its own validFrom (an empty
   * interval: the reconciler uses this for conversations replayed out of order).
   */
  validFrom?: string;
  backdate?: 'refuse' | 'clamp';
  /**
   * The new text is already the text of another active memory of the same scope: 'refuse'
   * (default) is a `conflict` error; 'fold' supersedes that other memory by this one (both
   * recorded in history) and applies the update.
   */
  onDuplicate?: 'refuse' | 'fold';
  actor?: string | null;
  reason?: string | null;
}

export interface Invalidation {
  validTo: string;
  supersededBy: string | null;
  at: string;
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
    }
  /** A user delete (as deleteMemory), so a batch of deletes and updates commits as one. */
  | { kind: 'delete'; id: string; at: string; actor?: string | null };

export interface ChangeOutcome {
  kind: Change['kind'];
  record: MemoryRecord;
  /** insert: false when the exact text was already active (nothing written). */
  inserted: boolean;
  /** update / invalidate: the text before the change. */
  previousText: string | null;
  /** update with onDuplicate 'fold': the memory that was superseded by this one. */
  folded?: { id: string; text: string };
}
