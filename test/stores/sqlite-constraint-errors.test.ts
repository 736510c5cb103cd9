import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryError } from '../../src/spec/memory-error.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';

const T = '2024-01-01T00:00:00.000Z';

describe('a unique key SQLite refuses', () => {
  let dir: string;
  let store: SqliteStore;
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a conflict that says what collided, not "UNIQUE constraint failed" (before: store_error with SQLite\u2019s words)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'engram-unique-'));
    store = new SqliteStore({ path: join(dir, 'engram.db') });
    await store.init();
    const key = { id: 'k1', tenant: 't', hash: 'h1', prefix: 'engram_x', admin: false, at: T };
    await store.createApiKey(key);
    const error = await store.createApiKey({ ...key, hash: 'h2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemoryError);
    expect(error).toMatchObject({
      code: 'conflict',
      category: 'conflict',
      details: { constraint: 'api_keys' },
    });
    expect((error as MemoryError).message).toContain('collides with an API key already saved');
    expect((error as MemoryError).message).not.toMatch(/UNIQUE|SQLite|engram\.db/);
    expect(await store.listApiKeys('t')).toHaveLength(1);
  });
});
