import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewApiKey } from '../../src/spec/api-key.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { newMemory } from '../conformance/describe-store-conformance.js';
import { canFillDisk, withFullDisk } from '../support/file-limits.js';

const T = '2024-06-01T00:00:00.000Z';

const newKey = (hash: string): NewApiKey => ({
  id: randomUUID(),
  tenant: 't1',
  hash,
  prefix: hash.slice(0, 8),
  name: 'ops',
  userId: null,
  agentId: null,
  admin: true,
  at: T,
});

describe.skipIf(!canFillDisk())('SQLite writes whose commit fails (file size limit, via prlimit)', () => {
  let dir: string;
  let store: SqliteStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'engram-full-'));
    store = new SqliteStore({ path: join(dir, 'full.db') });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a key whose commit fails is a store_error, and no key was saved', async () => {
    const hash = 'a'.repeat(64);
    const outcome = await withFullDisk(() =>
      store.createApiKey(newKey(hash)).then(
        (record) => ({ record }),
        (error: unknown) => ({ error }),
      ),
    );
    expect(outcome).toMatchObject({ error: { name: 'MemoryError', code: 'store_error' } });
    expect(await store.findApiKey(hash)).toBeNull();
    expect(await store.listApiKeys('t1')).toEqual([]);
  });

  it('a revoke whose commit fails is a store_error, and the key still works', async () => {
    const hash = 'b'.repeat(64);
    const key = await store.createApiKey(newKey(hash));
    const outcome = await withFullDisk(() =>
      store.revokeApiKey('t1', key.id, T).then(
        (record) => ({ record }),
        (error: unknown) => ({ error }),
      ),
    );
    expect(outcome).toMatchObject({ error: { name: 'MemoryError', code: 'store_error' } });
    expect(await store.findApiKey(hash)).toMatchObject({ id: key.id, revokedAt: null });
  });

  it('jobs, meta, usage and memories fail the same way, and the store writes again once there is room', async () => {
    const attempts = await withFullDisk(async () => {
      const settle = (p: Promise<unknown>) =>
        p.then(
          () => 'saved',
          (error: unknown) =>
            (error as { code?: string; name?: string }).name === 'MemoryError'
              ? (error as { code: string }).code
              : `raw ${String(error)}`,
        );
      return {
        job: await settle(
          store.enqueueJob('t1', { id: randomUUID(), kind: 'add', payload: {}, maxAttempts: 3, runAt: T }, T),
        ),
        meta: await settle(store.setMeta('embedding_model', 'x:y')),
        usage: await settle(
          store.recordUsage(
            't1',
            { userId: 'u', agentId: null, runId: null },
            { llmCalls: 1, inputTokens: 1, outputTokens: 1, embedCalls: 1 },
            T,
          ),
        ),
        memory: await settle(store.insertMemories('t1', [newMemory('lost')])),
      };
    });
    expect(attempts).toEqual({
      job: 'store_error',
      meta: 'store_error',
      usage: 'store_error',
      memory: 'store_error',
    });
    expect(await store.getMeta('embedding_model')).toBeNull();
    expect(await store.listJobs('t1', { limit: 10 })).toEqual([]);

    const hash = 'c'.repeat(64);
    await store.createApiKey(newKey(hash));
    expect(await store.findApiKey(hash)).toMatchObject({ tenant: 't1' });
    expect((await store.stats()).health.ok).toBe(true);
  });
});
