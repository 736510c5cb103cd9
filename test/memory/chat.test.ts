import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countTokens } from '../../src/util/token-count.js';
import { facts, type MemoryFixture, memoryFixture, operations } from './memory-fixture.js';

describe('chat and context', () => {
  let fx: MemoryFixture;
  beforeEach(async () => {
    fx = await memoryFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  it('context() fits the most relevant memories in the token budget, whole', async () => {
    const { memory } = fx;
    await memory.add('Sarah loves hiking in the mountains', { userId: 's', infer: false });
    await memory.add('Sarah plans a trip to Colorado', { userId: 's', infer: false });
    await memory.add('Sarah owns a camera for landscape photography', { userId: 's', infer: false });
    const wide = await memory.context('hiking trip', { userId: 's', tokenBudget: 500 });
    expect(wide.memories.length).toBe(3);
    // Preamble, opening fence, the memories (most relevant first), closing fence.
    const lines = wide.text.split('\n');
    expect(lines[2]).toMatch(/hiking|trip/);
    const budget = countTokens([lines[0], lines[1], lines[2], lines.at(-1)].join('\n')) + 6;
    const narrow = await memory.context('hiking trip', { userId: 's', tokenBudget: budget });
    expect(narrow.memories.length).toBe(1);
    expect(narrow.tokens).toBeLessThanOrEqual(budget);
    await expect(memory.context('x', { userId: 's', tokenBudget: 0 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('answers with the remembered facts in the prompt, streams, and remembers the turn', async () => {
    const { memory, ollama } = fx;
    await memory.add('Sarah plans a trip to Colorado next month', { userId: 's', infer: false });
    ollama.scriptChat([
      'Yes, Sarah! Your trip to Colorado is next month.',
      facts({ text: 'Asked about her Colorado trip', importance: 0.3, category: 'event' }),
      operations({ event: 'ADD', fact: 0 }),
    ]);
    const tokens: string[] = [];
    const out = await memory.chat('Do you remember my trip plans?', {
      userId: 's',
      onToken: (t) => tokens.push(t),
    });
    expect(out.reply).toBe('Yes, Sarah! Your trip to Colorado is next month.');
    expect(tokens.join('')).toBe(out.reply);
    expect(tokens.length).toBeGreaterThan(1);
    expect(out.memories.map((m) => m.memory)).toContain('Sarah plans a trip to Colorado next month');
    const sent = ollama.requestsTo('/api/chat')[0]!.body as {
      messages: { role: string; content: string }[];
      stream: boolean;
    };
    expect(sent.stream).toBe(true);
    expect(sent.messages[0]?.content).toContain('Sarah plans a trip to Colorado next month');
    expect(out.remembered.results.map((r) => r.memory)).toEqual(['Asked about her Colorado trip']);
    const log = await (await memory.store()).recentMessages({ tenant: 'default', userId: 's' }, 10);
    expect(log.map((m) => m.role)).toEqual(['user', 'user', 'assistant']);
  });

  it('needs an LLM and a scope', async () => {
    const none = fx.reopen({ llm: null });
    await expect(none.chat('hi', { userId: 's' })).rejects.toMatchObject({ code: 'llm_not_configured' });
    await expect(fx.memory.chat('hi')).rejects.toMatchObject({ code: 'scope_required' });
  });
});
