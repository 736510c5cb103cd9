import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { factFor, factPerMessage } from '../ingest/fact-per-message.js';
import { runInProcess } from '../support/cli-in-process.js';
import { ensureCliBuilt, makeTempDir } from '../support/cli-runner.js';
import { type EngramServerProcess, startEngramServer } from '../support/engram-server-process.js';
import { cosine, fakeEmbedding } from '../support/fake-embedding.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';

/**
 * kill -9 of a real `engram serve` while it writes, then a restart on the same file. The
 * complement of test/server/crash-recovery.test.ts, which kills the worker mid-extraction once
 * every add is queued: here the kill lands while adds are still arriving (and being answered),
 * and while API keys are being revoked. What a client was told before the kill must hold after
 * it; what it was not told may have happened or not, and the API must then agree with the file.
 */

let ollama: FakeOllama;
let tmp: ReturnType<typeof makeTempDir>;
let server: EngramServerProcess | undefined;

beforeAll(async () => {
  await ensureCliBuilt();
  ollama = await startFakeOllama();
  ollama.onChat(factPerMessage());
  tmp = makeTempDir('engram-faults-kill-');
}, 300_000);

afterEach(async () => {
  await server?.kill9();
  server = undefined;
});

afterAll(async () => {
  await ollama?.close();
  tmp?.remove();
});

const env = () => ({
  ENGRAM_LLM: 'ollama:llama3.2:3b',
  ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
  OLLAMA_BASE_URL: ollama.url,
});

