export type MemoryState = 'active' | 'superseded' | 'deleted';
export type MemoryType = 'semantic' | 'episodic' | 'procedural';
export type HistoryEvent = 'ADD' | 'UPDATE' | 'DELETE' | 'INVALIDATE' | 'RESTORE';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Metadata = Record<string, JsonValue>;

/** A memory as the store keeps it (camelCase inside engram; the public API renders mem0's snake_case). */
export interface MemoryRecord {
  id: string;
  tenant: string;
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  actorId: string | null;
  role: string | null;
  text: string;
  hash: string;
  metadata: Metadata;
  categories: string[];
  importance: number;
  memoryType: MemoryType;
  state: MemoryState;
  /** The version this record shows (1 for a memory never re-worded). */
  version: number;
  /** World interval of this version. */
  validFrom: string;
  validTo: string | null;
  /** When the memory was first recorded (system axis). */
  createdAt: string;
  updatedAt: string;
  /** When this version was recorded and when engram stopped holding it (system axis). */
  recordedAt: string;
  expiredAt: string | null;
  supersededBy: string | null;
  source: string[];
  accessCount: number;
  lastAccessedAt: string | null;
  embeddingModel: string | null;
}

/** One text a memory has had, with its world interval and its system interval. */
export interface MemoryVersion {
  memoryId: string;
  version: number;
  text: string;
  hash: string;
  validFrom: string;
  validTo: string | null;
  recordedAt: string;
  expiredAt: string | null;
  embeddingModel: string | null;
}

export interface HistoryEntry {
  id: number;
  memoryId: string;
  event: HistoryEvent;
  oldText: string | null;
  newText: string | null;
  actor: string | null;
  reason: string | null;
  at: string;
  /** The version the event produced (ADD, UPDATE) or closed (INVALIDATE, DELETE), with its intervals. */
  version: number;
  validFrom: string | null;
  validTo: string | null;
  expiredAt: string | null;
}

export interface StoredMessage {
  id: number;
  tenant: string;
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  role: string;
  name: string | null;
  content: string;
  eventTime: string;
  createdAt: string;
  /** The caller's idempotency reference, when it gave one (`<job id>:<i>`, an observed message's id). */
  ref: string | null;
}
