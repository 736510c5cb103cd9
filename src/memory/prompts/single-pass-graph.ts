import { z } from 'zod';
import type { ExtractedFact } from './extract-facts.js';
import {
  GRAPH_REPLY_SHAPE,
  GRAPH_RULES,
  type GraphReply,
  graphFields,
  knownEntities,
} from './extract-graph.js';
import type { PromptDefinition } from './prompt-definition.js';
import { checkOperations, type SinglePassInput, singlePassPrompt, singlePassShape } from './single-pass.js';

export interface SinglePassGraphInput extends SinglePassInput {
  known: { name: string; type: string }[];
  maxEntities: number;
  maxRelations: number;
}

export type SinglePassGraphOutput = GraphReply & {
  facts: ExtractedFact[];
  operations: {
    event: 'ADD' | 'UPDATE' | 'DELETE' | 'NONE';
    fact: number;
    id?: number | null;
    text?: string | null;
  }[];
};

/**
 * The single pass with the graph in the same reply: facts, operations, entities and relations.
 * One call instead of two, and the conversation is sent once (docs/graph.md has the token
 * figures that made this the graph's default path in single-pass mode).
 */
export const singlePassGraphPrompt: PromptDefinition<SinglePassGraphInput, SinglePassGraphOutput> = {
  id: 'single-pass-graph',
  version: 1,
  system: [
    singlePassPrompt.system.split('\nReply with JSON only')[0] ?? '',
    'Step 3 — graph: the people, places, organisations and things in the NEW MESSAGES and how they',
    'relate. The user whose memory this is is called USER.',
    ...GRAPH_RULES,
    `Reply with JSON only: {"facts": [{"text", "importance", "category", "event_date"}], "operations": [{"event", "fact", "id", "text"}], ${GRAPH_REPLY_SHAPE}}.`,
  ].join('\n'),
  user(input) {
    const base = singlePassPrompt.user(input);
    const known = knownEntities(input.known);
    return known.length > 0 ? `${known[0]}\n\n${base}` : base;
  },
  schema(input) {
    // fact_index is checked against the reply's own facts, known only once it is parsed.
    return z
      .object({ ...singlePassShape(input), ...graphFields(input, Number.MAX_SAFE_INTEGER) })
      .superRefine((value, ctx) => {
        checkOperations(input, value, ctx);
        for (const [i, relation] of value.relations.entries()) {
          if (relation.fact_index !== null && relation.fact_index >= value.facts.length) {
            ctx.addIssue({
              code: 'custom',
              path: ['relations', i, 'fact_index'],
              message: `fact ${relation.fact_index} does not exist; the facts are numbered 0 to ${value.facts.length - 1}`,
            });
          }
        }
      });
  },
};
