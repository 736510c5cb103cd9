import { z } from 'zod';
import {
  type ExtractedFact,
  type ExtractInput,
  factsSchema,
  formatNewMessages,
  formatTurns,
  sentLine,
} from './extract-facts.js';
import type { PromptDefinition } from './prompt-definition.js';
import { formatMemories, reconcileMemoriesPrompt } from './reconcile-memories.js';

export interface SinglePassInput extends ExtractInput {
  memories: { text: string; validFrom: string }[];
}

const opSchema = z.object({
  event: z.enum(['ADD', 'UPDATE', 'DELETE', 'NONE']),
  fact: z.number().int(),
  id: z.number().int().nullable().optional(),
  text: z.string().nullable().optional(),
});
type SinglePassOutput = { facts: ExtractedFact[]; operations: z.infer<typeof opSchema>[] };

/** Extraction and reconciliation in one call: facts first, then one operation per fact. */
export const singlePassPrompt: PromptDefinition<SinglePassInput, SinglePassOutput> = {
  id: 'single-pass',
  // 2: grouped new messages (a batch of queued adds) and the facts' `source`.
  version: 2,
  system: [
    'You keep the long-term memory of an assistant, in two steps, answered in one JSON reply.',
    'Step 1 — facts: from the NEW MESSAGES write down what is worth knowing in future conversations about',
    'the user (identity, likes, people, plans, events, health, work, places, skills): one short',
    'self-contained fact per item, third person, in the language the user wrote in, relative dates',
    'resolved against the date the messages were sent (also as event_date YYYY-MM-DD, else null),',
    'importance 0–1. Small talk gives no facts.',
    'Step 2 — operations: for each fact number choose ADD (new), UPDATE (refines one existing memory: give',
    'its id and the merged text), DELETE (makes an existing memory untrue: give its id, plus an ADD for the',
    'fact) or NONE (already known: give the id). Use only ids listed under EXISTING MEMORIES.',
    'Reply with JSON only: {"facts": [{"text", "importance", "category", "event_date"}], "operations": [{"event", "fact", "id", "text"}]}.',
  ].join('\n'),
  user(input) {
    const memories = formatMemories(input.memories);
    const parts = [sentLine(input)];
    if (input.customInstructions) parts.push(`Additional instructions:\n${input.customInstructions}`);
    parts.push(`EXISTING MEMORIES:\n${memories}`);
    if (input.context.length > 0) parts.push(`EARLIER MESSAGES:\n${formatTurns(input.context)}`);
    parts.push(formatNewMessages(input));
    return parts.join('\n\n');
  },
  schema(input) {
    return z.object(singlePassShape(input)).superRefine((value, ctx) => checkOperations(input, value, ctx));
  },
};

/** The reply's fields, for prompts that extend the single pass (single-pass-graph.ts). */
export function singlePassShape(input: SinglePassInput) {
  return { facts: factsSchema(input), operations: z.array(opSchema) };
}

/** Operations must name existing facts and listed memory ids (the reconcile prompt's rules). */
export function checkOperations(
  input: SinglePassInput,
  value: { facts: ExtractedFact[]; operations: z.infer<typeof opSchema>[] },
  ctx: z.RefinementCtx,
): void {
  const check = reconcileMemoriesPrompt
    .schema({ memories: input.memories, facts: value.facts, observedAt: input.observedAt })
    .safeParse({ operations: value.operations });
  if (!check.success) {
    for (const issue of check.error.issues)
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }
}
