import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaIndex } from '../../src/indexes/chroma/chroma-index.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import type { IndexPoint } from '../../src/spec/vector-index.js';
import { type ChromaServer, startChromaServer } from '../support/chroma-server.js';
import { closedPortUrl } from '../support/cli-runner.js';

const errorOf = async (promise: Promise<unknown>): Promise<MemoryError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MemoryError) return error;
    throw error;
  }
  throw new Error('expected a MemoryError');
};

const vec = (...values: number[]) => Float32Array.from(values);

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

function point(memoryId: string, vector: Float32Array, fields: Partial<IndexPoint> = {}): IndexPoint {
  return { tenant: 't1', memoryId, version: 1, userId: 'u1', agentId: null, runId: null, vector, ...fields };
}

describe('ChromaIndex options (no server)', () => {
  it('refuses a path, saying to run `chroma run --path` and pass the url', async () => {
    const error = await errorOf(ChromaIndex.open({ path: '/var/lib/chroma', collection: 'engram' }));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('chroma run --path /var/lib/chroma');
  });

  it('needs a url, a Chroma-valid collection name and a url without a path', async () => {
    expect((await errorOf(ChromaIndex.open({ collection: 'engram' }))).code).toBe('invalid_config');
    const badName = await errorOf(ChromaIndex.open({ url: 'http://localhost:8000', collection: 'ab' }));
    expect(badName.code).toBe('invalid_config');
    expect(badName.message).toContain('collection');
    const prefixed = await errorOf(
      ChromaIndex.open({ url: 'http://localhost:8000/chroma', collection: 'engram' }),
    );
    expect(prefixed.code).toBe('invalid_config');
  });

  it('says to install chromadb when the package is missing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'chromadb'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = await errorOf(
      ChromaIndex.open(
        { url: 'http://localhost:8000', collection: 'engram' },
        { importClient: () => Promise.reject(missing) },
      ),
    );
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('npm install chromadb');
  });

  it('takes Chroma port 8000 when the url has none', async () => {
    const index = await ChromaIndex.open({ url: 'localhost', collection: 'engram' });
    expect(index.location).toBe('chroma http://localhost:8000 collection engram');
    await index.close();
  });

  it('an unreachable server is index_unreachable, retryable, naming the url', async () => {
    const url = await closedPortUrl();
    const index = await ChromaIndex.open({ url, collection: 'engram' });
    const error = await errorOf(index.count());
    expect(error.code).toBe('index_unreachable');
    expect(error.isRetryable).toBe(true);
    expect(error.url).toBe(url);
    expect(error.message).toContain(url);
    expect(error.cause).toBeInstanceOf(Error);
    await index.close();
  });

  it('a server that never answers is index_unreachable after timeoutMs', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const index = await ChromaIndex.open({ url, collection: 'engram', timeoutMs: 200 });
      const error = await errorOf(index.count());
      expect(error.code).toBe('index_unreachable');
      expect(error.details).toEqual({ timeoutMs: 200 });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('ChromaIndex against a real Chroma server', () => {
  let server: ChromaServer;
  const opened: ChromaIndex[] = [];

  beforeAll(async () => {
    server = await startChromaServer();
    console.info(`Chroma server answered its heartbeat ${server.startMs} ms after spawn`);
  });

  afterAll(async () => {
    for (const index of opened) await index.close();
    await server?.close();
  });

  /** An index on a collection no other test uses. */
  async function fresh(collection = `t-${randomBytes(6).toString('hex')}`): Promise<ChromaIndex> {
    const index = await ChromaIndex.open({ url: server.url, collection });
    opened.push(index);
    return index;
  }

  it('prepare creates the collection once; another width is a dimension_mismatch', async () => {
    const index = await fresh();
    await index.prepare(3);
    await index.prepare(3);
    expect(await index.count()).toBe(0);
    const error = await errorOf(index.prepare(4));
    expect(error.code).toBe('dimension_mismatch');
    expect(error.details).toEqual({ expected: 4, found: 3 });
    expect(error.message).toContain('engram reindex --index chroma');
    // Chroma itself would take any width into an empty collection.
    expect((await errorOf(index.upsert([point('m1', vec(1, 0, 0, 0))]))).code).toBe('dimension_mismatch');
    expect((await errorOf(index.query({ tenant: 't1', scope: {}, vector: vec(1, 0), limit: 3 }))).code).toBe(
      'dimension_mismatch',
    );
  });

  it('a missing collection is an index_error that says to reindex', async () => {
    const index = await fresh();
    const error = await errorOf(index.count());
    expect(error.code).toBe('index_error');
    expect(error.statusCode).toBe(404);
    expect(error.message).toContain('engram reindex --index chroma');
  });

  it('upserts and finds nearest first, scored by exact cosine similarity', async () => {
    const index = await fresh();
    await index.prepare(4);
    const vectors = {
      a: vec(1, 0, 0, 0),
      b: vec(0.8, 0.6, 0, 0),
      c: vec(0, 1, 0, 0),
      d: vec(-1, 0.2, 0.1, 0),
    };
    await index.upsert(Object.entries(vectors).map(([id, v]) => point(id, v)));
    expect(await index.count()).toBe(4);
    const probe = vec(0.9, 0.2, 0.1, 0.05);
    const hits = await index.query({ tenant: 't1', scope: {}, vector: probe, limit: 10 });
    expect(hits.map((h) => h.memoryId)).toEqual(['a', 'b', 'c', 'd']);
    for (const hit of hits) {
      expect(hit.version).toBe(1);
      expect(hit.score).toBeCloseTo(cosine(probe, vectors[hit.memoryId as keyof typeof vectors]), 5);
    }
    expect(hits.at(-1)!.score).toBeLessThan(0);
    expect(await index.query({ tenant: 't1', scope: {}, vector: probe, limit: 2 })).toHaveLength(2);
    expect(await index.query({ tenant: 't1', scope: {}, vector: probe, limit: 0 })).toEqual([]);
  });

  it('keeps tenants apart and filters on every given scope id, never matching a missing one', async () => {
    const index = await fresh();
    await index.prepare(2);
    const v = vec(1, 0);
    await index.upsert([
      point('t1-u1', v, { userId: 'u1' }),
      point('t1-u1-a1', v, { userId: 'u1', agentId: 'a1' }),
      point('t1-u1-a1-r1', v, { userId: 'u1', agentId: 'a1', runId: 'r1' }),
      point('t1-a1', v, { userId: null, agentId: 'a1' }),
      point('t1-none', v, { userId: null }),
      point('t2-u1', v, { tenant: 't2', userId: 'u1' }),
    ]);
    const ids = async (tenant: string, scope: Parameters<ChromaIndex['query']>[0]['scope']) =>
      (await index.query({ tenant, scope, vector: v, limit: 50 })).map((h) => h.memoryId).sort();
    expect(await ids('t1', {})).toEqual(['t1-a1', 't1-none', 't1-u1', 't1-u1-a1', 't1-u1-a1-r1']);
    expect(await ids('t2', {})).toEqual(['t2-u1']);
    expect(await ids('t3', {})).toEqual([]);
    expect(await ids('t1', { userId: 'u1' })).toEqual(['t1-u1', 't1-u1-a1', 't1-u1-a1-r1']);
    expect(await ids('t1', { agentId: 'a1' })).toEqual(['t1-a1', 't1-u1-a1', 't1-u1-a1-r1']);
    expect(await ids('t1', { userId: 'u1', agentId: 'a1' })).toEqual(['t1-u1-a1', 't1-u1-a1-r1']);
    expect(await ids('t1', { userId: 'u1', agentId: 'a1', runId: 'r1' })).toEqual(['t1-u1-a1-r1']);
    expect(await ids('t1', { runId: 'r2' })).toEqual([]);
    // A null id is stored as '' (see chroma-index.ts): an empty scope id must not reach it.
    expect(await ids('t1', { userId: '' })).toEqual([]);
  });

  it('an upsert of a new version replaces the point, scope ids included', async () => {
    const index = await fresh();
    await index.prepare(2);
    await index.upsert([point('m1', vec(1, 0), { version: 1, userId: 'u1' })]);
    // Within one batch the newest version of a memory wins, whatever its place.
    await index.upsert([
      point('m1', vec(0, 1), { version: 3, userId: null, agentId: 'a1' }),
      point('m1', vec(1, 1), { version: 2, userId: 'u1' }),
    ]);
    expect(await index.count()).toBe(1);
    const hits = await index.query({ tenant: 't1', scope: { agentId: 'a1' }, vector: vec(0, 1), limit: 5 });
    expect(hits).toHaveLength(1);
    expect(hits[0]!.version).toBe(3);
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    // Chroma merges metadata on upsert; the user id that went away must not keep matching.
    expect(await index.query({ tenant: 't1', scope: { userId: 'u1' }, vector: vec(0, 1), limit: 5 })).toEqual(
      [],
    );
  });

  it('removes by memory id; unknown ids and an empty list are fine', async () => {
    const index = await fresh();
    await index.prepare(2);
    await index.upsert([point('m1', vec(1, 0)), point('m2', vec(0, 1)), point('m3', vec(1, 1))]);
    await index.remove([]);
    await index.remove(['m1', 'm3', 'm3', 'never-written']);
    expect(await index.count()).toBe(1);
    const hits = await index.query({ tenant: 't1', scope: {}, vector: vec(1, 0), limit: 5 });
    expect(hits.map((h) => h.memoryId)).toEqual(['m2']);
  });

  it('reset empties the collection for a new width, also for another index on it', async () => {
    const collection = `t-${randomBytes(6).toString('hex')}`;
    const index = await fresh(collection);
    const other = await fresh(collection);
    await index.prepare(2);
    await index.upsert([point('m1', vec(1, 0))]);
    expect(await other.count()).toBe(1);
    await index.reset(3);
    expect(await index.count()).toBe(0);
    await index.prepare(3);
    expect((await errorOf(index.prepare(2))).code).toBe('dimension_mismatch');
    // `other` holds a handle on the dropped collection: it finds the new one by name.
    await other.upsert([point('m2', vec(0, 1, 0))]);
    expect(await index.count()).toBe(1);
    // reset also creates a collection that was never there.
    const blank = await fresh();
    await blank.reset(2);
    expect(await blank.count()).toBe(0);
  });

  it('refuses a collection engram did not make', async () => {
    const { ChromaClient } = await import('chromadb');
    const { hostname, port } = new URL(server.url);
    const collection = `t-${randomBytes(6).toString('hex')}`;
    await new ChromaClient({ host: hostname, port: Number(port), ssl: false }).createCollection({
      name: collection,
      embeddingFunction: null,
    });
    const index = await fresh(collection);
    const error = await errorOf(index.prepare(2));
    expect(error.code).toBe('index_error');
    expect(error.message).toContain('engram_dimensions');
  });

  it('close is idempotent and later calls say the index is closed', async () => {
    const index = await fresh();
    await index.prepare(2);
    await index.close();
    await index.close();
    expect((await errorOf(index.count())).code).toBe('closed');
    expect((await errorOf(index.upsert([point('m1', vec(1, 0))]))).code).toBe('closed');
  });
});
