import type { GraphScope, GraphStore, RelationRecord } from '../../spec/graph.js';
import { entityKey } from '../../util/entity-key.js';

/** Longest entity name, in words, looked for in a query. */
const MAX_NAME_WORDS = 4;
const RELATIONS_PER_HOP = 200;

export interface GraphCandidates {
  /** Memory id → hops from an entity the query names (1: a relation of that entity; 2: of a neighbour). */
  hops: Map<string, number>;
  /** The relations walked, nearest first (what `search` returns as `relations`). */
  relations: RelationRecord[];
}

/**
 * The graph's candidate list for a query, without an LLM: the entities whose name or alias the
 * query contains (every run of up to four words, normalised), the relations touching them and,
 * one hop further, those touching their neighbours — each relation standing for the memory it came
 * from. Time-travel applies to the relations as to memories (asOf / knownAt).
 */
export async function graphCandidates(
  graph: GraphStore,
  tenant: string,
  scope: GraphScope,
  query: string,
  window: { asOf?: string | undefined; knownAt?: string | undefined },
  depth = 2,
): Promise<GraphCandidates> {
  const found = await graph.findEntities(tenant, scope, queryKeys(query));
  const hops = new Map<string, number>();
  const relations: RelationRecord[] = [];
  const seenRelations = new Set<string>();
  let frontier = [...new Set(found.map((e) => e.id))];
  const visited = new Set(frontier);
  for (let hop = 1; hop <= depth && frontier.length > 0; hop++) {
    const touching = await graph.relations(tenant, scope, {
      entityIds: frontier,
      ...window,
      limit: RELATIONS_PER_HOP,
    });
    const next: string[] = [];
    for (const relation of touching) {
      if (seenRelations.has(relation.id)) continue;
      seenRelations.add(relation.id);
      relations.push(relation);
      if (relation.memoryId && !hops.has(relation.memoryId)) hops.set(relation.memoryId, hop);
      for (const end of [relation.source.id, relation.destination.id]) {
        if (!visited.has(end)) {
          visited.add(end);
          next.push(end);
        }
      }
    }
    frontier = next;
  }
  return { hops, relations };
}

/** Every run of 1 to MAX_NAME_WORDS consecutive words of the query, as entity keys. */
export function queryKeys(query: string): string[] {
  const words = entityKey(query)
    .split(' ')
    .filter((w) => w !== '');
  const keys = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    for (let n = 1; n <= MAX_NAME_WORDS && i + n <= words.length; n++) {
      keys.add(words.slice(i, i + n).join(' '));
    }
  }
  return [...keys];
}
