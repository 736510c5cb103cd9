import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Memory } from '../../memory/memory.js';
import type { Store } from '../../spec/store.js';
import { PostgresStore } from '../../stores/postgres/pg-store.js';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';
import { HashEmbedder } from './hash-embedder.js';
import { benchQueries, type LatencySummary, summarise } from './latency-stats.js';
import { syntheticTexts } from './synthetic-text.js';
import { TimedEmbedder } from './timed-embedder.js';

const BATCH = 200;

export interface StoreScopeJob {
  store: 'sqlite' | 'postgres';
  /** PostgreSQL: server URL and a schema of its own (dropped by the parent). */
  url?: string;
  schema?: string;
  scope: number;
  background: number;
  users: number;
  queries: number;
  warmupQueries: number;
}

export interface StoreScopeFigures {
  store: 'sqlite' | 'postgres';
  scopeMemories: number;
  databaseMemories: number;
  users: number;
  /** memory.add with infer:false (batches of 200, embedding included) into the big scope. */
  addPerSecond: number;
  /** The background load (same path; on PostgreSQL with the HNSW index built after it). */
  backgroundPerSecond: number;
  /** PostgreSQL: building the HNSW index over the background's vectors once (null: SQLite). */
  indexBuildSeconds: number | null;
  loadSeconds: number;
  /** memory.search in the big scope, minus the query embedding. */
  search: LatencySummary;
  /** store.vectorSearch alone in the same scope. */
  vector: LatencySummary;
  /** Peak resident memory of this (child) process: the engram process. */
  peakRssMiB: number;
}

/**
 * One store under one load, in a process of its own so its peak memory is its own: `background`
 * memories over `users` users, then `scope` memories of one user ('bench'), all through
 * memory.add (infer:false); then searches in the big scope. Run as
 * `node store-scope-child.js '<job json>'`; prints the figures as JSON on stdout.
 */
export async function runStoreScope(job: StoreScopeJob): Promise<StoreScopeFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'engram-store-bench-'));
  const store: Store =
    job.store === 'postgres'
      ? new PostgresStore({ url: job.url!, schema: job.schema!, pool: 4 })
      : new SqliteStore({ path: join(dir, 'bench.db') });
  const embedder = new TimedEmbedder(new HashEmbedder(384));
  const memory = new Memory({ llm: null, embedder: null }, { store, embedder, env: {}, cwd: dir });
  try {
    const texts = syntheticTexts(job.background + job.scope, 7);
    const started = performance.now();
    const perUser = Math.max(1, Math.ceil(job.background / job.users));
    const hnsw = store instanceof PostgresStore ? store.vectorIndex : null;
    let indexBuildSeconds: number | null = null;
    for (let i = 0; i < job.background; i += Math.min(BATCH, perUser)) {
      const n = Math.min(BATCH, perUser, job.background - i);
      const user = `u-${Math.floor(i / perUser) % job.users}`;
      await memory.add(
        texts.slice(i, i + n).map((content) => ({ role: 'user', content })),
        { userId: user, infer: false, eventTime: '2024-01-01T00:00:00Z' },
      );
      // The first add fixed the vector width (and made the index): load the rest without it.
      if (i === 0) await hnsw?.drop();
    }
    if (hnsw) {
      const t = performance.now();
      await hnsw.build();
      indexBuildSeconds = Math.round((performance.now() - t) / 100) / 10;
    }
    const backgroundSeconds = (performance.now() - started) / 1000 - (indexBuildSeconds ?? 0);
    const scopeStarted = performance.now();
    for (let i = 0; i < job.scope; i += BATCH) {
      const from = job.background + i;
      await memory.add(
        texts
          .slice(from, from + Math.min(BATCH, job.scope - i))
          .map((content) => ({ role: 'user', content })),
        { userId: 'bench', infer: false, eventTime: '2024-01-01T00:00:00Z' },
      );
    }
    const scopeSeconds = (performance.now() - scopeStarted) / 1000;
    const loadSeconds = (performance.now() - started) / 1000;
    const all = benchQueries(job.queries + job.warmupQueries, syntheticTexts);
    const vectors = new HashEmbedder(384);
    const filter = { kind: 'scope' as const, field: 'user_id' as const, value: 'bench' };
    const search: number[] = [];
    const vector: number[] = [];
    for (const [i, q] of all.entries()) {
      const before = embedder.ms;
      const t0 = performance.now();
      await memory.search(q, { userId: 'bench', limit: 10 });
      const total = performance.now() - t0 - (embedder.ms - before);
      const qv = Float32Array.from(vectors.vector(q));
      const t1 = performance.now();
      await store.vectorSearch(memory.tenant, qv, { filter, limit: 10 });
      const v = performance.now() - t1;
      if (i < job.warmupQueries) continue;
      search.push(total);
      vector.push(v);
    }
    const total = job.background + job.scope;
    return {
      store: job.store,
      scopeMemories: job.scope,
      databaseMemories: total,
      users: job.users + 1,
      addPerSecond: Math.round(job.scope / scopeSeconds),
      backgroundPerSecond: Math.round(job.background / Math.max(backgroundSeconds, 0.001)),
      indexBuildSeconds,
      loadSeconds: Math.round(loadSeconds * 10) / 10,
      search: summarise(search),
      vector: summarise(vector),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await memory.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '') && process.argv[2]) {
  runStoreScope(JSON.parse(process.argv[2]) as StoreScopeJob).then(
    (figures) => process.stdout.write(`${JSON.stringify(figures)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
