import type { Memory } from '../../src/memory/memory.js';

/** A fixed corpus for comparing search through a derived index with the store's own vectors. */
export const CORPUS = [
  'Alice likes green tea in the morning',
  'Alice runs five kilometres every Sunday',
  'Alice works as a nurse at the city hospital',
  'Alice is allergic to peanuts',
  'Alice visited Lisbon last spring',
  'Alice plays the cello in an orchestra',
  'Alice has a cat called Miso',
  'Alice learns Japanese on weekday evenings',
  'Alice bakes sourdough bread on Saturdays',
  'Alice keeps tomatoes and basil on her balcony',
];

export const QUERIES = [
  'what does alice drink',
  'alice pet cat',
  'music instrument orchestra',
  'travel lisbon',
  'bread baking',
  'garden balcony plants',
];

/** Waits until the configured index took every outbox row (the feeder polls twice a second). */
export async function converged(memory: Memory, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [status] = await memory.indexes.status();
    if (status?.built && status.pending === 0) return;
    if (Date.now() > deadline) throw new Error(`index did not converge: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
