import { z } from 'zod';
import type { PromptDefinition } from './prompt-definition.js';

export interface JudgeDuplicatesInput {
  /** Pairs of memories of one scope, shown with their index; the model never sees ids. */
  pairs: { a: string; b: string }[];
}

const verdictSchema = z.object({ pair: z.number().int(), same: z.boolean() });
const baseSchema = z.object({ verdicts: z.array(verdictSchema) });
export type JudgeDuplicatesOutput = z.infer<typeof baseSchema>;

/** Every pair shown gets exactly one verdict; an invented or missing pair is a validation error. */
function referenceSchema(input: JudgeDuplicatesInput) {
  return baseSchema.superRefine((value, ctx) => {
    const seen = new Set<number>();
    value.verdicts.forEach((v, i) => {
      if (v.pair < 0 || v.pair >= input.pairs.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['verdicts', i, 'pair'],
          message: `pair ${v.pair} does not exist; pairs are numbered 0 to ${input.pairs.length - 1}`,
        });
      } else if (seen.has(v.pair)) {
        ctx.addIssue({
          code: 'custom',
          path: ['verdicts', i, 'pair'],
          message: `pair ${v.pair} has two verdicts; give each pair one`,
        });
      } else seen.add(v.pair);
    });
    for (let p = 0; p < input.pairs.length; p++) {
      if (!seen.has(p)) {
        ctx.addIssue({ code: 'custom', path: ['verdicts'], message: `pair ${p} has no verdict` });
      }
    }
  });
}

/**
 * Consolidation's question for pairs whose vectors are close but not close enough to be sure:
 * is this one fact said twice? "Same" must be strict — the memory judged a duplicate is
 * superseded, so a detail only one of them holds would leave the current view.
 */
export const judgeDuplicatesPrompt: PromptDefinition<JudgeDuplicatesInput, JudgeDuplicatesOutput> = {
  id: 'judge-duplicates',
  version: 1,
  system: [
    'You clean up a memory store. Each PAIR below holds two memories about the same person or agent.',
    'Decide for every pair whether A and B state the same fact in different words.',
    '- same: true only when each one says everything the other says: same subject, same value, same',
    '  time, no detail in one that the other lacks (wording, order, synonyms and tense may differ).',
    '- same: false when they differ in any value (a name, place, number, date), when one adds a detail,',
    '  when one contradicts or updates the other, or when you are unsure.',
    'Reply with JSON only: {"verdicts": [{"pair": <number>, "same": <true|false>}]}, one verdict per pair.',
  ].join('\n'),
  user(input) {
    return [
      'PAIRS:',
      ...input.pairs.map((p, i) => `${i}: A: ${p.a}\n   B: ${p.b}`),
      '',
      `Give exactly ${input.pairs.length} verdicts, pairs 0 to ${input.pairs.length - 1}.`,
    ].join('\n');
  },
  schema: referenceSchema,
};
