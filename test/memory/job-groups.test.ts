import { afterEach, describe, expect, it } from 'vitest';
import type { MemoryItem } from '../../src/memory/api-types.js';
import {
  delayedEmbedder,
  type EngineFixture,
  engineFixture,
  factPerLineModel,
  section,
} from './engine-fakes.js';

const JAN = '2024-01-10T09:00:00.000Z';
const MAR = '2024-03-01T09:00:00.000Z';

describe.each(['two-pass', 'single-pass'])('queued jobs and retries (%s)', (mode) => {
  let fx: EngineFixture;
  let llm: ReturnType<typeof factPerLineModel>;
  afterEach(async () => {
    await fx.close();
  });
  const start = () => {
    llm = factPerLineModel();
    fx = engineFixture({ embedder: delayedEmbedder(), llm: [llm] }, { extraction: { mode } });
  };
  const memories = async () =>
    new Map(
      (await fx.memory.getAll({ userId: 'u' })).results.map((m): [string, MemoryItem] => [m.memory, m]),
    );
  const claimAll = () =>
    fx.memory.queue.claimJobs({ limit: 10, now: new Date().toISOString(), leaseMs: 60_000 });

  it('a group of jobs keeps each job\u2019s event time, actor, metadata and importance (before: the last job\u2019s for all)', async () => {
    start();
    await fx.memory.enqueueAdd('I moved to Boston', {
      userId: 'u',
      eventTime: JAN,
      actorId: 'alice',
      metadata: { channel: 'a' },
    });
    await fx.memory.enqueueAdd('I adopted a cat', {
      userId: 'u',
      eventTime: MAR,
      actorId: 'bob',
      metadata: { channel: 'b' },
      importance: 0.9,
    });
    const jobs = await claimAll();
    expect(jobs).toHaveLength(2);
    expect((await fx.memory.runJobGroup(jobs)).status).toBe('done');

    const byText = await memories();
    expect(byText.get('Fact: I moved to Boston')).toMatchObject({
      valid_from: JAN,
      actor_id: 'alice',
      metadata: { channel: 'a' },
      importance: 0.7,
    });
    expect(byText.get('Fact: I adopted a cat')).toMatchObject({
      valid_from: MAR,
      actor_id: 'bob',
      metadata: { channel: 'b' },
      importance: 0.9,
    });
    // One extraction for the group, which saw each job's date.
    const extraction = llm.prompts[0]!;
    expect(section(extraction, 'NEW MESSAGES:')).toEqual([
      'Group 0, sent on 2024-01-10 (Wednesday):',
      'user: I moved to Boston',
      'Group 1, sent on 2024-03-01 (Friday):',
      'user: I adopted a cat',
    ]);
    const logged = await (await fx.memory.store()).recentMessages({ tenant: 'default', userId: 'u' }, 10);
    expect(logged.map((m) => [m.content, m.eventTime])).toEqual([
      ['I moved to Boston', JAN],
      ['I adopted a cat', MAR],
    ]);
  });

  it('a fact naming a group that does not exist gets the repair turn', async () => {
    start();
    llm.badSources = 1;
    await fx.memory.enqueueAdd('I moved to Boston', { userId: 'u', eventTime: JAN });
    await fx.memory.enqueueAdd('I adopted a cat', { userId: 'u', eventTime: MAR });
    expect((await fx.memory.runJobGroup(await claimAll())).status).toBe('done');
    expect(llm.prompts[1]).toMatch(/group 10 does not exist; the message groups are numbered 0 to 1/);
    expect((await memories()).get('Fact: I adopted a cat')?.valid_from).toBe(MAR);
  });

  it('jobs of one origin are one group: the prompt is the single-add prompt', async () => {
    start();
    await fx.memory.enqueueAdd('I moved to Boston', { userId: 'u', eventTime: JAN });
    await fx.memory.enqueueAdd('I adopted a cat', { userId: 'u', eventTime: JAN });
    await fx.memory.runJobGroup(await claimAll());
    expect(llm.prompts[0]).toContain('Messages sent on: 2024-01-10 (Wednesday)');
    expect(section(llm.prompts[0]!, 'NEW MESSAGES:')).toEqual([
      'user: I moved to Boston',
      'user: I adopted a cat',
    ]);
  });

  it('a retried job reads the context that preceded its messages (before: the newest messages, its own included)', async () => {
    start();
    await fx.memory.add('earlier words', { userId: 'u', infer: false });
    llm.down = true;
    const failed = await fx.memory.add('I play the cello', { userId: 'u' });
    expect(failed.status).toBe('pending');
    await fx.memory.add('later words', { userId: 'u', infer: false });
    await fx.memory.add('even later words', { userId: 'u', infer: false });
    llm.down = false;
    llm.prompts.length = 0;

    const [retried] = (await fx.memory.retryJobs(failed.job_id)).results;
    expect(retried?.status).toBe('done');
    const prompt = llm.prompts[0]!;
    expect(section(prompt, 'EARLIER MESSAGES:')).toEqual(['user: earlier words']);
    expect(section(prompt, 'NEW MESSAGES:')).toEqual(['user: I play the cello']);
  });

  it('an inferred add honours importance, also when it is retried later (before: ignored)', async () => {
    start();
    await fx.memory.add('I play the cello', { userId: 'u', importance: 0.95 });
    llm.down = true;
    const failed = await fx.memory.add('I speak Welsh', { userId: 'u', importance: 0.2 });
    llm.down = false;
    await fx.memory.retryJobs(failed.job_id);
    const byText = await memories();
    expect(byText.get('Fact: I play the cello')?.importance).toBe(0.95);
    expect(byText.get('Fact: I speak Welsh')?.importance).toBe(0.2);
  });
});
