import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Memory } from '../../src/memory/memory.js';
import { type MemoryFixture, memoryFixture } from '../memory/memory-fixture.js';
import { type ChromaServer, startChromaServer } from '../support/chroma-server.js';

const CORPUS = [
  'Alice likes green tea in the morning',
  'Alice runs five kilometres every Sunday',
  'Alice works as a nurse at the city hospital',
  'Alice is allergic to peanuts',
  'Alice visited Lisbon last spring',
  'Alice plays the cello in an orchestra',
  'Alice has a cat called Miso',
  'Alice learns Japanese on weekday evenings',
  'Alice bakes sourdough bread on Saturdays',
  'Alice keeps tomatoes and basil on her balcony',
];
const QUERIES = [
  'what does alice drink',
  'alice pet cat',
  'music instrument orchestra',
  'travel lisbon',
  'bread baking',
  'garden balcony plants',
];

async function converged(memory: Memory): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [status] = await memory.indexes.status();
    if (status?.built && status.pending === 0) return;
    if (Date.now() > deadline) throw new Error(`index did not converge: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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
