import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Memory } from '../../src/memory/memory.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { createStore } from '../../src/stores/registry.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { delayedEmbedder } from '../memory/engine-fakes.js';
import { makeTempDir } from '../support/cli-runner.js';

const MARKER = 'zebra-quokka-7f3e-cipher-marker';
const KEY = 'correct horse battery staple';
const FIXED = () => new Date('2025-01-01T00:00:00.000Z');

/** Every file of the store: the database, its WAL and its shared-memory index. */
function storeFiles(dir: string, name: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const file of readdirSync(dir).filter((f) => f.startsWith(name))) {
    files.set(file, readFileSync(join(dir, file)));
  }
  return files;
}

/** Each file's name and SHA-256: the bytes compared without a slow deep-equal of buffers. */
function digests(dir: string, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, bytes] of storeFiles(dir, name))
    out[file] = createHash('sha256').update(bytes).digest('hex');
  return out;
}

function withMarker(files: Map<string, Buffer>): string[] {
  return [...files].filter(([, bytes]) => bytes.includes(Buffer.from(MARKER))).map(([name]) => name);
}

function memoryAt(path: string, encryptionKey?: string): Memory {
  return new Memory(
    { store: { provider: 'sqlite', path, ...(encryptionKey ? { encryptionKey } : {}) }, llm: null },
    { embedder: delayedEmbedder(), env: {}, now: FIXED },
  );
}

async function fill(memory: Memory): Promise<void> {
  await memory.add(`Alice keeps the spare key under the ${MARKER} flowerpot`, {
    userId: 'alice',
    infer: false,
    metadata: { tag: MARKER },
  });
  for (let i = 0; i < 40; i++) {
    await memory.add(`Alice note ${i}: likes ${i % 2 ? 'green tea' : 'black coffee'} in the morning`, {
      userId: 'alice',
      infer: false,
    });
  }
  await memory.add('Bob plays the cello on Sundays', { userId: 'bob', infer: false });
}

/**
 * What a reader sees, without the ids (each file made its own). Hits are listed whole and sorted
 * by score, then text: equal scores are ordered by id, which differs between the two files.
 */
async function answers(memory: Memory) {
  const strip = (items: { memory: string; score?: number | undefined }[]) =>
    items
      .map((i) => ({ memory: i.memory, score: i.score === undefined ? null : i.score.toFixed(6) }))
      .sort((a, b) => (b.score ?? '').localeCompare(a.score ?? '') || a.memory.localeCompare(b.memory));
  const all = (await memory.getAll({ userId: 'alice', limit: 100 })).results.map((r) => r.memory).sort();
  const keyword = await memory.search(`${MARKER} flowerpot`, { userId: 'alice', limit: 100 });
  const semantic = await memory.search('green tea morning', { userId: 'alice', limit: 100 });
  const bob = await memory.search('cello', { userId: 'bob' });
  return { all, keyword: strip(keyword.results), semantic: strip(semantic.results), bob: strip(bob.results) };
}

