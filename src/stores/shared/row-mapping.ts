import type {
  HistoryEntry,
  HistoryEvent,
  MemoryRecord,
  MemoryState,
  MemoryType,
  MemoryVersion,
  StoredMessage,
} from '../../spec/memory-record.js';
import { jsonColumn } from './json-column.js';

/** The columns every memory read selects: the memory row and the version it shows (`v`). */
export const MEMORY_SELECT = `m.*, v.version AS v_version, v.text AS v_text, v.hash AS v_hash,
  v.valid_from AS v_valid_from, v.valid_to AS v_valid_to, v.created_at AS v_created_at,
  v.expired_at AS v_expired_at, v.embedding_model AS v_embedding_model`;

/** `memories m` joined to its current version `v`. */
export const CURRENT_VERSION_JOIN = 'memories m JOIN memory_versions v ON v.seq = m.version_seq';

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
  version: number;
  version_seq: number;
}

export interface MemoryVersionRow extends MemoryRow {
  v_version: number;
  v_text: string;
  v_hash: string;
  v_valid_from: string;
  v_valid_to: string | null;
  v_created_at: string;
  v_expired_at: string | null;
  v_embedding_model: string | null;
}

export function toMemoryRecord(row: MemoryVersionRow): MemoryRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    userId: row.user_id,
    agentId: row.agent_id,
    runId: row.run_id,
    actorId: row.actor_id,
    role: row.role,
    text: row.v_text,
    hash: row.v_hash,
    metadata: jsonColumn(row.metadata),
    categories: jsonColumn(row.categories),
    importance: row.importance,
    memoryType: row.memory_type as MemoryType,
    state: row.state as MemoryState,
    version: row.v_version,
    validFrom: row.v_valid_from,
    validTo: row.v_valid_to,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    recordedAt: row.v_created_at,
    expiredAt: row.v_expired_at,
    supersededBy: row.superseded_by,
    source: jsonColumn(row.source),
    accessCount: row.access_count,
    lastAccessedAt: row.last_accessed_at,
    embeddingModel: row.v_embedding_model,
  };
}

export interface VersionRow {
  seq: number;
  memory_id: string;
  version: number;
  text: string;
  hash: string;
  valid_from: string;
  valid_to: string | null;
  created_at: string;
  expired_at: string | null;
  embedding_model: string | null;
}

export function toMemoryVersion(row: VersionRow): MemoryVersion {
  return {
    memoryId: row.memory_id,
    version: row.version,
    text: row.text,
    hash: row.hash,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    recordedAt: row.created_at,
    expiredAt: row.expired_at,
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
  version: number;
  valid_from: string | null;
  valid_to: string | null;
  expired_at: string | null;
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
    version: row.version,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    expiredAt: row.expired_at,
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
  ref: string | null;
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
    ref: row.ref ?? null,
  };
}
