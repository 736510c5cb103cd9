import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IngestWorker } from '../../src/ingest/ingest-worker.js';
import type { Memory } from '../../src/memory/memory.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { type MemoryFixture, memoryFixture } from '../memory/memory-fixture.js';
import type { OllamaChatBody } from '../support/fake-ollama.js';
import { promptKind } from './fact-per-message.js';

/*
 * Two workers must never both commit one job. A worker keeps its lease while the job runs
 * (renewed every third of the lease), and a worker whose lease was taken over anyway (a process
 * paused past its lease) commits nothing: its memories write and its completion are refused.
 */

let fx: MemoryFixture;
/** The engine under test (worker A); `fx.reopen()` gives the other process. */
let memory: Memory;
/** Extraction replies in order: each names the run it came from, so a double commit shows. */
let extractions = 0;
/** While set, the FIRST extraction is held until it resolves (an LLM call outlasting a lease). */
let firstReplyGate: Promise<void> | undefined;
let firstReplyDelayMs = 0;

const fact = (text: string) =>
  JSON.stringify({ facts: [{ text, importance: 0.7, category: 'other', event_date: null }] });

beforeEach(async () => {
  extractions = 0;
  firstReplyGate = undefined;
  firstReplyDelayMs = 0;
  fx = await memoryFixture();
  // A long client timeout: the held reply must outlast leases, not the HTTP call.
  memory = fx.reopen({
    llm: {
      provider: 'ollama',
      model: 'llama3.2:3b',
      baseUrl: fx.ollama.url,
      maxRetries: 0,
      timeoutMs: 60_000,
    },
  });
  fx.ollama.onChat(async (body: OllamaChatBody) => {
    const kind = promptKind(body);
    if (kind === 'reconcile') return JSON.stringify({ operations: [{ event: 'ADD', fact: 0 }] });
    if (kind !== 'extract') return '{}';
    extractions += 1;
    const run = extractions;
    if (run === 1 && firstReplyGate) await firstReplyGate;
    const text = fact(run === 1 ? 'Likes green tea' : 'Likes black tea');
    return run === 1 && firstReplyDelayMs > 0 ? { text, delayMs: firstReplyDelayMs } : text;
  });
});

afterEach(async () => {
  await fx.close();
});

const texts = async (memory: Memory) =>
  (await memory.getAll({ userId: 'alice' })).results.map((m) => m.memory).sort();

describe('job leases', () => {
  it('a run whose lease was taken over commits nothing; the new holder applies the job once', async () => {
    let release!: () => void;
    firstReplyGate = new Promise((resolve) => {
      release = resolve;
    });
    const { job_id } = await memory.enqueueAdd('I like tea', { userId: 'alice' });
    const errors: unknown[] = [];
    const a = new IngestWorker(memory, { onError: (e) => errors.push(e), leaseMs: 60_000 });
    const ranA = a.drain();
    await vi.waitFor(() => expect(extractions).toBe(1), { timeout: 10_000 });

    // Another process takes the job over as if A's lease had run out (its clock is past it).
    const other = fx.reopen();
    const later = new Date(Date.now() + 10 * 60_000).toISOString();
    const [stolen] = await other.queue.claimJobs({ limit: 1, now: later, leaseMs: 60_000, ids: [job_id] });
    expect(stolen).toMatchObject({ id: job_id, attempts: 2 });
    await other.runJobGroup([stolen!]);
    expect(await memory.getJob(job_id)).toMatchObject({ state: 'done', attempts: 2 });

    release(); // A's LLM answers at last
    expect(await ranA).toBe(1);

    expect(await texts(fx.memory)).toEqual(['Likes black tea']);
    const job = await memory.getJob(job_id);
    expect(job).toMatchObject({ state: 'done', attempts: 2, last_error: null });
    expect(JSON.stringify(job.result)).toContain('Likes black tea');
    expect(JSON.stringify(job.result)).not.toContain('green');
    // A noticed, said so, and left the job alone (it did not bury B's finished job as dead).
    expect(errors.map((e) => (MemoryError.is(e) ? e.code : String(e)))).toEqual(['lease_lost']);
    expect(a.leasesLost).toBe(1);
    const history = await memory.history((await memory.getAll({ userId: 'alice' })).results[0]!.id);
    expect(history.map((h) => h.event)).toEqual(['ADD']);
  });

  it('two workers, an LLM slower than three leases: the running job keeps its lease and runs once', async () => {
    const leaseMs = 1500;
    firstReplyDelayMs = 3 * leaseMs + 500;
    const { job_id } = await memory.enqueueAdd('I like tea', { userId: 'alice' });
    const a = new IngestWorker(memory, { onError: () => undefined, leaseMs });
    const b = new IngestWorker(fx.reopen(), { onError: () => undefined, leaseMs, intervalMs: 20 });
    const ranA = a.drain();
    await vi.waitFor(() => expect(extractions).toBe(1), { timeout: 10_000 });
    b.start(); // polls every 20 ms for a job whose lease ran out
    expect(await ranA).toBe(1);
    await b.stop();

    expect(extractions).toBe(1);
    expect(b.processed).toBe(0);
    expect(await memory.getJob(job_id)).toMatchObject({ state: 'done', attempts: 1 });
    expect(await texts(fx.memory)).toEqual(['Likes green tea']);
  }, 30_000);
});
