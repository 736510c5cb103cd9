import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { facts, type MemoryFixture, memoryFixture, operations, storeVariants } from './memory-fixture.js';

const JAN = '2023-01-10T10:00:00.000Z';
const FEB = '2023-02-15T10:00:00.000Z';

describe.each(storeVariants())(
  'inferred add: the scenarios a memory system must get right (%s)',
  (_store, overrides) => {
    let fx: MemoryFixture;
    beforeEach(async () => {
      fx = await memoryFixture(overrides());
    });
    afterEach(async () => {
      await fx.close();
    });

    it('contradiction: a move invalidates the old home, keeps it in history and in asOf', async () => {
      const { memory, ollama } = fx;
      ollama.scriptChat([facts({ text: 'Lives in New York', category: 'location' })]);
      const first = await memory.add('I live in New York', { userId: 'sarah', eventTime: JAN });
      expect(first.results.map((r) => [r.event, r.memory])).toEqual([['ADD', 'Lives in New York']]);
      expect(first.usage.llmCalls).toBe(1); // nothing to reconcile against: no second call

      ollama.scriptChat([
        facts({ text: 'Moved to San Francisco', category: 'location' }),
        operations(
          { event: 'ADD', fact: 0, text: 'Lives in San Francisco' },
          { event: 'DELETE', fact: 0, id: 0 },
        ),
      ]);
      const second = await memory.add('I moved to San Francisco', { userId: 'sarah', eventTime: FEB });
      const added = second.results.find((r) => r.event === 'ADD')!;
      const deleted = second.results.find((r) => r.event === 'DELETE')!;
      expect(added.memory).toBe('Lives in San Francisco');
      expect(deleted).toMatchObject({ id: first.results[0]!.id, memory: 'Lives in New York' });
      expect(second.usage.llmCalls).toBe(2);

      const found = await memory.search('where does the user live', { userId: 'sarah' });
      expect(found.results[0]?.memory).toBe('Lives in San Francisco');
      expect(found.results.map((r) => r.memory)).not.toContain('Lives in New York');

      const old = await memory.getAll({ userId: 'sarah', states: ['superseded'] });
      expect(old.results).toHaveLength(1);
      expect(old.results[0]).toMatchObject({
        memory: 'Lives in New York',
        state: 'superseded',
        valid_to: FEB,
        superseded_by: added.id,
      });
      const history = await memory.history(first.results[0]!.id);
      expect(history.map((h) => h.event)).toEqual(['INVALIDATE', 'ADD']);
      expect(history[0]?.old_memory).toBe('Lives in New York');

      const between = await memory.search('where does the user live', {
        userId: 'sarah',
        asOf: '2023-02-01T00:00:00Z',
      });
      expect(between.results.map((r) => r.memory)).toEqual(['Lives in New York']);
    });

    it('refinement: a more precise fact updates the memory in place, with history', async () => {
      const { memory, ollama } = fx;
      ollama.scriptChat([facts({ text: 'Likes pizza', category: 'preference' })]);
      const first = await memory.add('I like pizza', { userId: 'u' });
      ollama.scriptChat([
        facts({ text: 'Likes pepperoni pizza most', category: 'preference' }),
        operations({ event: 'UPDATE', fact: 0, id: 0, text: 'Likes pizza, pepperoni most' }),
      ]);
      const second = await memory.add('I like pepperoni pizza most', { userId: 'u' });
      expect(second.results).toEqual([
        {
          id: first.results[0]!.id,
          memory: 'Likes pizza, pepperoni most',
          event: 'UPDATE',
          previous_memory: 'Likes pizza',
        },
      ]);
      const all = await memory.getAll({ userId: 'u' });
      expect(all.results.map((r) => r.memory)).toEqual(['Likes pizza, pepperoni most']);
      const history = await memory.history(first.results[0]!.id);
      expect(history.map((h) => [h.event, h.old_memory, h.new_memory])).toEqual([
        ['UPDATE', 'Likes pizza', 'Likes pizza, pepperoni most'],
        ['ADD', null, 'Likes pizza'],
      ]);
    });

    it('duplicates: the same fact twice is one memory, decided without a reconcile call', async () => {
      const { memory, ollama } = fx;
      ollama.onChat(() => facts({ text: 'Is allergic to peanuts', importance: 0.95, category: 'health' }));
      await memory.add('I am allergic to peanuts', { userId: 'u' });
      const again = await memory.add('Just so you know, peanuts make me sick — allergic', { userId: 'u' });
      expect(again.results.map((r) => r.event)).toEqual(['NONE']);
      expect(again.usage.llmCalls).toBe(1);
      expect((await memory.getAll({ userId: 'u' })).total).toBe(1);
    });

    it('duplicates: two concurrent adds of the same fact store one memory', async () => {
      const { memory, ollama } = fx;
      ollama.onChat(() => ({ text: facts({ text: 'Has a cat named Miso' }), delayMs: 50 }));
      const [a, b] = await Promise.all([
        memory.add('I have a cat named Miso', { userId: 'u' }),
        memory.add('My cat is called Miso', { userId: 'u' }),
      ]);
      expect([...a.results, ...b.results].map((r) => r.event).sort()).toEqual(['ADD', 'NONE']);
      expect((await memory.getAll({ userId: 'u' })).total).toBe(1);
    });

    it('dates: "tomorrow" resolves against the message time, not now', async () => {
      const { memory, ollama } = fx;
      ollama.scriptChat([facts({ text: 'Has an exam tomorrow', category: 'event' })]);
      const out = await memory.add('my exam is tomorrow', { userId: 'u', eventTime: '2023-05-08T09:00:00Z' });
      const item = await memory.get(out.results[0]!.id);
      expect(item.metadata.event_date).toBe('2023-05-09');
      expect(item.valid_from).toBe('2023-05-08T09:00:00.000Z');
      const sent = ollama.requestsTo('/api/chat')[0]!.body as { messages: { content: string }[] };
      expect(sent.messages[1]?.content).toContain('2023-05-08 (Monday)');
    });

    it('keeps the date the model resolved itself', async () => {
      const { memory, ollama } = fx;
      ollama.scriptChat([
        facts({ text: 'Trip to Colorado in June 2023', category: 'plan', event_date: '2023-06-01' }),
      ]);
      const out = await memory.add('I am going to Colorado next month', {
        userId: 'u',
        eventTime: '2023-05-08T09:00:00Z',
      });
      expect((await memory.get(out.results[0]!.id)).metadata.event_date).toBe('2023-06-01');
    });

    it('reports usage per stage and token counts from the provider', async () => {
      const { memory, ollama } = fx;
      ollama.scriptChat([
        { text: facts({ text: 'Works as a nurse' }), promptTokens: 321, completionTokens: 12 },
      ]);
      const out = await memory.add('I work as a nurse', { userId: 'u' });
      expect(out.usage).toMatchObject({ llmCalls: 1, inputTokens: 321, outputTokens: 12 });
      expect(out.usage.embedCalls).toBeGreaterThanOrEqual(1);
      expect(Object.keys(out.usage.ms)).toEqual(
        expect.arrayContaining(['context', 'extract', 'candidates', 'apply', 'total']),
      );
    });

    it('stores procedural memory as one faithful summary for the agent', async () => {
      const { memory, ollama } = fx;
      ollama.scriptChat([
        JSON.stringify({ summary: 'Task: book a flight. 1. Searched flights SFO→JFK ...' }),
      ]);
      const out = await memory.add(
        [
          { role: 'user', content: 'Book me a flight to JFK' },
          { role: 'assistant', content: 'Searching flights SFO→JFK' },
        ],
        { agentId: 'travel-bot', memoryType: 'procedural' },
      );
      expect(out.results).toHaveLength(1);
      const item = await memory.get(out.results[0]!.id);
      expect(item).toMatchObject({
        memory_type: 'procedural',
        agent_id: 'travel-bot',
        categories: ['procedure'],
      });
      await expect(memory.add('x', { userId: 'u', memoryType: 'procedural' })).rejects.toMatchObject({
        code: 'invalid_input',
      });
    });

    it('single-pass mode does extraction and reconciliation in one call', async () => {
      const single = fx.reopen({ extraction: { mode: 'single-pass' } });
      const { ollama } = fx;
      ollama.scriptChat([
        JSON.stringify({
          facts: [{ text: 'Likes pizza', importance: 0.6, category: 'preference', event_date: null }],
          operations: [{ event: 'ADD', fact: 0 }],
        }),
      ]);
      const first = await single.add('I like pizza', { userId: 'sp' });
      ollama.scriptChat([
        JSON.stringify({
          facts: [
            { text: 'Likes pepperoni pizza most', importance: 0.6, category: 'preference', event_date: null },
          ],
          operations: [{ event: 'UPDATE', fact: 0, id: 0, text: 'Likes pizza, pepperoni most' }],
        }),
      ]);
      const second = await single.add('I like pepperoni pizza most', { userId: 'sp' });
      expect(second.usage.llmCalls).toBe(1);
      expect(second.results).toEqual([
        {
          id: first.results[0]!.id,
          memory: 'Likes pizza, pepperoni most',
          event: 'UPDATE',
          previous_memory: 'Likes pizza',
        },
      ]);
    });
  },
);

