import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/memory/filters/parse-filter.js';
import { Memory } from '../../src/memory/memory.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/stores/sqlite/migrations.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { axisVector, newMemory } from '../conformance/describe-store-conformance.js';
import { unprivilegedIds, withoutPrivileges } from '../support/file-limits.js';

const T = '2024-06-01T00:00:00.000Z';
const alice = () => parseFilter({ user_id: 'alice' });

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engram-ro-'));
  path = join(dir, 'engram.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An engram database with three memories of alice (two near axis 0) and an API key. */
async function writeDatabase(): Promise<string> {
  const store = new SqliteStore({ path });
  await store.init();
  const [tea] = await store.insertMemories('t', [
    newMemory('Alice drinks green tea', { embedding: axisVector(0) }),
    newMemory('Alice walks to work', { embedding: axisVector(0, 0.2) }),
    newMemory('Alice plays chess', { embedding: axisVector(1) }),
  ]);
  await store.createApiKey({
    id: 'k1',
    tenant: 't',
    hash: 'f'.repeat(64),
    prefix: 'ffff',
    admin: true,
    at: T,
  });
  await store.close();
  return tea!.record.id;
}

/** What a promise settled to: 'ok', a MemoryError's code, or 'raw <error>'. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    const e = error as { name?: string; code?: string };
    return e.name === 'MemoryError' ? String(e.code) : `raw ${String(error)}`;
  }
}

describe('SqliteStore({readOnly: true})', () => {
  it('serves get, list, history, both searches and keys, and refuses every write with read_only', async () => {
    const id = await writeDatabase();
    const before = readFileSync(path);
    const store = new SqliteStore({ path, readOnly: true, ann: { minVectors: 1 } });
    await store.init();
    try {
      expect(await store.getMemory('t', id)).toMatchObject({ text: 'Alice drinks green tea' });
      expect(
        (await store.listMemories('t', { filter: alice(), states: ['active'], limit: 10 })).items,
      ).toHaveLength(3);
      expect(await store.history('t', id)).toHaveLength(1);
      expect((await store.textSearch('t', 'tea', { filter: alice(), limit: 5 }))[0]?.id).toBe(id);
      expect((await store.vectorSearch('t', axisVector(0), { filter: alice(), limit: 1 }))[0]?.id).toBe(id);
      expect(await store.findApiKey('f'.repeat(64))).toMatchObject({ id: 'k1' });
      expect((await store.health()).ok).toBe(true);

      expect({
        insert: await outcome(store.insertMemories('t', [newMemory('Alice likes jazz')])),
        access: await outcome(store.recordAccess('t', [id], T)),
        meta: await outcome(store.setMeta('embedding_model', 'x:y')),
        key: await outcome(
          store.createApiKey({
            id: 'k2',
            tenant: 't',
            hash: 'e'.repeat(64),
            prefix: 'eeee',
            admin: false,
            at: T,
          }),
        ),
        job: await outcome(
          store.enqueueJob('t', { id: 'j1', kind: 'add', payload: {}, maxAttempts: 1, runAt: T }, T),
        ),
        delete: await outcome(store.deleteMemory('t', id, { at: T })),
      }).toEqual({
        insert: 'read_only',
        access: 'read_only',
        meta: 'read_only',
        key: 'read_only',
        job: 'read_only',
        delete: 'read_only',
      });
    } finally {
      await store.close();
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses, rather than migrates, a database from an older engram', async () => {
    const raw = new Database(path);
    sqliteVec.load(raw);
    raw.pragma('journal_mode = WAL');
    for (const migration of MIGRATIONS.filter((m) => m.version < SCHEMA_VERSION)) raw.exec(migration.sql);
    raw.prepare(`INSERT INTO meta(key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION - 1));
    raw.close();
    const store = new SqliteStore({ path, readOnly: true });
    await expect(store.init()).rejects.toMatchObject({ code: 'store_error' });
    await store.close();
    const check = new Database(path, { readonly: true });
    expect(check.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get()).toEqual({
      value: String(SCHEMA_VERSION - 1),
    });
    check.close();
  });

  it('refuses a file that does not exist instead of creating it', async () => {
    const missing = join(dir, 'missing.db');
    expect(() => new SqliteStore({ path: missing, readOnly: true })).toThrow(
      expect.objectContaining({ code: 'store_error' }),
    );
    const memory = new Memory(
      { store: { provider: 'sqlite', path: missing, readOnly: true }, embedder: null },
      { env: {} },
    );
    expect(await memory.health()).toMatchObject({ ok: false });
    await expect(memory.search('tea', { userId: 'alice' })).rejects.toMatchObject({ code: 'store_error' });
    await memory.close();
    expect(existsSync(missing)).toBe(false);
  });

  it('a Memory configured with store.readOnly searches, reads and reports ready; adds are read_only', async () => {
    const id = await writeDatabase();
    const memory = new Memory(
      { store: { provider: 'sqlite', path, readOnly: true }, tenant: 't', embedder: null },
      { env: {} },
    );
    try {
      const found = await memory.search('green tea', { userId: 'alice' });
      expect(found.results.map((r) => r.id)).toContain(id);
      expect((await memory.get(id)).memory).toBe('Alice drinks green tea');
      expect((await memory.getAll({ userId: 'alice' })).results).toHaveLength(3);
      expect(await memory.health()).toMatchObject({ ok: true });
      await expect(memory.add('Alice likes jazz', { userId: 'alice', infer: false })).rejects.toMatchObject({
        code: 'read_only',
      });
    } finally {
      await memory.close();
    }
  });
});

describe('a database file this process may not write (real file permissions)', () => {
  it('opens without readOnly and serves searches; writes are read_only errors', async () => {
    const id = await writeDatabase();
    const ids = unprivilegedIds();
    // The directory stays writable (SQLite keeps its WAL index there); the file does not.
    if (ids) chownSync(dir, ids.uid, ids.gid);
    chmodSync(path, 0o444);
    const results = await withoutPrivileges(async () => {
      const store = new SqliteStore({ path, ann: { minVectors: 1 } });
      const memory = new Memory({ dbPath: path, tenant: 't', embedder: null }, { env: {} });
      try {
        await store.init();
        return {
          vector: (await store.vectorSearch('t', axisVector(0), { filter: alice(), limit: 1 }))[0]?.id,
          search: (await memory.search('green tea', { userId: 'alice' })).results.map((r) => r.id),
          ready: (await memory.health()).ok,
          add: await outcome(memory.add('Alice likes jazz', { userId: 'alice', infer: false })),
        };
      } finally {
        await memory.close();
        await store.close();
      }
    });
    expect(results).toEqual({ vector: id, search: [id], ready: true, add: 'read_only' });
  });

  it('a WAL database in a directory it may not write is a clear store_error at init()', async () => {
    await writeDatabase();
    chmodSync(path, 0o444);
    chmodSync(dir, 0o555);
    const failure = await withoutPrivileges(async () => {
      const store = new SqliteStore({ path });
      try {
        await store.init();
        return null;
      } catch (error) {
        return error as { name: string; code: string; message: string };
      } finally {
        await store.close();
      }
    });
    chmodSync(dir, 0o755);
    expect(failure).toMatchObject({ name: 'MemoryError', code: 'store_error' });
    expect(failure?.message).toContain(dir);
  });
});
