import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { AccessRecorder } from '../../src/memory/search/access-recorder.js';
import type { Store } from '../../src/spec/store.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { canFillDisk, withFullDisk } from '../support/file-limits.js';

const T = '2024-06-01T00:00:00.000Z';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engram-access-'));
  path = join(dir, 'engram.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const openMemory = (deps: { store?: Store } = {}) =>
  new Memory({ dbPath: path, tenant: 't', embedder: null }, { env: {}, ...deps });

/** Two memories of alice, written through a Memory that is closed again. Returns the tea id. */
async function seed(): Promise<string> {
  const memory = openMemory();
  const added = await memory.add('Alice drinks green tea', { userId: 'alice', infer: false });
  await memory.add('Alice walks to work', { userId: 'alice', infer: false });
  await memory.forTenant('u').add('Bob drinks green tea', { userId: 'bob', infer: false });
  await memory.close();
  return added.results[0]!.id;
}

/** A real store whose recordAccess calls are written down (a recording wrapper, not a mock). */
function recording(store: Store): { store: Store; calls: { tenant: string; ids: string[] }[] } {
  const calls: { tenant: string; ids: string[] }[] = [];
  const wrapped = new Proxy(store, {
    get(target, property) {
      if (property === 'recordAccess') {
        return (tenant: string, ids: string[], at: string) => {
          calls.push({ tenant, ids: [...ids].sort() });
          return target.recordAccess(tenant, ids, at);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Store;
  return { store: wrapped, calls };
}

describe('access bookkeeping is off the request path', () => {
  it('a search on a full disk answers (before: the access write failed the search)', async () => {
    if (!canFillDisk()) return expect.fail('prlimit (util-linux) is needed for this test');
    const tea = await seed();
    const memory = openMemory();
    try {
      await memory.getAll({ userId: 'alice' }); // opened and migrated before the disk fills
      const found = await withFullDisk(() => memory.search('green tea', { userId: 'alice' }));
      expect(found.results.map((r) => r.id)).toEqual([tea]);
    } finally {
      await memory.close();
    }
  });

  it('searches write nothing; close() flushes them as one batch per tenant, and every hit counts', async () => {
    const tea = await seed();
    const real = new SqliteStore({ path });
    const { store, calls } = recording(real);
    const memory = openMemory({ store });
    for (let i = 0; i < 3; i++) await memory.search('green tea', { userId: 'alice' });
    await memory.forTenant('u').search('green tea', { userId: 'bob' });
    expect(calls).toEqual([]);

    await memory.close();
    expect(calls.map((c) => c.tenant).sort()).toEqual(['t', 'u']);
    expect(calls.find((c) => c.tenant === 't')?.ids).toEqual([tea, tea, tea]);
    expect(await real.getMemory('t', tea)).toMatchObject({ accessCount: 3 });
    await real.close();
  });
});

describe('AccessRecorder', () => {
  it('flushes on its own (unref’d) timer', async () => {
    const store = new SqliteStore({ path });
    await store.init();
    const [row] = await store.insertMemories('t', [
      {
        id: 'm1',
        userId: 'alice',
        agentId: null,
        runId: null,
        text: 'often recalled',
        hash: 'h1',
        metadata: {},
        importance: 0.5,
        memoryType: 'semantic',
        validFrom: T,
        embedding: null,
        embeddingModel: null,
        at: T,
      },
    ]);
    const recorder = new AccessRecorder(store, { intervalMs: 10 });
    recorder.record('t', [row!.record.id], T);
    recorder.record('t', [row!.record.id], T);
    expect(recorder.pending).toBe(2);
    for (let i = 0; i < 100 && recorder.pending > 0; i++) await new Promise((r) => setTimeout(r, 10));
    await recorder.flush();
    expect(await store.getMemory('t', 'm1')).toMatchObject({ accessCount: 2, lastAccessedAt: T });
    await recorder.close();
    await store.close();
  });

  it('counts a failed flush instead of throwing it, and keeps working', async () => {
    await seed();
    const readOnly = new SqliteStore({ path, readOnly: true });
    await readOnly.init();
    const recorder = new AccessRecorder(readOnly, { intervalMs: 60_000 });
    recorder.record('t', ['a', 'b'], T);
    await expect(recorder.flush()).resolves.toBeUndefined();
    expect(recorder.failures).toBe(1);
    expect(recorder.pending).toBe(0);
    recorder.record('t', ['c'], T);
    await recorder.close();
    expect(recorder.failures).toBe(2);
    recorder.record('t', ['d'], T); // after close: dropped, no timer left behind
    expect(recorder.pending).toBe(0);
    await readOnly.close();
  });
});
