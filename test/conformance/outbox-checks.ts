import { expect, it } from 'vitest';
import type { IndexOutbox } from '../../src/spec/index-outbox.js';
import type { Store } from '../../src/spec/store.js';
import { textHash } from '../../src/util/text-hash.js';
import { alice, axisVector, f, type MakeFixture, newMemory, T, useStore } from './conformance-kit.js';

const at = (day: number) => `2024-02-${String(day).padStart(2, '0')}T00:00:00.000Z`;

function outboxOf(s: Store): IndexOutbox {
  if (!s.outbox) throw new Error('a store with the outbox capability exposes store.outbox');
  return s.outbox;
}

/** Memory ids named by the index's pending rows (each once), and the rows themselves. */
async function pending(s: Store, name = 'qdrant') {
  const rows = await outboxOf(s).outboxRows(name, 1000);
  return { rows, ids: new Set(rows.map((r) => r.memoryId)) };
}

/** Derived-index outbox: rows written by every vector-changing write, points read back, leases. */
export function outboxChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  it('writes no rows while no index is registered, then one per change per index', async () => {
    const s = store();
    const before = newMemory('written before any index');
    await s.insertMemories('t1', [before]);
    const state = await outboxOf(s).registerIndex('qdrant', T);
    expect(state).toMatchObject({ name: 'qdrant', pending: 0, built: false, dimensions: null, failures: 0 });
    expect((await pending(s)).rows).toEqual([]);
    await outboxOf(s).registerIndex('chroma', T);
    const after = newMemory('written after');
    await s.insertMemories('t1', [after]);
    expect((await pending(s, 'qdrant')).ids).toEqual(new Set([after.id]));
    expect((await pending(s, 'chroma')).ids).toEqual(new Set([after.id]));
    const states = await outboxOf(s).indexStates();
    expect(states.map((x) => [x.name, x.pending > 0, x.oldestPendingAt !== null])).toEqual([
      ['chroma', true, true],
      ['qdrant', true, true],
    ]);
  });

  it('every vector-changing write names its memory: new version, invalidation, delete, erase, reindex', async () => {
    const s = store();
    const o = outboxOf(s);
    const [a, b, c, d] = ['alpha', 'beta', 'gamma', 'delta'].map((t) => newMemory(t));
    const bob = newMemory('bob fact', { userId: 'bob' });
    await s.insertMemories('t1', [a!, b!, c!, d!, bob]);
    await o.registerIndex('qdrant', T);
    const drain = async () => {
      const { rows, ids } = await pending(s);
      await o.completeOutbox(
        'qdrant',
        rows.map((r) => r.id),
        { error: null },
        T,
      );
      return ids;
    };

    await s.updateMemory('t1', a!.id, { text: 'alpha two', hash: textHash('alpha two'), at: at(1) });
    expect(await drain()).toEqual(new Set([a!.id]));
    await s.invalidateMemory('t1', b!.id, { validTo: at(2), supersededBy: null, at: at(2) });
    expect(await drain()).toEqual(new Set([b!.id]));
    await s.deleteMemory('t1', c!.id, { at: at(3) });
    expect(await drain()).toEqual(new Set([c!.id]));
    await s.setEmbeddings([{ tenant: 't1', id: d!.id, version: 1, embedding: axisVector(2) }], 'test:other');
    expect(await drain()).toEqual(new Set([d!.id]));
    // Metadata and importance do not change the point: no row.
    await s.updateMemory('t1', d!.id, { metadata: { k: 1 }, importance: 0.9, at: at(4) });
    await s.recordAccess('t1', [d!.id], at(4));
    expect(await drain()).toEqual(new Set());
    await s.eraseScope('t1', { userId: 'bob' });
    expect(await drain()).toEqual(new Set([bob.id]));
    await s.deleteMemories('t1', alice()!, { at: at(5) });
    expect(await drain()).toEqual(new Set([a!.id, b!.id, d!.id]));
    expect((await o.indexStates())[0]).toMatchObject({ pending: 0, failures: 0 });
  });

  it('indexPoints: the current version and vector of active memories of that tenant only', async () => {
    const s = store();
    const o = outboxOf(s);
    const kept = newMemory('kept', { embedding: axisVector(1) });
    const changed = newMemory('changed');
    const gone = newMemory('gone');
    const noVector = newMemory('no vector', { embedding: null, embeddingModel: null });
    await s.insertMemories('t1', [kept, changed, gone, noVector]);
    await s.updateMemory('t1', changed.id, {
      text: 'changed again',
      hash: textHash('changed again'),
      embedding: axisVector(3),
      embeddingModel: 'test:model',
      at: at(1),
    });
    await s.invalidateMemory('t1', gone.id, { validTo: at(2), supersededBy: null, at: at(2) });
    const ids = [kept.id, changed.id, gone.id, noVector.id];
    const points = await o.indexPoints('t1', ids);
    expect([...points.keys()].sort()).toEqual([kept.id, changed.id].sort());
    expect(points.get(changed.id)).toMatchObject({
      tenant: 't1',
      version: 2,
      userId: 'alice',
      agentId: null,
    });
    expect([...(points.get(changed.id)?.vector ?? [])]).toEqual([...axisVector(3)]);
    expect([...(points.get(kept.id)?.vector ?? [])]).toEqual([...axisVector(1)]);
    expect((await o.indexPoints('t2', ids)).size).toBe(0);
    expect(await o.indexPointCount()).toBe(2);
  });

  it('scanIndexPoints pages through every tenant’s current points', async () => {
    const s = store();
    const o = outboxOf(s);
    const mine = Array.from({ length: 5 }, (_, i) => newMemory(`fact ${i}`));
    await s.insertMemories('t1', mine.slice(0, 3));
    await s.insertMemories('t2', mine.slice(3));
    await s.deleteMemory('t1', mine[0]!.id, { at: at(1) });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await o.scanIndexPoints(cursor, 2);
      seen.push(...page.points.map((p) => `${p.tenant}/${p.memoryId}`));
      cursor = page.next;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen.sort()).toEqual(
      [`t1/${mine[1]!.id}`, `t1/${mine[2]!.id}`, `t2/${mine[3]!.id}`, `t2/${mine[4]!.id}`].sort(),
    );
  });

  it('progress: failures count up and a success clears them; built and width are recorded', async () => {
    const s = store();
    const o = outboxOf(s);
    await o.registerIndex('qdrant', T);
    await o.recordIndexProgress('qdrant', { error: 'connection refused' }, at(1));
    await o.recordIndexProgress('qdrant', { error: 'connection refused again' }, at(2));
    expect((await o.indexStates())[0]).toMatchObject({ failures: 2, lastError: 'connection refused again' });
    await o.recordIndexProgress('qdrant', { built: true, dimensions: 4, error: null }, at(3));
    expect((await o.indexStates())[0]).toMatchObject({
      built: true,
      dimensions: 4,
      failures: 0,
      lastError: null,
      updatedAt: at(3),
    });
  });

  it('one feeder per index: a lease excludes another holder until it expires or is released', async () => {
    const s = store();
    const o = outboxOf(s);
    await o.registerIndex('qdrant', T);
    expect(await o.leaseIndex('qdrant', 'a', 30_000, at(1))).toBe(true);
    expect(await o.leaseIndex('qdrant', 'b', 30_000, at(1))).toBe(false);
    expect(await o.leaseIndex('qdrant', 'a', 30_000, at(1))).toBe(true);
    expect(await o.leaseIndex('qdrant', 'b', 30_000, at(2))).toBe(true);
    await o.releaseIndex('qdrant', 'b');
    expect(await o.leaseIndex('qdrant', 'a', 30_000, at(2))).toBe(true);
  });

  it('unregistering stops the rows and drops the pending ones', async () => {
    const s = store();
    const o = outboxOf(s);
    await o.registerIndex('qdrant', T);
    await s.insertMemories('t1', [newMemory('one')]);
    await o.unregisterIndex('qdrant');
    expect(await o.indexStates()).toEqual([]);
    await s.insertMemories('t1', [newMemory('two')]);
    await o.registerIndex('qdrant', T);
    expect((await pending(s)).rows).toEqual([]);
  });

  it('vectorSearchAmong re-scores only listed ids the filter and window select', async () => {
    const s = store();
    const near = newMemory('near', { embedding: axisVector(0, 0.1) });
    const far = newMemory('far', { embedding: axisVector(1) });
    const gone = newMemory('gone', { embedding: axisVector(0) });
    const bobs = newMemory('bobs', { userId: 'bob', embedding: axisVector(0) });
    await s.insertMemories('t1', [near, far, gone, bobs]);
    await s.deleteMemory('t1', gone.id, { at: at(1) });
    const ids = [far.id, near.id, gone.id, bobs.id, 'not-a-memory'];
    const hits = await s.vectorSearchAmong('t1', ids, axisVector(0), { filter: alice(), limit: 10 });
    expect(hits.map((h) => h.id)).toEqual([near.id, far.id]);
    expect(hits[0]?.score).toBeCloseTo(1 / Math.hypot(1, 0.1), 5);
    expect(hits[1]?.score).toBeCloseTo(0, 5);
    expect(await s.vectorSearchAmong('t2', ids, axisVector(0), { filter: null, limit: 10 })).toEqual([]);
    const limited = await s.vectorSearchAmong('t1', ids, axisVector(0), { filter: f({}), limit: 1 });
    // The whole tenant: bob’s exact match is nearest.
    expect(limited.map((h) => h.id)).toEqual([bobs.id]);
  });
}
