import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryError } from '../../src/spec/memory-error.js';
import { delayedEmbedder, type EngineFixture, engineFixture, factPerLineModel } from './engine-fakes.js';

/**
 * mem0's options on engram's own API: expirationDate / showExpired, topK, per-add
 * customInstructions. Each is honoured or refused with an error that names it.
 */
describe('mem0 options on the native API', () => {
  let fx: EngineFixture;
  let now = new Date('2026-06-10T12:00:00.000Z');
  let llm: ReturnType<typeof factPerLineModel>;

  beforeEach(() => {
    now = new Date('2026-06-10T12:00:00.000Z');
    llm = factPerLineModel();
    fx = engineFixture({ embedder: delayedEmbedder(), llm: [llm], now: () => now });
  });
  afterEach(async () => fx.close());

  const texts = (r: { results: { memory: string }[] }) => r.results.map((m) => m.memory).sort();

  it('hides memories past their expiration day from getAll and search unless showExpired', async () => {
    const m = fx.memory;
    await m.add('likes tea', { userId: 'u', infer: false, expirationDate: '2026-06-10' });
    await m.add('likes coffee', { userId: 'u', infer: false, expirationDate: '2026-06-09' });
    await m.add('likes water', { userId: 'u', infer: false });
    // The day itself still counts; the day before has passed.
    expect(texts(await m.getAll({ userId: 'u' }))).toEqual(['likes tea', 'likes water']);
    expect(texts(await m.getAll({ userId: 'u', showExpired: true }))).toEqual([
      'likes coffee',
      'likes tea',
      'likes water',
    ]);
    expect(texts(await m.search('likes', { userId: 'u', mode: 'keyword' }))).toEqual([
      'likes tea',
      'likes water',
    ]);
    expect(texts(await m.search('likes', { userId: 'u', mode: 'keyword', showExpired: true }))).toHaveLength(
      3,
    );
    const tea = (await m.getAll({ userId: 'u' })).results.find((r) => r.memory === 'likes tea')!;
    expect(tea.metadata.expiration_date).toBe('2026-06-10');

    now = new Date('2026-06-11T00:00:00.000Z');
    expect(texts(await m.getAll({ userId: 'u' }))).toEqual(['likes water']);
    // Clearing the day brings it back; setting one hides it; metadata merges around it.
    await m.update(tea.id, { expirationDate: null });
    expect(texts(await m.getAll({ userId: 'u' }))).toEqual(['likes tea', 'likes water']);
    expect((await m.get(tea.id)).metadata).not.toHaveProperty('expiration_date');
    await m.update(tea.id, { metadata: { mood: 'calm' }, expirationDate: '2026-01-01' });
    expect(texts(await m.getAll({ userId: 'u' }))).toEqual(['likes water']);
    expect((await m.get(tea.id)).metadata).toEqual({ mood: 'calm', expiration_date: '2026-01-01' });
  });

  it('refuses an expiration day that is not YYYY-MM-DD, naming the option', async () => {
    for (const bad of ['2026-02-30', '10/06/2026', '2026-6-1', 20260610]) {
      const err = await fx.memory
        .add('x', { userId: 'u', infer: false, expirationDate: bad as string })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MemoryError);
      expect((err as MemoryError).code).toBe('invalid_input');
      expect((err as Error).message).toContain('expirationDate');
    }
    await expect(fx.memory.getAll({ userId: 'u', showExpired: 'yes' as unknown as boolean })).rejects.toThrow(
      /showExpired/,
    );
    expect((await fx.memory.getAll({ userId: 'u' })).total).toBe(0);
  });

  it('takes topK as mem0 names the page size, and refuses it when it disagrees with limit', async () => {
    const m = fx.memory;
    for (const t of ['one', 'two', 'three']) await m.add(`item ${t}`, { userId: 'u', infer: false });
    expect((await m.getAll({ userId: 'u', topK: 2 })).results).toHaveLength(2);
    expect((await m.search('item', { userId: 'u', mode: 'keyword', topK: 1 })).results).toHaveLength(1);
    expect(
      (await m.search('item', { userId: 'u', mode: 'keyword', topK: 2, limit: 2 })).results,
    ).toHaveLength(2);
    await expect(m.getAll({ userId: 'u', topK: 2, limit: 3 })).rejects.toThrow(/limit \(3\) and topK \(2\)/);
    await expect(m.search('item', { userId: 'u', topK: 0 })).rejects.toThrow(/topK must be/);
  });

  it('puts per-add customInstructions after the configured ones, also through the queue', async () => {
    await fx.memory.add('I like tea', { userId: 'u', customInstructions: 'Only keep drinks.' });
    expect(llm.prompts.at(-2) ?? llm.prompts.at(-1)).toContain('Only keep drinks.');
    const queued = await fx.memory.enqueueAdd('I like cake', {
      userId: 'u',
      customInstructions: 'Only cakes.',
    });
    llm.prompts.length = 0;
    await fx.memory.retryJobs(queued.job_id);
    expect(llm.prompts.join('\n')).toContain('Only cakes.');
    expect(llm.prompts.join('\n')).not.toContain('Only keep drinks.');
    await expect(
      fx.memory.add('x', { userId: 'u', infer: false, customInstructions: 'Only drinks.' }),
    ).rejects.toThrow(/customInstructions/);
  });

  it('searches and lists across scopes with an OR whose every branch names one (mem0 OR across entities)', async () => {
    const m = fx.memory;
    await m.add('alice likes tea', { userId: 'alice', infer: false });
    await m.add('bob likes tea', { userId: 'bob', infer: false });
    await m.add('the bot likes tea', { agentId: 'bot', infer: false });
    const across = { OR: [{ user_id: 'alice' }, { agent_id: 'bot' }] };
    expect(texts(await m.getAll({ filters: across }))).toEqual(['alice likes tea', 'the bot likes tea']);
    expect(texts(await m.search('tea', { filters: across }))).toEqual([
      'alice likes tea',
      'the bot likes tea',
    ]);
    expect(texts(await m.search('tea', { filters: across, mode: 'keyword' }))).toEqual([
      'alice likes tea',
      'the bot likes tea',
    ]);
    await expect(m.getAll({ filters: { OR: [{ user_id: 'alice' }, { 'metadata.x': 1 }] } })).rejects.toThrow(
      /every branch must name one/,
    );
  });
});
