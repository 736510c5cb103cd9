import { z } from 'zod';
import type { PromptDefinition } from './prompt-definition.js';

export interface ExtractInput {
  /** Earlier turns, for context only. */
  context: { role: string; name?: string | null; content: string }[];
  /** The turns to learn from. */
  messages: { role: string; name?: string | null; content: string }[];
  /** When the new turns were said (ISO); relative dates resolve against it. */
  observedAt: string;
  customInstructions?: string | undefined;
}

export const FACT_CATEGORIES = [
  'identity',
  'preference',
  'relationship',
  'plan',
  'event',
  'health',
  'work',
  'location',
  'skill',
  'other',
] as const;

export const factSchema = z.object({
  text: z.string().min(1),
  importance: z.number().min(0).max(1),
  category: z.enum(FACT_CATEGORIES),
  event_date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable(),
});
export type ExtractedFact = z.infer<typeof factSchema>;

const outputSchema = z.object({ facts: z.array(factSchema) });

function formatTurns(turns: ExtractInput['messages']): string {
  return turns.map((t) => `${t.name ? `${t.name} (${t.role})` : t.role}: ${t.content}`).join('\n');
}

export function describeDate(iso: string): string {
  const d = new Date(iso);
  const weekday = d.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
  return `${iso.slice(0, 10)} (${weekday})`;
}

export const extractFactsPrompt: PromptDefinition<ExtractInput, z.infer<typeof outputSchema>> = {
  id: 'extract-facts',
  version: 1,
  system: [
    'You keep the long-term memory of an assistant. From the NEW MESSAGES, write down what is worth',
    'knowing in future conversations: who the user is, what they like and dislike, people in their life,',
    'plans, events, health, work, places, skills. Ignore greetings, small talk and anything the assistant',
    'merely suggested that the user did not confirm.',
    '',
    'Rules:',
    '- One fact per item, short and self-contained, written in the third person about the user',
    '  ("Is vegetarian", "Sister Anna lives in Berlin"). Keep names, numbers and places exactly.',
    '- Write each fact in the language the user wrote in.',
    '- Resolve relative dates ("tomorrow", "next month", "last Friday") against the date the messages were',
    '  sent, put the result in the fact text and in event_date (YYYY-MM-DD); event_date is null when the',
    '  fact has no date.',
    '- importance: 0.9–1 for identity, health and lasting commitments; 0.5–0.8 for preferences and plans;',
    '  below 0.5 for passing details.',
    '- EARLIER MESSAGES are context only: take facts from the NEW MESSAGES.',
    '- Nothing worth keeping: return {"facts": []}.',
    'Reply with JSON only: {"facts": [{"text", "importance", "category", "event_date"}]}.',
  ].join('\n'),
  user(input) {
    const parts = [`Messages sent on: ${describeDate(input.observedAt)}`];
    if (input.customInstructions) parts.push(`Additional instructions:\n${input.customInstructions}`);
    if (input.context.length > 0) parts.push(`EARLIER MESSAGES:\n${formatTurns(input.context)}`);
    parts.push(`NEW MESSAGES:\n${formatTurns(input.messages)}`);
    return parts.join('\n\n');
  },
  schema: () => outputSchema,
};
