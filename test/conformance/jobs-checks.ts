import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Store } from '../../src/spec/store.js';
import { alice, type MakeFixture, newMemory, T, useStore } from './conformance-kit.js';

/** The durable job queue: idempotent enqueue, leases, retries, dead letters, per tenant. */
export function jobChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);
  const job = (over: Partial<Parameters<Store['enqueueJob']>[1]> = {}) => ({
    id: randomUUID(),
    kind: 'extract',
    payload: { n: 1 },
    maxAttempts: 2,
    runAt: T,
    ...over,
  });

  it('is idempotent on the idempotency key, per tenant', async () => {
    const a = await store().enqueueJob('t1', job({ idempotencyKey: 'k' }), T);
    const b = await store().enqueueJob('t1', job({ idempotencyKey: 'k' }), T);
    const c = await store().enqueueJob('t2', job({ idempotencyKey: 'k' }), T);
    expect(a.created).toBe(true);
    expect(b).toMatchObject({ created: false, job: { id: a.job.id } });
    expect(c.created).toBe(true);
  });

  it('leases due jobs once, re-leases after the lease expires, and dies after max attempts', async () => {
    const { job: j } = await store().enqueueJob('t1', job(), T);
    await store().enqueueJob('t1', job({ runAt: '2099-01-01T00:00:00.000Z' }), T);
    const first = await store().claimJobs({ limit: 10, now: T, leaseMs: 1000 });
    expect(first.map((x) => [x.id, x.state, x.attempts])).toEqual([[j.id, 'running', 1]]);
    expect(await store().claimJobs({ limit: 10, now: T, leaseMs: 1000 })).toEqual([]);
    const afterLease = new Date(Date.parse(T) + 2000).toISOString();
    const again = await store().claimJobs({ limit: 10, now: afterLease, leaseMs: 1000 });
    expect(again.map((x) => x.attempts)).toEqual([2]);
    const failed = await store().failJob('t1', j.id, 'boom', afterLease, afterLease);
    expect(failed).toMatchObject({ state: 'dead', lastError: 'boom' });
    const retried = await store().retryJob('t1', j.id, afterLease);
    expect(retried.state).toBe('pending');
    const third = await store().claimJobs({ limit: 10, now: afterLease, leaseMs: 1000 });
    await store().completeJob('t1', third[0]!.id, { ok: true }, afterLease);
    expect(await store().getJob('t1', j.id)).toMatchObject({ state: 'done', result: { ok: true } });
    expect(await store().getJob('t2', j.id)).toBeNull();
    const counts = await store().jobCounts('t1');
    expect(counts).toMatchObject({ pending: 1, done: 1, dead: 0 });
  });

  it('renews only a lease still held; a lost lease neither completes nor fails the job', async () => {
    const at = (ms: number) => new Date(Date.parse(T) + ms).toISOString();
    const { job: j } = await store().enqueueJob('t1', job(), T);
    const [first] = await store().claimJobs({ limit: 1, now: T, leaseMs: 1000 });
    expect(first).toMatchObject({ id: j.id, attempts: 1 });
    expect(await store().renewJobLease('t1', j.id, 1, at(900), 1000)).toBe(true);
    expect((await store().getJob('t1', j.id))?.lockedUntil).toBe(at(1900));
    // Renewed: not due at the first lease's end, only after the renewed one.
    expect(await store().claimJobs({ limit: 1, now: at(1500), leaseMs: 1000 })).toEqual([]);
    expect(await store().renewJobLease('t2', j.id, 1, at(1500), 1000)).toBe(false);
    const [second] = await store().claimJobs({ limit: 1, now: at(2000), leaseMs: 1000 });
    expect(second).toMatchObject({ id: j.id, attempts: 2 });

    // The first claim's holder is too late for everything.
    expect(await store().renewJobLease('t1', j.id, 1, at(2100), 1000)).toBe(false);
    await expect(store().completeJob('t1', j.id, { by: 'first' }, at(2100), 1)).rejects.toMatchObject({
      code: 'lease_lost',
      details: { id: j.id, attempt: 1 },
    });
    await expect(store().failJob('t1', j.id, 'first gave up', null, at(2100), 1)).rejects.toMatchObject({
      code: 'lease_lost',
    });
    expect(await store().getJob('t1', j.id)).toMatchObject({
      state: 'running',
      attempts: 2,
      lockedUntil: at(3000),
      lastError: null,
    });

    await store().completeJob('t1', j.id, { by: 'second' }, at(2200), 2);
    expect(await store().getJob('t1', j.id)).toMatchObject({ state: 'done', result: { by: 'second' } });
    expect(await store().renewJobLease('t1', j.id, 2, at(2300), 1000)).toBe(false);
  });

  it("applies a job's changes only while its lease is held, extending it in the same transaction", async () => {
    // Needs the memories capability too: a job's effects are memory changes.
    const at = (ms: number) => new Date(Date.parse(T) + ms).toISOString();
    const { job: j } = await store().enqueueJob('t1', job(), T);
    await store().claimJobs({ limit: 1, now: T, leaseMs: 1000 });
    await store().claimJobs({ limit: 1, now: at(2000), leaseMs: 1000 }); // taken over: attempt 2
    const insert = (text: string) => ({ kind: 'insert' as const, memory: newMemory(text) });

    await expect(
      store().applyChanges('t1', [insert('from the first run')], {
        jobs: [{ id: j.id, attempt: 1 }],
        now: at(2100),
        leaseMs: 1000,
      }),
    ).rejects.toMatchObject({ code: 'lease_lost' });
    const [done] = await store().applyChanges('t1', [insert('from the second run')], {
      jobs: [{ id: j.id, attempt: 2 }],
      now: at(2500),
      leaseMs: 1000,
    });
    expect(done?.inserted).toBe(true);
    const listed = await store().listMemories('t1', { filter: alice(), states: ['active'], limit: 10 });
    expect(listed.items.map((m) => m.text)).toEqual(['from the second run']);
    expect((await store().getJob('t1', j.id))?.lockedUntil).toBe(at(3500));
    // A guard is checked per tenant: the same job id elsewhere is not this lease.
    await expect(
      store().applyChanges('t2', [insert('other tenant')], {
        jobs: [{ id: j.id, attempt: 2 }],
        now: at(2600),
        leaseMs: 1000,
      }),
    ).rejects.toMatchObject({ code: 'lease_lost' });
  });

  it("lists a tenant's jobs by state, newest first, within the limit", async () => {
    const a = await store().enqueueJob('t1', job(), T);
    const b = await store().enqueueJob('t1', job(), T);
    await store().enqueueJob('t2', job(), T);
    const [leased] = await store().claimJobs({ limit: 1, now: T, leaseMs: 1000, ids: [a.job.id] });
    await store().failJob('t1', leased!.id, 'gave up', null, T);
    expect((await store().listJobs('t1', { states: ['dead'], limit: 10 })).map((j) => j.id)).toEqual([
      a.job.id,
    ]);
    expect((await store().listJobs('t1', { states: ['pending'], limit: 10 })).map((j) => j.id)).toEqual([
      b.job.id,
    ]);
    expect(await store().listJobs('t1', { limit: 10 })).toHaveLength(2);
    expect(await store().listJobs('t1', { limit: 1 })).toHaveLength(1);
  });
}

