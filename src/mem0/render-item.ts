import type { MemoryItem as EngramItem } from '../memory/api-types.js';
import type { MemoryItem } from './mem0-types.js';

/** Keys mem0 keeps out of an item's metadata: the scope ids are fields of their own. */
const SCOPE_IN_METADATA = new Set(['user_id', 'agent_id', 'run_id']);

/**
 * An engram item in mem0ai/oss's shape: camelCase timestamps, metadata without the scope ids, a
 * scope key only when it is set, `score` from search and `score_details` from `explain`.
 */
export function toMem0Item(item: EngramItem): MemoryItem {
  const out: MemoryItem = {
    id: item.id,
    memory: item.memory,
    hash: item.hash,
    createdAt: item.created_at,
    updatedAt: item.updated_at,
    metadata: Object.fromEntries(
      Object.entries(item.metadata).filter(([key]) => !SCOPE_IN_METADATA.has(key)),
    ),
  };
  if (item.score !== undefined) out.score = item.score;
  if (item.user_id !== null) out.user_id = item.user_id;
  if (item.agent_id !== null) out.agent_id = item.agent_id;
  if (item.run_id !== null) out.run_id = item.run_id;
  if (item.explain !== undefined) out.score_details = item.explain;
  return out;
}
