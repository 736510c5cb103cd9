import { z } from 'zod';
import type { PromptDefinition } from './prompt-definition.js';

export interface PromptTurn {
  role: string;
  name?: string | null;
  content: string;
}

export interface ExtractInput {
  /** Earlier turns, for context only. */
  context: PromptTurn[];
  /** The turns to learn from. */
  messages: PromptTurn[];
  /** When the new turns were said (ISO); relative dates resolve against it. */
  observedAt: string;
  /**
   * When the new turns come from several adds (a batch of queued jobs): consecutive runs of
   * `messages` (`count` turns each, in order) with the time each was sent. The prompt shows them
   * as numbered groups, and each fact names the group it comes from (`source`).
   */
  groups?: MessageGroup[] | undefined;
  customInstructions?: string | undefined;
}

export interface MessageGroup {
  count: number;
  sentAt: string;
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
/** A fact of a grouped prompt: `source` is the number of the message group it comes from. */
const sourcedFactSchema = factSchema.extend({ source: z.number().int().nullable().optional() });
export type ExtractedFact = z.infer<typeof sourcedFactSchema>;

const outputSchema = z.object({ facts: z.array(factSchema) });

/** Several groups of new messages: the prompt numbers them and asks each fact for its group. */
export function isGrouped(input: ExtractInput): input is ExtractInput & { groups: MessageGroup[] } {
  return (input.groups?.length ?? 0) > 1;
}

/** The facts a reply must hold for this input (with `source`, checked against the groups, when grouped). */
export function factsSchema(input: ExtractInput) {
  if (!isGrouped(input)) return z.array(factSchema);
  const groups = input.groups.length;
  return z.array(
    sourcedFactSchema.superRefine((fact, ctx) => {
      if (fact.source !== undefined && fact.source !== null && (fact.source < 0 || fact.source >= groups)) {
        ctx.addIssue({
          code: 'custom',
          path: ['source'],
          message: `group ${fact.source} does not exist; the message groups are numbered 0 to ${groups - 1}`,
        });
      }
    }),
  );
}

export function formatTurns(turns: PromptTurn[]): string {
  return turns.map((t) => `${t.name ? `${t.name} (${t.role})` : t.role}: ${t.content}`).join('\n');
}

/**
 * The first lines of the user turn: the date the messages were sent, or for grouped messages
 * how to read the groups (each carries its own date).
 */
export function sentLine(input: ExtractInput): string {
  if (!isGrouped(input)) return `Messages sent on: ${describeDate(input.observedAt)}`;
  return [
    `The NEW MESSAGES come in ${input.groups.length} groups, numbered from 0, each sent on the date its heading gives.`,
    'Resolve relative dates against the date of the group a fact comes from, and give that group\'s number as the fact\'s "source".',
  ].join('\n');
}

/** The NEW MESSAGES section: the turns, under a heading per group when grouped. */
export function formatNewMessages(input: ExtractInput): string {
  if (!isGrouped(input)) return `NEW MESSAGES:\n${formatTurns(input.messages)}`;
  const lines: string[] = [];
  let next = 0;
  for (const [i, group] of input.groups.entries()) {
    lines.push(`Group ${i}, sent on ${describeDate(group.sentAt)}:`);
    lines.push(formatTurns(input.messages.slice(next, next + group.count)));
    next += group.count;
  }
  return `NEW MESSAGES:\n${lines.join('\n')}`;
}

export function describeDate(iso: string): string {
  const d = new Date(iso);
  const weekday = d.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
  return `${iso.slice(0, 10)} (${weekday})`;
}

export const extractFactsPrompt: PromptDefinition<ExtractInput, { facts: ExtractedFact[] }> = {
  id: 'extract-facts',
  // 2: grouped new messages (a batch of queued adds) and the facts' `source`.
  version: 2,
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
    const parts = [sentLine(input)];
    if (input.customInstructions) parts.push(`Additional instructions:\n${input.customInstructions}`);
    if (input.context.length > 0) parts.push(`EARLIER MESSAGES:\n${formatTurns(input.context)}`);
    parts.push(formatNewMessages(input));
    return parts.join('\n\n');
  },
  schema: (input) => (isGrouped(input) ? z.object({ facts: factsSchema(input) }) : outputSchema),
};
