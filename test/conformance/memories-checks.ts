import { expect, it } from 'vitest';
import { MemoryError } from '../../src/spec/memory-error.js';
import { textHash } from '../../src/util/text-hash.js';
import { alice, axisVector, f, type MakeFixture, newMemory, T, useStore } from './conformance-kit.js';

const LATER = '2024-02-01T00:00:00.000Z';

/** Memories: identity, current state, writes as transactions, isolation, deletes, paging. */
export function memoryChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  it('inserts and reads back a memory with every field', async () => {
    const m = newMemory('Alice lives in Paris', {
      metadata: { topic: 'home', n: 3 },
      categories: ['place'],
      actorId: 'a1',
      role: 'user',
      source: ['m1'],
    });
    const [outcome] = await store().insertMemories('t1', [m]);
    expect(outcome?.inserted).toBe(true);
    const got = await store().getMemory('t1', m.id);
    expect(got).toEqual({
      id: m.id,
      tenant: 't1',
      userId: 'alice',
      agentId: null,
      runId: null,
      actorId: 'a1',
      role: 'user',
      text: 'Alice lives in Paris',
      hash: m.hash,
      metadata: { topic: 'home', n: 3 },
      categories: ['place'],
      importance: 0.5,
      memoryType: 'semantic',
      state: 'active',
      version: 1,
      validFrom: T,
      validTo: null,
      createdAt: T,
      updatedAt: T,
      recordedAt: T,
      expiredAt: null,
      supersededBy: null,
      source: ['m1'],
      accessCount: 0,
      lastAccessedAt: null,
      embeddingModel: 'test:model',
    });
    expect(outcome?.record).toEqual(got);
    expect((await store().history('t1', m.id)).map((h) => [h.event, h.version])).toEqual([['ADD', 1]]);
  });

  it('enforces tenant isolation on every method that takes a tenant', async () => {
    const m = newMemory('secret of tenant one');
    const s = store();
    await s.insertMemories('t1', [m]);
    const scope = alice();
    expect(await s.getMemory('t2', m.id)).toBeNull();
    expect(await s.getMemory('t2', m.id, { asOf: T })).toBeNull();
    expect(await s.getMemories('t2', [m.id])).toEqual([]);
    expect(await s.findByHash('t2', scope!, m.hash)).toBeNull();
    expect(await s.history('t2', m.id)).toEqual([]);
    expect(await s.versions('t2', m.id)).toEqual([]);
    const notFound = { code: 'not_found' };
    await expect(
      s.updateMemory('t2', m.id, { text: 'hijacked', hash: textHash('hijacked'), at: T }),
    ).rejects.toMatchObject(notFound);
    await expect(s.deleteMemory('t2', m.id, { at: T })).rejects.toMatchObject(notFound);
    await expect(
      s.invalidateMemory('t2', m.id, { validTo: T, supersededBy: null, at: T }),
    ).rejects.toMatchObject(notFound);
    await expect(
      s.applyChanges('t2', [{ kind: 'invalidate', id: m.id, validTo: T, supersededBy: null, at: T }]),
    ).rejects.toMatchObject(notFound);
    expect((await s.listMemories('t2', { filter: scope, states: ['active'], limit: 10 })).items).toEqual([]);
    expect(await s.deleteMemories('t2', scope!, { at: T })).toBe(0);
    await s.recordAccess('t2', [m.id], T);
    expect(await s.vectorSearch('t2', axisVector(0), { filter: scope, limit: 5 })).toEqual([]);
    expect(await s.textSearch('t2', 'secret', { filter: scope, limit: 5 })).toEqual([]);
    expect(await s.vectorSimilarities('t2', [m.id], axisVector(0))).toEqual(new Map());
    expect(await s.versionsToEmbed('t2', 'other:model', 10)).toEqual([]);
    await s.setEmbeddings([{ tenant: 't2', id: m.id, version: 1, embedding: axisVector(2) }], 'other:model');
    await s.reset('t2');
    const still = await s.getMemory('t1', m.id);
    expect(still).toMatchObject({
      text: 'secret of tenant one',
      accessCount: 0,
      embeddingModel: 'test:model',
    });
    expect((await s.vectorSearch('t1', axisVector(0), { filter: scope, limit: 1 }))[0]?.id).toBe(m.id);
  });

  it('keeps one active memory per exact text per scope', async () => {
    const a = newMemory('likes tea');
    const [first] = await store().insertMemories('t1', [a]);
    const [second] = await store().insertMemories('t1', [newMemory('likes tea')]);
    expect(first?.inserted).toBe(true);
    expect(second).toMatchObject({ inserted: false, record: { id: a.id } });
    const [otherUser] = await store().insertMemories('t1', [newMemory('likes tea', { userId: 'bob' })]);
    expect(otherUser?.inserted).toBe(true);
  });

  it('finds an active memory by hash, inside the filter only', async () => {
    const a = newMemory('drinks coffee');
    await store().insertMemories('t1', [a, newMemory('drinks coffee', { userId: 'bob' })]);
    expect((await store().findByHash('t1', alice()!, a.hash))?.id).toBe(a.id);
    expect(await store().findByHash('t1', f({ user_id: 'carol' })!, a.hash)).toBeNull();
    await store().invalidateMemory('t1', a.id, { validTo: LATER, supersededBy: null, at: LATER });
    expect(await store().findByHash('t1', alice()!, a.hash)).toBeNull();
  });

  it('writes a batch atomically: one bad row leaves nothing behind', async () => {
    await store().insertMemories('t1', [newMemory('first vector fixes the width')]);
    const good = newMemory('good row');
    const bad = newMemory('bad row', { embedding: new Float32Array([1, 0, 0]) });
    await expect(store().insertMemories('t1', [good, bad])).rejects.toBeInstanceOf(MemoryError);
    expect(await store().getMemory('t1', good.id)).toBeNull();
    expect(await store().history('t1', good.id)).toEqual([]);
  });

  it('applies a change list all or nothing, resolving {change: n} references', async () => {
    const old = newMemory('works at Acme');
    const keep = newMemory('likes jazz');
    await store().insertMemories('t1', [old, keep]);
    const replacement = newMemory('works at Globex');
    const outcomes = await store().applyChanges('t1', [
      { kind: 'insert', memory: replacement },
      { kind: 'insert', memory: newMemory('likes jazz') },
      {
        kind: 'update',
        id: keep.id,
        patch: {
          text: 'likes jazz and blues',
          hash: textHash('likes jazz and blues'),
          at: LATER,
          validFrom: LATER,
        },
      },
      {
        kind: 'invalidate',
        id: old.id,
        validTo: LATER,
        supersededBy: { change: 0 },
        at: LATER,
        reason: 'job change',
      },
    ]);
    expect(outcomes.map((o) => [o.kind, o.inserted, o.previousText])).toEqual([
      ['insert', true, null],
      ['insert', false, null],
      ['update', false, 'likes jazz'],
      ['invalidate', false, 'works at Acme'],
    ]);
    expect(outcomes[1]?.record.id).toBe(keep.id);
    expect(await store().getMemory('t1', old.id)).toMatchObject({
      state: 'superseded',
      supersededBy: replacement.id,
      validTo: LATER,
    });

    const lost = newMemory('should not survive');
    await expect(
      store().applyChanges('t1', [
        { kind: 'insert', memory: lost },
        {
          kind: 'update',
          id: keep.id,
          patch: {
            text: 'likes only blues',
            hash: textHash('likes only blues'),
            at: LATER,
            validFrom: LATER,
          },
        },
        { kind: 'invalidate', id: 'no-such-id', validTo: LATER, supersededBy: null, at: LATER },
      ]),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await store().getMemory('t1', lost.id)).toBeNull();
    expect((await store().getMemory('t1', keep.id))?.text).toBe('likes jazz and blues');
  });

  it('refuses an update to text another active memory of the scope has, writing nothing', async () => {
    const a = newMemory('lives in Boston');
    const b = newMemory('lives in Chicago');
    await store().insertMemories('t1', [a, b]);
    await expect(
      store().updateMemory('t1', a.id, {
        text: 'lives in Chicago',
        hash: textHash('lives in Chicago'),
        at: LATER,
      }),
    ).rejects.toMatchObject({
      code: 'conflict',
      category: 'conflict',
      details: { id: a.id, existing: b.id },
    });
    expect(await store().getMemory('t1', a.id)).toMatchObject({ text: 'lives in Boston', version: 1 });
    expect(await store().history('t1', a.id)).toHaveLength(1);
  });

  it('folds a colliding update: the other memory is superseded by this one, both in history', async () => {
    const a = newMemory('lives in Boston');
    const b = newMemory('lives in Chicago');
    await store().insertMemories('t1', [a, b]);
    const [outcome] = await store().applyChanges('t1', [
      {
        kind: 'update',
        id: a.id,
        patch: {
          text: 'lives in Chicago',
          hash: textHash('lives in Chicago'),
          at: LATER,
          validFrom: LATER,
          onDuplicate: 'fold',
        },
      },
    ]);
    expect(outcome).toMatchObject({
      folded: { id: b.id, text: 'lives in Chicago' },
      record: { id: a.id, text: 'lives in Chicago', version: 2 },
    });
    expect(await store().getMemory('t1', b.id)).toMatchObject({ state: 'superseded', supersededBy: a.id });
    expect((await store().history('t1', b.id)).map((h) => h.event)).toEqual(['INVALIDATE', 'ADD']);
    expect((await store().history('t1', a.id)).map((h) => h.event)).toEqual(['UPDATE', 'ADD']);
  });

  it('changes metadata and importance in place, without a new version', async () => {
    const m = newMemory('plays chess', { metadata: { level: 'club' } });
    await store().insertMemories('t1', [m]);
    const updated = await store().updateMemory('t1', m.id, {
      metadata: { level: 'master' },
      importance: 0.9,
      at: LATER,
    });
    expect(updated).toMatchObject({
      version: 1,
      metadata: { level: 'master' },
      importance: 0.9,
      updatedAt: LATER,
      text: 'plays chess',
    });
    expect(await store().versions('t1', m.id)).toHaveLength(1);
  });

  it('deletes from every index but keeps the history', async () => {
    const m = newMemory('forget this please');
    await store().insertMemories('t1', [m]);
    await store().updateMemory('t1', m.id, {
      text: 'forget this now',
      hash: textHash('forget this now'),
      embedding: axisVector(1),
      embeddingModel: 'test:model',
      at: LATER,
      validFrom: LATER,
    });
    await store().deleteMemory('t1', m.id, { at: LATER });
    expect(await store().getMemory('t1', m.id)).toBeNull();
    expect(await store().getMemory('t1', m.id, { asOf: T })).toBeNull();
    expect(await store().versions('t1', m.id)).toEqual([]);
    const scope = alice();
    for (const asOf of [undefined, T]) {
      expect(await store().textSearch('t1', 'forget', { filter: scope, asOf, limit: 5 })).toEqual([]);
      expect(await store().vectorSearch('t1', axisVector(0), { filter: scope, asOf, limit: 5 })).toEqual([]);
    }
    expect(await store().versionsToEmbed('t1', 'other:model', 10)).toEqual([]);
    expect((await store().history('t1', m.id)).map((h) => [h.event, h.oldText])).toEqual([
      ['DELETE', 'forget this now'],
      ['UPDATE', 'forget this please'],
      ['ADD', null],
    ]);
    await expect(store().deleteMemory('t1', m.id, { at: LATER })).rejects.toMatchObject({
      code: 'not_found',
    });
    // The same text may be remembered again after a delete.
    const [again] = await store().insertMemories('t1', [newMemory('forget this now')]);
    expect(again?.inserted).toBe(true);
  });

  it('deletes by scope only within that scope', async () => {
    await store().insertMemories('t1', [
      newMemory('a1'),
      newMemory('a2'),
      newMemory('b1', { userId: 'bob' }),
      newMemory('a-agent', { agentId: 'helper' }),
    ]);
    await store().insertMemories('t2', [newMemory('other tenant alice')]);
    expect(await store().deleteMemories('t1', alice()!, { at: T })).toBe(3);
    const count = async (tenant: string, user: string) =>
      (await store().listMemories(tenant, { filter: f({ user_id: user }), states: ['active'], limit: 10 }))
        .total;
    expect(await count('t1', 'bob')).toBe(1);
    expect(await count('t2', 'alice')).toBe(1);
  });

  it('pages through a listing without gaps, overlap or silent truncation', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => newMemory(`fact number ${i}`));
    await store().insertMemories('t1', rows);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store().listMemories('t1', {
        filter: alice(),
        states: ['active'],
        limit: 10,
        cursor,
      });
      expect(page.total).toBe(25);
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
    expect(seen[0]).toBe(rows[24]!.id);
    await expect(
      store().listMemories('t1', { filter: null, states: ['active'], limit: 10, cursor: 'not-a-cursor' }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('pages by offset in one call, in cursor order, alone or after a cursor', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => newMemory(`fact number ${i}`));
    await store().insertMemories('t1', rows);
    const newestFirst = rows.map((m) => m.id).reverse();
    const list = (options: { limit: number; offset?: number; cursor?: string }) =>
      store().listMemories('t1', { filter: alice(), states: ['active'], ...options });

    const third = await list({ limit: 10, offset: 20 });
    expect(third.items.map((m) => m.id)).toEqual(newestFirst.slice(20));
    expect(third).toMatchObject({ total: 25, nextCursor: null });
    const middle = await list({ limit: 10, offset: 10 });
    expect(middle.items.map((m) => m.id)).toEqual(newestFirst.slice(10, 20));
    const rest = await list({ limit: 10, cursor: middle.nextCursor ?? undefined });
    expect(rest.items.map((m) => m.id)).toEqual(newestFirst.slice(20));
    const afterCursor = await list({ limit: 2, offset: 3, cursor: middle.nextCursor ?? undefined });
    expect(afterCursor.items.map((m) => m.id)).toEqual(newestFirst.slice(23, 25));
    expect(await list({ limit: 10, offset: 25 })).toMatchObject({ items: [], nextCursor: null, total: 25 });
    await expect(list({ limit: 10, offset: -1 })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('lists by state', async () => {
    const a = newMemory('was true');
    const b = newMemory('is true');
    const c = newMemory('was deleted');
    await store().insertMemories('t1', [a, b, c]);
    await store().invalidateMemory('t1', a.id, { validTo: LATER, supersededBy: b.id, at: LATER });
    await store().deleteMemory('t1', c.id, { at: LATER });
    const ids = async (states: ('active' | 'superseded' | 'deleted')[]) =>
      (await store().listMemories('t1', { filter: alice(), states, limit: 10 })).items
        .map((m) => m.text)
        .sort();
    expect(await ids(['active'])).toEqual(['is true']);
    expect(await ids(['active', 'superseded'])).toEqual(['is true', 'was true']);
    expect(await ids(['deleted'])).toEqual(['was deleted']);
  });

  it('records access per memory, each occurrence of an id once', async () => {
    const m = newMemory('often recalled');
    const other = newMemory('recalled once');
    await store().insertMemories('t1', [m, other]);
    await store().recordAccess('t1', [m.id], LATER);
    await store().recordAccess('t1', [m.id], LATER);
    expect(await store().getMemory('t1', m.id)).toMatchObject({ accessCount: 2, lastAccessedAt: LATER });
    await store().recordAccess('t1', [m.id, other.id, m.id], LATER);
    expect(await store().getMemory('t1', m.id)).toMatchObject({ accessCount: 4 });
    expect(await store().getMemory('t1', other.id)).toMatchObject({ accessCount: 1 });
  });

  it('reports counts and health, and resets one tenant or all', async () => {
    await store().insertMemories('t1', [newMemory('one'), newMemory('two')]);
    await store().insertMemories('t2', [newMemory('three')]);
    const stats = await store().stats();
    expect(stats).toMatchObject({ memories: 3, versions: 3, vectors: 3, history: 3, dimensions: 4 });
    expect(stats.health.ok).toBe(true);
    expect(typeof stats.health.detail).toBe('string');
    expect(stats.schemaVersion).toBeGreaterThan(0);
    expect(await store().health()).toMatchObject({ ok: true, detail: expect.any(String) });
    await store().reset('t1');
    expect((await store().stats()).memories).toBe(1);
    await store().reset(null);
    expect(await store().stats()).toMatchObject({ memories: 0, versions: 0, vectors: 0, history: 0 });
  });

  it('closes once; a write after close is a closed error, and health says not ok', async () => {
    await store().close();
    await store().close();
    expect(await store().health()).toMatchObject({ ok: false });
    await expect(store().insertMemories('t1', [newMemory('too late')])).rejects.toMatchObject({
      code: 'closed',
    });
  });

  it('deletes in a change list, all or nothing', async () => {
    const a = newMemory('batch one');
    const b = newMemory('batch two');
    await store().insertMemories('t1', [a, b]);
    await expect(
      store().applyChanges('t1', [
        { kind: 'delete', id: a.id, at: LATER },
        { kind: 'delete', id: 'no-such-id', at: LATER },
      ]),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await store().getMemory('t1', a.id)).not.toBeNull();
    const outcomes = await store().applyChanges('t1', [
      { kind: 'delete', id: a.id, at: LATER, actor: 'user' },
      { kind: 'delete', id: b.id, at: LATER, actor: 'user' },
    ]);
    expect(outcomes.map((o) => [o.kind, o.previousText])).toEqual([
      ['delete', 'batch one'],
      ['delete', 'batch two'],
    ]);
    expect(await store().getMemories('t1', [a.id, b.id])).toEqual([]);
    expect((await store().history('t1', a.id))[0]).toMatchObject({ event: 'DELETE', actor: 'user' });
    expect(await store().textSearch('t1', 'batch', { filter: alice(), limit: 5 })).toEqual([]);
  });
}
