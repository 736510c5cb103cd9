import { expect, it } from 'vitest';
import { textHash } from '../../src/util/text-hash.js';
import { alice, axisVector, f, type MakeFixture, newMemory, T, useStore } from './conformance-kit.js';

/** Vector candidates (cosine similarity, higher is better) and vector maintenance. */
export function vectorSearchChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  it('scores hits by cosine similarity, nearest first', async () => {
    const same = newMemory('same direction', { embedding: axisVector(0) });
    const close = newMemory('close', { embedding: axisVector(0, 0.5) });
    const orthogonal = newMemory('orthogonal', { embedding: axisVector(2) });
    await store().insertMemories('t1', [orthogonal, close, same]);
    const hits = await store().vectorSearch('t1', axisVector(0), { filter: alice(), limit: 3 });
    expect(hits.map((h) => h.id)).toEqual([same.id, close.id, orthogonal.id]);
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    expect(hits[1]!.score).toBeCloseTo(1 / Math.hypot(1, 0.5), 4);
    expect(hits[2]!.score).toBeCloseTo(0, 5);
    expect(hits.every((h) => h.version === 1)).toBe(true);
  });

  it('finds nearest vectors inside the scope, exactly, even when filters remove near ones', async () => {
    const rows = [
      newMemory('north', { embedding: axisVector(0), metadata: { kind: 'x' } }),
      newMemory('north-ish', { embedding: axisVector(0, 0.3), metadata: { kind: 'y' } }),
      newMemory('east', { embedding: axisVector(1), metadata: { kind: 'y' } }),
      newMemory('bob north', { userId: 'bob', embedding: axisVector(0) }),
    ];
    // Many near neighbours of another kind, to push the one match past any small k.
    for (let i = 0; i < 60; i++)
      rows.push(newMemory(`crowd ${i}`, { embedding: axisVector(0, 0.01 * i), metadata: { kind: 'z' } }));
    await store().insertMemories('t1', rows);
    const nearest = await store().vectorSearch('t1', axisVector(0), { filter: alice(), limit: 2 });
    expect(nearest).toHaveLength(2);
    expect(nearest[0]!.score).toBeGreaterThanOrEqual(nearest[1]!.score);
    const onlyY = await store().vectorSearch('t1', axisVector(0), {
      filter: f({ user_id: 'alice', 'metadata.kind': 'y' }),
      limit: 5,
    });
    expect(onlyY.map((h) => h.id)).toEqual([rows[1]!.id, rows[2]!.id]);
    expect(
      await store().vectorSearch('t1', axisVector(0), { filter: f({ agent_id: 'nobody' }), limit: 5 }),
    ).toEqual([]);
    const bob = await store().vectorSearch('t1', axisVector(0), { filter: f({ user_id: 'bob' }), limit: 5 });
    expect(bob.map((h) => h.id)).toEqual([rows[3]!.id]);
  });

  it('does not return superseded versions or memories in a current search', async () => {
    const m = newMemory('points north');
    const gone = newMemory('also north', { embedding: axisVector(0, 0.1) });
    await store().insertMemories('t1', [m, gone]);
    await store().updateMemory('t1', m.id, {
      text: 'points east',
      hash: textHash('points east'),
      embedding: axisVector(1),
      embeddingModel: 'test:model',
      at: '2024-02-01T00:00:00.000Z',
      validFrom: '2024-02-01T00:00:00.000Z',
    });
    await store().invalidateMemory('t1', gone.id, {
      validTo: '2024-02-01T00:00:00.000Z',
      supersededBy: null,
      at: T,
    });
    const hits = await store().vectorSearch('t1', axisVector(0), { filter: alice(), limit: 5 });
    expect(hits.map((h) => [h.id, h.version])).toEqual([[m.id, 2]]);
  });

  it('reports the vector width, resets it, and re-embeds every version', async () => {
    expect(await store().vectorWidth()).toBeNull();
    const m = newMemory('to re-embed');
    await store().insertMemories('t1', [m]);
    await store().updateMemory('t1', m.id, {
      text: 'to re-embed, v2',
      hash: textHash('to re-embed, v2'),
      embedding: axisVector(1),
      embeddingModel: 'test:model',
      at: '2024-02-01T00:00:00.000Z',
      validFrom: '2024-02-01T00:00:00.000Z',
    });
    await store().insertMemories('t2', [newMemory('keep me')]);
    expect(await store().vectorWidth()).toBe(4);
    expect(await store().versionsToEmbed('t1', 'test:model', 10)).toEqual([]);
    await store().resetVectors(3);
    expect(await store().vectorWidth()).toBe(3);
    expect((await store().stats()).vectors).toBe(0);
    const todo = await store().versionsToEmbed(null, 'other:model', 10);
    expect(todo.map((v) => [v.tenant, v.version, v.text]).sort()).toEqual([
      ['t1', 1, 'to re-embed'],
      ['t1', 2, 'to re-embed, v2'],
      ['t2', 1, 'keep me'],
    ]);
    await store().setEmbeddings(
      [
        { tenant: 't1', id: m.id, version: 1, embedding: new Float32Array([1, 0, 0]) },
        { tenant: 't1', id: m.id, version: 2, embedding: new Float32Array([0, 1, 0]) },
      ],
      'other:model',
    );
    expect(await store().versionsToEmbed(null, 'other:model', 10)).toHaveLength(1);
    expect((await store().getMemory('t1', m.id))?.embeddingModel).toBe('other:model');
    const now = await store().vectorSearch('t1', new Float32Array([0, 1, 0]), { filter: alice(), limit: 1 });
    expect(now.map((h) => [h.id, h.version])).toEqual([[m.id, 2]]);
    const then = await store().vectorSearch('t1', new Float32Array([1, 0, 0]), {
      filter: alice(),
      asOf: '2024-01-15T00:00:00.000Z',
      limit: 1,
    });
    expect(then.map((h) => [h.id, h.version])).toEqual([[m.id, 1]]);
    await expect(
      store().insertMemories('t1', [newMemory('wrong width', { embedding: axisVector(0) })]),
    ).rejects.toMatchObject({ code: 'dimension_mismatch' });
  });
}
