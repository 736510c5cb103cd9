import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelUsage } from '../../src/memory/observe/memory-observation.js';
import { factFor } from '../ingest/fact-per-message.js';
import { ensureCliBuilt, makeTempDir } from '../support/cli-runner.js';
import { type EngramServerProcess, startEngramServer } from '../support/engram-server-process.js';
import { cosine, fakeEmbedding } from '../support/fake-embedding.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';
import { isWindowRequest, windowReplyFor } from '../support/observe-window-reply.js';

/**
 * kill -9 of a real `engram serve` while an observation window is in flight: the LLM holds the
 * window's call, more messages of the channel are acknowledged meanwhile, then the process dies.
 * Restarted on the same file with the LLM answering, the window's job is taken over once its
 * lease runs out, and every acknowledged message is extracted exactly once: each fact is in its
 * speaker's scope once, none is lost, and the usage counts each message in one window.
 */

let ollama: FakeOllama;
let tmp: ReturnType<typeof makeTempDir>;
const servers: EngramServerProcess[] = [];

beforeAll(async () => {
  await ensureCliBuilt();
  ollama = await startFakeOllama();
  ollama.onChat((body) =>
    isWindowRequest(body.format) ? windowReplyFor(body.messages.at(-1)?.content ?? '') : '{}',
  );
  tmp = makeTempDir('engram-observe-kill-');
  // Small windows: four waiting messages make a window due at once.
  writeFileSync(
    join(tmp.dir, 'engram.config.json'),
    JSON.stringify({ observe: { windowMessages: 4, windowMinutes: 10 } }),
  );
}, 300_000);

afterEach(async () => {
  for (const server of servers.splice(0)) await server.kill9();
});

afterAll(async () => {
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

function readDb<T>(file: string, fn: (db: Database.Database) => T): T {
  // Read-write, as engram opens it: the first connection after a kill -9 may have to recover the WAL.
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const HOBBIES = [
  'kayaking',
  'pottery',
  'chess',
  'gardening',
  'climbing',
  'baking',
  'cycling',
  'origami',
  'fencing',
];
const SPEAKERS = ['u-ana', 'u-bo', 'u-cy'];

/** Ten messages: nine that each carry a fact, and one chatter the screen keeps from the LLM. */
const MESSAGES = [
  ...HOBBIES.map((hobby, i) => ({
    id: `m${i + 1}`,
    speaker_id: SPEAKERS[i % 3]!,
    speaker_name: SPEAKERS[i % 3]!.slice(2),
    content: `I spent the weekend ${hobby} with friends`,
  })),
  { id: 'm10', speaker_id: 'u-bo', content: 'lol' },
];

describe('kill -9 during an observation window', () => {
  it('every acknowledged message is extracted exactly once after a restart', async () => {
    // Precondition: the facts are far apart for the fake embedder, so none merges with another.
    const facts = HOBBIES.map((_, i) => factFor(MESSAGES[i]!.content));
    for (let a = 0; a < facts.length; a++)
      for (let b = a + 1; b < facts.length; b++)
        expect(cosine(fakeEmbedding(facts[a]!), fakeEmbedding(facts[b]!))).toBeLessThan(0.9);

    const db = join(tmp.dir, 'observe.db');
    const env = {
      ENGRAM_LLM: 'ollama:llama3.2:3b',
      ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
      OLLAMA_BASE_URL: ollama.url,
    };
    const start = async () => {
      const server = await startEngramServer({
        cwd: tmp.dir,
        env,
        args: ['--no-auth', '--db', db, '--workers', '1', '--poll-ms', '50', '--lease-ms', '2000'],
      });
      servers.push(server);
      return server;
    };
    const observe = async (server: EngramServerProcess, messages: typeof MESSAGES) => {
      const res = await fetch(`${server.url}/observe`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel_id: 'general', messages }),
      });
      expect(res.status, server.output()).toBe(200);
      return (await res.json()) as { logged: number; pending: number };
    };
    const windowCalls = () =>
      ollama.requestsTo('/api/chat').filter((r) => isWindowRequest((r.body as { format?: unknown }).format));

    const first = await start();
    // From here the LLM takes requests and never answers: the first window hangs in flight.
    const release = ollama.hold();
    expect(await observe(first, MESSAGES.slice(0, 4))).toMatchObject({ logged: 4, pending: 4 });
    await until('the first window to call the LLM', () => windowCalls().length === 1);
    // Acknowledged while the window is in flight: logged, waiting behind the window.
    expect(await observe(first, MESSAGES.slice(4, 8))).toMatchObject({ logged: 4 });
    expect(await observe(first, MESSAGES.slice(8))).toMatchObject({ logged: 2 });
    await first.kill9();
    release();

    // Every acknowledged message is in the file; nothing was extracted yet.
    expect(readDb(db, (d) => d.prepare('SELECT count(*) FROM messages').pluck().get())).toBe(10);
    expect(readDb(db, (d) => d.prepare('SELECT count(*) FROM memories').pluck().get())).toBe(0);
    const held = JSON.stringify(windowCalls()[0]?.body);
    expect(held).toContain('kayaking');
    expect(held).not.toContain('climbing');

    const second = await start();
    // The dead process's lease runs out (2 s), then the window runs again, with every message.
    await until(
      'the observe job to finish',
      () =>
        readDb(db, (d) =>
          d.prepare("SELECT count(*) FROM jobs WHERE state IN ('pending', 'running')").pluck().get(),
        ) === 0,
    );
    expect(readDb(db, (d) => d.prepare('SELECT state FROM jobs').pluck().all())).toEqual(['done']);

    const rows = readDb(
      db,
      (d) =>
        d.prepare("SELECT user_id, run_id, text, metadata FROM memories WHERE state = 'active'").all() as {
          user_id: string;
          run_id: string;
          text: string;
          metadata: string;
        }[],
    );
    const extracted = rows
      .map((r) => ({
        user: r.user_id,
        run: r.run_id,
        text: r.text,
        ids: (JSON.parse(r.metadata) as { message_ids: string[] }).message_ids,
      }))
      .sort((a, b) => Number(a.ids[0]?.slice(1)) - Number(b.ids[0]?.slice(1)));
    expect(extracted).toEqual(
      HOBBIES.map((_, i) => ({
        user: MESSAGES[i]!.speaker_id,
        run: 'general',
        text: facts[i],
        ids: [MESSAGES[i]!.id],
      })),
    );

    const usage = (await (await fetch(`${second.url}/observe/general/usage`)).json()) as ChannelUsage;
    expect(usage.total).toMatchObject({ messages: 10, skipped: 1, facts: 9 });
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toMatch(/^engram_observe_windows_total [1-9]/m);
    // A replay after the restart logs nothing and schedules nothing.
    expect(await observe(second, MESSAGES)).toMatchObject({ logged: 0, pending: 0 });
    await second.stop();
  }, 60_000);
});
