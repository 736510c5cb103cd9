import type {
  HistoryEntry,
  HistoryEvent,
  MemoryRecord,
  MemoryState,
  MemoryType,
  StoredMessage,
} from '../../spec/memory-record.js';

export interface MemoryRow {
  seq: number;
  id: string;
  tenant: string;
  partition_key: string;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  actor_id: string | null;
  role: string | null;
  text: string;
  hash: string;
  metadata: string;
  categories: string;
  importance: number;
  memory_type: string;
  state: string;
  valid_from: string;
  valid_to: string | null;
  created_at: string;
  updated_at: string;
  expired_at: string | null;
  superseded_by: string | null;
  source: string;
  access_count: number;
  last_accessed_at: string | null;
  embedding_model: string | null;
}

export function toMemoryRecord(row: MemoryRow): MemoryRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    userId: row.user_id,
    agentId: row.agent_id,
    runId: row.run_id,
    actorId: row.actor_id,
    role: row.role,
    text: row.text,
    hash: row.hash,
    metadata: JSON.parse(row.metadata),
    categories: JSON.parse(row.categories),
    importance: row.importance,
    memoryType: row.memory_type as MemoryType,
    state: row.state as MemoryState,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiredAt: row.expired_at,
    supersededBy: row.superseded_by,
    source: JSON.parse(row.source),
    accessCount: row.access_count,
    lastAccessedAt: row.last_accessed_at,
    embeddingModel: row.embedding_model,
  };
}

export interface HistoryRow {
  seq: number;
  memory_id: string;
  event: string;
  old_text: string | null;
  new_text: string | null;
  actor: string | null;
  reason: string | null;
  at: string;
}

export function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    id: row.seq,
    memoryId: row.memory_id,
    event: row.event as HistoryEvent,
    oldText: row.old_text,
    newText: row.new_text,
    actor: row.actor,
    reason: row.reason,
    at: row.at,
  };
}

export interface MessageRow {
  seq: number;
  tenant: string;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  role: string;
  name: string | null;
  content: string;
  event_time: string;
  created_at: string;
}

export function toStoredMessage(row: MessageRow): StoredMessage {
  return {
    id: row.seq,
    tenant: row.tenant,
    userId: row.user_id,
    agentId: row.agent_id,
    runId: row.run_id,
    role: row.role,
    name: row.name,
    content: row.content,
    eventTime: row.event_time,
    createdAt: row.created_at,
  };
}
