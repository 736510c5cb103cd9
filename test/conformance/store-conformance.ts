import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/memory/filters/parse-filter.js';
import type { Filter } from '../../src/spec/filter.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import type { NewMemory, Store } from '../../src/spec/store.js';
import { textHash } from '../../src/util/text-hash.js';

export interface StoreFixture {
  store: Store;
  cleanup(): Promise<void>;
}

/** Known gaps a store declares instead of skipping silently. */
export interface ConformanceOptions {
  gaps?: string[];
}

const T = '2024-01-01T00:00:00.000Z';

/** A 4-d unit vector pointing mostly along `axis`, so nearest neighbours are predictable. */
export function axisVector(axis: number, wobble = 0): Float32Array {
  const v = new Float32Array(4);
  v[axis % 4] = 1;
  v[(axis + 1) % 4] = wobble;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

export function newMemory(text: string, overrides: Partial<NewMemory> = {}): NewMemory {
  return {
    id: randomUUID(),
    userId: 'alice',
    agentId: null,
    runId: null,
    text,
    hash: textHash(text),
    metadata: {},
    importance: 0.5,
    memoryType: 'semantic',
    validFrom: T,
    embedding: axisVector(0),
    embeddingModel: 'test:model',
    at: T,
    ...overrides,
  };
}

const f = (filter: Filter) => parseFilter(filter);

/**
 * The Store contract as executable checks. Every store (SQLite, Postgres, ...) runs this suite;
 * a store with a known gap names it in `options.gaps` rather than skipping a test quietly.
 */
export function describeStoreConformance(
  name: string,
  makeFixture: () => Promise<StoreFixture>,
  options: ConformanceOptions = {},
): void {
  describe(`Store conformance: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      fixture = await makeFixture();
      store = fixture.store;
      await store.init();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('declares its gaps explicitly', () => {
      expect(Array.isArray(options.gaps ?? [])).toBe(true);
    });

    it('inserts and reads back a memory with every field', async () => {
      const m = newMemory('Alice lives in Paris', {
        metadata: { topic: 'home', n: 3 },
        categories: ['place'],
      });
      const [outcome] = await store.insertMemories('t1', [m]);
      expect(outcome?.inserted).toBe(true);
      const got = await store.getMemory('t1', m.id);
      expect(got).toMatchObject({
        id: m.id,
        tenant: 't1',
        userId: 'alice',
        text: 'Alice lives in Paris',
        hash: m.hash,
        metadata: { topic: 'home', n: 3 },
        categories: ['place'],
        state: 'active',
        validFrom: T,
        validTo: null,
        embeddingModel: 'test:model',
        accessCount: 0,
      });
      expect((await store.history('t1', m.id)).map((h) => h.event)).toEqual(['ADD']);
    });

    it('enforces tenant isolation on every by-id operation', async () => {
      const m = newMemory('secret of tenant one');
      await store.insertMemories('t1', [m]);
      expect(await store.getMemory('t2', m.id)).toBeNull();
      expect(await store.getMemories('t2', [m.id])).toEqual([]);
      expect(await store.history('t2', m.id)).toEqual([]);
      await expect(store.updateMemory('t2', m.id, { text: 'hijacked', at: T })).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(store.deleteMemory('t2', m.id, { at: T })).rejects.toMatchObject({ code: 'not_found' });
      await expect(
        store.invalidateMemory('t2', m.id, { validTo: T, supersededBy: null, at: T }),
      ).rejects.toMatchObject({ code: 'not_found' });
      expect(
        (await store.listMemories('t2', { filter: f({ user_id: 'alice' }), states: ['active'], limit: 10 }))
          .items,
      ).toEqual([]);
      expect(
        await store.vectorSearch('t2', axisVector(0), { filter: f({ user_id: 'alice' }), limit: 5 }),
      ).toEqual([]);
      expect(await store.textSearch('t2', 'secret', { filter: f({ user_id: 'alice' }), limit: 5 })).toEqual(
        [],
      );
      expect(await store.vectorDistances('t2', [m.id], axisVector(0))).toEqual(new Map());
      const still = await store.getMemory('t1', m.id);
      expect(still?.text).toBe('secret of tenant one');
    });

    it('keeps one active memory per exact text per scope', async () => {
      const a = newMemory('likes tea');
      const [first] = await store.insertMemories('t1', [a]);
      const [second] = await store.insertMemories('t1', [newMemory('likes tea')]);
      expect(first?.inserted).toBe(true);
      expect(second).toMatchObject({ inserted: false, record: { id: a.id } });
      const [otherUser] = await store.insertMemories('t1', [newMemory('likes tea', { userId: 'bob' })]);
      expect(otherUser?.inserted).toBe(true);
    });

    it('writes a batch atomically: one bad row leaves nothing behind', async () => {
      await store.insertMemories('t1', [newMemory('first vector fixes the width')]);
      const good = newMemory('good row');
      const bad = newMemory('bad row', { embedding: new Float32Array([1, 0, 0]) });
      await expect(store.insertMemories('t1', [good, bad])).rejects.toBeInstanceOf(MemoryError);
      expect(await store.getMemory('t1', good.id)).toBeNull();
      expect(await store.history('t1', good.id)).toEqual([]);
    });

    it('updates into a new version and keeps the old text in history', async () => {
      const m = newMemory('likes pizza');
      await store.insertMemories('t1', [m]);
      const later = '2024-02-01T00:00:00.000Z';
      const updated = await store.updateMemory('t1', m.id, {
        text: 'likes pepperoni pizza most',
        hash: textHash('likes pepperoni pizza most'),
        embedding: axisVector(1),
        embeddingModel: 'test:model',
        at: later,
        reason: 'refined',
      });
      expect(updated).toMatchObject({
        id: m.id,
        text: 'likes pepperoni pizza most',
        updatedAt: later,
        createdAt: T,
      });
      const history = await store.history('t1', m.id);
      expect(history.map((h) => [h.event, h.oldText, h.newText])).toEqual([
        ['ADD', null, 'likes pizza'],
        ['UPDATE', 'likes pizza', 'likes pepperoni pizza most'],
      ]);
      expect(history[1]?.reason).toBe('refined');
      const hits = await store.textSearch('t1', 'pepperoni', { filter: f({ user_id: 'alice' }), limit: 5 });
      expect(hits.map((h) => h.id)).toEqual([m.id]);
      expect(
        await store.textSearch('t1', 'likes pizza', { filter: f({ user_id: 'alice' }), limit: 5 }),
      ).toHaveLength(1);
      const near = await store.vectorSearch('t1', axisVector(1), {
        filter: f({ user_id: 'alice' }),
        limit: 1,
      });
      expect(near[0]?.raw).toBeCloseTo(0, 5);
    });

    it('invalidates without erasing and answers asOf queries on the world time axis', async () => {
      const ny = newMemory('lives in New York', { validFrom: '2023-01-01T00:00:00.000Z' });
      const sf = newMemory('lives in San Francisco', {
        validFrom: '2023-06-01T00:00:00.000Z',
        embedding: axisVector(0, 0.1),
      });
      await store.insertMemories('t1', [ny, sf]);
      const out = await store.invalidateMemory('t1', ny.id, {
        validTo: '2023-06-01T00:00:00.000Z',
        supersededBy: sf.id,
        at: T,
        reason: 'moved',
      });
      expect(out).toMatchObject({
        state: 'superseded',
        validTo: '2023-06-01T00:00:00.000Z',
        supersededBy: sf.id,
      });
      const scope = f({ user_id: 'alice' });
      const active = await store.listMemories('t1', { filter: scope, states: ['active'], limit: 10 });
      expect(active.items.map((m) => m.id)).toEqual([sf.id]);
      const both = await store.listMemories('t1', {
        filter: scope,
        states: ['active', 'superseded'],
        limit: 10,
      });
      expect(both.total).toBe(2);
      const march = '2023-03-01T00:00:00.000Z';
      expect(
        (await store.textSearch('t1', 'lives', { filter: scope, asOf: march, limit: 5 })).map((h) => h.id),
      ).toEqual([ny.id]);
      expect(
        (await store.vectorSearch('t1', axisVector(0), { filter: scope, asOf: march, limit: 5 })).map(
          (h) => h.id,
        ),
      ).toEqual([ny.id]);
      expect(
        (await store.vectorSearch('t1', axisVector(0), { filter: scope, limit: 5 })).map((h) => h.id),
      ).toEqual([sf.id]);
      expect((await store.history('t1', ny.id)).map((h) => h.event)).toEqual(['ADD', 'INVALIDATE']);
    });

    it('deletes from every index but keeps the history', async () => {
      const m = newMemory('forget this please');
      await store.insertMemories('t1', [m]);
      await store.deleteMemory('t1', m.id, { at: T });
      expect(await store.getMemory('t1', m.id)).toBeNull();
      const scope = f({ user_id: 'alice' });
      expect(await store.textSearch('t1', 'forget', { filter: scope, limit: 5 })).toEqual([]);
      expect(await store.vectorSearch('t1', axisVector(0), { filter: scope, limit: 5 })).toEqual([]);
      expect((await store.history('t1', m.id)).map((h) => [h.event, h.oldText])).toEqual([
        ['ADD', null],
        ['DELETE', 'forget this please'],
      ]);
      await expect(store.deleteMemory('t1', m.id, { at: T })).rejects.toMatchObject({ code: 'not_found' });
      // The same text may be remembered again after a delete.
      const [again] = await store.insertMemories('t1', [newMemory('forget this please')]);
      expect(again?.inserted).toBe(true);
    });

    it('deletes by scope only within that scope', async () => {
      await store.insertMemories('t1', [
        newMemory('a1'),
        newMemory('a2'),
        newMemory('b1', { userId: 'bob' }),
        newMemory('a-agent', { agentId: 'helper' }),
      ]);
      await store.insertMemories('t2', [newMemory('other tenant alice')]);
      expect(await store.deleteMemories('t1', f({ user_id: 'alice' })!, { at: T })).toBe(3);
      expect(
        (await store.listMemories('t1', { filter: f({ user_id: 'bob' }), states: ['active'], limit: 10 }))
          .total,
      ).toBe(1);
      expect(
        (await store.listMemories('t2', { filter: f({ user_id: 'alice' }), states: ['active'], limit: 10 }))
          .total,
      ).toBe(1);
    });

    it('pages through a listing without gaps, overlap or silent truncation', async () => {
      const rows = Array.from({ length: 25 }, (_, i) => newMemory(`fact number ${i}`));
      await store.insertMemories('t1', rows);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listMemories('t1', {
          filter: f({ user_id: 'alice' }),
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
      await expect(
        store.listMemories('t1', { filter: null, states: ['active'], limit: 10, cursor: 'not-a-cursor' }),
      ).rejects.toMatchObject({ code: 'invalid_input' });
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
      await store.insertMemories('t1', rows);
      const nearest = await store.vectorSearch('t1', axisVector(0), {
        filter: f({ user_id: 'alice' }),
        limit: 2,
      });
      expect(nearest).toHaveLength(2);
      expect(nearest[0]?.raw).toBeLessThanOrEqual(nearest[1]!.raw);
      const onlyY = await store.vectorSearch('t1', axisVector(0), {
        filter: f({ user_id: 'alice', 'metadata.kind': 'y' }),
        limit: 5,
      });
      expect(onlyY.map((h) => h.id)).toEqual([rows[1]!.id, rows[2]!.id]);
      const agentWide = await store.vectorSearch('t1', axisVector(0), {
        filter: f({ agent_id: 'nobody' }),
        limit: 5,
      });
      expect(agentWide).toEqual([]);
      const bob = await store.vectorSearch('t1', axisVector(0), { filter: f({ user_id: 'bob' }), limit: 5 });
      expect(bob.map((h) => h.id)).toEqual([rows[3]!.id]);
    });

    it('ranks full-text matches with stemming', async () => {
      const a = newMemory('She lives near the harbour and loves hiking');
      const b = newMemory('Owns a red bicycle');
      await store.insertMemories('t1', [a, b]);
      const hits = await store.textSearch('t1', 'where does she live? hikes', {
        filter: f({ user_id: 'alice' }),
        limit: 5,
      });
      expect(hits.map((h) => h.id)).toEqual([a.id]);
      expect(
        await store.textSearch('t1', '"; DROP TABLE memories; --', {
          filter: f({ user_id: 'alice' }),
          limit: 5,
        }),
      ).toEqual([]);
    });

    it('compiles every filter operator', async () => {
      const rows = [
        newMemory('m1', { metadata: { topic: 'food', n: 1, tags: ['a', 'b'], flag: true } }),
        newMemory('m2', { metadata: { topic: 'travel', n: 5, tags: ['b'], note: 'trip to Colorado' } }),
        newMemory('m3', { metadata: { topic: 'work', n: 10 }, agentId: 'coach' }),
      ];
      await store.insertMemories('t1', rows);
      const ids = async (filter: Filter) =>
        (
          await store.listMemories('t1', {
            filter: f({ user_id: 'alice', ...filter }),
            states: ['active'],
            limit: 10,
          })
        ).items
          .map((m) => m.text)
          .sort();
      expect(await ids({ topic: 'food' })).toEqual(['m1']);
      expect(await ids({ 'metadata.topic': { ne: 'food' } })).toEqual(['m2', 'm3']);
      expect(await ids({ topic: { in: ['food', 'work'] } })).toEqual(['m1', 'm3']);
      expect(await ids({ topic: { nin: ['food', 'work'] } })).toEqual(['m2']);
      expect(await ids({ n: { gt: 1 } })).toEqual(['m2', 'm3']);
      expect(await ids({ n: { gte: 5, lt: 10 } })).toEqual(['m2']);
      expect(await ids({ n: { lte: 5 } })).toEqual(['m1', 'm2']);
      expect(await ids({ tags: { contains: 'b' } })).toEqual(['m1', 'm2']);
      expect(await ids({ note: { contains: 'Colorado' } })).toEqual(['m2']);
      expect(await ids({ flag: true })).toEqual(['m1']);
      expect(await ids({ OR: [{ topic: 'food' }, { agent_id: 'coach' }] })).toEqual(['m1', 'm3']);
      expect(await ids({ NOT: { topic: 'food' } })).toEqual(['m2', 'm3']);
      expect(await ids({ AND: [{ n: { gt: 0 } }, { NOT: [{ topic: 'work' }] }] })).toEqual(['m1', 'm2']);
      expect(await ids({ metadata: { topic: 'travel' } })).toEqual(['m2']);
    });

    it('logs messages per scope in order', async () => {
      await store.appendMessages({ tenant: 't1', userId: 'alice' }, [
        { role: 'user', content: 'one', eventTime: T },
        { role: 'assistant', content: 'two', eventTime: T },
      ]);
      await store.appendMessages({ tenant: 't1', userId: 'bob' }, [
        { role: 'user', content: 'bob', eventTime: T },
      ]);
      await store.appendMessages({ tenant: 't2', userId: 'alice' }, [
        { role: 'user', content: 'x', eventTime: T },
      ]);
      const recent = await store.recentMessages({ tenant: 't1', userId: 'alice' }, 10);
      expect(recent.map((m) => m.content)).toEqual(['one', 'two']);
      expect(
        (await store.recentMessages({ tenant: 't1', userId: 'alice' }, 1)).map((m) => m.content),
      ).toEqual(['two']);
    });

    it('records access, re-embeds and resets one tenant', async () => {
      const m = newMemory('to re-embed');
      await store.insertMemories('t1', [m]);
      await store.insertMemories('t2', [newMemory('keep me')]);
      await store.recordAccess('t1', [m.id], T);
      expect((await store.getMemory('t1', m.id))?.accessCount).toBe(1);
      expect(await store.memoriesToEmbed('t1', 'test:model', 10)).toEqual([]);
      await store.clearVectors(3);
      const todo = await store.memoriesToEmbed(null, 'other:model', 10);
      expect(todo).toHaveLength(2);
      await store.setEmbeddings(
        [{ tenant: 't1', id: m.id, embedding: new Float32Array([0, 1, 0]) }],
        'other:model',
      );
      expect(await store.memoriesToEmbed(null, 'other:model', 10)).toHaveLength(1);
      const hit = await store.vectorSearch('t1', new Float32Array([0, 1, 0]), {
        filter: f({ user_id: 'alice' }),
        limit: 1,
      });
      expect(hit.map((h) => h.id)).toEqual([m.id]);
      await store.reset('t1');
      expect(await store.getMemory('t1', m.id)).toBeNull();
      expect((await store.stats()).memories).toBe(1);
    });
  });
}

/** The job queue part of the Store contract. */
export function describeJobConformance(name: string, makeFixture: () => Promise<StoreFixture>): void {
  describe(`Job queue conformance: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      fixture = await makeFixture();
      store = fixture.store;
      await store.init();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });
    const job = (over: Partial<Parameters<Store['enqueueJob']>[1]> = {}) => ({
      id: randomUUID(),
      kind: 'extract',
      payload: { n: 1 },
      maxAttempts: 2,
      runAt: T,
      ...over,
    });

    it('is idempotent on the idempotency key, per tenant', async () => {
      const a = await store.enqueueJob('t1', job({ idempotencyKey: 'k' }), T);
      const b = await store.enqueueJob('t1', job({ idempotencyKey: 'k' }), T);
      const c = await store.enqueueJob('t2', job({ idempotencyKey: 'k' }), T);
      expect(a.created).toBe(true);
      expect(b).toMatchObject({ created: false, job: { id: a.job.id } });
      expect(c.created).toBe(true);
    });

    it('leases due jobs once, re-leases after the lease expires, and dies after max attempts', async () => {
      const { job: j } = await store.enqueueJob('t1', job(), T);
      await store.enqueueJob('t1', job({ runAt: '2099-01-01T00:00:00.000Z' }), T);
      const first = await store.claimJobs({ limit: 10, now: T, leaseMs: 1000 });
      expect(first.map((x) => [x.id, x.state, x.attempts])).toEqual([[j.id, 'running', 1]]);
      expect(await store.claimJobs({ limit: 10, now: T, leaseMs: 1000 })).toEqual([]);
      const afterLease = new Date(Date.parse(T) + 2000).toISOString();
      const again = await store.claimJobs({ limit: 10, now: afterLease, leaseMs: 1000 });
      expect(again.map((x) => x.attempts)).toEqual([2]);
      const failed = await store.failJob('t1', j.id, 'boom', afterLease, afterLease);
      expect(failed).toMatchObject({ state: 'dead', lastError: 'boom' });
      const retried = await store.retryJob('t1', j.id, afterLease);
      expect(retried.state).toBe('pending');
      const third = await store.claimJobs({ limit: 10, now: afterLease, leaseMs: 1000 });
      await store.completeJob('t1', third[0]!.id, { ok: true }, afterLease);
      expect(await store.getJob('t1', j.id)).toMatchObject({ state: 'done', result: { ok: true } });
      expect(await store.getJob('t2', j.id)).toBeNull();
      const counts = await store.jobCounts('t1');
      expect(counts).toMatchObject({ pending: 1, done: 1, dead: 0 });
    });
  });
}

