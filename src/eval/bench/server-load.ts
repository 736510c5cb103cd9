import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { IngestWorker } from '../../ingest/ingest-worker.js';
import { Memory } from '../../memory/memory.js';
import { serve } from '../../server/serve.js';
import type { ChatModel, ChatRequest, ChatResponse } from '../../spec/chat-model.js';
import type { Embedder, EmbedResult } from '../../spec/embedder.js';

export interface ServerLoadOptions {
  /** Memories seeded for search, spread over `users` scopes (default 10,000). */
  memories?: number;
  /** How long search is driven, after a short warm-up (default 10 s). */
  durationMs?: number;
  /** Concurrent keep-alive HTTP clients (default 16). */
  concurrency?: number;
  /** Async adds queued over HTTP, then drained by the ingest worker (default 10,000). */
  queuedAdds?: number;
  /** Scopes the seeded memories and the queued adds are spread over (default 10). */
  users?: number;
}

export interface ServerLoadResult {
  memories: number;
  concurrency: number;
  durationMs: number;
  searches: number;
  searchesPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Search requests that failed or answered other than 200. */
  errors: number;
  queuedAdds: number;
  /** Wall time to queue every add over HTTP (202 each), and the rate. */
  enqueueMs: number;
  enqueuePerSecond: number;
  /** Add requests that failed or answered other than 202. */
  enqueueErrors: number;
  /** Wall time for the ingest worker to run every queued job. */
  drainMs: number;
  jobs: { pending: number; running: number; done: number; dead: number };
  /** Queued adds whose fact is not in the store afterwards (0 is the target). */
  lost: number;
}

/**
 * The server under load (issue 4): the app in this process on 127.0.0.1 with a zero-latency
 * in-process embedder and LLM, seeded with `memories`; `concurrency` keep-alive clients on a
 * worker thread (the load generator must not share the server's event loop) drive POST /search
 * for `durationMs`; then `queuedAdds` async adds are queued over HTTP and drained by the ingest
 * worker, and every add's fact is counted back. Targets: ≥ 500 searches/s with p95 ≤ 50 ms on
 * 2 cores; every queued add drained, none lost.
 */
export async function runServerLoad(options: ServerLoadOptions = {}): Promise<ServerLoadResult> {
  const memories = options.memories ?? 10_000;
  const durationMs = options.durationMs ?? 10_000;
  const concurrency = options.concurrency ?? 16;
  const queuedAdds = options.queuedAdds ?? 10_000;
  const users = options.users ?? 10;
  const dir = mkdtempSync(join(tmpdir(), 'engram-load-'));
  const memory = new Memory(
    { dbPath: join(dir, 'engram.db'), embedder: null, llm: null },
    { embedder: new FnvEmbedder(), llm: [new FactPerMessageChat()], env: {}, cwd: dir },
  );
  const server = await serve({ memory, host: '127.0.0.1', port: 0, auth: false, rateLimit: null });
  try {
    const words = vocabulary(2000, 7);
    const random = mulberry32(42);
    const sentence = (n: number) =>
      Array.from({ length: n }, () => words[Math.floor(random() * words.length)]!).join(' ');
    for (let seeded = 0; seeded < memories; ) {
      const n = Math.min(200, memories - seeded);
      const messages = Array.from({ length: n }, () => ({ role: 'user', content: sentence(10) }));
      await memory.add(messages, { userId: `search-${(seeded / 200) % users}`, infer: false });
      seeded += n;
    }
    const queries = Array.from({ length: 500 }, () => sentence(3));
    const searchData: DriveData = { url: server.url, concurrency, kind: 'search', queries, users };

    await drive({ ...searchData, durationMs: Math.min(1000, durationMs) }); // warm-up: JIT, page cache
    const search = await drive({ ...searchData, durationMs });
    const sorted = Array.from(search.latencies).sort((a, b) => a - b);

    const enqueue = await drive({ url: server.url, concurrency, kind: 'add', total: queuedAdds, users });
    const started = performance.now();
    await new IngestWorker(memory, { concurrency: 2, batchSize: 64 }).drain();
    const drainMs = performance.now() - started;

    const counts = await memory.queue.jobCounts(null);
    let stored = 0;
    for (let u = 0; u < users; u++) {
      stored += (await memory.getAll({ userId: `queue-${u}`, limit: 1 })).total ?? 0;
    }
    return {
      memories,
      concurrency,
      durationMs,
      searches: sorted.length,
      searchesPerSecond: round((sorted.length * 1000) / search.elapsedMs),
      p50Ms: round(percentile(sorted, 0.5)),
      p95Ms: round(percentile(sorted, 0.95)),
      p99Ms: round(percentile(sorted, 0.99)),
      errors: search.errors,
      queuedAdds,
      enqueueMs: Math.round(enqueue.elapsedMs),
      enqueuePerSecond: round((queuedAdds * 1000) / enqueue.elapsedMs),
      enqueueErrors: enqueue.errors,
      drainMs: Math.round(drainMs),
      jobs: { pending: counts.pending, running: counts.running, done: counts.done, dead: counts.dead },
      lost: queuedAdds - stored,
    };
  } finally {
    await server.close();
    await memory.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface DriveData {
  url: string;
  concurrency: number;
  kind: 'search' | 'add';
  users: number;
  durationMs?: number;
  total?: number;
  queries?: string[];
}

interface DriveResult {
  latencies: Float64Array;
  errors: number;
  elapsedMs: number;
  firstError: string | null;
}

/**
 * The load generator, run on a worker thread: `concurrency` lanes, each a loop of requests over
 * fetch's keep-alive pool. Searches run until `durationMs`; adds until `total` were sent.
 */
const DRIVER = `
const { parentPort, workerData: d } = require('node:worker_threads');
const latencies = [];
let errors = 0, next = 0, firstError = null;
const deadline = performance.now() + (d.durationMs ?? 0);
function request() {
  if (d.kind === 'search') {
    if (performance.now() >= deadline) return null;
    const i = next++;
    return ['/search', { query: d.queries[i % d.queries.length], user_id: 'search-' + (i % d.users), limit: 10 }];
  }
  const i = next++;
  if (i >= d.total) return null;
  const content = 'note n' + i + 'a n' + i + 'b n' + i + 'c n' + i + 'd';
  return ['/memories', { messages: [{ role: 'user', content }], user_id: 'queue-' + (i % d.users),
    async: true, idempotency_key: 'load-' + i }];
}
async function lane() {
  for (let r = request(); r !== null; r = request()) {
    const t = performance.now();
    try {
      const res = await fetch(d.url + r[0], { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify(r[1]) });
      const text = await res.text();
      if (res.status !== (d.kind === 'search' ? 200 : 202)) { errors++; firstError ??= res.status + ' ' + text.slice(0, 300); }
    } catch (e) { errors++; firstError ??= String(e); }
    latencies.push(performance.now() - t);
  }
}
const started = performance.now();
Promise.all(Array.from({ length: d.concurrency }, lane)).then(() => {
  parentPort.postMessage({ latencies: Float64Array.from(latencies), errors, firstError,
    elapsedMs: performance.now() - started });
});
`;

function drive(data: DriveData): Promise<DriveResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(DRIVER, { eval: true, workerData: data });
    worker.once('message', (result: DriveResult) => {
      void worker.terminate();
      if (result.firstError) process.stderr.write(`server-load ${data.kind}: ${result.firstError}\n`);
      resolve(result);
    });
    worker.once('error', reject);
  });
}