/**
 * `lockScope` is optional (src/spec/store.ts). A backend that offers it must exclude: work under
 * one key runs one at a time, work under different keys does not wait.
 */
export function scopeLockChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  it('runs work under one scope key one at a time, and other keys alongside', async () => {
    const s = store();
    if (!s.lockScope) {
      console.info('[conformance] this backend has no lockScope: the engine lock alone serialises scopes');
      return;
    }
    const locking = s as Store & Required<Pick<Store, 'lockScope'>>;
    const lock = <T>(key: string, fn: () => Promise<T>) => locking.lockScope(key, fn);
    const log: string[] = [];
    const hold = (key: string, name: string, ms: number) =>
      lock(key, async () => {
        log.push(`${name}+`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        log.push(`${name}-`);
        return name;
      });
    const results = await Promise.all([hold('t1\u001falice', 'a1', 120), hold('t1\u001falice', 'a2', 10)]);
    expect(results).toEqual(['a1', 'a2']);
    // Same key: the second starts only after the first ended.
    expect(log.indexOf('a2+')).toBeGreaterThan(log.indexOf('a1-'));
    log.length = 0;
    await Promise.all([hold('t1\u001fbob', 'b', 150), hold('t1\u001fcarol', 'c', 10)]);
    // Different keys: c finished while b still held its lock.
    expect(log.indexOf('c-')).toBeLessThan(log.indexOf('b-'));
    // A failure releases the lock.
    await expect(lock('t1\u001falice', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(await lock('t1\u001falice', async () => 'again')).toBe('again');
  });
}
