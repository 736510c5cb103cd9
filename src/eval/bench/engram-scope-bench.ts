import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Memory } from '../../memory/memory.js';
import { createEmbedder } from '../../providers/registry.js';
import type { Embedder } from '../../spec/embedder.js';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';
import { HashEmbedder } from './hash-embedder.js';
import { type LatencySummary, summarise } from './latency-stats.js';
import { syntheticTexts } from './synthetic-text.js';
import { TimedEmbedder } from './timed-embedder.js';

export const ADD_BATCH = 200;

export interface ScopeBenchOptions {
  size: number;
  /** Measured queries. */
  queries: readonly string[];
  /** Run first and not counted (JIT, page cache); different from `queries`. */
  warmupQueries: readonly string[];
  /** Embed over HTTP at this OpenAI-compatible base URL instead of the in-process HashEmbedder. */
  openAIBaseUrl?: string;
  log?: (line: string) => void;
}

export interface ScopeBenchResult {
  memories: number;
  /** Memory.add with infer:false, batches of ADD_BATCH messages, embedding included. */
  addPerSecond: number;
  ingestSeconds: number;
  /** Memory.search minus the query-embedding call. */
  search: LatencySummary;
  /** Memory.search as the caller sees it, query embedding included. */
  searchWithEmbedding: LatencySummary;
  /** SqliteStore.vectorSearch alone (precomputed query vector). */
  vector: LatencySummary;
  queries: number;
}

/**
 * One scope of `size` synthetic memories: ingest with infer:false, then search it. Everything is
 * in a fresh SQLite file that is deleted afterwards.
 */
export async function benchEngramScope(options: ScopeBenchOptions): Promise<ScopeBenchResult> {
  const { size, queries } = options;
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'engram-bench-'));
  const dbPath = join(dir, 'bench.db');
  const store = new SqliteStore({ path: dbPath });
  const http = options.openAIBaseUrl
    ? { provider: 'openai', model: 'text-embedding-3-small', baseUrl: options.openAIBaseUrl, apiKey: 'test' }
    : undefined;
  const inner: Embedder = http ? createEmbedder(http, { env: {} }) : new HashEmbedder(384);
  const embedder = new TimedEmbedder(inner);
  const memory = new Memory(
    { dbPath, llm: null, embedder: http ?? null },
    { store, embedder, env: {}, cwd: dir },
  );
  const queryVectors = new HashEmbedder(384);
  try {
    const texts = syntheticTexts(size, size);
    const started = performance.now();
    for (let i = 0; i < size; i += ADD_BATCH) {
      const batch = texts.slice(i, i + ADD_BATCH).map((content) => ({ role: 'user', content }));
      await memory.add(batch, { userId: 'bench', infer: false, eventTime: '2024-01-01T00:00:00Z' });
      if ((i / ADD_BATCH) % 50 === 0) log(`  ${size.toLocaleString('en')}: ${i + batch.length} stored`);
    }
    const ingestSeconds = (performance.now() - started) / 1000;

    const full: number[] = [];
    const withEmbedding: number[] = [];
    const vector: number[] = [];
    const filter = { kind: 'scope' as const, field: 'user_id' as const, value: 'bench' };
    const warmup = options.warmupQueries;
    for (const [i, q] of [...warmup, ...queries].entries()) {
      const embedBefore = embedder.ms;
      const t0 = performance.now();
      await memory.search(q, { userId: 'bench', limit: 10 });
      const total = performance.now() - t0;
      const qv = Float32Array.from(queryVectors.vector(q));
      const t1 = performance.now();
      await store.vectorSearch(memory.tenant, qv, { filter, asOf: undefined, limit: 10 });
      const vms = performance.now() - t1;
      if (i < warmup.length) continue;
      withEmbedding.push(total);
      full.push(total - (embedder.ms - embedBefore));
      vector.push(vms);
    }
    return {
      memories: size,
      addPerSecond: Math.round(size / ingestSeconds),
      ingestSeconds: Math.round(ingestSeconds * 10) / 10,
      search: summarise(full),
      searchWithEmbedding: summarise(withEmbedding),
      vector: summarise(vector),
      queries: full.length,
    };
  } finally {
    await memory.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
