/** p-th percentile (0..1) by nearest rank; 0 for no samples. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Two decimals: the precision every table prints. */
export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export interface LatencySummary {
  p50: number;
  p95: number;
}

export function summarise(values: readonly number[]): LatencySummary {
  return { p50: round2(percentile(values, 0.5)), p95: round2(percentile(values, 0.95)) };
}

/** Five-word queries drawn from the same vocabulary as the stored texts, same for every system. */
export function benchQueries(n: number, texts: (n: number, seed: number) => string[]): string[] {
  return texts(n, 7).map((t) => t.split(' ').slice(0, 5).join(' '));
}
