import { afterEach, describe, expect, it } from 'vitest';
import { delayedEmbedder, type EngineFixture, engineFixture, factPerLineModel } from './engine-fakes.js';

/** Embeddings that finish in the reverse order they started: the slow one started first. */
const slowFor = (word: string) => (texts: string[]) => (texts.some((t) => t.includes(word)) ? 80 : 5);

describe('usage is counted per operation', () => {
  let fx: EngineFixture;
  afterEach(async () => {
    await fx.close();
  });

  it('two concurrent raw adds report exactly their own embedCalls (before: the other add\u2019s call leaked in)', async () => {
    fx = engineFixture({ embedder: delayedEmbedder(slowFor('slow')) });
    const [slow, fast] = await Promise.all([
      fx.memory.add('slow text to remember', { userId: 'a', infer: false }),
      fx.memory.add('fast text to remember', { userId: 'b', infer: false }),
    ]);
    expect(slow.usage.embedCalls).toBe(1);
    expect(fast.usage.embedCalls).toBe(1);
    const totals = async (userId: string) => (await fx.memory.usage({ userId })).results[0]?.embedCalls;
    expect(await totals('a')).toBe(1);
    expect(await totals('b')).toBe(1);
  });

  it('two concurrent inferred adds report exactly their own embedCalls', async () => {
    fx = engineFixture({ embedder: delayedEmbedder(slowFor('slow')), llm: [factPerLineModel()] });
    const alone = await fx.memory.add('fast enough on its own', { userId: 'c' });
    const [slow, fast] = await Promise.all([
      fx.memory.add('slow message about tea', { userId: 'a' }),
      fx.memory.add('fast message about coffee', { userId: 'b' }),
    ]);
    expect(slow.usage.embedCalls).toBe(alone.usage.embedCalls);
    expect(fast.usage.embedCalls).toBe(alone.usage.embedCalls);
  });
});
