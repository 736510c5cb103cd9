import { z } from 'zod';
import type { PromptDefinition } from './prompt-definition.js';

export interface ProcedureInput {
  messages: { role: string; name?: string | null; content: string }[];
}

const outputSchema = z.object({ summary: z.string().min(1) });

/** Procedural memory: a faithful, step-by-step record of what an agent did, kept as one memory. */
export const summariseProcedurePrompt: PromptDefinition<ProcedureInput, z.infer<typeof outputSchema>> = {
  id: 'summarise-procedure',
  version: 1,
  system: [
    'You write the procedural memory of an AI agent: a faithful record of the run below that lets the agent',
    'continue or repeat the work later. Start with the task and its current status. Then list every step',
    'in order, numbered: what the agent did, the exact inputs it used (commands, URLs, parameters), what',
    'came back (keep key numbers, names and errors verbatim), and what it concluded. Do not invent steps',
    'and do not summarise results away. Reply with JSON only: {"summary": "..."}.',
  ].join('\n'),
  user(input) {
    return input.messages.map((m) => `${m.name ? `${m.name} (${m.role})` : m.role}: ${m.content}`).join('\n');
  },
  schema: () => outputSchema,
};
