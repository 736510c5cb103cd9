import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IngestWorker } from '../../src/ingest/ingest-worker.js';
import { Memory } from '../../src/memory/memory.js';
import type { Store } from '../../src/spec/store.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { type MemoryFixture, memoryFixture } from '../memory/memory-fixture.js';
import { factFor, factPerMessage, promptKind } from './fact-per-message.js';

let fx: MemoryFixture;
const silent = { onError: () => undefined };

beforeEach(async () => {
  fx = await memoryFixture();
  fx.ollama.onChat(factPerMessage());
});

afterEach(async () => {
  vi.useRealTimers();
  await fx.close();
});

const extractions = () => fx.ollama.requestsTo('/api/chat').filter((r) => promptKind(r.body) === 'extract');
const texts = async (memory: Memory, userId: string) =>
  (await memory.getAll({ userId })).results.map((m) => m.memory).sort();
const loggedMessages = async (memory: Memory, userId: string) =>
  (await (await memory.store()).recentMessages({ tenant: memory.tenant, userId }, 1000)).map(
    (m) => m.content,
  );

/** Long enough that a lease never runs out by itself during a test; tests move the clock past it. */
const LEASE_MS = 60_000;

/** Fakes only `Date` (what leases are measured against) and moves it past every lease taken so far. */
function expireLeases(): void {
  if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + LEASE_MS + 1);
}