/** A deterministic, zero-latency bag-of-words embedder (hashed into 256 signed buckets). */
class FnvEmbedder implements Embedder {
  readonly id = 'bench:fnv-bow-256';
  readonly maxEmbeddingsPerCall = 4096;
  readonly dimensions = 256;

  async embed(texts: string[]): Promise<EmbedResult> {
    return { embeddings: texts.map((t) => this.#vector(t)) };
  }

  #vector(text: string): number[] {
    const v = new Array<number>(this.dimensions).fill(0);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [text]) {
      const h = hashWord(word);
      v[h % this.dimensions]! += h & 0x80000000 ? 1 : -1;
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  }
}

/**
 * A zero-latency LLM: extraction turns every new user message into one fact ("Noted: <message>"),
 * reconciliation ADDs every new fact. It answers by the property the request's JSON schema asks for.
 */
class FactPerMessageChat implements ChatModel {
  readonly id = 'bench:fact-per-message';

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const properties = (request.schema?.schema as { properties?: Record<string, unknown> } | undefined)
      ?.properties;
    const prompt = request.messages.at(-1)?.content ?? '';
    let text = '{}';
    if (properties?.facts) {
      const facts = section(prompt, 'NEW MESSAGES:')
        .filter((line) => line.startsWith('user: '))
        .map((line) => ({
          text: `Noted: ${line.slice(6)}`,
          importance: 0.5,
          category: 'other',
          event_date: null,
        }));
      // Single-pass (the default) asks for the operations in the same reply: every fact is new.
      const operations = facts.map((_, fact) => ({ event: 'ADD', fact }));
      text = JSON.stringify(properties.operations ? { facts, operations } : { facts });
    } else if (properties?.operations) {
      const count = section(prompt, 'NEW FACTS:').filter((line) => /^\d+: /.test(line)).length;
      text = JSON.stringify({
        operations: Array.from({ length: count }, (_, fact) => ({ event: 'ADD', fact })),
      });
    }
    return {
      text,
      model: this.id,
      usage: {
        inputTokens: Math.ceil(prompt.length / 4),
        outputTokens: Math.ceil(text.length / 4),
        reported: false,
      },
    };
  }
}

/** The lines of one prompt section ("NEW MESSAGES:"), up to the next blank line. */
function section(prompt: string, heading: string): string[] {
  const start = prompt.indexOf(`${heading}\n`);
  if (start < 0) return [];
  const rest = prompt.slice(start + heading.length + 1);
  const end = rest.indexOf('\n\n');
  return (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((line) => line.trim() !== '');
}

/** FNV-1a, then murmur3's finaliser: FNV's low bits alone barely tell "n600a" from "n150a". */
function hashWord(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` pronounceable made-up words, deterministic for a seed. */
function vocabulary(size: number, seed: number): string[] {
  const random = mulberry32(seed);
  const consonants = 'bcdfghjklmnprstvz';
  const vowels = 'aeiou';
  const words = new Set<string>();
  while (words.size < size) {
    let w = '';
    const syllables = 2 + Math.floor(random() * 2);
    for (let s = 0; s < syllables; s++) {
      w +=
        consonants[Math.floor(random() * consonants.length)]! + vowels[Math.floor(random() * vowels.length)]!;
    }
    words.add(w);
  }
  return [...words];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** `node dist/eval/bench/server-load.js [--memories n] [--duration-ms n] [--concurrency n] [--queued-adds n]` */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flag = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : undefined;
  };
  runServerLoad({
    memories: flag('memories'),
    durationMs: flag('duration-ms'),
    concurrency: flag('concurrency'),
    queuedAdds: flag('queued-adds'),
    users: flag('users'),
  }).then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(
        `server-load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
