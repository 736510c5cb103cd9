import { z } from 'zod';
import type { PromptDefinition } from '../../../memory/prompts/prompt-definition.js';

/** What the answerer sees: the retrieved memory block, never the conversation itself. */
export interface AnswerInput {
  speakers: readonly [string, string];
  /** When the question is asked (ISO), the day after the last session. */
  askedAt: string;
  /** memory.context() text: a preamble, then one quoted `- "<memory>" (provenance)` line per memory. */
  context: string;
  question: string;
}

/** The reply every answerer is asked to give when the memories do not hold the answer. */
export const NOT_MENTIONED = 'Not mentioned in the conversation.';

/** A free-text prompt: versioned like the structured ones, without a reply schema. */
export interface TextPrompt<Input> {
  id: string;
  version: number;
  system: string;
  user(input: Input): string;
}

export const locomoAnswerPrompt: TextPrompt<AnswerInput> = {
  id: 'locomo-answer',
  version: 1,
  system: [
    'Two people have been talking to each other over many months. You do not see their conversation;',
    'you see notes that a memory system kept from it, each followed by the date it refers to.',
    'Answer the question from these notes alone.',
    '',
    '- Be brief: a name, a number, a date or a short phrase. No explanations.',
    '- For "when" questions give a calendar date or period. Work relative phrases out from the note\'s',
    '  date ("last Saturday" in a note dated 2023-05-08 is 6 May 2023).',
    '- Combine several notes when the question needs it (counts, lists, what happened first).',
    '- You may draw a reasonable conclusion from the notes when the question asks for an opinion or a',
    '  likelihood ("would she…", "is he likely to…").',
    `- If the notes do not say, answer exactly: ${NOT_MENTIONED}`,
  ].join('\n'),
  user(input) {
    return [
      `The people: ${input.speakers[0]} and ${input.speakers[1]}. Today is ${input.askedAt.slice(0, 10)}.`,
      `NOTES:\n${input.context.trim() === '' ? '(no notes were found)' : input.context}`,
      `QUESTION: ${input.question}`,
    ].join('\n\n');
  },
};

export interface JudgeInput {
  question: string;
  gold: string;
  answer: string;
}

const verdictSchema = z.object({ correct: z.boolean(), reason: z.string() });
export type JudgeVerdict = z.infer<typeof verdictSchema>;

const judgeUser = (input: JudgeInput) =>
  `QUESTION: ${input.question}\nREFERENCE ANSWER: ${input.gold}\nANSWER TO GRADE: ${input.answer}`;
const REPLY_FORMAT = 'Reply with JSON only: {"correct": true or false, "reason": "one short sentence"}.';

/**
 * The grading most published LoCoMo numbers use: an answer that is about the same thing as the
 * reference counts, even when it is vaguer or longer.
 */
export const lenientJudgePrompt: PromptDefinition<JudgeInput, JudgeVerdict> = {
  id: 'locomo-judge-lenient',
  version: 1,
  system: [
    'You grade answers to questions about a conversation, comparing each with a reference answer.',
    'Grade generously. The answer is correct when it points to the same thing as the reference, even if',
    'it is worded differently, longer, or less precise: a date in the same week or month, a relative',
    'date that works out to the reference, or a broader phrase that covers it all count.',
    'It is wrong when it names something else, contradicts the reference, or says it does not know.',
    REPLY_FORMAT,
  ].join('\n'),
  user: judgeUser,
  schema: () => verdictSchema,
};

/** Every key fact must be right; shows how much of the lenient score is generosity. */
export const strictJudgePrompt: PromptDefinition<JudgeInput, JudgeVerdict> = {
  id: 'locomo-judge-strict',
  version: 1,
  system: [
    'You grade answers to questions about a conversation, comparing each with a reference answer.',
    'Grade strictly. The answer is correct only when it states every key fact of the reference and',
    'each of them is right:',
    '- every person, place, object, title and number the reference gives;',
    '- dates to the day when the reference names a day (the same month is not enough), to the month',
    '  when it names a month, to the year when it names a year;',
    '- every item when the reference is a list.',
    'Extra words are fine; a missing key fact, a wrong detail or a hedge between options makes it wrong.',
    REPLY_FORMAT,
  ].join('\n'),
  user: judgeUser,
  schema: () => verdictSchema,
};

/** How category 5 is graded: by rule, no judge call. */
export const ADVERSARIAL_RULE =
  'category 5 (adversarial) is correct when the answer declines ("not mentioned", "no information", "unknown", …); graded by rule, without the judge';
