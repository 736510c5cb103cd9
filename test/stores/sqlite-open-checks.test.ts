import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { newMemory } from '../conformance/describe-store-conformance.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engram-open-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** What init() rejects with, or 'opened' (the store is closed either way). */
async function openFailure(path: string): Promise<{ code: string; message: string } | 'opened'> {
  const store = new SqliteStore({ path });
  try {
    await store.init();
    return 'opened';
  } catch (error) {
    const e = error as { name?: string; code?: string; message: string };
    return { code: e.name === 'MemoryError' ? String(e.code) : `raw ${e.code}`, message: e.message };
  } finally {
    await store.close();
  }
}

async function engramDatabase(path: string): Promise<void> {
  const store = new SqliteStore({ path });
  await store.init();
  await store.insertMemories('t', [newMemory('kept')]);
  await store.close();
}

describe('opening a file that is not a (healthy) engram database', () => {
  it('a file of random bytes is a store_error at init() that names the path', async () => {
    const path = join(dir, 'random.db');
    writeFileSync(path, randomBytes(16_384));
    const before = readFileSync(path);
    const failure = await openFailure(path);
    expect(failure).toMatchObject({ code: 'store_error' });
    expect((failure as { message: string }).message).toContain(path);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('a SQLite file of another application (tables, no meta) is refused and left untouched', async () => {
    const path = join(dir, 'other-app.db');
    const other = new Database(path);
    other.exec(
      `CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers(name) VALUES ('Ann')`,
    );
    other.close();
    const failure = await openFailure(path);
    expect(failure).toMatchObject({ code: 'store_error' });
    expect((failure as { message: string }).message).toContain(path);
    const check = new Database(path, { readonly: true });
    const tables = (
      check.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    check.close();
    expect(tables).toEqual(['customers']);
  });

  it("mem0's history database named by a mem0 config is refused byte for byte untouched, pointing at --from-mem0", async () => {
    const path = join(dir, 'history.db');
    const mem0 = new Database(path);
    // mem0ai/oss's history table (TypeScript SDK), with one row.
    mem0.exec(`CREATE TABLE memory_history (id TEXT PRIMARY KEY, memory_id TEXT NOT NULL, previous_value TEXT,
      new_value TEXT, action TEXT NOT NULL, created_at TEXT, updated_at TEXT, is_deleted INTEGER DEFAULT 0);
      INSERT INTO memory_history VALUES ('h1', 'm1', NULL, 'likes tea', 'ADD', '2024-01-01', NULL, 0)`);
    mem0.close();
    const before = readFileSync(path);
    const memory = new Memory(
      { historyStore: { provider: 'sqlite', config: { historyDbPath: path } } },
      {
        env: {},
        cwd: dir,
      },
    );
    try {
      const err = await memory.getAll({ userId: 'u' }).catch((e: unknown) => e as Error);
      expect((err as Error).message).toContain('mem0 database');
      expect((err as Error).message).toContain(`engram import --from-mem0 ${path}`);
    } finally {
      await memory.close();
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('a schema_version that is not a number is a store_error, not "table already exists"', async () => {
    const path = join(dir, 'bad-version.db');
    await engramDatabase(path);
    const raw = new Database(path);
    raw.prepare(`UPDATE meta SET value = 'abc' WHERE key = 'schema_version'`).run();
    raw.close();
    const failure = await openFailure(path);
    expect(failure).toMatchObject({ code: 'store_error' });
    expect((failure as { message: string }).message).toMatch(/schema_version/);
  });

  it('an engram database whose tables were dropped is a store_error, not a half-working store', async () => {
    const path = join(dir, 'gutted.db');
    await engramDatabase(path);
    const raw = new Database(path);
    raw.exec('DROP TABLE api_keys');
    raw.close();
    expect(await openFailure(path)).toMatchObject({ code: 'store_error' });
  });

  it('an empty file and a missing file are new databases', async () => {
    writeFileSync(join(dir, 'empty.db'), '');
    expect(await openFailure(join(dir, 'empty.db'))).toBe('opened');
    expect(await openFailure(join(dir, 'new.db'))).toBe('opened');
  });

  it('memory.health() says not ok, with the reason, for a corrupt file and for one damaged after open', async () => {
    const corrupt = join(dir, 'corrupt.db');
    writeFileSync(corrupt, randomBytes(8192));
    const broken = new Memory({ dbPath: corrupt, embedder: null }, { env: {} });
    const health = await broken.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain(corrupt);
    await broken.close();

    const path = join(dir, 'healthy.db');
    await engramDatabase(path);
    const memory = new Memory({ dbPath: path, embedder: null }, { env: {} });
    expect(await memory.health()).toMatchObject({ ok: true });
    // Another program overwrites the start of the file while the server runs.
    const fd = openSync(path, 'r+');
    writeSync(fd, randomBytes(4096), 0, 4096, 0);
    closeSync(fd);
    const after = await memory.health();
    expect(after.ok).toBe(false);
    expect(after.detail).toContain(path);
    await memory.close();
  });
});