describe('SQLite encryption at rest', () => {
  const tmp = makeTempDir('engram-cipher-');
  afterAll(() => tmp.remove());

  it('keeps the marker out of the database, its WAL and shm, while every query answers the same', async () => {
    const plainPath = join(tmp.dir, 'plain.db');
    const secretPath = join(tmp.dir, 'secret.db');
    const plain = memoryAt(plainPath);
    const secret = memoryAt(secretPath, KEY);
    try {
      await fill(plain);
      await fill(secret);
      // Open: the pages are in the WAL (and the first in the main file).
      expect(withMarker(storeFiles(tmp.dir, 'plain.db'))).toContain('plain.db-wal');
      const open = storeFiles(tmp.dir, 'secret.db');
      expect([...open.keys()].sort()).toEqual(['secret.db', 'secret.db-shm', 'secret.db-wal']);
      expect(open.get('secret.db-wal')?.length).toBeGreaterThan(4096);
      expect(withMarker(open)).toEqual([]);
      expect(open.get('secret.db')?.subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');

      const expected = await answers(plain);
      expect(expected.keyword[0]?.memory).toContain(MARKER);
      expect(expected.semantic.length).toBeGreaterThan(0);
      expect(await answers(secret)).toEqual(expected);
      expect(await secret.health()).toMatchObject({ ok: true });
    } finally {
      await plain.close();
      await secret.close();
    }
    // Closed: everything checkpointed into the main file.
    expect(withMarker(storeFiles(tmp.dir, 'plain.db'))).toEqual(['plain.db']);
    const closed = storeFiles(tmp.dir, 'secret.db');
    expect([...closed.keys()]).toEqual(['secret.db']);
    expect(withMarker(closed)).toEqual([]);

    // Reopened with the key: the same answers again.
    const again = memoryAt(secretPath, KEY);
    const plainAgain = memoryAt(plainPath);
    try {
      expect(await answers(again)).toEqual(await answers(plainAgain));
    } finally {
      await again.close();
      await plainAgain.close();
    }
  });

  describe('a wrong or missing key is a clear error and the file is left as it was', () => {
    const path = join(tmp.dir, 'locked.db');
    const plainPath = join(tmp.dir, 'open.db');

    async function openFails(store: SqliteStore | (() => SqliteStore)): Promise<MemoryError> {
      try {
        const s = typeof store === 'function' ? store() : store;
        try {
          await s.init();
        } finally {
          await s.close();
        }
      } catch (error) {
        expect(error).toBeInstanceOf(MemoryError);
        return error as MemoryError;
      }
      throw new Error('expected the open to fail');
    }

    it('refuses a wrong key, no key, and a key for a plain file', async () => {
      const made = memoryAt(path, KEY);
      await fill(made);
      await made.close();
      const plain = memoryAt(plainPath);
      await fill(plain);
      await plain.close();
      const before = digests(tmp.dir, 'locked.db');
      const plainBefore = digests(tmp.dir, 'open.db');

      const wrong = await openFails(() => new SqliteStore({ path, encryptionKey: 'not the key' }));
      expect(wrong.code).toBe('store_error');
      expect(wrong.message).toContain(`Cannot decrypt the database at ${path}`);
      expect(wrong.message).toContain('store.encryptionKey');
      expect(wrong.message).not.toContain('not the key');

      const missing = await openFails(new SqliteStore({ path }));
      expect(missing.code).toBe('store_error');
      expect(missing.message).toMatch(/encrypted .*ENGRAM_ENCRYPTION_KEY/);

      const onPlain = await openFails(() => new SqliteStore({ path: plainPath, encryptionKey: KEY }));
      expect(onPlain.code).toBe('store_error');
      expect(onPlain.message).toContain(`The database at ${plainPath} is not encrypted`);
      expect(onPlain.message).toContain('engram rekey');
      expect(onPlain.message).not.toContain(KEY);

      // A read-only open with a wrong key fails the same way.
      const readOnly = await openFails(
        () => new SqliteStore({ path, encryptionKey: 'not the key', readOnly: true }),
      );
      expect(readOnly.code).toBe('store_error');

      expect(digests(tmp.dir, 'locked.db')).toEqual(before);
      expect(digests(tmp.dir, 'open.db')).toEqual(plainBefore);
    });

    it('reads the key from a key file, and a missing key file names it', async () => {
      const keyFile = join(tmp.dir, 'engram.key');
      writeFileSync(keyFile, `${KEY}\n`);
      const store = new SqliteStore({ path, encryptionKeyFile: keyFile });
      await store.init();
      expect((await store.stats()).memories).toBe(42);
      await store.close();
      const absent = join(tmp.dir, 'absent.key');
      expect(() => new SqliteStore({ path, encryptionKeyFile: absent })).toThrow(
        expect.objectContaining({ code: 'invalid_config', message: expect.stringContaining(absent) }),
      );
      expect(() => new SqliteStore({ path, encryptionKey: KEY, encryptionKeyFile: keyFile })).toThrow(
        /Both store.encryptionKey and store.encryptionKeyFile/,
      );
    });
  });

  describe('configuration', () => {
    it('takes ENGRAM_ENCRYPTION_KEY for SQLite and never shows it', async () => {
      const path = join(tmp.dir, 'env.db');
      const config = loadConfig({}, { env: { ENGRAM_DB: path, ENGRAM_ENCRYPTION_KEY: KEY }, cwd: tmp.dir });
      expect(config.store).toEqual({ provider: 'sqlite', encryptionKey: KEY });
      const store = await createStore({ ...config.store!, path });
      await store.init();
      await store.close();
      expect(readFileSync(path).subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
      expect(existsSync(path)).toBe(true);
    });

    it('refuses an encryption key for PostgreSQL by name', async () => {
      expect(() =>
        loadConfig(
          {},
          { env: { ENGRAM_PG_URL: 'postgres://u:p@localhost/db', ENGRAM_ENCRYPTION_KEY: KEY }, cwd: tmp.dir },
        ),
      ).toThrow(/ENGRAM_ENCRYPTION_KEY encrypts a SQLite store, but the store is postgres/);
      await expect(
        createStore({ provider: 'postgres', url: 'postgres://u:p@localhost/db', encryptionKey: KEY }),
      ).rejects.toThrow(/does not use store.encryptionKey/);
      // A rejected key is never echoed back.
      expect(() =>
        loadConfig({ store: { provider: 'sqlite', encryptionKey: 42 as unknown as string } }, { env: {} }),
      ).toThrow(/store\.encryptionKey.*hidden because it may be secret/);
    });
  });
});
