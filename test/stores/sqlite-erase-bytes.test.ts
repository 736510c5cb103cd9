import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { makeTempDir } from '../support/cli-runner.js';
import { fakeEmbedding } from '../support/fake-embedding.js';

/** Erasure removes the bytes, not only the rows: no file of the store holds the scope's text after. */
describe('erasure on SQLite, byte by byte', () => {
  const tmp = makeTempDir('engram-erase-');
  afterAll(() => tmp.remove());

  const inFiles = (marker: string) =>
    readdirSync(tmp.dir)
      .filter((name) => name.startsWith('store.db'))
      .filter((name) => readFileSync(join(tmp.dir, name)).includes(Buffer.from(marker)));

  it('leaves no trace of the erased user in the database, its WAL or its shared memory', async () => {
    const memory = new Memory(
      { dbPath: join(tmp.dir, 'store.db'), llm: null },
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
    try {
      const marker = 'qzxv-erase-marker-ouija';
      const kept = 'kept-marker-bravado-xq';
      const [id] = (
        await memory.add(`Note ${marker} one`, { userId: 'alice', infer: false, metadata: { tag: marker } })
      ).results.map((r) => r.id);
      await memory.update(id!, { text: `Note ${marker} two`, eventTime: '2099-01-01T00:00:00Z' });
      for (let i = 0; i < 50; i++)
        await memory.add(`filler ${i} ${marker}`, { userId: 'alice', infer: false });
      await memory.add(`Note ${kept}`, { userId: 'bob', infer: false });
      expect(inFiles(marker).length).toBeGreaterThan(0);

      const counts = await memory.data.erase({ userId: 'alice' });
      expect(counts.memories).toBe(51);

      expect(inFiles(marker)).toEqual([]);
      expect(inFiles(kept).length).toBeGreaterThan(0);
      expect((await memory.search(kept, { userId: 'bob' })).results).toHaveLength(1);
      expect((await memory.getAll({ userId: 'alice' })).results).toEqual([]);
    } finally {
      await memory.close();
    }
  });
});
