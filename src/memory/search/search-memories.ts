import type { DerivedIndex } from '../../indexes/derived-index.js';
import type { FilterNode } from '../../spec/filter.js';
import type { GraphScope, GraphStore, RelationRecord } from '../../spec/graph.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { Store } from '../../spec/store.js';
import { pinnedScope } from '../../util/filter-tree.js';
import type { SearchMode } from '../api-types.js';
import type { EmbeddingGate } from '../embedding-gate.js';
import { graphCandidates } from '../graph/graph-search.js';
import type { AccessRecorder } from './access-recorder.js';
import { type Candidate, type Ranked, type RankingSettings, rankCandidates } from './rank-candidates.js';
import { type IndexUse, vectorLeg } from './vector-leg.js';

export interface SearchRequest {
  store: Store;
  /** A derived index (Qdrant, Chroma) for the vector leg; null: the store's own vectors. */
  index?: DerivedIndex | null;
  /** The graph (config graph.enabled): a third candidate list, and the relations it walked. */
  graph?: GraphStore | null;
  gate: EmbeddingGate;
  /** Where the hits' access counts go (written later, in batches: a search writes nothing). */
  access: Pick<AccessRecorder, 'record'>;
  tenant: string;
  query: string;
  filter: FilterNode | null;
  limit: number;
  threshold: number | undefined;
  /** World time: rank the versions true then (see spec/store.ts TimeWindow). */
  asOf: string | undefined;
  /** System time: as engram knew it then. */
  knownAt?: string | undefined;
  now: string;
  /** Default 'hybrid'. */
  mode?: SearchMode | undefined;
  settings: RankingSettings & { candidates: number };
}

export interface SearchOutcome {
  ranked: Ranked[];
  /** Why the vector path was skipped, when it was. */
  degraded: string | null;
  /** With a derived index configured and a vector leg run: whether the index answered it. */
  index: IndexUse | null;
  /** With the graph: the relations of the entities the query names (empty when it names none). */
  relations: RelationRecord[] | null;
}

const MODES: readonly SearchMode[] = ['hybrid', 'keyword', 'vector'];

/**
 * Hybrid retrieval: vector KNN and BM25 candidates, united, scored on relevance, recency and
 * importance, cut by threshold and limit. An embedder that fails degrades to keyword-only.
 * Reads only: the hits' access counts are handed to the AccessRecorder.
 */
export async function searchMemories(request: SearchRequest): Promise<SearchOutcome> {
  const { store, gate, tenant, filter, asOf, knownAt } = request;
  const window = { asOf, knownAt };
  const mode = request.mode ?? 'hybrid';
  if (!MODES.includes(mode)) {
    throw new MemoryError('invalid_input', `mode must be one of ${MODES.join(', ')}, got ${String(mode)}.`);
  }
  const pool = Math.max(request.settings.candidates, request.limit * 3);
  let degraded: string | null = null;
  let queryVector: Float32Array | null = null;
  if (mode === 'keyword') {
    // Keyword-only by request: not a degradation, so nothing is reported.
  } else if (!gate.embedder) {
    degraded = 'no embedder is configured';
  } else {
    try {
      queryVector = (await gate.embed([request.query]))?.[0] ?? null;
    } catch (error) {
      if (!(error instanceof MemoryError) || error.category === 'internal') throw error;
      degraded = error.message;
    }
  }

  const graphScope = request.graph ? ownerScope(filter) : null;
  const [vectorLegOutcome, textHits, graphFound] = await Promise.all([
    queryVector
      ? vectorLeg(store, request.index ?? null, tenant, queryVector, { filter, ...window, limit: pool })
      : Promise.resolve({ hits: [], index: null }),
    queryVector && mode === 'vector'
      ? Promise.resolve([])
      : store.textSearch(tenant, request.query, { filter, ...window, limit: pool }),
    request.graph && graphScope
      ? graphCandidates(request.graph, tenant, graphScope, request.query, window)
      : Promise.resolve(null),
  ]);
  // The graph belongs to the scope's owner: what it reaches is kept only where the query's own
  // filter and window select the memory (another agent's memory of the same user stays out).
  const reached = graphFound ? [...graphFound.hops.keys()] : [];
  const allowed = new Set(
    (await store.vectorSearchAmong(tenant, reached, null, { filter, ...window, limit: reached.length })).map(
      (h) => h.id,
    ),
  );
  const graphHops = new Map([...(graphFound?.hops ?? [])].filter(([id]) => allowed.has(id)));
  const relations = request.graph
    ? (graphFound?.relations ?? []).filter((r) => r.memoryId !== null && allowed.has(r.memoryId))
    : null;
  const vectorHits = vectorLegOutcome.hits;
  const index = vectorLegOutcome.index;
  const ids = [
    ...new Set([...vectorHits.map((h) => h.id), ...textHits.map((h) => h.id), ...graphHops.keys()]),
  ];
  if (ids.length === 0) return { ranked: [], degraded, index, relations };

  const vectorRank = new Map(vectorHits.map((h, i) => [h.id, { rank: i + 1, similarity: h.score }]));
  const textRank = new Map(textHits.map((h, i) => [h.id, { rank: i + 1, score: h.score }]));
  const missing = ids.filter((id) => !vectorRank.has(id));
  const [records, similarities] = await Promise.all([
    store.getMemories(tenant, ids, window),
    queryVector && missing.length > 0
      ? store.vectorSimilarities(tenant, missing, queryVector, window)
      : Promise.resolve(new Map<string, number>()),
  ]);

  const candidates: Candidate[] = records.map((record) => ({
    record,
    vectorRank: vectorRank.get(record.id)?.rank ?? null,
    similarity: vectorRank.get(record.id)?.similarity ?? similarities.get(record.id) ?? null,
    keywordRank: textRank.get(record.id)?.rank ?? null,
    textScore: textRank.get(record.id)?.score ?? null,
    ...(request.graph ? { graphHops: graphHops.get(record.id) ?? null } : {}),
  }));
  // Vector mode ranks on similarity alone: the keyword signal gets no share of relevance.
  const settings =
    mode === 'vector' && queryVector ? { ...request.settings, keywordWeight: 0 } : request.settings;
  const ranked = rankCandidates(
    request.query,
    candidates,
    settings,
    asOf ?? request.now,
    queryVector !== null,
  )
    .filter((r) => request.threshold === undefined || r.score >= request.threshold)
    .slice(0, request.limit);
  request.access.record(
    tenant,
    ranked.map((r) => r.record.id),
    request.now,
  );
  return { ranked, degraded, index, relations };
}

/** The graph a query reads: its pinned owner's (graphs belong to a scope's owner, spec/graph.ts). */
function ownerScope(filter: FilterNode | null): GraphScope | null {
  const pinned = pinnedScope(filter);
  if (!pinned.user_id && !pinned.agent_id && !pinned.run_id) return null;
  return { userId: pinned.user_id ?? null, agentId: pinned.agent_id ?? null, runId: pinned.run_id ?? null };
}
