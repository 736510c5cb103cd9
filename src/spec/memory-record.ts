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
  validFrom: string;
  validTo: string | null;
  createdAt: string;
  updatedAt: string;
  expiredAt: string | null;
  supersededBy: string | null;
  source: string[];
  accessCount: number;
  lastAccessedAt: string | null;
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
}
