import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADD_BATCH } from './engram-scope-bench.js';
import { HashEmbedder } from './hash-embedder.js';
import { type LatencySummary, summarise } from './latency-stats.js';
import type { Mem0Module } from './mem0-oss.js';
import { syntheticTexts } from './synthetic-text.js';

export interface Mem0ScopeOptions {
  mem0: Mem0Module;
  baseUrl: string;
  size: number;
  queries: readonly string[];
  warmupQueries: readonly string[];
  /** Give up on ingest when it is projected to take longer than this (seconds). */
  maxIngestSeconds: number;
  log?: (line: string) => void;
}

export type Mem0ScopeResult =
  | {
      measured: true;
      memories: number;
      addPerSecond: number;
      ingestSeconds: number;
      search: LatencySummary;
      searchWithEmbedding: LatencySummary;
      vector: LatencySummary;
      queries: number;
    }
  | { measured: false; memories: number; reason: string };

/** The same scope as benchEngramScope, through mem0ai/oss and its SQLite-backed "memory" store. */
export async function benchMem0Scope(options: Mem0ScopeOptions): Promise<Mem0ScopeResult> {
  const { size, queries } = options;
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'mem0-bench-'));
  const session = await options.mem0.open({ baseUrl: options.baseUrl, dir, dimensions: 384 });
  const { memory } = session;
  try {
    const texts = syntheticTexts(size, size);
    const started = performance.now();
    for (let i = 0; i < size; i += ADD_BATCH) {
      const batch = texts.slice(i, i + ADD_BATCH).map((content) => ({ role: 'user', content }));
      await memory.add(batch, { userId: 'bench', infer: false });
      const done = i + batch.length;
      const elapsed = (performance.now() - started) / 1000;
      if ((i / ADD_BATCH) % 50 === 0) log(`  mem0 ${size.toLocaleString('en')}: ${done} stored`);
      const projected = (elapsed / done) * size;
      if (done >= Math.min(size, 2000) && done < size && projected > options.maxIngestSeconds) {
        return {
          measured: false,
          memories: size,
          reason:
            `ingest stopped after ${done.toLocaleString('en')} memories in ${Math.round(elapsed)} s ` +
            `(${Math.round(done / elapsed)}/s): ${size.toLocaleString('en')} would take about ` +
            `${Math.round(projected / 60)} min, over the ${Math.round(options.maxIngestSeconds / 60)} min budget ` +
            '(raise it with --mem0-max-ingest-min)',
        };
      }
    }
    const ingestSeconds = (performance.now() - started) / 1000;

    const vectors = new HashEmbedder(384);
    const full: number[] = [];
    const withEmbedding: number[] = [];
    const vector: number[] = [];
    const warmup = options.warmupQueries;
    for (const [i, q] of [...warmup, ...queries].entries()) {
      const embedBefore = session.embedMs();
      const t0 = performance.now();
      await memory.search(q, { filters: { user_id: 'bench' }, topK: 10 });
      const total = performance.now() - t0;
      const qv = vectors.vector(q);
      const t1 = performance.now();
      await memory.vectorStore?.search(qv, 10, { user_id: 'bench' });
      const vms = performance.now() - t1;
      if (i < warmup.length) continue;
      withEmbedding.push(total);
      full.push(total - (session.embedMs() - embedBefore));
      vector.push(vms);
    }
    return {
      measured: true,
      memories: size,
      addPerSecond: Math.round(size / ingestSeconds),
      ingestSeconds: Math.round(ingestSeconds * 10) / 10,
      search: summarise(full),
      searchWithEmbedding: summarise(withEmbedding),
      vector: summarise(vector),
      queries: full.length,
    };
  } finally {
    session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