/** The API-key part of the Store contract: hashed lookup, tenant-bound listing and revocation. */
export function describeKeyConformance(name: string, makeFixture: () => Promise<StoreFixture>): void {
  describe(`Key store conformance: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      fixture = await makeFixture();
      store = fixture.store;
      await store.init();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const key = (tenant: string, hash: string, extra: { userId?: string; admin?: boolean } = {}) => ({
      id: randomUUID(),
      tenant,
      hash,
      prefix: hash.slice(0, 8),
      name: `key of ${tenant}`,
      userId: extra.userId ?? null,
      agentId: null,
      admin: extra.admin ?? false,
      at: T,
    });

    it('creates a key and finds it by hash, with its pin and role', async () => {
      const created = await store.createApiKey(key('t1', 'a'.repeat(64), { userId: 'alice', admin: true }));
      expect(created).toMatchObject({
        tenant: 't1',
        userId: 'alice',
        agentId: null,
        admin: true,
        revokedAt: null,
      });
      expect(await store.findApiKey('a'.repeat(64))).toEqual(created);
      expect(await store.findApiKey('b'.repeat(64))).toBeNull();
    });

    it('refuses a second key with the same hash', async () => {
      await store.createApiKey(key('t1', 'c'.repeat(64)));
      await expect(store.createApiKey(key('t2', 'c'.repeat(64)))).rejects.toThrow();
    });

    it('lists keys per tenant and revokes only within the tenant', async () => {
      const a = await store.createApiKey(key('t1', 'd'.repeat(64)));
      const b = await store.createApiKey(key('t2', 'e'.repeat(64)));
      expect((await store.listApiKeys('t1')).map((k) => k.id)).toEqual([a.id]);
      expect((await store.listApiKeys(null)).map((k) => k.id)).toEqual([a.id, b.id]);
      await expect(store.revokeApiKey('t1', b.id, T)).rejects.toSatisfy((e) =>
        MemoryError.is(e, 'not_found'),
      );
      const revoked = await store.revokeApiKey('t1', a.id, '2024-02-01T00:00:00.000Z');
      expect(revoked.revokedAt).toBe('2024-02-01T00:00:00.000Z');
      expect(await store.findApiKey('d'.repeat(64))).toBeNull();
      expect(await store.findApiKey('e'.repeat(64))).not.toBeNull();
      expect((await store.listApiKeys('t1'))[0]?.revokedAt).toBe('2024-02-01T00:00:00.000Z');
    });
  });
}

/** Per-scope usage totals: accumulated, isolated per tenant and scope, cleared by reset. */
export function describeUsageConformance(name: string, makeFixture: () => Promise<StoreFixture>): void {
  describe(`Usage totals conformance: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      fixture = await makeFixture();
      store = fixture.store;
      await store.init();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('adds up per scope and keeps tenants apart', async () => {
      const alice = { userId: 'alice', agentId: null, runId: null };
      await store.recordUsage(
        't1',
        alice,
        { llmCalls: 2, inputTokens: 100, outputTokens: 10, embedCalls: 1 },
        T,
      );
      await store.recordUsage(
        't1',
        alice,
        { llmCalls: 1, inputTokens: 50, outputTokens: 5, embedCalls: 2 },
        T,
      );
      await store.recordUsage(
        't1',
        { ...alice, userId: 'bob' },
        { llmCalls: 9, inputTokens: 9, outputTokens: 9, embedCalls: 9 },
        T,
      );
      await store.recordUsage(
        't2',
        alice,
        { llmCalls: 7, inputTokens: 7, outputTokens: 7, embedCalls: 7 },
        T,
      );
      expect(await store.usageTotals('t1', { userId: 'alice' })).toEqual([
        { ...alice, adds: 2, llmCalls: 3, inputTokens: 150, outputTokens: 15, embedCalls: 3, updatedAt: T },
      ]);
      expect(await store.usageTotals('t1', {})).toHaveLength(2);
      await store.reset('t1');
      expect(await store.usageTotals('t1', {})).toEqual([]);
      expect(await store.usageTotals('t2', {})).toHaveLength(1);
    });
  });
}
