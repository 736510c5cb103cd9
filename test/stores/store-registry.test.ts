import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { createStore, knownStores, registerStore, storeSettings } from '../../src/stores/registry.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';

describe('store registry', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'engram-registry-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves the SQLite path from store.path, else dbPath', () => {
    expect(storeSettings({ dbPath: 'a.db', store: undefined })).toEqual({ provider: 'sqlite', path: 'a.db' });
    expect(storeSettings({ dbPath: 'a.db', store: { provider: 'sqlite', path: 'b.db' } })).toEqual({
      provider: 'sqlite',
      path: 'b.db',
    });
  });

  it('refuses an unknown provider, listing the known ones', async () => {
    await expect(createStore({ provider: 'mongo' })).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('sqlite'),
      details: { provider: 'mongo', known: expect.arrayContaining(['sqlite']) },
    });
    const memory = new Memory(
      { store: { provider: 'mongo' }, embedder: null, llm: null },
      { env: {}, cwd: dir },
    );
    await expect(memory.getAll({ userId: 'u' })).rejects.toMatchObject({ code: 'invalid_config' });
    await memory.close();
  });

  it('refuses a setting the backend does not use, by name', async () => {
    await expect(
      createStore({ provider: 'sqlite', path: join(dir, 'x.db'), url: 'postgres://x' }),
    ).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('store.url'),
    });
  });

  it('opens the configured store: config store.path, and ENGRAM_STORE / ENGRAM_DB from the environment', async () => {
    const path = join(dir, 'configured.db');
    const memory = new Memory(
      { store: { provider: 'sqlite', path }, embedder: null, llm: null },
      { env: {}, cwd: dir },
    );
    await memory.add('kept in the configured file', { userId: 'u', infer: false });
    await memory.close();
    expect(existsSync(path)).toBe(true);

    const fromEnv = new Memory(
      { embedder: null, llm: null },
      { env: { ENGRAM_STORE: 'SQLite', ENGRAM_DB: path }, cwd: dir },
    );
    expect((await fromEnv.getAll({ userId: 'u' })).results.map((m) => m.memory)).toEqual([
      'kept in the configured file',
    ]);
    await fromEnv.close();
    expect(
      () => new Memory({ store: { provider: 'sqlite', colour: 'red' } as never }, { env: {}, cwd: dir }),
    ).toThrow(/colour/);
  });

  it('uses a backend registered under a new name', async () => {
    const opened: string[] = [];
    registerStore('counting', async (settings) => {
      opened.push(settings.path ?? '');
      return new SqliteStore({ path: settings.path ?? ':memory:' });
    });
    expect(knownStores()).toContain('counting');
    const path = join(dir, 'counting.db');
    const memory = new Memory(
      { store: { provider: 'counting', path }, embedder: null, llm: null },
      { env: {}, cwd: dir },
    );
    await memory.add('through a registered backend', { userId: 'u', infer: false });
    expect((await memory.getAll({ userId: 'u' })).total).toBe(1);
    await memory.close();
    expect(opened).toEqual([path]);
  });
});
