/** Deterministic pseudo-random sentences over a Zipf-like vocabulary, so FTS and vectors see realistic skew. */
export function syntheticTexts(n: number, seed: number, vocabulary = 5000): string[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const word = (): string => `w${Math.floor(vocabulary ** next())}`;
  return Array.from({ length: n }, () => Array.from({ length: 8 + Math.floor(next() * 8) }, word).join(' '));
}
