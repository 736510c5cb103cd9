import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestWorker } from '../../src/ingest/ingest-worker.js';
import type { ObservedMessage } from '../../src/memory/observe/observe-messages.js';
import type { OllamaChatBody } from '../support/fake-ollama.js';
import { type MemoryFixture, memoryFixture, storeVariants } from './memory-fixture.js';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
const msg = (
  id: string,
  speakerId: string,
  content: string,
  minute: number,
  extra: Partial<ObservedMessage> = {},
) => ({
  id,
  speakerId,
  speakerName: speakerId.replace('u-', '').replace(/^./, (c) => c.toUpperCase()),
  content,
  time: at(minute),
  ...extra,
});
const fact = (text: string, speaker: string, messages: number[]) => ({
  text,
  speaker,
  messages,
  importance: 0.7,
  category: 'other',
  event_date: null,
});
const window = (...facts: ReturnType<typeof fact>[]) => JSON.stringify({ facts });

/** The observe-window calls the fake LLM received, with their NEW MESSAGES and EARLIER MESSAGES. */
function windowCalls(fx: MemoryFixture) {
  return fx.ollama
    .requestsTo('/api/chat')
    .map((r) => r.body as OllamaChatBody)
    .filter(
      (b) =>
        (b.format as { properties?: { facts?: { items?: { properties?: object } } } })?.properties?.facts
          ?.items?.properties &&
        'speaker' in
          (b.format as { properties: { facts: { items: { properties: object } } } }).properties.facts.items
            .properties,
    )
    .map((b) => b.messages.at(-1)?.content ?? '');
}

