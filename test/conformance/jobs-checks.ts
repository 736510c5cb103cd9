import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Store } from '../../src/spec/store.js';
import { type MakeFixture, T, useStore } from './conformance-kit.js';

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