describe('usage totals per scope', () => {
  it('accumulate over adds, inferred and raw', async () => {
    const fx = await memoryFixture();
    try {
      fx.ollama.scriptChat([
        { text: facts({ text: 'Works as a nurse' }), promptTokens: 100, completionTokens: 10 },
      ]);
      await fx.memory.add('I work as a nurse', { userId: 'u' });
      await fx.memory.add('a raw note', { userId: 'u', infer: false });
      const { results } = await fx.memory.usage({ userId: 'u' });
      expect(results).toMatchObject([
        { userId: 'u', adds: 2, llmCalls: 1, inputTokens: 100, outputTokens: 10 },
      ]);
      expect(results[0]!.embedCalls).toBeGreaterThanOrEqual(2);
    } finally {
      await fx.close();
    }
  });
});

describe('configurable prompts', () => {
  it('uses custom instructions and a custom extraction prompt, keeping the reply schema', async () => {
    const fx = await memoryFixture({
      extraction: {
        customInstructions: 'Only keep food preferences.',
        prompts: { extract: 'You note food likes. Reply {"facts": [...]}.' },
      },
    });
    try {
      fx.ollama.scriptChat([facts({ text: 'Likes sushi', category: 'preference' })]);
      await fx.memory.add('I like sushi and I live in Oslo', { userId: 'u' });
      const sent = fx.ollama.requestsTo('/api/chat')[0]!.body as {
        messages: { content: string }[];
        format: unknown;
      };
      expect(sent.messages[0]?.content).toBe('You note food likes. Reply {"facts": [...]}.');
      expect(sent.messages[1]?.content).toContain('Only keep food preferences.');
      expect(JSON.stringify(sent.format)).toContain('facts');
    } finally {
      await fx.close();
    }
  });
});
