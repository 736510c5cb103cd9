import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopedIdempotencyKey } from '../../src/memory/jobs/enqueue-add.js';
import { factFor, factPerMessage, promptKind } from '../ingest/fact-per-message.js';
import { closedPortUrl, ensureCliBuilt, makeTempDir } from '../support/cli-runner.js';
import { cosine, fakeEmbedding } from '../support/fake-embedding.js';
import { type FakeOllama, type OllamaChatBody, startFakeOllama } from '../support/fake-ollama.js';

const BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin', 'engram.js');
const N = 60;
/** The server is killed during an extraction call, once all adds are queued and this many ran. */
const KILL_AFTER_EXTRACTIONS = 3;

const message = (i: number) => `fact number ${i}`;
const key = (i: number) => `msg-${i}`;
const user = (i: number) => `user-${i % 3}`;

let ollama: FakeOllama;
let tmp: ReturnType<typeof makeTempDir>;
let server: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  await ensureCliBuilt();
  ollama = await startFakeOllama();
  tmp = makeTempDir('engram-crash-');
}, 120_000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await ollama?.close();
  tmp?.remove();
});

/** `engram serve` on `port` as a child process: one worker, a fast poll and a 1 s lease. */
async function startServer(url: string): Promise<ChildProcess> {
  const port = new URL(url).port;
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--no-auth',
      '--port',
      port,
      '--db',
      join(tmp.dir, 'engram.db'),
      '--workers',
      '1',
      '--batch',
      '8',
      '--poll-ms',
      '20',
      '--lease-ms',
      '1000',
      '--rate',
      '100000',
    ],
    {
      cwd: tmp.dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tmp.dir,
        ENGRAM_LLM: 'ollama:llama3.2:3b',
        ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
        OLLAMA_BASE_URL: ollama.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`engram serve exited (${child.exitCode}):\n${output}`);
    const up = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return child;
    if (Date.now() > deadline) throw new Error(`engram serve did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function postAdd(url: string, i: number): Promise<{ job_id: string; created: boolean }> {
  const res = await fetch(`${url}/memories`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      messages: [{ role: 'user', content: message(i) }],
      user_id: user(i),
      async: true,
      idempotency_key: key(i),
    }),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { job_id: string; created: boolean };
}

/** Runs `fn` over 0..n-1 with `concurrency` requests in flight. */
async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

function readDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(join(tmp.dir, 'engram.db'));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const jobStates = () =>
  readDb((db) =>
    Object.fromEntries(
      (
        db.prepare('SELECT state, count(*) AS n FROM jobs GROUP BY state').all() as {
          state: string;
          n: number;
        }[]
      ).map((r) => [r.state, r.n]),
    ),
  );

describe('crash recovery: kill -9 while ingesting', () => {
  it('processes every queued message exactly once after a restart', async () => {
    // Precondition: the facts are far apart for the fake embedder, so none is merged as a near-duplicate.
    const vectors = Array.from({ length: N }, (_, i) => fakeEmbedding(factFor(message(i))));
    for (let a = 0; a < N; a++)
      for (let b = a + 1; b < N; b++) expect(cosine(vectors[a]!, vectors[b]!)).toBeLessThan(0.9);

    const url = await closedPortUrl();
    let extractions = 0;
    let armed = false;
    let killed: Promise<void> | undefined;
    const answer = factPerMessage(40);
    ollama.onChat((body: OllamaChatBody) => {
      if (promptKind(body) !== 'extract') return answer(body);
      extractions += 1;
      if (armed && !killed && extractions >= KILL_AFTER_EXTRACTIONS && server) {
        const victim = server;
        killed = new Promise((resolve) => victim.once('exit', () => resolve()));
        victim.kill('SIGKILL');
      }
      return answer(body);
    });

    server = await startServer(url);
    const first = await pool(N, 8, (i) => postAdd(url, i));
    expect(first.every((q) => q.created)).toBe(true);
    expect(new Set(first.map((q) => q.job_id)).size).toBe(N);
    // Clients retry some requests: the same idempotency key returns the same job.
    const again = await pool(10, 4, (i) => postAdd(url, i * 6));
    for (const [j, q] of again.entries())
      expect(q).toMatchObject({ job_id: first[j * 6]!.job_id, created: false });
    armed = true;

    const deadline = Date.now() + 20_000;
    while (killed === undefined) {
      if (Date.now() > deadline) throw new Error(`the kill point was never reached:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await killed;
    const atCrash = jobStates();
    expect(atCrash.running ?? 0).toBeGreaterThan(0); // a lease was held by the dead process
    expect(atCrash.done ?? 0).toBeLessThan(N);

    server = await startServer(url);
    // A client retrying after the restart still gets its first job back.
    expect(await postAdd(url, 12)).toMatchObject({ job_id: first[12]!.job_id, created: false });
    const drained = Date.now() + 30_000;
    for (;;) {
      const states = jobStates();
      if ((states.pending ?? 0) + (states.running ?? 0) === 0) break;
      if (Date.now() > drained) throw new Error(`jobs not drained: ${JSON.stringify(states)}\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const q of [first[0]!, first[N - 1]!]) {
      const res = await fetch(`${url}/jobs/${q.job_id}`);
      expect(((await res.json()) as { state: string }).state).toBe('done');
    }
    const stopped = new Promise<void>((resolve) => server!.once('exit', () => resolve()));
    server.kill('SIGTERM');
    await stopped;
    server = undefined;

    const jobs = readDb((db) => db.prepare('SELECT idempotency_key AS k, state FROM jobs').all()) as {
      k: string;
      state: string;
    }[];
    expect(jobs).toHaveLength(N);
    expect(jobs.filter((j) => j.state === 'done')).toHaveLength(N);
    // Idempotency keys are stored qualified by the scope they were sent for.
    const stored = (i: number) =>
      scopedIdempotencyKey({ userId: user(i), agentId: null, runId: null }, key(i));
    expect(new Set(jobs.map((j) => j.k))).toEqual(new Set(Array.from({ length: N }, (_, i) => stored(i))));

    const memories = readDb((db) => db.prepare("SELECT text FROM memories WHERE state = 'active'").all()) as {
      text: string;
    }[];
    expect(memories.map((m) => m.text).sort()).toEqual(
      Array.from({ length: N }, (_, i) => factFor(message(i))).sort(),
    );

    const logged = readDb((db) => db.prepare('SELECT content FROM messages').all()) as { content: string }[];
    expect(logged.map((m) => m.content).sort()).toEqual(
      Array.from({ length: N }, (_, i) => message(i)).sort(),
    );
  }, 60_000);
});
