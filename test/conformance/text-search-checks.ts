import { expect, it } from 'vitest';
import { alice, type MakeFixture, newMemory, useStore } from './conformance-kit.js';

/** Full-text candidates: stemming, safety, and a score where higher is better, in [0, 1). */
export function textSearchChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  it('ranks full-text matches with stemming', async () => {
    const a = newMemory('She lives near the harbour and loves hiking');
    const b = newMemory('Owns a red bicycle');
    await store().insertMemories('t1', [a, b]);
    const hits = await store().textSearch('t1', 'where does she live? hikes', { filter: alice(), limit: 5 });
    expect(hits.map((h) => h.id)).toEqual([a.id]);
    expect(
      await store().textSearch('t1', '"; DROP TABLE memories; --', { filter: alice(), limit: 5 }),
    ).toEqual([]);
    expect(
      await store().textSearch('t1', 'harbour OR NEAR(x y) * ^', { filter: alice(), limit: 5 }),
    ).toHaveLength(1);
  });

  it('scores a better match higher, every score in [0, 1)', async () => {
    const both = newMemory('Sailing and climbing on weekends');
    const one = newMemory(
      'Climbing gym membership renewed yesterday with a long note about fees and parking',
    );
    const none = newMemory('Prefers tea over coffee');
    await store().insertMemories('t1', [none, one, both]);
    const hits = await store().textSearch('t1', 'sailing climbing', { filter: alice(), limit: 5 });
    expect(hits.map((h) => h.id)).toEqual([both.id, one.id]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    for (const hit of hits) {
      expect(hit.score).toBeGreaterThan(0);
      expect(hit.score).toBeLessThan(1);
      expect(hit.version).toBe(1);
    }
  });
}