describe('IngestWorker', () => {
  it('processes queued adds: every job done, its fact stored, its message logged', async () => {
    const queued = [];
    for (const user of ['alice', 'bob', 'carol']) {
      queued.push(await fx.memory.enqueueAdd(`${user} likes tea`, { userId: user }));
    }
    expect(await new IngestWorker(fx.memory, silent).drain()).toBe(3);
    for (const [i, user] of ['alice', 'bob', 'carol'].entries()) {
      expect((await fx.memory.getJob(queued[i]!.job_id)).state).toBe('done');
      expect(await texts(fx.memory, user)).toEqual([factFor(`${user} likes tea`)]);
      expect(await loggedMessages(fx.memory, user)).toEqual([`${user} likes tea`]);
    }
  });

  it('turns the adds of one scope in one lease into ONE extraction call', async () => {
    const messages = ['likes tea', 'has a cat', 'lives in Oslo', 'plays chess', 'speaks Welsh'];
    const queued = [];
    for (const m of messages) queued.push(await fx.memory.enqueueAdd(m, { userId: 'alice' }));
    await fx.memory.enqueueAdd('likes coffee', { userId: 'bob' });

    expect(await new IngestWorker(fx.memory, { ...silent, batchSize: 16 }).drain()).toBe(6);

    expect(extractions()).toHaveLength(2); // alice's five adds, bob's one
    expect(await texts(fx.memory, 'alice')).toEqual(messages.map(factFor).sort());
    expect(await loggedMessages(fx.memory, 'alice')).toEqual(messages);
    for (const q of queued) expect((await fx.memory.getJob(q.job_id)).state).toBe('done');
  });

  it('puts a job that fails on the LLM back with exponential backoff, then dead after max attempts', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00.000Z'));
    fx.ollama.onChat(() => ({ status: 500 }));
    const { job_id } = await fx.memory.enqueueAdd('likes tea', { userId: 'alice' });
    const worker = new IngestWorker(fx.memory, silent);

    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(await worker.drain()).toBe(1);
      const job = await fx.memory.getJob(job_id);
      expect(job).toMatchObject({ state: 'pending', attempts: attempt });
      expect(job.last_error).toMatch(/500/);
      // 30 s after the first failure, doubling each time.
      expect(Date.parse(job.next_attempt_at) - Date.now()).toBe(30_000 * 2 ** (attempt - 1));
      expect(await worker.drain()).toBe(0); // not due yet
      vi.setSystemTime(Date.parse(job.next_attempt_at));
    }
    expect(await worker.drain()).toBe(1);
    expect(await fx.memory.getJob(job_id)).toMatchObject({ state: 'dead', attempts: 5 });
    expect((await fx.memory.jobs({ failed: true })).results.map((j) => j.id)).toEqual([job_id]);
    vi.setSystemTime(Date.now() + 86_400_000);
    expect(await worker.drain()).toBe(0); // dead jobs stay dead until replayed
    expect(extractions()).toHaveLength(5);
    // The message was logged on the first attempt and only then.
    expect(await loggedMessages(fx.memory, 'alice')).toEqual(['likes tea']);
  });

  it('stop() waits for the work in hand to finish and then leases nothing more', async () => {
    fx.ollama.onChat(factPerMessage(300));
    const first = await fx.memory.enqueueAdd('likes tea', { userId: 'alice' });
    const worker = new IngestWorker(fx.memory, { ...silent, intervalMs: 10 });
    worker.start();
    await vi.waitFor(() => expect(extractions()).toHaveLength(1), { timeout: 5_000 });
    expect((await fx.memory.getJob(first.job_id)).state).toBe('running');

    await worker.stop();
    expect((await fx.memory.getJob(first.job_id)).state).toBe('done');
    expect(await texts(fx.memory, 'alice')).toEqual([factFor('likes tea')]);

    const claims = vi.spyOn(await fx.memory.store(), 'claimJobs');
    const second = await fx.memory.enqueueAdd('has a cat', { userId: 'alice' });
    // A worker still polling would lease it within one 10 ms interval: run a hundred intervals on
    // fake timers instead of sleeping through a few.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(claims).not.toHaveBeenCalled();
    expect((await fx.memory.getJob(second.job_id)).state).toBe('pending');
  });

  it('takes over an expired lease of a crashed worker, and only one of two workers runs it', async () => {
    const { job_id } = await fx.memory.enqueueAdd('likes tea', { userId: 'alice' });
    const store = await fx.memory.store();
    // A worker leases the job with a short lease and dies without a word.
    const [leased] = await store.claimJobs({
      limit: 10,
      now: new Date().toISOString(),
      leaseMs: LEASE_MS,
      kinds: ['infer'],
    });
    expect(leased?.id).toBe(job_id);
    const a = new IngestWorker(fx.memory, silent);
    const b = new IngestWorker(fx.reopen(), silent); // another process on the same database
    expect(await a.drain()).toBe(0); // the lease still holds

    expireLeases();
    const [ranA, ranB] = await Promise.all([a.drain(), b.drain()]);
    expect(ranA + ranB).toBe(1);
    expect(await fx.memory.getJob(job_id)).toMatchObject({ state: 'done', attempts: 2 });
    expect(extractions()).toHaveLength(1);
    expect(await texts(fx.memory, 'alice')).toEqual([factFor('likes tea')]);
    expect(await loggedMessages(fx.memory, 'alice')).toEqual(['likes tea']);
  });

  it('re-runs a job whose worker died after writing its memory without duplicating the memory or the message', async () => {
    const { job_id } = await fx.memory.enqueueAdd('likes tea', { userId: 'alice' });
    // The first engine's store hangs forever when asked to mark a job done: it stands for a
    // process killed between committing the memories and completing the job.
    const real = new SqliteStore({ path: fx.dbPath });
    const frozen = new Proxy(real, {
      get(target, property) {
        if (property === 'completeJob') return () => new Promise<void>(() => undefined);
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Store;
    const crashed = new Memory(
      {
        dbPath: fx.dbPath,
        embedder: { provider: 'ollama', model: 'nomic-embed-text', baseUrl: fx.ollama.url, maxRetries: 0 },
        llm: { provider: 'ollama', model: 'llama3.2:3b', baseUrl: fx.ollama.url, maxRetries: 0 },
      },
      { store: frozen, env: {} },
    );
    void new IngestWorker(crashed, { ...silent, leaseMs: LEASE_MS }).drain();
    await vi.waitFor(async () => expect(await texts(fx.memory, 'alice')).toHaveLength(1), { timeout: 5_000 });
    expect((await fx.memory.getJob(job_id)).state).toBe('running');

    const survivor = new IngestWorker(fx.memory, { ...silent, leaseMs: LEASE_MS });
    expect(await survivor.drain()).toBe(0);
    expireLeases();
    expect(await survivor.drain()).toBe(1);

    expect(await fx.memory.getJob(job_id)).toMatchObject({ state: 'done', attempts: 2 });
    expect(extractions()).toHaveLength(2);
    expect(await texts(fx.memory, 'alice')).toEqual([factFor('likes tea')]);
    expect(await loggedMessages(fx.memory, 'alice')).toEqual(['likes tea']);
    await real.close();
  });
});