function readDb<T>(file: string, fn: (db: Database.Database) => T): T {
  // Read-write, as engram opens it: the first connection after a kill -9 may have to recover the WAL.
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Runs `fn` over 0..n-1 with `concurrency` calls in flight. */
async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

describe('kill -9 while queued adds arrive', () => {
  const N = 40;
  const KILL_AFTER_ANSWERS = 12;
  const message = (i: number) => `queued fact ${i}`;

  it('every acknowledged add survives; a client that retries the rest with its keys gets each message processed exactly once', async () => {
    // Precondition: the facts are far apart for the fake embedder, so none merges with another.
    const vectors = Array.from({ length: N }, (_, i) => fakeEmbedding(factFor(message(i))));
    for (let a = 0; a < N; a++)
      for (let b = a + 1; b < N; b++) expect(cosine(vectors[a]!, vectors[b]!)).toBeLessThan(0.9);

    const db = join(tmp.dir, 'adds.db');
    const args = ['--no-auth', '--db', db, '--workers', '1', '--poll-ms', '20', '--lease-ms', '1000'];
    const start = () => startEngramServer({ cwd: tmp.dir, env: env(), args: [...args, '--rate', '100000'] });
    const post = (url: string, i: number) =>
      fetch(`${url}/memories`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          messages: [{ role: 'user', content: message(i) }],
          user_id: `user-${i % 3}`,
          async: true,
          idempotency_key: `add-${i}`,
        }),
      });

    server = await start();
    const victim = server;
    const acknowledged = new Map<number, string>();
    let killed: Promise<void> | undefined;
    await pool(N, 8, async (i) => {
      const res = await post(victim.url, i).catch(() => null);
      if (res === null) return; // sent to a dying or dead server: the client does not know
      expect(res.status, victim.output()).toBe(202);
      acknowledged.set(i, ((await res.json()) as { job_id: string }).job_id);
      if (acknowledged.size >= KILL_AFTER_ANSWERS) killed ??= victim.kill9();
    });
    await killed;
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER_ANSWERS);
    expect(acknowledged.size).toBeLessThan(N); // the kill did cut the burst short

    // Every add the server acknowledged was committed before its answer.
    const stored = new Set(readDb(db, (d) => d.prepare('SELECT id FROM jobs').pluck().all() as string[]));
    for (const jobId of acknowledged.values()) expect(stored.has(jobId)).toBe(true);

    server = await start();
    // The client retries what it was not told, and (as clients do) some of what it was.
    for (let i = 0; i < N; i++) {
      const first = acknowledged.get(i);
      if (first !== undefined && i % 4 !== 0) continue;
      const res = await post(server.url, i);
      expect(res.status, server.output()).toBe(202);
      const again = (await res.json()) as { job_id: string; created: boolean };
      if (first !== undefined) expect(again).toMatchObject({ job_id: first, created: false });
    }

    const deadline = Date.now() + 15_000;
    for (;;) {
      const open = readDb(db, (d) =>
        d.prepare("SELECT count(*) FROM jobs WHERE state IN ('pending', 'running')").pluck().get(),
      );
      if (open === 0) break;
      if (Date.now() > deadline) throw new Error(`${open} jobs still open:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await server.stop();
    server = undefined;

    const states = readDb(db, (d) => d.prepare('SELECT state FROM jobs').pluck().all() as string[]);
    expect(states).toEqual(Array.from({ length: N }, () => 'done'));
    const texts = readDb(
      db,
      (d) => d.prepare("SELECT text FROM memories WHERE state = 'active'").pluck().all() as string[],
    );
    expect(texts.sort()).toEqual(Array.from({ length: N }, (_, i) => factFor(message(i))).sort());
    const logged = readDb(db, (d) => d.prepare('SELECT content FROM messages').pluck().all() as string[]);
    expect(logged.sort()).toEqual(Array.from({ length: N }, (_, i) => message(i)).sort());
  }, 30_000);
});

describe('kill -9 while keys are revoked', () => {
  const K = 24;
  const ROUNDS = 2;

  it('after each restart a revoke happened or not, the API agrees with the file, and a revoked key never works', async () => {
    const db = join(tmp.dir, 'keys.db');
    const cliEnv = { ...env(), ENGRAM_DB: db };
    const admin = await runInProcess(
      ['keys', 'create', '--tenant', 'acme', '--admin', '--json'],
      cliEnv,
      tmp.dir,
    );
    expect(admin.code, admin.stderr).toBe(0);
    const adminKey = (JSON.parse(admin.stdout) as { key: string }).key;
    const start = () =>
      startEngramServer({
        cwd: tmp.dir,
        env: env(),
        args: ['--db', db, '--workers', '1', '--rate', '100000'],
      });
    const as = (key: string) => ({ Authorization: `Token ${key}` });

    server = await start();
    const keys: { id: string; key: string }[] = [];
    for (let i = 0; i < K; i++) {
      const res = await fetch(`${server.url}/keys`, {
        method: 'POST',
        headers: { ...as(adminKey), 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `k${i}` }),
      });
      expect(res.status, server.output()).toBe(201);
      keys.push((await res.json()) as { id: string; key: string });
    }

    const revokedInFile = () =>
      new Set(
        readDb(
          db,
          (d) => d.prepare('SELECT id FROM api_keys WHERE revoked_at IS NOT NULL').pluck().all() as string[],
        ),
      );
    const toldRevoked = new Set<string>();
    for (let round = 1; round <= ROUNDS; round++) {
      const victim = server;
      const batch = keys.filter((k) => !toldRevoked.has(k.id)).slice(0, K / ROUNDS);
      let answers = 0;
      let killed: Promise<void> | undefined;
      await pool(batch.length, 6, async (i) => {
        const { id } = batch[i]!;
        const res = await fetch(`${victim.url}/keys/${id}`, {
          method: 'DELETE',
          headers: as(adminKey),
        }).catch(() => null);
        if (res === null) return;
        expect(res.status, victim.output()).toBe(200);
        toldRevoked.add(id);
        // Killed with the other revokes of the batch still in flight.
        if (++answers === 4) killed ??= victim.kill9();
      });
      await killed;

      const inFile = revokedInFile();
      // A revoke the client was told about is in the file.
      for (const id of toldRevoked) expect(inFile.has(id)).toBe(true);

      server = await start();
      // The API agrees with the file, key by key: revoked means refused, otherwise it works.
      for (const { id, key } of keys) {
        const res = await fetch(`${server.url}/memories?user_id=probe`, { headers: as(key) });
        expect([id, res.status]).toEqual([id, inFile.has(id) ? 401 : 200]);
      }
      const listed = (await (await fetch(`${server.url}/keys`, { headers: as(adminKey) })).json()) as {
        results: { id: string; revoked_at: string | null }[];
      };
      for (const k of listed.results.filter((r) => keys.some((x) => x.id === r.id))) {
        expect([k.id, k.revoked_at !== null]).toEqual([k.id, inFile.has(k.id)]);
      }
      for (const id of inFile) toldRevoked.add(id);
    }
    expect(toldRevoked.size).toBeGreaterThanOrEqual(8);
  }, 30_000);
});
