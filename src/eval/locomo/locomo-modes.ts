import type { SearchMode } from '../../memory/api-types.js';

export interface EvalMode {
  name: string;
  search: SearchMode;
  weights: { relevance: number; recency: number; importance: number };
}

/**
 * Every turn is stored with the same importance and searches bump access counts, so the importance
 * term would only reward memories earlier questions happened to retrieve: it is 0 in every mode.
 * "With recency" keeps the engine's default recency share; "no recency" scores on relevance alone.
 */
const WITH_RECENCY = { relevance: 0.85, recency: 0.15, importance: 0 };
const NO_RECENCY = { relevance: 1, recency: 0, importance: 0 };

export const EVAL_MODES: readonly EvalMode[] = [
  { name: 'keyword', search: 'keyword', weights: WITH_RECENCY },
  { name: 'vector', search: 'vector', weights: WITH_RECENCY },
  { name: 'hybrid', search: 'hybrid', weights: WITH_RECENCY },
  { name: 'keyword_no_recency', search: 'keyword', weights: NO_RECENCY },
  { name: 'vector_no_recency', search: 'vector', weights: NO_RECENCY },
  { name: 'hybrid_no_recency', search: 'hybrid', weights: NO_RECENCY },
];
