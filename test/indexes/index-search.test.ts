import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QdrantIndex } from '../../src/indexes/qdrant/qdrant-index.js';
import type { Memory } from '../../src/memory/memory.js';
import { type MemoryFixture, memoryFixture, storeVariants } from '../memory/memory-fixture.js';
import { type FakeQdrant, startFakeQdrant } from '../support/fake-qdrant.js';
import { CORPUS, converged, QUERIES } from './index-corpus.js';

describe.each(storeVariants())('search through a Qdrant index (%s store)', (_name, storeOverrides) => {
  let qdrant: FakeQdrant;
  let fixture: MemoryFixture;
  let memory: Memory;

  beforeEach(async () => {
    qdrant = await startFakeQdrant();
    fixture = await memoryFixture({
      ...storeOverrides(),
      index: { provider: 'qdrant', url: qdrant.url, collection: 'engram', timeoutMs: 1000 },
    });
    memory = fixture.memory;
  });

  afterEach(async () => {
    await fixture.close();
    await qdrant.close();
  });

  it('returns the same top results as the store’s own vectors on a fixed corpus', async () => {
    for (const text of CORPUS) await memory.add(text, { userId: 'alice', infer: false });
    await memory.add('Bob likes green tea too', { userId: 'bob', infer: false });
    await converged(memory);
    expect(qdrant.points('engram')).toHaveLength(CORPUS.length + 1);

    const plain = fixture.reopen({ index: undefined });
    for (const query of QUERIES) {
      const viaIndex = await memory.search(query, { userId: 'alice', limit: 3, mode: 'vector' });
      const viaStore = await plain.search(query, { userId: 'alice', limit: 3, mode: 'vector' });
      expect(viaIndex.vector_index).toEqual({ provider: 'qdrant', used: true });
      expect(viaStore.vector_index).toBeUndefined();
      expect(viaIndex.results.map((r) => r.memory)).toEqual(viaStore.results.map((r) => r.memory));
      // Recency moves with the clock between the two searches: equal to a millionth.
      for (const [i, r] of viaIndex.results.entries()) {
        expect(r.score).toBeCloseTo(viaStore.results[i]?.score ?? -1, 6);
      }
    }
    // Hybrid too, and the index was asked within alice's scope only.
    const hybrid = await memory.search('green tea', { userId: 'alice', limit: 5 });
    expect(hybrid.results.map((r) => r.memory)).not.toContain('Bob likes green tea too');
    const query = qdrant.requests.filter((r) => r.path.endsWith('/points/query')).at(-1);
    expect(JSON.stringify(query?.body)).toContain('"alice"');
  });

  it('a lagging index can never bring back a deleted memory or show another scope’s', async () => {
    const kept = await memory.add('Alice owns a red bicycle', { userId: 'alice', infer: false });
    const gone = await memory.add('Alice owns a blue bicycle', { userId: 'alice', infer: false });
    const bobs = await memory.add('Bob owns a bicycle shop', { userId: 'bob', infer: false });
    await converged(memory);
    const [keptId, goneId, bobId] = [kept, gone, bobs].map((r) => r.results[0]?.id ?? '') as [
      string,
      string,
      string,
    ];
    await memory.delete(goneId);
    // Play a stale index: the deleted memory's point is written back, and bob's point is relabelled
    // as alice's — the index now answers with ids the store must refuse.
    const stale = await QdrantIndex.open({ url: qdrant.url, collection: 'engram' });
    await converged(memory);
    const vector = qdrant.points('engram').find((p) => p.payload.memory_id === keptId)?.vector ?? [];
    await stale.upsert([
      {
        tenant: 'default',
        memoryId: goneId,
        version: 1,
        userId: 'alice',
        agentId: null,
        runId: null,
        vector: Float32Array.from(vector),
      },
      {
        tenant: 'default',
        memoryId: bobId,
        version: 1,
        userId: 'alice',
        agentId: null,
        runId: null,
        vector: Float32Array.from(vector),
      },
    ]);
    await stale.close();
    const found = await memory.search('bicycle', { userId: 'alice', limit: 10, mode: 'vector' });
    expect(found.vector_index?.used).toBe(true);
    expect(found.results.map((r) => r.id)).toEqual([keptId]);
  });

  it('falls back to the store when the index is down, says so, and catches up when it is back', async () => {
    await memory.add('Alice drinks oolong tea', { userId: 'alice', infer: false });
    await converged(memory);
    await qdrant.stop();
    const during = await memory.add('Alice grows tea plants on her balcony', {
      userId: 'alice',
      infer: false,
    });
    const found = await memory.search('tea', { userId: 'alice', limit: 5, mode: 'vector' });
    expect(found.vector_index).toMatchObject({ provider: 'qdrant', used: false });
    expect(found.vector_index?.reason).toMatch(/qdrant|reach|refused/i);
    expect(found.results.map((r) => r.memory).sort()).toEqual(
      ['Alice drinks oolong tea', 'Alice grows tea plants on her balcony'].sort(),
    );
    // The feeder records the failure and keeps the row.
    const deadline = Date.now() + 10_000;
    let status = (await memory.indexes.status())[0];
    while ((status?.failures ?? 0) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await memory.indexes.status())[0];
    }
    // The insert and its vector each named the memory; both rows wait.
    expect(status).toMatchObject({ built: true });
    expect(status?.pending).toBeGreaterThan(0);
    expect(status?.failures).toBeGreaterThan(0);
    expect(status?.lastError).toMatch(/qdrant/i);

    await qdrant.restart();
    await converged(memory, 40_000);
    expect((await memory.indexes.status())[0]).toMatchObject({ failures: 0, lastError: null, points: 2 });
    expect(qdrant.points('engram').map((p) => p.payload.memory_id)).toContain(during.results[0]?.id);
  }, 60_000);

  it('rebuild drops the collection and writes every current point again', async () => {
    for (const text of CORPUS.slice(0, 4)) await memory.add(text, { userId: 'alice', infer: false });
    await converged(memory);
    const seen: number[] = [];
    const result = await memory.indexes.rebuild('qdrant', (done) => seen.push(done));
    expect(result).toEqual({ provider: 'qdrant', points: 4 });
    expect(seen.at(-1)).toBe(4);
    expect(qdrant.points('engram')).toHaveLength(4);
    await expect(memory.indexes.rebuild('chroma')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(memory.indexes.drop('qdrant')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('as-of searches use the store (only it holds old versions), and say so', async () => {
    await memory.add('Alice lives in Porto', { userId: 'alice', infer: false });
    await converged(memory);
    const found = await memory.search('porto', {
      userId: 'alice',
      mode: 'vector',
      asOf: new Date().toISOString(),
    });
    expect(found.vector_index).toMatchObject({ used: false });
    expect(found.vector_index?.reason).toMatch(/old versions/);
    expect(found.results).toHaveLength(1);
  });
});
