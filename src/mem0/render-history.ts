import type { HistoryItem } from '../memory/api-types.js';
import type { MemoryHistoryRow } from './mem0-types.js';

/**
 * engram's history (newest first) as rows of mem0's SQLite history table: `created_at` is when
 * the memory was created and `updated_at` when the event happened (null for the ADD itself).
 * mem0 writes null for both on DELETE; engram says when the delete happened.
 */
export function toHistoryRows(items: readonly HistoryItem[]): MemoryHistoryRow[] {
  const added = items.find((item) => item.event === 'ADD') ?? items.at(-1);
  const createdAt = added?.created_at ?? null;
  return items.map((item) => ({
    id: item.id,
    memory_id: item.memory_id,
    previous_value: item.old_memory,
    new_value: item.new_memory,
    action: item.event,
    created_at: item.event === 'ADD' ? item.created_at : (createdAt ?? item.created_at),
    updated_at: item.event === 'ADD' ? null : item.created_at,
    is_deleted: item.event === 'DELETE' ? 1 : 0,
  }));
}
