import type { DerivedIndex } from '../../indexes/derived-index.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { CandidateQuery, ScoredHit, Store } from '../../spec/store.js';
import { pinnedScope } from '../../util/filter-tree.js';

/** Whether a derived index answered the vector leg, and why not when it did not. */
export interface IndexUse {
  provider: string;
  used: boolean;
  reason?: string;
}

/**
 * The vector leg of search. With a derived index, the index proposes candidates within the
 * tenant and the pinned scope and the store re-reads and re-scores them (vectorSearchAmong), so
 * a lagging index can miss a memory but never return a deleted one or one of another scope.
 * The store's own vectors answer instead — and the outcome says why — for time-travel queries
 * (only the store holds old versions), while the index is being built, when it is unreachable,
 * and when the filter keeps too few of the index's candidates.
 */
export async function vectorLeg(
  store: Store,
  index: DerivedIndex | null,
  tenant: string,
  vector: Float32Array,
  options: CandidateQuery,
): Promise<{ hits: ScoredHit[]; index: IndexUse | null }> {
  if (!index) return { hits: await store.vectorSearch(tenant, vector, options), index: null };
  const fallback = async (reason: string) => ({
    hits: await store.vectorSearch(tenant, vector, options),
    index: { provider: index.provider, used: false, reason },
  });
  if (options.asOf !== undefined || options.knownAt !== undefined) {
    return fallback('a search as of another time reads old versions, which only the store holds');
  }
  const unusable = await index.unusable(vector.length);
  if (unusable) return fallback(unusable);
  const pinned = pinnedScope(options.filter);
  const ask = options.limit * 2;
  let found: Awaited<ReturnType<DerivedIndex['query']>>;
  try {
    found = await index.query({
      tenant,
      scope: { userId: pinned.user_id, agentId: pinned.agent_id, runId: pinned.run_id },
      vector,
      limit: ask,
    });
  } catch (error) {
    if (!(error instanceof MemoryError) || error.category !== 'upstream') throw error;
    return fallback(error.message);
  }
  const hits = await store.vectorSearchAmong(
    tenant,
    found.map((h) => h.memoryId),
    vector,
    options,
  );
  if (hits.length < options.limit && found.length === ask) {
    return fallback(`the filter kept ${hits.length} of the ${ask} candidates the index returned`);
  }
  return { hits, index: { provider: index.provider, used: true } };
}
