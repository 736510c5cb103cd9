import { expect, it } from 'vitest';
import type { Change } from '../../src/spec/store.js';
import { textHash } from '../../src/util/text-hash.js';
import { alice, axisVector, type MakeFixture, newMemory, T, useStore } from './conformance-kit.js';
import { ALICE, entity, graphWrite, relation } from './graph-kit.js';

/**
 * Erasure of given memories (the retention purge): every trace of the listed memories goes —
 * all states, versions, history, vectors, full-text rows, graph relations drawn from them — the
 * outbox names them for derived indexes, and nothing else moves: other memories of the scope, its
 * messages, another tenant's memory even when its id is listed.
 */
export function eraseMemoriesChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  it('erases the listed memories of the tenant with every version and history entry', async () => {
    const s = store();
    const [gone, changed, deleted, kept] = [
      newMemory('purple kiwi gone'),
      newMemory('purple kiwi changes'),
      newMemory('purple kiwi deleted'),
      newMemory('purple kiwi kept', { embedding: axisVector(1) }),
    ];
    const elsewhere = newMemory('purple kiwi elsewhere');
    await s.insertMemories('t1', [gone, changed, deleted, kept]);
    await s.insertMemories('t2', [elsewhere]);
    await s.updateMemory('t1', changed.id, {
      text: 'purple kiwi changed',
      hash: textHash('purple kiwi changed'),
      at: '2024-02-01T00:00:00.000Z',
    });
    await s.deleteMemory('t1', deleted.id, { at: '2024-02-02T00:00:00.000Z' });
    await s.appendMessages({ tenant: 't1', userId: 'alice' }, [
      { role: 'user', content: 'purple kiwi said', eventTime: T },
    ]);

    // Another tenant's id and an unknown one are skipped, not erased and not an error.
    const counts = await s.eraseMemories('t1', [
      gone.id,
      changed.id,
      deleted.id,
      elsewhere.id,
      '00000000-0000-4000-8000-000000000000',
    ]);
    expect(counts).toMatchObject({ memories: 3, versions: 4 });
    expect(counts.history).toBeGreaterThanOrEqual(5);
    for (const m of [gone, changed, deleted]) {
      expect(await s.getMemory('t1', m.id)).toBeNull();
      expect(await s.getMemory('t1', m.id, { asOf: '2024-01-15T00:00:00.000Z' })).toBeNull();
      expect(await s.versions('t1', m.id)).toEqual([]);
      expect(await s.history('t1', m.id)).toEqual([]);
    }
    const states = ['active', 'superseded', 'deleted'] as const;
    const listed = await s.listMemories('t1', { filter: alice(), states: [...states], limit: 10 });
    expect(listed.items.map((m) => m.id)).toEqual([kept.id]);
    expect((await s.textSearch('t1', 'kiwi', { filter: alice(), limit: 10 })).map((h) => h.id)).toEqual([
      kept.id,
    ]);
    expect(
      (await s.vectorSearch('t1', axisVector(0), { filter: alice(), limit: 10 })).map((h) => h.id),
    ).toEqual([kept.id]);
    // The scope's messages are not a memory's: they stay.
    expect(await s.recentMessages({ tenant: 't1', userId: 'alice' }, 10)).toHaveLength(1);
    expect((await s.getMemory('t2', elsewhere.id))?.text).toBe('purple kiwi elsewhere');
    expect(await s.eraseMemories('t1', [gone.id])).toEqual({ memories: 0, versions: 0, history: 0 });
    expect(await s.eraseMemories('t1', [])).toEqual({ memories: 0, versions: 0, history: 0 });
  });

  it('lists the tenants that hold memories', async () => {
    const s = store();
    expect(await s.memoryTenants()).toEqual([]);
    await s.insertMemories('t2', [newMemory('b')]);
    await s.insertMemories('t1', [newMemory('a')]);
    const lone = newMemory('c');
    await s.insertMemories('t3', [lone]);
    expect(await s.memoryTenants()).toEqual(['t1', 't2', 't3']);
    await s.eraseMemories('t3', [lone.id]);
    expect(await s.memoryTenants()).toEqual(['t1', 't2']);
  });

  it('names each erased memory in the derived-index outbox', async (context) => {
    const s = store();
    if (!s.outbox) return context.skip();
    const [a, b] = [newMemory('outbox a'), newMemory('outbox b')];
    await s.insertMemories('t1', [a, b]);
    await s.outbox.registerIndex('qdrant', T);
    await s.eraseMemories('t1', [a.id]);
    const rows = await s.outbox.outboxRows('qdrant', 100);
    expect(new Set(rows.map((r) => r.memoryId))).toEqual(new Set([a.id]));
  });

  it('removes the graph relations drawn from an erased memory, not the entities', async (context) => {
    const s = store();
    if (!s.graph) return context.skip();
    const fact = newMemory('Alice knows Alice friend');
    const [x, y] = [entity('Alice'), entity('Alice friend')];
    const changes: Change[] = [{ kind: 'insert', memory: fact }];
    await s.applyChanges(
      't1',
      changes,
      undefined,
      graphWrite({
        scope: ALICE,
        entities: [x, y],
        relations: [relation(x, 'knows', y, { memory: { change: 0 } })],
      }),
    );
    expect(await s.graph.relations('t1', ALICE, { limit: 10 })).toHaveLength(1);
    await s.eraseMemories('t1', [fact.id]);
    expect(await s.graph.relations('t1', ALICE, { limit: 10 })).toEqual([]);
    expect(await s.graph.entities('t1', ALICE)).toHaveLength(2);
  });
}
