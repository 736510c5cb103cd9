import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueApiKey } from '../../src/memory/access/issue-api-key.js';
import { Memory } from '../../src/memory/memory.js';
import { type AppOptions, createApp } from '../../src/server/create-app.js';
import type { ChatModel } from '../../src/spec/chat-model.js';
import type { Embedder } from '../../src/spec/embedder.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { fakeEmbedding } from '../support/fake-embedding.js';

export const fakeEmbedder: Embedder = {
  id: 'fake:bag-of-words',
  maxEmbeddingsPerCall: 64,
  dimensions: 64,
  embed: async (texts) => ({ embeddings: texts.map((t) => fakeEmbedding(t)) }),
};

export interface ServerFixture {
  memory: Memory;
  store: SqliteStore;
  dir: string;
  keys: { adminA: string; userA: string; pinnedAlice: string; adminB: string };
  app: ReturnType<typeof createApp>;
  cleanup(): Promise<void>;
}

/**
 * One engine on a temp SQLite file, keys for tenants A and B, and the app over it. `llm` gives the
 * engine chat models (queued adds need one); no worker runs, so queued jobs stay pending.
 */
export async function serverFixture(
  options: Omit<AppOptions, 'memory'> & { llm?: ChatModel[] } = {},
): Promise<ServerFixture> {
  const { llm, ...appOptions } = options;
  const dir = mkdtempSync(join(tmpdir(), 'engram-server-'));
  const store = new SqliteStore({ path: join(dir, 'engram.db') });
  const memory = new Memory(
    { dbPath: join(dir, 'engram.db'), embedder: null, llm: null },
    { store, embedder: fakeEmbedder, env: {}, cwd: dir, ...(llm === undefined ? {} : { llm }) },
  );
  await memory.store();
  const keys = {
    adminA: (await issueApiKey(store, { tenant: 'A', admin: true })).key,
    userA: (await issueApiKey(store, { tenant: 'A' })).key,
    pinnedAlice: (await issueApiKey(store, { tenant: 'A', userId: 'alice' })).key,
    adminB: (await issueApiKey(store, { tenant: 'B', admin: true })).key,
  };
  const app = createApp({ memory, ...appOptions });
  return {
    memory,
    store,
    dir,
    keys,
    app,
    cleanup: async () => {
      app.dispose();
      await memory.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A JSON request through the app, with `Authorization: Token <key>` as mem0 clients send it. */
export async function call(
  app: ServerFixture['app'],
  method: string,
  path: string,
  key: string | null,
  body?: unknown,
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await app.request(path, {
    method,
    headers: {
      ...(key === null ? {} : { Authorization: `Token ${key}` }),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (metrics, docs)
  }
  return { status: res.status, json, headers: res.headers };
}
