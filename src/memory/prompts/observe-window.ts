import { z } from 'zod';
import { describeDate, FACT_CATEGORIES } from './extract-facts.js';
import type { PromptDefinition } from './prompt-definition.js';

export interface WindowMessage {
  /** Number in the window, from 0. */
  n: number;
  speakerId: string;
  speakerName: string;
  time: string;
  content: string;
}

export interface ObserveWindowInput {
  channel: string;
  /** The end of the window: relative dates without a message's own time resolve against it. */
  observedAt: string;
  /** The messages just before the window, already extracted: context only. */
  context: { speakerName: string; content: string }[];
  messages: WindowMessage[];
  customInstructions?: string | undefined;
}

/** The speaker value for facts about the channel's group as a whole. */
export const GROUP_SPEAKER = 'GROUP';

export interface ObservedFact {
  text: string;
  speaker: string;
  messages: number[];
  importance: number;
  category: (typeof FACT_CATEGORIES)[number];
  event_date: string | null;
}

export const observeWindowPrompt: PromptDefinition<ObserveWindowInput, { facts: ObservedFact[] }> = {
  id: 'observe-window',
  version: 1,
  system: [
    'You keep the long-term memory of an assistant that listens to a group channel. From the NEW',
    'MESSAGES, write down what is worth knowing later about each participant: who they are, what they',
    'like, their plans, people in their life, events, work, places. Ignore chatter, jokes and opinions',
    'of the moment.',
    '',
    'Rules:',
    '- One fact per item, short and self-contained, in the third person, naming no one by pronoun',
    '  ("Has a dog named Rex", "Is moving to Lisbon in May"). Keep names, numbers and places exactly.',
    '- speaker: the id (in brackets) of the participant the fact is about — normally the one who said it;',
    '  when someone says something about another participant, the one it is about. Use GROUP for facts',
    '  about the channel as a whole (a meetup the group plans).',
    '- messages: the numbers of the messages the fact comes from.',
    '- Resolve relative dates against the time of the message they are in (also as event_date',
    '  YYYY-MM-DD, else null). importance 0–1 as for any memory.',
    '- EARLIER MESSAGES are context only: take facts from the NEW MESSAGES.',
    'Reply with JSON only: {"facts": [{"text", "speaker", "messages", "importance", "category", "event_date"}]}.',
  ].join('\n'),
  user(input) {
    const parts = [`Channel ${input.channel}; messages up to ${describeDate(input.observedAt)}.`];
    if (input.customInstructions) parts.push(`Additional instructions:\n${input.customInstructions}`);
    if (input.context.length > 0) {
      parts.push(
        `EARLIER MESSAGES:\n${input.context.map((m) => `${m.speakerName}: ${m.content}`).join('\n')}`,
      );
    }
    parts.push(
      `NEW MESSAGES:\n${input.messages
        .map(
          (m) =>
            `${m.n}. [${m.speakerId}] ${m.speakerName} (${m.time.slice(0, 16).replace('T', ' ')}): ${m.content}`,
        )
        .join('\n')}`,
    );
    return parts.join('\n\n');
  },
  schema(input) {
    const speakers: [string, ...string[]] = [
      GROUP_SPEAKER,
      ...new Set(input.messages.map((m) => m.speakerId)),
    ];
    const last = Math.max(0, input.messages.length - 1);
    return z.object({
      facts: z.array(
        z.object({
          text: z.string().min(1).max(500),
          speaker: z.enum(speakers),
          messages: z.array(z.number().int().min(0).max(last)).max(input.messages.length),
          importance: z.number().min(0).max(1),
          category: z.enum(FACT_CATEGORIES),
          event_date: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .nullable(),
        }),
      ),
    });
  },
};
