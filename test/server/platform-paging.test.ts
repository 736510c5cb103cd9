import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/memory/access/issue-api-key.js';
import { Memory } from '../../src/memory/memory.js';
import { createApp } from '../../src/server/create-app.js';
import type { NewMemory, Store } from '../../src/spec/store.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { newMemory } from '../conformance/conformance-kit.js';
import { call } from './server-fixture.js';

const N = 20_000;
const AT = '2024-01-01T00:00:00.000Z';

function memory(i: number): NewMemory {
  return newMemory(`fact number ${i}`, { validFrom: AT, at: AT, embedding: null, embeddingModel: null });
}

interface PlatformPage {
  count: number;
  next: string | null;
  previous: string | null;
  results: { memory: string }[];
}

describe('POST /v3/memories/ pages with one store query, whatever the page number', () => {
  let dir: string;
  let real: SqliteStore;
  let memoryApi: Memory;
  let key: string;
  let app: ReturnType<typeof createApp>;
  /** listMemories calls the engine made: the store is wrapped by a recorder, not mocked. */
  let listCalls = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'engram-paging-'));
    real = new SqliteStore({ path: join(dir, 'engram.db') });
    await real.init();
    for (let start = 0; start < N; start += 5000) {
      await real.insertMemories(
        'A',
        Array.from({ length: 5000 }, (_, i) => memory(start + i)),
      );
    }
    const recording = new Proxy(real, {
      get(target, property) {
        if (property === 'listMemories') listCalls += 1;
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Store;
    memoryApi = new Memory(
      { dbPath: join(dir, 'engram.db'), embedder: null, llm: null, tenant: 'A' },
      { store: recording, env: {}, cwd: dir },
    );
    key = (await issueApiKey(real, { tenant: 'A' })).key;
    app = createApp({ memory: memoryApi });
  }, 120_000);

  afterAll(async () => {
    await memoryApi?.close();
    await real?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const page = async (query: string) => {
    listCalls = 0;
    const started = performance.now();
    const res = await call(app, 'POST', `/v3/memories/?${query}`, key, { filters: { user_id: 'alice' } });
    return { ...res, body: res.json as PlatformPage, ms: performance.now() - started };
  };

  it(`page ${N} of size 1 is the oldest memory, read with ONE listMemories call (before: ${N})`, async () => {
    const last = await page(`page=${N}&page_size=1`);
    expect(last.status).toBe(200);
    expect(last.body.count).toBe(N);
    expect(last.body.results.map((r) => r.memory)).toEqual(['fact number 0']);
    expect(last.body.next).toBeNull();
    expect(last.body.previous).toContain(`page=${N - 1}`);
    expect(listCalls).toBe(1);
    // Generous: one count and one indexed OFFSET scan take milliseconds (the walk took ~14 s).
    expect(last.ms).toBeLessThan(2000);
  });

  it('numbered pages agree with each other: no gaps, no overlap, newest first', async () => {
    const first = await page('page=1&page_size=3');
    expect(first.body.results.map((r) => r.memory)).toEqual([
      `fact number ${N - 1}`,
      `fact number ${N - 2}`,
      `fact number ${N - 3}`,
    ]);
    expect(first.body.next).toContain('page=2');
    expect(first.body.previous).toBeNull();
    const second = await page('page=2&page_size=3');
    expect(second.body.results.map((r) => r.memory)).toEqual([
      `fact number ${N - 4}`,
      `fact number ${N - 5}`,
      `fact number ${N - 6}`,
    ]);
    expect(listCalls).toBe(1);
  });

  it('a page past the end is empty, in one call', async () => {
    const beyond = await page(`page=${N + 1}&page_size=1`);
    expect(beyond.status).toBe(200);
    expect(beyond.body).toMatchObject({ count: N, next: null, results: [] });
    expect(listCalls).toBe(1);
  });

  it('refuses a page size over 1000 and a page number over 1,000,000 (400, nothing read)', async () => {
    const big = await page('page=1&page_size=1001');
    expect(big.status).toBe(400);
    const far = await page('page=1000001&page_size=1');
    expect(far.status).toBe(400);
    expect(listCalls).toBe(0);
  });
});
