import type { FilterNode } from '../../spec/filter.js';
import type { MemoryRecord } from '../../spec/memory-record.js';
import type { Store } from '../../spec/store.js';
import { textHash } from '../../util/text-hash.js';

/** Similarity above which a fact is the same as a stored memory, decided without asking the LLM. */
export const NEAR_DUPLICATE = 0.97;

/**
 * The active memory of the scope that already holds this fact: the same text, or a vector at
 * least NEAR_DUPLICATE similar. Null when the fact is new to the scope.
 */
export async function findKnownFact(
  store: Store,
  tenant: string,
  filter: FilterNode,
  text: string,
  vector: Float32Array | null | undefined,
): Promise<MemoryRecord | null> {
  const exact = await store.findByHash(tenant, filter, textHash(text));
  if (exact) return exact;
  if (!vector) return null;
  const [nearest] = await store.vectorSearch(tenant, vector, { filter, limit: 1 });
  if (!nearest || nearest.score < NEAR_DUPLICATE) return null;
  return store.getMemory(tenant, nearest.id);
}
