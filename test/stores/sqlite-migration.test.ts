import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/memory/filters/parse-filter.js';
import { partitionKey } from '../../src/stores/shared/partition-key.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/stores/sqlite/migrations.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { textHash } from '../../src/util/text-hash.js';
import { axisVector } from '../conformance/conformance-kit.js';

const RELEASE_SCHEMA = 6;
const JAN = '2024-01-10T00:00:00.000Z';
const MAR = '2024-03-01T00:00:00.000Z';

/**
 * Writes a file the way engram 0.1 (schema 6) did: memories updated in place, vectors keyed by
 * memories.seq, full-text over memories, history as text only.
 */
function writeReleaseDatabase(path: string): void {
  const db = new Database(path);
  sqliteVec.load(db);
  db.pragma('journal_mode = WAL');
  for (const migration of MIGRATIONS.filter((m) => m.version <= RELEASE_SCHEMA)) db.exec(migration.sql);
  db.exec(
    `INSERT INTO meta(key, value) VALUES ('schema_version', '${RELEASE_SCHEMA}'), ('embedding_model', 'test:model')`,
  );
  db.exec(
    `CREATE VIRTUAL TABLE memory_vectors USING vec0(partition_key TEXT PARTITION KEY, embedding float[4] distance_metric=cosine)`,
  );
  db.exec(`INSERT INTO meta(key, value) VALUES ('vector_dimensions', '4')`);
  const insert = db.prepare(
    `INSERT INTO memories(id, tenant, partition_key, user_id, text, hash, state, valid_from, valid_to, created_at,
       updated_at, expired_at, superseded_by, embedding_model) VALUES (?, 't', ?, 'sarah', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test:model')
     RETURNING seq`,
  );
  const vector = (seq: number, v: Float32Array) => {
    const buffer = Buffer.from(v.buffer);
    db.prepare('INSERT INTO memory_vectors(rowid, partition_key, embedding) VALUES (?, ?, ?)').run(
      BigInt(seq),
      partitionKey('t', { userId: 'sarah' }),
      buffer,
    );
    db.prepare('INSERT INTO memory_embeddings(seq, embedding) VALUES (?, ?)').run(seq, buffer);
  };
  const history = db.prepare(
    'INSERT INTO history(tenant, memory_id, event, old_text, new_text, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const p = partitionKey('t', { userId: 'sarah' });
  // An active memory that was updated in place (0.1 rewrote the row and moved valid_from).
  const home = insert.get(
    'home',
    p,
    'Lives in Chicago',
    textHash('Lives in Chicago'),
    'active',
    MAR,
    null,
    JAN,
    MAR,
    null,
    null,
  ) as { seq: number };
  vector(home.seq, axisVector(1));
  history.run('t', 'home', 'ADD', null, 'Lives in Boston', 'user', JAN);
  history.run('t', 'home', 'UPDATE', 'Lives in Boston', 'Lives in Chicago', 'user', MAR);
  // A superseded one and a deleted one.
  const car = insert.get(
    'car',
    p,
    'Drives a red car',
    textHash('Drives a red car'),
    'superseded',
    JAN,
    MAR,
    JAN,
    MAR,
    MAR,
    'home',
  ) as { seq: number };
  vector(car.seq, axisVector(0));
  history.run('t', 'car', 'ADD', null, 'Drives a red car', 'user', JAN);
  history.run('t', 'car', 'INVALIDATE', 'Drives a red car', null, 'llm', MAR);
  insert.get('gone', p, 'Secret hobby', textHash('Secret hobby'), 'deleted', JAN, null, JAN, MAR, MAR, null);
  history.run('t', 'gone', 'ADD', null, 'Secret hobby', 'user', JAN);
  history.run('t', 'gone', 'DELETE', 'Secret hobby', null, 'user', MAR);
  db.close();
}

describe('SQLite migration from the 0.1 release (schema 6)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens, migrates every row to version 1, and answers the same queries', async () => {
    dir = mkdtempSync(join(tmpdir(), 'engram-migrate-'));
    const path = join(dir, 'release.db');
    writeReleaseDatabase(path);
    const store = new SqliteStore({ path });
    await store.init();
    try {
      const scope = parseFilter({ user_id: 'sarah' });
      expect((await store.stats()).schemaVersion).toBe(SCHEMA_VERSION);
      expect(await store.getMemory('t', 'home')).toMatchObject({
        text: 'Lives in Chicago',
        version: 1,
        validFrom: MAR,
        state: 'active',
      });
      expect(await store.getMemory('t', 'gone')).toBeNull();
      expect((await store.textSearch('t', 'Chicago', { filter: scope, limit: 5 })).map((h) => h.id)).toEqual([
        'home',
      ]);
      expect(await store.textSearch('t', 'hobby', { filter: scope, limit: 5 })).toEqual([]);
      expect(
        (await store.vectorSearch('t', axisVector(1), { filter: scope, limit: 5 })).map((h) => [
          h.id,
          h.version,
        ]),
      ).toEqual([['home', 1]]);
      // The superseded memory is still found as of its time, by text and by its old vector.
      const feb = '2024-02-01T00:00:00.000Z';
      expect(
        (await store.textSearch('t', 'red car', { filter: scope, asOf: feb, limit: 5 })).map((h) => h.id),
      ).toEqual(['car']);
      expect(
        (await store.vectorSearch('t', axisVector(0), { filter: scope, asOf: feb, limit: 1 })).map(
          (h) => h.id,
        ),
      ).toEqual(['car']);
      expect((await store.history('t', 'home')).map((h) => [h.event, h.newText, h.version])).toEqual([
        ['UPDATE', 'Lives in Chicago', 1],
        ['ADD', 'Lives in Boston', 1],
      ]);
      const listed = await store.listMemories('t', {
        filter: scope,
        states: ['active', 'superseded'],
        limit: 10,
      });
      expect(listed.items.map((m) => m.id)).toEqual(['car', 'home']);
      // New writes continue on the migrated file: a real new version.
      const updated = await store.updateMemory('t', 'home', {
        text: 'Lives in Denver',
        hash: textHash('Lives in Denver'),
        embedding: axisVector(2),
        embeddingModel: 'test:model',
        validFrom: '2024-05-01T00:00:00.000Z',
        at: '2024-05-02T00:00:00.000Z',
      });
      expect(updated.version).toBe(2);
      expect((await store.getMemory('t', 'home', { asOf: '2024-04-01T00:00:00.000Z' }))?.text).toBe(
        'Lives in Chicago',
      );
      expect((await store.stats()).health.ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});
