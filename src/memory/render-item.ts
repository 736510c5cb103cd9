import type { HistoryEntry, MemoryRecord, MemoryVersion } from '../spec/memory-record.js';
import type { HistoryItem, MemoryItem, ScoreExplanation, VersionItem } from './api-types.js';

/** The public (mem0-shaped, snake_case) view of a stored memory. */
export function toMemoryItem(record: MemoryRecord, score?: number, explain?: ScoreExplanation): MemoryItem {
  const item: MemoryItem = {
    id: record.id,
    memory: record.text,
    hash: record.hash,
    metadata: record.metadata,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    user_id: record.userId,
    agent_id: record.agentId,
    run_id: record.runId,
    actor_id: record.actorId,
    role: record.role,
    state: record.state,
    version: record.version,
    valid_from: record.validFrom,
    valid_to: record.validTo,
    recorded_at: record.recordedAt,
    expired_at: record.expiredAt,
    importance: record.importance,
    memory_type: record.memoryType,
    categories: record.categories,
    superseded_by: record.supersededBy,
  };
  if (score !== undefined) item.score = score;
  if (explain !== undefined) item.explain = explain;
  return item;
}

export function toHistoryItem(entry: HistoryEntry): HistoryItem {
  return {
    id: entry.id,
    memory_id: entry.memoryId,
    event: entry.event,
    old_memory: entry.oldText,
    new_memory: entry.newText,
    actor: entry.actor,
    reason: entry.reason,
    created_at: entry.at,
    version: entry.version,
    valid_from: entry.validFrom,
    valid_to: entry.validTo,
    expired_at: entry.expiredAt,
  };
}

export function toVersionItem(version: MemoryVersion): VersionItem {
  return {
    memory_id: version.memoryId,
    version: version.version,
    memory: version.text,
    hash: version.hash,
    valid_from: version.validFrom,
    valid_to: version.validTo,
    recorded_at: version.recordedAt,
    expired_at: version.expiredAt,
  };
}
