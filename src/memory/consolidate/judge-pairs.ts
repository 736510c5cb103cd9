import type { ChatModel } from '../../spec/chat-model.js';
import { callStructured } from '../inference/structured-call.js';
import type { UsageMeter } from '../inference/usage-meter.js';
import { judgeDuplicatesPrompt } from '../prompts/judge-duplicates.js';

/** Pairs per LLM call: enough to amortise the instructions, few enough for a small model to keep track. */
export const PAIRS_PER_CALL = 20;

/**
 * Asks the LLM, one structured call per batch of PAIRS_PER_CALL, whether each pair of texts is
 * one fact (prompt judge-duplicates@1). Returns one verdict per pair, in order.
 */
export async function judgePairs(
  chain: readonly ChatModel[],
  pairs: readonly { a: string; b: string }[],
  meter: UsageMeter,
): Promise<boolean[]> {
  const verdicts: boolean[] = [];
  for (let start = 0; start < pairs.length; start += PAIRS_PER_CALL) {
    const batch = pairs.slice(start, start + PAIRS_PER_CALL);
    const reply = await callStructured(chain, judgeDuplicatesPrompt, { pairs: batch }, meter);
    const same = new Map(reply.verdicts.map((v) => [v.pair, v.same]));
    for (let i = 0; i < batch.length; i++) verdicts.push(same.get(i) === true);
  }
  return verdicts;
}
