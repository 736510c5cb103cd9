import type { MemoryRecord } from '../../spec/memory-record.js';
import { lightStem, words } from '../../util/light-stem.js';
import { isStopword } from '../../util/stopwords.js';
import type { ScoreExplanation } from '../api-types.js';

export interface RankingSettings {
  weights: { relevance: number; recency: number; importance: number };
  halfLifeDays: number;
  /** Share of relevance taken by the keyword signal when a vector signal exists (0..1). */
  keywordWeight: number;
}

export interface Candidate {
  record: MemoryRecord;
  vectorRank: number | null;
  /** Cosine similarity to the query, when the version has a vector. */
  similarity: number | null;
  keywordRank: number | null;
  /** The store's text relevance in [0, 1), higher is better (spec/store.ts ScoredHit). */
  textScore: number | null;
  /** Hops from an entity the query names, when the graph reached the memory; absent without a graph. */
  graphHops?: number | null;
}

/**
 * Relevance a memory reached through the graph earns, by hops. It can only raise a candidate's
 * relevance (the larger of the two is kept), so a weak graph signal never drags down a strong
 * vector or keyword match; it lifts memories that share no word with the query but are about
 * the entities it names.
 */
const GRAPH_RELEVANCE = [0, 0.6, 0.45];

export interface Ranked {
  record: MemoryRecord;
  score: number;
  explain: ScoreExplanation;
}

const DAY_MS = 86_400_000;
const ACCESS_SHARE = 0.25;

/**
 * score = (w_r·relevance + w_t·recency + w_i·importance) / (w_r + w_t + w_i), each term in [0, 1].
 * See docs/search.md for the reasoning behind each term.
 */
export function rankCandidates(
  query: string,
  candidates: Candidate[],
  settings: RankingSettings,
  referenceTime: string,
  vectorsUsed: boolean,
): Ranked[] {
  const queryStems = [
    ...new Set(
      words(query)
        .filter((w) => !isStopword(w))
        .map(lightStem),
    ),
  ];
  const bestText = Math.max(0, ...candidates.map((c) => c.textScore ?? 0));
  const { weights } = settings;
  const weightSum = weights.relevance + weights.recency + weights.importance;
  const now = Date.parse(referenceTime);

  return candidates
    .map((c) => {
      const similarity = c.similarity === null ? null : clamp01(c.similarity);
      const keyword = keywordScore(c, queryStems, bestText);
      const direct =
        vectorsUsed && similarity !== null
          ? (1 - settings.keywordWeight) * similarity + settings.keywordWeight * keyword
          : keyword;
      const graph =
        c.graphHops === undefined || c.graphHops === null ? null : (GRAPH_RELEVANCE[c.graphHops] ?? 0);
      const relevance = Math.max(direct, graph ?? 0);
      const ageDays = Math.max(0, (now - Date.parse(c.record.validFrom)) / DAY_MS);
      const recency = Math.exp((-Math.LN2 * ageDays) / settings.halfLifeDays);
      const frequency = 1 - Math.exp(-c.record.accessCount / 10);
      const importance = (1 - ACCESS_SHARE) * c.record.importance + ACCESS_SHARE * frequency;
      const score =
        (weights.relevance * relevance + weights.recency * recency + weights.importance * importance) /
        weightSum;
      return {
        record: c.record,
        score,
        explain: {
          vector: { rank: c.vectorRank, similarity },
          keyword: { rank: c.keywordRank, score: c.textScore },
          ...(c.graphHops === undefined ? {} : { graph: { hops: c.graphHops, relevance: graph } }),
          relevance,
          recency,
          importance,
          weights: { ...weights },
          score,
        },
      };
    })
    .sort((a, b) => b.score - a.score || (a.record.id < b.record.id ? -1 : 1));
}

/**
 * Half the text score relative to the best hit of this query, half the share of query words the
 * memory contains. The relative score only needs "higher is better", whatever the backend.
 */
function keywordScore(c: Candidate, queryStems: string[], bestText: number): number {
  if (queryStems.length === 0) return 0;
  const memoryStems = new Set(words(c.record.text).map(lightStem));
  const covered = queryStems.filter((s) => memoryStems.has(s)).length / queryStems.length;
  const text = c.textScore === null || bestText === 0 ? 0 : c.textScore / bestText;
  return 0.5 * text + 0.5 * covered;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
