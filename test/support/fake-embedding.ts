/**
 * The fake servers' embedding: a hashed bag of words. Lower-cased words (letters only, a trailing "s" dropped)
 * are hashed into `dimensions` buckets with a ±1 sign and the vector is L2-normalised, so texts that share
 * words have a high cosine and texts that share none are near 0. Deterministic across runs and machines.
 */
export function fakeEmbedding(text: string, dimensions = 64): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = fakeTokens(text);
  // Text without letters still needs a stable, non-zero vector (cosine with a zero vector is undefined).
  for (const word of words.length > 0 ? words : [`\u0000${text}`]) {
    const bucket = fnv1a(word) % dimensions;
    const sign = fnv1a(`sign:${word}`) & 1 ? 1 : -1;
    vector[bucket] = (vector[bucket] ?? 0) + sign;
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector.map((_, i) => (i === 0 ? 1 : 0)) : vector.map((value) => value / norm);
}

/** The words fakeEmbedding hashes, so tests can predict which texts come out close. */
export function fakeTokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((word) => word.length > 0)
    .map((word) =>
      word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word,
    );
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** Whitespace-separated words: the fake servers' stand-in for a tokenizer in usage counts. */
export function fakeTokenCount(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
