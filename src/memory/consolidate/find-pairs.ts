import { cosineSimilarity } from './cosine-similarity.js';
import { normalisedText } from './normalised-text.js';

/** Two memories of one scope (indexes into the list given) that may be one fact. */
export interface CandidatePair {
  a: number;
  b: number;
  /** Cosine similarity of their vectors; null without vectors. */
  similarity: number | null;
  /** 'text': equal normalised text; 'vector': at or above sameAbove; 'ask': in [askAbove, sameAbove). */
  kind: 'text' | 'vector' | 'ask';
}

export interface PairThresholds {
  sameAbove: number;
  askAbove: number;
}

/**
 * Every pair worth a look, in a fixed order: equal normalised text first (each joined to the first
 * memory with that text), then every pair whose cosine reaches askAbove. One pairwise pass —
 * n(n−1)/2 dot products, which `consolidation.maxMemories` bounds (5,000 memories: 12.5 M).
 */
export function findPairs(
  texts: readonly string[],
  vectors: readonly Float32Array[] | null,
  thresholds: PairThresholds,
): CandidatePair[] {
  const pairs: CandidatePair[] = [];
  const firstWithText = new Map<string, number>();
  const textTwin = new Set<string>();
  texts.forEach((text, i) => {
    const key = normalisedText(text);
    const first = firstWithText.get(key);
    if (first === undefined) {
      firstWithText.set(key, i);
      return;
    }
    const similarity = vectors ? cosineSimilarity(vectors[first]!, vectors[i]!) : null;
    pairs.push({ a: first, b: i, similarity, kind: 'text' });
    textTwin.add(`${first}:${i}`);
  });
  if (!vectors) return pairs;
  for (let a = 0; a < vectors.length; a++) {
    const va = vectors[a]!;
    for (let b = a + 1; b < vectors.length; b++) {
      const similarity = cosineSimilarity(va, vectors[b]!);
      if (similarity < thresholds.askAbove || textTwin.has(`${a}:${b}`)) continue;
      pairs.push({ a, b, similarity, kind: similarity >= thresholds.sameAbove ? 'vector' : 'ask' });
    }
  }
  return pairs;
}
