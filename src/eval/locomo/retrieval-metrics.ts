import { words } from '../../util/light-stem.js';
import { isStopword } from '../../util/stopwords.js';

export const RECALL_KS = [1, 5, 10, 20] as const;

/** Share of the evidence dia_ids that appear among the first k retrieved ids. */
export function evidenceRecall(
  retrieved: readonly (readonly string[])[],
  evidence: readonly string[],
  k: number,
): number {
  if (evidence.length === 0) return 0;
  const found = new Set(retrieved.slice(0, k).flat());
  return evidence.filter((e) => found.has(e)).length / evidence.length;
}

/** 1 when at least one evidence dia_id appears among the first k retrieved ids. */
export function evidenceHit(
  retrieved: readonly (readonly string[])[],
  evidence: readonly string[],
  k: number,
): number {
  const found = new Set(retrieved.slice(0, k).flat());
  return evidence.some((e) => found.has(e)) ? 1 : 0;
}

/** Share of the answer's content words that occur in the retrieved context (null when the answer has none). */
export function answerTokenRecall(answer: string, context: string): number | null {
  const wanted = [...new Set(words(answer).filter((w) => !isStopword(w)))];
  if (wanted.length === 0) return null;
  const present = new Set(words(context));
  return wanted.filter((w) => present.has(w)).length / wanted.length;
}
