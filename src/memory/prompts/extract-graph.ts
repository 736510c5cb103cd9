import { z } from 'zod';
import { describeDate, formatTurns, type PromptTurn } from './extract-facts.js';
import type { PromptDefinition } from './prompt-definition.js';

export interface GraphInput {
  context: PromptTurn[];
  messages: PromptTurn[];
  observedAt: string;
  /** The facts taken from these messages, numbered from 0: a relation names the one it states. */
  facts: string[];
  /** Entities already known in this scope, so the model reuses their names. */
  known: { name: string; type: string }[];
  maxEntities: number;
  maxRelations: number;
}

export const ENTITY_TYPES = [
  'person',
  'place',
  'organisation',
  'thing',
  'event',
  'concept',
  'other',
] as const;

/** The name the prompt gives the user whose memory this is; mapped to the scope's user entity. */
export const SELF_NAME = 'USER';

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .nullable();

/** Caps in the schema itself: constrained decoding cannot produce a longer list, so generation ends. */
export function graphFields(caps: { maxEntities: number; maxRelations: number }, facts: number) {
  return {
    entities: z
      .array(
        z.object({
          name: z.string().min(1).max(200),
          type: z.enum(ENTITY_TYPES),
          summary: z.string().max(300).nullable(),
          aliases: z.array(z.string().min(1).max(200)).max(8),
        }),
      )
      .max(caps.maxEntities),
    relations: z
      .array(
        z.object({
          source: z.string().min(1).max(200),
          relationship: z.string().min(1).max(80),
          destination: z.string().min(1).max(200),
          fact: z.string().min(1).max(500),
          fact_index: z
            .number()
            .int()
            .min(0)
            .max(Math.max(0, facts - 1))
            .nullable(),
          valid_from: date,
          valid_to: date,
          exclusive: z.boolean(),
        }),
      )
      .max(caps.maxRelations),
  };
}

function graphSchema(input: Pick<GraphInput, 'maxEntities' | 'maxRelations' | 'facts'>) {
  return z.object(graphFields(input, input.facts.length));
}

/** The rules for entities and relations, shared by the graph prompt and the combined single pass. */
export const GRAPH_RULES = [
  '- entities: each once, by its proper name ("Amy", "Chicago", "Acme Corp") — not by a description',
  '  ("my sister") and without possessives. Use USER for the user ("I", "me", "my"). aliases: other',
  '  names the messages use for the same entity ("Amy Smith", "Mom"). summary: a few words, or null.',
  '- Reuse the exact name of a KNOWN ENTITY when the messages mean it.',
  '- relations: source and destination are entity names; relationship is a short lower_snake_case',
  '  verb phrase from the source\'s point of view ("lives_in", "sister_of", "works_at", "likes").',
  '  fact: the relation as a sentence. fact_index: the number of the FACT it states, or null.',
  '- exclusive: true when the source can have only one destination for this relationship at a time',
  '  ("lives_in", "works_at", "married_to"), so a new one ends the old one; false otherwise ("likes").',
  '- valid_from / valid_to: YYYY-MM-DD when the messages say or imply when it started or ended',
  '  (resolve relative dates against the date the messages were sent), else null.',
];

export const GRAPH_REPLY_SHAPE =
  '"entities": [{"name", "type", "summary", "aliases"}], "relations": [{"source", "relationship", "destination", "fact", "fact_index", "valid_from", "valid_to", "exclusive"}]';

/** The KNOWN ENTITIES section, or nothing. */
export function knownEntities(known: readonly { name: string; type: string }[]): string[] {
  return known.length > 0
    ? [`KNOWN ENTITIES:\n${known.map((e) => `- ${e.name} (${e.type})`).join('\n')}`]
    : [];
}

export type GraphReply = z.infer<ReturnType<typeof graphSchema>>;

export const extractGraphPrompt: PromptDefinition<GraphInput, GraphReply> = {
  id: 'extract-graph',
  version: 1,
  system: [
    'You keep the knowledge graph of an assistant: the people, places, organisations and things in the',
    'NEW MESSAGES and how they relate. The user whose memory this is is called USER.',
    '',
    'Rules:',
    ...GRAPH_RULES,
    '- Only what the messages state; nothing worth keeping: {"entities": [], "relations": []}.',
    `Reply with JSON only: {${GRAPH_REPLY_SHAPE}}.`,
  ].join('\n'),
  user(input) {
    const parts = [`Messages sent on: ${describeDate(input.observedAt)}`, ...knownEntities(input.known)];
    if (input.context.length > 0) parts.push(`EARLIER MESSAGES:\n${formatTurns(input.context)}`);
    parts.push(`NEW MESSAGES:\n${formatTurns(input.messages)}`);
    parts.push(
      `FACTS:\n${input.facts.length > 0 ? input.facts.map((f, i) => `${i}. ${f}`).join('\n') : '(none)'}`,
    );
    return parts.join('\n\n');
  },
  schema: graphSchema,
};

export interface ConfirmInput {
  pairs: { id: number; extracted: string; known: string; knownSummary: string | null; type: string }[];
}

export const confirmEntitiesPrompt: PromptDefinition<ConfirmInput, { same: number[] }> = {
  id: 'confirm-entities',
  version: 1,
  system: [
    'Decide which pairs name the same real-world entity. Each PAIR gives a name just mentioned and a',
    'known entity with a similar name. Answer with the ids of the pairs that are the same entity; when',
    'unsure, leave the pair out. Reply with JSON only: {"same": [ids]}.',
  ].join('\n'),
  user(input) {
    return `PAIRS:\n${input.pairs
      .map(
        (p) =>
          `${p.id}. "${p.extracted}" — known ${p.type} "${p.known}"${p.knownSummary ? ` (${p.knownSummary})` : ''}`,
      )
      .join('\n')}`;
  },
  schema: (input) =>
    z.object({
      same: z.array(
        z
          .number()
          .int()
          .refine((id) => input.pairs.some((p) => p.id === id), { message: 'not a pair id' }),
      ),
    }),
};
