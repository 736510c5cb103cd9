import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/stores/sqlite/migrations.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { describeStoreConformance, newMemory } from '../conformance/describe-store-conformance.js';

const sqliteFixture = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'engram-store-'));
  const store = new SqliteStore({ path: join(dir, 'test.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

describeStoreConformance('sqlite (file)', sqliteFixture, SqliteStore.CAPABILITIES);

describe('SqliteStore specifics', () => {
  it('migrates once, in WAL mode, and keeps history and versions append-only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engram-store-'));
    const path = join(dir, 'x.db');
    const store = new SqliteStore({ path });
    await store.init();
    const m = newMemory('remember me');
    await store.insertMemories('t', [m]);
    await store.close();
    const again = new SqliteStore({ path });
    await again.init();
    const stats = await again.stats();
    expect(stats.schemaVersion).toBe(SCHEMA_VERSION);
    expect(stats.health).toEqual({ ok: true, detail: 'SQLite quick_check: ok' });
    await again.close();
    const raw = new Database(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(() => raw.prepare(`UPDATE history SET new_text = 'rewritten'`).run()).toThrow(/append-only/);
    expect(() => raw.prepare(`UPDATE memory_versions SET text = 'rewritten'`).run()).toThrow(/immutable/);
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
