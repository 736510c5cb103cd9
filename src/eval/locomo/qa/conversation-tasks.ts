import { countTokens } from '../../../util/token-count.js';
import type { LocomoConversation } from '../locomo-dataset.js';
import { NOT_MENTIONED } from './qa-prompts.js';
import type { QaTask } from './summarise-qa.js';

export function conversationTasks(
  conversation: LocomoConversation,
  limit: number | undefined,
  includeAdversarial: boolean,
): QaTask[] {
  const conversationTokens = countTokens(conversationText(conversation));
  const tasks = conversation.questions
    .map((q, index) => ({ q, index }))
    .filter(({ q }) => (q.category >= 1 && q.category <= 4) || (includeAdversarial && q.category === 5))
    .map(({ q, index }) => ({
      key: `${conversation.sampleId}:q${index}`,
      conversation: conversation.sampleId,
      category: q.category,
      question: q.question,
      // Category 5 stores a misleading answer; the right one is that the conversation never says.
      gold: q.category === 5 ? NOT_MENTIONED : q.answer,
      conversationTokens,
    }));
  return limit === undefined ? tasks : tasks.slice(0, limit);
}

/** The whole conversation as one text, the baseline "put everything in the prompt" would send. */
function conversationText(conversation: LocomoConversation): string {
  return conversation.sessions
    .map((s) => [s.dateText, ...s.turns.map((t) => `${t.speaker}: ${t.text}`)].join('\n'))
    .join('\n\n');
}
