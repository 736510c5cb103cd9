import { z } from 'zod';
import type { PromptDefinition } from './prompt-definition.js';

export interface ReconcileInput {
  /** Existing memories, shown to the model with small integer ids (their index). */
  memories: { text: string; validFrom: string }[];
  /** New facts, shown with their index. */
  facts: { text: string }[];
  observedAt: string;
}

const operationSchema = z.object({
  event: z.enum(['ADD', 'UPDATE', 'DELETE', 'NONE']),
  fact: z.number().int(),
  id: z.number().int().nullable().optional(),
  text: z.string().nullable().optional(),
});
export type ReconcileOperation = z.infer<typeof operationSchema>;

const baseSchema = z.object({ operations: z.array(operationSchema) });

/** Checks every reference against what the model was shown: an invented id is a validation error. */
function referenceSchema(input: ReconcileInput) {
  return baseSchema.superRefine((value, ctx) => {
    const covered = new Set<number>();
    value.operations.forEach((op, i) => {
      const path = ['operations', i];
      if (op.fact < 0 || op.fact >= input.facts.length) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'fact'],
          message: `fact ${op.fact} does not exist; facts are numbered 0 to ${input.facts.length - 1}`,
        });
      } else covered.add(op.fact);
      const needsId = op.event === 'UPDATE' || op.event === 'DELETE';
      if (needsId && (op.id === undefined || op.id === null)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'id'],
          message: `${op.event} needs the id of an existing memory`,
        });
      }
      if (op.id !== undefined && op.id !== null && (op.id < 0 || op.id >= input.memories.length)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'id'],
          message:
            input.memories.length === 0
              ? `id ${op.id} does not exist: there are no existing memories, so use ADD or NONE`
              : `id ${op.id} does not exist; existing memories are numbered 0 to ${input.memories.length - 1}`,
        });
      }
      if (op.event === 'UPDATE' && !op.text) {
        ctx.addIssue({ code: 'custom', path: [...path, 'text'], message: 'UPDATE needs the new text' });
      }
    });
    for (let f = 0; f < input.facts.length; f++) {
      if (!covered.has(f)) {
        ctx.addIssue({
          code: 'custom',
          path: ['operations'],
          message: `fact ${f} has no operation; give every fact one (NONE if nothing changes)`,
        });
      }
    }
  });
}

/** Existing memories as the model sees them: small integer ids, never real ones. */
export function formatMemories(memories: ReconcileInput['memories']): string {
  if (memories.length === 0) return '(none)';
  return memories.map((m, i) => `${i}: ${m.text} (since ${m.validFrom.slice(0, 10)})`).join('\n');
}

export const reconcileMemoriesPrompt: PromptDefinition<ReconcileInput, z.infer<typeof baseSchema>> = {
  id: 'reconcile-memories',
  version: 1,
  system: [
    'You keep a memory store up to date. Compare each NEW FACT with the EXISTING MEMORIES and choose',
    'one operation per fact:',
    '- ADD: the fact is new information. Give its text.',
    '- UPDATE: the fact refines or corrects one existing memory about the same thing and both can be',
    '  merged into one statement ("Likes pizza" + "Likes pepperoni pizza most" → "Likes pizza, pepperoni',
    '  most"). Give the memory id and the merged text.',
    '- DELETE: the fact makes an existing memory no longer true (moved house, changed job, broke up).',
    '  Give that memory id, and ALSO an ADD for the fact itself with the same fact number.',
    '- NONE: the fact is already known. Give the id of the memory that already says it.',
    'Use only ids listed under EXISTING MEMORIES. Every fact number needs at least one operation.',
    'Reply with JSON only: {"operations": [{"event", "fact", "id", "text"}]}.',
  ].join('\n'),
  user(input) {
    const memories = formatMemories(input.memories);
    const facts = input.facts.map((f, i) => `${i}: ${f.text}`).join('\n');
    return `Date of the new facts: ${input.observedAt.slice(0, 10)}\n\nEXISTING MEMORIES:\n${memories}\n\nNEW FACTS:\n${facts}`;
  },
  schema: referenceSchema,
};