describe.each(storeVariants())('passive observation of a channel (%s)', (_store, overrides) => {
  let fx: MemoryFixture;

  beforeEach(async () => {
    fx = await memoryFixture({
      ...overrides(),
      observe: { windowMessages: 4, windowMinutes: 10, overlap: 2, maxWindowTokens: 4000 },
    });
  });
  afterEach(async () => {
    await fx.close();
  });
  const worker = (memory = fx.memory) => new IngestWorker(memory, { intervalMs: 10 });

  it('extracts a window in one call and gives each fact to its speaker; the group gets its own', async () => {
    const { memory, ollama } = fx;
    const first = await memory.observe(
      [
        msg('m1', 'u-ana', 'I just adopted a greyhound called Pixel', 0),
        msg('m2', 'u-bo', 'lol', 1),
        msg('m3', 'u-bo', 'I start at the bakery on Monday', 2),
      ],
      { channelId: 'general' },
    );
    expect(first).toMatchObject({
      channel_id: 'general',
      logged: 3,
      duplicates: 0,
      skipped: { chatter: 1 },
      pending: 3,
    });
    // Fewer than windowMessages wait: the window is due windowMinutes later, so nothing runs yet.
    expect(await worker().drain()).toBe(0);

    ollama.scriptChat([
      window(
        fact('Adopted a greyhound called Pixel', 'u-ana', [0]),
        fact('Starts a job at the bakery on Monday', 'u-bo', [1]),
        fact('The group meets on Fridays', 'GROUP', [2]),
      ),
    ]);
    const second = await memory.observe([msg('m4', 'u-cy', 'Reminder: we meet every Friday', 3)], {
      channelId: 'general',
    });
    expect(second.pending).toBe(4);
    expect(second.window_due_at).not.toBeNull();
    expect(await worker().drain()).toBe(1);

    const calls = windowCalls(fx);
    expect(calls).toHaveLength(1);
    // The chatter never reached the LLM; speakers appear with ids and names.
    expect(calls[0]).not.toContain('lol');
    expect(calls[0]).toContain('[u-ana] Ana');
    const ana = await memory.getAll({ userId: 'u-ana' });
    expect(ana.results.map((r) => [r.memory, r.run_id, r.metadata])).toEqual([
      ['Adopted a greyhound called Pixel', 'general', { channel_id: 'general', message_ids: ['m1'] }],
    ]);
    expect((await memory.getAll({ userId: 'u-bo' })).results.map((r) => r.memory)).toEqual([
      'Starts a job at the bakery on Monday',
    ]);
    const group = await memory.getAll({ runId: 'general' });
    expect(group.results.find((r) => r.user_id === null)?.memory).toBe('The group meets on Fridays');
  });

  it('replays log nothing twice; a new display name is the same speaker; the next window sees the overlap', async () => {
    const { memory, ollama } = fx;
    const batch = [0, 1, 2, 3].map((i) =>
      msg(`m${i}`, i % 2 ? 'u-bo' : 'u-ana', `Message number ${i} about plans`, i),
    );
    ollama.scriptChat([window(fact('Plans a trip to Porto', 'u-ana', [0]))]);
    await memory.observe(batch, { channelId: 'c1' });
    const replay = await memory.observe(batch, { channelId: 'c1' });
    expect(replay).toMatchObject({ logged: 0, duplicates: 4 });
    await worker().drain();

    ollama.scriptChat([window(fact('Bought tickets to Porto', 'u-ana', [0]))]);
    await memory.observe(
      [4, 5, 6, 7].map((i) =>
        msg(`m${i}`, 'u-ana', `Later message ${i} about tickets`, i, { speakerName: 'Ana Maria' }),
      ),
      { channelId: 'c1' },
    );
    await worker().drain();
    const calls = windowCalls(fx);
    expect(calls).toHaveLength(2);
    // overlap 2: the last two messages of the first window come along as context.
    expect(calls[1]).toContain(
      'EARLIER MESSAGES:\nAna: Message number 2 about plans\nBo: Message number 3 about plans',
    );
    expect(calls[1]).toContain('[u-ana] Ana Maria');
    expect((await memory.getAll({ userId: 'u-ana' })).results.map((r) => r.memory).sort()).toEqual([
      'Bought tickets to Porto',
      'Plans a trip to Porto',
    ]);
  });

  it('backpressure: while the worker is away the queue holds two triggers and the window grows', async () => {
    const { memory, ollama } = fx;
    for (let i = 0; i < 20; i++) {
      await memory.observe([msg(`m${i}`, `u-${i % 3}`, `Fact number ${i} worth keeping`, i)], {
        channelId: 'busy',
      });
    }
    const counts = await memory.queue.jobCounts(null);
    expect(counts.pending).toBeLessThanOrEqual(2);
    ollama.scriptChat([window(fact('Shared twenty facts', 'GROUP', [0, 19]))]);
    await worker().drain();
    const calls = windowCalls(fx);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain('19. [u-1]');
    const usage = await memory.observation.usage('busy');
    expect(usage.total).toMatchObject({ windows: 1, messages: 20, llmCalls: 1 });
    expect(usage.days).toHaveLength(1);
  });

  it('a timer set before a full window ran only reschedules: the next window is not cut short', async () => {
    const { memory, ollama } = fx;
    await memory.observe(
      [0, 1].map((i) => msg(`m${i}`, 'u-ana', `Early fact number ${i}`, i)),
      { channelId: 'tick' },
    );
    const [timer] = (await memory.jobs()).results;
    expect(timer).toMatchObject({ kind: 'observe', state: 'pending' });
    ollama.scriptChat([window(fact('Has early facts', 'u-ana', [0, 1]))]);
    await memory.observe(
      [2, 3].map((i) => msg(`m${i}`, 'u-ana', `Early fact number ${i}`, i)),
      { channelId: 'tick' },
    );
    await worker().drain(); // the full window (due now); the timer is not due yet
    await memory.observe([msg('m4', 'u-bo', 'A later fact worth keeping', 5)], { channelId: 'tick' });
    // The old timer comes due (made due now): it must not run a one-message window.
    const [retried] = (await memory.retryJobs(timer!.id)).results;
    expect(retried).toMatchObject({ status: 'done', result: { results: [] } });
    // It left a timer for the message now waiting instead.
    expect((await memory.jobs()).results.filter((j) => j.state === 'pending')).toHaveLength(1);
    expect(windowCalls(fx)).toHaveLength(1);
    expect((await memory.observation.usage('tick')).total.windows).toBe(1);
  });

  it('message ids are per channel: the same id in two channels is two messages', async () => {
    const { memory } = fx;
    const a = await memory.observe([msg('1', 'u-ana', 'Hello from channel one', 0)], { channelId: 'one' });
    const b = await memory.observe([msg('1', 'u-bo', 'Hello from channel two', 0)], { channelId: 'two' });
    expect([a.logged, b.logged]).toEqual([1, 1]);
  });

  it('screens bots, commands, links and the user’s patterns, and keeps them in the log', async () => {
    const { memory } = fx;
    const result = await memory.observe(
      [
        msg('b1', 'u-bot', 'Deploy finished for build 42', 0, { bot: true }),
        msg('c1', 'u-ana', '!weather Lisbon', 1),
        msg('l1', 'u-ana', 'https://example.com/thing', 2),
        msg('e1', 'u-ana', '👍👍', 3),
        msg('p1', 'u-ana', 'standup notes: nothing new', 4),
        msg('x1', 'u-spam', 'Buy cheap things now', 5),
      ],
      { channelId: 'screened' },
    );
    expect(result.skipped).toEqual({ bot: 1, command: 1, link_only: 1, no_words: 1 });
    const strict = fx.reopen({ observe: { skipPatterns: ['^standup notes'], excludeSpeakers: ['u-spam'] } });
    const again = await strict.observe(
      [msg('p2', 'u-ana', 'standup notes: all good', 6), msg('x2', 'u-spam', 'Buy more', 7)],
      {
        channelId: 'screened',
      },
    );
    expect(again.skipped).toEqual({ pattern: 1, excluded_speaker: 1 });
  });

  it('an LLM failure leaves the window to run again: the cursor does not move, nothing is lost', async () => {
    const { memory, ollama } = fx;
    await memory.observe(
      [0, 1, 2, 3].map((i) => msg(`m${i}`, 'u-ana', `Important fact number ${i}`, i)),
      {
        channelId: 'flaky',
      },
    );
    // No scripted reply: the fake answers "{}", which is not a window's JSON (an upstream failure).
    await worker().drain();
    const [job] = (await memory.jobs()).results;
    expect(job).toMatchObject({ kind: 'observe', state: 'pending', attempts: 1 });
    expect(job?.last_error).toMatch(/facts/);
    ollama.scriptChat([window(fact('Has four important facts', 'u-ana', [0, 3]))]);
    await memory.retryJobs();
    expect((await memory.getAll({ userId: 'u-ana' })).results.map((r) => r.memory)).toEqual([
      'Has four important facts',
    ]);
  });

  it('refuses bad input with the field named', async () => {
    const { memory } = fx;
    await expect(memory.observe([], { channelId: 'c' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(memory.observe([msg('a', 'u', 'x', 0)], { channelId: '' })).rejects.toThrow(/channelId/);
    await expect(memory.observe([{ id: 'a', content: 'x' } as never], { channelId: 'c' })).rejects.toThrow(
      /speakerId/,
    );
    await expect(
      memory.observe([msg('a', 'u', 'hello there', 0), msg('a', 'u', 'again here', 1)], { channelId: 'c' }),
    ).rejects.toThrow(/appears twice/);
  });
});
