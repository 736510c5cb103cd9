import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir } from '../support/cli-runner.js';
import { fakeEmbedding } from '../support/fake-embedding.js';

const MARKER = 'rekey-marker-vortex-51c9';

describe('engram rekey', () => {
  const tmp = makeTempDir('engram-rekey-');
  const db = join(tmp.dir, 'store.db');
  const first = join(tmp.dir, 'first.key');
  const second = join(tmp.dir, 'second.key');
  afterAll(() => tmp.remove());

  beforeAll(async () => {
    writeFileSync(first, 'first passphrase\n');
    writeFileSync(second, 'second passphrase\n');
    const memory = new Memory(
      { dbPath: db, llm: null },
      {
        embedder: {
          id: 'fake:bow',
          maxEmbeddingsPerCall: 64,
          dimensions: 64,
          embed: async (texts) => ({ embeddings: texts.map((t) => fakeEmbedding(t)) }),
        },
        env: {},
      },
    );
    await memory.add(`The vault code is ${MARKER}`, { userId: 'alice', infer: false });
    await memory.add('Alice likes green tea', { userId: 'alice', infer: false });
    await memory.close();
  });

  const rekey = (args: string[], env: Record<string, string> = {}) =>
    runInProcess(['rekey', '--db', db, ...args], { ENGRAM_EMBEDDER: 'none', ...env }, tmp.dir);
  const search = (env: Record<string, string>) =>
    runInProcess(
      ['search', 'vault code', '--user', 'alice', '--db', db, '--json'],
      { ENGRAM_EMBEDDER: 'none', ...env },
      tmp.dir,
    );
  const markerOnDisk = () =>
    readdirSync(tmp.dir)
      .filter((name) => name.startsWith('store.db'))
      .some((name) => readFileSync(join(tmp.dir, name)).includes(Buffer.from(MARKER)));
  const opens = async (options: { encryptionKeyFile?: string }) => {
    let store: SqliteStore | undefined;
    try {
      store = new SqliteStore({ path: db, ...options });
      await store.init();
      return (await store.stats()).memories;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await store?.close();
    }
  };

  it('asks for confirmation and for exactly one target', async () => {
    const unconfirmed = await rekey(['--new-key-file', first]);
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.stderr).toMatch(/pass --yes/);
    const both = await rekey(['--new-key-file', first, '--decrypt', '--yes']);
    expect(both.stderr).toMatch(/exactly one of --new-key-file/);
    const decryptPlain = await rekey(['--decrypt', '--yes']);
    expect(decryptPlain.stderr).toMatch(/no key is configured/);
    expect(markerOnDisk()).toBe(true);
  });

  // Another process: two SQLite libraries in one process do not see each other's locks.
  it('refuses a database another process still has open, and leaves it as it was', async () => {
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(db)});
         d.prepare('SELECT count(*) FROM memories').get(); console.log('open'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const busy = await rekey(['--new-key-file', first, '--yes']);
      expect(busy.code).not.toBe(0);
      expect(busy.stderr).toMatch(/is open in another process .* stop every engram using it/);
    } finally {
      holder.kill();
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    expect(markerOnDisk()).toBe(true);
    expect(readdirSync(tmp.dir).filter((n) => n.includes('.rekey-'))).toEqual([]);
  });

  it('encrypts, changes the key and decrypts, data intact after each step', async () => {
    expect(markerOnDisk()).toBe(true);
    const encrypt = await rekey(['--new-key-file', first, '--yes', '--json']);
    expect(encrypt.stderr).toBe('');
    expect(JSON.parse(encrypt.stdout)).toMatchObject({ from: 'plain', to: 'encrypted', memories: 2 });
    expect(markerOnDisk()).toBe(false);
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('store.db'))).toEqual(['store.db']);
    const withFirst = { ENGRAM_ENCRYPTION_KEY_FILE: first };
    const found = await search(withFirst);
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout).results[0].memory).toContain(MARKER);
    expect(await opens({})).toMatch(/encrypted/);

    // export (through the configured key) and migrate (through key files) read the encrypted file.
    const exported = await runInProcess(
      ['export', '--user', 'alice', '--db', db],
      { ENGRAM_EMBEDDER: 'none', ...withFirst },
      tmp.dir,
    );
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(MARKER);
    const copy = join(tmp.dir, 'copy.db');
    const migrated = await runInProcess(
      ['migrate', '--from', db, '--from-key-file', first, '--to', copy, '--to-key-file', second],
      { ENGRAM_EMBEDDER: 'none' },
      tmp.dir,
    );
    expect(migrated.code).toBe(0);
    expect(readFileSync(copy).includes(Buffer.from(MARKER))).toBe(false);
    const copied = new SqliteStore({ path: copy, encryptionKeyFile: second });
    await copied.init();
    expect((await copied.stats()).memories).toBe(2);
    await copied.close();

    const change = await rekey(['--new-key-file', second, '--yes'], withFirst);
    expect(change.stdout).toMatch(/^Re-keyed .*store\.db \(2 memories/);
    expect(markerOnDisk()).toBe(false);
    expect(await opens({ encryptionKeyFile: first })).toMatch(/Cannot decrypt the database/);
    expect(await opens({ encryptionKeyFile: second })).toBe(2);
    const withSecond = { ENGRAM_ENCRYPTION_KEY_FILE: second };
    expect(JSON.parse((await search(withSecond)).stdout).results[0].memory).toContain(MARKER);

    // The old key cannot even start a rekey: the file is left as it is.
    const stale = await rekey(['--decrypt', '--yes'], withFirst);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toMatch(/Cannot decrypt the database .* with the key from store\.encryptionKeyFile/);
    expect(stale.stderr).not.toContain('first passphrase');
    expect(await opens({ encryptionKeyFile: second })).toBe(2);

    const decrypt = await rekey(['--decrypt', '--yes'], withSecond);
    expect(decrypt.stdout).toMatch(/^Decrypted /);
    expect(readFileSync(db).subarray(0, 15).toString('latin1')).toBe('SQLite format 3');
    expect(markerOnDisk()).toBe(true);
    expect(JSON.parse((await search({})).stdout).results[0].memory).toContain(MARKER);
    expect(existsSync(`${db}.rekey-${process.pid}.tmp`)).toBe(false);
  });
});
