import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/cli-in-process.js';
import { ensureCliBuilt, makeTempDir } from '../support/cli-runner.js';
import { type EngramServerProcess, startEngramServer } from '../support/engram-server-process.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';
import { type FakeQdrant, startFakeQdrant } from '../support/fake-qdrant.js';

/**
 * kill -9 of `engram serve` between the store's commit and the index's write: the writes are
 * acknowledged (committed with their outbox rows) while every request to Qdrant hangs, then the
 * process dies. A new process replays the outbox: the index converges on the store, and the
 * memory deleted before the kill does not come back.
 */

let ollama: FakeOllama;
let qdrant: FakeQdrant;
let tmp: ReturnType<typeof makeTempDir>;
const servers: EngramServerProcess[] = [];

beforeAll(async () => {
  await ensureCliBuilt();
  ollama = await startFakeOllama();
  qdrant = await startFakeQdrant();
  tmp = makeTempDir('engram-index-crash-');
}, 300_000);

afterAll(async () => {
  for (const server of servers) await server.kill9();
  await qdrant?.close();
  await ollama?.close();
  tmp?.remove();
});

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('derived index outbox across a kill -9', () => {
  it('a crash between the store commit and the index write loses nothing and resurrects nothing', async () => {
    const db = join(tmp.dir, 'crash.db');
    const env = {
      ENGRAM_LLM: 'none',
      ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
      OLLAMA_BASE_URL: ollama.url,
      ENGRAM_INDEX: 'qdrant',
      ENGRAM_INDEX_URL: qdrant.url,
      ENGRAM_INDEX_COLLECTION: 'crash',
    };
    const start = async () => {
      const server = await startEngramServer({ cwd: tmp.dir, env, args: ['--no-auth', '--db', db] });
      servers.push(server);
      return server;
    };
    const add = async (url: string, text: string) => {
      const res = await fetch(`${url}/memories`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ messages: text, user_id: 'alice', infer: false }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { results: { id: string }[] }).results[0]?.id ?? '';
    };
    const indexed = () => new Set(qdrant.points('crash').map((p) => String(p.payload.memory_id)));

    const first = await start();
    const before: string[] = [];
    for (let i = 0; i < 5; i++) before.push(await add(first.url, `alice fact number ${i}`));
    await until('the first five points', () => indexed().size === 5);

    // From here Qdrant takes requests and never answers: the feeder's writes hang in flight.
    const release = qdrant.hold();
    const after: string[] = [];
    for (let i = 5; i < 8; i++) after.push(await add(first.url, `alice fact number ${i}`));
    const deleted = before[0] ?? '';
    const res = await fetch(`${first.url}/memories/${deleted}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    await until('a write to the index in flight', () =>
      qdrant.requests.some((r) => r.method === 'PUT' && r.path.includes('/points')),
    );
    await first.kill9();
    // The acknowledged writes are in the file with their outbox rows.
    const pending = new Database(db, { readonly: true });
    const rows = pending.prepare('SELECT count(*) AS n FROM index_outbox').get() as { n: number };
    pending.close();
    expect(rows.n).toBeGreaterThan(0);
    release();

    const second = await start();
    const expected = new Set([...before.slice(1), ...after]);
    // The dead process's lease on the index runs out first (10 s), then the new one replays.
    await until(
      'the index to converge on the store',
      async () => {
        const ids = indexed();
        return ids.size === expected.size && [...expected].every((id) => ids.has(id));
      },
      40_000,
    );
    expect(indexed().has(deleted)).toBe(false);
    const status = await runInProcess(['index', 'status', '--json', '--db', db], env, tmp.dir);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual([
      expect.objectContaining({ name: 'qdrant', built: true, pending: 0, failures: 0, points: 7 }),
    ]);
    // Search goes through the index and never returns the deleted memory.
    const search = await fetch(`${second.url}/search`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'alice fact number 0', user_id: 'alice', limit: 10 }),
    });
    const found = (await search.json()) as { results: { id: string }[]; vector_index?: { used: boolean } };
    expect(found.vector_index).toEqual({ provider: 'qdrant', used: true });
    expect(found.results.map((r) => r.id)).not.toContain(deleted);
    await second.stop();
  }, 120_000);
});
