import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { MemoryError } from '../../src/spec/memory-error.js';
import { PostgresStore } from '../../src/stores/postgres/pg-store.js';
import { textHash } from '../../src/util/text-hash.js';
import { alice, f, newMemory } from '../conformance/conformance-kit.js';
import { closedPortUrl } from '../support/cli-runner.js';
import {
  describePostgres,
  dropSchema,
  freshSchema,
  pgAdmin,
  postgresFixture,
  requirePgUrl,
} from '../support/postgres.js';

const errorOf = async (promise: Promise<unknown>): Promise<MemoryError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MemoryError) return error;
    throw error;
  }
  throw new Error('expected a MemoryError');
};

/** A unit vector from a seed (deterministic). */
function randomVector(seed: number, width = 16): Float32Array {
  let x = seed * 2654435761;
  const v = new Float32Array(width).map(() => {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    return (x / 2 ** 32) * 2 - 1;
  });
  const norm = Math.hypot(...v);
  return v.map((c) => c / norm);
}

describePostgres('PostgresStore specifics', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });
  const fixture = async (options: { language?: string } = {}) => {
    const made = await postgresFixture(options);
    cleanups.push(made.cleanup);
    await made.store.init();
    return made;
  };

  it('keeps history and versions append-only in the database itself', async () => {
    const { store, schema } = await fixture();
    const m = newMemory('remember me');
    await store.insertMemories('t', [m]);
    await expect(pgAdmin(`UPDATE "${schema}".history SET new_text = 'rewritten'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(pgAdmin(`UPDATE "${schema}".memory_versions SET text = 'rewritten'`)).rejects.toThrow(
      /immutable/,
    );
    await store.updateMemory('t', m.id, {
      text: 'changed',
      hash: textHash('changed'),
      at: '2024-02-01T00:00:00.000Z',
    });
    await expect(
      pgAdmin(`UPDATE "${schema}".memory_versions SET expired_at = NULL WHERE version = 1`),
    ).rejects.toThrow(/cannot be reopened/);
  });

  it('serialises one scope across two processes (two stores, two sessions)', async () => {
    const { schema } = await fixture();
    const a = new PostgresStore({ url: requirePgUrl(), schema, pool: 2 });
    const b = new PostgresStore({ url: requirePgUrl(), schema, pool: 2 });
    try {
      await Promise.all([a.init(), b.init()]);
      const log: string[] = [];
      const hold = (store: PostgresStore, name: string, ms: number) =>
        store.lockScope('t\u001falice', async () => {
          log.push(`${name}+`);
          await new Promise((resolve) => setTimeout(resolve, ms));
          log.push(`${name}-`);
        });
      const first = hold(a, 'a', 200);
      await new Promise((resolve) => setTimeout(resolve, 30));
      await Promise.all([first, hold(b, 'b', 10)]);
      expect(log).toEqual(['a+', 'a-', 'b+', 'b-']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('lets two processes add the same text at once: one memory, the other gets it back', async () => {
    const { schema } = await fixture();
    const stores = [0, 1, 2].map(() => new PostgresStore({ url: requirePgUrl(), schema, pool: 2 }));
    try {
      await Promise.all(stores.map((s) => s.init()));
      const outcomes = await Promise.all(
        stores.map((s) => s.insertMemories('t', [newMemory('the same fact, three times')])),
      );
      expect(outcomes.map(([o]) => o!.inserted).sort()).toEqual([false, false, true]);
      expect(new Set(outcomes.map(([o]) => o!.record.id)).size).toBe(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('finds every filtered neighbour through the HNSW index, as an exact scan would', async () => {
    const { store } = await fixture();
    const rows = Array.from({ length: 1500 }, (_, i) =>
      newMemory(`vector ${i}`, { embedding: randomVector(i + 1), metadata: { rare: i % 100 === 7 } }),
    );
    for (let i = 0; i < rows.length; i += 300) await store.insertMemories('t', rows.slice(i, i + 300));
    const query = randomVector(99_999);
    const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    const exact = rows
      .filter((_, i) => i % 100 === 7)
      .map((m) => ({ id: m.id, score: cosine(query, m.embedding!) }))
      .sort((x, y) => y.score - x.score);
    const hits = await store.vectorSearch('t', query, {
      filter: f({ user_id: 'alice', 'metadata.rare': true }),
      limit: 10,
    });
    expect(hits.map((h) => h.id)).toEqual(exact.slice(0, 10).map((e) => e.id));
    const unfiltered = await store.vectorSearch('t', query, { filter: alice(), limit: 10 });
    expect(unfiltered).toHaveLength(10);
    expect(unfiltered[0]!.score).toBeGreaterThanOrEqual(unfiltered[9]!.score);
  });

  it('searches exactly without the HNSW index, and rebuilds a missing one at the next start', async () => {
    const { store, schema } = await fixture();
    const rows = Array.from({ length: 50 }, (_, i) =>
      newMemory(`bulk ${i}`, { embedding: randomVector(i + 7) }),
    );
    await store.insertMemories('t', rows.slice(0, 1));
    await store.vectorIndex.drop();
    await store.insertMemories('t', rows.slice(1));
    const index = () =>
      pgAdmin<{ name: string | null }>(`SELECT to_regclass('"${schema}".memory_vectors_hnsw')::text AS name`);
    expect((await index())[0]!.name).toBeNull();
    const query = randomVector(4242);
    const hits = await store.vectorSearch('t', query, { filter: alice(), limit: 3 });
    const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    const best = [...rows]
      .sort((a, b) => cosine(query, b.embedding!) - cosine(query, a.embedding!))
      .slice(0, 3);
    expect(hits.map((h) => h.id)).toEqual(best.map((m) => m.id));
    const again = new PostgresStore({ url: requirePgUrl(), schema });
    try {
      await again.init();
      expect((await index())[0]!.name).toBe(`${schema}.memory_vectors_hnsw`);
    } finally {
      await again.close();
    }
  });

  it('skips query words found in most memories when rarer ones remain, as the SQLite store does', async () => {
    const { store, schema } = await fixture();
    const rows = Array.from({ length: 2200 }, (_, i) =>
      newMemory(`everywhere word ${i}${i === 1234 ? ' and a zebra' : ''}`, { embedding: null }),
    );
    await store.insertMemories('t', rows);
    await pgAdmin(`ANALYZE "${schema}".memory_versions`);
    const hits = await store.textSearch('t', 'everywhere zebra', { filter: alice(), limit: 5 });
    expect(hits.map((h) => h.id)).toEqual([rows[1234]!.id]);
    // Only common words: they are kept (nothing would be found otherwise).
    expect(await store.textSearch('t', 'everywhere', { filter: alice(), limit: 5 })).toHaveLength(5);
  });

  it('uses the configured text search language, and re-derives the index when it changes', async () => {
    const { store, schema } = await fixture({ language: 'simple' });
    await store.insertMemories('t', [newMemory('Alice was running marathons')]);
    // `simple` does not stem: "run" is not "running".
    expect(await store.textSearch('t', 'run', { filter: alice(), limit: 5 })).toEqual([]);
    await store.close();
    const english = new PostgresStore({ url: requirePgUrl(), schema, language: 'english' });
    try {
      await english.init();
      expect(await english.textSearch('t', 'run', { filter: alice(), limit: 5 })).toHaveLength(1);
    } finally {
      await english.close();
    }
    const unknown = new PostgresStore({ url: requirePgUrl(), schema, language: 'klingon' });
    const error = await errorOf(unknown.init());
    await unknown.close();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('store.language "klingon"');
  });

  it('says what to do when the server cannot be reached or the database does not exist', async () => {
    const port = new URL(await closedPortUrl()).port;
    const down = new PostgresStore({ url: `postgres://engram:secret@127.0.0.1:${port}/engram` });
    const unreachable = await errorOf(down.init());
    await down.close();
    expect(unreachable.code).toBe('store_error');
    expect(unreachable.message).toContain('Cannot reach the PostgreSQL server');
    expect(unreachable.message).not.toContain('secret');
    const url = new URL(requirePgUrl());
    url.pathname = '/no_such_database';
    const missing = new PostgresStore({ url: url.toString() });
    const absent = await errorOf(missing.init());
    await missing.close();
    expect(absent.message).toMatch(/does not exist.*createdb/);
  });

  it('refuses a schema of a newer engram, and one that is not engram', async () => {
    const { schema } = await fixture();
    await pgAdmin(`UPDATE "${schema}".meta SET value = '999' WHERE key = 'schema_version'`);
    const newer = new PostgresStore({ url: requirePgUrl(), schema });
    const tooNew = await errorOf(newer.init());
    await newer.close();
    expect(tooNew.message).toMatch(/newer engram \(schema 999/);

    const other = freshSchema('other');
    cleanups.push(() => dropSchema(other));
    await pgAdmin(`CREATE SCHEMA "${other}"; CREATE TABLE "${other}".customers (id int)`);
    const foreign = new PostgresStore({ url: requirePgUrl(), schema: other });
    const notOurs = await errorOf(foreign.init());
    await foreign.close();
    expect(notOurs.message).toMatch(/not an engram one.*customers/);
    expect(
      await pgAdmin(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [other]),
    ).toEqual([{ table_name: 'customers' }]);
  });

  it('opens read-only without creating or migrating anything, and refuses every write', async () => {
    const { store, schema } = await fixture();
    const m = newMemory('read me from a replica');
    await store.insertMemories('t', [m]);
    const reader = new PostgresStore({ url: requirePgUrl(), schema, readOnly: true });
    try {
      await reader.init();
      expect((await reader.getMemory('t', m.id))?.text).toBe('read me from a replica');
      expect(await reader.textSearch('t', 'replica', { filter: alice(), limit: 5 })).toHaveLength(1);
      const refused = await errorOf(reader.insertMemories('t', [newMemory('not saved')]));
      expect(refused.code).toBe('read_only');
      expect((await store.stats()).memories).toBe(1);
    } finally {
      await reader.close();
    }
    const missing = freshSchema('absent');
    const nothing = new PostgresStore({ url: requirePgUrl(), schema: missing, readOnly: true });
    const error = await errorOf(nothing.init());
    await nothing.close();
    expect(error.message).toContain('no engram schema');
    expect(await pgAdmin('SELECT 1 FROM pg_namespace WHERE nspname = $1', [missing])).toEqual([]);
  });

  it('survives the server dropping its connections: one retryable error at most, then it reconnects', async () => {
    const { store, schema } = await fixture();
    const m = newMemory('still here after a restart');
    await store.insertMemories('t', [m]);
    await store.lockScope('t\u001falice', async () => undefined);
    // What a server restart or a failover does to every open connection.
    const killed = await pgAdmin(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE application_name IN ($1, $2) AND pid <> pg_backend_pid()`,
      [`engram ${schema}`, `engram-locks ${schema}`],
    );
    // The pool's idle connection(s) and the scope-lock connection.
    expect(killed.length).toBeGreaterThanOrEqual(2);
    const attempts: string[] = [];
    for (let i = 0; i < 3 && attempts.at(-1) !== 'ok'; i++) {
      try {
        expect((await store.getMemory('t', m.id))?.text).toBe('still here after a restart');
        attempts.push('ok');
      } catch (error) {
        expect(error).toBeInstanceOf(MemoryError);
        expect((error as MemoryError).code).toBe('store_error');
        expect((error as MemoryError).isRetryable).toBe(true);
        attempts.push('retryable');
      }
    }
    expect(attempts.at(-1)).toBe('ok');
    expect(attempts.length).toBeLessThanOrEqual(2);
    // The scope-lock connection comes back too.
    let locked = false;
    for (let i = 0; i < 2 && !locked; i++) {
      locked = await store.lockScope('t\u001falice', async () => true).catch(() => false);
    }
    expect(locked).toBe(true);
  });

  it('asks for pgvector when the user may not enable it', async () => {
    const role = `limited_${randomUUID().slice(0, 8)}`;
    const database = `${role}_db`;
    await pgAdmin(`CREATE ROLE ${role} LOGIN`);
    await pgAdmin(`CREATE DATABASE ${database} OWNER ${role}`);
    try {
      const url = new URL(requirePgUrl());
      url.username = role;
      url.pathname = `/${database}`;
      const store = new PostgresStore({ url: url.toString() });
      const error = await errorOf(store.init());
      await store.close();
      expect(error.code).toBe('store_error');
      expect(error.message).toContain('CREATE EXTENSION vector');
    } finally {
      await pgAdmin(`DROP DATABASE IF EXISTS ${database}`);
      await pgAdmin(`DROP ROLE IF EXISTS ${role}`);
    }
  });
});
