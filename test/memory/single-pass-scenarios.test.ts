import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MemoryFixture, memoryFixture } from './memory-fixture.js';

/** The default mode (see BENCHMARKS.md): one call returns the facts and the operations together. */
const reply = (
  facts: { text: string; event_date?: string | null }[],
  operations: { event: string; fact: number; id?: number | null; text?: string | null }[],
) =>
  JSON.stringify({
    facts: facts.map((f) => ({ importance: 0.7, category: 'other', event_date: null, ...f })),
    operations,
  });

describe('single-pass inference: the same scenarios in one LLM call per add', () => {
  let fx: MemoryFixture;
  beforeEach(async () => {
    fx = await memoryFixture({ extraction: { mode: 'single-pass' } });
  });
  afterEach(async () => {
    await fx.close();
  });

  it('is the default mode', async () => {
    const { Memory } = await import('../../src/memory/memory.js');
    expect(new Memory({ dbPath: ':memory:' }, { env: {} }).config.extraction.mode).toBe('single-pass');
  });

  it('contradiction: invalidates the old home, asOf still finds it', async () => {
    const { memory, ollama } = fx;
    ollama.scriptChat([reply([{ text: 'Lives in New York' }], [{ event: 'ADD', fact: 0 }])]);
    const first = await memory.add('I live in New York', { userId: 's', eventTime: '2023-01-10T00:00:00Z' });
    ollama.scriptChat([
      reply(
        [{ text: 'Lives in San Francisco' }],
        [
          { event: 'ADD', fact: 0 },
          { event: 'DELETE', fact: 0, id: 0 },
        ],
      ),
    ]);
    const second = await memory.add('I moved to San Francisco', {
      userId: 's',
      eventTime: '2023-02-15T00:00:00Z',
    });
    expect(second.usage.llmCalls).toBe(1);
    expect(second.results.map((r) => r.event).sort()).toEqual(['ADD', 'DELETE']);
    const sent = ollama.requestsTo('/api/chat')[1]!.body as { messages: { content: string }[] };
    expect(sent.messages[1]?.content).toContain('0: Lives in New York');
    const now = await memory.search('where does the user live', { userId: 's' });
    expect(now.results.map((r) => r.memory)).toEqual(['Lives in San Francisco']);
    const then = await memory.search('where does the user live', {
      userId: 's',
      asOf: '2023-02-01T00:00:00Z',
    });
    expect(then.results.map((r) => r.memory)).toEqual(['Lives in New York']);
    expect((await memory.get(second.results.find((r) => r.event === 'ADD')!.id)).state).toBe('active');
    expect((await memory.history(first.results[0]!.id)).map((h) => h.event)).toEqual(['INVALIDATE', 'ADD']);
  });

  it('duplicates: an ADD of text already remembered is a NONE, also when two adds race', async () => {
    const { memory, ollama } = fx;
    ollama.onChat(() => ({
      text: reply([{ text: 'Has a cat named Miso' }], [{ event: 'ADD', fact: 0 }]),
      delayMs: 30,
    }));
    const [a, b] = await Promise.all([
      memory.add('I have a cat named Miso', { userId: 'u' }),
      memory.add('My cat is called Miso', { userId: 'u' }),
    ]);
    expect([...a.results, ...b.results].map((r) => r.event).sort()).toEqual(['ADD', 'NONE']);
    expect((await memory.getAll({ userId: 'u' })).total).toBe(1);
  });

  it('dates: a relative date resolves against the message time', async () => {
    fx.ollama.scriptChat([reply([{ text: 'Has an exam tomorrow' }], [{ event: 'ADD', fact: 0 }])]);
    const out = await fx.memory.add('my exam is tomorrow', {
      userId: 'u',
      eventTime: '2023-05-08T09:00:00Z',
    });
    expect((await fx.memory.get(out.results[0]!.id)).metadata.event_date).toBe('2023-05-09');
  });

  it('rejects an invented id through the repair turn, then leaves a job if it persists', async () => {
    const { memory, ollama } = fx;
    ollama.scriptChat([reply([{ text: 'Likes tea' }], [{ event: 'ADD', fact: 0 }])]);
    await memory.add('I like tea', { userId: 'u' });
    const invented = reply([{ text: 'Hates tea now' }], [{ event: 'DELETE', fact: 0, id: 9 }]);
    ollama.scriptChat([invented, invented]);
    const out = await memory.add('I hate tea now', { userId: 'u' });
    expect(out).toMatchObject({ status: 'pending', errors: [{ code: 'llm_invalid_output' }] });
    expect(out.errors![0]!.message).toMatch(/id 9 does not exist/);
    expect((await memory.getAll({ userId: 'u' })).results.map((r) => r.memory)).toEqual(['Likes tea']);
  });
});
