import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { MemoryError } from '../../src/spec/memory-error.js';
import { textHash } from '../../src/util/text-hash.js';
import { alice, axisVector, f, type MakeFixture, newMemory, T, useStore } from './conformance-kit.js';

/** Erasure: nothing of the scope remains anywhere the contract can read; other scopes untouched. */
export function eraseChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  it('erases a scope: memories of every state, versions, history, messages, jobs, usage', async () => {
    const s = store();
    const [kept, changed, gone] = [
      newMemory('alice keeps this'),
      newMemory('alice changes this'),
      newMemory('alice deletes this'),
    ];
    const bob = newMemory('bob stays', { userId: 'bob' });
    await s.insertMemories('t1', [kept, changed, gone, bob]);
    await s.updateMemory('t1', changed.id, {
      text: 'alice changed it',
      hash: textHash('alice changed it'),
      at: '2024-02-01T00:00:00.000Z',
    });
    await s.deleteMemory('t1', gone.id, { at: '2024-02-02T00:00:00.000Z' });
    await s.appendMessages({ tenant: 't1', userId: 'alice' }, [
      { role: 'user', content: 'hello', eventTime: T },
    ]);
    await s.appendMessages({ tenant: 't1', userId: 'bob' }, [{ role: 'user', content: 'hi', eventTime: T }]);
    await s.recordUsage(
      't1',
      { userId: 'alice', agentId: null, runId: null },
      { llmCalls: 1, inputTokens: 5, outputTokens: 2, embedCalls: 1 },
      T,
    );
    await s.enqueueJob(
      't1',
      { id: randomUUID(), kind: 'add', payload: { ids: { userId: 'alice' } }, maxAttempts: 3, runAt: T },
      T,
    );
    await s.enqueueJob(
      't1',
      { id: randomUUID(), kind: 'add', payload: { ids: { userId: 'bob' } }, maxAttempts: 3, runAt: T },
      T,
    );
    // Same user id in another tenant: not touched.
    const other = newMemory('alice elsewhere');
    await s.insertMemories('t2', [other]);

    const counts = await s.eraseScope('t1', { userId: 'alice' });
    expect(counts).toMatchObject({ memories: 3, versions: 4, messages: 1, jobs: 1, usage: 1 });
    expect(counts.history).toBeGreaterThanOrEqual(5);
    for (const m of [kept, changed, gone]) {
      expect(await s.getMemory('t1', m.id)).toBeNull();
      expect(await s.getMemory('t1', m.id, { asOf: '2024-01-15T00:00:00.000Z' })).toBeNull();
      expect(await s.versions('t1', m.id)).toEqual([]);
      expect(await s.history('t1', m.id)).toEqual([]);
    }
    expect(await s.textSearch('t1', 'alice', { filter: alice(), limit: 10 })).toEqual([]);
    expect(await s.vectorSearch('t1', axisVector(0), { filter: alice(), limit: 10 })).toEqual([]);
    expect(await s.recentMessages({ tenant: 't1', userId: 'alice' }, 10)).toEqual([]);
    expect(await s.usageTotals('t1', { userId: 'alice' })).toEqual([]);
    const jobs = await s.listJobs('t1', { states: ['pending'], limit: 10 });
    expect(jobs.map((j) => j.payload)).toEqual([{ ids: { userId: 'bob' } }]);
    // Everything else stays.
    expect((await s.getMemory('t1', bob.id))?.text).toBe('bob stays');
    expect(await s.recentMessages({ tenant: 't1', userId: 'bob' }, 10)).toHaveLength(1);
    expect((await s.getMemory('t2', other.id))?.text).toBe('alice elsewhere');
    expect(
      (await s.listMemories('t1', { filter: f({ user_id: 'bob' }), states: ['active'], limit: 5 })).total,
    ).toBe(1);
  });

  it('refuses an erasure without a scope', async () => {
    await expect(store().eraseScope('t1', {})).rejects.toSatisfy((e: unknown) =>
      MemoryError.is(e, 'scope_required'),
    );
  });
}
