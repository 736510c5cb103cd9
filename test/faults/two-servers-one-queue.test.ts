import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factFor, factPerMessage, promptKind } from '../ingest/fact-per-message.js';
import { ensureCliBuilt, makeTempDir } from '../support/cli-runner.js';
import { type EngramServerProcess, startEngramServer } from '../support/engram-server-process.js';
import { type FakeOllama, type OllamaChatBody, startFakeOllama } from '../support/fake-ollama.js';

/**
 * Two real `engram serve` processes share one database and its queue, and the LLM answers more
 * slowly than a lease lasts. Each job must still be extracted by one process only: the running
 * one renews its lease (heartbeat), so the other never claims it, and no job's memories are
 * written twice.
 */

const LEASE_MS = 1000;
const LLM_DELAY_MS = 3500; // three and a half leases
const JOBS = 3;

let ollama: FakeOllama;
let tmp: ReturnType<typeof makeTempDir>;
const servers: EngramServerProcess[] = [];
const extractions: string[] = [];

beforeAll(async () => {
  await ensureCliBuilt();
  ollama = await startFakeOllama();
  const answer = factPerMessage();
  ollama.onChat(async (request: OllamaChatBody) => {
    const reply = await answer(request);
    if (promptKind(request) !== 'extract') return reply;
    extractions.push(request.messages.map((m) => m.content).join('\n'));
    return { text: typeof reply === 'string' ? reply : JSON.stringify(reply), delayMs: LLM_DELAY_MS };
  });
  tmp = makeTempDir('engram-faults-two-');
}, 300_000);

afterAll(async () => {
  for (const server of servers) await server.kill9();
  await ollama?.close();
  tmp?.remove();
});

describe('two servers, one queue, an LLM slower than the lease', () => {
  it('runs every job once: extracted once, stored once, done', async () => {
    const db = join(tmp.dir, 'shared.db');
    const env = {
      ENGRAM_LLM: 'ollama:llama3.2:3b',
      ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
      OLLAMA_BASE_URL: ollama.url,
    };
    const args = [
      '--no-auth',
      '--db',
      db,
      '--workers',
      '1',
      '--poll-ms',
      '50',
      '--lease-ms',
      String(LEASE_MS),
    ];
    for (let i = 0; i < 2; i++) servers.push(await startEngramServer({ cwd: tmp.dir, env, args }));
    const message = (i: number) => `slow fact ${i}`;
    for (let i = 0; i < JOBS; i++) {
      const res = await fetch(`${servers[i % 2]!.url}/memories`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ messages: message(i), user_id: `user-${i}`, async: true }),
      });
      expect(res.status, servers[i % 2]!.output()).toBe(202);
    }

    const read = <T>(fn: (d: Database.Database) => T): T => {
      const d = new Database(db);
      try {
        return fn(d);
      } finally {
        d.close();
      }
    };
    const deadline = Date.now() + 25_000;
    for (;;) {
      const open = read(
        (d) => d.prepare("SELECT count(*) FROM jobs WHERE state <> 'done'").pluck().get() as number,
      );
      if (open === 0) break;
      if (Date.now() > deadline) {
        throw new Error(`${open} jobs not done:\n${servers.map((s) => s.output()).join('\n---\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Each job reached the LLM's extraction once (a second claim would have asked again).
    for (let i = 0; i < JOBS; i++) {
      expect(extractions.filter((prompt) => prompt.includes(message(i)))).toHaveLength(1);
    }
    const attempts = read((d) => d.prepare('SELECT attempts FROM jobs').pluck().all() as number[]);
    expect(attempts).toEqual(Array.from({ length: JOBS }, () => 1));
    const texts = read(
      (d) => d.prepare("SELECT text FROM memories WHERE state = 'active'").pluck().all() as string[],
    );
    expect(texts.sort()).toEqual(Array.from({ length: JOBS }, (_, i) => factFor(message(i))).sort());
  }, 60_000);
});
