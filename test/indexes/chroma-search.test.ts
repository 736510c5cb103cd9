import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MemoryFixture, memoryFixture } from '../memory/memory-fixture.js';
import { type ChromaServer, startChromaServer } from '../support/chroma-server.js';
import { CORPUS, converged, QUERIES } from './index-corpus.js';

/** The acceptance check: a real local Chroma server as the derived index. */
describe('search through a real Chroma server', () => {
  let chroma: ChromaServer;
  let fixture: MemoryFixture;

  beforeAll(async () => {
    chroma = await startChromaServer();
    fixture = await memoryFixture({
      index: { provider: 'chroma', url: chroma.url, collection: 'engram-test' },
    });
  }, 60_000);

  afterAll(async () => {
    await fixture?.close();
    await chroma?.close();
  });

  it('returns the same top results as the store’s own vectors on a fixed corpus', async () => {
    const memory = fixture.memory;
    for (const text of CORPUS) await memory.add(text, { userId: 'alice', infer: false });
    await memory.add('Bob likes green tea too', { userId: 'bob', infer: false });
    await converged(memory);
    expect((await memory.indexes.status())[0]).toMatchObject({ name: 'chroma', points: CORPUS.length + 1 });

    const plain = fixture.reopen({ index: undefined });
    for (const query of QUERIES) {
      const viaIndex = await memory.search(query, { userId: 'alice', limit: 5, mode: 'vector' });
      const viaStore = await plain.search(query, { userId: 'alice', limit: 5, mode: 'vector' });
      expect(viaIndex.vector_index).toEqual({ provider: 'chroma', used: true });
      expect(viaIndex.results.map((r) => r.memory)).toEqual(viaStore.results.map((r) => r.memory));
    }
    const tea = await memory.search('green tea', { userId: 'alice', limit: 10, mode: 'vector' });
    expect(tea.results.map((r) => r.memory)).not.toContain('Bob likes green tea too');

    // A delete reaches the index through the outbox.
    const cat = (await memory.search('cat', { userId: 'alice', limit: 1 })).results[0];
    await memory.delete(cat?.id ?? '');
    await converged(memory);
    expect((await memory.indexes.status())[0]).toMatchObject({ points: CORPUS.length });
  }, 60_000);
});
