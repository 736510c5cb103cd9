import type { FilterNode } from '../../spec/filter.js';
import type { SearchMode, SearchResult } from '../api-types.js';
import { toRelationItem } from '../graph/graph-items.js';
import type { MemoryContext } from '../memory-context.js';
import { toMemoryItem } from '../render-item.js';
import { searchMemories } from './search-memories.js';

/** How many of the relations the graph walked a search returns (nearest hops first). */
const RELATIONS_RETURNED = 20;

/** A validated search of one tenant's memories. */
export interface FindRequest {
  query: string;
  filter: FilterNode | null;
  limit: number;
  threshold: number | undefined;
  asOf: string | undefined;
  knownAt: string | undefined;
  mode: SearchMode | undefined;
  explain: boolean;
}

/** Runs the search and renders it in mem0's shape, saying when it fell back to keywords. */
export async function findMemories(ctx: MemoryContext, request: FindRequest): Promise<SearchResult> {
  const { store, gate, access, index } = await ctx.open();
  const outcome = await searchMemories({
    store,
    index,
    graph: ctx.config.graph.enabled ? (store.graph ?? null) : null,
    gate,
    access,
    tenant: ctx.tenant,
    query: request.query,
    filter: request.filter,
    limit: request.limit,
    threshold: request.threshold,
    asOf: request.asOf,
    knownAt: request.knownAt,
    now: ctx.engine.now(),
    mode: request.mode,
    settings: ctx.config.search,
  });
  const result: SearchResult = {
    results: outcome.ranked.map((r) =>
      toMemoryItem(r.record, r.score, request.explain ? r.explain : undefined),
    ),
  };
  if (outcome.index) {
    result.vector_index = {
      provider: outcome.index.provider,
      used: outcome.index.used,
      ...(outcome.index.reason === undefined ? {} : { reason: outcome.index.reason }),
    };
  }
  if (outcome.relations)
    result.relations = outcome.relations.slice(0, RELATIONS_RETURNED).map(toRelationItem);
  if (outcome.degraded) {
    result.degraded = 'keyword-only';
    result.degraded_reason = outcome.degraded;
  }
  return result;
}
