/**
 * Lexical answer scores used across the LoCoMo literature, written out here so their exact
 * normalisation is visible: lowercase, punctuation removed, the articles a/an/the dropped.
 */
export function answerTokens(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/['’]/g, '')
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .split(/\s+/)
    .filter((token) => token !== '' && token !== 'a' && token !== 'an' && token !== 'the');
}

/** Token F1 between a predicted and a gold answer (multiset overlap, as in SQuAD). */
export function tokenF1(prediction: string, gold: string): number {
  const predicted = answerTokens(prediction);
  const wanted = answerTokens(gold);
  if (predicted.length === 0 || wanted.length === 0) return predicted.length === wanted.length ? 1 : 0;
  const common = overlap(predicted, wanted);
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / wanted.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * BLEU-1 against one reference: clipped unigram precision times the brevity penalty
 * exp(1 − r/c) when the prediction (c tokens) is shorter than the reference (r tokens).
 */
export function bleu1(prediction: string, gold: string): number {
  const predicted = answerTokens(prediction);
  const wanted = answerTokens(gold);
  if (predicted.length === 0 || wanted.length === 0) return 0;
  const precision = overlap(predicted, wanted) / predicted.length;
  const c = predicted.length;
  const r = wanted.length;
  const brevity = c > r ? 1 : Math.exp(1 - r / c);
  return precision * brevity;
}

/** Tokens the two lists share, each counted at most as often as it occurs in both (clipping). */
function overlap(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const token of b) counts.set(token, (counts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of a) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      common++;
      counts.set(token, left - 1);
    }
  }
  return common;
}

const ABSTENTION =
  /\b(not mentioned|never mentioned|no mention|not (?:stated|specified|discussed|said|recorded|known|in the (?:notes|conversation))|no information|(?:does|do|did) not (?:say|mention|specify)|(?:don'?t|do not|doesn'?t) know|unknown|cannot (?:be )?(?:determined|tell|answer|say)|can'?t (?:tell|say|answer)|no (?:record|evidence))\b/i;

/**
 * Adversarial questions (category 5) ask about something the conversation never says; the
 * answer is right when it declines ("Not mentioned in the conversation") instead of guessing.
 */
export function isAbstention(answer: string): boolean {
  return ABSTENTION.test(answer.replace(/’/g, "'"));
}

/** Nearest-rank percentile (p in 0–100) of `values`; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}
